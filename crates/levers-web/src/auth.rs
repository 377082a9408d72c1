//! Who is asking: passwords (argon2), session and API tokens, CSRF protection and role checks.
//!
//! Sessions: a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS); the
//! database keeps only its SHA-256. CSRF: every state-changing request must carry the session's token
//! (form field `csrf_token` or header `X-CSRF-Token`); before sign-in, a double-submit cookie plays the
//! same part. Bearer-token API calls carry no cookies and so need no CSRF token.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use levers_store::{Actor, Role, User};

use levers_app::credentials::{random_token, token_hash};

use crate::AppState;
use crate::error::AppError;
pub use crate::identity::{ClientAddr, CurrentUser, Identity};

/// Failed sign-ins are counted over this window.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Failures on one account within the window before it is locked for the rest of the window.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failures from one address within the window before that address is refused.
pub const MAX_ADDRESS_FAILURES: i64 = 20;

const CSRF_COOKIE: &str = "levers_csrf";

/// Compares secrets in time independent of where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session cookie's name: `__Host-` prefixed when cookies are Secure (pins it to this host and path).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-levers_session"
    } else {
        "levers_session"
    }
}

/// A `Set-Cookie` value with the attributes levers always uses.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The client's address: the connection's peer, or with `trusted` proxies in front, the address the
/// outermost of them added to `X-Forwarded-For` (the `trusted`-th from the right, across every
/// `X-Forwarded-For` header in order). Addresses to its left are the client's own words and ignored.
/// A header with fewer addresses than trusted proxies gives its leftmost one (all were added by
/// proxies). Without `--trust-proxy`, a request carrying the header warns once in the log: behind a
/// proxy every visitor would otherwise share the proxy's address, and its throttles.
pub(crate) fn client_addr(headers: &HeaderMap, peer: Option<SocketAddr>, trusted: usize) -> String {
    let peer = || peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string());
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    if trusted == 0 {
        if !hops.is_empty() {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "warning: requests carry X-Forwarded-For but levers runs without --trust-proxy: if a reverse proxy forwards to levers, every visitor shares its address and its sign-in and voting-code throttles (30 bad codes lock everyone out for 15 minutes). Run with --trust-proxy N, N the number of proxies you run in front of levers."
                );
            });
        }
        return peer();
    }
    match hops.len() {
        0 => peer(),
        n => hops[n.saturating_sub(trusted)].to_string(),
    }
}

/// Middleware on every route: works out the [`Identity`], and refuses (403) a state-changing request
/// whose CSRF token is missing or wrong.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match identify_inner(state, req, next).await {
        Ok(r) | Err(r) => r,
    }
}

