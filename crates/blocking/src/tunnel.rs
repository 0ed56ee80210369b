//! Opening a tunnel through an HTTP proxy with `CONNECT`.

use std::io::{self, Read, Write};

use rescue_sso_proto::http::uri::Authority;
use rescue_sso_proto::http1::{self, Decoded, ResponseDecoder};
use rescue_sso_transport::Proxy;

use crate::deadline::{ConnectDeadline, is_timeout};
use crate::error::{Error, ProxyError};
use crate::stream::Socket;

/// Asks the proxy at the other end of `socket` for a tunnel to `target`,
/// authenticating if the proxy settings carry credentials. On success the
/// socket is a byte pipe to `target`.
pub(crate) fn open(
    socket: &mut Socket,
    proxy: &Proxy,
    target: &Authority,
    deadline: ConnectDeadline,
) -> Result<(), Error> {
    let mut wire = Vec::with_capacity(256);
    http1::write_request(&proxy.connect_request(target), &mut wire);
    let written = socket.write_all(&wire).and_then(|()| socket.flush());
    // The request carries the proxy credentials.
    wire.fill(0);
    written.map_err(|err| io_error(err, deadline))?;

    // A 2xx answer to CONNECT has no body whatever its headers say, which is
    // how the decoder reads the answer to HEAD. The answer is read a byte at
    // a time so that nothing past its head, which belongs to the tunnel, is
    // consumed; it is a few dozen bytes, once per connection.
    let mut decoder = ResponseDecoder::new().for_head_request();
    let mut byte = [0u8; 1];
    let complete = loop {
        let decoded = match socket.read(&mut byte) {
            Ok(0) => decoder.finish(),
            Ok(_) => decoder.feed(&byte),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(io_error(err, deadline)),
        };
        match decoded {
            Ok(Decoded::NeedMore) => {}
            Ok(Decoded::Complete(complete)) => break complete,
            Err(http1::Error::NoResponse | http1::Error::Incomplete) => {
                return Err(Error::Proxy(ProxyError::Closed));
            }
            Err(err) => return Err(Error::Proxy(ProxyError::Malformed(err))),
        }
    };
    let status = complete.response.status();
    if !status.is_success() {
        tracing::debug!(status = status.as_u16(), "proxy refused the tunnel");
        return Err(Error::Proxy(ProxyError::Status(status)));
    }
    tracing::debug!("proxy tunnel open");
    Ok(())
}

fn io_error(err: io::Error, deadline: ConnectDeadline) -> Error {
    if is_timeout(&err) {
        return deadline.expired();
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Error::Proxy(ProxyError::Closed),
        _ => Error::Io(err),
    }
}
