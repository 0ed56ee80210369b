//! An async LogMeIn Rescue single sign-on client on hyper, hyper-util and
//! tokio, over rustls.
//!
//! Your intranet has authenticated a technician; this crate asks Rescue for a
//! one-time login ticket on their behalf (`getDTCLoginTicket`, or
//! `getLoginTicket` for the web console), and you redirect the technician's
//! browser to the URL it returns, which this crate has validated.
//!
//! **Which crate?** This one if your program runs on tokio (axum, hyper,
//! tonic, …). [`rescue-sso-blocking`](https://docs.rs/rescue-sso-blocking)
//! if it has no async runtime: the same options, the same errors, the same
//! [`ErrorKind`]s. [`proto`] (re-exported here) if you bring your own HTTP
//! stack.
//!
//! # Getting a ticket, and every way it can fail
//!
//! ```
//! use rescue_sso_hyper::proto::{CompanyId, Endpoint, GetDtcLoginTicket, Password, SsoId};
//! use rescue_sso_hyper::{Client, ErrorKind, ProxySettings, Roots};
//! # use rescue_sso_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! # let emulator = Emulator::builder().start().await?;
//! # let emulator_url = emulator.base_url();
//! # let emulator_ca = emulator.ca_pem().unwrap_or_default().to_owned();
//! // In production `Client::new()` is all it takes: the public endpoint, the
//! // operating system's certificate verifier, HTTPS_PROXY/NO_PROXY, a 30 s
//! // deadline per call. Build one client and share it: it pools connections.
//! // Here it talks to a local emulator and trusts only its CA.
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
//!     match client.dtc_login_ticket(&op).await {
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
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! # What it does
//!
//! - HTTPS with rustls and the `ring` provider, HTTP/1.1 and HTTP/2 by ALPN,
//!   verified by the operating system's verifier by default (its trust
//!   store, a corporate inspection CA included), or the bundled webpki
//!   roots, or only roots you add. Verification cannot be turned off.
//! - Pooled connections: a second ticket costs no second TLS handshake.
//! - A connect timeout over name resolution, TCP, the proxy tunnel and the
//!   TLS handshake ([`Error::ConnectTimeout`]), inside a deadline over the
//!   whole call ([`Error::Timeout`]). Name resolution runs on a thread the
//!   call abandons at its deadline: a resolver that never answers holds
//!   neither the call nor the runtime.
//! - `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY` (or explicit settings),
//!   decided for each connection, through a `CONNECT` tunnel read by the
//!   same rule as the blocking adapter's, with Basic proxy authentication.
//! - No redirects (the request carries the master SSO password); answers
//!   capped at [`proto::MAX_ANSWER_BYTES`]; HTTP/1.1 heads at 16 KiB and 64
//!   fields, HTTP/2 header lists at 16 KiB, at most 8 interim responses over
//!   HTTP/1.1 (over HTTP/2 the call's deadline ends them).
//! - A request that reached the server is never sent again.
//! - A `tracing` span `rescue_sso` per call with the operation, host and
//!   method, and events with the status, the time taken and whether a
//!   connection was reused. Never the password, the body, a query string or
//!   a ticket.
//!
//! - Any [`proto::Operation`] through [`Client::execute`]: the two ticket
//!   calls, and `requestAuthCodeSSO`
//!   ([`Client::request_auth_code_sso`]), whose [`proto::AuthCode`] is a
//!   long-lived bearer credential that never prints.
//!
//! Encoding, validation and decoding are the [`proto`] crate's; this crate
//! only moves bytes.
//!
//! # Features
//!
//! - `hyper-client`: `Client::from_hyper_client`, to run calls on a
//!   hyper-util client of your own. Its connector then decides TLS and
//!   verification: read that function's documentation first.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod client;
mod connect;
mod error;
mod warm;

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
    fn client_is_send_sync_and_cheap_to_clone() {
        assert_send_sync::<Client>();
    }
}
