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

#[path = "web/appraisal.rs"]
mod appraisal;
#[path = "web/community_budgets.rs"]
mod community_budgets;
#[path = "web/contracts.rs"]
mod contracts;
#[path = "web/coproduction.rs"]
mod coproduction;
#[path = "web/first_day.rs"]
mod first_day;
#[path = "web/hardening.rs"]
mod hardening;
#[path = "web/places.rs"]
mod places;
#[path = "web/procurement.rs"]
mod procurement;
#[path = "web/publishing.rs"]
mod publishing;
#[path = "web/scale_out.rs"]
mod scale_out;
#[path = "web/uploads.rs"]
mod uploads;

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

    /// A download's bytes (which need not be text), asserting it answered 200.
    async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
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

/// Follows a background job's page (refreshing while it runs) to how it ends: the redirect to its
/// result (303) or its failure page (200, no refresh).
async fn job_outcome(c: &mut Client, started: Reply) -> Reply {
    let job = started.location.expect("a job's page");
    assert!(job.starts_with("/jobs/"), "{job}");
    for _ in 0..500 {
        let r = c.get(&job).await;
        if r.status == StatusCode::SEE_OTHER || !r.body.contains("http-equiv=\"refresh\"") {
            return r;
        }
        assert_eq!(r.status, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the job at {job} did not finish");
}

/// As [`job_outcome`] for a job that must succeed: the redirect to its result.
async fn follow_job(c: &mut Client, started: Reply) -> Reply {
    let r = job_outcome(c, started).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the job failed: {}",
        r.body
    );
    r
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

/// The test accounts (admin, officer, viewer, all with `PASSWORD`) on `store`.
async fn add_users(store: &Store) {
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
}

async fn setup(config: WebConfig) -> (Store, Scratch, Router) {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    add_users(&store).await;
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
    assert!(r.body.contains("is named like"), "{}", r.body);
    assert!(r.body.contains("enter a postcode, like PR1 2HE"));
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
    assert!(imported.location.as_deref().unwrap().starts_with("/jobs/"));
    let imported = follow_job(&mut c, imported).await;
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
    assert!(c.get(&review2).await.body.contains("Import 1 payment<"));
    // Uploading April again says it is already there, and importing adds nothing.
    c.get("/procurement/upload").await;
    let mut req = upload(c.csrf.clone(), file);
    req.headers_mut()
        .insert(header::COOKIE, c.cookie_header().parse().unwrap());
    let review3 = c.send(req).await.location.unwrap();
    assert!(c.get(&review3).await.body.contains("already imported"));
    let again = c.post(&format!("{review3}/import"), &[]).await;
    let again = follow_job(&mut c, again).await;
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
