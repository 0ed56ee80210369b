use bytes::BytesMut;

use super::super::{encoded_len, write_request};

/// What `write_request` writes, checked against `encoded_len` on the way.
fn written<B: AsRef<[u8]>>(req: &http::Request<B>) -> String {
    let mut out = BytesMut::new();
    write_request(req, &mut out);
    assert_eq!(encoded_len(req), out.len());
    String::from_utf8(out.to_vec()).unwrap()
}

#[test]
fn empty_path_becomes_slash_and_userinfo_is_never_sent() {
    let req = http::Request::get("http://user:pw@example.com:8080")
        .body(b"")
        .unwrap();
    assert_eq!(
        written(&req),
        "GET / HTTP/1.1\r\nhost: example.com:8080\r\n\r\n"
    );
}

#[test]
fn host_header_wins_and_comes_first_once() {
    let req = http::Request::get("https://example.com/a?b=c")
        .header("accept", "*/*")
        .header("host", "other.example")
        .header("host", "third.example")
        .header("x-z", "1")
        .body(b"")
        .unwrap();
    assert_eq!(
        written(&req),
        "GET /a?b=c HTTP/1.1\r\nhost: other.example\r\naccept: */*\r\nx-z: 1\r\n\r\n"
    );
}

#[test]
fn content_length_comes_from_the_body() {
    let req = http::Request::post("https://example.com/p")
        .header("content-length", "999")
        .header("transfer-encoding", "chunked")
        .body(b"abc")
        .unwrap();
    assert_eq!(
        written(&req),
        "POST /p HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\nabc"
    );
}

#[test]
fn empty_post_still_has_a_length() {
    let req = http::Request::post("https://example.com/p")
        .body(b"")
        .unwrap();
    assert_eq!(
        written(&req),
        "POST /p HTTP/1.1\r\nhost: example.com\r\ncontent-length: 0\r\n\r\n"
    );
}

#[test]
fn connect_uses_the_authority_form() {
    let mut req = http::Request::new(&b""[..]);
    *req.method_mut() = http::Method::CONNECT;
    // User information in the target is never written, here either.
    *req.uri_mut() = http::Uri::from_static("u:p@secure.logmeinrescue.com:443");
    req.headers_mut().insert(
        "proxy-authorization",
        http::HeaderValue::from_static("Basic dTpw"),
    );
    assert_eq!(
        written(&req),
        "CONNECT secure.logmeinrescue.com:443 HTTP/1.1\r\n\
         host: secure.logmeinrescue.com:443\r\n\
         proxy-authorization: Basic dTpw\r\n\r\n"
    );
}
