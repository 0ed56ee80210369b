//! The connectors: straight to the endpoint or through a proxy's `CONNECT`
//! tunnel, decided for each connection; and a deadline over the whole of
//! connecting (TCP, tunnel and TLS), as the transport crate defines it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::TokioIo;
use rescue_sso_proto::http::Uri;
use rescue_sso_transport::ProxySettings;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::BoxError;

type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// TCP to the destination, or through the proxy [`ProxySettings::proxy_for`]
/// names for it, counting the connections it opens so a call can say
/// whether it reused one.
#[derive(Clone)]
pub(crate) struct Connector {
    tcp: HttpConnector,
    proxies: Arc<ProxySettings>,
    opened: Arc<AtomicU64>,
}

impl Connector {
    pub(crate) fn new(tcp: HttpConnector, proxies: ProxySettings, opened: Arc<AtomicU64>) -> Self {
        Connector {
            tcp,
            proxies: Arc::new(proxies),
            opened,
        }
    }
}

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Connecting<TokioIo<TcpStream>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // The tunnel connects with a clone of the same connector.
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        self.opened.fetch_add(1, Ordering::Relaxed);
        let host = dst.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let default_port = if dst.scheme_str() == Some("http") {
            80
        } else {
            443
        };
        let port = dst.port_u16().unwrap_or(default_port);
        match self.proxies.proxy_for(host, port) {
            None => {
                let connecting = self.tcp.call(dst);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), self.tcp.clone());
                if let Some(auth) = proxy.authorization() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let connecting = tunnel.call(dst);
                Box::pin(async move {
                    connecting
                        .await
                        .map_err(|e| Box::new(TunnelFailed(Box::new(e))) as BoxError)
                })
            }
        }
    }
}

/// Bounds a connector's whole connect (for the HTTPS connector: TCP, the
/// proxy tunnel and the TLS handshake) by the connect timeout.
#[derive(Clone)]
pub(crate) struct ConnectDeadline<C> {
    pub(crate) inner: C,
    pub(crate) timeout: Duration,
}

impl<C> Service<Uri> for ConnectDeadline<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Connecting<C::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.inner.call(dst);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut) as BoxError),
            }
        })
    }
}

/// The proxy did not open the tunnel (it refused, asked for credentials, or
/// could not be reached). Marks the failure so the client can report it as a
/// proxy error rather than a connection error.
#[derive(Debug)]
pub(crate) struct TunnelFailed(BoxError);

impl std::fmt::Display for TunnelFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the proxy did not open a tunnel")
    }
}

impl std::error::Error for TunnelFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Connecting took longer than the connect timeout.
#[derive(Debug)]
pub(crate) struct ConnectTimedOut;

impl std::fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connecting took longer than the connect timeout")
    }
}

impl std::error::Error for ConnectTimedOut {}
