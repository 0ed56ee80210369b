//! One request and its response on an open connection.

use std::io::{self, Read, Write};

use rescue_sso_proto::http1::{self, Complete, Decoded, Limits, ResponseDecoder};
use rescue_sso_proto::{Error as ProtoError, MAX_ANSWER_BYTES};

use crate::connect::rustls_error;
use crate::deadline::is_timeout;
use crate::error::Error;
use crate::stream::Conn;

/// How an exchange failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection was closed or reset before any response byte: on a
    /// reused connection the server most likely timed it out while idle, and
    /// the request may go again on a fresh one.
    NoResponse,
    /// Anything else.
    Failed(Error),
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::NoResponse => Error::Closed,
            Failure::Failed(err) => err,
        }
    }
}

/// Writes `request` (already encoded) on `conn` and reads the response, its
/// body capped at [`MAX_ANSWER_BYTES`]. The connection's deadline bounds
/// everything.
pub(crate) fn exchange(conn: &mut Conn, request: &[u8]) -> Result<Complete, Failure> {
    conn.write_all(request)
        .and_then(|()| conn.flush())
        .map_err(|err| io_failure(err, false))?;

    let mut decoder =
        ResponseDecoder::with_limits(Limits::default().max_body_bytes(MAX_ANSWER_BYTES));
    let mut buf = [0u8; 4096];
    let mut received = false;
    loop {
        let decoded = match conn.read(&mut buf) {
            // A clean end of stream: TCP FIN, or TLS close_notify.
            Ok(0) => decoder.finish(),
            Ok(n) => {
                received = true;
                decoder.feed(buf.get(..n).unwrap_or_default())
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(io_failure(err, received)),
        };
        match decoded {
            Ok(Decoded::NeedMore) => {}
            Ok(Decoded::Complete(complete)) => return Ok(complete),
            Err(err) => return Err(decode_failure(err)),
        }
    }
}

fn decode_failure(err: http1::Error) -> Failure {
    match err {
        http1::Error::NoResponse => Failure::NoResponse,
        http1::Error::Incomplete => Failure::Failed(Error::Incomplete),
        // The same error the protocol crate reports for an answer over the
        // cap, whichever adapter read it.
        http1::Error::BodyTooLarge { limit } => {
            Failure::Failed(Error::Protocol(ProtoError::BodyTooLarge { limit }))
        }
        other => Failure::Failed(Error::Protocol(ProtoError::Http1(other))),
    }
}

/// Maps an I/O error; `received` says whether any response byte arrived.
fn io_failure(err: io::Error, received: bool) -> Failure {
    if is_timeout(&err) {
        return Failure::Failed(Error::Timeout);
    }
    match err.kind() {
        // rustls reports a TCP close without close_notify as UnexpectedEof:
        // before any byte it is a closed idle connection, after one it may
        // be a truncation attack.
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => {
            if received {
                Failure::Failed(Error::Incomplete)
            } else {
                Failure::NoResponse
            }
        }
        _ => match rustls_error(&err) {
            Some(tls) => Failure::Failed(Error::Tls(tls.clone())),
            None => Failure::Failed(Error::Io(err)),
        },
    }
}
