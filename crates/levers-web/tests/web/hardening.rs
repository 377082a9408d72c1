//! Hardening (#19): sign-in throttling under concurrency, redirects after sign-in, upload limits,
//! proxies, and the other findings of the attack review, each tried as an attacker would.

use super::*;

/// Many wrong passwords for one account at once: each attempt is reserved in the store before the
/// password is checked, so no more than the limit are ever checked, and the right password inside
/// the burst does not get in once the limit is reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_cannot_pass_the_limit() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::new(&app);
            let password = if i == 39 { PASSWORD } else { "wrong password!" };
            c.sign_in("officer@example.org", password).await.status
        }));
    }
    let mut checked = 0;
    let mut throttled = 0;
    let mut signed_in = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            StatusCode::SEE_OTHER => signed_in += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let limit = 5; // auth::MAX_ACCOUNT_FAILURES
    assert!(
        checked + signed_in <= limit,
        "{checked} wrong and {signed_in} right passwords were checked; at most {limit} may be"
    );
    assert_eq!(checked + throttled + signed_in, 40);
    let failures = store
        .recent_sign_in_failures("account:officer@example.org", 900)
        .await
        .unwrap();
    assert!(failures <= limit, "{failures} failures recorded");
    scratch.remove().await;
}

/// Behind one trusted proxy, the client address is the hop that proxy added (the last), not the first
/// one, which the client writes itself: changing it does not dodge the per-address throttle.
#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_dodge_the_address_throttle() {
    let (_store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..22 {
        let mut c = Client::new(&app);
        let forwarded = format!("192.0.2.{i}, 198.51.100.7");
        let get = Request::get("/sign-in")
            .header("x-forwarded-for", &forwarded)
            .body(Body::empty())
            .unwrap();
        c.send(get).await;
        let body = form_encode(&[
            ("email", &format!("nobody{i}@example.org")),
            ("password", "wrong password!"),
            ("csrf_token", &c.csrf.clone()),
        ]);
        let post = Request::post("/sign-in")
            .header(header::COOKIE, c.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", &forwarded)
            .body(Body::from(body))
            .unwrap();
        statuses.push(c.send(post).await.status);
    }
    assert_eq!(statuses[19], StatusCode::UNAUTHORIZED);
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    scratch.remove().await;
}

/// `next` after sign-in: only same-site paths, after normalising; control characters (a tab that
/// browsers strip, making `/\t/evil.example` into `//evil.example`) or a newline never reach the
/// Location header, and nothing fails after the session is made.
#[tokio::test]
async fn next_after_sign_in_stays_on_site() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    for (next, expect) in [
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/admin\r\nSet-Cookie: x=1", "/"),
        ("/%2F/evil.example", "/"),
        ("/%5Cevil.example", "/"),
        (" //evil.example", "/"),
        ("/admin/users?x=1", "/admin/users?x=1"),
        ("/places#top", "/places#top"),
    ] {
        let mut c = Client::new(&app);
        c.get("/sign-in").await;
        let r = c
            .post(
                "/sign-in",
                &[
                    ("email", "admin@example.org"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(expect), "{next:?}");
        // Signed in, the sign-in page sends to `next` too.
        let r = c
            .get(&format!(
                "/sign-in?next={}",
                &form_encode(&[("", next)])[1..]
            ))
            .await;
        assert_eq!(r.location.as_deref(), Some(expect), "GET {next:?}");
    }
    scratch.remove().await;
}

/// Each upload route takes files up to its own documented limit, read once against it: a 2 MB
/// supplier file, LM3 survey, register or unit cost table is not refused by the 1 MB form limit, and
/// a file over the route's own limit is (413).
#[tokio::test]
async fn uploads_take_their_own_limit_not_the_form_limit() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("admin@example.org", PASSWORD).await;
    // A CSV of about 2 MB: its content may be refused as a file, but never for its size.
    let mut big = String::from("name,amount\n");
    while big.len() < 2 << 20 {
        big.push_str("Some supplier name Ltd,123.45\n");
    }
    for path in [
        "/procurement/suppliers",
        "/procurement/lm3",
        "/appraisals/unit-costs",
        "/co-production/register/import",
        "/procurement/upload",
    ] {
        c.get(path).await;
        let (ct, body) = multipart(
            &c.csrf,
            &[("name", "big")],
            Some(("big.csv", big.as_bytes())),
        );
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, c.cookie_header())
            .body(Body::from(body))
            .unwrap();
        let r = c.send(req).await;
        assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_ne!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Over the unit cost table's 10 MB: refused for its size.
    c.get("/appraisals/unit-costs").await;
    let huge = vec![b'x'; (10 << 20) + 1];
    let (ct, body) = multipart(&c.csrf, &[], Some(("huge.csv", &huge)));
    let req = Request::post("/appraisals/unit-costs")
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, c.cookie_header())
        .body(Body::from(body))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    // An ordinary form is still capped at 1 MB.
    let pad = "x".repeat(2 << 20);
    let r = c.post("/account/password", &[("current", &pad)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    scratch.remove().await;
}

/// A pool's page changes only its own partners and lines: a partner or line of another pool named in
/// the form is refused, and the other pool is left as it was.
#[tokio::test]
async fn pool_edits_stay_in_the_pool_in_the_address() {
    use levers_appraisal::pooled::Funds;
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let officer = Actor::system("test");
    let a = store.create_pool(&officer, "Pool A").await.unwrap();
    let b = store.create_pool(&officer, "Pool B").await.unwrap();
    let partner_a = store
        .add_pool_partner(&officer, a, "Council", &["Local authority".into()])
        .await
        .unwrap();
    let line_a = store
        .add_pool_line(&officer, a, "Debt advice", Funds::Intervention, None)
        .await
        .unwrap();
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    let page = format!("/pooled-budgets/{b}");
    c.get(&page).await;
    let partner = partner_a.to_string();
    let line = line_a.to_string();
    let attempts: [&[(&str, &str)]; 2] = [
        &[
            ("action", "contribution"),
            ("contribution_partner", &partner),
            ("contribution_year", "2025/26"),
            ("contribution_amount", "1000"),
        ],
        &[
            ("action", "quarter"),
            ("quarter_line", &line),
            ("quarter_year", "2025/26"),
            ("quarter_quarter", "1"),
            ("quarter_plan", "10"),
            ("quarter_spend", "10"),
        ],
    ];
    for fields in attempts {
        let r = c.post(&page, fields).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{fields:?}");
    }
    let r = c
        .post(
            &page,
            &[
                ("action", "vote"),
                ("vote_line", &line),
                ("vote_process", ""),
            ],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    let pool_a = store.pool(a).await.unwrap().unwrap();
    let report = pool_a.budget.report(&Default::default()).unwrap();
    assert_eq!(report.total, levers_core::Money::ZERO);
    assert_eq!(report.spent, levers_core::Money::ZERO);
    let audit = store
        .audit_entries(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        !audit.iter().any(|e| e.action == "pool.contribution.set"
            || e.action == "pool.quarter.set"
            || e.action == "pool.line.process"),
        "no change was made"
    );
    scratch.remove().await;
}

/// One-time passwords expire (the lifetime is configured; here nothing), and until the password is
/// changed the account reaches neither pages nor the JSON API.
#[tokio::test]
async fn one_time_passwords_expire_and_do_not_open_the_api() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    store
        .create_user(
            &Actor::system("test"),
            NewUser {
                email: "new@example.org".into(),
                display_name: String::new(),
                password_hash: auth::hash_password("ABCDE-FGHJK-LMNPQ-RSTUV").unwrap(),
                role: Role::Admin,
                must_change_password: true,
            },
        )
        .await
        .unwrap();
    let mut c = Client::new(&app);
    let r = c
        .sign_in("new@example.org", "ABCDE-FGHJK-LMNPQ-RSTUV")
        .await;
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    for path in ["/api/v1/me", "/api/v1/users"] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(r.body.contains("change"), "{}", r.body);
    }
    // With a lifetime of zero, the same one-time password no longer signs in.
    let expired = router(
        store.clone(),
        WebConfig {
            one_time_password_ttl_seconds: 0,
            ..WebConfig::default()
        },
    );
    let mut d = Client::new(&expired);
    let r = d
        .sign_in("new@example.org", "ABCDE-FGHJK-LMNPQ-RSTUV")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body.contains("one-time password has expired"),
        "{}",
        r.body
    );
    assert!(!d.cookies.keys().any(|k| k.contains("session")));
    scratch.remove().await;
}

