//! Community budget votes through the router (issue 7): an officer runs a process from setup to
//! publication while a resident proposes, votes with a code and checks the receipt; CSRF and rate
//! limits on the public forms; and 200 simultaneous voters with 50 replayed codes.

use super::*;
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, ProcessDef};
use levers_store::pb_process::{NewProposal, Review};

/// Posts a form from a given client address (the app trusts X-Forwarded-For in these tests).
pub(super) async fn post_from(
    c: &mut Client,
    path: &str,
    addr: &str,
    fields: &[(&str, &str)],
) -> Reply {
    let csrf = c.csrf.clone();
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf_token", &csrf));
    let req = Request::post(path)
        .header(header::COOKIE, c.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", addr)
        .body(Body::from(form_encode(&all)))
        .unwrap();
    c.send(req).await
}

fn find_between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &s[i..i + s[i..].find(end).unwrap()]
}

#[tokio::test]
async fn an_officer_runs_a_vote_and_a_resident_votes_with_a_code() {
    let (store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let mut officer = Client::new(&app);
    officer.sign_in("officer@example.org", PASSWORD).await;
    let mut viewer = Client::new(&app);
    viewer.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(
        viewer.get("/community-budgets/new").await.status,
        StatusCode::FORBIDDEN
    );

    // Set up: a bad form names its fields; a good one creates the process.
    officer.get("/community-budgets/new").await;
    let bad = officer
        .post(
            "/community-budgets/new",
            &[
                ("name", ""),
                ("pot", "lots"),
                ("ballot_type", "approval"),
                ("max_choices", "2"),
                ("rule", "equal_shares"),
                ("area_kind", "wards"),
                ("area_codes", "X05000001"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("href=\"#name\"") && bad.body.contains("href=\"#pot\""),
        "{}",
        bad.body
    );
    let r = officer
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
                ("min_age", "16"),
                ("shuffle", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some("/community-budgets/quay-budget/manage")
    );
    // Not public while being set up.
    let mut resident = Client::new(&app);
    assert_eq!(
        resident.get("/community-budgets/quay-budget").await.status,
        StatusCode::NOT_FOUND
    );
    officer.get("/community-budgets/quay-budget/manage").await;
    officer
        .post(
            "/community-budgets/quay-budget/phase",
            &[("to", "proposals")],
        )
        .await;

    // A resident suggests ideas; without the CSRF token the form is refused.
    let page = resident.get("/community-budgets/quay-budget/propose").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        resident
            .post_raw(
                "/community-budgets/quay-budget/propose",
                &[("title", "x"), ("description", "y")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for (t, d) in [
        ("Benches", "Benches on the quay"),
        ("Lights", "Lights on the path"),
        ("Helipad", "A helipad"),
    ] {
        let r = resident
            .post(
                "/community-budgets/quay-budget/propose",
                &[("title", t), ("description", d), ("cost", "3000")],
            )
            .await;
        assert!(
            r.body.contains("Thank you: your idea is number"),
            "{}",
            r.body
        );
    }
    let r = resident
        .post(
            "/community-budgets/quay-budget/propose",
            &[("title", ""), ("description", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ideas = store
        .pb_proposals(
            store
                .pb_process_by_slug("quay-budget")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert_eq!(ideas.len(), 3);
    assert!(ideas.iter().all(|i| i.submitted_by == "public"));

    // Review: accept two with final costs, reject one with a published reason, add one directly.
    officer
        .post("/community-budgets/quay-budget/phase", &[("to", "review")])
        .await;
    officer.get("/community-budgets/quay-budget/ideas").await;
    let missing_cost = officer
        .post(
            &format!("/community-budgets/quay-budget/ideas/{}", ideas[0].id),
            &[("decision", "accept"), ("final_cost", "")],
        )
        .await;
    assert_eq!(missing_cost.status, StatusCode::UNPROCESSABLE_ENTITY);
    officer
        .post(
            &format!("/community-budgets/quay-budget/ideas/{}", ideas[0].id),
            &[
                ("decision", "accept"),
                ("final_cost", "4000"),
                ("title", "Benches"),
            ],
        )
        .await;
    officer
        .post(
            &format!("/community-budgets/quay-budget/ideas/{}", ideas[1].id),
            &[("decision", "accept"), ("final_cost", "5,500")],
        )
        .await;
    officer
        .post(
            &format!("/community-budgets/quay-budget/ideas/{}", ideas[2].id),
            &[("decision", "reject"), ("reason", "No landing rights")],
        )
        .await;
    let added = officer
        .post(
            "/community-budgets/quay-budget/ideas",
            &[
                ("title", "Planters"),
                ("description", "Planters by the quay"),
            ],
        )
        .await;
    assert!(added.body.contains("added"), "{}", added.body);
    let planters = store
        .pb_proposals(ideas[0].process_id)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    officer
        .post(
            &format!("/community-budgets/quay-budget/ideas/{planters}"),
            &[("decision", "accept"), ("final_cost", "2500")],
        )
        .await;
    let public = resident.get("/community-budgets/quay-budget").await;
    assert!(
        public.body.contains("No landing rights"),
        "published reason"
    );

    // Voting opens; codes come as CSV for a mail merge.
    officer.get("/community-budgets/quay-budget/manage").await;
    let r = officer
        .post("/community-budgets/quay-budget/phase", &[("to", "voting")])
        .await;
    assert!(r.body.contains("Voting open"), "{}", r.body);
    officer.get("/community-budgets/quay-budget/codes").await;
    let csv = officer
        .post(
            "/community-budgets/quay-budget/codes",
            &[
                ("label", "Test batch"),
                ("count", "5"),
                ("ward", "X05000003"),
                ("format", "csv"),
            ],
        )
        .await;
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.body);
    let codes: Vec<String> = csv
        .body
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 5);
    let sheet = officer
        .post(
            "/community-budgets/quay-budget/codes",
            &[("label", "Sheet"), ("count", "2"), ("format", "sheet")],
        )
        .await;
    assert_eq!(sheet.body.matches("lv-pb-code\"").count(), 2);
    // A letter comes back undelivered: its code is cancelled and can never vote (a replacement is a
    // batch of one); a code can be cancelled once, and the reason is required.
    officer.get("/community-budgets/quay-budget/codes").await;
    let spare = officer
        .post(
            "/community-budgets/quay-budget/codes",
            &[("label", "Replacement"), ("count", "1"), ("format", "csv")],
        )
        .await;
    let spare_code = spare
        .body
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').next())
        .unwrap()
        .to_string();
    officer.get("/community-budgets/quay-budget/codes").await;
    let no_reason = officer
        .post(
            "/community-budgets/quay-budget/codes/void",
            &[("void_code", &spare_code)],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason
            .body
            .contains("Choose why the code is being cancelled")
            && no_reason.body.contains(&spare_code),
        "{}",
        no_reason.body
    );
    let voided = officer
        .post(
            "/community-budgets/quay-budget/codes/void",
            &[
                ("void_code", &spare_code.to_lowercase()),
                ("void_reason", "returned"),
            ],
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    assert!(
        voided.body.contains("is cancelled and can no longer vote")
            && voided.body.contains("Cancelled"),
        "{}",
        voided.body
    );
    let twice = officer
        .post(
            "/community-budgets/quay-budget/codes/void",
            &[("void_code", &spare_code), ("void_reason", "seen")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        twice.body.contains("was cancelled before"),
        "{}",
        twice.body
    );
    resident.get("/community-budgets/quay-budget/vote").await;
    let cancelled = post_from(
        &mut resident,
        "/community-budgets/quay-budget/vote",
        "10.1.0.9",
        &[("code", &spare_code)],
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        cancelled
            .body
            .contains("This code has been cancelled. Ask the council for a new one"),
        "{}",
        cancelled.body
    );
    let anonymous = resident
        .post(
            "/community-budgets/quay-budget/codes/void",
            &[("void_code", &codes[4]), ("void_reason", "seen")],
        )
        .await;
    assert_ne!(
        anonymous.status,
        StatusCode::OK,
        "only officers cancel codes"
    );

    // The resident votes: code, ballot with running total, review, age confirmation, receipt.
    resident.get("/community-budgets/quay-budget/vote").await;
    let wrong = post_from(
        &mut resident,
        "/community-budgets/quay-budget/vote",
        "10.1.0.1",
        &[("code", "ABCD-EFGH-JKMN-PQRS")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("mistyped"), "{}", wrong.body);
    let typed = codes[0].to_lowercase().replace('-', " ");
    let ballot = post_from(
        &mut resident,
        "/community-budgets/quay-budget/vote",
        "10.1.0.1",
        &[("code", &typed)],
    )
    .await;
    assert_eq!(ballot.status, StatusCode::OK, "{}", ballot.body);
    assert!(ballot.body.contains("0 of 2 choices used"));
    let ids: Vec<String> = [ideas[0].id, ideas[1].id, planters]
        .iter()
        .map(|i| i.to_string())
        .collect();
    let over = post_from(
        &mut resident,
        "/community-budgets/quay-budget/ballot",
        "10.1.0.1",
        &[
            ("code", &codes[0]),
            ("p", &ids[0]),
            ("p", &ids[1]),
            ("p", &ids[2]),
            ("action", "review"),
        ],
    )
    .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        over.body
            .contains("You chose 3 projects; choose 2 or fewer")
            && over.body.contains("over the limit"),
        "{}",
        over.body
    );
    let total = post_from(
        &mut resident,
        "/community-budgets/quay-budget/ballot",
        "10.1.0.1",
        &[("code", &codes[0]), ("p", &ids[0]), ("action", "update")],
    )
    .await;
    assert!(total.body.contains("1 of 2 choices used"));
    let review = post_from(
        &mut resident,
        "/community-budgets/quay-budget/ballot",
        "10.1.0.1",
        &[
            ("code", &codes[0]),
            ("p", &ids[0]),
            ("p", &ids[2]),
            ("action", "review"),
        ],
    )
    .await;
    assert!(
        review.body.contains("Check your vote") && review.body.contains("Cast my vote"),
        "{}",
        review.body
    );
    let no_age = post_from(
        &mut resident,
        "/community-budgets/quay-budget/ballot",
        "10.1.0.1",
        &[
            ("code", &codes[0]),
            ("p", &ids[0]),
            ("p", &ids[2]),
            ("action", "cast"),
        ],
    )
    .await;
    assert_eq!(no_age.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_age.body.contains("Confirm that you are 16 or older"));
    let cast = post_from(
        &mut resident,
        "/community-budgets/quay-budget/ballot",
        "10.1.0.1",
        &[
            ("code", &codes[0]),
            ("p", &ids[0]),
            ("p", &ids[2]),
            ("age_ok", "yes"),
            ("action", "cast"),
        ],
    )
    .await;
    assert_eq!(cast.status, StatusCode::OK, "{}", cast.body);
    let receipt = find_between(&cast.body, "id=\"receipt\">", "<").to_string();
    assert_eq!(receipt.len(), 14);
    // A second use of the code is refused, online and on paper.
    let again = post_from(
        &mut resident,
        "/community-budgets/quay-budget/vote",
        "10.1.0.1",
        &[("code", &codes[0])],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already been used"));
    officer.get("/community-budgets/quay-budget/paper").await;
    let dup = officer
        .post(
            "/community-budgets/quay-budget/paper",
            &[("code", &codes[0]), ("p", &ids[1]), ("action", "cast")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.body.contains("already used to vote online"));
    let paper_void = officer
        .post(
            "/community-budgets/quay-budget/paper",
            &[("code", &spare_code), ("p", &ids[1]), ("action", "cast")],
        )
        .await;
    assert_eq!(paper_void.status, StatusCode::CONFLICT);
    assert!(
        paper_void.body.contains("was cancelled before it was used"),
        "{}",
        paper_void.body
    );
    officer.get("/community-budgets/quay-budget/codes").await;
    let used = officer
        .post(
            "/community-budgets/quay-budget/codes/void",
            &[("void_code", &codes[0]), ("void_reason", "seen")],
        )
        .await;
    assert_eq!(used.status, StatusCode::CONFLICT);
    assert!(
        used.body.contains("already been used to vote online"),
        "{}",
        used.body
    );
    officer.get("/community-budgets/quay-budget/paper").await;
    let paper = officer
        .post(
            "/community-budgets/quay-budget/paper",
            &[("code", &codes[1]), ("p", &ids[1]), ("action", "cast")],
        )
        .await;
    assert!(
        paper.body.contains("Paper ballot with code"),
        "{}",
        paper.body
    );
    for code in &codes[2..4] {
        resident.get("/community-budgets/quay-budget/vote").await;
        let r = post_from(
            &mut resident,
            "/community-budgets/quay-budget/ballot",
            "10.1.0.2",
            &[
                ("code", code),
                ("p", &ids[1]),
                ("age_ok", "yes"),
                ("action", "cast"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = resident.get("/community-budgets/quay-budget/receipt").await;
    assert_eq!(r.status, StatusCode::OK);
    let pending = resident
        .post(
            "/community-budgets/quay-budget/receipt",
            &[("receipt", &receipt)],
        )
        .await;
    assert!(
        pending.body.contains("will be counted when voting closes"),
        "{}",
        pending.body
    );

    // Close, count, preview, publish.
    assert_eq!(
        resident
            .get("/community-budgets/quay-budget/results")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    officer.get("/community-budgets/quay-budget/manage").await;
    officer
        .post("/community-budgets/quay-budget/phase", &[("to", "closed")])
        .await;
    let late = post_from(
        &mut resident,
        "/community-budgets/quay-budget/vote",
        "10.1.0.3",
        &[("code", &codes[4])],
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let counted = officer
        .post("/community-budgets/quay-budget/count", &[])
        .await;
    assert!(
        counted.body.contains("Counted 4 ballots"),
        "{}",
        counted.body
    );
    let published = officer
        .post("/community-budgets/quay-budget/phase", &[("to", "results")])
        .await;
    assert!(
        published.body.contains("Results published"),
        "{}",
        published.body
    );
    let results = resident.get("/community-budgets/quay-budget/results").await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(
        results.body.contains("Method of Equal Shares")
            && results.body.contains("<svg")
            && results.body.contains("Why each project"),
        "{}",
        results.body
    );
    let pb = resident
        .get("/community-budgets/quay-budget/results.pb")
        .await;
    let e = levers_pb::read(&pb.body).unwrap();
    assert_eq!(e.voters.len(), 4);
    let v = levers_pb::verify(&e);
    assert!(v.supported && v.matches, "{v:?}");
    for id in &v.computed {
        assert!(
            results
                .body
                .contains(&format!("data-project=\"{id}\" data-funded=\"1\"")),
            "{id} funded on the page"
        );
    }
    let counted = resident
        .post(
            "/community-budgets/quay-budget/receipt",
            &[("receipt", &receipt)],
        )
        .await;
    assert!(
        counted.body.contains("your ballot was counted"),
        "{}",
        counted.body
    );

    // Delivery tracking, audited.
    officer.get("/community-budgets/quay-budget/delivery").await;
    let first = v.computed[0].clone();
    let r = officer
        .post(
            "/community-budgets/quay-budget/delivery",
            &[
                ("project", &first),
                ("status", "in_progress"),
                ("spent", "1,200"),
                ("note", "Ordered"),
            ],
        )
        .await;
    assert!(r.body.contains("updated"), "{}", r.body);
    for action in [
        "pb.process.create",
        "pb.process.phase",
        "pb.proposal.review",
        "pb.codes.create",
        "pb.code.void",
        "pb.ballot.cast",
        "pb.ballots.seal",
        "pb.count",
        "pb.delivery",
    ] {
        let n = store
            .audit_count(&AuditQuery {
                action: Some(action.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(n > 0, "{action} audited");
    }
    scratch.remove().await;
}

#[tokio::test]
async fn wrong_codes_are_rate_limited_per_address() {
    let (store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let slug = voting_process(&store, 0).await.0;
    let mut c = Client::new(&app);
    c.get(&format!("/community-budgets/{slug}/vote")).await;
    let path = format!("/community-budgets/{slug}/vote");
    let mut statuses = Vec::new();
    for i in 0..(levers_web::MAX_CODE_FAILURES + 1) {
        let code = levers_pb::codes::display(&levers_pb::codes::code_from_random(
            u128::from(i as u64) + 77,
        ));
        statuses.push(
            post_from(&mut c, &path, "10.9.9.9", &[("code", &code)])
                .await
                .status,
        );
    }
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let r = post_from(
        &mut c,
        &path,
        "10.9.9.10",
        &[("code", "0000-0000-0000-0000")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    scratch.remove().await;
}

/// A process in the voting phase with three projects and `n` codes (returned compact).
pub(super) async fn voting_process(
    store: &Store,
    n: usize,
) -> (String, i64, Vec<String>, Vec<i64>) {
    let officer = Actor::system("test");
    let def = ProcessDef {
        name: "Rush".into(),
        slug: "rush".into(),
        description: String::new(),
        area_name: "Everywhere".into(),
        area: Area::Wards(vec!["X05000001".into()]),
        pot_pence: 1_000_000,
        ballot: BallotType::Approval { max_choices: 2 },
        rule: AllocationRule::EqualShares,
        min_age: None,
        shuffle: true,
        phases: vec![],
    };
    let p = store.create_pb_process(&officer, &def).await.unwrap();
    let mut ids = Vec::new();
    for (t, c) in [("A", 400_000), ("B", 500_000), ("C", 300_000)] {
        let id = store
            .submit_pb_proposal(
                &officer,
                p.id,
                &NewProposal {
                    title: t.into(),
                    description: t.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store
            .review_pb_proposal(
                &officer,
                id,
                &Review::Accept {
                    final_cost_pence: c,
                    reason: String::new(),
                    feasibility: String::new(),
                    title: String::new(),
                },
            )
            .await
            .unwrap();
        ids.push(id);
    }
    store
        .set_pb_phase(&officer, p.id, Phase::Voting)
        .await
        .unwrap();
    let codes: Vec<String> = (0..n)
        .map(|i| {
            levers_pb::codes::code_from_random(
                0x5EED_0000_0000_0000_0000_0000_0000_0000u128 ^ (i as u128 * 0x9E37_79B9_7F4A_7C15),
            )
        })
        .collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| levers_pb::codes::code_hash(p.id, c))
        .collect();
    store
        .create_pb_code_batch(&officer, p.id, "rush", None, &hashes)
        .await
        .unwrap();
    ("rush".into(), p.id, codes, ids)
}

/// 200 voters with distinct codes cast at the same moment while 50 others replay codes among
/// them: exactly one ballot per code, every refusal explicit, nothing lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_simultaneous_voters_and_fifty_replays() {
    let (store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let (slug, pid, codes, ids) = voting_process(&store, 200).await;
    // Every voter first loads the code page (for the form's CSRF token), then all post at once.
    let mut voters = Vec::new();
    for i in 0..250usize {
        let mut c = Client::new(&app);
        c.get(&format!("/community-budgets/{slug}/vote")).await;
        let code = if i < 200 {
            codes[i].clone()
        } else {
            codes[(i - 200) * 4].clone()
        };
        voters.push((
            c,
            code,
            format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
        ));
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(250));
    let mut set = tokio::task::JoinSet::new();
    for (i, (mut c, code, addr)) in voters.into_iter().enumerate() {
        let (barrier, slug) = (barrier.clone(), slug.clone());
        let choice = ids[i % 3].to_string();
        set.spawn(async move {
            barrier.wait().await;
            let r = post_from(
                &mut c,
                &format!("/community-budgets/{slug}/ballot"),
                &addr,
                &[("code", &code), ("p", &choice), ("action", "cast")],
            )
            .await;
            (
                r.status,
                r.body.contains("Your vote has been cast"),
                r.body.contains("already been used"),
            )
        });
    }
    let (mut cast, mut refused) = (0, 0);
    while let Some(r) = set.join_next().await {
        let (status, ok, used) = r.unwrap();
        match status {
            StatusCode::OK if ok => cast += 1,
            StatusCode::CONFLICT if used => refused += 1,
            other => panic!("unexpected reply {other}"),
        }
    }
    assert_eq!((cast, refused), (200, 50));
    assert_eq!(store.pb_ballot_counts(pid).await.unwrap(), (200, 0));
    let used: i64 = store
        .pb_code_batches(pid)
        .await
        .unwrap()
        .iter()
        .map(|b| b.used_online)
        .sum();
    assert_eq!(used, 200);
    let n = store
        .audit_count(&AuditQuery {
            action: Some("pb.ballot.cast".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(n, 200);
    scratch.remove().await;
}

/// The settings page shows what was saved (ballot, limit, dates) and, once voting has opened, says
/// the vote's settings are locked and refuses to change them.
#[tokio::test]
async fn settings_show_what_was_saved_and_lock_once_voting_opens() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut officer = Client::new(&app);
    officer.sign_in("officer@example.org", PASSWORD).await;
    officer.get("/community-budgets/new").await;
    let fields = [
        ("name", "Dock budget"),
        ("area_name", "Docks"),
        ("area_kind", "wards"),
        ("area_codes", "X05000002"),
        ("pot", "20,000"),
        ("ballot_type", "knapsack"),
        ("limit", "15000"),
        ("rule", "greedy"),
        ("voting_start", "2026-04-01"),
        ("voting_end", "2026-04-14"),
    ];
    let r = officer.post("/community-budgets/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = officer.get("/community-budgets/dock-budget/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        r#"value="Dock budget""#,
        r#"value="20000.00""#,
        r#"id="bt-knapsack" name="ballot_type" type="radio" value="knapsack" checked"#,
        r#"id="rule-greedy" name="rule" type="radio" value="greedy" checked"#,
        r#"id="limit" name="limit" type="text" value="15000.00""#,
        r#"id="voting_start" name="voting_start" type="text" value="2026-04-01""#,
        r#"id="voting_end" name="voting_end" type="text" value="2026-04-14""#,
        r#"id="proposals_start" name="proposals_start" type="text" value="""#,
    ] {
        assert!(page.body.contains(shown), "{shown} not in {}", page.body);
    }
    assert!(!page.body.contains("can no longer change"));

    // Open voting with one accepted project: the settings say they are locked and a new pot is refused.
    let officer_actor = Actor::system("test");
    let p = store
        .pb_process_by_slug("dock-budget")
        .await
        .unwrap()
        .unwrap();
    let id = store
        .submit_pb_proposal(
            &officer_actor,
            p.id,
            &NewProposal {
                title: "Lights".into(),
                description: "Lights".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .review_pb_proposal(
            &officer_actor,
            id,
            &Review::Accept {
                final_cost_pence: 500_000,
                reason: String::new(),
                feasibility: String::new(),
                title: String::new(),
            },
        )
        .await
        .unwrap();
    store
        .set_pb_phase(&officer_actor, p.id, Phase::Voting)
        .await
        .unwrap();
    let page = officer.get("/community-budgets/dock-budget/settings").await;
    assert!(page.body.contains("can no longer change"), "{}", page.body);
    let mut changed = fields.to_vec();
    changed[4] = ("pot", "30,000");
    let r = officer
        .post("/community-budgets/dock-budget/settings", &changed)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("once voting has opened"), "{}", r.body);
    // The description may still change.
    changed[4] = ("pot", "20,000");
    changed.push(("description", "Lights for the docks"));
    let r = officer
        .post("/community-budgets/dock-budget/settings", &changed)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    scratch.remove().await;
}
