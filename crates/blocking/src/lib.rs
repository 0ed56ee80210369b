//! A blocking LogMeIn Rescue SSO client, on `std::net` and rustls, with no
//! async runtime.
//!
//! For programs that have no runtime and want none: command-line tools,
//! synchronous web frameworks, scripts. It asks Rescue for a one-time login
//! ticket on behalf of a technician your intranet has already
//! authenticated; you then redirect the technician's browser to the ticket
//! URL.
//!
//! ```no_run
//! use rescue_sso_blocking::Client;
//! use rescue_sso_blocking::proto::{CompanyId, GetDtcLoginTicket, Password, SsoId};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new()?; // https://secure.logmeinrescue.com, OS roots, HTTPS_PROXY
//! let op = GetDtcLoginTicket::new(
//!     SsoId::new("123456")?,
//!     CompanyId::new("654321")?,
//!     Password::new("secretPassword")?,
//! );
//! let ticket = client.dtc_login_ticket(&op)?;
//! // Send the technician's browser there (HTTP 302); the URL is a bearer
//! // credential, so don't log it.
//! let location = ticket.expose_url();
//! # let _ = location;
//! # Ok(())
//! # }
//! ```
//!
//! # What it does
//!
//! - HTTPS with rustls and the `ring` provider: the operating system's roots
//!   by default, the bundled webpki roots on request, and extra PEM roots for
//!   corporate TLS inspection. Verification cannot be turned off.
//! - One TLS configuration per client, so later connections resume their TLS
//!   session, and a small pool of idle connections, so a second ticket does
//!   not cost a second handshake. A pooled connection the server closed
//!   while it was idle is retried once on a fresh connection.
//! - A connect timeout inside an overall deadline per call, which bounds
//!   every read and write: a stalled server is a [`Error::Timeout`].
//! - `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY`, or an explicit proxy, through
//!   an HTTP `CONNECT` tunnel with optional Basic authentication.
//! - No redirects (the request carries the master SSO password), answers
//!   capped at [`proto::MAX_ANSWER_BYTES`].
//! - A `tracing` span `rescue_sso` per call with the operation, host and
//!   method, and events with the status, the time taken and whether the
//!   connection was reused. Never the password, the request body, a query
//!   string or a ticket.
//!
//! The protocol itself (encoding, the HTTP/1.1 codec, validating Rescue's
//! answer) is the [`proto`] crate's; this crate only moves bytes.
//!
//! Out of scope: HTTP/2, an async API (see `rescue-sso-hyper`), following
//! redirects, SOCKS or `https://` proxies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builder;
mod client;
mod connect;
mod deadline;
mod error;
mod exchange;
mod pool;
mod stream;
mod tunnel;

pub use builder::{ClientBuilder, DEFAULT_MAX_IDLE_PER_HOST, DEFAULT_POOL_IDLE_TIMEOUT};
pub use client::Client;
pub use error::{Error, ProxyError};
pub use rescue_sso_proto as proto;
pub use rescue_sso_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Proxy, ProxySettings, Roots, TransportError,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn client_is_shareable_between_threads() {
        assert_send_sync::<Client>();
    }
}
