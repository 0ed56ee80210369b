//! Opening connections for hyper-util's pool: name resolution on a thread a
//! deadline can abandon, TCP, the proxy's `CONNECT` tunnel (read by the
//! transport crate's rules, as the blocking adapter reads it), then TLS, all
//! inside the connect timeout. The stream it hands hyper counts the bytes
//! read since the last request was written, so a call that fails can tell a
//! connection closed before its answer from one closed inside it.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use rescue_sso_client_core::rustls::pki_types::ServerName;
use rescue_sso_client_core::{
    ConnectRequest, ProxyError, ProxySettings, Resolver, TlsError, TunnelReply,
};
use rescue_sso_proto::http::Uri;
use rescue_sso_proto::http::uri::{Authority, Scheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tower_service::Service;

use crate::error::BoxError;
use crate::warm::Warm;

type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// Resolves names for hyper-util's TCP connector with the client's
/// [`Resolver`]: each lookup on a thread of its own, awaited here, and
/// abandoned (not waited for) when the connect deadline drops this future.
#[derive(Clone)]
pub(crate) struct Resolve(pub(crate) Resolver);

impl Service<Name> for Resolve {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The TCP connector sets the port on what comes back.
        let started = self.0.spawn(name.as_str(), 0, move |result| {
            let _ = tx.send(result);
        });
        Box::pin(async move {
            started?;
            let addrs = rx
                .await
                .map_err(|_| io::Error::other("the name lookup ended without an answer"))??;
            Ok(addrs.into_iter())
        })
    }
}

/// Connects to the destination hyper-util asks for: directly or through the
/// proxy the settings name for it, then TLS for `https`, all within
/// `timeout`.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) tcp: HttpConnector<Resolve>,
    /// For plain-http destinations: its names resolve to loopback
    /// addresses only. Behind an `Arc`: hyper-util clones the connector for
    /// every request, pooled or not, and this one is rarely used.
    pub(crate) plain_tcp: Arc<HttpConnector<Resolve>>,
    pub(crate) proxies: Arc<ProxySettings>,
    /// `None` when the endpoint is a plain-http loopback emulator.
    pub(crate) tls: Option<TlsConnector>,
    pub(crate) timeout: Duration,
    /// The connection kept ready by `Client::warm_up`, shared by every
    /// clone hyper makes.
    pub(crate) warm: Arc<Warm>,
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting<Conn>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // The TCP connector is always ready; each call clones it.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move {
            if let Some(conn) = connector.warm.take(&dst, &connector).await {
                return Ok(conn);
            }
            connector.open_within_timeout(dst).await.map(Conn::new)
        })
    }
}

impl Connector {
    /// This connector without the client's warm connection: what the
    /// tasks keeping it use (holding the client's would keep it alive).
    pub(crate) fn without_warm(&self) -> Connector {
        Connector {
            warm: Arc::new(Warm::default()),
            ..self.clone()
        }
    }

    /// Opens a stream to `dst`, within the connect timeout.
    pub(crate) async fn open_within_timeout(self, dst: Uri) -> Result<Stream, BoxError> {
        match tokio::time::timeout(self.timeout, self.open_stream(dst)).await {
            Ok(result) => result,
            Err(_) => Err(Box::new(ConnectTimedOut) as BoxError),
        }
    }

    async fn open_stream(mut self, dst: Uri) -> Result<Stream, BoxError> {
        let https = match dst.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err("only http and https destinations are supported".into()),
        };
        let host = dst.host().unwrap_or_default();
        let bare_host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = dst.port_u16().unwrap_or(if https { 443 } else { 80 });
        // Plain http goes to this machine only: never through a proxy (which
        // would read the password, and whose loopback is not ours), and only
        // to loopback addresses, whatever a name resolves to.
        if !https {
            rescue_sso_client_core::check_plain_http_address(&bare_host)?;
            let tcp = (*self.plain_tcp).clone().call(dst).await?.into_inner();
            return Ok(Stream::Plain(tcp));
        }
        let tcp = match self
            .proxies
            .proxy_for(&Scheme::HTTPS, &bare_host, port)
            .cloned()
        {
            None => self.tcp.call(dst.clone()).await?.into_inner(),
            Some(proxy) => {
                let mut tcp = self.tcp.call(proxy.uri().clone()).await?.into_inner();
                let target: Authority = format!("{host}:{port}").parse()?;
                tunnel(&mut tcp, &ConnectRequest::new(&proxy, &target))
                    .await
                    .map_err(|e| Box::new(e) as BoxError)?;
                tcp
            }
        };
        let tls = self
            .tls
            .as_ref()
            .ok_or("no tls configuration for an https destination")?;
        let name = ServerName::try_from(bare_host)?;
        let stream = tls.connect(name, tcp).await.map_err(handshake_error)?;
        Ok(Stream::Tls(Box::new(stream)))
    }
}

/// Opens the tunnel on `tcp`: writes the request, then reads the answer a
/// byte at a time so nothing of the tunnel's own bytes is consumed.
async fn tunnel(tcp: &mut TcpStream, request: &ConnectRequest) -> Result<(), ProxyError> {
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|_| ProxyError::Closed)?;
    let mut reply = TunnelReply::new();
    let mut byte = [0u8; 1];
    loop {
        match tcp.read(&mut byte).await {
            Ok(0) | Err(_) => return Err(reply.closed()),
            Ok(_) => {
                if reply.feed(byte[0])? {
                    return Ok(());
                }
            }
        }
    }
}

