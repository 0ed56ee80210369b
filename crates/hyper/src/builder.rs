//! Options for a [`Client`].

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rescue_sso_proto::{Endpoint, RequestMethod};
use rescue_sso_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ProxySettings, Roots, TlsSettings, TransportError,
};

use crate::client::{Client, Inner, Transport};
use crate::connect::{ConnectDeadline, Connector};
use crate::error::Error;

/// How long an idle pooled connection is kept.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Options for a [`Client`]; [`Client::builder`] starts one.
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
            max_idle_per_host: 32,
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

    /// How long connecting may take: TCP, the proxy tunnel if any, and the
    /// TLS handshake. Default 10 s. Running out is [`Error::ConnectTimeout`];
    /// the call [`timeout`](Self::timeout) still bounds the whole call.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take: connecting, TLS, sending and reading
    /// the answer. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Proxy settings; by default they are read from `HTTPS_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` when the client is built.
    pub fn proxy(mut self, proxy: ProxySettings) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// How many idle connections to keep per host. Default 32.
    pub fn max_idle_per_host(mut self, max: usize) -> Self {
        self.max_idle_per_host = max;
        self
    }

    /// How long an idle connection is kept. Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Builds the client: loads the trusted roots and reads the proxy
    /// environment if no proxy settings were given.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(err) = self.tls_error {
            return Err(Error::Config(err));
        }
        let proxies = match self.proxy {
            Some(proxies) => proxies,
            None => ProxySettings::from_env()?,
        };
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        // hyper-rustls decides the scheme; the TCP connector must accept both.
        http.enforce_http(false);
        let opened = Arc::new(AtomicU64::new(0));
        let connector = Connector::new(http, proxies, Arc::clone(&opened));
        let https = if self.endpoint.is_https() {
            // hyper-rustls sets ALPN itself from the enabled HTTP versions.
            let config = self.tls.client_config(&[])?;
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config((*config).clone())
                .https_only()
                .enable_http1()
                .enable_http2()
                .wrap_connector(connector)
        } else {
            // A loopback emulator the endpoint explicitly allowed.
            let config = TlsSettings::new().roots(Roots::Webpki).client_config(&[])?;
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config((*config).clone())
                .https_or_http()
                .enable_http1()
                .wrap_connector(connector)
        };
        let https = ConnectDeadline {
            inner: https,
            timeout: self.connect_timeout,
        };
        let hyper = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.max_idle_per_host)
            .build(https);
        Ok(Client::from_parts(Inner {
            endpoint: self.endpoint,
            method: self.method,
            timeout: self.timeout,
            transport: Box::new(hyper) as Box<dyn Transport>,
            opened: Some(opened),
        }))
    }
}
