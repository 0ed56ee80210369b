//! Short, sanitised excerpts of response bodies for error messages.
//!
//! A hostile or confused server may echo the request back, so an excerpt is
//! built by walking the body from its start: wherever one of the caller's
//! secrets starts, in any spelling a server could echo it in (see
//! [`crate::redact`]), or anything shaped like a GUID (a ticket), a
//! redaction marker is written instead; every other character is kept if it
//! is printable ASCII and written as `.` otherwise, and runs of whitespace
//! collapse to one space. The walk stops once the excerpt is full, so
//! everything that could reach it has been looked at first, however much
//! whitespace comes before it.

use std::fmt;

use crate::redact::{Finder, Found, utf8_len};

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
    /// occurs, in any spelling: raw, percent-encoded, HTML- or JSON-escaped,
    /// in any letter case, or a mix of those. Empty secrets are ignored.
    pub fn new(body: &[u8], secrets: &[&str]) -> Self {
        Excerpt::build(body, secrets, false)
    }

    /// As [`Excerpt::new`], for a body that was cut short: a secret whose
    /// start is all that made it into `body` is redacted too.
    pub(crate) fn of_truncated(body: &[u8], secrets: &[&str]) -> Self {
        Excerpt::build(body, secrets, true)
    }

    fn build(body: &[u8], secrets: &[&str], truncated: bool) -> Self {
        let finders: Vec<Finder> = secrets.iter().filter_map(|s| Finder::new(s)).collect();
        let mut out = String::with_capacity(MAX_EXCERPT_CHARS);
        let mut last_space = false;
        let mut i = 0;
        while i < body.len() && out.len() < MAX_EXCERPT_CHARS {
            let mut redact_to = None;
            for finder in &finders {
                match finder.scan(body, i) {
                    (Found::Whole(end), _) => redact_to = redact_to.max(Some(end)),
                    (Found::Prefix, _) if truncated => redact_to = Some(body.len()),
                    // At least the first few characters of the secret, then
                    // the end of the body or something else: an echo cut
                    // short shows no more of the secret than a whole one.
                    (Found::Prefix | Found::No, start) => redact_to = redact_to.max(start),
                }
            }
            if redact_to.is_none() {
                redact_to = guid_len_at(body, i).map(|len| i + len);
            }
            if let Some(end) = redact_to {
                // Every spelling of a secret and every GUID is at least one
                // byte long, and a secret cut short runs to the end of the
                // body, so the walk always moves on.
                debug_assert!(end > i, "a redaction covers at least one byte");
                out.push_str(REDACTED);
                last_space = false;
                i = end;
                continue;
            }
            let len = utf8_len(body.get(i..).unwrap_or_default());
            let c = body
                .get(i..i + len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|s| s.chars().next());
            i += len;
            // Collapse runs of whitespace so multi-line pages stay on one line.
            if c.is_some_and(char::is_whitespace) {
                if !last_space && !out.is_empty() {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            last_space = false;
            out.push(c.filter(char::is_ascii_graphic).unwrap_or('.'));
        }
        let mut text = out.trim_end().to_owned();
        if text.len() > MAX_EXCERPT_CHARS {
            // The walk stops once the excerpt is full and every other push
            // is one byte, so only a marker pushed last takes the text past
            // the limit. It is cut back to its start: half a marker would
            // read as body text.
            let cut = text.rfind(REDACTED).unwrap_or(MAX_EXCERPT_CHARS);
            text.truncate(cut);
            let kept = text.trim_end().len();
            text.truncate(kept);
        }
        Excerpt(text)
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

/// The length of a GUID-shaped run starting at `start`: the hyphenated
/// 8-4-4-4-12 form (a hyphen may be spelled `%2D`), wherever it starts, or
/// 32 or more bare hex digits, from the start of the run only.
fn guid_len_at(bytes: &[u8], start: usize) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let hex_run = |from: usize| {
        bytes.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_hexdigit()).count()
        })
    };
    // A hyphenated GUID is redacted wherever it starts, even glued to other
    // hex digits: a hostile page may put anything around it.
    let mut pos = start;
    let mut hyphenated = true;
    for (n, group) in GROUPS.iter().enumerate() {
        if hex_run(pos) < *group {
            hyphenated = false;
            break;
        }
        pos += group;
        if n + 1 < GROUPS.len() {
            match hyphen_len(bytes, pos) {
                Some(len) => pos += len,
                None => {
                    hyphenated = false;
                    break;
                }
            }
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

fn hyphen_len(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    if rest.first() == Some(&b'-') {
        Some(1)
    } else if rest
        .get(..3)
        .is_some_and(|e| e.eq_ignore_ascii_case(b"%2d"))
    {
        Some(3)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_and_guids_and_truncates() {
        let body = b"<html>echo: Password=hunter2%21 ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824 hunter2!</html>";
        let e = Excerpt::new(body, &["hunter2!"]);
        assert!(!e.as_str().contains("hunter2"), "{e}");
        assert!(!e.as_str().contains("4c6f1815"), "{e}");
        assert_eq!(
            e.as_str(),
            "<html>echo: Password=[redacted] ticket=[redacted] [redacted]</ht"
        );
        assert_eq!(e.as_str().len(), MAX_EXCERPT_CHARS);
    }

    #[test]
    fn guid_glued_to_hex_is_redacted() {
        let e = Excerpt::new(b"00000aaaa-a0aa-4a0a-8aa0-aa0a0a0aaaaa", &[]);
        assert_eq!(e.as_str(), "0[redacted]");
    }

    #[test]
    fn guid_with_encoded_hyphens_is_redacted() {
        let e = Excerpt::new(b"t=4c6f1815%2D1e0c%2d43ab-8117-d79b8f523824&", &[]);
        assert_eq!(e.as_str(), "t=[redacted]&");
    }

    #[test]
    fn guid_shapes_that_fall_short_are_kept() {
        // One digit short in each group, a missing hyphen, 31 bare digits.
        for body in [
            "4c6f181-1e0c-43ab-8117-d79b8f523824",
            "4c6f1815-1e0-43ab-8117-d79b8f523824",
            "4c6f1815-1e0c-43a-8117-d79b8f523824",
            "4c6f1815-1e0c-43ab-811-d79b8f523824",
            "4c6f1815-1e0c-43ab-8117-d79b8f52382",
            "4c6f18151e0c-43ab-8117-d79b8f523824",
            "4c6f18151e0c43ab8117d79b8f52382",
        ] {
            assert_eq!(Excerpt::new(body.as_bytes(), &[]).as_str(), body);
        }
    }

    #[test]
    fn bare_hex_ticket_is_redacted_only_from_the_start_of_its_run() {
        let e = Excerpt::new(b"t=4c6f18151e0c43ab8117d79b8f523824", &[]);
        assert_eq!(e.as_str(), "t=[redacted]");
        // A run of 33 is redacted whole, not from its second digit.
        let e = Excerpt::new(b"a4c6f18151e0c43ab8117d79b8f523824 x", &[]);
        assert_eq!(e.as_str(), "[redacted] x");
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

    #[test]
    fn a_secret_far_past_the_start_is_still_redacted() {
        // Whitespace collapses, so a secret after any amount of it would be
        // the first thing the excerpt shows.
        for gap in [4 * 1024 - 3, 4 * 1024, 8 * 1024, 20 * 1024] {
            let mut body = " ".repeat(gap).into_bytes();
            body.extend_from_slice(b"ACMESSO2024 tail");
            let e = Excerpt::new(&body, &["ACMESSO2024"]);
            assert_eq!(e.as_str(), "[redacted] tail", "gap {gap}");
        }
    }

    #[test]
    fn the_start_of_a_secret_at_the_cut_is_redacted_when_truncated() {
        let body = b"error: secretPass";
        assert_eq!(
            Excerpt::of_truncated(body, &["secretPassword"]).as_str(),
            "error: [redacted]"
        );
        // Fewer than six characters are kept unless the body was cut there:
        // a word that merely begins the same way is no echo.
        assert_eq!(
            Excerpt::new(b"error: secr", &["secretPassword"]).as_str(),
            "error: secr"
        );
        assert_eq!(
            Excerpt::of_truncated(b"error: secr", &["secretPassword"]).as_str(),
            "error: [redacted]"
        );
    }

    /// An echo the server cut short, or one that goes on with something
    /// else, shows no more of the secret than a whole one: six characters
    /// or more of its start are redacted, in any spelling.
    #[test]
    fn the_start_of_a_secret_echoed_short_is_redacted() {
        let secret = "Tr0ub4dor&3 x+y<\u{e9}>\"q'%Zz";
        for (body, want) in [
            ("echo: Tr0ub4dor&3 x+y<\u{e9}>\"q'%Z", "echo: [redacted]"),
            ("echo: Tr0ub4dor&3 x+y<\u{e9}>\"q'%Z!", "echo: [redacted]!"),
            ("echo: Tr0ub4 and more", "echo: [redacted] and more"),
            ("echo: tr0ub4dor%26", "echo: [redacted]"),
            ("echo: Tr0ub and more", "echo: Tr0ub and more"),
        ] {
            assert_eq!(
                Excerpt::new(body.as_bytes(), &[secret]).as_str(),
                want,
                "{body:?}"
            );
        }
        assert_eq!(
            Excerpt::new(b"error: secretPass", &["secretPassword"]).as_str(),
            "error: [redacted]"
        );
    }

    #[test]
    fn an_excerpt_is_at_most_the_limit_and_never_cuts_a_marker() {
        let body = format!("{}ACMESSO2024", "x".repeat(MAX_EXCERPT_CHARS - 4));
        let e = Excerpt::new(body.as_bytes(), &["ACMESSO2024"]);
        assert_eq!(e.as_str(), "x".repeat(MAX_EXCERPT_CHARS - 4));
        let long = "y".repeat(3 * MAX_EXCERPT_CHARS);
        assert_eq!(
            Excerpt::new(long.as_bytes(), &[]).as_str().len(),
            MAX_EXCERPT_CHARS
        );
    }

    #[test]
    fn a_marker_that_ends_exactly_at_the_limit_is_kept() {
        // 54 characters and a marker fill the 64 exactly.
        let body = format!("{}ACMESSO2024 tail", "x".repeat(54));
        let e = Excerpt::new(body.as_bytes(), &["ACMESSO2024"]);
        assert_eq!(e.as_str(), format!("{}[redacted]", "x".repeat(54)));
        assert_eq!(e.as_str().len(), 64);
    }

    #[test]
    fn the_walk_stops_once_the_excerpt_is_full() {
        // A marker and 54 characters fill it; nothing after them is shown.
        let body = format!("ACMESSO2024{}", "x".repeat(100));
        let e = Excerpt::new(body.as_bytes(), &["ACMESSO2024"]);
        assert_eq!(e.as_str(), format!("[redacted]{}", "x".repeat(54)));
    }

    #[test]
    fn a_straddling_marker_goes_with_the_space_before_it() {
        let body = format!("{} ACMESSO2024", "x".repeat(54));
        let e = Excerpt::new(body.as_bytes(), &["ACMESSO2024"]);
        assert_eq!(e.as_str(), "x".repeat(54));
    }

    #[test]
    fn only_the_straddling_marker_is_cut_not_marker_text_in_the_body() {
        let body = format!("[redacted]{}ACMESSO2024", "x".repeat(45));
        let e = Excerpt::new(body.as_bytes(), &["ACMESSO2024"]);
        assert_eq!(e.as_str(), format!("[redacted]{}", "x".repeat(45)));
    }

    #[test]
    fn hex_digits_glued_after_a_redacted_guid_are_judged_with_its_run() {
        // A bare hex ticket is only taken from the start of its run, and this
        // run started inside the GUID; the GUID itself is redacted.
        let body = format!("4c6f1815-1e0c-43ab-8117-d79b8f523824{}", "0".repeat(32));
        assert_eq!(
            Excerpt::new(body.as_bytes(), &[]).as_str(),
            format!("[redacted]{}", "0".repeat(32))
        );
    }

    #[test]
    fn each_multi_byte_character_is_one_dot() {
        // `é` is followed by a character that the 4-byte look-ahead cuts.
        assert_eq!(Excerpt::new("é€x".as_bytes(), &[]).as_str(), "..x");
    }

    #[test]
    fn display_and_suffix() {
        let e = Excerpt::new(b"hello", &[]);
        assert_eq!(e.to_string(), "hello");
        assert_eq!(format!("{e:?}"), "\"hello\"");
        assert!(!e.is_empty());
        assert!(Excerpt::new(b"  \r\n", &[]).is_empty());
    }
}
