//! Putting a request on the wire.

use bytes::BufMut;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::uri::Authority;
use http::{Method, Request};

use crate::ascii::decimal;

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
    emit(req, &mut Writer(buf));
}

/// The exact number of bytes [`write_request`] writes for `req`.
///
/// For a caller that wants a buffer of exactly the right size: one that
/// never reallocates while the request is written into it, and so leaves no
/// stray copy of a request that carries a secret.
///
/// ```
/// use rescue_sso_proto::http1::{encoded_len, write_request};
///
/// let req = http::Request::post("https://example.com/x").body(&b"a=b"[..]).unwrap();
/// let mut out = Vec::with_capacity(encoded_len(&req));
/// write_request(&req, &mut out);
/// assert_eq!(out.len(), out.capacity());
/// ```
pub fn encoded_len<B: AsRef<[u8]>>(req: &Request<B>) -> usize {
    let mut count = Counter(0);
    emit(req, &mut count);
    count.0
}

/// Where [`emit`] puts bytes: a buffer, or a counter.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

struct Writer<'a, T: BufMut>(&'a mut T);

impl<T: BufMut> Sink for Writer<'_, T> {
    fn put(&mut self, bytes: &[u8]) {
        self.0.put_slice(bytes);
    }
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// The request's bytes, in order, into `out`: one definition for both
/// writing and counting, so the two cannot disagree.
fn emit<B: AsRef<[u8]>>(req: &Request<B>, out: &mut impl Sink) {
    let body = req.body().as_ref();
    out.put(req.method().as_str().as_bytes());
    out.put(b" ");
    match req.uri().authority() {
        // A tunnel is asked for by `host:port` (RFC 9112 authority form).
        Some(authority) if req.method() == Method::CONNECT => put_host_port(authority, out),
        _ => {
            let target = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .filter(|pq| !pq.is_empty())
                .unwrap_or("/");
            out.put(target.as_bytes());
        }
    }
    out.put(b" HTTP/1.1\r\n");

    out.put(b"host: ");
    if let Some(host) = req.headers().get(HOST) {
        out.put(host.as_bytes());
    } else if let Some(authority) = req.uri().authority() {
        put_host_port(authority, out);
    }
    out.put(b"\r\n");

    for (name, value) in req.headers() {
        if name == HOST || name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        out.put(name.as_str().as_bytes());
        out.put(b": ");
        out.put(value.as_bytes());
        out.put(b"\r\n");
    }

    let carries_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if !body.is_empty() || carries_body || req.headers().contains_key(CONTENT_LENGTH) {
        out.put(b"content-length: ");
        let mut digits = [0u8; 20];
        out.put(decimal(
            u64::try_from(body.len()).unwrap_or(u64::MAX),
            &mut digits,
        ));
        out.put(b"\r\n");
    }
    out.put(b"\r\n");
    out.put(body);
}

/// `host[:port]` of `authority`. Not `authority.as_str()`: that would include
/// `user:password@`.
fn put_host_port(authority: &Authority, out: &mut impl Sink) {
    out.put(authority.host().as_bytes());
    if let Some(port) = authority.port() {
        out.put(b":");
        out.put(port.as_str().as_bytes());
    }
}
