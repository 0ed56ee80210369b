//! Serving the gateway: a TCP or unix listener, optional TLS, limits on what
//! a client may send and how slowly, and a graceful shutdown that lets
//! in-flight launches finish.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio_rustls::TlsAcceptor;
use tower::Layer as _;

use crate::config::{Config, Listen, TlsFiles};
use crate::error::Error;
use crate::first_byte::FirstByte;
use crate::gateway::Gateway;
use crate::identity::Peer;
use crate::idle::Activity;

/// The largest request head accepted, HTTP/1.1 and HTTP/2 alike.
pub const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;

/// The most header fields in a request.
pub const MAX_REQUEST_HEADERS: usize = 64;

/// How long a client may take to finish a TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

/// A bound, configured gateway server.
pub struct Server {
    listener: Listener,
    url: String,
    tls: Option<TlsAcceptor>,
    gateway: Gateway,
    header_read_timeout: Duration,
    shutdown_grace: Duration,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds the listener the configuration names and builds the gateway.
    pub async fn bind(config: Config) -> Result<Server, Error> {
        Server::bind_with(config, |builder| builder).await
    }

    /// As [`Server::bind`], letting `customise` set more options (an audit
    /// sink of the caller's, in tests).
    pub async fn bind_with(
        config: Config,
        customise: impl FnOnce(crate::GatewayBuilder) -> crate::GatewayBuilder,
    ) -> Result<Server, Error> {
        let tls = config.tls.as_ref().map(acceptor).transpose()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let listen = config.listen.clone();
        let header_read_timeout = config.server.header_read_timeout;
        let shutdown_grace = config.server.shutdown_grace;
        let listen_error = |source| Error::Listen {
            listen: listen.to_string(),
            source,
        };
        let (listener, url, bound) = match &listen {
            Listen::Tcp(addr) => {
                let tcp = TcpListener::bind(addr).await.map_err(listen_error)?;
                let local = tcp.local_addr().map_err(listen_error)?;
                (
                    Listener::Tcp(tcp),
                    format!("{scheme}://{local}"),
                    Some(local),
                )
            }
            Listen::Unix(path) => {
                if std::fs::symlink_metadata(path).is_ok_and(|m| {
                    use std::os::unix::fs::FileTypeExt as _;
                    m.file_type().is_socket()
                }) {
                    // One that answers belongs to a running gateway (or
                    // another service): never take it over.
                    if std::os::unix::net::UnixStream::connect(path).is_ok() {
                        return Err(listen_error(std::io::Error::new(
                            std::io::ErrorKind::AddrInUse,
                            "another process listens on this socket",
                        )));
                    }
                    // Left by an earlier run: it would make bind fail.
                    let _ = std::fs::remove_file(path);
                }
                let unix = UnixListener::bind(path).map_err(listen_error)?;
                // Whoever can connect may name any user when `unix` is
                // trusted: the owner and its group (the proxy), whatever the
                // umask, and nobody else.
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
                        .map_err(listen_error)?;
                }
                (
                    Listener::Unix(unix, path.clone()),
                    format!("unix:{}", path.display()),
                    None,
                )
            }
        };
        let mut builder = Gateway::builder(config).served_over_tls(tls.is_some());
        if let Some(addr) = bound {
            builder = builder.bound_address(addr);
        }
        let gateway = customise(builder).build().await?;
        Ok(Server {
            listener,
            url,
            tls,
            gateway,
            header_read_timeout,
            shutdown_grace,
        })
    }

    /// Where it listens: `http://ADDR`, `https://ADDR` or `unix:PATH`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The gateway it serves.
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Serves until `shutdown` completes; then stops accepting, lets the
    /// requests in flight finish (at most the configured grace), and
    /// returns. `SIGHUP` reloads the technicians' map file meanwhile.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let mut http = Builder::new(TokioExecutor::new());
        http.http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .max_buf_size(MAX_REQUEST_HEAD_BYTES)
            .max_headers(MAX_REQUEST_HEADERS);
        http.http2()
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(MAX_REQUEST_HEAD_BYTES).unwrap_or(u32::MAX))
            .keep_alive_interval(Duration::from_secs(30));
        let http = Arc::new(http);
        // Each connection holds a clone of `open` and watches `stopping`: at
        // shutdown each one is told to finish, and `closed` yields `None`
        // once every connection has dropped its clone.
        let (stopping, stop) = tokio::sync::watch::channel(false);
        let (open, mut closed) = tokio::sync::mpsc::channel::<()>(1);
        let router = self.gateway.router();
        let key_refresh = self.gateway.spawn_key_refresh();
        let reload = spawn_reload_on_hangup(self.gateway.clone());
        tokio::pin!(shutdown);
        loop {
            let (io, peer) = tokio::select! {
                accepted = accept(&self.listener) => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of descriptors and the like: wait, keep serving.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let service =
                TowerToHyperService::new(Extension(ConnectInfo(peer)).layer(router.clone()));
            let http = Arc::clone(&http);
            let connection = Connection {
                stop: stop.clone(),
                grace: self.shutdown_grace,
                _open: open.clone(),
            };
            let tls = self.tls.clone();
            let first = self.header_read_timeout;
            tokio::spawn(async move {
                match (io, tls) {
                    (Io::Tcp(tcp), Some(tls)) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.accept(tcp)).await
                        else {
                            return;
                        };
                        serve(&http, stream, first, service, connection).await;
                    }
                    (Io::Tcp(tcp), None) => serve(&http, tcp, first, service, connection).await,
                    (Io::Unix(unix), _) => serve(&http, unix, first, service, connection).await,
                }
            });
        }
        drop(self.listener);
        if let Some(task) = key_refresh {
            task.abort();
        }
        if let Some(task) = reload {
            task.abort();
        }
        let _ = stopping.send(true);
        drop(open);
        if tokio::time::timeout(self.shutdown_grace, closed.recv())
            .await
            .is_err()
        {
            tracing::warn!("requests still in flight after the shutdown grace; stopping anyway");
        }
        Ok(())
    }
}

