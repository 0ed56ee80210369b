//! Accepting connections: TCP, optional TLS, HTTP/1.1 and HTTP/2, and a
//! graceful shutdown.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::{GracefulConnection, GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::reset::{ResetSignal, ResettableStream};
use crate::service;
use crate::state::Shared;

/// How long a graceful shutdown waits for in-flight requests (a stalled one
/// never finishes) before the remaining connections are dropped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a client may take to finish a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = Arc::new(Builder::new(TokioExecutor::new()));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors and the like: keep serving the others.
                Err(_) => continue,
            },
            // A stop, or the handle dropped.
            _ = stop.changed() => break,
        };
        let id = shared.count(&shared.counters.connections);
        tokio::spawn(connection(
            id,
            stream,
            tls.clone(),
            Arc::clone(&shared),
            Arc::clone(&builder),
            graceful.watcher(),
        ));
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

async fn connection(
    id: u64,
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    builder: Arc<Builder<TokioExecutor>>,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    // Listening from the accept on, so a test that closes every connection
    // once it has seen this one's handshake counted cannot miss it.
    let closed = shared.close_all.notified();
    let reset = Arc::new(ResetSignal::default());
    let stream = ResettableStream::new(stream, Arc::clone(&reset));
    let service = {
        let shared = Arc::clone(&shared);
        let reset = Arc::clone(&reset);
        service_fn(move |req| service::handle(Arc::clone(&shared), Arc::clone(&reset), id, req))
    };
    match tls {
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            if stream.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed) {
                shared.counters.tls_resumed.fetch_add(1, Ordering::Relaxed);
            }
            shared.count(&shared.counters.tls_handshakes);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            until_reset(conn.into_owned(), watcher, &reset, closed).await;
        }
        None => {
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            until_reset(conn.into_owned(), watcher, &reset, closed).await;
        }
    }
}

/// Serves the connection until it ends, or drops it (and so resets its
/// socket) when a request raises the reset signal or a test closes every
/// connection.
async fn until_reset<C: GracefulConnection>(
    conn: C,
    watcher: Watcher,
    reset: &ResetSignal,
    closed: tokio::sync::futures::Notified<'_>,
) {
    tokio::select! {
        _ = watcher.watch(conn) => {}
        () = reset.raised() => {}
        () = closed => {}
    }
}
