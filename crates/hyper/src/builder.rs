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

/// TCP keepalive on every connection: an idle one (a pooled connection, the
/// warm spare) keeps its NAT and firewall state, and one whose peer vanished
/// without a word is known dead within about a minute, at no cost per
/// request. (HTTP/2 PINGs would do the same, but hyper's keep-alive
/// bookkeeping costs about 2,000 instructions on every call; measured with
/// `benches/ticket-cost.sh`.)
const TCP_KEEPALIVE_TIME: std::time::Duration = std::time::Duration::from_secs(30);
const TCP_KEEPALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
const TCP_KEEPALIVE_RETRIES: u32 = 3;

/// The TCP part of the connector, resolving names with `resolver`.
fn tcp_connector(resolver: rescue_sso_client_core::Resolver) -> HttpConnector<Resolve> {
    let mut tcp = HttpConnector::new_with_resolver(Resolve(resolver));
    // The connector's own deadline covers resolution, TCP, the tunnel
    // and TLS together.
    tcp.set_connect_timeout(None);
    tcp.set_nodelay(true);
    tcp.set_keepalive(Some(TCP_KEEPALIVE_TIME));
    tcp.set_keepalive_interval(Some(TCP_KEEPALIVE_INTERVAL));
    tcp.set_keepalive_retries(Some(TCP_KEEPALIVE_RETRIES));
    // Our connector decides the scheme; the TCP part must take both.
    tcp.enforce_http(false);
    tcp
}

impl FromSettings for Client {
    type Error = Error;

    fn from_settings(settings: Settings) -> Result<Client, Error> {
        let proxies = settings.proxies()?;
        let tcp = tcp_connector(settings.resolver.clone());
        // Plain http goes to this machine only: names resolve to loopback
        // addresses or not at all (see `Connector::open_stream`).
        let plain_tcp = Arc::new(tcp_connector(settings.resolver.loopback_only()));
        let tls = match settings.tls.client_config(&[b"h2", b"http/1.1"]) {
            Ok(config) => Some(TlsConnector::from(config)),
            Err(err) if settings.endpoint.is_https() => return Err(err.into()),
            // A plain-http loopback emulator the endpoint explicitly allowed
            // needs no trust settings; `fetch` to an https URL then fails.
            Err(_) => None,
        };
        let connector = Connector {
            tcp,
            plain_tcp,
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
            last_h2: std::sync::atomic::AtomicBool::new(false),
            foreign_connector: false,
            connector: Some(connector),
        }))
    }
}
