//! Transport settings shared by the rescue-sso adapters, with no runtime.
//!
//! Both `rescue-sso-hyper` and `rescue-sso-blocking` need the same answers to
//! the same questions: which certificates to trust, whether a host goes
//! through a proxy, how to ask a proxy for a tunnel, and how long to wait.
//! Keeping those answers here means the two adapters cannot drift apart.
//!
//! - [`TlsSettings`]: a rustls `ClientConfig` with the `ring` provider and
//!   the operating system's roots (or the bundled webpki roots), plus extra
//!   PEM roots for corporate TLS inspection. There is no switch that turns
//!   verification off.
//! - [`ProxySettings`] and [`Proxy`]: `HTTPS_PROXY`, `ALL_PROXY` and
//!   `NO_PROXY` as curl reads them, an explicit proxy, Basic proxy
//!   authentication, and the `CONNECT` request.
//! - [`ClientBuilder`]: the options and defaults both adapters' clients are
//!   built with ([`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_TIMEOUT`], pooling).
//!
//! Out of scope: sockets and I/O of any kind, which stay in the adapters.
//!
//! ```
//! use rescue_sso_transport::{ProxySettings, Proxy, Roots, TlsSettings};
//!
//! let tls = TlsSettings::new().roots(Roots::Webpki).client_config(&[b"http/1.1"])?;
//! assert_eq!(tls.alpn_protocols, vec![b"http/1.1".to_vec()]);
//!
//! let proxies = ProxySettings::none()
//!     .with_proxy(Proxy::parse("http://user:pa%20ss@proxy.corp:3128")?)
//!     .with_no_proxy("localhost,.internal.corp");
//! assert!(proxies.proxy_for("secure.logmeinrescue.com", 443).is_some());
//! assert!(proxies.proxy_for("sso.internal.corp", 443).is_none());
//! assert!(!format!("{proxies:?}").contains("pa%20ss"));
//! # Ok::<(), rescue_sso_transport::TransportError>(())
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

pub use builder::{
    ClientBuilder, DEFAULT_MAX_IDLE_PER_HOST, DEFAULT_POOL_IDLE_TIMEOUT, FromSettings, Settings,
};
pub use error::TransportError;
pub use kind::ErrorKind;
pub use proxy::{Proxy, ProxySettings};
pub use resolve::{MAX_LOOKUPS_IN_FLIGHT, Resolve, Resolver, SystemResolver};
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
/// use rescue_sso_transport::{ErrorChain, TransportError, rustls};
/// let outer = TransportError::Tls(rustls::Error::General("x".into()));
/// assert_eq!(
///     ErrorChain(&outer).to_string(),
///     "tls configuration failed: unexpected error: x"
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
