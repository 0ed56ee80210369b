//! A deadline for a new connection's first bytes.
//!
//! hyper bounds an HTTP/1.1 request head from its first byte
//! (`header_read_timeout`), and closes a kept-alive connection that starts no
//! next request within the same time; but it waits for a new connection's
//! first byte for ever, and reads an HTTP/2 client preface (24 bytes) with
//! no deadline at all. A client that connects and says nothing, or starts
//! the preface and stops, holds a descriptor, and enough of them stop the
//! gateway accepting anyone. [`FirstByte`] ends that wait: until the first
//! [`OPENING`] bytes have come, a read that finds nothing fails with
//! [`io::ErrorKind::TimedOut`] once the deadline passes, which makes hyper
//! drop the connection. After them it only passes reads and writes through.
//! (Every HTTP/1.1 request head but a bare `GET / HTTP/1.1` with no `Host`
//! is longer, so no answered request waits on it.)

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// How many bytes must come within the deadline: an HTTP/2 client
/// preface, `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, is exactly this long.
pub(crate) const OPENING: usize = 24;

/// A connection whose first bytes must come within a deadline.
pub(crate) struct FirstByte<T> {
    io: T,
    /// Until the opening has come.
    deadline: Option<Pin<Box<Sleep>>>,
    /// Bytes of the opening still to come.
    awaited: usize,
}

impl<T> FirstByte<T> {
    /// Wraps a fresh connection: its first [`OPENING`] bytes must come
    /// within `within`.
    pub(crate) fn new(io: T, within: Duration) -> FirstByte<T> {
        FirstByte {
            io,
            deadline: Some(Box::pin(tokio::time::sleep(within))),
            awaited: OPENING,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FirstByte<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        let Some(deadline) = this.deadline.as_mut() else {
            return read;
        };
        match read {
            Poll::Ready(Ok(())) => {
                this.awaited = this.awaited.saturating_sub(buf.filled().len() - before);
                if this.awaited == 0 {
                    this.deadline = None;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if deadline.as_mut().poll(cx).is_ready() => Poll::Ready(Err(
                io::Error::new(io::ErrorKind::TimedOut, "the client sent nothing"),
            )),
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FirstByte<T> {
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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Instant;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_silent_new_connection_ends_at_the_deadline() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = FirstByte::new(server, Duration::from_secs(1));
        let started = Instant::now();
        let err = server.read(&mut [0u8; 1]).await.expect_err("silent");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_start_of_an_opening_is_not_enough() {
        let (mut client, server) = tokio::io::duplex(64);
        let started = Instant::now();
        let mut server = FirstByte::new(server, Duration::from_secs(1));
        client.write_all(b"PRI * HTTP").await.expect("write");
        let mut start = [0u8; 10];
        server.read_exact(&mut start).await.expect("the start");
        let err = server.read(&mut [0u8; 1]).await.expect_err("silent");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        // The deadline counts from the connection, not from the last byte.
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn after_the_opening_a_read_waits_as_long_as_it_must() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = FirstByte::new(server, Duration::from_secs(1));
        let mut opening = [0u8; OPENING];
        client
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .expect("write");
        server.read_exact(&mut opening).await.expect("the opening");
        let mut byte = [0u8; 1];
        // Handling a request, or a slow head that hyper bounds itself.
        let waiting = tokio::time::timeout(Duration::from_secs(60), server.read(&mut byte)).await;
        assert!(waiting.is_err(), "a read after the first byte timed out");
        client.write_all(b"E").await.expect("write");
        server.read_exact(&mut byte).await.expect("next byte");
        assert_eq!(&byte, b"E");
    }
}
