//! Signing in and out, and changing one's own password (a one-time password must be changed first).

use crate::AppState;
use crate::auth;
use crate::auth::ClientAddr;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::error::AppError;
use crate::form::Form;
use crate::layout::Chrome;
use crate::layout::FieldError;
pub(crate) use crate::page::chrome;
pub(crate) use crate::page::render;
pub(crate) use crate::page::render_status;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_app::credentials;
use levers_store::Actor;
use levers_store::NewAudit;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirects): a path starting with one
/// `/`, of printable ASCII only (browsers drop tabs and newlines from addresses, so `/\t/evil.example`
/// would become `//evil.example`; a newline could never be sent in a header), with no backslash, and
/// not starting `//` once percent-escapes are decoded. Anything else goes to the home page.
pub(crate) fn safe_next(next: &str) -> &str {
    let printable = next.bytes().all(|b| b.is_ascii_graphic());
    let decoded: String = percent_decode(next);
    let local = |p: &str| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\');
    if printable && local(next) && local(&decoded) {
        next
    } else {
        "/"
    }
}

/// `%XX` escapes decoded (repeatedly, so a doubly escaped `%252F` is seen too), as text.
fn percent_decode(s: &str) -> String {
    let mut cur = s.to_string();
    for _ in 0..3 {
        let bytes = cur.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
            {
                out.push((h * 16 + l) as u8);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        let next = String::from_utf8_lossy(&out).into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur.chars().filter(|c| !c.is_control()).collect()
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<SignInQuery>,
) -> Result<Response, AppError> {
    if identity.user().is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let chrome = chrome(&state, &identity, "", "Sign in").await?;
    render(&SignInPage {
        chrome,
        email: String::new(),
        next: q.next,
        errors: vec![],
        signed_out: q.signed_out.is_some(),
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let email = levers_store::users::normalise_email(&form.email);
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if form.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let mut status = StatusCode::OK;
    if errors.is_empty() {
        let account_key = format!("account:{email}");
        let addr_key = format!("addr:{addr}");
        let window = auth::THROTTLE_WINDOW_SECONDS;
        // The attempt is reserved (counted as a failure) before the password is checked, in one step
        // with the count, so concurrent guesses cannot all slip under the limit.
        let reservation = state
            .store
            .reserve_attempt(
                &[
                    (account_key.as_str(), auth::MAX_ACCOUNT_FAILURES),
                    (addr_key.as_str(), auth::MAX_ADDRESS_FAILURES),
                ],
                window,
            )
            .await?;
        if let Some(reservation) = reservation {
            let user = state.store.user_by_email(&email).await?;
            let ok = match &user {
                Some(u) => {
                    crate::hashing::verify_password(&form.password, &u.password_hash).await?
                        && !u.disabled
                }
                None => {
                    crate::hashing::verify_dummy(&form.password).await?;
                    false
                }
            };
            // A one-time password signs in only for its lifetime after it was set.
            let otp_expired = user.as_ref().is_some_and(|u| {
                u.must_change_password
                    && levers_store::now_unix() - u.updated_at
                        >= state.config.one_time_password_ttl_seconds
            });
            match (ok && !otp_expired, user) {
                (true, Some(user)) => {
                    state.store.release_attempt(reservation).await?;
                    state.store.clear_sign_in_failures(&account_key).await?;
                    let token = credentials::random_token();
                    let csrf = credentials::random_token();
                    state
                        .store
                        .create_session(
                            &credentials::token_hash(&token),
                            user.id,
                            &csrf,
                            state.config.session_ttl_seconds,
                        )
                        .await?;
                    let target = if user.must_change_password {
                        "/account/password"
                    } else {
                        safe_next(&form.next)
                    };
                    let secure = state.config.secure_cookies;
                    let mut resp = Redirect::to(target).into_response();
                    resp.headers_mut().append(
                        header::SET_COOKIE,
                        auth::set_cookie(auth::session_cookie_name(secure), &token, secure, None),
                    );
                    return Ok(resp);
                }
                _ => {
                    // The reservation stands as the failure.
                    if state
                        .store
                        .recent_sign_in_failures(&account_key, window)
                        .await?
                        == auth::MAX_ACCOUNT_FAILURES
                    {
                        state
                            .store
                            .audit(
                                &Actor::system("sign-in"),
                                NewAudit::new("auth.lockout", "auth", &email).after(
                                    serde_json::json!({"address": addr, "minutes": window / 60}),
                                ),
                            )
                            .await?;
                    }
                    status = StatusCode::UNAUTHORIZED;
                    errors.push(FieldError::new(
                        "email",
                        if ok && otp_expired {
                            "Your one-time password has expired: ask an admin to reset your password"
                        } else {
                            "Enter a correct email address and password"
                        },
                    ));
                }
            }
        } else {
            status = StatusCode::TOO_MANY_REQUESTS;
            errors.push(FieldError::new(
                "email",
                "There have been too many failed attempts to sign in. Wait 15 minutes and try again",
            ));
        }
    }
    let chrome = chrome(&state, &identity, "", "Sign in").await?;
    render_status(
        status,
        &SignInPage {
            chrome,
            email: form.email,
            next: form.next,
            errors,
            signed_out: false,
        },
    )
}

pub async fn sign_out(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    if let Identity::Session { session, .. } = &identity {
        state.store.delete_session(&session.token_hash).await?;
    }
    let secure = state.config.secure_cookies;
    let mut resp = Redirect::to("/sign-in?signed_out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::session_cookie_name(secure), "", secure, Some(0)),
    );
    Ok(resp)
}

pub async fn password_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "", "Change your password").await?;
    render(&PasswordPage {
        chrome,
        errors: vec![],
        forced: user.must_change_password,
        changed: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    if form.current.is_empty() {
        errors.push(FieldError::new("current", "Enter your current password"));
    } else if !crate::hashing::verify_password(&form.current, &user.password_hash).await? {
        errors.push(FieldError::new(
            "current",
            "Your current password is not correct",
        ));
    }
    if let Some(problem) = credentials::password_problem(&form.new, &user.email) {
        errors.push(FieldError::new("new", problem));
    } else if form.new == form.current {
        errors.push(FieldError::new(
            "new",
            "Choose a password different from your current one",
        ));
    }
    if errors.is_empty() && form.confirm != form.new {
        errors.push(FieldError::new(
            "confirm",
            "The passwords do not match: enter the same new password twice",
        ));
    }
    let changed = errors.is_empty();
    if changed {
        let hash = crate::hashing::hash_password(&form.new).await?;
        let keep = match &identity {
            Identity::Session { session, .. } => Some(session.token_hash.as_str()),
            _ => None,
        };
        state
            .store
            .set_password(
                &Actor::user(user.id, &user.email),
                user.id,
                &hash,
                false,
                keep,
            )
            .await?;
    }
    let chrome = chrome(&state, &identity, "", "Change your password").await?;
    let status = if changed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &PasswordPage {
            chrome,
            errors,
            forced: !changed && user.must_change_password,
            changed,
        },
    )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub email: String,
    pub next: String,
    pub errors: Vec<FieldError>,
    pub signed_out: bool,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub forced: bool,
    pub changed: bool,
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/admin"), "/admin");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/%09/evil.example"), "/");
        assert_eq!(safe_next("/%2F%2Fevil.example"), "/");
        assert_eq!(safe_next("/%252F/evil.example"), "/");
        assert_eq!(safe_next("/a\nb"), "/");
        assert_eq!(safe_next("/caf\u{e9}"), "/");
        assert_eq!(safe_next("/admin/users?x=%20y"), "/admin/users?x=%20y");
        assert_eq!(safe_next("/100%"), "/100%");
    }
}

crate::layout::field_errors!(SignInPage, PasswordPage);
