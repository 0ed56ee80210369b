use super::*;

#[test]
fn defaults_are_the_named_constants() {
    let l = Limits::default();
    assert_eq!(l.max_head_bytes, super::super::DEFAULT_MAX_HEAD_BYTES);
    assert_eq!(l.max_headers, super::super::DEFAULT_MAX_HEADERS);
    assert_eq!(l.max_body_bytes, super::super::DEFAULT_MAX_BODY_BYTES);
    assert_eq!(
        l.max_chunk_ext_bytes,
        super::super::DEFAULT_MAX_CHUNK_EXT_BYTES
    );
    assert_eq!(l.max_trailer_bytes, super::super::DEFAULT_MAX_TRAILER_BYTES);
    assert_eq!(l.max_informational, super::super::DEFAULT_MAX_INFORMATIONAL);
}

#[test]
fn head_too_large_is_found_without_buffering_past_it() {
    let limits = Limits::default().max_head_bytes(64);
    let mut decoder = ResponseDecoder::with_limits(limits);
    let mut wire = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
    wire.extend(std::iter::repeat_n(b'a', 10_000));
    assert_eq!(
        decoder.feed(&wire).unwrap_err(),
        Error::HeadTooLarge { limit: 64 }
    );
    assert_eq!(decoder.buffered_len(), 0);
}

#[test]
fn head_exactly_at_the_cap() {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let limits = Limits::default().max_head_bytes(wire.len());
    assert!(decode_limited(limits, wire).unwrap().reusable);
    let limits = Limits::default().max_head_bytes(wire.len() - 1);
    let e = decode_limited(limits, wire).unwrap_err();
    assert_eq!(
        e,
        Error::HeadTooLarge {
            limit: wire.len() - 1
        }
    );
}

#[test]
fn too_many_headers() {
    let limits = Limits::default().max_headers(2);
    let e = feed_err(limits, b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n");
    assert_eq!(e, Error::TooManyHeaders { limit: 2 });
}

#[test]
fn headers_up_to_the_cap() {
    let limits = Limits::default().max_headers(2);
    let c = decode_limited(
        limits,
        b"HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 0\r\n\r\n",
    );
    assert!(c.is_ok());
}

#[test]
fn content_length_over_the_cap_fails_at_the_head() {
    let limits = Limits::default().max_body_bytes(10);
    let e = feed_err(limits, b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");
    assert_eq!(e, Error::BodyTooLarge { limit: 10 });
}

#[test]
fn content_length_at_the_cap() {
    let limits = Limits::default().max_body_bytes(2);
    let c = decode_limited(limits, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
    assert_eq!(body(&c), b"ok");
}

#[test]
fn chunk_over_the_cap_fails_at_its_size_line() {
    let limits = Limits::default().max_body_bytes(10);
    let e = feed_err(
        limits,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r",
    );
    assert_eq!(e, Error::BodyTooLarge { limit: 10 });
}

#[test]
fn close_delimited_body_over_the_cap() {
    let limits = Limits::default().max_body_bytes(4);
    let e = feed_err(limits, b"HTTP/1.1 200 OK\r\n\r\nhello");
    assert_eq!(e, Error::BodyTooLarge { limit: 4 });
}

#[test]
fn chunk_extension_over_the_cap() {
    // What follows each line's first `;`, all the body's lines together.
    let limits = Limits::default().max_chunk_ext_bytes(4);
    let ok = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;abcd\r\nx\r\n0\r\n\r\n";
    assert!(decode_limited(limits, ok).is_ok());
    let ok = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;ab\r\nx\r\n1;c\r\ny\r\n0;d\r\n\r\n";
    assert!(decode_limited(limits, ok).is_ok());
    let e = feed_err(
        limits,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;abcde",
    );
    assert_eq!(e, Error::ChunkExtensionTooLarge { limit: 4 });
    let e = feed_err(
        limits,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;ab\r\nx\r\n1;cde",
    );
    assert_eq!(e, Error::ChunkExtensionTooLarge { limit: 4 });
}

#[test]
fn trailer_fields_are_counted_as_header_fields() {
    let limits = Limits::default().max_headers(2);
    let ok = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n";
    assert!(decode_limited(limits, ok).is_ok());
    let e = feed_err(
        limits,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC",
    );
    assert_eq!(e, Error::TooManyHeaders { limit: 2 });
}

#[test]
fn trailers_over_the_cap() {
    let limits = Limits::default().max_trailer_bytes(8);
    let ok = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 123\r\n\r\n";
    assert!(decode_limited(limits, ok).is_ok());
    let e = feed_err(
        limits,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1234\r\n",
    );
    assert_eq!(e, Error::TrailersTooLarge { limit: 8 });
}

#[test]
fn buffered_len_stays_under_the_caps() {
    let limits = Limits::default().max_head_bytes(100).max_body_bytes(50);
    let mut decoder = ResponseDecoder::with_limits(limits);
    decoder.feed(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
    for _ in 0..50 {
        assert!(matches!(decoder.feed(b"x").unwrap(), Decoded::NeedMore));
        assert!(decoder.buffered_len() <= 50);
    }
    assert_eq!(
        decoder.feed(b"x").unwrap_err(),
        Error::BodyTooLarge { limit: 50 }
    );
    assert!(decoder.buffered_len() <= 150);
}

#[test]
fn a_declared_length_is_not_reserved_up_front() {
    // With no practical body cap, a 60-byte head must not make the decoder
    // reserve what the server claims (here more than any allocator can give,
    // which would panic); the body grows as its bytes arrive.
    let limits = Limits::default().max_body_bytes(usize::MAX);
    let mut decoder = ResponseDecoder::with_limits(limits);
    let fed = decoder.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nabc");
    assert!(matches!(fed, Ok(Decoded::NeedMore)), "{fed:?}");
    assert_eq!(decoder.buffered_len(), 3);
    let fed = decoder.feed(b"def");
    assert!(matches!(fed, Ok(Decoded::NeedMore)), "{fed:?}");
    assert_eq!(decoder.buffered_len(), 6);
}
