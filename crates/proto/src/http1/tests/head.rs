use super::*;

#[test]
fn content_length_response() {
    let c = decode(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello").unwrap();
    assert_eq!(c.response.status(), 200);
    assert_eq!(c.response.version(), http::Version::HTTP_11);
    assert_eq!(c.response.headers()["x-a"], "b");
    assert_eq!(body(&c), b"hello");
    assert!(c.reusable);
}

#[test]
fn status_two_digits_is_invalid() {
    assert_eq!(
        decode(b"HTTP/1.1 99 OK\r\n\r\n").unwrap_err(),
        Error::InvalidStatus
    );
}

#[test]
fn status_below_100_is_invalid() {
    assert_eq!(
        decode(b"HTTP/1.1 099 OK\r\n\r\n").unwrap_err(),
        Error::InvalidStatus
    );
}

#[test]
fn status_600_is_invalid() {
    assert_eq!(
        decode(b"HTTP/1.1 600 OK\r\n\r\n").unwrap_err(),
        Error::InvalidStatus
    );
}

#[test]
fn status_599_is_valid() {
    let c = decode(b"HTTP/1.1 599 X\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(c.response.status(), 599);
}

#[test]
fn http_2_is_unsupported() {
    assert_eq!(
        decode(b"HTTP/2.0 200 OK\r\n\r\n").unwrap_err(),
        Error::UnsupportedVersion
    );
}

#[test]
fn http_1_2_is_unsupported() {
    assert_eq!(
        decode(b"HTTP/1.2 200 OK\r\n\r\n").unwrap_err(),
        Error::UnsupportedVersion
    );
}

#[test]
fn not_http_fails_at_the_first_line() {
    let e = feed_err(Limits::default(), b"SSH-2.0-OpenSSH_9.6\r\n");
    assert_eq!(e, Error::UnsupportedVersion);
}

#[test]
fn bad_status_fails_before_the_head_ends() {
    let e = feed_err(Limits::default(), b"HTTP/1.1 2x0 OK\r\nContent-");
    assert_eq!(e, Error::InvalidStatus);
}

#[test]
fn bare_cr_in_header_value() {
    let e = decode(b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::BareCr);
}

#[test]
fn bare_cr_in_status_line() {
    assert_eq!(
        decode(b"HTTP/1.1 200 OK\rX\r\n\r\n").unwrap_err(),
        Error::BareCr
    );
}

#[test]
fn obs_fold_is_rejected() {
    let e = decode(b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::ObsFold);
}

#[test]
fn whitespace_before_first_header_is_rejected() {
    let e = decode(b"HTTP/1.1 200 OK\r\n\tContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::ObsFold);
}

#[test]
fn invalid_header_name() {
    let e = decode(b"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::InvalidHeader);
}

#[test]
fn control_character_in_header_value() {
    let e = decode(b"HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::InvalidHeader);
}

#[test]
fn bare_lf_line_endings_are_read() {
    let c = decode(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi").unwrap();
    assert_eq!(body(&c), b"hi");
}

#[test]
fn head_split_byte_by_byte_matches_whole() {
    let wire = b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-A: b\r\n\r\nnop";
    let whole = decode(wire).unwrap();
    let split = feed_bytewise(&mut ResponseDecoder::new(), wire)
        .unwrap()
        .unwrap();
    assert_eq!(split.response.status(), whole.response.status());
    assert_eq!(split.response.headers(), whole.response.headers());
    assert_eq!(body(&split), body(&whole));
    assert_eq!(split.reusable, whole.reusable);
}

#[test]
fn debug_does_not_print_body_or_header_values() {
    let c = decode(b"HTTP/1.1 200 OK\r\nSet-Cookie: s3cr3t\r\nContent-Length: 6\r\n\r\nticket")
        .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("ticket"), "{debug}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(debug.contains("set-cookie"), "{debug}");
}

#[test]
fn bare_cr_split_across_feeds() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 200 OK\r").unwrap(),
        Decoded::NeedMore
    ));
    assert_eq!(decoder.feed(b"X").unwrap_err(), Error::BareCr);
}

#[test]
fn leading_empty_lines_are_skipped_like_httparse() {
    let c = decode(b"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(c.response.status(), 200);
}

/// Found by the `http1_split` fuzz target: an out-of-range status followed
/// by an invalid header name gave `InvalidHeader` fed whole but
/// `InvalidStatus` fed in pieces, because the status line was only checked
/// early when the head was split. The status line is now always checked
/// first, so the error depends on the bytes alone.
#[test]
fn same_error_whole_or_split_status_then_bad_header() {
    let bytes = b"HTTP/1.1 600 Nope\r\nConte@nt-Length: 0\r\n\r\n";
    assert_eq!(decode(bytes).err(), Some(Error::InvalidStatus));
    let split = feed_bytewise(&mut ResponseDecoder::new(), bytes);
    assert_eq!(split.err(), Some(Error::InvalidStatus));
}

#[test]
fn same_error_whole_or_split_status_then_bare_cr() {
    let bytes = b"HTTP/1.1 600 Nope\r\nA: b\rc\r\n\r\n";
    assert_eq!(decode(bytes).err(), Some(Error::InvalidStatus));
    let split = feed_bytewise(&mut ResponseDecoder::new(), bytes);
    assert_eq!(split.err(), Some(Error::InvalidStatus));
}

/// Whitespace before the status line is not line folding (there is no
/// field to fold into): the line simply does not start with a version.
#[test]
fn whitespace_before_the_status_line_is_not_a_version() {
    for bytes in [
        &b" HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"[..],
        b"\tHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"\r\n HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ] {
        assert_eq!(decode(bytes).err(), Some(Error::UnsupportedVersion));
    }
}
