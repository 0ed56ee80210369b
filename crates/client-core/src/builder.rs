//! The options both adapters' clients are built from: one definition, so the
//! two cannot drift apart.
//!
//! Each adapter declares its own `ClientBuilder` with [`client_builder!`]:
//! the same options, defaults and documentation, returning that adapter's
//! `Client`. [`Settings`] and [`FromSettings`] are the plumbing underneath,
//! shared by crates of this workspace and not part of the public API.

use std::time::Duration;

use rescue_sso_proto::{Endpoint, RequestMethod};

use crate::{
    ConfigError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ProxySettings, Resolver, TlsSettings,
};

/// Idle connections kept per host by default. A ticket call is short and
/// rare, so a few warm connections serve any burst.
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 16;

/// How long an idle connection is kept by default, in line with common
/// server keep-alive timeouts.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Everything a client is built from. Plumbing: not part of the public API.
#[doc(hidden)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The Rescue service.
    pub endpoint: Endpoint,
    /// How parameters are sent.
    pub method: RequestMethod,
    /// Which roots to trust.
    pub tls: TlsSettings,
    /// How long connecting may take (resolution, TCP, tunnel, TLS).
    pub connect_timeout: Duration,
    /// How long a whole call may take.
    pub timeout: Duration,
    /// Proxy settings; `None` reads the environment at build time.
    pub proxy: Option<ProxySettings>,
    /// Idle connections kept per host.
    pub max_idle_per_host: usize,
    /// How long an idle connection is kept.
    pub pool_idle_timeout: Duration,
    /// How host names are resolved.
    pub resolver: Resolver,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            endpoint: Endpoint::default(),
            method: RequestMethod::default(),
            tls: TlsSettings::new(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            proxy: None,
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            resolver: Resolver::system(),
        }
    }
}

impl Settings {
    /// The proxy settings given, or those of the environment.
    pub fn proxies(&self) -> Result<ProxySettings, ConfigError> {
        match &self.proxy {
            Some(proxies) => Ok(proxies.clone()),
            None => ProxySettings::from_env(),
        }
    }
}

/// A client an adapter builds from [`Settings`]. Plumbing: not part of the
/// public API.
#[doc(hidden)]
pub trait FromSettings: Sized {
    /// The adapter's error type.
    type Error: From<ConfigError>;

    /// Builds the client.
    fn from_settings(settings: Settings) -> Result<Self, Self::Error>;
}

/// Declares an adapter's `ClientBuilder`, for its `Client` and `Error`.
#[doc(hidden)]
#[macro_export]
macro_rules! client_builder {
    ($client:ident, $error:ident) => {
        /// Options for a [`Client`]; start with [`Client::builder`].
        ///
        /// Every option has a default: the public Rescue endpoint, `POST`, the
        /// operating system's certificate verifier, a 10 s connect timeout
        /// inside a 30 s call timeout, the proxy from `HTTPS_PROXY`/`NO_PROXY`,
        /// up to 16 idle connections kept 90 s, the system resolver. Both
        /// adapters have the same options with the same defaults.
        #[must_use]
        pub struct ClientBuilder {
            settings: $crate::Settings,
            error: ::std::option::Option<$crate::ConfigError>,
        }

        impl ::std::default::Default for ClientBuilder {
            fn default() -> Self {
                ClientBuilder {
                    settings: $crate::Settings::default(),
                    error: None,
                }
            }
        }

        impl ::std::fmt::Debug for ClientBuilder {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("ClientBuilder")
                    .field("endpoint", &self.settings.endpoint)
                    .field("method", &self.settings.method)
                    .field("connect_timeout", &self.settings.connect_timeout)
                    .field("timeout", &self.settings.timeout)
                    .finish_non_exhaustive()
            }
        }

        impl ClientBuilder {
            /// The Rescue service to talk to; the default is
            /// `https://secure.logmeinrescue.com`.
            pub fn endpoint(mut self, endpoint: $crate::__private::Endpoint) -> Self {
                self.settings.endpoint = endpoint;
                self
            }

            /// How parameters are sent: `RequestMethod::Post` (the default)
            /// keeps the master SSO password out of URLs.
            pub fn method(mut self, method: $crate::__private::RequestMethod) -> Self {
                self.settings.method = method;
                self
            }

            /// Which certificates to trust before any added with
            /// [`add_root_pem`](Self::add_root_pem); the default is the
            /// operating system's verifier ([`Roots::Platform`]).
            pub fn roots(mut self, roots: $crate::Roots) -> Self {
                self.settings.tls = self.settings.tls.clone().roots(roots);
                self
            }

            /// Trusts every certificate in `pem` as a root too, for corporate
            /// TLS inspection or a private deployment. A PEM without a
            /// certificate is reported by [`build`](Self::build).
            pub fn add_root_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
                match self.settings.tls.clone().add_root_pem(pem.as_ref()) {
                    Ok(tls) => self.settings.tls = tls,
                    Err(err) => {
                        self.error.get_or_insert(err);
                    }
                }
                self
            }

            /// How long connecting may take: name resolution, TCP, the proxy
            /// tunnel and the TLS handshake together. Default 10 s.
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.connect_timeout = timeout;
                self
            }

            /// How long a whole call may take, from resolving the host name
            /// to the last byte of the answer. Default 30 s.
            ///
            /// Name resolution runs on a thread of its own that the call
            /// abandons when its time is up, so a resolver that never answers
            /// cannot hold a call (or the process) past this deadline.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.timeout = timeout;
                self
            }

            /// The proxy settings; the default reads `HTTPS_PROXY`,
            /// `ALL_PROXY` and `NO_PROXY` when the client is built.
            /// [`ProxySettings::none`] connects directly whatever the
            /// environment says.
            pub fn proxy(mut self, proxy: $crate::ProxySettings) -> Self {
                self.settings.proxy = Some(proxy);
                self
            }

            /// How many idle connections to keep for later calls; 0 closes
            /// every connection after its call. Default 16.
            pub fn max_idle_per_host(mut self, max: usize) -> Self {
                self.settings.max_idle_per_host = max;
                self
            }

            /// How long an idle connection is kept. Default 90 s.
            pub fn pool_idle_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.pool_idle_timeout = timeout;
                self
            }

            /// Resolves host names with `resolver` instead of the operating
            /// system's. It may block: each lookup runs on a thread of its
            /// own, which a call that runs out of time stops waiting for.
            pub fn resolver(mut self, resolver: impl $crate::Resolve) -> Self {
                self.settings.resolver = $crate::Resolver::new(resolver);
                self
            }

            /// Builds the client: checks the trust settings and reads the
            /// proxy environment if no proxy settings were given.
            pub fn build(self) -> ::std::result::Result<$client, $error> {
                if let Some(err) = self.error {
                    return Err(err.into());
                }
                <$client as $crate::FromSettings>::from_settings(self.settings)
            }
        }
    };
}
