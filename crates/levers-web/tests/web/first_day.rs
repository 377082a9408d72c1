//! A council's first day (issue 20) through the router: an empty install shows an admin the
//! first steps and *Where the money goes* explains what to do; the settings choose the council's
//! areas from the loaded districts; the analysis opens on the home council and names the bodies it
//! analysed; summaries are rounded; bad query values are named as errors.

use super::procurement::load_geography;
use super::*;

/// A page's text with askama's escapes of quotes undone, for reading assertions.
fn text(body: &str) -> String {
    body.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}

/// The fixture's LSOA → ward lookup, naming its wards.
async fn load_wards(store: &Store) {
    use levers_geo::block::encode_block;
    use levers_store::geo::GeoCounts;
    let f = "LSOA21CD,WD24CD,WD24NM,LAD24CD\nX01000001,X05000001,Harbour,X07000001\nX01000002,X05000002,Hill,X07000001\nX01000003,X05000003,Shore,X07000002\n";
    let mut recs = Vec::new();
    let rep = levers_geo::read_geo("wards.csv", f.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
    let a = Actor::system("test");
    let mut imp = store
        .begin_geo_import(&a, rep.kind.unwrap().as_str(), "wards.csv")
        .await
        .unwrap();
    imp.add_block(recs.len() as i64, &encode_block(&recs))
        .await
        .unwrap();
    imp.finish(
        &a,
        &GeoCounts {
            rows_read: rep.rows_read as i64,
            rows_imported: rep.rows_imported as i64,
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn import_spend(store: &Store, body: &str, rows: &str) {
    let spend =
        format!("Date,Supplier Name,Supplier ID,Amount,Expense Type,Transaction Number\n{rows}");
    levers_app::spend_import::import_bytes(
        store,
        &Actor::system("test"),
        body,
        "spend.csv",
        std::sync::Arc::new(spend.into_bytes()),
        &[],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_empty_install_shows_the_first_steps_and_explains_the_analysis() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("admin@example.org", PASSWORD).await;

    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        text(&home.body).contains("First steps"),
        "admins see the steps"
    );
    assert!(text(&home.body).contains("0 of 6 done"), "{}", home.body);
    for step in [
        "Load geography",
        "Set the council's areas",
        "Import spending",
        "Import supplier records",
        "Set up a community budget",
        "Start the co-production register",
    ] {
        assert!(text(&home.body).contains(step), "{step}");
    }
    assert!(!text(&home.body).contains("Partly ready"));
    assert!(
        text(&home.body).contains("9 tools ready to use"),
        "procurement card"
    );

    // Where the money goes explains instead of refusing.
    let dash = c.get("/procurement/analysis").await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(text(&dash.body).contains("No spending imported yet"));
    assert!(text(&dash.body).contains("href=\"/admin/settings\""));
    assert!(!text(&dash.body).contains("Enter the district codes"));

    // Settings with no geography say where to load it.
    let s = c.get("/admin/settings").await;
    assert!(text(&s.body).contains("No geography is loaded yet"));

    // Officers and viewers do not see the steps; nor can they open them.
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    assert!(!text(&o.get("/").await.body).contains("First steps"));
    assert_eq!(o.get("/admin/setup").await.status, StatusCode::FORBIDDEN);

    // Geography loaded: the first step is done and the districts can be chosen.
    load_geography(&store).await;
    let setup_page = c.get("/admin/setup").await;
    assert!(text(&setup_page.body).contains("1 of 6 steps done"));
    assert!(text(&setup_page.body).contains("2 files loaded"));
    let s = c.get("/admin/settings").await;
    assert!(text(&s.body).contains("value=\"X07000001\""));
    assert!(text(&s.body).contains("value=\"X07000003\""));

    // Bad settings are named field by field and nothing is saved.
    let r = c
        .post(
            "/admin/settings",
            &[
                ("council_name", "Lhaven Council"),
                ("public_url", "levers dot example"),
                ("local", "X07000009"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.body).contains("starting with https://"));
    assert!(text(&r.body).contains("X07000009 is not a district in the loaded geography"));
    assert_eq!(
        store
            .setting(levers_app::procurement::LOCAL_LADS)
            .await
            .unwrap(),
        None
    );

    let r = c
        .post(
            "/admin/settings",
            &[
                ("council_name", "Lhaven Council"),
                ("public_url", "https://levers.lhaven.example/"),
                ("local", "X07000001"),
                ("wider", "X07000002"),
                ("wider_name", "Coast"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let setting = |k: &'static str| {
        let store = store.clone();
        async move { store.setting(k).await.unwrap().unwrap_or_default() }
    };
    assert_eq!(
        setting(levers_app::procurement::LOCAL_LADS).await,
        "X07000001"
    );
    assert_eq!(
        setting(levers_app::procurement::WIDER_LADS).await,
        "X07000001,X07000002",
        "the wider area includes the local one"
    );
    assert_eq!(
        setting(levers_app::procurement::LOCAL_NAME).await,
        "L",
        "one district: its name"
    );
    assert_eq!(
        setting(levers_store::settings::PUBLIC_URL).await,
        "https://levers.lhaven.example"
    );
    let audit = store.audit_entries(&AuditQuery::default()).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "setting.set" && e.object_id == "procurement.local_lads")
    );

    // With the areas set and no spending the analysis still explains itself.
    let dash = c.get("/procurement/analysis").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(text(&dash.body).contains("No spending imported yet"));
    assert!(text(&c.get("/admin/setup").await.body).contains("2 of 6 steps done"));
    scratch.remove().await;
}

#[tokio::test]
async fn the_analysis_opens_on_the_home_council_and_names_what_it_analysed() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    load_geography(&store).await;
    let a = Actor::system("test");
    for (k, v) in [
        (levers_store::settings::COUNCIL_NAME, "Lhaven Council"),
        (levers_app::procurement::LOCAL_LADS, "X07000001"),
        (levers_app::procurement::LOCAL_NAME, "Lhaven"),
        (levers_app::procurement::WIDER_LADS, "X07000001,X07000002"),
        (levers_app::procurement::WIDER_NAME, "Coast"),
    ] {
        store.set_setting(&a, k, v).await.unwrap();
    }
    import_spend(
        &store,
        "Lhaven Council",
        "01/05/2024,Alpha Catering Ltd,A1,71808608.56,Catering,T1\n02/05/2024,Beta Builders Ltd,B1,3000.00,Building works,T2\n",
    )
    .await;
    // Alphabetically first, another council's file.
    import_spend(
        &store,
        "Another Borough Council",
        "01/05/2024,Gamma Ltd,G1,500.00,Catering,T1\n",
    )
    .await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let dash = c.get("/procurement/analysis").await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(
        text(&dash.body).contains("value=\"Lhaven Council\" checked"),
        "the home council is chosen by default"
    );
    assert!(text(&dash.body).contains("analysis of Lhaven Council's payments"));
    // Rounded in the summary, exact in the table.
    assert!(text(&dash.body).contains("£71.8m"), "rounded summary");
    assert!(
        text(&dash.body).contains("£71,811,608.56"),
        "exact total in the table"
    );
    // Nothing is located (no supplier records): said at the top, before the figures.
    let warn = text(&dash.body)
        .find("could not be located, so the local")
        .unwrap();
    assert!(warn < text(&dash.body).find("id=\"summary-heading\"").unwrap());

    // Another body analysed: the report names it, not the council-name setting.
    let q = "body=Another+Borough+Council&year=2024%2F25&local=X07000001&wider=X07000002";
    let report = c.get(&format!("/procurement/analysis/report?{q}")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(text(&report.body).contains("analysis of Another Borough Council's payments"));
    assert!(!text(&report.body).contains("analysis for Lhaven Council"));
    assert!(
        text(&report.body).find("Summary").unwrap()
            < text(&report.body).find("Headline figures").unwrap(),
        "the printable report opens with its summary"
    );
    let both = c
        .get(
            "/procurement/analysis?body=Another+Borough+Council&body=Lhaven+Council&year=2024%2F25",
        )
        .await;
    assert!(text(&both.body).contains("Another Borough Council and Lhaven Council"));

    // Bad query values are named, not silently ignored.
    let bad = c
        .get("/procurement/analysis?year=garbage&top=-5&baseline=1999")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&bad.body).contains("There is no spending for the year \"garbage\""),
        "{}",
        bad.body
    );
    assert!(
        text(&bad.body).contains("Top suppliers must be a whole number of 1 or more, not \"-5\"")
    );
    assert!(text(&bad.body).contains("\"1999\""));
    let unknown = c.get("/procurement/analysis?body=Nobody").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&unknown.body).contains("No spending is imported for \"Nobody\""));

    // The place view opens on the same body as the dashboard (the council's own), not the
    // alphabetically first.
    let place = c.get("/places/levers").await;
    assert_eq!(place.status, StatusCode::OK, "{}", place.body);
    assert!(
        text(&place.body).contains("(2024/25, Lhaven Council)"),
        "{}",
        place.body
    );

    // An admin can choose the home body outright.
    let mut adm = Client::new(&app);
    adm.sign_in("admin@example.org", PASSWORD).await;
    adm.get("/admin/settings").await;
    let r = adm
        .post(
            "/admin/settings",
            &[
                ("council_name", "Lhaven Council"),
                ("home_body", "Another Borough Council"),
                ("local", "X07000001"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dash = c.get("/procurement/analysis").await;
    assert!(text(&dash.body).contains("value=\"Another Borough Council\" checked"));
    let place = c.get("/places/levers").await;
    assert!(text(&place.body).contains("(2024/25, Another Borough Council)"));
    scratch.remove().await;
}

#[tokio::test]
async fn the_procurement_section_lists_lm3_as_working() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("viewer@example.org", PASSWORD).await;
    let p = c.get("/procurement").await;
    assert!(text(&p.body).contains("/procurement/lm3"));
    let coming = &p.body[p.body.find("Coming soon").unwrap()..];
    assert!(!coming.contains("LM3"), "LM3 is not coming soon");
    scratch.remove().await;
}

#[tokio::test]
async fn ideas_are_numbered_within_their_process_and_the_next_phase_is_one_button() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    for (name, code) in [
        ("First budget", "X05000001"),
        ("Second budget", "X05000002"),
    ] {
        o.get("/community-budgets/new").await;
        let r = o
            .post(
                "/community-budgets/new",
                &[
                    ("name", name),
                    ("area_name", "Docks"),
                    ("area_kind", "wards"),
                    ("area_codes", code),
                    ("pot", "20,000"),
                    ("ballot_type", "approval"),
                    ("max_choices", "2"),
                    ("rule", "greedy"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // Three ideas in the first process, then one in the second: it is number 1 there.
    for t in ["Benches", "Bins", "Bulbs"] {
        o.get("/community-budgets/first-budget/ideas").await;
        let r = o
            .post(
                "/community-budgets/first-budget/ideas",
                &[("title", t), ("description", t), ("cost", "1000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    o.get("/community-budgets/second-budget/ideas").await;
    let r = o
        .post(
            "/community-budgets/second-budget/ideas",
            &[
                ("title", "Trees"),
                ("description", "Trees"),
                ("cost", "1000"),
            ],
        )
        .await;
    assert!(text(&r.body).contains("Idea 1 added"), "{}", r.body);
    assert!(text(&r.body).contains("1. Trees"));
    let first = o.get("/community-budgets/first-budget/ideas").await;
    assert!(text(&first.body).contains("3. Bulbs"));
    let ids: Vec<i64> = store
        .pb_proposals(
            store
                .pb_process_by_slug("first-budget")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .iter()
        .map(|p| p.number)
        .collect();
    assert_eq!(ids, [1, 2, 3]);

    // The manage page offers one button for the next phase; skipping is tucked away.
    let m = o.get("/community-budgets/second-budget/manage").await;
    let phase = &m.body[m.body.find("id=\"phase\"").unwrap()..];
    let phase = &phase[..phase.find("</details>").unwrap_or(phase.len())];
    assert_eq!(
        phase.matches("class=\"lv-button\"").count(),
        1,
        "one primary phase button: {phase}"
    );
    assert!(phase.contains("Skip a phase"));
    scratch.remove().await;
}

#[tokio::test]
async fn the_spend_import_marks_only_columns_an_officer_chose() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    c.get("/procurement/upload").await;
    let file = "Date,Supplier Name,Amount,Transaction Number\n01/04/2024,Acme Ltd,1500.50,A1\n";
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Testshire Council")],
        Some(("april.csv", file.as_bytes())),
    );
    let mut req = Request::post("/procurement/upload")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let review = r.location.unwrap();
    let page = c.get(&review).await;
    // Detected columns are shown "as found", so submitting the form does not turn them into overrides.
    assert!(
        text(&page.body).contains("(as found: Supplier Name)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("value=\"Supplier Name\" selected"));
    assert!(text(&page.body).contains("Import 1 payment<"), "singular");
    let fields = [
        ("map_date", ""),
        ("map_supplier_name", ""),
        ("map_amount", ""),
        ("map_transaction_number", ""),
    ];
    let started = c.post(&format!("{review}/import"), &fields).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let imported = follow_job(&mut c, started).await;
    let detail = c.get(&imported.location.unwrap()).await;
    assert!(!detail.body.contains("(override)"), "{}", detail.body);
    assert!(detail.body.contains("(synonym)"));

    // Next month's file: the columns saved from April are said to be the saved mapping.
    c.get("/procurement/upload").await;
    let may = "Date,Supplier Name,Amount,Transaction Number\n01/05/2024,Acme Ltd,99.00,M1\n";
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Testshire Council")],
        Some(("may.csv", may.as_bytes())),
    );
    let mut req = Request::post("/procurement/upload")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let review = c.send(req).await.location.unwrap();
    c.get(&review).await;
    let started = c.post(&format!("{review}/import"), &fields).await;
    let imported = follow_job(&mut c, started).await;
    let detail = c.get(&imported.location.unwrap()).await;
    assert!(detail.body.contains("(saved mapping)"), "{}", detail.body);
    assert!(!detail.body.contains("(override)"));
    let _ = store;
    scratch.remove().await;
}

#[tokio::test]
async fn a_job_page_shows_progress_without_javascript_and_an_interrupted_import_as_failed() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let officer = store
        .user_by_email("officer@example.org")
        .await
        .unwrap()
        .unwrap();
    let id = store
        .create_job(
            "spend",
            "county-2024.csv",
            Some(officer.id),
            "rows",
            Some(3_545),
        )
        .await
        .unwrap();
    store.job_progress(id, 1_200, None).await.unwrap();
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let page = c.get(&format!("/jobs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = text(&page.body);
    assert!(body.contains("<meta http-equiv=\"refresh\" content=\"1\">"));
    assert!(body.contains(
        "<progress class=\"lv-progress\" id=\"job-progress\" max=\"3545\" value=\"1200\""
    ));
    assert!(body.contains("1,200 of about 3,545 rows (33%)"));
    // Someone else's job is not theirs to see; an admin's is.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(
        v.get(&format!("/jobs/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    assert_eq!(a.get(&format!("/jobs/{id}")).await.status, StatusCode::OK);

    // The process running it stopped: at the next start it is marked failed, and says why.
    assert_eq!(store.fail_interrupted_jobs(-1).await.unwrap(), 1);
    let page = c.get(&format!("/jobs/{id}")).await;
    let body = text(&page.body);
    assert!(!body.contains("http-equiv=\"refresh\""));
    assert!(body.contains("did not finish"));
    assert!(body.contains(levers_store::jobs::INTERRUPTED));

    // A finished job sends the reader to its result.
    let done = store
        .create_job("spend", "april.csv", Some(officer.id), "rows", None)
        .await
        .unwrap();
    store
        .finish_job(done, Ok("/procurement/imports/7"))
        .await
        .unwrap();
    let r = c.get(&format!("/jobs/{done}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/procurement/imports/7"));
    scratch.remove().await;
}

#[tokio::test]
async fn a_community_budget_chooses_its_wards_from_the_councils_area_with_their_deprivation() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    load_geography(&store).await;
    load_wards(&store).await;
    store
        .set_setting(
            &Actor::system("test"),
            levers_app::procurement::LOCAL_LADS,
            "X07000001",
        )
        .await
        .unwrap();
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    let form = o.get("/community-budgets/new").await;
    let body = text(&form.body);
    // The council's two wards, not its neighbours'; each with its deprivation.
    assert!(body.contains("value=\"X05000001\""), "{body}");
    assert!(body.contains("value=\"X05000002\""));
    assert!(!body.contains("value=\"X05000003\""));
    assert!(body.contains("Harbour <span class=\"lv-secondary-text\">X05000001: 1 of 1 neighbourhood in the most deprived 20%"), "{body}");
    assert!(body.contains("Hill <span class=\"lv-secondary-text\">X05000002: 0 of 1 neighbourhood in the most deprived 20%"));
    let r = o
        .post(
            "/community-budgets/new",
            &[
                ("name", "Ticked wards"),
                ("area_name", "Lhaven north"),
                ("area_kind", "wards"),
                ("ward", "X05000001"),
                ("ward", "X05000002"),
                ("area_codes", "X05000002"),
                ("pot", "10,000"),
                ("ballot_type", "approval"),
                ("max_choices", "2"),
                ("rule", "greedy"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = store
        .pb_process_by_slug("ticked-wards")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        p.def.area.codes(),
        ["X05000001", "X05000002"],
        "typed and ticked, each once"
    );
    scratch.remove().await;
}

#[tokio::test]
async fn places_are_found_by_name_and_a_districts_wards_show_their_deprivation() {
    let (store, _scratch, app) = setup(WebConfig::default()).await;
    load_geography(&store).await;
    load_wards(&store).await;
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;

    // One place named like it: straight to its page, whatever the case and spacing.
    let r = o.get("/places?q=%20harBOUR%20").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/places/X05000001"),
        "{}",
        r.body
    );

    // Several: listed, exact and starting names before names containing it.
    let r = o.get("/places?q=h").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = text(&r.body);
    let (harbour, hill, shore) = (
        body.find("href=\"/places/X05000001\"")
            .expect("Harbour listed"),
        body.find("href=\"/places/X05000002\"")
            .expect("Hill listed"),
        body.find("href=\"/places/X05000003\"")
            .expect("Shore listed"),
    );
    assert!(harbour < hill && hill < shore, "{body}");
    assert!(body.contains("Places named like"));

    // None: the error says what to type, and the page still answers.
    let r = o.get("/places?q=Atlantis").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.body).contains("No ward, district or region in the loaded geography is named like")
    );

    // A district's wards, each with how deprived it is.
    let r = o.get("/places/X07000001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = text(&r.body);
    assert!(
        body.contains("1 of 1 neighbourhood in the most deprived 20% in England"),
        "{body}"
    );
    assert!(body.contains("0 of 1 neighbourhood in the most deprived 20% in England"));
}
