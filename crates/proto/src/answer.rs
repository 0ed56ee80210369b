//! Reading Rescue's answer: status, body shape, and the `OK:` line.

use bytes::Bytes;
use http::Response;

use crate::error::{Error, RescueError};
use crate::excerpt::Excerpt;

/// The largest body accepted as an answer. A real answer is one line of well
/// under 1 KiB; anything near this is not Rescue speaking.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024;

/// The longest word accepted as one of Rescue's refusals.
const MAX_WORD_LEN: usize = 64;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the response down to the text after `OK:`, or the error it is.
///
/// `password` is redacted, raw and form-encoded, from any body excerpt that
/// ends up in an error; the encoded form is only computed on that path.
pub(crate) fn ok_text<'r>(response: &'r Response<Bytes>, password: &str) -> Result<&'r str, Error> {
    let excerpt = |body: &[u8]| {
        let encoded: String = form_urlencoded::byte_serialize(password.as_bytes()).collect();
        Excerpt::new(body, &[password, &encoded])
    };
    let status = response.status();
    let body = response.body().as_ref();
    if status.is_redirection() {
        return Err(Error::Redirect { status });
    }
    if !status.is_success() {
        return Err(Error::Status {
            status,
            excerpt: excerpt(body),
        });
    }
    if body.len() > MAX_ANSWER_BYTES {
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
    if let Some(url) = text.strip_prefix("OK:") {
        return Ok(url);
    }
    if text.starts_with('<') {
        return Err(Error::Html {
            excerpt: excerpt(text.as_bytes()),
        });
    }
    if starts_with_ignore_case(text, "https://") || starts_with_ignore_case(text, "http://") {
        return Err(Error::MissingOkPrefix);
    }
    if is_word(text) {
        return Err(Error::Rescue(RescueError::from_word(text)));
    }
    Err(Error::UnexpectedBody {
        excerpt: excerpt(text.as_bytes()),
    })
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Rescue's refusals are single upper-case words such as `INVALIDPASSWORD`.
fn is_word(text: &str) -> bool {
    text.len() <= MAX_WORD_LEN
        && text.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}
