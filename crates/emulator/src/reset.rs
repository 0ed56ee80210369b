//! Closing a connection abruptly, for [`Fault::Reset`](crate::Fault::Reset).
//!
//! A request's handler cannot reach its socket (hyper owns it, maybe under
//! TLS and HTTP/2), so it raises a per-connection signal; the connection's
//! task then drops the whole connection, and the socket, marked, closes with
//! `SO_LINGER` 0: the client sees a TCP RST, not an orderly FIN, even on an
//! HTTP/2 connection carrying other streams.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Raised by a request, awaited by its connection.
#[derive(Debug, Default)]
pub(crate) struct ResetSignal {
    raised: AtomicBool,
    notify: Notify,
}

impl ResetSignal {
    pub(crate) fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
        // A stored permit: the connection task sees it even if it is not
        // waiting yet.
        self.notify.notify_one();
    }

    pub(crate) async fn raised(&self) {
        self.notify.notified().await;
    }

    fn is_raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }
}

/// A TCP stream that resets rather than closes when its connection's signal
/// was raised before it is dropped.
#[derive(Debug)]
pub(crate) struct ResettableStream {
    tcp: TcpStream,
    signal: std::sync::Arc<ResetSignal>,
}

impl ResettableStream {
    pub(crate) fn new(tcp: TcpStream, signal: std::sync::Arc<ResetSignal>) -> Self {
        ResettableStream { tcp, signal }
    }
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.signal.is_raised() {
            // A zero linger never blocks (only a non-zero one does, hence the
            // deprecation); `set_zero_linger` would need tokio 1.50.
            #[allow(deprecated)]
            let _ = self.tcp.set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
