//! Short, sanitised excerpts of response bodies for error messages.
//!
//! A hostile or confused server may echo the request back, so an excerpt is
//! built in this order: redact every occurrence of the caller's secrets (raw
//! and form-encoded), redact anything shaped like a GUID (a ticket), keep only
//! printable ASCII, then truncate.

use std::fmt;

/// At most this many characters of a body end up in an error message.
pub const MAX_EXCERPT_CHARS: usize = 64;

const REDACTED: &str = "[redacted]";

/// The start of a response body, safe to log: secrets and GUIDs redacted,
/// non-printable and non-ASCII characters replaced by `.`, at most
/// [`MAX_EXCERPT_CHARS`] characters.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Excerpt(String);

impl Excerpt {
    /// Builds an excerpt of `body`, redacting each of `secrets` wherever it
    /// occurs. Empty secrets are ignored.
    pub fn new(body: &[u8], secrets: &[&str]) -> Self {
        // Look a little past the excerpt's length so a secret that straddles
        // the cut is still seen whole and redacted.
        let window_end = body.len().min(4 * 1024);
        let mut text = String::from_utf8_lossy(body.get(..window_end).unwrap_or(body)).into_owned();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            if text.contains(secret) {
                text = text.replace(secret, REDACTED);
            }
        }
        let text = redact_guids(&text);
        let mut out = String::with_capacity(MAX_EXCERPT_CHARS);
        let mut last_space = false;
        for c in text.chars() {
            if out.len() >= MAX_EXCERPT_CHARS {
                break;
            }
            // Collapse runs of whitespace so multi-line pages stay on one line.
            if c.is_whitespace() {
                if !last_space && !out.is_empty() {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            last_space = false;
            out.push(if c.is_ascii_graphic() { c } else { '.' });
        }
        Excerpt(out.trim_end().to_owned())
    }

    /// The sanitised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing of the body survived sanitising.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn fmt_suffix(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, ": \"{}\"", self.0)
        }
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Replaces every run shaped like a hyphenated GUID (8-4-4-4-12 hex digits)
/// or 32 bare hex digits with a redaction marker.
fn redact_guids(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = guid_len_at(bytes, i) {
            out.push_str(REDACTED);
            i += len;
            continue;
        }
        // Copy one whole char, then go on.
        let ch_len = text
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8);
        out.push_str(text.get(i..i + ch_len).unwrap_or(""));
        i += ch_len;
    }
    out
}

fn guid_len_at(bytes: &[u8], start: usize) -> Option<usize> {
    const HYPHENATED: [usize; 5] = [8, 4, 4, 4, 12];
    let hex_run = |from: usize| {
        bytes.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_hexdigit()).count()
        })
    };
    // A hyphenated GUID is redacted wherever it starts, even glued to other
    // hex digits: a hostile page may put anything around it.
    let mut pos = start;
    let mut hyphenated = true;
    for (n, group) in HYPHENATED.iter().enumerate() {
        if hex_run(pos) < *group {
            hyphenated = false;
            break;
        }
        pos += group;
        if n + 1 < HYPHENATED.len() {
            if bytes.get(pos) != Some(&b'-') {
                hyphenated = false;
                break;
            }
            pos += 1;
        }
    }
    if hyphenated {
        return Some(pos - start);
    }
    // A bare 32-digit form is only taken as a whole run, from its start.
    if start > 0 && bytes.get(start - 1).is_some_and(u8::is_ascii_hexdigit) {
        return None;
    }
    let run = hex_run(start);
    (run >= 32).then_some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_and_guids_and_truncates() {
        let body = b"<html>echo: Password=hunter2%21 ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824 hunter2!</html>";
        let e = Excerpt::new(body, &["hunter2!", "hunter2%21"]);
        assert!(!e.as_str().contains("hunter2"), "{e}");
        assert!(!e.as_str().contains("4c6f1815"), "{e}");
        assert!(e.as_str().len() <= MAX_EXCERPT_CHARS);
        assert!(e.as_str().starts_with("<html>echo: Password=[redacted]"));
    }

    #[test]
    fn guid_glued_to_hex_is_redacted() {
        let e = Excerpt::new(b"00000aaaa-a0aa-4a0a-8aa0-aa0a0a0aaaaa", &[]);
        assert_eq!(e.as_str(), "0[redacted]");
    }

    #[test]
    fn bare_hex_ticket_is_redacted() {
        let e = Excerpt::new(b"t=4c6f18151e0c43ab8117d79b8f523824", &[]);
        assert_eq!(e.as_str(), "t=[redacted]");
    }

    #[test]
    fn control_and_non_ascii_become_dots_and_whitespace_collapses() {
        let e = Excerpt::new("a\u{1b}[31m\r\n\r\n  b é".as_bytes(), &[]);
        assert_eq!(e.as_str(), "a.[31m b .");
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let e = Excerpt::new(&[0xff, 0xfe, b'x'], &[]);
        assert_eq!(e.as_str(), "..x");
    }
}
