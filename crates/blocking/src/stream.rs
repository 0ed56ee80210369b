//! A connection to the server: plain TCP (loopback emulators only) or TLS,
//! with every read and write bounded by a deadline.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use rescue_sso_client_core::rustls::{ClientConnection, StreamOwned};

use crate::deadline::remaining;

/// A TCP stream whose reads and writes fail with `TimedOut` once its
/// deadline has passed, and otherwise wait at most until it.
///
/// rustls may read the socket several times inside one `read` of the TLS
/// stream; arming the timeout here, under rustls, bounds every one of them.
#[derive(Debug)]
pub(crate) struct Socket {
    tcp: TcpStream,
    deadline: Instant,
    /// Bytes handed to the kernel since the last [`Socket::start_exchange`].
    written: u64,
}

impl Socket {
    pub(crate) fn new(tcp: TcpStream, deadline: Instant) -> Self {
        Socket {
            tcp,
            deadline,
            written: 0,
        }
    }

    pub(crate) fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    fn left(&self) -> io::Result<std::time::Duration> {
        remaining(self.deadline).ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))
    }

    /// Closes the sending side, so every write fails at once.
    #[cfg(test)]
    pub(crate) fn shutdown_write_for_test(&self) {
        let _ = self.tcp.shutdown(std::net::Shutdown::Write);
    }

    /// Whether an idle connection still looks usable: nothing to read (a
    /// server that closed it, or sent a TLS alert, made it readable).
    fn is_quiet(&self) -> bool {
        if self.tcp.set_nonblocking(true).is_err() {
            return false;
        }
        let quiet = matches!(
            self.tcp.peek(&mut [0u8; 1]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock
        );
        self.tcp.set_nonblocking(false).is_ok() && quiet
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.left()?))?;
        self.tcp.read(buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.left()?))?;
        let n = self.tcp.write(buf)?;
        self.written = self
            .written
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// An open connection to the endpoint, through a proxy tunnel or not.
#[derive(Debug)]
pub(crate) enum Conn {
    /// Plain TCP, for an `http` endpoint (a loopback emulator).
    Plain(Socket),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
}

impl Conn {
    fn socket_mut(&mut self) -> &mut Socket {
        match self {
            Conn::Plain(sock) => sock,
            Conn::Tls(tls) => &mut tls.sock,
        }
    }

    fn socket(&self) -> &Socket {
        match self {
            Conn::Plain(sock) => sock,
            Conn::Tls(tls) => &tls.sock,
        }
    }

    /// Starts an exchange: bounds every following read and write by
    /// `deadline`, and counts the bytes written from here on.
    pub(crate) fn start_exchange(&mut self, deadline: Instant) {
        let socket = self.socket_mut();
        socket.set_deadline(deadline);
        socket.written = 0;
    }

    /// Whether any byte of this exchange's request reached the socket (and
    /// so, perhaps, the server). With TLS, what rustls still buffers does
    /// not count: it was never sent.
    pub(crate) fn wrote_any(&self) -> bool {
        self.socket().written > 0
    }

    /// Whether an idle connection may be used again: the peer has not closed
    /// it or sent anything since the last response, and rustls holds no
    /// unread plaintext.
    pub(crate) fn is_reusable_idle(&self) -> bool {
        let tls_idle = match self {
            Conn::Plain(_) => true,
            // rustls wants to read exactly when it buffers no plaintext and
            // has seen no close_notify.
            Conn::Tls(tls) => tls.conn.wants_read(),
        };
        tls_idle && self.socket().is_quiet()
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(sock) => sock.read(buf),
            Conn::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(sock) => sock.write(buf),
            Conn::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(sock) => sock.flush(),
            Conn::Tls(tls) => tls.flush(),
        }
    }
}
