//! Appraisals and pooled budgets through the router: the builder's forms, results, downloads,
//! comparison, the unit cost library, pooled budgets, and the old addresses under
//! /community-budgets redirecting to the new ones.

use super::*;

/// Appraisals through the web: an officer imports a library, builds an appraisal with forms (a cost,
/// an outcome, a value chosen from the library, a value entered), sees results, downloads XLSX and
/// TOML, compares two; a viewer reads but cannot change; bad input is shown back with its errors;
/// a pooled budget reports contributions, spend and benefit shares; every change is audited.
#[tokio::test]
async fn appraisal_builder_results_export_compare_and_pool() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(c.get("/appraisals/unit-costs").await.status, StatusCode::OK);
    let lib = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,social_value,social_price_year\n\
               HO1.0,Average fiscal cost of a complex eviction,Per incident,Local authority,6680,2010/11,,\n\
               WB1,Wellbeing of keeping a home,Per household,,,,1000,2019/20\n";
    let (ct, body) = multipart(
        &c.csrf,
        &[("name", "Test library")],
        Some(("lib.csv", lib.as_bytes())),
    );
    let mut req = Request::post("/appraisals/unit-costs")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Imported by a background job, whose page moves on to the library with a note.
    let r = follow_job(&mut c, r).await;
    let r = c.get(r.location.as_deref().unwrap()).await;
    assert!(r.body.contains("Imported 2 unit costs"), "{}", r.body);
    store
        .import_deflators(
            &Actor::system("test"),
            "d",
            &levers_appraisal::Deflators::from_csv(
                "d",
                b"fin_year,pct_change_on_previous_year\n2019/20,0\n",
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let r = c.get("/appraisals/unit-costs?q=eviction").await;
    assert!(
        r.body.contains("HO1.0") && !r.body.contains("WB1</td>"),
        "{}",
        r.body
    );

    // Start, with an error first: the name is kept and the error shown.
    c.get("/appraisals").await;
    let r = c
        .post("/appraisals", &[("name", ""), ("price_base", "2019/20")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter a name for the intervention"));
    let r = c
        .post(
            "/appraisals",
            &[("name", "Debt advice"), ("price_base", "2019/20")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let edit = r.location.unwrap();
    let base = edit.trim_end_matches("/edit").to_string();
    c.get(&edit).await;
    // A cost with a bad amount is refused and what was typed is shown again.
    let r = c
        .post(
            &format!("{base}/costs"),
            &[
                ("cost_agency", "Local authority"),
                ("cost_year", "0"),
                ("cost_amount", "lots"),
                ("cost_confidence", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("must be a number") && r.body.contains("value=\"lots\""),
        "{}",
        r.body
    );
    let r = c
        .post(
            &format!("{base}/costs"),
            &[
                ("cost_agency", "Local authority"),
                ("cost_year", "0"),
                ("cost_amount", "10,000"),
                ("cost_confidence", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&edit).await;
    let r = c
        .post(
            &format!("{base}/outcomes"),
            &[
                ("outcome_name", "Evictions avoided"),
                ("outcome_measure", "count"),
                ("outcome_people", "10"),
                ("outcome_deadweight", "50"),
                ("outcome_confidence", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Search the library from the builder and add a value from it.
    let r = c.get(&format!("{edit}?outcome=0&q=eviction")).await;
    assert!(
        r.body.contains("Add fiscal £6,680.00 (2010/11)"),
        "{}",
        r.body
    );
    let r = c
        .post(
            &format!("{base}/outcomes/0/values"),
            &[
                ("value_code", "HO1.0"),
                ("value_kind", "fiscal"),
                ("value_cashable", "50"),
                ("value_once", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&edit).await;
    // A value entered by hand, with a mistake first: a social value cannot be a transfer.
    let bad = [
        ("value_description", "Wellbeing"),
        ("value_kind", "social"),
        ("value_amount", "500"),
        ("value_transfer", "yes"),
    ];
    let r = c.post(&format!("{base}/outcomes/0/values"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Only fiscal values can be transfers"));
    let r = c
        .post(
            &format!("{base}/outcomes/0/values"),
            &[
                ("value_description", "Wellbeing"),
                ("value_kind", "social"),
                ("value_amount", "500"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Results: 10 × (1 − 0.5) = 5 net evictions avoided; £6,680 each at 2010/11 prices, uprated by the
    // single 2019/20 entry... the table has no years before 2019/20, so the page says it cannot work
    // it out and names the missing year.
    let r = c.get(&base).await;
    assert!(
        r.body.contains("cannot be worked out") && r.body.contains("2011/12"),
        "{}",
        r.body
    );
    store
        .import_deflators(
            &Actor::system("test"),
            "d",
            &levers_appraisal::Deflators::from_pairs(
                (2011..=2019).map(|y| (levers_core::FinancialYear::starting(y).unwrap(), 0.0)),
            ),
        )
        .await
        .unwrap();
    let r = c.get(&base).await;
    assert_eq!(r.status, StatusCode::OK);
    // Net outcomes 5; costs £10,000 (grade 1: no uplift); fiscal 5 × £6,680 = £33,400; social 5 × £500.
    for want in [
        "Net outcomes",
        ">5 outcomes achieved",
        "from 10 gross",
        "£2,000.00",
        "£33,400.00",
        "£35,900.00",
        "Who pays and who benefits",
        "<svg",
        "Sensitivity",
        "HO1.0",
    ] {
        assert!(r.body.contains(want), "missing {want}");
    }
    let (ct, bytes) = get_bytes(&c, &format!("{base}/export.xlsx")).await;
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(bytes.starts_with(b"PK"));
    let r = c.get(&format!("{base}/model.toml")).await;
    let model = levers_appraisal::Appraisal::from_toml("download", &r.body).unwrap();
    assert_eq!(model.outcomes[0].values.len(), 2);

    // A second appraisal to compare with.
    let r = c
        .post(
            "/appraisals",
            &[("name", "Do little"), ("price_base", "2019/20")],
        )
        .await;
    let other = r
        .location
        .unwrap()
        .trim_end_matches("/edit")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let id = base.rsplit('/').next().unwrap().to_string();
    let r = c
        .get(&format!("/appraisals/compare?a={id}&b={other}"))
        .await;
    assert!(
        r.body.contains("Debt advice")
            && r.body.contains("Do little")
            && r.body.contains("Cost per net outcome"),
        "{}",
        r.body
    );
    let (ct, bytes) = get_bytes(
        &c,
        &format!("/appraisals/compare?a={id}&b={other}&format=xlsx"),
    )
    .await;
    assert!(ct.contains("spreadsheetml") && bytes.starts_with(b"PK"));

    // A pooled budget.
    let r = c.post("/pooled-budgets", &[("name", "Test pool")]).await;
    let pool = r.location.unwrap();
    c.get(&pool).await;
    c.post(
        &pool,
        &[
            ("action", "partner"),
            ("partner_name", "Council"),
            ("partner_agencies", "Local authority"),
        ],
    )
    .await;
    let page = c.get(&pool).await;
    let partner_id = page
        .body
        .split("<option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(
            &pool,
            &[
                ("action", "contribution"),
                ("contribution_partner", &partner_id),
                ("contribution_year", "2025/26"),
                ("contribution_amount", "-5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cannot be negative"));
    let r = c
        .post(
            &pool,
            &[
                ("action", "contribution"),
                ("contribution_partner", &partner_id),
                ("contribution_year", "2025/26"),
                ("contribution_amount", "50000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c.post(
        &pool,
        &[
            ("action", "line"),
            ("line_name", "Debt advice"),
            ("line_funds", "intervention"),
            ("line_appraisal", &id),
        ],
    )
    .await;
    let page = c.get(&pool).await;
    assert!(
        page.body.contains("£50,000.00") && page.body.contains("Appraisal: Debt advice"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("100.0%"),
        "the council gets all the fiscal benefit: {}",
        page.body
    );

    // A line that funds a community budget vote names the vote; the page sets the pool's plan beside
    // the vote's pot, and an intervention's line cannot name one.
    c.post(
        &pool,
        &[
            ("action", "line"),
            ("line_name", "Quay vote"),
            ("line_funds", "pb_process"),
            ("line_appraisal", ""),
        ],
    )
    .await;
    c.get("/community-budgets/new").await;
    let made = c
        .post(
            "/community-budgets/new",
            &[
                ("name", "Quay budget"),
                ("area_name", "Quayside"),
                ("area_kind", "wards"),
                ("area_codes", "X05000003"),
                ("pot", "10,000"),
                ("ballot_type", "approval"),
                ("max_choices", "2"),
                ("rule", "equal_shares"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = c.get(&pool).await;
    assert!(
        page.body.contains("Community budget votes the pool funds")
            && page.body.contains("Not linked to a vote yet"),
        "{}",
        page.body
    );
    let option = |body: &str, select: &str, label: &str| -> String {
        let part = body.split(&format!("id=\"{select}\"")).nth(1).unwrap();
        let before = part.split(&format!(">{label}</option>")).next().unwrap();
        before
            .rsplit("<option value=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let vote_line = option(&page.body, "vote_line", "Quay vote");
    let process = option(&page.body, "vote_process", "Quay budget");
    let quarter_line = option(&page.body, "quarter_line", "Debt advice");
    let r = c
        .post(
            &pool,
            &[
                ("action", "vote"),
                ("vote_line", &quarter_line),
                ("vote_process", &process),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("does not fund a community budget vote"),
        "{}",
        r.body
    );
    let r = c
        .post(
            &pool,
            &[
                ("action", "vote"),
                ("vote_line", &vote_line),
                ("vote_process", &process),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&pool).await;
    assert!(
        page.body
            .contains("href=\"/community-budgets/quay-budget\">Quay budget</a>")
            && page.body.contains("£10,000.00")
            && page.body.contains("Not yet published"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Quay vote: the pool plans £0.00 for this line in all years; this vote&#39;s pot is £10,000.00."), "{}", page.body);

    // Removing lines: the second value, then the only cost; an index that is not there changes nothing.
    let stored_id: i64 = id.parse().unwrap();
    assert_eq!(
        c.post(&format!("{base}/outcomes/0/values/1/delete"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(&format!("{base}/costs/0/delete"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(&format!("{base}/costs/7/delete"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let now = store.appraisal(stored_id).await.unwrap().unwrap().model;
    assert_eq!((now.costs.len(), now.outcomes[0].values.len()), (0, 1));
    assert_eq!(
        now.outcomes[0].values[0].cost_code.as_deref(),
        Some("HO1.0")
    );

    // A viewer reads but cannot change.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(v.get(&base).await.status, StatusCode::OK);
    assert!(!v.get(&base).await.body.contains("Change the appraisal"));
    assert_eq!(v.get(&edit).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        v.post(&format!("{base}/delete"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        v.post(&pool, &[("action", "line"), ("line_name", "Mine")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let audited = store
        .audit_entries(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let count = |prefix: &str| {
        audited
            .iter()
            .filter(|e| e.action.starts_with(prefix))
            .count()
    };
    assert_eq!(count("appraisal.library.import"), 1);
    assert!(
        count("appraisal.update") >= 6,
        "{}",
        count("appraisal.update")
    );
    assert_eq!(count("pool.contribution.set"), 1);
    assert_eq!(count("pool.line.process"), 1);
    scratch.remove().await;
}

/// Appraisals and pooled budgets moved out of /community-budgets: every old address answers 308
/// Permanent Redirect to its new one with the rest of the path and the query kept, for any method
/// (a form posted to an old address is posted again to the new one) and before sign-in.
#[tokio::test]
async fn old_appraisal_addresses_redirect_permanently() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut anon = Client::new(&app);
    let r = anon.get("/community-budgets/appraisals").await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.location.as_deref(), Some("/appraisals"));
    assert_eq!(
        anon.get("/appraisals").await.status,
        StatusCode::SEE_OTHER,
        "the new address asks for sign-in"
    );

    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    for (old, new) in [
        ("/community-budgets/appraisals", "/appraisals"),
        ("/community-budgets/appraisals/7", "/appraisals/7"),
        (
            "/community-budgets/appraisals/7/edit?q=eviction&outcome=0",
            "/appraisals/7/edit?q=eviction&outcome=0",
        ),
        (
            "/community-budgets/appraisals/compare?a=1&b=2",
            "/appraisals/compare?a=1&b=2",
        ),
        (
            "/community-budgets/appraisals/7/export.xlsx",
            "/appraisals/7/export.xlsx",
        ),
        (
            "/community-budgets/unit-costs?q=eviction",
            "/appraisals/unit-costs?q=eviction",
        ),
        ("/community-budgets/pools", "/pooled-budgets"),
        ("/community-budgets/pools/3", "/pooled-budgets/3"),
    ] {
        let r = c.get(old).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{old}");
        assert_eq!(r.location.as_deref(), Some(new), "{old}");
    }

    // A form posted to an old address is redirected, not handled there; posted again to the new
    // address it works.
    c.get("/appraisals").await;
    let fields = [("name", "Moved"), ("price_base", "2019/20")];
    let r = c.post("/community-budgets/appraisals", &fields).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.location.as_deref(), Some("/appraisals"));
    assert!(store.appraisals().await.unwrap().is_empty());
    let r = c.post(r.location.as_deref().unwrap(), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(store.appraisals().await.unwrap().len(), 1);

    // The section page links to the new addresses.
    let r = c.get("/community-budgets").await;
    assert!(
        r.body.contains("href=\"/appraisals\"")
            && r.body.contains("href=\"/pooled-budgets\"")
            && r.body.contains("href=\"/appraisals/unit-costs\"")
            && !r.body.contains("/community-budgets/appraisals"),
        "{}",
        r.body
    );
    scratch.remove().await;
}
