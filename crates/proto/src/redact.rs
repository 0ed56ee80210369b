//! Finding a secret in every spelling a server could echo it back in.
//!
//! A front end that echoes the request back may return the master SSO
//! password raw, form-encoded (`+` or `%20` for a space, `%xx` in either
//! case), HTML-escaped (`&amp;`, `&#39;`, `&#x27;`), JSON-escaped (`\u0026`,
//! `\"`), upper- or lower-cased, transcoded to Latin-1, or in any mix of
//! those, one character spelled one way and the next another. The matcher
//! therefore reads the secret one character at a time and, at each, accepts
//! every spelling of that character, keeping the set of text offsets where
//! the match so far could end. That finds every combination without listing
//! them, in time linear in the secret's length for each start offset.
//!
//! It errs towards redacting: ASCII letters match in any case, a space
//! matches any run of whitespace (the excerpt collapses runs, so `a  b`
//! would print as `a b`), and a non-ASCII character matches any non-ASCII
//! character or byte (the excerpt prints each as `.`, so a transcoded copy
//! would show every other character of the secret).

/// A secret's characters, ready to be looked for.
#[derive(Debug)]
pub(crate) struct Finder {
    chars: Vec<char>,
}

/// Whether a secret starts at an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// A whole spelling of the secret ends at this offset (exclusive); the
    /// longest one when several do.
    Whole(usize),
    /// The text ran out inside a spelling of the secret: what is left of the
    /// text is the start of one.
    Prefix,
    /// Not here.
    No,
}

impl Finder {
    /// Looks for `secret` without its surrounding whitespace, which a server
    /// (or the trimming of an answer) may have dropped: what is left would
    /// still be the secret, less a space. `None` for a secret that is empty
    /// or all whitespace, which has nothing to find.
    pub(crate) fn new(secret: &str) -> Option<Finder> {
        let secret = secret.trim();
        (!secret.is_empty()).then(|| Finder {
            chars: secret.chars().collect(),
        })
    }

    /// Whether the secret, in any spelling, starts at `start` of `text`.
    pub(crate) fn at(&self, text: &[u8], start: usize) -> Found {
        let mut ends = vec![start];
        let mut next = Vec::new();
        let mut ran_out = false;
        for &c in &self.chars {
            next.clear();
            for &at in &ends {
                ran_out |= spellings(c, text, at, &mut next);
            }
            if next.is_empty() {
                return if ran_out { Found::Prefix } else { Found::No };
            }
            next.sort_unstable();
            next.dedup();
            std::mem::swap(&mut ends, &mut next);
        }
        ends.last().map_or(Found::No, |&end| Found::Whole(end))
    }

    /// Whether `text` holds the secret anywhere, in any spelling.
    pub(crate) fn is_in(&self, text: &[u8]) -> bool {
        (0..text.len()).any(|start| matches!(self.at(text, start), Found::Whole(_)))
    }
}

/// Pushes onto `ends` every offset where a spelling of `c` that starts at
/// `at` ends. Returns whether the text ran out inside a spelling.
fn spellings(c: char, text: &[u8], at: usize, ends: &mut Vec<usize>) -> bool {
    let Some(rest) = text.get(at..).filter(|rest| !rest.is_empty()) else {
        return true;
    };
    let mut ran_out = false;

    // The character's UTF-8 bytes, each raw or as %XX.
    let mut utf8 = [0u8; 4];
    ran_out |= bytes_each_raw_or_percent(c.encode_utf8(&mut utf8).as_bytes(), text, at, ends);

    if c == ' ' {
        // `+` from a form, or any run of whitespace.
        if rest.first() == Some(&b'+') {
            ends.push(at + 1);
        }
        let run = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        ends.extend((1..=run).map(|n| at + n));
        ran_out |= run == rest.len();
    }

    if !c.is_ascii() {
        // Latin-1, raw or %XX.
        if let Ok(byte) = u8::try_from(u32::from(c)) {
            ran_out |= bytes_each_raw_or_percent(&[byte], text, at, ends);
        }
        // Any other non-ASCII character or stray byte, which the excerpt
        // would print as `.` all the same, and the `?` of a lossy encoder.
        if rest.first().is_some_and(|b| !b.is_ascii() || *b == b'?') {
            ends.push(at + utf8_len(rest));
        }
    }

    ran_out |= html_entity(c, rest, at, ends);
    ran_out |= json_escape(c, rest, at, ends);
    ran_out
}

