//! ASCII comparisons that ignore letter case, over bytes.

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
