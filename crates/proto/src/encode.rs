//! Putting the parameters on the wire: form encoding, the request line and
//! the headers every operation sends.

use std::fmt;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use http::uri::PathAndQuery;
use http::{Method, Request};
use zeroize::Zeroize;

use crate::ascii::decimal;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::input::{Arch, Password, SsoId};

/// The `User-Agent` every request carries.
pub const USER_AGENT_VALUE: &str = concat!("rescue-sso/", env!("CARGO_PKG_VERSION"));

/// How parameters are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RequestMethod {
    /// `POST` with an `application/x-www-form-urlencoded` body: the master
    /// SSO password stays out of URLs, access logs and proxies. The default.
    #[default]
    Post,
    /// `GET` with the parameters in the query string, as the vendor's samples
    /// do. The password then sits in the URL: opt in only if you must.
    Get,
}

impl RequestMethod {
    /// The HTTP method's name, `"POST"` or `"GET"`, as a log line shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestMethod::Post => "POST",
            RequestMethod::Get => "GET",
        }
    }
}

/// The encoded request body. It holds the master SSO password, so its
/// `Debug` prints only the length; the bytes come out through
/// [`RequestBody::expose_bytes`] or [`RequestBody::into_bytes`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestBody(Bytes);

impl RequestBody {
    /// The bytes, to put on the wire.
    pub fn expose_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The bytes, to hand to an HTTP stack that wants to own them.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body is empty (as it is for `GET`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AsRef<[u8]> for RequestBody {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestBody([redacted; {} bytes])", self.0.len())
    }
}

/// A buffer that wipes itself once the last [`Bytes`] pointing at it is
/// dropped. Every buffer that holds the master SSO password is one, sized
/// exactly before it is written so that it never reallocates and leaves an
/// unwiped copy behind.
struct Wiped(Vec<u8>);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `len` bytes written by `write` into a buffer that never reallocates and
/// is wiped when the returned `Bytes` (and every clone of it) is dropped.
fn wiped_bytes(len: usize, write: impl FnOnce(&mut Vec<u8>)) -> Bytes {
    let mut buf = Vec::with_capacity(len);
    write(&mut buf);
    debug_assert_eq!(buf.len(), len, "the length was computed exactly");
    Bytes::from_owner(Wiped(buf))
}

/// What `byte_serialize` writes for `s`: the unreserved set and space (as
/// `+`) stay one byte, everything else becomes `%XX`.
fn form_encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' | b' ' => 1,
            _ => 3,
        })
        .sum()
}

/// The parameters of a request, in the documented order and spelling, each
/// value to be form-encoded.
pub(crate) type Params<'a> = [(&'static str, &'a str)];

/// The length of `params` form-encoded, `&`-separated.
fn form_len(params: &Params<'_>) -> usize {
    params
        .iter()
        .map(|(k, v)| k.len() + 1 + form_encoded_len(v))
        .sum::<usize>()
        + params.len().saturating_sub(1)
}

fn write_form(params: &Params<'_>, out: &mut Vec<u8>) {
    for (n, (name, value)) in params.iter().enumerate() {
        if n > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        for piece in form_urlencoded::byte_serialize(value.as_bytes()) {
            out.extend_from_slice(piece.as_bytes());
        }
    }
}

/// The HTTP/1.1 request [`request`] builds, written straight into `out`:
/// byte for byte what [`crate::http1::write_request`] writes for it (the
/// request line in origin form, `host`, `user-agent`, and for a POST
/// `content-type` and `content-length`), into room reserved first.
pub(crate) fn http1_request(
    endpoint: &Endpoint,
    method: RequestMethod,
    path: &'static str,
    params: &Params<'_>,
    out: &mut crate::http1::RequestBuffer,
) {
    const POST_HEADERS: &[u8] =
        b"\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ";
    let form_len = form_len(params);
    let host = endpoint.host_header().as_bytes();
    let mut digits = [0u8; 20];
    let length = decimal(u64::try_from(form_len).unwrap_or(u64::MAX), &mut digits);
    let head = |verb: &str| verb.len() + 1 + path.len() + " HTTP/1.1\r\nhost: ".len() + host.len();
    let ua = "\r\nuser-agent: ".len() + USER_AGENT_VALUE.len();
    match method {
        RequestMethod::Post => {
            let len = head("POST") + ua + POST_HEADERS.len() + length.len() + 4 + form_len;
            let buf = out.start(len);
            buf.extend_from_slice(b"POST ");
            buf.extend_from_slice(path.as_bytes());
            buf.extend_from_slice(b" HTTP/1.1\r\nhost: ");
            buf.extend_from_slice(host);
            buf.extend_from_slice(b"\r\nuser-agent: ");
            buf.extend_from_slice(USER_AGENT_VALUE.as_bytes());
            buf.extend_from_slice(POST_HEADERS);
            buf.extend_from_slice(length);
            buf.extend_from_slice(b"\r\n\r\n");
            write_form(params, buf);
            debug_assert_eq!(buf.len(), len, "the length was computed exactly");
        }
        RequestMethod::Get => {
            let len = head("GET") + 1 + form_len + ua + 4;
            let buf = out.start(len);
            buf.extend_from_slice(b"GET ");
            buf.extend_from_slice(path.as_bytes());
            buf.push(b'?');
            write_form(params, buf);
            buf.extend_from_slice(b" HTTP/1.1\r\nhost: ");
            buf.extend_from_slice(host);
            buf.extend_from_slice(b"\r\nuser-agent: ");
            buf.extend_from_slice(USER_AGENT_VALUE.as_bytes());
            buf.extend_from_slice(b"\r\n\r\n");
            debug_assert_eq!(buf.len(), len, "the length was computed exactly");
        }
    }
}

