//! Geography and indicator uploads (issue 20): an admin's file is streamed past the CSRF check to
//! a temporary file, imported by a background job, and shown with its reconciliation; officers
//! cannot upload; a file over the limit is refused; a bad file is named with its line and field.

use super::*;

const IMD: &str = "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
X01000001,Testham 001A,X07000009,Testham,\"1,000\",1\n\
X01000002,Testham 001B,X07000009,Testham,\"31,000\",10\n\
X01000003,Testham 001C,X07000009,Testham,lots,3\n\
,,,,,\n";

const INDICATORS: &str = "area_code,area_name,period,indicator,measure,unit,value\n\
X07000009,Testham,2024/25,Children in low income families,Percentage,Persons,21.5\n\
X07000009,Testham,2024/25,Claimant count,Count,Persons,not a number\n";

/// Posts a multipart upload (the token first, as the forms send it) with the client's cookies.
async fn upload(c: &mut Client, path: &str, csrf: &str, file: (&str, &[u8])) -> Reply {
    let (ct, body) = multipart(csrf, &[], Some(file));
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, c.cookie_header())
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn an_admin_uploads_geography_as_a_job_and_sees_its_reconciliation() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    // The first steps send the admin to the upload.
    let steps = a.get("/admin/setup").await;
    assert!(
        steps.body.contains("href=\"/admin/geography#upload\""),
        "{}",
        steps.body
    );
    let page = a.get("/admin/geography").await;
    assert!(page.body.contains("action=\"/admin/geography/upload\""));
    assert!(page.body.contains("up to 2048 MB"), "the limit is stated");
    let csrf = a.csrf.clone();

    // Without the token: refused, and nothing runs.
    let r = upload(
        &mut a,
        "/admin/geography/upload",
        "wrong",
        ("imd.csv", IMD.as_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No file: the form again, with the error by the geography input.
    let r = upload(&mut a, "/admin/geography/upload", &csrf, ("imd.csv", b"")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#geo-file\""), "{}", r.body);
    assert!(store.geo_datasets().await.unwrap().is_empty());

    // The upload answers at once with the job's page; the job ends on the dataset's page.
    let started = upload(
        &mut a,
        "/admin/geography/upload",
        &csrf,
        ("imd.csv", IMD.as_bytes()),
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let done = follow_job(&mut a, started).await;
    let result = done.location.unwrap();
    assert!(result.starts_with("/admin/geography/datasets/"), "{result}");
    let r = a.get(&result).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Imported imd.csv"), "{}", r.body);
    assert!(
        r.body.contains("4 = 2 imported + 1 rejected + 1 blank"),
        "{}",
        r.body
    );
    // The rejected row is named by its line and column.
    assert!(
        r.body
            .contains("<td class=\"lv-num\">4</td><td>IMD rank</td>"),
        "{}",
        r.body
    );
    let ds = store.geo_datasets().await.unwrap();
    assert_eq!((ds.len(), ds[0].rows_imported), (1, 2));
    // Audited, under the admin's name.
    let audit = store
        .audit_entries(&AuditQuery {
            action: Some("geo.import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    // The loaded geography is used at once, and the first step is done.
    let places = a.get("/places/X07000009").await;
    assert_eq!(places.status, StatusCode::OK);
    assert!(a.get("/admin/setup").await.body.contains("1 file loaded"));

    // A file that is no geography file: the job fails, naming the file.
    a.get("/admin/geography").await;
    let csrf = a.csrf.clone();
    let started = upload(
        &mut a,
        "/admin/geography/upload",
        &csrf,
        ("names.csv", b"name,age\nx,1\n"),
    )
    .await;
    let failed = job_outcome(&mut a, started).await;
    assert_eq!(failed.status, StatusCode::OK);
    assert!(
        text(&failed.body).contains("names.csv: not a geography file levers knows"),
        "{}",
        failed.body
    );
    assert!(failed.body.contains("href=\"/admin/geography#upload\""));
    assert_eq!(
        store.geo_datasets().await.unwrap().len(),
        1,
        "nothing half-done"
    );
    scratch.remove().await;
}

#[tokio::test]
async fn an_admin_uploads_indicators_as_a_job() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    a.get("/admin/geography").await;
    let csrf = a.csrf.clone();
    let started = upload(
        &mut a,
        "/admin/indicators/upload",
        &csrf,
        ("testham.csv", INDICATORS.as_bytes()),
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let done = follow_job(&mut a, started).await;
    let result = done.location.unwrap();
    assert!(result.starts_with("/admin/indicators/"), "{result}");
    let r = a.get(&result).await;
    assert!(
        r.body.contains("2 = 1 imported + 1 rejected + 0 blank"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("<td class=\"lv-num\">3</td><td>value</td>"),
        "{}",
        r.body
    );
    assert!(a.get("/admin/geography").await.body.contains("testham.csv"));
    let audit = store
        .audit_entries(&AuditQuery {
            action: Some("indicators.import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    // Every row rejected: the job fails naming the file, the line and the field.
    a.get("/admin/geography").await;
    let csrf = a.csrf.clone();
    let bad = "area_code,area_name,period,indicator,measure,unit,value\nX07000009,Testham,2024/25,Claimants,Count,Persons,many\n";
    let started = upload(
        &mut a,
        "/admin/indicators/upload",
        &csrf,
        ("bad.csv", bad.as_bytes()),
    )
    .await;
    let failed = job_outcome(&mut a, started).await;
    let t = text(&failed.body);
    assert!(
        t.contains("bad.csv: every one of its 1 rows was rejected (first: line 2, value:"),
        "{t}"
    );
    scratch.remove().await;
}

#[tokio::test]
async fn officers_cannot_upload_geography_and_big_files_are_refused() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(
        o.get("/admin/geography").await.status,
        StatusCode::FORBIDDEN
    );
    o.get("/").await;
    let csrf = o.csrf.clone();
    for path in ["/admin/geography/upload", "/admin/indicators/upload"] {
        let r = upload(&mut o, path, &csrf, ("imd.csv", IMD.as_bytes())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(store.geo_datasets().await.unwrap().is_empty());
    // Over the indicator files' 100 MB: refused for its size, whatever the file.
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    a.get("/admin/geography").await;
    let csrf = a.csrf.clone();
    let huge = vec![b'x'; (100 << 20) + 1];
    let r = upload(
        &mut a,
        "/admin/indicators/upload",
        &csrf,
        ("huge.csv", &huge),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    scratch.remove().await;
}

/// As the first-day tests read pages: entities turned back into characters.
fn text(body: &str) -> String {
    body.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}
