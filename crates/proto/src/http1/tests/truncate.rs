//! A truncating decoder: a body past the cap is cut there, the status kept.

use super::*;

fn truncating(max: usize, wire: &[u8]) -> Result<Complete, Error> {
    let limits = Limits::default().max_body_bytes(max);
    decode_with(&mut ResponseDecoder::with_limits(limits).truncating(), wire)
}

fn truncating_bytewise(max: usize, wire: &[u8]) -> Result<Option<Complete>, Error> {
    let limits = Limits::default().max_body_bytes(max);
    feed_bytewise(&mut ResponseDecoder::with_limits(limits).truncating(), wire)
}

#[test]
fn a_long_content_length_body_is_cut_at_the_cap() {
    let wire = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij";
    let c = truncating(8, wire).unwrap();
    assert_eq!(c.response.status(), 502);
    assert_eq!(body(&c), b"01234567");
    assert!(c.truncated);
    assert!(!c.reusable);
    // Known to be longer from its header: cut as soon as the cap is reached,
    // without waiting for the rest.
    let c = truncating_bytewise(8, &wire[..wire.len() - 12])
        .unwrap()
        .unwrap();
    assert_eq!(body(&c), b"01234567");
    assert!(c.truncated);
}

#[test]
fn a_body_that_fits_is_whole_and_reusable() {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n01234567";
    let c = truncating(8, wire).unwrap();
    assert_eq!(body(&c), b"01234567");
    assert!(!c.truncated);
    assert!(c.reusable);
}

#[test]
fn a_long_chunked_body_is_cut_at_the_cap() {
    let wire = b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n";
    for max in [0, 3, 5, 7, 9] {
        let c = truncating(max, wire).unwrap();
        assert_eq!(body(&c), &b"0123456789"[..max], "max {max}");
        assert!(c.truncated, "max {max}");
        assert!(!c.reusable);
        let c = truncating_bytewise(max, wire).unwrap().unwrap();
        assert_eq!(body(&c), &b"0123456789"[..max], "bytewise, max {max}");
        assert!(c.truncated);
    }
    // Exactly at the cap, then the last chunk: whole.
    let c = truncating(10, wire).unwrap();
    assert_eq!(body(&c), b"0123456789");
    assert!(!c.truncated);
    assert!(c.reusable);
}

#[test]
fn a_long_close_delimited_body_is_cut_at_the_cap() {
    let wire = b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\n0123456789";
    let c = truncating(4, wire).unwrap();
    assert_eq!(body(&c), b"0123");
    assert!(c.truncated);
    // At the cap exactly, the close completes it whole.
    let c = truncating(10, wire).unwrap();
    assert_eq!(body(&c), b"0123456789");
    assert!(!c.truncated);
}

#[test]
fn a_strict_decoder_still_refuses_what_a_truncating_one_cuts() {
    let wire = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij";
    let e = decode_limited(Limits::default().max_body_bytes(8), wire).unwrap_err();
    assert_eq!(e, Error::BodyTooLarge { limit: 8 });
}
