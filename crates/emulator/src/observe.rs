//! What a test can observe about an emulator.

/// A snapshot of the emulator's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: u64,
    /// TLS handshakes completed, resumed ones included.
    pub tls_handshakes: u64,
    /// TLS handshakes that resumed an earlier session (abbreviated: no
    /// certificate sent or verified).
    pub tls_resumed: u64,
    /// HTTP requests received.
    pub requests: u64,
    /// Tickets issued.
    pub tickets_issued: u64,
    /// Tickets redeemed.
    pub tickets_redeemed: u64,
}

/// One request the emulator received. Values are not kept: a test can see
/// which parameters arrived and whether the password was in the URL, never
/// the password itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The method.
    pub method: http::Method,
    /// The path, as sent.
    pub path: String,
    /// Parameter names from the query string and the form body, in order, as
    /// sent.
    pub param_names: Vec<String>,
    /// Whether a `Password` parameter (any case) was in the query string.
    pub password_in_url: bool,
    /// HTTP/1.1 or HTTP/2.
    pub http_version: http::Version,
    /// The connection it came on: 1 for the first the emulator accepted.
    pub connection: u64,
}
