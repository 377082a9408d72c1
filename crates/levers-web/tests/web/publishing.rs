//! Publishing: nothing is public until an admin publishes it. An unpublished strategy and place view
//! are 404s for the public; officers and viewers cannot publish (403); a post without the session's
//! CSRF token is refused; once published, anonymous visitors read the strategy and the place view
//! (aggregate figures, no links to the officers' pages), and every choice is in the audit log.

use axum::http::StatusCode;
use levers_core::FinancialYear;
use levers_store::Actor;
use levers_store::audit::AuditQuery;
use levers_store::settings::PUBLISHED_PLACE_VIEW;
use levers_strategy::Strategy;
use levers_web::WebConfig;

use super::{Client, PASSWORD, setup};

#[tokio::test]
async fn strategy_and_place_view_are_public_only_once_an_admin_publishes_them() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    super::places::load_geo(&store).await;
    let sid = store
        .create_strategy(
            &Actor::system("test"),
            &Strategy {
                id: 0,
                name: "Fairer Testham".into(),
                summary: "Our plan against poverty.".into(),
                first_year: FinancialYear::starting(2024).unwrap(),
                last_year: FinancialYear::starting(2027).unwrap(),
                published: false,
                objectives: vec![],
            },
        )
        .await
        .unwrap();
    let public = format!("/public/strategy/{sid}");
    let publish = format!("/strategy/{sid}/publish");

    // Unpublished: nothing for the public.
    let mut anon = Client::new(&app);
    for path in [public.as_str(), "/public/strategy", "/public/places"] {
        assert_eq!(anon.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        anon.get("/public/strategy/999").await.status,
        StatusCode::NOT_FOUND
    );
    // The signed-in pages stay behind sign-in.
    let r = anon.get(&format!("/strategy/{sid}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Viewers and officers cannot publish; the admin sees the choice.
    for who in ["viewer@example.org", "officer@example.org"] {
        let mut c = Client::new(&app);
        c.sign_in(who, PASSWORD).await;
        let page = c.get(&format!("/strategy/{sid}")).await;
        assert!(
            !page.body.contains("Publish it on the public pages"),
            "{who}"
        );
        let r = c.post(&publish, &[("publish", "yes")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = c
            .post("/places/levers/publish", &[("publish", "yes")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    // An officer changing the strategy does not publish it.
    let mut officer = Client::new(&app);
    officer.sign_in("officer@example.org", PASSWORD).await;
    officer.get(&format!("/strategy/{sid}/edit")).await;
    let r = officer
        .post(
            &format!("/strategy/{sid}"),
            &[
                ("name", "Fairer Testham"),
                ("summary", "Our plan against poverty."),
                ("first_year", "2024/25"),
                ("last_year", "2027/28"),
                ("published", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!store.strategy(sid).await.unwrap().unwrap().published);

    let mut admin = Client::new(&app);
    admin.sign_in("admin@example.org", PASSWORD).await;
    let page = admin.get(&format!("/strategy/{sid}")).await;
    assert!(page.body.contains("Publish it on the public pages"));
    // Without the session's CSRF token the choice is refused.
    let r = admin.post_raw(&publish, &[("publish", "yes")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .post_raw(
            "/places/levers/publish",
            &[("publish", "yes"), ("csrf_token", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(anon.get(&public).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anon.get("/public/places").await.status,
        StatusCode::NOT_FOUND
    );

    // Published: anonymous visitors read both.
    admin.get(&format!("/strategy/{sid}")).await;
    let r = admin.post(&publish, &[("publish", "yes")]).await;
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/strategy/{sid}?saved=published").as_str())
    );
    let r = anon.get(&public).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Fairer Testham"));
    assert!(r.body.contains("Our plan against poverty."));
    assert!(
        !r.body.contains(&format!("/strategy/{sid}/")),
        "no links to the officers' pages"
    );
    assert!(!r.body.contains("csrf_token\" value"), "no forms");
    let r = anon.get("/public/strategy").await;
    assert_eq!(r.location.as_deref(), Some(public.as_str()));
    assert_eq!(
        anon.get("/public/places").await.status,
        StatusCode::NOT_FOUND
    );

    admin.get("/places/levers").await;
    let r = admin
        .post("/places/levers/publish", &[("publish", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        store
            .setting(PUBLISHED_PLACE_VIEW)
            .await
            .unwrap()
            .as_deref(),
        Some("yes")
    );
    let r = anon.get("/public/places").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Where the levers land"));
    assert!(!r.body.contains("/places/profile/"), "no officers' links");
    assert!(
        !r.body.contains("Publish the place view"),
        "no admin choice"
    );
    assert!(
        anon.get(&public)
            .await
            .body
            .contains("href=\"/public/places\""),
        "the public strategy links to the public place view"
    );

    // Withdrawn: gone again.
    admin.get(&format!("/strategy/{sid}")).await;
    admin.post(&publish, &[("publish", "no")]).await;
    assert_eq!(anon.get(&public).await.status, StatusCode::NOT_FOUND);
    admin.get("/places/levers").await;
    admin
        .post("/places/levers/publish", &[("publish", "no")])
        .await;
    assert_eq!(
        anon.get("/public/places").await.status,
        StatusCode::NOT_FOUND
    );

    let audit = |action: &'static str| {
        let store = store.clone();
        async move {
            store
                .audit_entries(&AuditQuery {
                    action: Some(action.into()),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap()
        }
    };
    assert_eq!(audit("strategy.publish").await.len(), 1);
    assert_eq!(audit("strategy.withdraw").await.len(), 1);
    let settings = audit("setting.set").await;
    assert_eq!(
        settings
            .iter()
            .filter(|e| e.object_id == PUBLISHED_PLACE_VIEW)
            .count(),
        2,
        "publishing and withdrawing the place view"
    );
    scratch.remove().await;
}
