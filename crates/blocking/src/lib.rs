//! A blocking LogMeIn Rescue SSO client, on `std::net` and rustls, with no
//! async runtime.
//!
//! For programs that have no runtime and want none: command-line tools,
//! synchronous web frameworks, scripts. It asks Rescue for a one-time login
//! ticket on behalf of a technician your intranet has already
//! authenticated; you then redirect the technician's browser to the ticket
//! URL.
//!
//! ```
//! use rescue_sso_blocking::proto::{CompanyId, Endpoint, GetDtcLoginTicket, Password, SsoId};
//! use rescue_sso_blocking::{Client, ProxySettings, Roots};
//! # use rescue_sso_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = Emulator::builder().start_background()?;
//! # let emulator_url = emulator.base_url();
//! # let emulator_ca = emulator.ca_pem().unwrap_or_default().to_owned();
//! // In production `Client::new()` is all it takes: the public endpoint,
//! // the operating system's roots, the proxy from HTTPS_PROXY. Here the
//! // client talks to a local emulator and trusts its CA.
//! let client = Client::builder()
//!     .endpoint(Endpoint::new(&emulator_url)?)
//!     .roots(Roots::ExtraOnly)
//!     .add_root_pem(&emulator_ca)
//!     .proxy(ProxySettings::none())
//!     .build()?;
//!
//! let op = GetDtcLoginTicket::new(
//!     SsoId::new("123456")?,
//!     CompanyId::new("654321")?,
//!     Password::new("secretPassword")?,
//! );
//! let ticket = client.dtc_login_ticket(&op)?;
//!
//! // Redirect the technician's browser there (HTTP 302). The URL is a
//! // bearer credential: don't log it; its Debug is redacted.
//! let location = ticket.expose_url();
//! assert!(location.contains("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket="));
//! assert!(!format!("{ticket:?}").contains(&ticket.expose_ticket().to_string()));
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
    fn client_is_shareable_between_threads() {
        assert_send_sync::<Client>();
    }
}