async fn identify_inner(state: AppState, req: Request, next: Next) -> Result<Response, Response> {
    let secure = state.config.secure_cookies;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0);
    let addr = client_addr(req.headers(), peer, state.config.trust_proxy);
    let headers = req.headers().clone();

    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let mut new_csrf_cookie = None;
    let identity = if let Some(token) = bearer {
        match state.store.api_token_user(&token_hash(token)).await {
            Ok(Some(user)) => Identity::Bearer { user },
            Ok(None) => return Err(AppError::BadToken.into_response()),
            Err(e) => return Err(AppError::from(e).into_response()),
        }
    } else {
        let session = match cookie(&headers, session_cookie_name(secure)) {
            Some(token) => state
                .store
                .session_user(&token_hash(token), state.config.session_ttl_seconds)
                .await
                .map_err(|e| AppError::from(e).into_response())?,
            None => None,
        };
        // However active, a session ends at its absolute maximum age.
        let session = match session {
            Some((session, _))
                if levers_store::now_unix() - session.created_at
                    >= state.config.session_max_seconds =>
            {
                state
                    .store
                    .delete_session(&session.token_hash)
                    .await
                    .map_err(|e| AppError::from(e).into_response())?;
                None
            }
            other => other,
        };
        match session {
            Some((session, user)) => Identity::Session { session, user },
            None => {
                let csrf = match cookie(&headers, CSRF_COOKIE) {
                    Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        c.to_string()
                    }
                    _ => {
                        let c = random_token();
                        new_csrf_cookie = Some(c.clone());
                        c
                    }
                };
                Identity::Anonymous { csrf }
            }
        }
    };

    let mut req = req;
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !matches!(identity, Identity::Bearer { .. }) {
        // A token we minted just now cannot be in a form the client already submitted: refuse before
        // reading any of the body.
        let Some(expected) = (if new_csrf_cookie.is_some() {
            None
        } else {
            Some(identity.csrf().to_string())
        }) else {
            return Err(AppError::Csrf.into_response());
        };
        // Upload routes take their own limit (one table, in upload.rs); everything else is a small
        // form. The body is read once, here.
        let limit = crate::upload::route_limit(req.uri().path(), state.config.max_body_bytes)
            .unwrap_or(crate::FORM_LIMIT_BYTES);
        let streamed = crate::upload::streamed(req.uri().path());
        let (parts, body) = req.into_parts();
        // A streamed upload is read only as far as its token (the first few parts); the rest
        // follows on to the route as it arrives.
        let (bytes, rest) = if streamed {
            let (head, rest) = body_head(body, parts.headers.get(header::CONTENT_TYPE)).await?;
            (head, Some(rest))
        } else {
            let bytes = to_bytes(body, limit)
                .await
                .map_err(|_| AppError::TooLarge.into_response())?;
            (bytes, None)
        };
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                if content_type.starts_with("application/x-www-form-urlencoded") {
                    form_urlencoded::parse(&bytes)
                        .find(|(k, _)| k == "csrf_token")
                        .map(|(_, v)| v.into_owned())
                } else if content_type.starts_with("multipart/form-data") {
                    multipart_field(content_type, &bytes, "csrf_token")
                } else {
                    None
                }
            });
        let valid = sent
            .as_deref()
            .is_some_and(|s| constant_time_eq(&expected, s));
        if !valid {
            return Err(AppError::Csrf.into_response());
        }
        req = match rest {
            Some(rest) => {
                let head = futures_util::stream::once(async move { Ok::<_, axum::Error>(bytes) });
                Request::from_parts(parts, Body::from_stream(head.chain(rest)))
            }
            None => Request::from_parts(parts, Body::from(bytes)),
        };
    }

    req.extensions_mut().insert(identity);
    req.extensions_mut().insert(ClientAddr(addr));
    let mut resp = next.run(req).await;
    if secure {
        // Served over HTTPS: browsers keep to HTTPS for a year.
        resp.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if let Some(c) = new_csrf_cookie {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &c, secure, None),
        );
    }
    Ok(resp)
}

/// The start of a streamed upload's body: read until it holds the CSRF token's part (forms send it
/// first) or 64 KiB, whichever comes first; returns it and the rest of the body still to come.
async fn body_head(
    body: Body,
    content_type: Option<&HeaderValue>,
) -> Result<(axum::body::Bytes, axum::body::BodyDataStream), Response> {
    let content_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut rest = body.into_data_stream();
    let mut head = Vec::new();
    while head.len() < 64 * 1024 {
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(AppError::TooLarge.into_response()),
            None => break,
        }
        if multipart_field(content_type, &head, "csrf_token").is_some() {
            break;
        }
    }
    Ok((head.into(), rest))
}

