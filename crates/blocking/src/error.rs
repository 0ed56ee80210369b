//! The crate's error type.
//!
//! Messages are lowercase without a trailing period, never repeat their
//! source, and never carry the master SSO password, a request or response
//! body, a query string or a ticket.

use rescue_sso_proto::http::StatusCode;
use rescue_sso_transport::TransportError;
use rescue_sso_transport::rustls;

/// Everything that can go wrong getting a ticket.
///
/// Each variant tells a caller what to do about it: [`Error::Protocol`] is
/// Rescue's answer (or a malformed one) and retrying will not help,
/// [`Error::Config`] is a setup mistake, the connection variants are worth a
/// retry later.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Rescue refused the request, or its answer was not a valid one
    /// (including malformed HTTP/1.1 framing and bodies over the cap).
    #[error("rescue sso protocol error")]
    Protocol(#[from] rescue_sso_proto::Error),
    /// The client could not be built from its settings.
    #[error("invalid client configuration")]
    Config(#[from] TransportError),
    /// No connection could be opened (DNS, refused, unreachable); nothing was
    /// sent.
    #[error("could not connect")]
    Connect(#[source] std::io::Error),
    /// The TLS handshake failed, for example because the server's certificate
    /// is not trusted.
    #[error("tls handshake failed")]
    Tls(#[source] rustls::Error),
    /// The proxy refused to open a tunnel, or broke the exchange.
    #[error("proxy tunnel failed")]
    Proxy(#[source] ProxyError),
    /// Connecting (TCP, proxy tunnel and TLS handshake) took longer than the
    /// connect timeout.
    #[error("connect timed out")]
    ConnectTimeout,
    /// The whole call took longer than the timeout.
    #[error("request timed out")]
    Timeout,
    /// The server closed or reset the connection before any response byte.
    #[error("connection closed before any response")]
    Closed,
    /// The response started but ended early: a body cut short, or a TLS
    /// connection closed without `close_notify`, which could be a truncation
    /// attack.
    #[error("connection closed inside the response")]
    Incomplete,
    /// Any other I/O failure.
    #[error("i/o error")]
    Io(#[source] std::io::Error),
}

/// Why a proxy did not open a tunnel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The proxy answered `CONNECT` with a status other than 2xx; 407 means
    /// its credentials were missing or refused.
    #[error("proxy answered status {}", .0.as_u16())]
    Status(StatusCode),
    /// The proxy's answer was not valid HTTP/1.1.
    #[error("malformed proxy answer")]
    Malformed(#[source] rescue_sso_proto::http1::Error),
    /// The proxy closed the connection before answering.
    #[error("proxy closed the connection")]
    Closed,
}
