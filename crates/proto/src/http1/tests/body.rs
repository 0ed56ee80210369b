use super::*;

fn with_content_length(value: &str) -> Result<Complete, Error> {
    let wire = format!("HTTP/1.1 200 OK\r\nContent-Length: {value}\r\n\r\nhello");
    decode(wire.as_bytes())
}

#[test]
fn content_length_with_plus_sign() {
    assert_eq!(
        with_content_length("+5").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_negative() {
    assert_eq!(
        with_content_length("-1").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_hex() {
    assert_eq!(
        with_content_length("0x5").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_with_inner_space() {
    assert_eq!(
        with_content_length("5 5").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_overflow() {
    let e = with_content_length("18446744073709551616").unwrap_err();
    assert_eq!(e, Error::InvalidContentLength);
}

#[test]
fn content_length_empty() {
    assert_eq!(
        with_content_length("").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_empty_list_element() {
    assert_eq!(
        with_content_length("5,").unwrap_err(),
        Error::InvalidContentLength
    );
}

#[test]
fn content_length_lines_that_differ() {
    let e = decode(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        .unwrap_err();
    assert_eq!(e, Error::ConflictingContentLength);
}

#[test]
fn content_length_list_that_differs() {
    assert_eq!(
        with_content_length("5, 6").unwrap_err(),
        Error::ConflictingContentLength
    );
}

#[test]
fn content_length_identical_repeats_are_one_length() {
    let c = decode(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\nhello")
        .unwrap();
    assert_eq!(body(&c), b"hello");
    assert!(c.reusable);
}

#[test]
fn content_length_leading_zeros() {
    assert_eq!(body(&with_content_length("005").unwrap()), b"hello");
}

#[test]
fn eof_inside_content_length_body() {
    let e = decode(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello").unwrap_err();
    assert_eq!(e, Error::Incomplete);
}

#[test]
fn eof_inside_head() {
    assert_eq!(
        decode(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap_err(),
        Error::Incomplete
    );
}

#[test]
fn eof_before_any_byte() {
    assert_eq!(
        ResponseDecoder::new().finish().unwrap_err(),
        Error::NoResponse
    );
}

#[test]
fn close_delimited_body() {
    let c = decode(b"HTTP/1.1 200 OK\r\n\r\nuntil close").unwrap();
    assert_eq!(body(&c), b"until close");
    assert!(!c.reusable);
}

#[test]
fn close_delimited_http_1_0() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.0 200 OK\r\n\r\nab").unwrap(),
        Decoded::NeedMore
    ));
    assert!(matches!(decoder.feed(b"cd").unwrap(), Decoded::NeedMore));
    let Decoded::Complete(c) = decoder.finish().unwrap() else {
        panic!("finish completes a close-delimited body");
    };
    assert_eq!(c.response.version(), http::Version::HTTP_10);
    assert_eq!(body(&c), b"abcd");
    assert!(!c.reusable);
}

#[test]
fn errors_stick_and_complete_is_final() {
    let mut decoder = ResponseDecoder::new();
    assert_eq!(
        decoder.feed(b"HTTP/1.1 600 X\r\n\r\n").unwrap_err(),
        Error::InvalidStatus
    );
    assert_eq!(
        decoder.feed(b"HTTP/1.1 200 OK\r\n").unwrap_err(),
        Error::InvalidStatus
    );
    assert_eq!(decoder.finish().unwrap_err(), Error::InvalidStatus);

    let mut decoder = ResponseDecoder::new();
    decode_with(
        &mut decoder,
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(decoder.feed(b"x").unwrap_err(), Error::AlreadyComplete);
    assert_eq!(decoder.finish().unwrap_err(), Error::AlreadyComplete);
}
