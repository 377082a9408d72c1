//! The procurement pages (issue 5) through the router: supplier upload, the dashboard with filters,
//! charts and tables, drill-down from sector to supplier to payments, CSV, XLSX and HTML exports,
//! the review queue (a decision is remembered, changes the figures and is audited), the exclusion
//! rules (viewers read, officers edit), and bad filters shown back as errors.

use super::*;

/// The fixture's geography alone: four districts, four wards, four postcodes.
pub(super) async fn load_geography(store: &Store) {
    use levers_geo::block::encode_block;
    use levers_store::geo::GeoCounts;
    let files = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
         X01000001,L 001A,X07000001,L,\"1,000\",1\nX01000002,L 002A,X07000001,L,\"15,000\",5\nX01000003,S 001A,X07000002,S,\"5,000\",2\nX01000004,K 001A,X07000003,K,\"2,000\",1\n",
        "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXL11AA,XL1 1AA,,X07000001,X05000001,X01000001,X01000001,54.0,-3.0\nXL12AB,XL1 2AB,,X07000001,X05000002,X01000002,X01000002,54.0,-3.0\nXS11AA,XS1 1AA,,X07000002,X05000003,X01000003,X01000003,54.0,-3.0\nXK11AA,XK1 1AA,,X07000003,X05000004,X01000004,X01000004,54.0,-3.0\n",
    ];
    for (i, f) in files.iter().enumerate() {
        let mut recs = Vec::new();
        let rep = levers_geo::read_geo("f", f.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
        let mut imp = store
            .begin_geo_import(
                &Actor::system("test"),
                rep.kind.unwrap().as_str(),
                &format!("f{i}.csv"),
            )
            .await
            .unwrap();
        imp.add_block(recs.len() as i64, &encode_block(&recs))
            .await
            .unwrap();
        imp.finish(
            &Actor::system("test"),
            &GeoCounts {
                rows_read: rep.rows_read as i64,
                rows_imported: rep.rows_imported as i64,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
}

async fn load_fixture(store: &Store) {
    load_geography(store).await;
    let spend = "Date,Supplier Name,Supplier ID,Amount,Expense Type,Transaction Number\n\
                 01/05/2024,Alpha Catering Ltd,A1,1000.00,Catering,T1\n02/05/2024,Beta Builders Ltd,B1,3000.00,Building works,T2\n\
                 03/05/2024,Delta Software Solutions,,100.00,ICT,T3\n04/05/2024,Delta Software plc,D1,2500.00,ICT,T4\n05/05/2024,County Fire Authority,,600.00,Levies,T5\n\
                 06/05/2023,Alpha Catering Ltd,A1,500.00,Catering,T6\n";
    levers_app::spend_import::import_bytes(
        store,
        &Actor::system("test"),
        "Fixture Council",
        "spend.csv",
        std::sync::Arc::new(spend.as_bytes().to_vec()),
        &[],
    )
    .await
    .unwrap();
}

const SUPPLIERS: &str = "Supplier ID,Supplier Name,Postcode,Branch Postcodes,Supplier Type,Category\nA1,Alpha Catering Ltd,XL1 1AA,,SME,Catering\nB1,Beta Builders Ltd,XK1 1AA,XL1 2AB,Large,Building works\nD1,Delta Software plc,XK1 1AA,,Large,ICT\nH1,Harbour IT Ltd,XL1 2AB,,SME,ICT\n";

const Q: &str = "body=Fixture+Council&year=2024%2F25&top=2&local=X07000001&local_name=Lhaven&wider=X07000002&wider_name=Coast";

#[tokio::test]
async fn procurement_dashboard_drilldown_review_rules_and_exports() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    load_fixture(&store).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;

    // Supplier upload (multipart, CSRF first).
    assert_eq!(c.get("/procurement/suppliers").await.status, StatusCode::OK);
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Fixture Council")],
        Some(("creditors.csv", SUPPLIERS.as_bytes())),
    );
    let mut req = Request::post("/procurement/suppliers")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let started = c.send(req).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let done = follow_job(&mut c, started).await;
    let r = c.get(done.location.as_deref().unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("creditors.csv imported")
            && r.body.contains("4 suppliers kept")
            && r.body.contains("Harbour IT Ltd"),
        "{}",
        r.body
    );
    // A file with no name column is shown back as an error, nothing stored.
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Fixture Council")],
        Some(("bad.csv", b"Postcode,Amount\nXL1 1AA,1\n")),
    );
    let mut req = Request::post("/procurement/suppliers")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let started = c.send(req).await;
    let r = job_outcome(&mut c, started).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("did not finish"), "{}", r.body);
    assert!(r.body.contains("Nothing of this import was stored"));
    assert_eq!(
        store.proc_suppliers("Fixture Council").await.unwrap().len(),
        4
    );

    // Dashboard: analysed 1,000 + 3,000 + 100 + 2,500 = 6,600; local Alpha + Beta (branch) = 4,000.
    let r = c.get(&format!("/procurement/analysis?{Q}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for want in [
        "£6,600.00",
        "60.6%",
        "Spent in Lhaven",
        "<svg",
        "Leakage by sector",
        "Opportunities for local suppliers",
        "Harbour IT Ltd",
        "Open Government Licence",
        "could not locate",
        "Levies and precepts",
    ] {
        assert!(r.body.contains(want), "missing {want}");
    }
    assert!(
        r.body
            .contains("1 supplier names on this year's payments are close"),
        "the review prompt"
    );
    // The year's payments are kept in memory between requests, until an import or an undo changes
    // them: a new payment shows at once, and disappears again when its import is undone.
    let more = "Date,Supplier Name,Supplier ID,Amount,Expense Type,Transaction Number\n07/05/2024,Harbour IT Ltd,H1,400.00,ICT,T7\n";
    let outcome = levers_app::spend_import::import_bytes(
        &store,
        &Actor::system("test"),
        "Fixture Council",
        "more.csv",
        std::sync::Arc::new(more.as_bytes().to_vec()),
        &[],
    )
    .await
    .unwrap();
    let levers_app::spend_import::ImportOutcome::Imported { import_id, .. } = outcome else {
        panic!("a new file imports")
    };
    assert!(
        c.get(&format!("/procurement/analysis?{Q}"))
            .await
            .body
            .contains("£7,000.00"),
        "the new payment is analysed"
    );
    store
        .undo_spend_import(&Actor::system("test"), import_id)
        .await
        .unwrap();
    let r = c.get(&format!("/procurement/analysis?{Q}")).await;
    assert!(
        r.body.contains("£6,600.00") && !r.body.contains("£7,000.00"),
        "the undone payment is gone"
    );
    // Bad area codes come back as errors on the form.
    let r = c
        .get("/procurement/analysis?body=Fixture+Council&year=2024%2F25&local=nowhere&wider=")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("is not an area code"));

    // Drill-down: sector → suppliers → payments.
    let r = c
        .get(&format!("/procurement/analysis/sector?{Q}&sector=ICT"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Delta Software plc") && r.body.contains("Delta Software Solutions"));
    let link = r
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/procurement/analysis/supplier?"))
        .unwrap();
    let link = link[..link.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let r = c.get(&link).await;
    assert_eq!(r.status, StatusCode::OK, "{link}");
    assert!(
        r.body.contains("£2,500.00") && r.body.contains("04/05/2024"),
        "{}",
        r.body
    );
    assert_eq!(
        c.get(&format!("/procurement/analysis/sector?{Q}&sector=Nothing"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Exports.
    let (ct, csv) = get_bytes(
        &c,
        &format!("/procurement/analysis/export.csv?{Q}&table=sectors"),
    )
    .await;
    assert!(ct.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with("sector,analysed_pounds") && csv.contains("ICT,2600.00,0.00,0.00,2600.00"),
        "{csv}"
    );
    let (ct, xlsx) = get_bytes(&c, &format!("/procurement/analysis/export.xlsx?{Q}")).await;
    assert!(ct.contains("spreadsheetml") && xlsx.starts_with(b"PK\x03\x04"));
    let (ct, html) = get_bytes(&c, &format!("/procurement/analysis/report?{Q}")).await;
    assert!(
        ct.starts_with("text/html") && String::from_utf8(html).unwrap().contains("@media print")
    );

    // Review queue: accept the suggestion; it is remembered, changes the figures and is audited.
    let r = c
        .get("/procurement/review?body=Fixture+Council&year=2024%2F25")
        .await;
    assert!(
        r.body.contains("Delta Software Solutions") && r.body.contains("It is Delta Software plc"),
        "{}",
        r.body
    );
    let delta = store
        .proc_suppliers("Fixture Council")
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.record.name == "Delta Software plc")
        .unwrap();
    let choice = format!("s:{}", delta.id);
    let r = c
        .post(
            "/procurement/review",
            &[
                ("body", "Fixture Council"),
                ("name", "Delta Software Solutions"),
                ("year", "2024/25"),
                ("choice", &choice),
                ("other", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c.get(r.location.as_deref().unwrap()).await;
    assert!(
        r.body.contains("Decision saved") && r.body.contains("Nothing to review"),
        "{}",
        r.body
    );
    let d = store
        .match_decisions(Some("Fixture Council"))
        .await
        .unwrap();
    assert_eq!((d.len(), d[0].supplier_id), (1, Some(delta.id)));
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("proc_match_decision".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit[0].actor, "officer@example.org");
    let r = c.get(&format!("/procurement/analysis?{Q}")).await;
    assert!(!r.body.contains("are close to a supplier record"));

    // Exclusion rules: switch off levies; the fire authority's £600 is then analysed (as leakage).
    let r = c.get("/procurement/rules").await;
    assert!(r.body.contains("Levies and precepts"));
    let rules = store.exclusion_rules().await.unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        form.push((format!("key_{i}"), rule.key.clone()));
        form.push((format!("label_{i}"), rule.label.clone()));
        if rule.key != "levies" {
            form.push((format!("enabled_{i}"), "on".into()));
        }
        for f in &rule.fields {
            form.push((format!("field_{i}"), f.key().into()));
        }
        form.push((format!("keywords_{i}"), rule.keywords.join("\n")));
        form.push((format!("types_{i}"), rule.supplier_types.join(",")));
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = c.post("/procurement/rules", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!store.exclusion_rules().await.unwrap()[0].enabled);
    let r = c.get(&format!("/procurement/analysis?{Q}")).await;
    assert!(r.body.contains("£7,200.00"), "6,600 + the levy");
    // A rule with a name but nothing to match is refused with an error.
    let r = c
        .post(
            "/procurement/rules",
            &[("label_0", "Empty"), ("field_0", "purpose")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Viewers read but cannot change.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(
        v.get(&format!("/procurement/analysis?{Q}")).await.status,
        StatusCode::OK
    );
    let r = v.get("/procurement/rules").await;
    assert!(r.body.contains("readonly") && !r.body.contains("Save the rules"));
    assert_eq!(
        v.post(
            "/procurement/rules",
            &[
                ("label_0", "X"),
                ("field_0", "purpose"),
                ("keywords_0", "x")
            ]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        v.post(
            "/procurement/review",
            &[
                ("body", "Fixture Council"),
                ("name", "X"),
                ("choice", "none")
            ]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    scratch.remove().await;
}

/// LM3 on the page: the NEF example from figures (a GET form anyone signed in can use), mistakes
/// named per field, the survey template downloaded and read back to the same 1.7162 with the rows
/// behind each figure, and a survey without round 1 refused.
#[tokio::test]
async fn lm3_from_figures_and_from_a_survey() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("viewer@example.org", PASSWORD).await;
    let r = c.get("/procurement").await;
    assert!(
        r.body.contains("href=\"/procurement/lm3\""),
        "the section page links to LM3"
    );
    let r = c.get("/procurement/lm3").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Work out LM3") && !r.body.contains("id=\"lm3-value\""));

    let r = c.get("/procurement/lm3?r1=%C2%A3100%2C000&r2_staff=30%2C000&r2_suppliers=20000&r3_staff_share=45.4%25&r3_supplier_share=0.40").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<span id=\"lm3-value\">1.7162</span>"),
        "{}",
        r.body
    );
    for figure in [
        "£100,000.00",
        "£50,000.00",
        "£13,620.00",
        "£8,000.00",
        "£21,620.00",
        "45.4%",
    ] {
        assert!(r.body.contains(figure), "{figure} in {}", r.body);
    }
    assert!(
        r.body.contains("<svg") && r.body.contains("The rounds of LM3"),
        "a chart with its table"
    );
    assert!(
        r.body.contains("value=\"£100,000\""),
        "the figures stay in the form"
    );

    let r = c.get("/procurement/lm3?r1=0&r2_staff=lots&r2_suppliers=1&r3_staff_share=145%25&r3_supplier_share=0.4").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("There is a problem")
            && r.body.contains("lots is not an amount in pounds")
            && r.body.contains("href=\"#r3_staff_share\""),
        "{}",
        r.body
    );
    let r = c.get("/procurement/lm3?r1=0&r2_staff=1&r2_suppliers=1&r3_staff_share=1&r3_supplier_share=0.4").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("Round 1 (the income traced) must be more than zero"),
        "{}",
        r.body
    );

    let t = c.get("/procurement/lm3/template.csv").await;
    assert!(
        t.content_type.starts_with("text/csv")
            && t.body.contains("section,respondent,amount,local_share")
    );
    let upload = |c: &Client, file: &[u8]| {
        let (ct, body) = multipart(&c.csrf, &[], Some(("survey.csv", file)));
        let mut req = Request::post("/procurement/lm3")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        req.headers_mut()
            .insert(header::COOKIE, c.cookie_header().parse().unwrap());
        req
    };
    let req = upload(&c, t.body.as_bytes());
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<span id=\"lm3-value\">1.7162</span>")
            && r.body.contains("Survey rows behind it")
            && r.body.contains("How survey.csv was read"),
        "{}",
        r.body
    );
    let req = upload(
        &c,
        b"section,respondent,amount,local_share\nr2_staff,A,100,1\n",
    );
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("There is a problem"), "{}", r.body);
    scratch.remove().await;
}
