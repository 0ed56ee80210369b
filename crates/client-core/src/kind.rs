//! The error kinds both adapters share.

use std::fmt;

/// What kind of failure an adapter's error is.
///
/// Both adapters answer the same kind for the same behaviour of a server,
/// whichever of them made the call, so a caller (the command line, a
/// gateway) maps kinds to what it does once. The adapter's own error stays
/// the detail, with the transport's error as its `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client or the request could not be built from the caller's
    /// settings or values: fix the configuration. Nothing was sent.
    Config,
    /// No connection could be opened: the name did not resolve, or the
    /// connection was refused or unreachable. Nothing was sent; worth a
    /// retry later.
    Connect,
    /// The TLS handshake failed, most often because the server's
    /// certificate is not trusted. Nothing was sent. Retrying will not help
    /// until the trust settings (or the server) change.
    Tls,
    /// The HTTP proxy refused to open a tunnel, or broke it. Nothing was
    /// sent to Rescue.
    Proxy,
    /// The connect timeout or the call's deadline passed. Rescue may or may
    /// not have seen the request.
    Timeout,
    /// The connection was closed or reset before any response byte. The
    /// server may have seen the request.
    Closed,
    /// The response started but ended early (a body cut short, a TLS close
    /// without `close_notify`, a stream reset mid-answer).
    Incomplete,
    /// An answer arrived and was refused: malformed or oversized HTTP, a
    /// status, redirect or body that is not a Rescue answer, a ticket URL
    /// that failed validation. Usually a proxy or load balancer answering
    /// in Rescue's place.
    InvalidAnswer,
    /// Rescue understood the request and refused it (`INVALIDPASSWORD` and
    /// the like): the adapter's protocol error says which.
    Refused,
}

impl ErrorKind {
    /// A short, stable, lowercase name (`"timeout"`, `"invalid_answer"`),
    /// for logs and machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::Proxy => "proxy",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Closed => "closed",
            ErrorKind::Incomplete => "incomplete",
            ErrorKind::InvalidAnswer => "invalid_answer",
            ErrorKind::Refused => "refused",
        }
    }

    /// The kind of a protocol crate error: a refusal, a bad value or
    /// endpoint, or an answer that was not a valid one.
    pub fn of_protocol(err: &rescue_sso_proto::Error) -> ErrorKind {
        use rescue_sso_proto::Error as E;
        match err {
            E::Rescue(_) => ErrorKind::Refused,
            E::Input(_) | E::Endpoint(_) | E::Encode => ErrorKind::Config,
            E::Http1(rescue_sso_proto::http1::Error::NoResponse) => ErrorKind::Closed,
            E::Http1(rescue_sso_proto::http1::Error::Incomplete) => ErrorKind::Incomplete,
            _ => ErrorKind::InvalidAnswer,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
