use super::*;

#[test]
fn continue_is_skipped() {
    let c = decode(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        .unwrap();
    assert_eq!(c.response.status(), 200);
    assert_eq!(body(&c), b"ok");
    assert!(c.reusable);
}

#[test]
fn early_hints_headers_are_not_merged() {
    let wire = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
                 HTTP/1.1 102 Processing\r\n\r\n\
                 HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let c = decode(wire).unwrap();
    assert_eq!(c.response.status(), 200);
    assert!(c.response.headers().get("link").is_none());
    let split = feed_bytewise(&mut ResponseDecoder::new(), wire)
        .unwrap()
        .unwrap();
    assert_eq!(split.response.status(), 200);
}

#[test]
fn too_many_informational() {
    let limits = Limits::default().max_informational(1);
    let e = feed_err(
        limits,
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
    );
    assert_eq!(e, Error::TooManyInformational { limit: 1 });
}

#[test]
fn informational_up_to_the_cap() {
    let limits = Limits::default().max_informational(2);
    let wire = b"HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 B\r\n\r\nHTTP/1.1 204 C\r\n\r\n";
    assert_eq!(decode_limited(limits, wire).unwrap().response.status(), 204);
}

#[test]
fn switching_protocols_is_an_error() {
    let e = decode(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n").unwrap_err();
    assert_eq!(e, Error::SwitchingProtocols);
}

#[test]
fn no_content_has_no_body() {
    let c = decode(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
    assert_eq!(c.response.status(), 204);
    assert!(body(&c).is_empty());
    assert!(c.reusable);
}

#[test]
fn not_modified_ignores_its_content_length() {
    let c = decode(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").unwrap();
    assert!(body(&c).is_empty());
    assert!(c.reusable);
}

#[test]
fn head_response_has_no_body() {
    let mut decoder = ResponseDecoder::new().for_head_request();
    let c = decode_with(
        &mut decoder,
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n",
    )
    .unwrap();
    assert!(body(&c).is_empty());
    assert!(c.reusable);
}
