//! The crate's error type.
//!
//! Messages are lowercase without a trailing period, never repeat their
//! source, and never carry the master SSO password, a request or response
//! body, a query string or a ticket.

use rescue_sso_transport::TransportError;

/// Everything that can go wrong getting a ticket.
///
/// [`Error::Protocol`] is Rescue's answer (or a malformed one): retrying will
/// not help. [`Error::Config`] is a setup mistake. The connection variants
/// are worth a retry later.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rescue refused the request, or its answer was not a valid one
    /// (including bodies over the cap).
    #[error("rescue sso protocol error")]
    Protocol(#[from] rescue_sso_proto::Error),
    /// The client could not be built from its settings.
    #[error("invalid client configuration")]
    Config(#[from] TransportError),
    /// No connection could be opened (DNS, refused, unreachable); nothing was
    /// sent.
    #[error("could not connect")]
    Connect(#[source] BoxError),
    /// The TLS handshake failed, for example because the server's
    /// certificate is not trusted.
    #[error("tls handshake failed")]
    Tls(#[source] BoxError),
    /// The proxy refused to open a tunnel (407: its credentials were missing
    /// or refused), or broke the exchange.
    #[error("proxy tunnel failed")]
    Proxy(#[source] BoxError),
    /// Connecting (TCP, the proxy tunnel, the TLS handshake) took longer
    /// than the connect timeout; nothing was sent.
    #[error("connect timed out")]
    ConnectTimeout,
    /// The whole call took longer than the timeout.
    #[error("request timed out")]
    Timeout,
    /// The server closed or reset the connection before a response.
    #[error("connection closed before any response")]
    Closed(#[source] BoxError),
    /// The response started but ended early: a body cut short, or a TLS
    /// connection closed without `close_notify`.
    #[error("connection closed inside the response")]
    Incomplete,
    /// The response was not valid HTTP.
    #[error("malformed http response")]
    InvalidResponse(#[source] BoxError),
    /// Any other failure of the HTTP stack.
    #[error("http error")]
    Http(#[source] BoxError),
}

/// A boxed error source, as hyper and hyper-util report them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
