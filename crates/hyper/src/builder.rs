//! Building a [`Client`] from the settings the shared builder collects.

use std::sync::Arc;

use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rescue_sso_client_core::{FromSettings, Settings};
use rescue_sso_proto::http1::{DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS};
use tokio_rustls::TlsConnector;

use crate::client::{Client, Inner, Transport};
use crate::connect::{Connector, Resolve};
use crate::error::Error;
use crate::warm::Warm;

// The names the builder's documentation links to.
#[allow(unused_imports)]
use rescue_sso_client_core::{ProxySettings, Roots};

rescue_sso_client_core::client_builder!(Client, Error);

/// How often an idle HTTP/2 connection is PINGed.
const HTTP2_KEEP_ALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a PING may go unanswered before the connection is closed.
const HTTP2_KEEP_ALIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl FromSettings for Client {
    type Error = Error;

    fn from_settings(settings: Settings) -> Result<Client, Error> {
        let proxies = settings.proxies()?;
        let mut tcp = HttpConnector::new_with_resolver(Resolve(settings.resolver.clone()));
        // The connector's own deadline covers resolution, TCP, the tunnel
        // and TLS together.
        tcp.set_connect_timeout(None);
        tcp.set_nodelay(true);
        // Our connector decides the scheme; the TCP part must take both.
        tcp.enforce_http(false);
        let tls = match settings.tls.client_config(&[b"h2", b"http/1.1"]) {
            Ok(config) => Some(TlsConnector::from(config)),
            Err(err) if settings.endpoint.is_https() => return Err(err.into()),
            // A plain-http loopback emulator the endpoint explicitly allowed
            // needs no trust settings; `fetch` to an https URL then fails.
            Err(_) => None,
        };
        let connector = Connector {
            tcp,
            proxies: Arc::new(proxies),
            tls,
            timeout: settings.connect_timeout,
            warm: Arc::new(Warm::default()),
        };
        // The limits of the protocol crate's HTTP/1.1 codec, as far as hyper
        // has them: the head (hyper counts its read buffer, at least 8 KiB),
        // the header count, and HTTP/2's header list.
        let head_limit = u32::try_from(DEFAULT_MAX_HEAD_BYTES).unwrap_or(u32::MAX);
        let hyper = HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            // An idle HTTP/2 connection is kept alive (and known alive) by
            // PINGs until the pool lets it go.
            .http2_keep_alive_interval(Some(HTTP2_KEEP_ALIVE_INTERVAL))
            .http2_keep_alive_timeout(HTTP2_KEEP_ALIVE_TIMEOUT)
            .http2_keep_alive_while_idle(true)
            .pool_max_idle_per_host(settings.max_idle_per_host)
            .http1_max_buf_size(DEFAULT_MAX_HEAD_BYTES.max(8192))
            .http1_max_headers(DEFAULT_MAX_HEADERS)
            .http2_max_header_list_size(head_limit)
            .build(connector.clone());
        Ok(Client::from_parts(Inner {
            endpoint: settings.endpoint,
            method: settings.method,
            timeout: settings.timeout,
            transport: Box::new(hyper) as Box<dyn Transport>,
            foreign_connector: false,
            connector: Some(connector),
        }))
    }
}