enum Io {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(listener: &Listener) -> std::io::Result<(Io, Peer)> {
    match listener {
        Listener::Tcp(tcp) => {
            let (stream, addr) = tcp.accept().await?;
            let _ = stream.set_nodelay(true);
            Ok((Io::Tcp(stream), Peer::Tcp(addr)))
        }
        Listener::Unix(unix, _) => {
            let (stream, _) = unix.accept().await?;
            Ok((Io::Unix(stream), Peer::Unix))
        }
    }
}

/// What a connection's task holds of the server's shutdown.
struct Connection {
    /// Becomes `true` when the server stops.
    stop: tokio::sync::watch::Receiver<bool>,
    /// How long a stopping server lets the connection finish.
    grace: Duration,
    /// Dropped when the connection's task ends.
    _open: tokio::sync::mpsc::Sender<()>,
}

/// Serves one connection (after its TLS handshake, if any). A client that
/// connects and says nothing is let go after `first`, as one that is slow
/// with its head (see the first_byte module); so is one that has had no
/// request in flight for as long, over either protocol (see the idle
/// module), after `first` more to deliver what it has started. At shutdown
/// the connection finishes what is in flight, within the server's grace,
/// and ends.
async fn serve<S, T>(
    http: &Builder<TokioExecutor>,
    io: T,
    first: Duration,
    service: S,
    mut connection: Connection,
) where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let (mut activity, service) = Activity::new(service);
    let conn = http
        .serve_connection(TokioIo::new(FirstByte::new(io, first)), service)
        .into_owned();
    tokio::pin!(conn);
    let stopping = async {
        // An error means the server is gone: stop as well.
        let _ = connection.stop.wait_for(|&stop| stop).await;
    };
    // Told to go, the connection finishes what it has started, within a
    // bound: an answer its client never makes room for (an HTTP/2 stream
    // whose window stays shut) would otherwise hold it, and the GOAWAY
    // with it, for as long as the client answers pings.
    let finish = tokio::select! {
        _ = conn.as_mut() => return,
        () = activity.idle(first) => first,
        () = stopping => connection.grace,
    };
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(finish, conn).await;
}

/// The TLS acceptor for `files`: the chain and key read, parsed and paired.
pub(crate) fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, Error> {
    let tls = |e: &dyn std::fmt::Display, what: &std::path::Path| {
        Error::Tls(format!("{}: {e}", what.display()).into())
    };
    let chain = CertificateDer::pem_file_iter(&files.cert_file)
        .map_err(|e| tls(&e, &files.cert_file))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls(&e, &files.cert_file))?;
    let key =
        PrivateKeyDer::from_pem_file(&files.key_file).map_err(|e| tls(&e, &files.key_file))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(Box::new(e)))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| Error::Tls(Box::new(e)))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Reloads the map file on each `SIGHUP`.
fn spawn_reload_on_hangup(gateway: Gateway) -> Option<tokio::task::JoinHandle<()>> {
    let mut hangups =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()?;
    Some(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match gateway.reload().await {
                Ok(()) => tracing::info!("reloaded the technicians' map"),
                Err(err) => tracing::error!(error = %err, "reload failed; the old map stays"),
            }
        }
    }))
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}
