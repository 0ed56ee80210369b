//! A blocking LogMeIn Rescue single sign-on client, on `std::net` and rustls,
//! with no async runtime.
//!
//! Your intranet has authenticated a technician; this crate asks Rescue for a
//! one-time login ticket on their behalf (`getDTCLoginTicket`, or
//! `getLoginTicket` for the web console), and you redirect the technician's
//! browser to the URL it returns, which this crate has validated.
//!
//! **Which crate?** This one for programs with no async runtime and no wish
//! for one: command-line tools, synchronous web frameworks, scripts.
//! [`rescue-sso-hyper`](https://docs.rs/rescue-sso-hyper) on tokio: the same
//! options, the same errors, the same [`ErrorKind`]s. [`proto`] (re-exported
//! here) if you bring your own HTTP stack.
//!
//! # Getting a ticket, and every way it can fail
//!
//! ```
//! use rescue_sso_blocking::proto::{CompanyId, Endpoint, GetDtcLoginTicket, Password, SsoId};
//! use rescue_sso_blocking::{Client, ErrorKind, ProxySettings, Roots};
//! # use rescue_sso_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = Emulator::builder().start_background()?;
//! # let emulator_url = emulator.base_url();
//! # let emulator_ca = emulator.ca_pem().unwrap_or_default().to_owned();
//! // In production `Client::new()` is all it takes: the public endpoint, the
//! // operating system's certificate verifier, HTTPS_PROXY/NO_PROXY, a 30 s
//! // deadline per call. Build one client and share it between threads: it
//! // pools connections. Here it talks to a local emulator and trusts only its
//! // CA.
//! let client = Client::builder()
//!     .endpoint(Endpoint::new(&emulator_url)?)
//!     .roots(Roots::ExtraOnly)
//!     .add_root_pem(&emulator_ca)
//!     .proxy(ProxySettings::none())
//!     .build()?;
//!
//! for password in ["secretPassword", "wrongPassword"] {
//!     let op = GetDtcLoginTicket::new(
//!         SsoId::new("123456")?,
//!         CompanyId::new("654321")?,
//!         Password::new(password)?,
//!     );
//!     match client.dtc_login_ticket(&op) {
//!         // Answer 303 with this Location. It is a bearer credential: never
//!         // log it (its Debug is redacted).
//!         Ok(ticket) => assert!(ticket.expose_url().starts_with(&emulator_url)),
//!         Err(err) => match err.kind() {
//!             // Rescue said no: a wrong master SSO password, or an SSO ID it
//!             // does not know (err.protocol() says which word). Fix the
//!             // configuration or the user's SSO ID; retrying will not help.
//!             ErrorKind::Refused => assert_eq!(password, "wrongPassword"),
//!             // Something answered, but not Rescue: a proxy's error page, a
//!             // redirect, a malformed answer. Tell the administrator.
//!             ErrorKind::InvalidAnswer => unreachable!("{err}"),
//!             // The client's settings (a PEM, a proxy URL): fix them.
//!             ErrorKind::Config => unreachable!("{err}"),
//!             // Rescue could not be reached, or not trusted: retry later, or
//!             // check the trust settings (ErrorKind::Tls) and the proxy.
//!             ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Proxy => unreachable!("{err}"),
//!             // Too slow, or cut off: worth a retry later.
//!             ErrorKind::Timeout | ErrorKind::Closed | ErrorKind::Incomplete => {
//!                 unreachable!("{err}")
//!             }
//!             // More kinds may come: treat the unknown as a failure to log.
//!             _ => unreachable!("{err}"),
//!         },
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What it does
//!
//! - HTTPS with rustls and the `ring` provider, verified by the operating
//!   system's verifier by default (its trust store, a corporate inspection
//!   CA included), or the bundled webpki roots, or only roots you add.
//!   Verification cannot be turned off.
//! - One TLS configuration per client, so later connections resume their TLS
//!   session, and a small pool of idle connections, so a second ticket does
//!   not cost a second handshake. An idle connection the server closed is
//!   noticed before it is used; a request that reached the server, even in
//!   part, is never sent again.
//! - A connect timeout over name resolution, TCP, the proxy tunnel and the
//!   TLS handshake, inside a deadline over the whole call that bounds every
//!   read and write. Name resolution runs on a thread the call abandons at
//!   its deadline.
//! - `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY`, or an explicit proxy, through
//!   an HTTP `CONNECT` tunnel with optional Basic authentication.
//! - No redirects (the request carries the master SSO password); answers
//!   capped at [`proto::MAX_ANSWER_BYTES`], read with the [`proto::http1`]
//!   codec and its limits.
//! - A `tracing` span `rescue_sso` per call with the operation, host and
//!   method, and events with the status, the time taken and whether the
//!   connection was reused. Never the password, the request body, a query
//!   string or a ticket.
//!
//! - Any [`proto::Operation`] through [`Client::execute`]: the two ticket
//!   calls, and `requestAuthCodeSSO`
//!   ([`Client::request_auth_code_sso`]), whose [`proto::AuthCode`] is a
//!   long-lived bearer credential that never prints.
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
pub use rescue_sso_client_core::{
    ConfigError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IDLE_PER_HOST, DEFAULT_POOL_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT, ErrorKind, MAX_LOOKUPS_IN_FLIGHT, Proxy, ProxyError, ProxySettings, Resolve,
    Roots, TlsError, TlsProblem,
};
pub use rescue_sso_proto as proto;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn client_is_shareable_between_threads() {
        assert_send_sync::<Client>();
    }
}
