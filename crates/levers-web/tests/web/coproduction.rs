//! Co-production through the router: the register, coverage and import; participants, time
//! credits and erasure; and fifty parallel API transfers on SQLite and PostgreSQL.

use super::*;

/// Sends a multipart upload with the client's cookies.
async fn post_multipart(c: &mut Client, path: &str, file: (&str, &[u8])) -> Reply {
    let csrf = c.csrf.clone();
    let (ct, body) = multipart(&csrf, &[], Some(file));
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, c.cookie_header())
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

/// The register through the web: an officer adds an activity and records involvements with forms,
/// sees them in the register and the coverage dashboard (charts with tables), imports a CSV (bad rows
/// named by line and column, nothing half-imported) and exports it; a viewer reads but cannot change
/// or see people; every change is audited.
#[tokio::test]
async fn coproduction_register_forms_coverage_and_import() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let section = c.get("/co-production").await;
    assert!(
        section.body.contains("href=\"/co-production/register\"")
            && section.body.contains("/co-production/credits")
    );
    assert_eq!(
        c.get("/co-production/register/new").await.status,
        StatusCode::OK
    );
    // Bad input comes back with every problem named beside its field.
    let bad = c
        .post(
            "/co-production/register",
            &[
                ("reference", "has space"),
                ("service", ""),
                ("directorate", "Adults"),
                ("annual_value", "lots"),
                ("current_stage", "plan"),
                ("started_on", "2025-13-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["#reference", "#service", "#annual_value", "#started_on"] {
        assert!(
            bad.body.contains(&format!("href=\"{id}\"")),
            "{id} missing from the error summary"
        );
    }
    let ok = c
        .post(
            "/co-production/register",
            &[
                ("reference", "ASC-1"),
                ("service", "Home care"),
                ("directorate", "Adults"),
                ("annual_value", "£1,200,000"),
                ("current_stage", "plan"),
                ("started_on", "01/04/2025"),
                ("objectives", "Independent living\nReduce child poverty"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let at = ok.location.unwrap();
    let id: i64 = at
        .trim_start_matches("/co-production/register/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let dup = c
        .post(
            "/co-production/register",
            &[
                ("reference", "ASC-1"),
                ("service", "X"),
                ("directorate", "Adults"),
                ("annual_value", "1"),
                ("current_stage", "plan"),
                ("started_on", "2025-04-01"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.body
            .contains("already has an activity with the reference ASC-1")
    );
    // Two involvements at co-design: the activity is co-produced at two stages.
    let form = c
        .get(&format!(
            "/co-production/register/{id}/involvements/new?stage=plan"
        ))
        .await;
    assert!(form.body.contains("value=\"plan\" checked"));
    for (stage, rung) in [("analyse", "co_design"), ("plan", "co_production")] {
        let r = c
            .post(
                &format!("/co-production/register/{id}/involvements"),
                &[
                    ("stage", stage),
                    ("rung", rung),
                    ("lead", "council"),
                    ("held_on", "2025-05-01"),
                    ("methods", "workshops; peer research"),
                    ("groups", "parents"),
                    ("lived_experience", "yes"),
                    ("headcount", "12"),
                    ("hours", "36"),
                    ("decisions", "Opening hours"),
                    ("you_said_we_did", "You said evenings; we opened late"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let missing = c
        .post(
            &format!("/co-production/register/{id}/involvements"),
            &[("stage", "do"), ("held_on", "soon")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("href=\"#rung\"")
            && missing.body.contains("href=\"#lead\"")
            && missing.body.contains("href=\"#held_on\"")
    );
    let page = c.get(&format!("/co-production/register/{id}")).await;
    assert!(
        page.body.contains("You said evenings; we opened late") && page.body.contains("2 of 4"),
        "{}",
        page.body
    );
    let reg = c.get("/co-production/register").await;
    assert!(reg.body.contains("Home care") && reg.body.contains("Co-production"));
    // Coverage: one activity, co-produced at two stages: 100% by count and value.
    let cov = c.get("/co-production/coverage").await;
    assert_eq!(cov.status, StatusCode::OK);
    assert!(cov.body.contains("<svg") && cov.body.contains("<table") && cov.body.contains("100%"));
    let api = c.get("/api/v1/coproduction/coverage").await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["overall"]["two_plus_stages"], 1);
    assert_eq!(v["overall"]["value_pence"], 120_000_000);
    let (ct, xlsx) = get_bytes(&c, "/co-production/coverage.xlsx").await;
    assert!(
        ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            && xlsx.starts_with(b"PK"),
        "{ct}"
    );
    assert!(
        xlsx.windows(b"By directorate".len())
            .any(|w| w == b"By directorate"),
        "the workbook names its sheets"
    );
    // Import: one good new activity and one bad row; the bad one is named and held back.
    let csv = "reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on\nCH-2,Family hubs,Children's,80000,analyse,2025-06-01,analyse,co-design,council,2025-06-10\nCH-3,Youth,Children's,50000,plan,2025-06-01,plan,tokenism,council,2025-06-10\n";
    c.get("/co-production/register/import").await;
    let started = post_multipart(
        &mut c,
        "/co-production/register/import",
        ("reg.csv", csv.as_bytes()),
    )
    .await;
    // The upload returns at once to the job's page, which moves on to the stored result.
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let done = follow_job(&mut c, started).await;
    let result = done.location.unwrap();
    assert!(
        result.starts_with("/co-production/register/imports/"),
        "{result}"
    );
    let imp = c.get(&result).await;
    assert_eq!(imp.status, StatusCode::OK);
    assert!(
        imp.body.contains("2 = 1 kept + 1 rejected + 0 blank"),
        "{}",
        imp.body
    );
    assert!(
        imp.body
            .contains("<td class=\"lv-num\">3</td><td>rung</td>"),
        "{}",
        imp.body
    );
    assert!(imp.body.contains("What was imported from reg.csv"));
    assert_eq!(store.coproduction_activities().await.unwrap().len(), 2);
    // Audited, with the stored import.
    let audit = store
        .audit_entries(&AuditQuery {
            action: Some("coproduction.register.import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    // A viewer cannot see the import's result.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(v.get(&result).await.status, StatusCode::FORBIDDEN);
    // A file without the register's columns: the job fails naming the file and the line.
    c.get("/co-production/register/import").await;
    let started = post_multipart(
        &mut c,
        "/co-production/register/import",
        ("x.csv", b"name,age\nx,1\n"),
    )
    .await;
    let not_csv = job_outcome(&mut c, started).await;
    assert_eq!(not_csv.status, StatusCode::OK);
    assert!(
        not_csv
            .body
            .contains("x.csv, line 1: the header lacks the column(s) reference"),
        "{}",
        not_csv.body
    );
    assert!(
        not_csv
            .body
            .contains("href=\"/co-production/register/import\"")
    );
    let (ct, bytes) = get_bytes(&c, "/co-production/register/export.csv").await;
    assert!(ct.starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("reference,service,directorate") && text.contains("CH-2,Family hubs"));
    // Principles: a complete assessment saves; a partial one names the missing statements.
    let mut fields: Vec<(String, String)> = levers_coproduction::principles::statements()
        .map(|s| {
            (
                levers_coproduction::principles::field_for(s.key).to_string(),
                "2".to_string(),
            )
        })
        .collect();
    fields.push(("directorate".into(), "Adults".into()));
    fields.push(("assessed_on".into(), "2025-06-30".into()));
    c.get("/co-production/principles/new").await;
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        c.post("/co-production/principles", &refs).await.status,
        StatusCode::SEE_OTHER
    );
    let partial = c.post("/co-production/principles", &refs[..3]).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.body.contains("href=\"#score_capabilities_2\""));
    let pr = c.get("/co-production/principles").await;
    assert!(
        pr.body.contains("24 of 36") && pr.body.contains("David Boyle and Michael Harris"),
        "{}",
        pr.body
    );

    // A viewer reads the register and coverage but cannot change it or see people.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(
        v.get("/co-production/register").await.status,
        StatusCode::OK
    );
    assert!(
        !v.get("/co-production/register")
            .await
            .body
            .contains("Add an activity")
    );
    assert_eq!(
        v.get("/co-production/coverage").await.status,
        StatusCode::OK
    );
    for path in [
        "/co-production/participants",
        "/co-production/credits",
        "/co-production/erasure",
        "/co-production/register/new",
    ] {
        assert_eq!(v.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        v.post("/co-production/register", &[("reference", "V-1")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let audit = store
        .audit_entries(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    for action in [
        "coproduction.activity.create",
        "coproduction.involvement.create",
        "coproduction.register.import",
        "coproduction.assessment.create",
    ] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.actor == "officer@example.org"),
            "{action}"
        );
    }
    scratch.remove().await;
}

/// People and credits through the web: a participant with minimum data, credits issued for recorded
/// participation (a double submit issues once), spent at a venue, gifted, a reversal, the benefits
/// flag, equality totals suppressed under ten, subject-access export and an erasure that keeps the
/// ledger balanced.
#[tokio::test]
async fn coproduction_participants_credits_and_erasure() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let actor = Actor::system("test");
    let act = store
        .create_coproduction_activity(
            &actor,
            &levers_coproduction::Activity {
                reference: "ASC-1".into(),
                service: "Home care".into(),
                directorate: "Adults".into(),
                annual_value: levers_core::Money::from_pounds(1000).unwrap(),
                current_stage: levers_coproduction::Stage::Plan,
                procurement_ref: None,
                objectives: vec![],
                started_on: time::macros::date!(2025 - 04 - 01),
            },
        )
        .await
        .unwrap();
    let inv = store
        .add_coproduction_involvement(
            &actor,
            act,
            &levers_coproduction::Involvement {
                stage: levers_coproduction::Stage::Plan,
                rung: levers_coproduction::Rung::CoDesign,
                lead: levers_coproduction::Lead::Council,
                held_on: time::macros::date!(2025 - 05 - 01),
                methods: vec![],
                groups: vec![],
                lived_experience: true,
                headcount: 5,
                hours: 10,
                decisions: String::new(),
                you_said_we_did: String::new(),
            },
        )
        .await
        .unwrap();
    c.get("/co-production/participants").await;
    // Contact details without consent are refused.
    let r = c
        .post(
            "/co-production/participants",
            &[
                ("display_name", "Sam"),
                ("contact", "sam@example.org"),
                ("reward_form", "time_credits"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#contact\""));
    let r = c
        .post(
            "/co-production/participants",
            &[
                ("display_name", "Sam"),
                ("contact", "sam@example.org"),
                ("contact_consent", "yes"),
                ("reward_form", "time_credits"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pid: i64 = r
        .location
        .unwrap()
        .trim_start_matches("/co-production/participants/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = c
        .post(
            "/co-production/participants",
            &[("display_name", "Pat"), ("reward_form", "payment")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        c.get("/co-production/participants")
            .await
            .body
            .contains("Benefits advice not yet offered")
    );
    // A venue, then credits for 1 hour 30 minutes: 2 credits; the same form sent twice issues once.
    c.get("/co-production/credits").await;
    assert_eq!(
        c.post(
            "/co-production/credits/venues",
            &[("name", "Leisure centre")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let venue = store
        .credit_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Leisure centre")
        .unwrap()
        .id;
    let page = c.get(&format!("/co-production/participants/{pid}")).await;
    assert!(page.body.contains("Record participation and issue credits"));
    let inv_s = inv.to_string();
    for _ in 0..2 {
        let r = c
            .post(
                &format!("/co-production/participants/{pid}/participation"),
                &[
                    ("involvement_id", &inv_s),
                    ("hours", "1"),
                    ("minutes", "30"),
                    ("key", "form-key-1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let sam = store.participant(pid).await.unwrap().unwrap();
    assert_eq!(
        store
            .credit_account(sam.account_id)
            .await
            .unwrap()
            .unwrap()
            .balance,
        2
    );
    let bad = c
        .post(
            &format!("/co-production/participants/{pid}/participation"),
            &[("hours", "0"), ("minutes", "75"), ("key", "k2")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let venue_s = venue.to_string();
    assert_eq!(
        c.post(
            &format!("/co-production/participants/{pid}/transfer"),
            &[
                ("kind", "spend"),
                ("venue", &venue_s),
                ("amount", "1"),
                ("key", "s-1")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let over = c
        .post(
            &format!("/co-production/participants/{pid}/transfer"),
            &[
                ("kind", "spend"),
                ("venue", &venue_s),
                ("amount", "5"),
                ("key", "s-2"),
            ],
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.body.contains("below its limit") && over.body.contains("href=\"#spend_amount\""));
    assert_eq!(
        c.post(
            &format!("/co-production/participants/{pid}/transfer"),
            &[("kind", "gift"), ("amount", "1"), ("key", "g-1")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    // The statement shows the spend; reversing it puts the credit back.
    let st = c
        .get(&format!(
            "/co-production/credits/accounts/{}",
            sam.account_id
        ))
        .await;
    assert!(st.body.contains("Spent at a venue") && st.body.contains("Reverse"));
    let spend = store
        .credit_transfers(10)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.transfer.kind == levers_coproduction::ledger::TransferKind::Spend)
        .unwrap();
    let acc = sam.account_id.to_string();
    let r = c
        .post(
            &format!(
                "/co-production/credits/transfers/{}/reverse",
                spend.transfer.id
            ),
            &[("key", "rev-1"), ("account", &acc)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store
            .credit_account(sam.account_id)
            .await
            .unwrap()
            .unwrap()
            .balance,
        1
    );
    let again = c
        .post(
            &format!(
                "/co-production/credits/transfers/{}/reverse",
                spend.transfer.id
            ),
            &[("key", "rev-2"), ("account", &acc)],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already been reversed"));
    // Equality answers: a single person's answer is never shown.
    assert_eq!(
        c.post(
            &format!("/co-production/participants/{pid}/equality"),
            &[("gender", "woman"), ("age_band", "")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let list = c.get("/co-production/participants").await;
    assert!(
        list.body.contains("fewer than 10")
            && !list
                .body
                .contains("<td class=\"lv-num\">1</td></tr><tr><th scope=\"row\">Man")
    );
    // Subject access: a JSON download with everything, audited.
    let (ct, bytes) = get_bytes(
        &c,
        &format!("/co-production/participants/{pid}/export.json"),
    )
    .await;
    assert!(ct.starts_with("application/json"));
    let sar: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(sar["participant"]["display_name"], "Sam");
    assert_eq!(sar["equality_monitoring"]["gender"], "woman");
    // Erasure: requested, carried out; the credit left goes to the pot and the ledger balances.
    assert_eq!(
        c.post(&format!("/co-production/participants/{pid}/erasure"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let er = c.get("/co-production/erasure").await;
    assert!(er.body.contains("Anonymise now"));
    let req = store.erasure_requests().await.unwrap()[0].id;
    let refuse = c
        .post(
            &format!("/co-production/erasure/{req}/refuse"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(refuse.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refuse.body.contains("href=\"#reason\"") && refuse.body.contains("id=\"reason\""));
    assert_eq!(
        c.post(&format!("/co-production/erasure/{req}/complete"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let gone = store.participant(pid).await.unwrap().unwrap();
    assert!(
        gone.anonymised_at.is_some()
            && gone.contact.is_none()
            && gone.display_name.starts_with("Anonymised")
    );
    assert!(
        !c.get("/co-production/participants")
            .await
            .body
            .contains(">Sam<")
    );
    assert_eq!(
        store
            .credit_account(sam.account_id)
            .await
            .unwrap()
            .unwrap()
            .balance,
        0
    );
    store
        .credit_ledger_snapshot()
        .await
        .unwrap()
        .check()
        .unwrap();
    // Only admins change ledger settings or run the purge.
    assert_eq!(
        c.post(
            "/co-production/credits/settings",
            &[("credits_per_hour", "2"), ("retention_days", "365")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post("/co-production/participants/purge", &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    a.get("/co-production/credits").await;
    assert_eq!(
        a.post(
            "/co-production/credits/settings",
            &[("credits_per_hour", "2"), ("retention_days", "365")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(store.credits_per_hour().await.unwrap(), 2);
    let audit = store
        .audit_entries(&AuditQuery {
            limit: 200,
            ..Default::default()
        })
        .await
        .unwrap();
    for action in [
        "coproduction.participant.create",
        "credits.transfer",
        "coproduction.participant.subject_access",
        "coproduction.erasure.request",
        "coproduction.erasure.complete",
        "coproduction.participant.anonymise",
    ] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }
    scratch.remove().await;
}

/// Fifty transfers sent at once through the JSON API between overlapping accounts: balances exact,
/// none lost or doubled, none overdrawn, a repeated key applied once. On SQLite, and on PostgreSQL
/// when `LEVERS_TEST_PG` names one.
async fn fifty_parallel_api_transfers(store: Store, app: Router) {
    use levers_coproduction::people::RewardForm;
    use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT, ParticipantDetails};
    let actor = Actor::system("test");
    let officer = store
        .user_by_email("officer@example.org")
        .await
        .unwrap()
        .unwrap();
    let token = auth::random_token();
    store
        .create_api_token(&actor, officer.id, "load test", &auth::token_hash(&token))
        .await
        .unwrap();
    let mut people = Vec::new();
    for i in 0..4 {
        let p = store
            .create_participant(
                &actor,
                &ParticipantDetails {
                    display_name: format!("P{i}"),
                    contact: None,
                    contact_consent: false,
                    reward_form: RewardForm::TimeCredits,
                    benefits_advice_offered: false,
                },
            )
            .await
            .unwrap();
        people.push(p.account_id);
    }
    let venue = store
        .create_credit_account(
            &actor,
            levers_coproduction::ledger::AccountKind::Venue,
            "Venue",
        )
        .await
        .unwrap();
    let send = |body: serde_json::Value| {
        let app = app.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let req = Request::post("/api/v1/coproduction/transfers")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let resp = app.oneshot(req).await.unwrap();
            let status = resp.status();
            let v: serde_json::Value =
                serde_json::from_slice(&to_bytes(resp.into_body(), usize::MAX).await.unwrap())
                    .unwrap();
            (body, status, v)
        })
    };
    // Seed each participant with 3 credits.
    for (i, p) in people.iter().enumerate() {
        let (_, status, v) = send(serde_json::json!({"key": format!("seed-{i}"), "kind": "issue", "from": ISSUER_ACCOUNT, "to": p, "amount": 3})).await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let before = store.credit_ledger_snapshot().await.unwrap();
    let mut handles = Vec::new();
    for i in 0..50usize {
        let p = people[i % 4];
        let q = people[(i + 1) % 4];
        // Every tenth request repeats the key and body of the one before it.
        let n = if i % 10 == 9 { i - 1 } else { i };
        let (kind, from, to, amount) = match n % 6 {
            0 => ("spend", p, venue, 2),
            1 => ("gift", p, POT_ACCOUNT, 1),
            2 => ("grant", POT_ACCOUNT, q, 1),
            3 => ("issue", ISSUER_ACCOUNT, p, 1),
            4 => ("spend", q, venue, 1),
            _ => ("redeem", venue, ISSUER_ACCOUNT, 1),
        };
        let (from, to) = if n != i {
            let pp = people[n % 4];
            let qq = people[(n + 1) % 4];
            match n % 6 {
                0 => (pp, venue),
                1 => (pp, POT_ACCOUNT),
                2 => (POT_ACCOUNT, qq),
                3 => (ISSUER_ACCOUNT, pp),
                4 => (qq, venue),
                _ => (venue, ISSUER_ACCOUNT),
            }
        } else {
            (from, to)
        };
        handles.push(send(serde_json::json!({"key": format!("par-{n}"), "kind": kind, "from": from, "to": to, "amount": amount})));
    }
    let mut expected = before.balances.clone();
    let (mut created, mut replayed, mut refused) = (0, 0, 0);
    let mut by_key: std::collections::HashMap<String, Vec<StatusCode>> =
        std::collections::HashMap::new();
    for h in handles {
        let (body, status, v) = h.await.unwrap();
        by_key
            .entry(body["key"].as_str().unwrap().to_string())
            .or_default()
            .push(status);
        match status {
            StatusCode::CREATED => {
                created += 1;
                let amount = body["amount"].as_i64().unwrap();
                *expected.get_mut(&body["from"].as_i64().unwrap()).unwrap() -= amount;
                *expected.get_mut(&body["to"].as_i64().unwrap()).unwrap() += amount;
            }
            StatusCode::OK => {
                assert_eq!(v["replayed"], true);
                replayed += 1;
            }
            StatusCode::CONFLICT => {
                assert!(
                    v["message"].as_str().unwrap().contains("below its limit"),
                    "{v}"
                );
                refused += 1;
            }
            s => panic!("{s}: {v}"),
        }
    }
    assert_eq!(created + replayed + refused, 50);
    // A key sent twice moves credits at most once. Its twin is a replay if it came after the applied
    // one, or refused (no transfer under that key yet) if it came before while funds were short.
    assert_eq!(by_key.len(), 45);
    for (key, statuses) in &by_key {
        let applied = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert!(applied <= 1, "{key}: {statuses:?}");
        if applied == 0 {
            assert!(
                !statuses.contains(&StatusCode::OK),
                "{key}: a replay of nothing: {statuses:?}"
            );
        }
    }
    assert!(
        replayed >= 1 && created >= 20,
        "created {created}, replayed {replayed}, refused {refused}"
    );
    let after = store.credit_ledger_snapshot().await.unwrap();
    after.check().unwrap();
    assert_eq!(after.transfers.len(), before.transfers.len() + created);
    assert_eq!(
        after.balances, expected,
        "balances are exactly the sum of the accepted transfers"
    );
    assert!(
        after
            .balances
            .iter()
            .filter(|(id, _)| **id != ISSUER_ACCOUNT)
            .all(|(_, b)| *b >= 0)
    );
    // Malformed or unauthorised requests are refused before the ledger is touched.
    let (_, status, _) = send(
        serde_json::json!({"key": "", "kind": "issue", "from": 1, "to": people[0], "amount": 1}),
    )
    .await
    .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, status, _) = send(serde_json::json!({"key": "z", "kind": "sweep", "from": people[0], "to": POT_ACCOUNT, "amount": 1})).await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_api_transfers_on_sqlite() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    fifty_parallel_api_transfers(store, app).await;
    scratch.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_api_transfers_on_postgres() {
    let url = match levers_store::testing::postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: fifty_parallel_api_transfers_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = levers_store::testing::scratch_postgres(&url).await.unwrap();
    for (email, role) in [("officer@example.org", Role::Officer)] {
        store
            .create_user(
                &Actor::system("test"),
                NewUser {
                    email: email.into(),
                    display_name: String::new(),
                    password_hash: auth::hash_password(PASSWORD).unwrap(),
                    role,
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
    }
    let app = router(store.clone(), WebConfig::default());
    fifty_parallel_api_transfers(store, app).await;
    scratch.remove().await;
}
