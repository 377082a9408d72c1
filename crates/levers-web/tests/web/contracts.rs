//! Contract imports on the web (issue 16): officers upload OCDS notices or a contract register, the
//! import runs as a background job, and its page gives the reconciliation and the records refused;
//! the import is audited; viewers cannot upload; a form without its CSRF token is refused; a file
//! that is not JSON ends the job with its reason and stores nothing; a file over the limit is
//! refused for its size.

use super::*;

const NOTICES: &str = r#"{"uri":"x","releases":[
{"ocid":"ocds-t-1","id":"r1","date":"2026-10-01T09:00:00Z","tag":["tender"],"tender":{"id":"T1","title":"School meals","status":"active","value":{"amount":120000,"currency":"GBP"},"items":[{"id":"1","additionalClassifications":[{"scheme":"CPV","id":"55524000"}]}]}},
{"ocid":"ocds-t-1","id":"r1","date":"2026-10-01T09:00:00Z","tag":["tender"],"tender":{"id":"T1","title":"School meals","status":"active"}},
{"ocid":"ocds-t-2","id":"r2","tender":"not an object"},
{"ocid":"ocds-t-3","id":"r3","date":"2026-10-02T09:00:00Z","tag":["planning"],"tender":{"id":"T3","title":"Grounds maintenance","status":"planned"}}
]}"#;

const REGISTER: &str = "Reference Number,Title of Agreement,Department Responsible,Supplier Name,Sum to be paid over the length of the contract,Start Date,End Date\r\nC-1,Street cleansing,Environment,Clean Co Ltd,\"250,000\",01/04/2025,31/03/2027\r\nC-2,Library books,Culture,Books Ltd,lots,01/04/2025,31/03/2026\r\n";

async fn upload(c: &mut Client, name: &str, data: &[u8], csrf: Option<&str>) -> Reply {
    let token = csrf.map_or_else(|| c.csrf.clone(), str::to_string);
    let (ct, body) = multipart(&token, &[("body", "Fixture Council")], Some((name, data)));
    let mut req = Request::post("/procurement/contracts/import")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    c.send(req).await
}

#[tokio::test]
async fn contract_imports_run_as_jobs_with_their_reconciliation() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let r = c.get("/procurement/contracts/import").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Import the contracts")
            && r.body.contains("No contracts have been imported yet")
    );

    // Without its CSRF token the upload is refused, and nothing starts.
    let r = upload(&mut c, "notices.json", NOTICES.as_bytes(), Some("wrong")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // OCDS notices: 4 read = 2 new + 1 seen before + 1 rejected, the rejection naming its field.
    c.get("/procurement/contracts/import").await;
    let started = upload(&mut c, "notices.json", NOTICES.as_bytes(), None).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let done = follow_job(&mut c, started).await;
    let result = done.location.clone().unwrap();
    assert!(
        result.starts_with("/procurement/contracts/imports/"),
        "{result}"
    );
    let r = c.get(&result).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for want in [
        "notices.json imported",
        "4 releases and records read = 2 new contracts + 0 updated + 0 older (filled gaps only) + 1 seen before + 1 rejected (balanced)",
        "ocid ocds-t-2, release r2, field tender",
    ] {
        assert!(r.body.contains(want), "{want}: {}", r.body);
    }
    assert_eq!(store.contracts().await.unwrap().len(), 2);
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("contract_import".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);

    // A register CSV: the row with an unreadable value is rejected naming its line.
    c.get("/procurement/contracts/import").await;
    let started = upload(&mut c, "register.csv", REGISTER.as_bytes(), None).await;
    let done = follow_job(&mut c, started).await;
    let r = c.get(done.location.as_deref().unwrap()).await;
    assert!(
        r.body.contains("register.csv imported") && r.body.contains("2 register rows read"),
        "{}",
        r.body
    );
    let r = c.get("/procurement/contracts/import").await;
    assert!(
        r.body.contains("notices.json") && r.body.contains("register.csv"),
        "{}",
        r.body
    );

    // A file that is not JSON: the job fails with the reader's reason; nothing is stored.
    let started = upload(
        &mut c,
        "broken.json",
        b"{\"releases\":[{\"ocid\":\"x\"",
        None,
    )
    .await;
    let r = job_outcome(&mut c, started).await;
    assert!(
        r.body.contains("did not finish") && r.body.contains("never ends"),
        "{}",
        r.body
    );
    assert!(r.body.contains("/procurement/contracts/import"));
    assert_eq!(store.contract_imports().await.unwrap().len(), 2);

    // A file of another kind is shown back as an error.
    c.get("/procurement/contracts/import").await;
    let r = upload(&mut c, "notes.docx", b"x", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("must be a contract register"), "{}", r.body);

    // Viewers see the imports but cannot upload.
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    let r = v.get("/procurement/contracts/import").await;
    assert!(r.status == StatusCode::OK && !r.body.contains("Import the contracts"));
    let r = upload(&mut v, "notices.json", NOTICES.as_bytes(), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    scratch.remove().await;
}

#[tokio::test]
async fn admins_upload_contracts_too_and_files_over_the_limit_are_refused() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    let page = a.get("/procurement/contracts/import").await;
    assert!(page.body.contains("up to 200 MB"), "the limit is stated");
    let started = upload(&mut a, "notices.json", NOTICES.as_bytes(), None).await;
    let done = follow_job(&mut a, started).await;
    assert!(
        done.location
            .unwrap()
            .starts_with("/procurement/contracts/imports/")
    );
    // One byte over 200 MB, sent in 1 MB chunks (never held whole): refused for its size, and
    // nothing stored beyond the first import.
    a.get("/procurement/contracts/import").await;
    let (ct, head) = multipart(&a.csrf, &[("body", "Fixture Council")], None);
    let head = head[..head.len() - "--levers-test-boundary--\r\n".len()].to_vec();
    let file_head = b"--levers-test-boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.json\"\r\n\r\n".to_vec();
    let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
    let parts = std::iter::once(axum::body::Bytes::from(head))
        .chain(std::iter::once(axum::body::Bytes::from(file_head)))
        .chain(std::iter::repeat_n(chunk, 200))
        .chain(std::iter::once(axum::body::Bytes::from_static(
            b" \r\n--levers-test-boundary--\r\n",
        )))
        .map(Ok::<_, std::io::Error>);
    let req = Request::post("/procurement/contracts/import")
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, a.cookie_header())
        .body(Body::from_stream(futures_util::stream::iter(parts)))
        .unwrap();
    let r = a.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(store.contract_imports().await.unwrap().len(), 1);
    scratch.remove().await;
}
