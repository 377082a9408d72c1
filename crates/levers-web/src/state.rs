//! What every handler can reach ([`AppState`]) and how the app is configured ([`WebConfig`]).

use std::sync::Arc;

use levers_store::Store;

use levers_app::geo::GeoCache;
use levers_app::procurement::PaymentsCache;

/// How the web app behaves; set from the command line.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (and use the `__Host-` prefix): on whenever the app is reached over HTTPS.
    pub secure_cookies: bool,
    /// How many reverse proxies you run in front of levers, each appending the address it saw to
    /// `X-Forwarded-For`. 0 (the default): the header is ignored and the client is the connection's
    /// peer. N: the client is the N-th address from the right of `X-Forwarded-For` (the one the
    /// outermost trusted proxy added); addresses further left were written by the client and are
    /// never used.
    pub trust_proxy: usize,
    /// A session ends after this many seconds without a request.
    pub session_ttl_seconds: i64,
    /// A session ends this many seconds after sign-in however active it is.
    pub session_max_seconds: i64,
    /// The address residents reach levers at (`https://levers.example.gov.uk`), printed on voting-code
    /// sheets; never taken from a request's Host header. Absent: the sheets print the path alone.
    pub public_url: Option<String>,
    /// A one-time password (a new account's, or one an admin reset) signs in for this long after it
    /// was set; then an admin must issue a new one.
    pub one_time_password_ttl_seconds: i64,
    /// The largest request body accepted, in bytes (uploads included).
    pub max_body_bytes: usize,
    /// Shown in a banner on every page when the data is synthetic.
    pub demo: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: 0,
            session_ttl_seconds: 8 * 3600,
            one_time_password_ttl_seconds: 7 * 24 * 3600,
            session_max_seconds: 24 * 3600,
            public_url: None,
            max_body_bytes: crate::upload::SPEND_FILE_BYTES,
            demo: false,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// This process's read-only copy of the geography index.
    pub geo: Arc<GeoCache>,
    /// Years of payments read for the procurement analysis, until the payments change.
    pub payments: Arc<PaymentsCache>,
}

/// The largest body any form other than the upload page may send.
pub const FORM_LIMIT_BYTES: usize = 1024 * 1024;
