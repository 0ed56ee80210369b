//! Building a [`Client`].

use std::sync::Arc;
use std::time::Duration;

use rescue_sso_proto::http::uri::Authority;
use rescue_sso_proto::{Endpoint, RequestMethod};
use rescue_sso_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ProxySettings, Roots, TlsSettings, TransportError,
};

use crate::client::{Client, Inner};
use crate::connect::{Target, strip_brackets};
use crate::error::Error;
use crate::pool::Pool;

/// Idle connections kept by default. A ticket call is short and rare, so a
/// few warm connections serve any burst.
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 8;

/// How long an idle connection is kept by default, in line with common
/// server keep-alive timeouts.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Settings for a [`Client`]; start with [`Client::builder`].
///
/// Every setting has a default: the public Rescue endpoint, `POST`, the
/// operating system's trusted roots, a 10 s connect timeout inside a 30 s
/// call timeout, and the proxy from `HTTPS_PROXY`/`NO_PROXY`.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    endpoint: Endpoint,
    method: RequestMethod,
    tls: TlsSettings,
    tls_error: Option<TransportError>,
    connect_timeout: Duration,
    timeout: Duration,
    proxy: Option<ProxySettings>,
    max_idle_per_host: usize,
    pool_idle_timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            endpoint: Endpoint::default(),
            method: RequestMethod::default(),
            tls: TlsSettings::new(),
            tls_error: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            proxy: None,
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
        }
    }
}

impl ClientBuilder {
    /// The Rescue service to talk to; the default is
    /// `https://secure.logmeinrescue.com`.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// How parameters are sent: [`RequestMethod::Post`] (the default) keeps
    /// the master SSO password out of URLs.
    pub fn method(mut self, method: RequestMethod) -> Self {
        self.method = method;
        self
    }

    /// Which roots to trust before any added with
    /// [`add_root_pem`](Self::add_root_pem); the default is the operating
    /// system's store.
    pub fn roots(mut self, roots: Roots) -> Self {
        self.tls = self.tls.roots(roots);
        self
    }

    /// Trusts every certificate in `pem` as a root too, for corporate TLS
    /// inspection or a private deployment. A PEM without a certificate is
    /// reported by [`build`](Self::build).
    pub fn add_root_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        match self.tls.clone().add_root_pem(pem.as_ref()) {
            Ok(tls) => self.tls = tls,
            Err(err) => {
                self.tls_error.get_or_insert(err);
            }
        }
        self
    }

    /// How long connecting may take: TCP, the proxy tunnel and the TLS
    /// handshake together. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, from connecting to the last byte of
    /// the answer. Default 30 s.
    ///
    /// Name resolution uses the system resolver, which has no timeout of its
    /// own; its time counts against this one.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The proxy settings; the default reads `HTTPS_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` when the client is built. [`ProxySettings::none`] connects
    /// directly whatever the environment says.
    pub fn proxy(mut self, proxy: ProxySettings) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// How many idle connections to keep for later calls; 0 closes every
    /// connection after its call. Default 8.
    pub fn max_idle_per_host(mut self, max: usize) -> Self {
        self.max_idle_per_host = max;
        self
    }

    /// How long an idle connection is kept. Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Builds the client: loads the trusted roots, reads the proxy
    /// environment if no proxy settings were given.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(err) = self.tls_error {
            return Err(Error::Config(err));
        }
        // A plain http endpoint (a loopback emulator) needs no roots, and a
        // machine without a system store can still reach it.
        let tls = if self.endpoint.is_https() {
            Some(self.tls.client_config(&[b"http/1.1"])?)
        } else {
            None
        };
        let proxies = match self.proxy {
            Some(proxies) => proxies,
            None => ProxySettings::from_env()?,
        };
        let host = strip_brackets(self.endpoint.host()).to_owned();
        let port = self.endpoint.port();
        let authority: Authority = format!("{}:{port}", self.endpoint.host())
            .parse()
            .map_err(|_| Error::Protocol(rescue_sso_proto::Error::Encode))?;
        let proxy = proxies.proxy_for(&host, port).cloned();
        let target = Target {
            host,
            port,
            authority,
            tls,
            proxy,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint: self.endpoint,
                method: self.method,
                target,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                pool: Pool::new(self.max_idle_per_host, self.pool_idle_timeout),
            }),
        })
    }
}