/// The four documented parameters of the ticket operations.
pub(crate) fn ticket_params<'a>(
    sso_id: &'a SsoId,
    digits: &'a str,
    password: &'a Password,
    arch: Arch,
) -> ([(&'static str, &'a str); 4], usize) {
    let mut pairs = [
        ("ssoid", sso_id.as_str()),
        ("Password", password.expose_secret()),
        ("CompanyID", digits),
        ("arch", ""),
    ];
    let count = match arch.param() {
        Some(value) => {
            pairs[3].1 = value;
            4
        }
        None => 3,
    };
    (pairs, count)
}

/// Builds the request for `path` carrying `params`, by `method`: a form body
/// for POST, the query string for GET. The buffer holding the encoded
/// parameters is wiped when the request (and anything sharing its bytes) is
/// dropped.
pub(crate) fn request(
    endpoint: &Endpoint,
    method: RequestMethod,
    path: &'static str,
    params: &Params<'_>,
) -> Result<EncodedRequest, Error> {
    let form_len = form_len(params);
    let (http_method, path_and_query, body) = match method {
        RequestMethod::Post => {
            let body = wiped_bytes(form_len, |out| write_form(params, out));
            (Method::POST, PathAndQuery::from_static(path), body)
        }
        RequestMethod::Get => {
            let target = wiped_bytes(path.len() + 1 + form_len, |out| {
                out.extend_from_slice(path.as_bytes());
                out.push(b'?');
                write_form(params, out);
            });
            // Keeps these very bytes (no copy), so they are wiped too.
            let pq = PathAndQuery::from_maybe_shared(target).map_err(|_| Error::Encode)?;
            (Method::GET, pq, Bytes::new())
        }
    };
    let uri = endpoint.uri(path_and_query).map_err(|_| Error::Encode)?;
    let host = endpoint.host_header().clone();
    let content_length = HeaderValue::from(body.len());
    let mut req = Request::new(RequestBody(body));
    *req.method_mut() = http_method;
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    headers.insert(HOST, host);
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    if method == RequestMethod::Post {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers.insert(CONTENT_LENGTH, content_length);
    }
    Ok(EncodedRequest(req))
}

/// A request an [`Operation`](crate::Operation) encoded, ready to send.
///
/// It is an [`http::Request`] (it derefs to one, and
/// [`EncodedRequest::into_http`] hands it over) whose body, or for `GET`
/// whose query string, carries the master SSO password. Its own `Debug`
/// therefore shows the method, the path without the query, the version, the
/// header names and the body's length, never a value. Debug-printing the
/// inner `http::Request` prints its URI in full: for `GET`, the password.
///
/// The buffer that holds the encoded parameters is wiped when the request,
/// and every `Bytes` sharing it, is dropped.
pub struct EncodedRequest(Request<RequestBody>);

impl EncodedRequest {
    /// The request, to send. What it holds is as secret as the password.
    pub fn into_http(self) -> Request<RequestBody> {
        self.0
    }

    /// The request, borrowed.
    pub fn as_http(&self) -> &Request<RequestBody> {
        &self.0
    }
}

impl std::ops::Deref for EncodedRequest {
    type Target = Request<RequestBody>;
    fn deref(&self) -> &Request<RequestBody> {
        &self.0
    }
}

impl fmt::Debug for EncodedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Names<'a>(&'a http::HeaderMap);
        impl fmt::Debug for Names<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.keys()).finish()
            }
        }
        let req = &self.0;
        f.debug_struct("EncodedRequest")
            .field("method", req.method())
            .field("host", &req.uri().host().unwrap_or_default())
            .field("path", &req.uri().path())
            .field("query", &req.uri().query().map(|_| "[redacted]"))
            .field("version", &req.version())
            .field("headers", &Names(req.headers()))
            .field("body", req.body())
            .finish()
    }
}
