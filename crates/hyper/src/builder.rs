//! Building a [`Client`] from the settings the shared builder collects.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rescue_sso_transport::{FromSettings, Roots, Settings, TlsSettings};

use crate::client::{Client, Inner, Transport};
use crate::connect::{ConnectDeadline, Connector};
use crate::error::Error;

/// Options for a [`Client`]; start with [`Client::builder`]. The options and
/// their defaults are the same in both adapters.
pub type ClientBuilder = rescue_sso_transport::ClientBuilder<Client>;

impl FromSettings for Client {
    type Error = Error;

    fn from_settings(settings: Settings) -> Result<Client, Error> {
        let proxies = settings.proxies()?;
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        // hyper-rustls decides the scheme; the TCP connector must accept both.
        http.enforce_http(false);
        let opened = Arc::new(AtomicU64::new(0));
        let connector = Connector::new(http, proxies, Arc::clone(&opened));
        let https = if settings.endpoint.is_https() {
            // hyper-rustls sets ALPN itself from the enabled HTTP versions.
            let config = settings.tls.client_config(&[])?;
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
            timeout: settings.connect_timeout,
        };
        let hyper = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.max_idle_per_host)
            .build(https);
        Ok(Client::from_parts(Inner {
            endpoint: settings.endpoint,
            method: settings.method,
            timeout: settings.timeout,
            transport: Box::new(hyper) as Box<dyn Transport>,
            opened: Some(opened),
        }))
    }
}
