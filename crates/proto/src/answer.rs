//! Reading Rescue's answer: status, body shape, and the `OK:` line.

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Response, StatusCode};

use crate::ascii::starts_with_ignore_case;
use crate::error::{Error, RescueError};
use crate::excerpt::Excerpt;

/// The largest body accepted as an answer. A real answer is one line of well
/// under 1 KiB; anything near this is not Rescue speaking.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024;

/// How many body bytes an adapter reads, at most, before handing the
/// response to [`Operation::decode`](crate::Operation::decode): one more than
/// [`MAX_ANSWER_BYTES`], so that decoding can tell a body at the cap from one
/// over it. A body over the cap is [`Error::BodyTooLarge`] when the status
/// is 2xx, and keeps its status (with an excerpt of its start) otherwise: a
/// proxy's 502 page is a 502 whatever its length.
pub const ANSWER_READ_LIMIT: usize = MAX_ANSWER_BYTES + 1;

/// Checks an answer by its head alone, before its body is read: a redirect
/// is [`Error::Redirect`], and a 2xx answer whose `Content-Length` announces
/// more than [`MAX_ANSWER_BYTES`] is [`Error::BodyTooLarge`], so an adapter
/// need not wait for a body it would refuse. Anything else passes (a non-2xx
/// answer's body is still read, up to [`ANSWER_READ_LIMIT`], for its
/// excerpt). [`Operation::decode`](crate::Operation::decode) makes the same
/// checks on the whole response.
pub fn check_answer_head(status: StatusCode, headers: &HeaderMap) -> Result<(), Error> {
    if status.is_redirection() {
        return Err(Error::Redirect { status });
    }
    let announced = headers
        .get_all(CONTENT_LENGTH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.trim().parse::<u64>().ok())
        .max();
    let cap = u64::try_from(MAX_ANSWER_BYTES).unwrap_or(u64::MAX);
    if status.is_success() && announced.is_some_and(|n| n > cap) {
        return Err(Error::BodyTooLarge {
            limit: MAX_ANSWER_BYTES,
        });
    }
    Ok(())
}

/// The longest word accepted as one of Rescue's refusals.
const MAX_WORD_LEN: usize = 64;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the response down to the text after `OK:`, or the error it is.
///
/// `password` is redacted, in every spelling a server could echo it in, from
/// any body excerpt and any unknown word that end up in an error.
pub(crate) fn ok_text<'r>(response: &'r Response<Bytes>, password: &str) -> Result<&'r str, Error> {
    let text = body_text(response, password)?;
    match text.strip_prefix("OK:") {
        Some(url) => Ok(url),
        None => Err(classify(text, password)),
    }
}

/// Reads a 2xx response's body as trimmed, non-empty UTF-8 text; anything
/// else (a redirect, another status, a body over the cap, not UTF-8, empty)
/// is the error it is.
pub(crate) fn body_text<'r>(
    response: &'r Response<Bytes>,
    password: &str,
) -> Result<&'r str, Error> {
    let status = response.status();
    let body = response.body().as_ref();
    let over_cap = body.len() > MAX_ANSWER_BYTES;
    if status.is_redirection() {
        return Err(Error::Redirect { status });
    }
    if !status.is_success() {
        let excerpt = if over_cap {
            Excerpt::of_truncated(body.get(..MAX_ANSWER_BYTES).unwrap_or(body), &[password])
        } else {
            Excerpt::new(body, &[password])
        };
        return Err(Error::Status { status, excerpt });
    }
    if over_cap {
        return Err(Error::BodyTooLarge {
            limit: MAX_ANSWER_BYTES,
        });
    }
    let body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|_| Error::NotUtf8)?;
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(Error::EmptyBody);
    }
    Ok(text)
}

/// What a 2xx answer's text that is not a success is: an HTML page, a bare
/// URL, one of Rescue's refusal words, or something else.
pub(crate) fn classify(text: &str, password: &str) -> Error {
    if text.starts_with('<') {
        return Error::Html {
            excerpt: Excerpt::new(text.as_bytes(), &[password]),
        };
    }
    if starts_with_ignore_case(text.as_bytes(), b"https://")
        || starts_with_ignore_case(text.as_bytes(), b"http://")
    {
        return Error::MissingOkPrefix;
    }
    if is_word(text) {
        return Error::Rescue(RescueError::from_word(text, password));
    }
    Error::UnexpectedBody {
        excerpt: Excerpt::new(text.as_bytes(), &[password]),
    }
}

/// Rescue's refusals are single upper-case words such as `INVALIDPASSWORD`.
fn is_word(text: &str) -> bool {
    text.len() <= MAX_WORD_LEN
        && text.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}
