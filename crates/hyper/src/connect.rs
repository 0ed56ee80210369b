//! The connector: straight to the endpoint, or through a proxy's `CONNECT`
//! tunnel, counting new connections so a call can say whether it reused one.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::TokioIo;
use rescue_sso_proto::http::Uri;
use tokio::net::TcpStream;

use crate::error::BoxError;

/// Direct or tunnelled TCP, decided once per client: a client talks to one
/// endpoint, so `NO_PROXY` has one answer.
#[derive(Clone)]
pub(crate) enum Route {
    Direct(HttpConnector),
    Tunnel(Tunnel<HttpConnector>),
}

/// [`Route`] plus a counter of the connections it opened.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) route: Route,
    pub(crate) opened: Arc<AtomicU64>,
}

type Connecting = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, BoxError>> + Send>>;

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match &mut self.route {
            Route::Direct(c) => c.poll_ready(cx).map_err(Into::into),
            Route::Tunnel(t) => t.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, dst: Uri) -> Connecting {
        self.opened.fetch_add(1, Ordering::Relaxed);
        match &mut self.route {
            Route::Direct(c) => {
                let fut = c.call(dst);
                Box::pin(async move { fut.await.map_err(Into::into) })
            }
            Route::Tunnel(t) => {
                let fut = t.call(dst);
                Box::pin(async move {
                    fut.await
                        .map_err(|e| Box::new(TunnelFailed(Box::new(e))) as BoxError)
                })
            }
        }
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
