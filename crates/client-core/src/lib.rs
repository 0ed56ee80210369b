//! The runtime-free core both rescue-sso clients share: settings, TLS trust,
//! proxy rules and the `CONNECT` request, name resolution a deadline can
//! abandon, and the error kinds.
//!
//! **You do not need to depend on this crate.** Pick an adapter,
//! `rescue-sso-hyper` (async, tokio) or `rescue-sso-blocking` (std only); each
//! re-exports what its users name from here. This crate exists so that the
//! two adapters cannot drift apart: they ask it the same questions and get
//! the same answers.
//!
//! - [`TlsSettings`] and [`Roots`]: a rustls `ClientConfig` with the `ring`
//!   provider, verifying with the operating system's verifier (the default),
//!   the bundled webpki roots, or only the caller's roots, plus extra PEM
//!   roots. There is no switch that turns verification off. [`TlsError`]
//!   says what went wrong with a handshake in plain words.
//! - [`ProxySettings`] and [`Proxy`]: `HTTPS_PROXY`, `ALL_PROXY` and
//!   `NO_PROXY` as curl reads them, an explicit proxy, Basic proxy
//!   authentication; [`ConnectRequest`] and [`TunnelReply`] write and read
//!   the tunnel handshake by one rule.
//! - [`Resolve`] and [`Resolver`]: lookups on threads a deadline can abandon.
//! - [`ErrorKind`]: what both adapters' errors are, for code that acts on
//!   them.
//!
//! Out of scope: sockets and I/O of any kind, which stay in the adapters.
//!
//! ```
//! use rescue_sso_client_core::{ProxySettings, Proxy, Roots, TlsSettings};
//! use http::uri::Scheme;
//!
//! let tls = TlsSettings::new().roots(Roots::Webpki).client_config(&[b"http/1.1"])?;
//! assert_eq!(tls.alpn_protocols, vec![b"http/1.1".to_vec()]);
//!
//! let proxies = ProxySettings::none()
//!     .with_proxy(Proxy::parse("http://user:pa%20ss@proxy.corp:3128")?)
//!     .with_no_proxy("localhost,.internal.corp");
//! assert!(proxies.proxy_for(&Scheme::HTTPS, "secure.logmeinrescue.com", 443).is_some());
//! assert!(proxies.proxy_for(&Scheme::HTTPS, "sso.internal.corp", 443).is_none());
//! assert!(!format!("{proxies:?}").contains("pa%20ss"));
//! # Ok::<(), rescue_sso_client_core::ConfigError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::time::Duration;

mod builder;
mod error;
mod kind;
mod no_proxy;
mod proxy;
mod resolve;
mod tls;
mod tls_error;
mod tunnel;

pub use builder::{DEFAULT_MAX_IDLE_PER_HOST, DEFAULT_POOL_IDLE_TIMEOUT, FromSettings, Settings};
pub use error::{BoxError, ConfigError};
pub use kind::ErrorKind;
pub use proxy::{Proxy, ProxySettings};
pub use resolve::{
    MAX_LOOKUPS_IN_FLIGHT, Resolve, Resolver, SystemResolver, check_plain_http_address,
};
/// What [`client_builder!`] names; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use rescue_sso_proto::{Endpoint, RequestMethod};
}

/// The rustls version in use, for crates of this workspace that build their
/// own TLS configurations. Not re-exported by the adapters.
#[doc(hidden)]
pub use rustls;
pub use tls::{Roots, TlsSettings};
pub use tls_error::{TlsError, TlsProblem};
pub use tunnel::{ConnectRequest, ProxyError, TunnelReply};

/// How long connecting (TCP, proxy tunnel and TLS handshake) may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole call may take, connecting included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Displays an error and its sources as `a: b: c`, for one-line logs.
///
/// Use it only on errors whose messages are free of secrets, as every error
/// of the rescue-sso crates is by construction.
///
/// ```
/// use rescue_sso_client_core::{ConfigError, ErrorChain};
/// let outer = ConfigError::Tls("no protocol versions".into());
/// assert_eq!(
///     ErrorChain(&outer).to_string(),
///     "tls configuration failed: no protocol versions"
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(err) = source {
            write!(f, ": {err}")?;
            source = err.source();
        }
        Ok(())
    }
}