/// Over HTTPS (`--secure-cookies`) every response tells browsers to keep to HTTPS (HSTS); without it,
/// none does.
#[tokio::test]
async fn hsts_comes_with_secure_cookies() {
    let (_store, scratch, app) = setup(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    let resp = app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let hsts = resp
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .expect("HSTS header");
    assert!(hsts.to_str().unwrap().contains("max-age="));
    let (_s2, scratch2, plain) = setup(WebConfig::default()).await;
    let resp = plain
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(
        resp.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    scratch.remove().await;
    scratch2.remove().await;
}

/// A session ends at its absolute maximum age however active it is (here the maximum is nothing).
#[tokio::test]
async fn sessions_have_an_absolute_maximum_age() {
    let (_store, scratch, app) = setup(WebConfig {
        session_max_seconds: 0,
        ..WebConfig::default()
    })
    .await;
    let mut c = Client::new(&app);
    let r = c.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c.get("/procurement").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().starts_with("/sign-in"));
    scratch.remove().await;
}

/// Wrong voting codes from one address, all at once: no more than the limit are looked up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_codes_cannot_pass_the_limit() {
    let (store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let slug = super::community_budgets::voting_process(&store, 0).await.0;
    let path = format!("/community-budgets/{slug}/vote");
    let mut clients = Vec::new();
    for _ in 0..60 {
        let mut c = Client::new(&app);
        c.get(&path).await;
        clients.push(c);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(clients.len()));
    let mut set = tokio::task::JoinSet::new();
    for (i, mut c) in clients.into_iter().enumerate() {
        let (barrier, path) = (barrier.clone(), path.clone());
        set.spawn(async move {
            let code = levers_pb::codes::display(&levers_pb::codes::code_from_random(
                u128::from(i as u64) + 1000,
            ));
            barrier.wait().await;
            super::community_budgets::post_from(&mut c, &path, "10.7.7.7", &[("code", &code)])
                .await
                .status
        });
    }
    let mut looked_up = 0;
    while let Some(s) = set.join_next().await {
        if s.unwrap() == StatusCode::UNPROCESSABLE_ENTITY {
            looked_up += 1;
        }
    }
    assert!(
        looked_up <= levers_web::MAX_CODE_FAILURES,
        "{looked_up} wrong codes were looked up"
    );
    scratch.remove().await;
}

/// Receipt checks from one address, all at once: no more than the limit are looked up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_receipt_checks_cannot_pass_the_limit() {
    let (store, scratch, app) = setup(WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    })
    .await;
    let slug = super::community_budgets::voting_process(&store, 0).await.0;
    let path = format!("/community-budgets/{slug}/receipt");
    let mut clients = Vec::new();
    for _ in 0..50 {
        let mut c = Client::new(&app);
        c.get(&path).await;
        clients.push(c);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(clients.len()));
    let mut set = tokio::task::JoinSet::new();
    for (i, mut c) in clients.into_iter().enumerate() {
        let (barrier, path) = (barrier.clone(), path.clone());
        set.spawn(async move {
            let receipt = levers_pb::codes::display(&levers_pb::codes::receipt_from_random(
                u128::from(i as u64) + 99,
            ));
            barrier.wait().await;
            super::community_budgets::post_from(&mut c, &path, "10.8.8.8", &[("receipt", &receipt)])
                .await
                .status
        });
    }
    let mut looked_up = 0;
    while let Some(s) = set.join_next().await {
        if s.unwrap() != StatusCode::TOO_MANY_REQUESTS {
            looked_up += 1;
        }
    }
    assert!(
        looked_up <= levers_web::MAX_CODE_FAILURES,
        "{looked_up} receipts were looked up"
    );
    scratch.remove().await;
}
