use super::*;

#[test]
fn connection_close_is_not_reusable() {
    let c = decode(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert!(!c.reusable);
}

#[test]
fn close_in_a_connection_list() {
    let c =
        decode(b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
    assert!(!c.reusable);
}

#[test]
fn http_1_0_is_not_reusable_even_with_keep_alive() {
    let c = decode(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
        .unwrap();
    assert_eq!(body(&c), b"ok");
    assert!(!c.reusable);
}

#[test]
fn bytes_after_a_length_body() {
    let c = decode(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA").unwrap();
    assert_eq!(body(&c), b"ok");
    assert!(!c.reusable);
}

#[test]
fn bytes_after_a_chunked_body() {
    let c = decode(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nX")
        .unwrap();
    assert_eq!(body(&c), b"ok");
    assert!(!c.reusable);
}

#[test]
fn bytes_after_a_bodyless_response() {
    let c = decode(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n").unwrap();
    assert_eq!(c.response.status(), 204);
    assert!(!c.reusable);
}

#[test]
fn bytes_after_the_body_in_a_later_feed_chunk() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder
            .feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
            .unwrap(),
        Decoded::NeedMore
    ));
    let Decoded::Complete(c) = decoder.feed(b"okX").unwrap() else {
        panic!("two body bytes complete it");
    };
    assert!(!c.reusable);
}

/// A feed larger than the room left under the head cap: the head is taken
/// up to the cap, and the body is read from both what came with the head
/// and the rest of the feed.
#[test]
fn a_body_in_the_same_feed_past_the_head_cap() {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let head_len = wire.len() - 5;
    let limits = Limits::default().max_head_bytes(head_len + 2);
    let c = decode_limited(limits, wire).unwrap();
    assert_eq!(body(&c), b"hello");
    assert!(c.reusable);

    let mut extra = wire.to_vec();
    extra.extend_from_slice(b"EXTRA");
    let c = decode_limited(limits, &extra).unwrap();
    assert_eq!(body(&c), b"hello");
    assert!(!c.reusable);
}