/// Matches `bytes` at `at`, each one raw (ASCII letters in any case) or
/// percent-encoded (hex digits in any case).
fn bytes_each_raw_or_percent(bytes: &[u8], text: &[u8], at: usize, ends: &mut Vec<usize>) -> bool {
    let mut offsets = vec![at];
    let mut next = Vec::new();
    let mut ran_out = false;
    for &want in bytes {
        next.clear();
        for &pos in &offsets {
            let rest = text.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                ran_out = true;
                continue;
            }
            if rest.first().is_some_and(|&b| b.eq_ignore_ascii_case(&want)) {
                next.push(pos + 1);
            }
            if rest.first() == Some(&b'%') {
                match (
                    rest.get(1).copied().and_then(hex),
                    rest.get(2).copied().and_then(hex),
                ) {
                    (Some(hi), Some(lo)) if (hi << 4 | lo).eq_ignore_ascii_case(&want) => {
                        next.push(pos + 3);
                    }
                    (Some(hi), None) if rest.len() == 2 && hi == want >> 4 => ran_out = true,
                    (None, None) if rest.len() == 1 => ran_out = true,
                    _ => {}
                }
            }
        }
        if next.is_empty() {
            return ran_out;
        }
        std::mem::swap(&mut offsets, &mut next);
    }
    ends.extend_from_slice(&offsets);
    ran_out
}

/// `&amp;`-style names and `&#39;` / `&#x27;` numeric references (the `;`
/// may be missing, as browsers allow).
fn html_entity(c: char, rest: &[u8], at: usize, ends: &mut Vec<usize>) -> bool {
    if rest.first() != Some(&b'&') {
        return false;
    }
    let mut ran_out = false;
    let named: &[u8] = match c {
        '&' => b"&amp;",
        '<' => b"&lt;",
        '>' => b"&gt;",
        '"' => b"&quot;",
        '\'' => b"&apos;",
        '\u{a0}' => b"&nbsp;",
        _ => b"",
    };
    if !named.is_empty() {
        if starts_with_ignore_case(rest, named) {
            ends.push(at + named.len());
        } else if rest.len() < named.len() && starts_with_ignore_case(named, rest) {
            ran_out = true;
        }
    }
    if rest.get(1) == Some(&b'#') {
        let (radix, digits_at) = match rest.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = rest.get(digits_at..).unwrap_or_default();
        let run = digits
            .iter()
            .take_while(|b| char::from(**b).is_digit(radix))
            .count();
        if run == digits.len() {
            // The text ends inside the number.
            ran_out = true;
        } else if run > 0 {
            let value = digits
                .get(..run)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| u32::from_str_radix(d, radix).ok());
            if value
                .and_then(char::from_u32)
                .is_some_and(|v| same_char(v, c))
            {
                let end = at + digits_at + run;
                let semicolon = usize::from(text_byte(rest, digits_at + run) == Some(b';'));
                ends.push(end + semicolon);
            }
        }
    } else if rest.len() == 1 {
        ran_out = true;
    }
    ran_out
}