/// The value of a small text field in a `multipart/form-data` body (forms put `csrf_token` first).
fn multipart_field(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut rest = body;
    // Look only at the first few parts: the token comes before any file.
    for _ in 0..8 {
        let start = find(rest, delim.as_bytes())? + delim.len();
        rest = &rest[start..];
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let value_start = head_end + 4;
        let value_end = value_start + find(&rest[value_start..], delim.as_bytes())?;
        if head.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition") && l.contains(&wanted)
        }) {
            let v = &rest[value_start..value_end];
            let v = v.strip_suffix(b"\r\n").unwrap_or(v);
            return std::str::from_utf8(v).ok().map(str::to_string);
        }
        rest = &rest[value_end..];
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A middleware that lets a request through only for accounts with at least `role`. Anonymous visitors
/// to pages are sent to sign-in (API callers get 401); signed-in accounts without the role get 403.
/// Accounts that must change their password are sent to do so first.
pub fn require(
    role: Role,
) -> impl Fn(Request, Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>
+ Clone
+ Send
+ Sync
+ 'static {
    move |req: Request, next: Next| {
        Box::pin(async move {
            let is_api = req.uri().path().starts_with("/api/");
            let user = req
                .extensions()
                .get::<Identity>()
                .and_then(Identity::user)
                .cloned();
            match user {
                None if is_api => AppError::Unauthenticated.json(),
                None => {
                    let next_path = req
                        .uri()
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_string();
                    let target = format!(
                        "/sign-in?next={}",
                        form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
                    );
                    Redirect::to(&target).into_response()
                }
                Some(u) if !u.role.allows(role) && is_api => AppError::Forbidden.json(),
                Some(u) if !u.role.allows(role) => AppError::Forbidden.into_response(),
                Some(u) if u.must_change_password && is_api => {
                    AppError::PasswordChangeRequired.json()
                }
                Some(u)
                    if u.must_change_password
                        && !is_api
                        && req.uri().path() != "/account/password"
                        && req.uri().path() != "/sign-out" =>
                {
                    Redirect::to("/account/password").into_response()
                }
                Some(_) => next.run(req).await,
            }
        })
    }
}

/// Who an account's changes are recorded as in the audit log.
pub(crate) fn actor(u: &User) -> Actor {
    Actor::user(u.id, &u.email)
}

/// Refuses (403) an account that is not at least an officer: the check every page that changes
/// data makes on top of its route group's role.
pub(crate) fn require_officer(u: &User) -> Result<(), AppError> {
    if u.role.allows(Role::Officer) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses (403) an account that is not an admin: the check of admin-only choices (publishing,
/// ledger settings) made inside route groups open to officers or viewers.
pub(crate) fn require_admin(u: &User) -> Result<(), AppError> {
    if u.role.allows(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; levers_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, "levers_session"), Some("tok"));
        assert_eq!(cookie(&h, "missing"), None);
        let c = set_cookie("n", "v", true, Some(0));
        assert_eq!(
            c.to_str().unwrap(),
            "n=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0"
        );
    }

    #[test]
    fn csrf_token_is_found_in_multipart_forms() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nDate,Amount\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field("multipart/form-data; boundary=XyZ", body, "csrf_token").as_deref(),
            Some("abc123")
        );
        assert_eq!(
            multipart_field("multipart/form-data; boundary=XyZ", body, "other"),
            None
        );
        assert_eq!(
            multipart_field("multipart/form-data", body, "csrf_token"),
            None
        );
    }
}

#[cfg(test)]
mod proxy_tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_trusted_hop_is_counted_from_the_right() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let h = headers(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(client_addr(&h, Some(peer), 0), "10.0.0.1");
        assert_eq!(client_addr(&h, Some(peer), 1), "203.0.113.9");
        assert_eq!(client_addr(&h, Some(peer), 2), "6.6.6.6");
        assert_eq!(client_addr(&h, Some(peer), 5), "6.6.6.6");
        // Several headers are one list, in order.
        let h = headers(&["6.6.6.6", "203.0.113.9, 10.1.1.1"]);
        assert_eq!(client_addr(&h, Some(peer), 2), "203.0.113.9");
        assert_eq!(client_addr(&HeaderMap::new(), Some(peer), 1), "10.0.0.1");
        assert_eq!(client_addr(&HeaderMap::new(), None, 1), "unknown");
    }
}
