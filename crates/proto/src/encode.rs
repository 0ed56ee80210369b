//! Putting the parameters on the wire: form encoding, the request line and
//! the headers every operation sends.

use std::fmt;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use http::uri::PathAndQuery;
use http::{Method, Request};

use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::input::{Arch, CompanyId, Password, SsoId};

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

/// The four documented parameters, in the documented order and spelling,
/// form-encoded into a buffer of exactly the right size (so turning it into
/// `Bytes` costs no further allocation).
pub(crate) fn form(
    sso_id: &SsoId,
    company_id: CompanyId,
    password: &Password,
    arch: Arch,
) -> String {
    let mut digits = [0u8; 20];
    let company = company_id.write_digits(&mut digits);
    let mut pairs: [(&str, &str); 4] = [
        ("ssoid", sso_id.as_str()),
        ("Password", password.expose_secret()),
        ("CompanyID", company),
        ("arch", ""),
    ];
    let count = match arch.param() {
        Some(value) => {
            pairs[3].1 = value;
            4
        }
        None => 3,
    };
    let pairs = pairs.get(..count).unwrap_or(&[]);
    // What byte_serialize writes per byte: the unreserved set and space (as
    // `+`) stay one byte, everything else becomes `%XX`.
    let encoded_len = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' | b' ' => 1,
                _ => 3,
            })
            .sum::<usize>()
    };
    let len = pairs
        .iter()
        .map(|(k, v)| k.len() + 1 + encoded_len(v))
        .sum::<usize>()
        + count.saturating_sub(1);
    let mut out = String::with_capacity(len);
    for (n, (name, value)) in pairs.iter().enumerate() {
        if n > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }
    out
}

/// Builds the request for `path` carrying `params`, by `method`.
pub(crate) fn request(
    endpoint: &Endpoint,
    method: RequestMethod,
    path: &'static str,
    params: String,
) -> Result<Request<RequestBody>, Error> {
    let (http_method, path_and_query, body) = match method {
        RequestMethod::Post => (Method::POST, PathAndQuery::from_static(path), params),
        RequestMethod::Get => {
            let pq =
                PathAndQuery::try_from(format!("{path}?{params}")).map_err(|_| Error::Encode)?;
            (Method::GET, pq, String::new())
        }
    };
    let uri = endpoint.uri(path_and_query).map_err(|_| Error::Encode)?;
    let host = endpoint.host_header().clone();
    let body = Bytes::from(body);
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
    Ok(req)
}
