use super::*;

const CHUNKED_BODY: &str = "5\r\nhello\r\n0\r\n\r\n";

fn with_headers(version: &str, headers: &str) -> Result<Complete, Error> {
    let wire = format!("HTTP/{version} 200 OK\r\n{headers}\r\n{CHUNKED_BODY}");
    decode(wire.as_bytes())
}

#[test]
fn chunked_response() {
    let c = with_headers("1.1", "Transfer-Encoding: chunked\r\n").unwrap();
    assert_eq!(body(&c), b"hello");
    assert!(c.reusable);
}

#[test]
fn chunked_is_case_insensitive() {
    let c = with_headers("1.1", "Transfer-Encoding: ChUnKeD\r\n").unwrap();
    assert_eq!(body(&c), b"hello");
}

#[test]
fn chunked_repeated_in_one_line() {
    let e = with_headers("1.1", "Transfer-Encoding: chunked, chunked\r\n").unwrap_err();
    assert_eq!(e, Error::RepeatedChunked);
}

#[test]
fn chunked_repeated_across_lines() {
    let e = with_headers(
        "1.1",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    )
    .unwrap_err();
    assert_eq!(e, Error::RepeatedChunked);
}

#[test]
fn chunked_not_last() {
    let e = with_headers("1.1", "Transfer-Encoding: chunked, gzip\r\n").unwrap_err();
    assert_eq!(e, Error::ChunkedNotLast);
}

#[test]
fn coding_before_chunked_is_unsupported() {
    let e = with_headers("1.1", "Transfer-Encoding: gzip, chunked\r\n").unwrap_err();
    assert_eq!(e, Error::UnsupportedTransferEncoding);
}

#[test]
fn coding_without_chunked_is_unsupported() {
    let e = with_headers("1.1", "Transfer-Encoding: identity\r\n").unwrap_err();
    assert_eq!(e, Error::UnsupportedTransferEncoding);
}

#[test]
fn empty_transfer_encoding_is_unsupported() {
    let e = with_headers("1.1", "Transfer-Encoding: ,\r\n").unwrap_err();
    assert_eq!(e, Error::UnsupportedTransferEncoding);
}

#[test]
fn transfer_encoding_with_content_length() {
    let e = with_headers(
        "1.1",
        "Transfer-Encoding: chunked\r\nContent-Length: 15\r\n",
    )
    .unwrap_err();
    assert_eq!(e, Error::TransferEncodingWithContentLength);
}

#[test]
fn content_length_before_transfer_encoding() {
    let e = with_headers(
        "1.1",
        "Content-Length: 15\r\nTransfer-Encoding: chunked\r\n",
    )
    .unwrap_err();
    assert_eq!(e, Error::TransferEncodingWithContentLength);
}

#[test]
fn transfer_encoding_on_http_1_0() {
    let e = with_headers("1.0", "Transfer-Encoding: chunked\r\n").unwrap_err();
    assert_eq!(e, Error::TransferEncodingOnHttp10);
}

#[test]
fn transfer_encoding_on_bodyless_status_is_still_checked() {
    let e = decode(b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")
        .unwrap_err();
    assert_eq!(e, Error::RepeatedChunked);
}