fn handshake_error(err: io::Error) -> BoxError {
    if let Some(tls) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        return Box::new(TlsError::from_rustls(tls.clone()));
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Box::new(HandshakeClosed(err)),
        _ => Box::new(err),
    }
}

/// A plain or TLS stream to the endpoint.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// Whether TLS negotiated HTTP/2.
    pub(crate) fn is_h2(&self) -> bool {
        match self {
            Stream::Tls(tls) => tls.get_ref().1.alpn_protocol() == Some(b"h2"),
            Stream::Plain(_) => false,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(tcp) => tcp.is_write_vectored(),
            Stream::Tls(tls) => tls.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What a call can learn about the connection it went out on.
#[derive(Clone, Debug)]
pub(crate) struct Progress(Arc<ProgressInner>);

#[derive(Debug, Default)]
pub(crate) struct ProgressInner {
    /// HTTP/2: the server sends frames of its own (settings, pings), so
    /// bytes read say nothing about an answer; a stream's answer has started
    /// once its HEADERS frame arrived, which hyper reports by answering.
    h2: bool,
    /// Response bytes read since the last request bytes were written.
    read_since_write: AtomicU64,
    /// Calls that have gone out on this connection.
    calls: AtomicU64,
}

impl Progress {
    fn new(h2: bool) -> Progress {
        Progress(Arc::new(ProgressInner {
            h2,
            ..ProgressInner::default()
        }))
    }

    /// Whether any byte of the answer to the last request had arrived when
    /// hyper gave up without a response: only HTTP/1.1 can tell.
    pub(crate) fn answer_started(&self) -> bool {
        !self.0.h2 && self.0.read_since_write.load(Ordering::Acquire) > 0
    }

    /// Counts a call that went out on this connection; whether an earlier
    /// one had (the connection was reused).
    pub(crate) fn count_call(&self) -> bool {
        self.0.calls.fetch_add(1, Ordering::AcqRel) > 0
    }

    fn wrote(&self) {
        self.0.read_since_write.store(0, Ordering::Release);
    }

    fn read(&self, n: usize) {
        self.0
            .read_since_write
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::AcqRel);
    }
}

/// The stream with its [`Progress`], at the tokio level (under hyper's
/// adapter), where the number of bytes each read filled is visible. A warm
/// connection comes with what the server sent while it waited (an HTTP/2
/// server's SETTINGS), given to hyper before anything read later, and tells
/// its keeper when the first bytes are read (see `warm`).
struct Counted {
    stream: Stream,
    progress: Progress,
    prefix: Vec<u8>,
    prefix_at: usize,
    first_read: Option<oneshot::Sender<()>>,
}

impl Counted {
    fn read_some(&mut self) {
        if let Some(first_read) = self.first_read.take() {
            let _ = first_read.send(());
        }
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(rest) = this.prefix.get(this.prefix_at..)
            && !rest.is_empty()
        {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(rest.get(..n).unwrap_or_default());
            this.prefix_at += n;
            if this.prefix_at == this.prefix.len() {
                this.prefix = Vec::new();
                this.prefix_at = 0;
            }
            this.read_some();
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        let read = buf.filled().len().saturating_sub(before);
        if read > 0 {
            // Over HTTP/2 the count says nothing (see `Progress`): not kept.
            if !this.progress.0.h2 {
                this.progress.read(read);
            }
            this.read_some();
        }
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        if !this.progress.0.h2
            && let Poll::Ready(Ok(n)) = &polled
            && *n > 0
        {
            this.progress.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if !this.progress.0.h2
            && let Poll::Ready(Ok(n)) = &polled
            && *n > 0
        {
            this.progress.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A connection as hyper sees it.
pub(crate) struct Conn {
    io: TokioIo<Counted>,
    h2: bool,
}

impl Conn {
    fn new(stream: Stream) -> Conn {
        Conn::with(stream, Vec::new(), None)
    }

    /// A warm connection: its first bytes read are `prefix`, and reading
    /// any sends on `first_read`.
    pub(crate) fn warm(stream: Stream, prefix: Vec<u8>, first_read: oneshot::Sender<()>) -> Conn {
        Conn::with(stream, prefix, Some(first_read))
    }

    fn with(stream: Stream, prefix: Vec<u8>, first_read: Option<oneshot::Sender<()>>) -> Conn {
        let h2 = stream.is_h2();
        Conn {
            io: TokioIo::new(Counted {
                stream,
                progress: Progress::new(h2),
                prefix,
                prefix_at: 0,
                first_read,
            }),
            h2,
        }
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        let connected = Connected::new().extra(self.io.inner().progress.clone());
        if self.h2 {
            connected.negotiated_h2()
        } else {
            connected
        }
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// The server closed the connection during the TLS handshake.
#[derive(Debug)]
pub(crate) struct HandshakeClosed(io::Error);

impl std::fmt::Display for HandshakeClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server closed the connection during the tls handshake")
    }
}

impl std::error::Error for HandshakeClosed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
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
