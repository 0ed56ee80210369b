//! Opening a tunnel through an HTTP proxy with `CONNECT`, by the transport
//! crate's rules (the same request and the same reading of the answer as the
//! async adapter).

use std::io::{self, Read, Write};

use rescue_sso_client_core::{ConnectRequest, Proxy, ProxyError, TunnelReply};
use rescue_sso_proto::http::uri::Authority;

use crate::deadline::{ConnectDeadline, is_timeout};
use crate::error::Error;
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
    let request = ConnectRequest::new(proxy, target);
    socket
        .write_all(request.as_bytes())
        .and_then(|()| socket.flush())
        .map_err(|err| io_error(err, deadline))?;
    drop(request);

    // A byte at a time: what follows the answer's head belongs to the
    // tunnel. It is a few dozen bytes, once per connection.
    let mut reply = TunnelReply::new();
    let mut byte = [0u8; 1];
    loop {
        match socket.read(&mut byte) {
            Ok(0) => return Err(Error::Proxy(reply.closed())),
            Ok(_) => match reply.feed(byte[0]) {
                Ok(true) => break,
                Ok(false) => {}
                Err(err) => {
                    tracing::debug!(error = %err, "proxy refused the tunnel");
                    return Err(Error::Proxy(err));
                }
            },
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(io_error(err, deadline)),
        }
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
        _ => Error::Connect(err),
    }
}
