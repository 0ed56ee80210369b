//! An async LogMeIn Rescue SSO client on hyper, hyper-util and tokio, over
//! rustls.
//!
//! Your intranet has authenticated a technician; this crate asks Rescue for a
//! one-time login ticket on their behalf, and you redirect the technician's
//! browser to it.
//!
//! ```no_run
//! use rescue_sso_hyper::Client;
//! use rescue_sso_hyper::proto::{Arch, CompanyId, GetDtcLoginTicket, Password, SsoId};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // One client for the whole program: it pools connections. Defaults:
//! // https://secure.logmeinrescue.com, POST, the OS roots, HTTPS_PROXY/NO_PROXY,
//! // a 30 s deadline per call.
//! let client = Client::new()?;
//! let op = GetDtcLoginTicket::new(
//!     SsoId::new("123456")?,
//!     CompanyId::new("654321")?,
//!     Password::new(std::env::var("RESCUE_SSO_PASSWORD")?)?,
//! )
//! .arch(Arch::X64);
//! let ticket = client.dtc_login_ticket(&op).await?;
//! // Answer 302 with this Location. It is a bearer credential: never log it.
//! let location = ticket.expose_url();
//! # let _ = location;
//! # Ok(())
//! # }
//! ```
//!
//! # What it does
//!
//! - HTTPS with rustls and the `ring` provider, HTTP/1.1 and HTTP/2 by ALPN:
//!   the operating system's roots by default, the bundled webpki roots on
//!   request, extra PEM roots for corporate TLS inspection. Verification
//!   cannot be turned off.
//! - hyper-util's pooled client: a second ticket reuses the connection and
//!   costs no second TLS handshake.
//! - A connect timeout over TCP, the proxy tunnel and the TLS handshake
//!   ([`Error::ConnectTimeout`]), and a deadline over the whole call
//!   (connect, send, read) so a server that accepts and never answers, or
//!   stalls mid-body, is [`Error::Timeout`].
//! - `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY` (or explicit settings),
//!   decided for each connection, through hyper-util's `CONNECT` tunnel,
//!   with Basic proxy authentication.
//! - No redirects (the request carries the master SSO password); answers
//!   capped at [`proto::MAX_ANSWER_BYTES`].
//! - A `tracing` span `rescue_sso` per call with the operation, host and
//!   method, and events with the status, the time taken and whether a
//!   connection was reused. Never the password, the body, a query string or
//!   a ticket.
//!
//! Encoding, validation and decoding are the [`proto`] crate's; this crate
//! only moves bytes. For programs without an async runtime, see
//! `rescue-sso-blocking`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builder;
mod client;
mod connect;
mod error;

pub use builder::ClientBuilder;
pub use client::Client;
pub use error::{BoxError, Error};
pub use rescue_sso_proto as proto;
pub use rescue_sso_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IDLE_PER_HOST, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
    ErrorKind, MAX_LOOKUPS_IN_FLIGHT, Proxy, ProxyError, ProxySettings, Resolve, Roots, TlsError,
    TlsProblem, TransportError,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        assert_send_sync::<Client>();
    }
}
