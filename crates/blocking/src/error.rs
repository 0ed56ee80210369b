//! The crate's error type.
//!
//! Messages are lowercase without a trailing period, never repeat their
//! source, and never carry the master SSO password, a request or response
//! body, a query string or a ticket.

use rescue_sso_client_core::{ConfigError, ErrorKind, ProxyError, TlsError};

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong getting a ticket.
///
/// [`Error::kind`] sorts it the way both adapters do, for code that acts on
/// failures (the same server behaviour gives the same kind whichever adapter
/// made the call); the variant and its source chain are the detail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rescue refused the request ([`ErrorKind::Refused`]), or its answer
    /// was not a valid one ([`ErrorKind::InvalidAnswer`]): malformed HTTP/1.1
    /// framing, a status, a redirect, a body that is no answer, a ticket URL
    /// that failed validation. Retrying will not help; the inner error says
    /// which.
    #[error("rescue sso protocol error")]
    Protocol(#[from] rescue_sso_proto::Error),
    /// The client could not be built from its settings: fix them.
    #[error("invalid client configuration")]
    Config(#[from] ConfigError),
    /// No connection could be opened: the name did not resolve, or the
    /// connection was refused or unreachable (the proxy's too). Nothing was
    /// sent; worth a retry later.
    #[error("could not connect")]
    Connect(#[source] std::io::Error),
    /// The TLS handshake failed; the source says why, in plain words (an
    /// untrusted issuer, an expired certificate, a wrong name).
    #[error("tls handshake failed")]
    Tls(#[source] TlsError),
    /// The proxy refused to open a tunnel (407: its credentials were missing
    /// or refused), or answered something else than HTTP.
    #[error("proxy tunnel failed")]
    Proxy(#[source] ProxyError),
    /// Connecting (name resolution, TCP, the proxy tunnel, the TLS
    /// handshake) took longer than the connect timeout; nothing was sent.
    #[error("connect timed out")]
    ConnectTimeout,
    /// The whole call took longer than its deadline.
    #[error("request timed out")]
    Timeout,
    /// The server closed or reset the connection before any byte of an
    /// answer. It may have seen the request: a request that was written
    /// whole is never sent again.
    #[error("connection closed before any response")]
    Closed(#[source] BoxError),
    /// The answer started but ended early: a body cut short, or a TLS
    /// connection closed without `close_notify`, which could be a
    /// truncation attack.
    #[error("connection closed inside the response")]
    Incomplete(#[source] BoxError),
}

impl Error {
    /// What kind of failure this is; the same in both adapters for the same
    /// behaviour of a server.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Protocol(err) => ErrorKind::of_protocol(err),
            Error::Config(_) => ErrorKind::Config,
            Error::Connect(_) => ErrorKind::Connect,
            Error::Tls(_) => ErrorKind::Tls,
            Error::Proxy(_) => ErrorKind::Proxy,
            Error::ConnectTimeout | Error::Timeout => ErrorKind::Timeout,
            Error::Closed(_) => ErrorKind::Closed,
            Error::Incomplete(_) => ErrorKind::Incomplete,
        }
    }

    /// The protocol error, when Rescue refused or the answer was invalid.
    pub fn protocol(&self) -> Option<&rescue_sso_proto::Error> {
        match self {
            Error::Protocol(err) => Some(err),
            _ => None,
        }
    }
}
