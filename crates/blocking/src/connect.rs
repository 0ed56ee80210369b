//! Opening a connection: TCP, an optional proxy tunnel, then TLS.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};

use rescue_sso_client_core::rustls::pki_types::ServerName;
use rescue_sso_client_core::rustls::{self, ClientConfig, ClientConnection, StreamOwned};
use rescue_sso_client_core::{Proxy, Resolver, TlsError};
use rescue_sso_proto::http::uri::Authority;

use crate::deadline::{ConnectDeadline, is_timeout, remaining};
use crate::error::Error;
use crate::stream::{Conn, Socket};
use crate::tunnel;

/// Where connections go, worked out once when the client is built.
#[derive(Debug)]
pub(crate) struct Target {
    /// The host to resolve and to verify the certificate for, without the
    /// brackets of an IPv6 literal.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `host:port`, as a proxy's `CONNECT` wants it.
    pub(crate) authority: Authority,
    /// The TLS configuration, shared by every connection so that sessions
    /// resume; `None` for a plain `http` endpoint.
    pub(crate) tls: Option<Arc<ClientConfig>>,
    /// The proxy this endpoint goes through, if any.
    pub(crate) proxy: Option<Proxy>,
    /// How host names are resolved.
    pub(crate) resolver: Resolver,
}

/// Opens a connection to `target`, done by `deadline`.
pub(crate) fn connect(target: &Target, deadline: ConnectDeadline) -> Result<Conn, Error> {
    let mut socket = match &target.proxy {
        Some(proxy) => {
            let proxy_host = strip_brackets(proxy.authority().host());
            let proxy_port = proxy.authority().port_u16().unwrap_or(80);
            let mut socket = tcp(&target.resolver, proxy_host, proxy_port, deadline)?;
            tunnel::open(&mut socket, proxy, &target.authority, deadline)?;
            socket
        }
        None => tcp(&target.resolver, &target.host, target.port, deadline)?,
    };
    match &target.tls {
        None => Ok(Conn::Plain(socket)),
        Some(config) => {
            let tls = handshake(&mut socket, config, &target.host, deadline)?;
            Ok(Conn::Tls(Box::new(StreamOwned::new(tls, socket))))
        }
    }
}

/// Resolves `host` and connects to each address in turn until one answers,
/// each attempt bounded by what is left of the deadline.
fn tcp(
    resolver: &Resolver,
    host: &str,
    port: u16,
    deadline: ConnectDeadline,
) -> Result<Socket, Error> {
    let addrs = resolve(resolver, host, port, deadline)?;
    let mut last = None;
    for addr in addrs {
        let left = remaining(deadline.at).ok_or_else(|| deadline.expired())?;
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                // Requests are one small write; don't let Nagle hold it back.
                tcp.set_nodelay(true).map_err(Error::Connect)?;
                return Ok(Socket::new(tcp, deadline.at));
            }
            Err(err) if is_timeout(&err) && remaining(deadline.at).is_none() => {
                return Err(deadline.expired());
            }
            Err(err) => {
                tracing::debug!(%addr, error = %err, "connect attempt failed");
                last = Some(err);
            }
        }
    }
    Err(Error::Connect(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, "host resolved to no address")
    })))
}

/// The addresses of `host`, looked up on a thread of its own and waited for
/// only until the deadline: a resolver that never answers is left behind,
/// and the call ends on time.
fn resolve(
    resolver: &Resolver,
    host: &str,
    port: u16,
    deadline: ConnectDeadline,
) -> Result<Vec<SocketAddr>, Error> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        if resolver.is_loopback_only() {
            rescue_sso_client_core::check_plain_http_address(host).map_err(Error::Connect)?;
        }
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::sync_channel(1);
    resolver
        .spawn(host, port, move |result| {
            let _ = tx.send(result);
        })
        .map_err(Error::Connect)?;
    let left = remaining(deadline.at).ok_or_else(|| deadline.expired())?;
    match rx.recv_timeout(left) {
        Ok(result) => result.map_err(Error::Connect),
        Err(RecvTimeoutError::Timeout) => Err(deadline.expired()),
        Err(RecvTimeoutError::Disconnected) => Err(Error::Connect(io::Error::other(
            "the name lookup ended without an answer",
        ))),
    }
}

/// Runs the TLS handshake to completion on `socket`.
fn handshake(
    socket: &mut Socket,
    config: &Arc<ClientConfig>,
    host: &str,
    deadline: ConnectDeadline,
) -> Result<ClientConnection, Error> {
    let name = ServerName::try_from(host.to_owned()).map_err(|_| {
        Error::Tls(TlsError::from_rustls(rustls::Error::General(
            "invalid server name".into(),
        )))
    })?;
    let mut tls = ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| Error::Tls(TlsError::from_rustls(e)))?;
    while tls.is_handshaking() {
        if let Err(err) = tls.complete_io(socket) {
            return Err(handshake_error(err, deadline));
        }
    }
    tracing::debug!(
        resumed = matches!(tls.handshake_kind(), Some(rustls::HandshakeKind::Resumed)),
        "tls handshake done"
    );
    Ok(tls)
}

fn handshake_error(err: io::Error, deadline: ConnectDeadline) -> Error {
    if is_timeout(&err) {
        return deadline.expired();
    }
    if let Some(tls) = rustls_error(&err) {
        return Error::Tls(TlsError::from_rustls(tls.clone()));
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Error::Closed(Box::new(err)),
        _ => Error::Connect(err),
    }
}

/// The rustls error inside an I/O error, as rustls reports protocol and
/// certificate failures.
pub(crate) fn rustls_error(err: &io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}

/// `::1` for `[::1]`: resolvers and certificate names want the bare address.
pub(crate) fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}
