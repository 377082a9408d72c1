//! The web shell's security and behaviour, driven through the router in-process (no network):
//! sign-in redirects, roles, CSRF, throttling, argon2 storage, audit of admin actions, errors, API tokens.

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use levers_app::credentials as auth;
use levers_store::audit::AuditQuery;
use levers_store::testing::{Scratch, scratch_sqlite};
use levers_store::{Actor, NewUser, Role, Store};
use levers_web::{WebConfig, router};
use tower::ServiceExt;

#[path = "web/community_budgets.rs"]
mod community_budgets;
#[path = "web/procurement.rs"]
mod procurement;

const PASSWORD: &str = "a long test passphrase";

/// A browser-like client: keeps cookies, finds the CSRF token in the last page it read.
struct Client {
    app: Router,
    cookies: HashMap<String, String>,
    csrf: String,
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    content_type: String,
    body: String,
}

impl Client {
    fn new(app: &Router) -> Client {
        Client {
            app: app.clone(),
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Reply {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .map_or(String::new(), |v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let body = String::from_utf8(
            to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        if let Some(i) = body.find("name=\"csrf_token\" value=\"") {
            let rest = &body[i + 25..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        Reply {
            status,
            location,
            set_cookies,
            content_type,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// Posts a form with the current CSRF token added.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf.clone();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &csrf));
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token unless given).
    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_encode(fields);
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.get("/sign-in").await;
        self.post(
            "/sign-in",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    })
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn setup(config: WebConfig) -> (Store, Scratch, Router) {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    for (email, role) in [
        ("admin@example.org", Role::Admin),
        ("officer@example.org", Role::Officer),
        ("viewer@example.org", Role::Viewer),
    ] {
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
    let app = router(store.clone(), config);
    (store, scratch, app)
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    for path in [
        "/procurement",
        "/admin",
        "/admin/users",
        "/account/password",
        "/strategy?x=1",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let loc = r.location.unwrap();
        assert!(loc.starts_with("/sign-in?next="), "{path} -> {loc}");
    }
    let r = c.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.content_type.starts_with("application/json"));
    // Public pages work without signing in.
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    assert_eq!(c.get("/sign-in").await.status, StatusCode::OK);
    let css = c.get("/assets/levers.css").await;
    assert!(
        css.body.contains("Arial") && !css.body.contains("GDS Transport\","),
        "our own stylesheet, Arial"
    );
    scratch.remove().await;
}

#[tokio::test]
async fn healthz_reports_version_and_database() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    let r = c.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": "sqlite"})
    );
    store.close().await;
    let r = c.get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    scratch.remove().await;
}

#[tokio::test]
async fn viewers_cannot_reach_admin_pages() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    assert_eq!(
        c.sign_in("viewer@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for path in [
        "/procurement",
        "/community-budgets",
        "/co-production",
        "/strategy",
        "/",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::OK, "{path}");
    }
    for path in [
        "/admin",
        "/admin/users",
        "/admin/audit",
        "/admin/tokens",
        "/admin/settings",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            r.body.contains("You do not have access to this page"),
            "{path}"
        );
        assert!(
            r.body.contains("lv-header"),
            "403 page is in the site layout"
        );
    }
    let r = c
        .post(
            "/admin/users",
            &[("email", "new@example.org"), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/api/v1/users").await.status, StatusCode::FORBIDDEN);
    // Officers neither.
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(o.get("/admin").await.status, StatusCode::FORBIDDEN);
    // The nav shows Admin only to admins.
    assert!(!c.get("/").await.body.contains("href=\"/admin\""));
    scratch.remove().await;
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    // Before sign-in: the sign-in form itself needs the double-submit token.
    let mut anon = Client::new(&app);
    anon.get("/sign-in").await;
    let r = anon
        .post_raw(
            "/sign-in",
            &[("email", "admin@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = anon
        .post_raw(
            "/sign-in",
            &[
                ("email", "admin@example.org"),
                ("password", PASSWORD),
                ("csrf_token", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A client with no cookie at all cannot post either.
    let mut bare = Client::new(&app);
    let r = bare
        .post_raw(
            "/sign-in",
            &[
                ("email", "admin@example.org"),
                ("password", PASSWORD),
                ("csrf_token", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut c = Client::new(&app);
    c.sign_in("admin@example.org", PASSWORD).await;
    c.get("/admin/users").await;
    let before = store.users().await.unwrap().len();
    let r = c
        .post_raw(
            "/admin/users",
            &[("email", "new@example.org"), ("role", "viewer")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("This form has expired"));
    // Another session's token does not work either.
    let mut other = Client::new(&app);
    other.sign_in("officer@example.org", PASSWORD).await;
    other.get("/").await;
    let foreign = other.csrf.clone();
    let r = c
        .post_raw(
            "/admin/users",
            &[
                ("email", "new@example.org"),
                ("role", "viewer"),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.post_raw("/sign-out", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        store.users().await.unwrap().len(),
        before,
        "nothing was added"
    );
    // With the token it works.
    let r = c
        .post(
            "/admin/users",
            &[("email", "new@example.org"), ("role", "viewer")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(store.users().await.unwrap().len(), before + 1);
    scratch.remove().await;
}

#[tokio::test]
async fn five_wrong_passwords_throttle_the_account() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    for i in 0..5 {
        let r = c.sign_in("officer@example.org", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(
            r.body
                .contains("Enter a correct email address and password")
        );
    }
    // Even the right password is refused while throttled.
    let r = c.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("too many failed attempts"));
    assert!(!c.cookies.contains_key("levers_session"));
    // Other accounts are not locked by it.
    let mut d = Client::new(&app);
    assert_eq!(
        d.sign_in("viewer@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let lockouts = store
        .audit_entries(&AuditQuery {
            action: Some("auth.lockout".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(lockouts.len(), 1);
    assert_eq!(lockouts[0].object_id, "officer@example.org");
    // Unknown accounts get the same answer as wrong passwords.
    let r = c.sign_in("nobody@example.org", "whatever it is").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    scratch.remove().await;
}

#[tokio::test]
async fn sessions_are_secure_cookies_and_passwords_only_argon2() {
    let config = WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    };
    let (store, scratch, app) = setup(config).await;
    let mut c = Client::new(&app);
    let r = c.sign_in("admin@example.org", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = r
        .set_cookies
        .iter()
        .find(|s| s.starts_with("__Host-levers_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    let token = session
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1;
    // The database holds only the token's hash.
    assert!(store.session_user(token, 60).await.unwrap().is_none());
    assert!(
        store
            .session_user(&auth::token_hash(token), 60)
            .await
            .unwrap()
            .is_some()
    );
    // Adding a user through the page stores an argon2id hash of the one-time password, never the password.
    c.get("/admin/users").await;
    let r = c
        .post(
            "/admin/users",
            &[("email", "Someone@Example.org"), ("role", "officer")],
        )
        .await;
    assert!(r.body.contains("One-time password for someone@example.org"));
    let shown = r
        .body
        .split("lv-code-large\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let user = store
        .user_by_email("someone@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.password_hash.starts_with("$argon2id$"),
        "{}",
        user.password_hash
    );
    assert!(!user.password_hash.contains(&shown));
    assert!(auth::verify_password(&shown, &user.password_hash));
    for u in store.users().await.unwrap() {
        assert!(u.password_hash.starts_with("$argon2id$"));
    }
    // The new account must choose its own password first.
    let mut n = Client::new(&app);
    let r = n.sign_in("someone@example.org", &shown).await;
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    assert_eq!(
        n.get("/procurement").await.location.as_deref(),
        Some("/account/password")
    );
    n.get("/account/password").await;
    let r = n
        .post(
            "/account/password",
            &[("current", &shown), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("There is a problem") && r.body.contains("href=\"#new\""));
    let r = n
        .post(
            "/account/password",
            &[
                ("current", &shown),
                ("new", "my own long passphrase"),
                ("confirm", "my own long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(n.get("/procurement").await.status, StatusCode::OK);
    // Sign-out ends the session in the database too.
    n.get("/").await;
    let r = n.post("/sign-out", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/sign-in?signed_out=1"));
    assert_eq!(store.session_count(user.id).await.unwrap(), 0);
    assert_eq!(n.get("/procurement").await.status, StatusCode::SEE_OTHER);
    scratch.remove().await;
}

#[tokio::test]
async fn every_admin_action_is_audited() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("admin@example.org", PASSWORD).await;
    let start = store.audit_count(&AuditQuery::default()).await.unwrap();
    c.get("/admin/users").await;
    assert_eq!(
        c.post(
            "/admin/users",
            &[("email", "temp@example.org"), ("role", "viewer")]
        )
        .await
        .status,
        StatusCode::OK
    );
    let id = store
        .user_by_email("temp@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        c.post(&format!("/admin/users/{id}/role"), &[("role", "officer")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(&format!("/admin/users/{id}/enable"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.post(&format!("/admin/users/{id}/reset-password"), &[])
            .await
            .status,
        StatusCode::OK
    );
    c.get("/admin/tokens").await;
    let r = c
        .post(
            "/admin/tokens",
            &[("name", "nightly import"), ("user_id", &id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let token_id = store.api_tokens().await.unwrap()[0].id;
    assert_eq!(
        c.post(&format!("/admin/tokens/{token_id}/revoke"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    c.get("/admin/settings").await;
    assert_eq!(
        c.post("/admin/settings", &[("council_name", "Testshire Council")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let entries = store
        .audit_entries(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let new: Vec<&str> = entries
        .iter()
        .take((entries.len() as i64 - start) as usize)
        .rev()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        new,
        [
            "user.create",
            "user.role",
            "user.disable",
            "user.enable",
            "user.password",
            "token.create",
            "token.revoke",
            "setting.set"
        ]
    );
    assert!(
        entries
            .iter()
            .take(new.len())
            .all(|e| e.actor == "admin@example.org")
    );
    // The audit page shows them.
    let page = c.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    for action in &new {
        assert!(page.body.contains(action), "{action} on the audit page");
    }
    assert!(
        page.body.contains("Testshire Council"),
        "settings change shows its new value"
    );
    // The last admin cannot disable themself.
    let me = store
        .user_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    c.get("/admin/users").await;
    let r = c.post(&format!("/admin/users/{me}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(!store.user_by_id(me).await.unwrap().unwrap().disabled);
    scratch.remove().await;
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let officer = store
        .user_by_email("officer@example.org")
        .await
        .unwrap()
        .unwrap();
    let secret = auth::random_token();
    let t = store
        .create_api_token(
            &Actor::system("test"),
            officer.id,
            "script",
            &auth::token_hash(&secret),
        )
        .await
        .unwrap();
    let mut c = Client::new(&app);
    let bearer = |path: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap()
    };
    let r = c.send(bearer("/api/v1/me")).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["email"], "officer@example.org");
    assert_eq!(v["role"], "officer");
    assert_eq!(
        c.send(bearer("/api/v1/users")).await.status,
        StatusCode::FORBIDDEN,
        "roles apply to tokens too"
    );
    // Bearer calls need no CSRF token (no cookies are involved) but still their role.
    let post = Request::post("/admin/settings")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("council_name=X"))
        .unwrap();
    assert_eq!(c.send(post).await.status, StatusCode::FORBIDDEN);
    store
        .revoke_api_token(&Actor::system("test"), t.id)
        .await
        .unwrap();
    let r = c.send(bearer("/api/v1/me")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("revoked"));
    let wrong = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(c.send(wrong).await.status, StatusCode::UNAUTHORIZED);
    // Admin API with a session.
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    let r = a.get("/api/v1/audit?object_type=api_token").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    let r = a.get("/api/v1/users").await;
    assert!(!r.body.contains("argon2"), "hashes never leave the server");
    scratch.remove().await;
}

#[tokio::test]
async fn errors_are_pages_in_the_layout() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("admin@example.org", PASSWORD).await;
    let r = c.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("Page not found")
            && r.body.contains("lv-header")
            && r.body.contains("admin@example.org")
    );
    let r = c.get("/api/v1/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.content_type.starts_with("application/json"));
    // A broken database gives the 500 page, in the layout, with no internal detail.
    store.close().await;
    let r = c.get("/admin/users").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        r.body
            .contains("Sorry, there is a problem with the service")
            && r.body.contains("lv-header")
    );
    assert!(!r.body.to_lowercase().contains("sqlx") && !r.body.contains("pool"));
    scratch.remove().await;
}

#[tokio::test]
async fn pages_carry_security_headers_and_no_open_redirects() {
    let (_store, scratch, app) = setup(WebConfig::default()).await;
    let resp = app
        .clone()
        .oneshot(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let h = resp.headers();
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let mut c = Client::new(&app);
    c.get("/sign-in").await;
    let r = c
        .post(
            "/sign-in",
            &[
                ("email", "viewer@example.org"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
    scratch.remove().await;
}

#[tokio::test]
async fn places_find_postcodes_and_profile_areas() {
    use levers_geo::block::encode_block;
    use levers_store::geo::GeoCounts;
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("viewer@example.org", PASSWORD).await;
    // Before any import the page says so.
    assert!(
        c.get("/places")
            .await
            .body
            .contains("No geography is loaded yet")
    );
    let files = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
         X01000001,Testham 001A,X07000009,Testham,\"1,000\",1\nX01000002,Testham 001B,X07000009,Testham,\"31,000\",10\n",
        "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXT1 1AA,XT1 1AA,,X07000009,X05000009,X01000001,X01000001,54.0,-3.3\n",
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
    // The index is rebuilt because the data changed.
    let r = c.get("/places").await;
    assert!(r.body.contains("href=\"/places/X07000009\""), "{}", r.body);
    let r = c.get("/places?q=xt1++1aa").await;
    assert_eq!(r.location.as_deref(), Some("/places/postcode/XT11AA"));
    let r = c.get("/places/postcode/XT11AA").await;
    assert!(
        r.body.contains("XT1 1AA") && r.body.contains("Decile 1"),
        "{}",
        r.body
    );
    let r = c.get("/places?q=X07000009").await;
    assert_eq!(r.location.as_deref(), Some("/places/X07000009"));
    let r = c.get("/places/X07000009").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("<svg") && r.body.contains("<desc id=\"imd2019-desc\">1: 1; 2: 0"),
        "chart with its data"
    );
    assert!(
        r.body.contains(
            "<caption class=\"lv-table__caption\">Neighbourhoods (LSOAs) by IMD decile</caption>"
        ),
        "and a table"
    );
    let r = c.get("/places?q=nonsense!").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter a postcode, like PR1 2HE"));
    assert_eq!(
        c.get("/places/X07999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/admin/geography").await.status,
        StatusCode::FORBIDDEN
    );
    let mut a = Client::new(&app);
    a.sign_in("admin@example.org", PASSWORD).await;
    let r = a.get("/admin/geography").await;
    assert!(r.body.contains("f1.csv") && r.body.contains("onspd"));
    scratch.remove().await;
}

/// Builds a multipart body with the CSRF token first, then the fields, then the file.
fn multipart(
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (String, Vec<u8>) {
    let boundary = "levers-test-boundary";
    let mut b = Vec::new();
    let mut part = |head: String, value: &[u8]| {
        b.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        b.extend_from_slice(value);
        b.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"csrf_token\"".into(),
        csrf.as_bytes(),
    );
    for (k, v) in fields {
        part(
            format!("Content-Disposition: form-data; name=\"{k}\""),
            v.as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        part(
            format!(
                "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv"
            ),
            data,
        );
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

#[tokio::test]
async fn spend_upload_check_correct_import_and_undo() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(c.get("/procurement/upload").await.status, StatusCode::OK);
    // A file whose amount column has a header the synonym table does not know: "Value (GBP)" is read
    // only once the officer says so. A preamble line and a grand total row come with it.
    let file = "Spending report,,,\nPaid,Payee,Value (GBP),Ref\n01/04/2024,Acme Ltd,\"1,200.00\",A1\n02/04/2024,Beta CIC,300.50,A2\n,,\"1,500.50\",\n";
    let upload = |csrf: String, data: &'static str| {
        let (ct, body) = multipart(
            &csrf,
            &[("body", "Testshire Council")],
            Some(("april.csv", data.as_bytes())),
        );
        Request::post("/procurement/upload")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    // Without the token the upload is refused.
    let (ct, body) = multipart("wrong", &[("body", "X")], Some(("a.csv", b"a")));
    let mut req = Request::post("/procurement/upload")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    let mut req = upload(c.csrf.clone(), file);
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let review = r.location.unwrap();
    let page = c.get(&review).await;
    let detected = page.body.contains("Import 2 payments");
    let mut fields = vec![
        ("map_date", "Paid"),
        ("map_supplier_name", "Payee"),
        ("map_amount", "Value (GBP)"),
        ("map_transaction_number", "Ref"),
    ];
    let rechecked = c.post(&format!("{review}/check"), &fields).await;
    assert_eq!(rechecked.status, StatusCode::OK, "{}", rechecked.body);
    assert!(
        rechecked.body.contains("Import 2 payments"),
        "detected before: {detected}; {}",
        rechecked.body
    );
    assert!(rechecked.body.contains("£1,500.50"));
    assert!(rechecked.body.contains("Acme Ltd"), "first rows shown");
    fields.push(("map_expense_area", ""));
    let imported = c.post(&format!("{review}/import"), &fields).await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER);
    let detail = imported.location.unwrap();
    let page = c.get(&detail).await;
    assert!(
        page.body.contains("£1,500.50") && page.body.contains("Undo this import"),
        "{}",
        page.body
    );
    assert_eq!(
        store
            .spend_totals("Testshire Council", None)
            .await
            .unwrap()
            .1
            .pence(),
        150_050
    );
    // The mapping is remembered: the same layout next month needs no correction.
    let may = "Spending report,,,\nPaid,Payee,Value (GBP),Ref\n01/05/2024,Acme Ltd,10.00,B1\n";
    c.get("/procurement/upload").await;
    let mut req = upload(c.csrf.clone(), may);
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let review2 = c.send(req).await.location.unwrap();
    assert!(c.get(&review2).await.body.contains("Import 1 payments"));
    // Uploading April again says it is already there, and importing adds nothing.
    c.get("/procurement/upload").await;
    let mut req = upload(c.csrf.clone(), file);
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let review3 = c.send(req).await.location.unwrap();
    assert!(c.get(&review3).await.body.contains("already imported"));
    let again = c.post(&format!("{review3}/import"), &[]).await;
    assert_eq!(again.location.as_deref(), Some(detail.as_str()));
    assert_eq!(store.spend_imports().await.unwrap().len(), 1);
    // The list shows it; a viewer can look but not change.
    assert!(
        c.get("/procurement/imports")
            .await
            .body
            .contains("april.csv")
    );
    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    assert!(!v.get(&detail).await.body.contains("Undo this import"));
    assert_eq!(
        v.get("/procurement/upload").await.status,
        StatusCode::FORBIDDEN
    );
    v.get("/").await;
    assert_eq!(
        v.post(&format!("{detail}/undo"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Undo, audited.
    c.get(&detail).await;
    assert_eq!(
        c.post(&format!("{detail}/undo"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        store
            .spend_totals("Testshire Council", None)
            .await
            .unwrap()
            .0,
        0
    );
    assert!(c.get(&detail).await.body.contains("This import was undone"));
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("spend_import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["spend.undo", "spend.import"]
    );
    assert_eq!(audit[1].actor, "officer@example.org");
    // Another officer cannot see someone else's staged upload.
    let mut o2 = Client::new(&app);
    o2.sign_in("admin@example.org", PASSWORD).await;
    assert_eq!(o2.get(&review2).await.status, StatusCode::NOT_FOUND);
    scratch.remove().await;
}

#[tokio::test]
async fn large_bodies_are_refused_except_on_the_upload_page() {
    let config = WebConfig {
        max_body_bytes: 3 * 1024 * 1024,
        ..WebConfig::default()
    };
    let (_store, scratch, app) = setup(config).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    c.get("/admin/settings").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c.post("/account/password", &[("current", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The upload page takes up to its configured limit, and no more.
    c.get("/procurement/upload").await;
    let data = format!(
        "Date,Supplier,Amount\n{}",
        "01/04/2024,Acme Ltd,1.00\n".repeat(90_000)
    );
    assert!(data.len() > 2 * 1024 * 1024 && data.len() < 3 * 1024 * 1024);
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Big Council")],
        Some(("big.csv", data.as_bytes())),
    );
    let mut req = Request::post("/procurement/upload")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    assert_eq!(c.send(req).await.status, StatusCode::SEE_OTHER);
    let huge = "y".repeat(4 * 1024 * 1024);
    let (ct, body) = multipart(
        &c.csrf,
        &[("body", "Big Council")],
        Some(("huge.csv", huge.as_bytes())),
    );
    let mut req = Request::post("/procurement/upload")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    assert_eq!(c.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    // An anonymous post with no CSRF cookie is refused before its body is read.
    let mut anon = Client::new(&app);
    let r = anon.post_raw("/sign-in", &[("email", &big)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    scratch.remove().await;
}

/// A download: its content type and bytes (the client reads pages as text).
async fn get_bytes(c: &Client, path: &str) -> (String, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, c.cookie_header())
        .body(Body::empty())
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map_or(String::new(), |v| v.to_str().unwrap().to_string());
    (
        ct,
        to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
}

/// Appraisals through the web: an officer imports a library, builds an appraisal with forms (a cost,
/// an outcome, a value chosen from the library, a value entered), sees results, downloads XLSX and
/// TOML, compares two; a viewer reads but cannot change; bad input is shown back with its errors;
/// a pooled budget reports contributions, spend and benefit shares; every change is audited.
#[tokio::test]
async fn appraisal_builder_results_export_compare_and_pool() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let mut c = Client::new(&app);
    c.sign_in("officer@example.org", PASSWORD).await;
    assert_eq!(
        c.get("/community-budgets/unit-costs").await.status,
        StatusCode::OK
    );
    let lib = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,social_value,social_price_year\n\
               HO1.0,Average fiscal cost of a complex eviction,Per incident,Local authority,6680,2010/11,,\n\
               WB1,Wellbeing of keeping a home,Per household,,,,1000,2019/20\n";
    let (ct, body) = multipart(
        &c.csrf,
        &[("name", "Test library")],
        Some(("lib.csv", lib.as_bytes())),
    );
    let mut req = Request::post("/community-budgets/unit-costs")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
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
    let r = c.get("/community-budgets/unit-costs?q=eviction").await;
    assert!(
        r.body.contains("HO1.0") && !r.body.contains("WB1</td>"),
        "{}",
        r.body
    );

    // Start, with an error first: the name is kept and the error shown.
    c.get("/community-budgets/appraisals").await;
    let r = c
        .post(
            "/community-budgets/appraisals",
            &[("name", ""), ("price_base", "2019/20")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter a name for the intervention"));
    let r = c
        .post(
            "/community-budgets/appraisals",
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
        ">5 (from 10 gross",
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
            "/community-budgets/appraisals",
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
        .get(&format!(
            "/community-budgets/appraisals/compare?a={id}&b={other}"
        ))
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
        &format!("/community-budgets/appraisals/compare?a={id}&b={other}&format=xlsx"),
    )
    .await;
    assert!(ct.contains("spreadsheetml") && bytes.starts_with(b"PK"));

    // A pooled budget.
    let r = c
        .post("/community-budgets/pools", &[("name", "Test pool")])
        .await;
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

// ---------------------------------------------------------------------------------------------
// Co-production

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
    let imp = post_multipart(
        &mut c,
        "/co-production/register/import",
        ("reg.csv", csv.as_bytes()),
    )
    .await;
    assert_eq!(imp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        imp.body.contains("3 rows read") || imp.body.contains("2 = 1 kept + 1 rejected"),
        "{}",
        imp.body
    );
    assert!(
        imp.body
            .contains("<td class=\"lv-num\">3</td><td>rung</td>"),
        "{}",
        imp.body
    );
    assert_eq!(store.coproduction_activities().await.unwrap().len(), 2);
    let not_csv = post_multipart(
        &mut c,
        "/co-production/register/import",
        ("x.csv", b"name,age\nx,1\n"),
    )
    .await;
    assert_eq!(not_csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_csv
            .body
            .contains("line 1: the header lacks the column(s) reference")
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
