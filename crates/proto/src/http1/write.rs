//! Putting a request on the wire.

use bytes::BufMut;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::uri::Authority;
use http::{Method, Request};

/// Writes `req` as an HTTP/1.1 request into `buf`.
///
/// - The request line carries the path and query only (origin form), `/` when
///   the URI has none; a `CONNECT` carries the URI's `host:port` (authority
///   form), as a proxy tunnel request must.
/// - `Host` comes first: the request's own `Host` header if it has one, else
///   the URI's host and port. User information in the URI is never written.
/// - The other headers follow in order; further `Host` lines are dropped.
/// - The body is framed by a `Content-Length` computed from the body itself:
///   any `Content-Length` or `Transfer-Encoding` the request carries is
///   replaced, so the framing the server reads cannot disagree with the bytes
///   sent. It is written when the body is non-empty, when the method is one
///   that carries a body (`POST`, `PUT`, `PATCH`), or when the request had a
///   `Content-Length` of its own.
///
/// `http` types cannot hold CR or LF in a method, URI or header, so nothing
/// here can split the request.
///
/// # Panics
///
/// Only if `buf` cannot grow, as [`BufMut::put_slice`] documents: pass a
/// growable buffer such as `Vec<u8>` or `BytesMut`.
///
/// ```
/// use rescue_sso_proto::http1::write_request;
///
/// let req = http::Request::post("https://example.com/SSO/GetDTCLoginTicket.aspx?x=1")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(&b"a=b"[..])
///     .unwrap();
/// let mut out = Vec::new();
/// write_request(&req, &mut out);
/// assert_eq!(
///     out,
///     b"POST /SSO/GetDTCLoginTicket.aspx?x=1 HTTP/1.1\r\n\
///       host: example.com\r\n\
///       content-type: application/x-www-form-urlencoded\r\n\
///       content-length: 3\r\n\
///       \r\n\
///       a=b"
/// );
/// ```
pub fn write_request<B: AsRef<[u8]>>(req: &Request<B>, buf: &mut impl BufMut) {
    let body = req.body().as_ref();
    buf.put_slice(req.method().as_str().as_bytes());
    buf.put_u8(b' ');
    match req.uri().authority() {
        // A tunnel is asked for by `host:port` (RFC 9112 authority form).
        Some(authority) if req.method() == Method::CONNECT => put_host_port(authority, buf),
        _ => {
            let target = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .filter(|pq| !pq.is_empty())
                .unwrap_or("/");
            buf.put_slice(target.as_bytes());
        }
    }
    buf.put_slice(b" HTTP/1.1\r\n");

    buf.put_slice(b"host: ");
    if let Some(host) = req.headers().get(HOST) {
        buf.put_slice(host.as_bytes());
    } else if let Some(authority) = req.uri().authority() {
        put_host_port(authority, buf);
    }
    buf.put_slice(b"\r\n");

    for (name, value) in req.headers() {
        if name == HOST || name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        buf.put_slice(name.as_str().as_bytes());
        buf.put_slice(b": ");
        buf.put_slice(value.as_bytes());
        buf.put_slice(b"\r\n");
    }

    let carries_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if !body.is_empty() || carries_body || req.headers().contains_key(CONTENT_LENGTH) {
        buf.put_slice(b"content-length: ");
        buf.put_slice(body.len().to_string().as_bytes());
        buf.put_slice(b"\r\n");
    }
    buf.put_slice(b"\r\n");
    buf.put_slice(body);
}

/// `host[:port]` of `authority`. Not `authority.as_str()`: that would include
/// `user:password@`.
fn put_host_port(authority: &Authority, buf: &mut impl BufMut) {
    buf.put_slice(authority.host().as_bytes());
    if let Some(port) = authority.port() {
        buf.put_u8(b':');
        buf.put_slice(port.as_str().as_bytes());
    }
}
