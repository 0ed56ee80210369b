//! One request and its response on an open connection.

use std::io::{self, Read, Write};

use rescue_sso_client_core::TlsError;
use rescue_sso_proto::http1::{self, Complete, Decoded, Limits, ResponseDecoder};
use rescue_sso_proto::{ANSWER_READ_LIMIT, Error as ProtoError, check_answer_head};

use crate::connect::rustls_error;
use crate::deadline::is_timeout;
use crate::error::Error;
use crate::stream::Conn;

/// How an exchange failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Not one byte of the request reached the connection: on a reused
    /// connection the server most likely closed it while it was idle, and
    /// the request may go again on a fresh one without the server ever
    /// having seen it.
    Unsent(Error),
    /// Anything else. The request may have reached the server, so it is
    /// never sent again: it carries the master SSO password, and the server
    /// may already have issued a ticket for it.
    Failed(Error),
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unsent(err) | Failure::Failed(err) => err,
        }
    }
}

/// Writes `request` (already encoded) on `conn` and reads the response, its
/// body read up to [`ANSWER_READ_LIMIT`] bytes (what decoding needs to tell
/// an answer over the cap, and to keep the status of one). The connection's
/// deadline bounds everything.
pub(crate) fn exchange(conn: &mut Conn, request: &[u8]) -> Result<Complete, Failure> {
    if let Err(err) = conn.write_all(request).and_then(|()| conn.flush()) {
        let err = io_error(err, false);
        return Err(if conn.wrote_any() {
            Failure::Failed(err)
        } else {
            Failure::Unsent(err)
        });
    }

    let mut decoder = ResponseDecoder::with_limits(limits()).truncating();
    let mut buf = [0u8; 4096];
    let mut received = false;
    let mut head_checked = false;
    loop {
        let decoded = match conn.read(&mut buf) {
            // A clean end of stream: TCP FIN, or TLS close_notify.
            Ok(0) => decoder.finish(),
            Ok(n) => {
                received = true;
                decoder.feed(buf.get(..n).unwrap_or_default())
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(Failure::Failed(io_error(err, received))),
        };
        match decoded {
            Ok(Decoded::Complete(complete)) => return Ok(complete),
            Ok(_) => {}
            Err(err) => return Err(Failure::Failed(decode_error(err))),
        }
        // Refuse by the head what would be refused anyway (a redirect, an
        // announced body over the cap) without waiting for its body.
        if !head_checked && let Some(head) = decoder.head() {
            head_checked = true;
            check_answer_head(head.status, &head.headers)
                .map_err(|err| Failure::Failed(Error::Protocol(err)))?;
        }
    }
}

fn decode_error(err: http1::Error) -> Error {
    match err {
        http1::Error::NoResponse => Error::Closed(Box::new(err)),
        http1::Error::Incomplete => Error::Incomplete(Box::new(err)),
        other => Error::Protocol(ProtoError::Http1(other)),
    }
}

/// Maps an I/O error; `received` says whether any response byte arrived.
fn io_error(err: io::Error, received: bool) -> Error {
    if is_timeout(&err) {
        return Error::Timeout;
    }
    if let Some(tls) = rustls_error(&err) {
        return Error::Tls(TlsError::from_rustls(tls.clone()));
    }
    // A close, a reset, or (rustls's UnexpectedEof) a TCP close without
    // close_notify: before any byte it is a closed connection, after one an
    // answer cut short, which may be a truncation attack.
    if received {
        Error::Incomplete(Box::new(err))
    } else {
        Error::Closed(Box::new(err))
    }
}

/// Chunk extension bytes of one body that hyper 1.x reads (its
/// `CHUNKED_EXTENSIONS_LIMIT` of 16 KiB: it refuses the 16,384th byte after
/// a chunk-size line's first `;`, the codec's count).
const MAX_CHUNK_EXT_BYTES: usize = 16 * 1024 - 1;

/// Trailer field lines hyper 1.x reads (its `TRAILER_LIMIT` of 16 KiB:
/// it refuses the 16,384th byte of the section counting the final CRLF,
/// which the codec leaves out).
const MAX_TRAILER_BYTES: usize = 16 * 1024 - 3;

/// The codec's limits for an answer: the body read to `ANSWER_READ_LIMIT`,
/// and chunk extensions and trailers bounded where hyper bounds them, so
/// that the two adapters read and refuse the same answers.
fn limits() -> Limits {
    Limits::default()
        .max_body_bytes(ANSWER_READ_LIMIT)
        .max_chunk_ext_bytes(MAX_CHUNK_EXT_BYTES)
        .max_trailer_bytes(MAX_TRAILER_BYTES)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::time::Duration;

    use super::*;
    use crate::deadline::after;
    use crate::stream::Socket;

    /// A plain connection to a listener on loopback, and the server's end.
    fn pair() -> (Conn, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        let mut conn = Conn::Plain(Socket::new(client, after(Duration::from_secs(5))));
        conn.start_exchange(after(Duration::from_secs(5)));
        (conn, server)
    }

    #[test]
    fn a_request_that_could_not_be_written_at_all_may_go_again() {
        let (mut conn, _server) = pair();
        if let Conn::Plain(socket) = &conn {
            socket.shutdown_write_for_test();
        }
        match exchange(&mut conn, b"POST / HTTP/1.1\r\nhost: x\r\n\r\n") {
            Err(Failure::Unsent(err)) => {
                assert_eq!(err.kind(), rescue_sso_client_core::ErrorKind::Closed)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_that_was_written_is_never_unsent() {
        let (mut conn, mut server) = pair();
        let request = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc";
        let reader = std::thread::spawn(move || {
            let mut seen = vec![0u8; request.len()];
            server.read_exact(&mut seen).expect("request");
            server.shutdown(Shutdown::Both).expect("close");
            seen
        });
        match exchange(&mut conn, request) {
            Err(Failure::Failed(err)) => {
                assert_eq!(err.kind(), rescue_sso_client_core::ErrorKind::Closed)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(reader.join().expect("server"), request);
    }
}
