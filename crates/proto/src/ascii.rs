//! ASCII over bytes: comparisons that ignore letter case, and decimal
//! numbers written without allocating.

/// Whether `text` starts with `prefix`, ignoring ASCII letter case.
pub(crate) fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    strip_prefix_ignore_case(text, prefix).is_some()
}

/// What follows `prefix` in `text`, if `text` starts with it, ignoring
/// ASCII letter case.
pub(crate) fn strip_prefix_ignore_case<'t>(text: &'t [u8], prefix: &[u8]) -> Option<&'t [u8]> {
    let (head, tail) = text.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(tail)
}

/// Whether `needle` occurs anywhere in `text`, ignoring ASCII letter case.
pub(crate) fn contains_ignore_case(text: &[u8], needle: &[u8]) -> bool {
    text.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// `n` in decimal, written into the end of `buf` (20 bytes hold any
/// `u64`), without allocating.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            // n % 10 < 10, so the cast cannot truncate.
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}
