//! Finding a secret in every spelling a server could echo it back in.
//!
//! A front end that echoes the request back may return the master SSO
//! password raw, form-encoded (`+` or `%20` for a space, `%xx` in either
//! case) once or twice (`%2526`, `%2B` for a space), HTML-escaped (`&amp;`, `&#39;`, `&#x27;`), JSON-escaped (`\u0026`,
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

use crate::ascii::starts_with_ignore_case;

/// The fewest characters of a secret's start that are redacted where the
/// rest does not follow (an echo the server cut short, or one that goes on
/// with something else): enough that a word which merely begins the same
/// way is rarely taken for it, few enough that most of a password never
/// shows.
pub(crate) const START_MIN_CHARS: usize = 6;

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
        self.scan(text, start).0
    }

    /// As [`Finder::at`], and where the longest spelling of the secret's
    /// start that begins at `start` ends, if it spells at least
    /// [`START_MIN_CHARS`] characters (all of a shorter secret's): what a
    /// server that echoed the secret cut short, or went on after its start
    /// with something else, would show of it.
    pub(crate) fn scan(&self, text: &[u8], start: usize) -> (Found, Option<usize>) {
        let mut ends = vec![start];
        let mut next = Vec::new();
        let mut ran_out = false;
        for (matched, &c) in self.chars.iter().enumerate() {
            next.clear();
            for &at in &ends {
                ran_out |= spellings(c, text, at, &mut next);
            }
            if next.is_empty() {
                let found = if ran_out { Found::Prefix } else { Found::No };
                let start_end = if matched >= START_MIN_CHARS {
                    // Ran out inside the next character: the rest of the
                    // text is the secret's, so far.
                    if ran_out {
                        Some(text.len())
                    } else {
                        ends.last().copied()
                    }
                } else {
                    None
                };
                return (found, start_end);
            }
            next.sort_unstable();
            next.dedup();
            std::mem::swap(&mut ends, &mut next);
        }
        let end = ends.last().copied();
        (end.map_or(Found::No, Found::Whole), end)
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
        // `+` from a form (`%2B` once encoded again), or any run of
        // whitespace.
        if rest.first() == Some(&b'+') {
            ends.push(at + 1);
        }
        if starts_with_ignore_case(rest, b"%2B") {
            ends.push(at + 3);
        } else if starts_with_ignore_case(b"%2B", rest) {
            ran_out = true;
        }
        // A run that reaches the end of the text needs no report of its
        // own: the next character of the secret (a trimmed secret has one)
        // then starts at the end, which reports it.
        let run = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        ends.extend((1..=run).map(|n| at + n));
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
            // Encoded once (`%`), or twice (`%25`, an encoded `%`), then
            // the two digits.
            if rest.starts_with(b"%25") {
                ran_out |= percent_digits(rest, 3, want, pos, &mut next);
            } else if b"%25".starts_with(rest) {
                // The text ends inside `%25`, which may begin any byte.
                ran_out = true;
            }
            if rest.first() == Some(&b'%') {
                ran_out |= percent_digits(rest, 1, want, pos, &mut next);
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

/// The two hex digits after `rest`'s first `digits_at` bytes, if they spell
/// `want`: pushes where they end. Returns whether the text ran out inside
/// them, still on the way to `want`.
fn percent_digits(
    rest: &[u8],
    digits_at: usize,
    want: u8,
    pos: usize,
    next: &mut Vec<usize>,
) -> bool {
    match (
        rest.get(digits_at).copied().and_then(hex),
        rest.get(digits_at + 1).copied().and_then(hex),
    ) {
        (Some(hi), Some(lo)) if (hi * 16 + lo).eq_ignore_ascii_case(&want) => {
            next.push(pos + digits_at + 2);
            false
        }
        (Some(hi), None) => rest.len() == digits_at + 1 && hi == want >> 4,
        (None, None) => rest.len() == digits_at,
        _ => false,
    }
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
        } else if starts_with_ignore_case(named, rest) {
            // The text ends inside the name.
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
        } else {
            // No digits at all (`run` is 0) parse to nothing, and match nothing.
            let value = digits
                .get(..run)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| u32::from_str_radix(d, radix).ok());
            if value
                .and_then(char::from_u32)
                .is_some_and(|v| v.eq_ignore_ascii_case(&c))
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
    // A lone `\` that ends the text is the start of every candidate, so it
    // is reported below.
    let mut ran_out = false;
    for candidate in std::iter::once(escaped).chain(ascii_alternative) {
        if starts_with_ignore_case(rest, &candidate) {
            ends.push(at + candidate.len());
        } else if starts_with_ignore_case(&candidate, rest) {
            // The text ends inside the escape.
            ran_out = true;
        }
    }
    ran_out
}

fn text_byte(text: &[u8], i: usize) -> Option<u8> {
    text.get(i).copied()
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
    head.utf8_chunks()
        .next()
        .and_then(|chunk| chunk.valid().chars().next())
        .map_or(1, char::len_utf8)
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
            // Form-encoded twice, as a front end that encodes its input
            // again would echo it.
            "p%2526ss%2Bw%252Brd%2522%25C3%25A9",
            "p%2526ss%2520w%252brd%2522%25c3%25a9",
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
        // Cut inside a twice-encoded character: `%2` may begin `%2573`.
        assert_eq!(f.at(b"xx secretPa%2", 3), Found::Prefix);
        assert_eq!(f.at(b"xx secretPa%25", 3), Found::Prefix);
        assert_eq!(f.at(b"xx secretPa%257", 3), Found::Prefix);
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

    #[test]
    fn utf8_length_of_a_character_before_one_cut_or_broken() {
        // The four bytes looked at end inside the next character.
        assert_eq!(utf8_len("é€".as_bytes()), 2);
        // An invalid byte right after the character.
        assert_eq!(utf8_len(b"\xc3\xa9\xff"), 2);
        // The first byte of a character whose rest is missing.
        assert_eq!(utf8_len(b"\xc3"), 1);
        assert_eq!(utf8_len("€x".as_bytes()), 3);
    }

    /// Where `secret` starting at offset 0 of `text` ends.
    fn at(secret: &str, text: &[u8]) -> Found {
        Finder::new(secret).expect("a secret").at(text, 0)
    }

    #[test]
    fn raw_in_any_letter_case() {
        assert_eq!(at("aB", b"Ab!"), Found::Whole(2));
        assert_eq!(at("aB", b"ac"), Found::No);
    }

    #[test]
    fn percent_encoded_in_either_case() {
        assert_eq!(at("a/b", b"a%2fb"), Found::Whole(5));
        assert_eq!(at("a/b", b"a%2Fb"), Found::Whole(5));
        // A letter's own %xx, of either letter case.
        assert_eq!(at("ab", b"%41%62"), Found::Whole(6));
        assert_eq!(at("J", b"%4a"), Found::Whole(3));
        // Another byte's %xx is not the character.
        assert_eq!(at("b", b"%41"), Found::No);
        assert_eq!(at("J", b"%4b"), Found::No);
    }

    #[test]
    fn a_percent_escape_cut_by_the_end_of_the_text() {
        // `a` is %61: the text may end after `%` or after `%6`.
        assert_eq!(at("ab", b"%"), Found::Prefix);
        assert_eq!(at("ab", b"%6"), Found::Prefix);
        // Not the start of %61.
        assert_eq!(at("ab", b"%7"), Found::No);
        assert_eq!(at("ab", b"%6z"), Found::No);
        assert_eq!(at("ab", b"%z"), Found::No);
        assert_eq!(at("ab", b"%zz"), Found::No);
    }

    #[test]
    fn a_space_is_plus_percent_20_or_any_whitespace_run() {
        assert_eq!(at("a b", b"a+b"), Found::Whole(3));
        assert_eq!(at("a b", b"a%20b"), Found::Whole(5));
        assert_eq!(at("a b", b"a \t\r\nb"), Found::Whole(6));
        assert_eq!(at("a b", b"ab"), Found::No);
        // The text ends inside the space, or right after it.
        assert_eq!(at("a b", b"a%2"), Found::Prefix);
        assert_eq!(at("a b", b"a%"), Found::Prefix);
        assert_eq!(at("a b", b"a  "), Found::Prefix);
        assert_eq!(at("a b", b"a x"), Found::No);
    }

    #[test]
    fn latin_1_raw_or_percent_encoded() {
        assert_eq!(at("é", b"\xe9"), Found::Whole(1));
        assert_eq!(at("é", b"%E9"), Found::Whole(3));
        assert_eq!(at("é", b"%e9"), Found::Whole(3));
        assert_eq!(at("éx", b"%E9x"), Found::Whole(4));
        // The text ends inside the UTF-8 spelling: %C3 starts `é`.
        assert_eq!(at("éx", b"%C3"), Found::Prefix);
    }

    #[test]
    fn any_non_ascii_character_or_a_question_mark_for_a_non_ascii_one() {
        // `è` for `é`: two bytes, and the match goes on after both.
        assert_eq!(at("aéb", "aèb".as_bytes()), Found::Whole(4));
        assert_eq!(at("aéb", "a€b".as_bytes()), Found::Whole(5));
        assert_eq!(at("aéb", b"a\xffb"), Found::Whole(3));
        assert_eq!(at("aéb", b"a?b"), Found::Whole(3));
        // An ASCII character other than `?` is not a stand-in.
        assert_eq!(at("aéb", b"aeb"), Found::No);
        assert_eq!(at("aéb", b"a.b"), Found::No);
        // An ASCII character of the secret is not matched by a non-ASCII one.
        assert_eq!(at("ab", "éb".as_bytes()), Found::No);
    }

    #[test]
    fn html_named_references() {
        assert_eq!(at("a&b", b"a&amp;b"), Found::Whole(7));
        assert_eq!(at("a&b", b"a&AMP;b"), Found::Whole(7));
        assert_eq!(at("a<b", b"a&lt;b"), Found::Whole(6));
        assert_eq!(at("a>b", b"a&gt;b"), Found::Whole(6));
        assert_eq!(at("a\"b", b"a&quot;b"), Found::Whole(8));
        assert_eq!(at("a'b", b"a&apos;b"), Found::Whole(8));
        assert_eq!(at("a\u{a0}b", b"a&nbsp;b"), Found::Whole(8));
        // Another character's name is not this one.
        assert_eq!(at("a&b", b"a&lt;b"), Found::No);
        assert_eq!(at("a'b", b"a&quot;b"), Found::No);
    }

    #[test]
    fn an_html_reference_cut_by_the_end_of_the_text() {
        assert_eq!(at("a&b", b"a&am"), Found::Prefix);
        assert_eq!(at("a&b", b"a&x"), Found::No);
        // `=` has no name, but a lone `&` may start `&#61;`.
        assert_eq!(at("a=b", b"a&"), Found::Prefix);
        assert_eq!(at("a=b", b"a&x"), Found::No);
        assert_eq!(at("a=b", b"a&#"), Found::Prefix);
        assert_eq!(at("a=b", b"a&#6"), Found::Prefix);
        assert_eq!(at("a=b", b"a&#x"), Found::Prefix);
        assert_eq!(at("a=b", b"a&#x3"), Found::Prefix);
        // Digits that end before the text does, and are another character.
        assert_eq!(at("a=b", b"a&#62;"), Found::No);
        // No digits at all.
        assert_eq!(at("a=b", b"a&#;b"), Found::No);
        assert_eq!(at("a=b", b"a&#x;b"), Found::No);
    }

    #[test]
    fn html_numeric_references_decimal_or_hex_with_or_without_semicolon() {
        assert_eq!(at("a'b", b"a&#39;b"), Found::Whole(7));
        assert_eq!(at("a'b", b"a&#39b"), Found::Whole(6));
        assert_eq!(at("a'b", b"a&#x27;b"), Found::Whole(8));
        assert_eq!(at("a'z", b"a&#X27z"), Found::Whole(7));
        assert_eq!(at("a'b", b"a&#x0027;b"), Found::Whole(10));
        // A letter's reference in the other letter case.
        assert_eq!(at("ab", b"&#65;b"), Found::Whole(6));
        assert_eq!(at("AB", b"a&#x62;"), Found::Whole(7));
        // Another character's number.
        assert_eq!(at("ab", b"&#66;b"), Found::No);
        assert_eq!(at("a'b", b"a&#40;b"), Found::No);
    }

    #[test]
    fn json_unicode_escapes_in_either_case_with_surrogate_pairs() {
        assert_eq!(at("a&b", b"a\\u0026b"), Found::Whole(8));
        assert_eq!(at("éx", b"\\u00E9x"), Found::Whole(7));
        // A letter's escape in the other letter case.
        assert_eq!(at("ab", b"\\u0041b"), Found::Whole(7));
        assert_eq!(at("🔑x", b"\\ud83d\\udd11x"), Found::Whole(13));
        assert_eq!(at("🔑x", b"\\uD83D\\uDD11x"), Found::Whole(13));
        // Another character's escape.
        assert_eq!(at("ab", b"\\u0042b"), Found::No);
    }

    #[test]
    fn json_short_escapes() {
        assert_eq!(at("a\"b", b"a\\\"b"), Found::Whole(4));
        assert_eq!(at("a\\b", b"a\\\\b"), Found::Whole(4));
        assert_eq!(at("a/b", b"a\\/b"), Found::Whole(4));
        // A backslash before another character escapes nothing.
        assert_eq!(at("a\"b", b"a\\xb"), Found::No);
        assert_eq!(at("a/b", b"a\\\"b"), Found::No);
        // Only those three have a short escape.
        assert_eq!(at("anb", b"a\\nb"), Found::No);
    }

    #[test]
    fn a_json_escape_cut_by_the_end_of_the_text() {
        assert_eq!(at("ab", b"a\\"), Found::Prefix);
        assert_eq!(at("ab", b"a\\u00"), Found::Prefix);
        assert_eq!(at("ab", b"a\\u004"), Found::Prefix);
        assert_eq!(at("ab", b"a\\x"), Found::No);
        assert_eq!(at("ab", b"a\\u01"), Found::No);
    }
}