/// `\uXXXX` (a surrogate pair beyond the basic plane) and the short escapes
/// `\"`, `\\`, `\/`.
fn json_escape(c: char, rest: &[u8], at: usize, ends: &mut Vec<usize>) -> bool {
    if rest.first() != Some(&b'\\') {
        return false;
    }
    let short = match c {
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '/' => Some(b'/'),
        _ => None,
    };
    if short.is_some() && rest.get(1).copied() == short {
        ends.push(at + 2);
    }
    let mut units = [0u16; 2];
    let mut escaped = Vec::with_capacity(12);
    for unit in c.encode_utf16(&mut units).iter() {
        escaped.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
    }
    let ascii_alternative = c.is_ascii_alphabetic().then(|| {
        let other = if c.is_ascii_lowercase() {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        format!("\\u{:04x}", u32::from(other)).into_bytes()
    });
    let mut ran_out = rest.len() < 2;
    for candidate in std::iter::once(escaped).chain(ascii_alternative) {
        if starts_with_ignore_case(rest, &candidate) {
            ends.push(at + candidate.len());
        } else if rest.len() < candidate.len() && starts_with_ignore_case(&candidate, rest) {
            ran_out = true;
        }
    }
    ran_out
}

fn text_byte(text: &[u8], i: usize) -> Option<u8> {
    text.get(i).copied()
}

fn same_char(a: char, b: char) -> bool {
    a == b || a.eq_ignore_ascii_case(&b)
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The length of the UTF-8 character at the start of `bytes`, or 1 for a
/// byte that does not start one.
pub(crate) fn utf8_len(bytes: &[u8]) -> usize {
    let head = bytes.get(..bytes.len().min(4)).unwrap_or_default();
    match std::str::from_utf8(head) {
        Ok(text) => text.chars().next().map_or(1, char::len_utf8),
        Err(e) if e.valid_up_to() > 0 => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or_default())
                .ok()
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8)
        }
        Err(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(secret: &str, text: &str) -> bool {
        Finder::new(secret).is_some_and(|f| f.is_in(text.as_bytes()))
    }

    #[test]
    fn every_spelling_and_mixes_of_them() {
        let secret = "p&ss w+rd\"é";
        for echo in [
            "p&ss w+rd\"é",
            "P&SS W+RD\"É",
            "p%26ss+w%2Brd%22%C3%A9",
            "p%26ss%20w%2brd%22%c3%a9",
            "p&amp;ss w+rd&quot;&eacute;"
                .replace("&eacute;", "é")
                .as_str(),
            "p&#38;ss&#32;w&#x2B;rd&#34;&#233;",
            "p&#38ss w+rd\"é",
            "p\\u0026ss w+rd\\\"\\u00e9",
            "p&amp;ss%20w%2Brd\\u0022\u{e9}",
            "p&ss\t\n w+rd\"\u{e8}",
            "p&ss w+rd\"\u{fffd}",
            "p&ss w+rd\"\u{e9}",
        ] {
            assert!(whole(secret, echo), "{echo:?}");
        }
        assert!(whole("abc", "xx%41%42%43yy"));
        assert!(!whole("abc", "ab c"));
        assert!(!whole("abcd", "abc"));
    }

    #[test]
    fn latin1_and_astral() {
        assert!(whole("é", "%E9"));
        assert!(whole("🔑x", "\\ud83d\\udd11x"));
        assert!(whole("🔑x", "&#x1F511;x"));
        assert!(whole("🔑x", "&#128273;x"));
    }

    #[test]
    fn a_prefix_at_the_end_is_reported() {
        let f = Finder::new("secretPassword").expect("finder");
        assert_eq!(f.at(b"xx secretPass", 3), Found::Prefix);
        assert_eq!(f.at(b"xx secret%5", 3), Found::Prefix);
        assert_eq!(f.at(b"xx secretPa&#", 3), Found::Prefix);
        assert_eq!(f.at(b"xx secretPx", 3), Found::No);
        assert_eq!(f.at(b"xx secretPassword!", 3), Found::Whole(17));
    }

    #[test]
    fn the_longest_spelling_wins() {
        let f = Finder::new("a b").expect("finder");
        assert_eq!(f.at(b"a   bc", 0), Found::Whole(5));
        let f = Finder::new("a&b").expect("finder");
        assert_eq!(f.at(b"a&amp;b", 0), Found::Whole(7));
    }

    #[test]
    fn an_empty_secret_finds_nothing() {
        assert!(Finder::new("").is_none());
        assert!(Finder::new(" \t").is_none());
    }

    #[test]
    fn surrounding_whitespace_is_not_needed() {
        assert!(whole(" secret pw ", "echo: secret pw."));
    }

    #[test]
    fn utf8_lengths() {
        assert_eq!(utf8_len("é".as_bytes()), 2);
        assert_eq!(utf8_len(b"\xff\xfe"), 1);
        assert_eq!(utf8_len(b""), 1);
        assert_eq!(utf8_len("🔑".as_bytes()), 4);
    }
}
