//! How a response body is delimited (RFC 9112 section 6.3), and whether the
//! connection may carry another request afterwards.

use http::header::{CONNECTION, CONTENT_LENGTH, HeaderMap, TRANSFER_ENCODING};
use http::{StatusCode, Version};

use super::head::Head;
use super::{Error, Limits};

/// How the body of a final response ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    /// No body: 204, 304, or the answer to HEAD.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Until the server closes the connection.
    Close,
}

/// Decides the framing of a final (non-1xx) response. Every framing header
/// is checked even when the status means there is no body: a response that
/// lies about its framing is not trusted for anything.
pub(super) fn framing(
    head: &Head,
    head_request: bool,
    truncating: bool,
    limits: &Limits,
) -> Result<Framing, Error> {
    let (length, chunked) = framing_headers(head.version, &head.headers)?;
    if head_request
        || head.status == StatusCode::NO_CONTENT
        || head.status == StatusCode::NOT_MODIFIED
    {
        return Ok(Framing::Empty);
    }
    if chunked {
        return Ok(Framing::Chunked);
    }
    match length {
        Some(n) => {
            if !truncating && u64::try_from(limits.max_body_bytes).is_ok_and(|limit| n > limit) {
                return Err(Error::BodyTooLarge {
                    limit: limits.max_body_bytes,
                });
            }
            Ok(Framing::Length(n))
        }
        None => Ok(Framing::Close),
    }
}

/// The framing headers, checked: the `Content-Length` value (if any) and
/// whether the body is chunked. Rejects every combination two parsers could
/// read differently.
fn framing_headers(version: Version, headers: &HeaderMap) -> Result<(Option<u64>, bool), Error> {
    let length = content_length(headers)?;
    let chunked = transfer_encoding(headers)?;
    if chunked {
        if version == Version::HTTP_10 {
            return Err(Error::TransferEncodingOnHttp10);
        }
        if length.is_some() {
            return Err(Error::TransferEncodingWithContentLength);
        }
    }
    Ok((length, chunked))
}

/// Checks a response head that another HTTP/1.x parser already accepted
/// (hyper's, in the async adapter) against this codec's framing rules, so
/// that every transport refuses the same ambiguous framings: malformed or
/// conflicting `Content-Length`, `Transfer-Encoding` together with
/// `Content-Length`, `chunked` repeated or not last, other transfer codings,
/// and `Transfer-Encoding` on HTTP/1.0.
///
/// ```
/// use rescue_sso_proto::http::{HeaderMap, Version};
/// use rescue_sso_proto::http1::{self, Error};
///
/// let mut headers = HeaderMap::new();
/// headers.append("transfer-encoding", "chunked".parse().unwrap());
/// assert_eq!(http1::check_framing(Version::HTTP_11, &headers), Ok(()));
/// headers.append("content-length", "5".parse().unwrap());
/// assert_eq!(
///     http1::check_framing(Version::HTTP_11, &headers),
///     Err(Error::TransferEncodingWithContentLength)
/// );
/// ```
pub fn check_framing(version: Version, headers: &HeaderMap) -> Result<(), Error> {
    framing_headers(version, headers).map(drop)
}

/// Whether the server allows another request on this connection: HTTP/1.1
/// without `Connection: close`.
pub(super) fn keep_alive(head: &Head) -> bool {
    head.version == Version::HTTP_11
        && !list_elements(&head.headers, CONNECTION).any(|t| t.eq_ignore_ascii_case(b"close"))
}

/// Elements of a comma-separated list header over all its field lines,
/// trimmed of optional whitespace, empty elements skipped.
fn list_elements(
    headers: &HeaderMap,
    name: http::header::HeaderName,
) -> impl Iterator<Item = &[u8]> {
    headers
        .get_all(name)
        .into_iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .map(|e| e.trim_ascii())
        .filter(|e| !e.is_empty())
}

/// The body length from every `Content-Length` line. Identical repeats (as
/// separate lines or as `5, 5`) are allowed, as RFC 9112 section 6.3 permits
/// and hyper does; anything else is an error.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, Error> {
    let mut found: Option<u64> = None;
    for value in headers.get_all(CONTENT_LENGTH) {
        for element in value.as_bytes().split(|&b| b == b',') {
            let n = parse_decimal(element.trim_ascii())?;
            match found {
                Some(previous) if previous != n => return Err(Error::ConflictingContentLength),
                _ => found = Some(n),
            }
        }
    }
    Ok(found)
}

/// `1*DIGIT` into a u64: no sign, no hex, no inner whitespace, not empty.
fn parse_decimal(digits: &[u8]) -> Result<u64, Error> {
    if digits.is_empty() {
        return Err(Error::InvalidContentLength);
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return Err(Error::InvalidContentLength);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(Error::InvalidContentLength)?;
    }
    Ok(n)
}

/// Whether `Transfer-Encoding` is present; when it is, it must be exactly
/// `chunked`. Only `chunked` is decoded: another coding would hand the caller
/// bytes it did not ask for, and a coding after `chunked` leaves the length
/// unknowable.
fn transfer_encoding(headers: &HeaderMap) -> Result<bool, Error> {
    if !headers.contains_key(TRANSFER_ENCODING) {
        return Ok(false);
    }
    let mut chunked = false;
    for coding in list_elements(headers, TRANSFER_ENCODING) {
        let is_chunked = coding.eq_ignore_ascii_case(b"chunked");
        match (chunked, is_chunked) {
            (true, true) => return Err(Error::RepeatedChunked),
            (true, false) => return Err(Error::ChunkedNotLast),
            (false, true) => chunked = true,
            (false, false) => return Err(Error::UnsupportedTransferEncoding),
        }
    }
    if chunked {
        Ok(true)
    } else {
        // Present but empty: no coding at all is not a framing.
        Err(Error::UnsupportedTransferEncoding)
    }
}
