//! The HTTP/1.1 codec's public accessors, its default caps, and
//! `check_framing`, each with the exact value or error a caller sees.

use rescue_sso_proto::http::{HeaderMap, HeaderValue, StatusCode, Version};
use rescue_sso_proto::http1::{self, Complete, Decoded, Error, Limits, ResponseDecoder};

/// Feeds `bytes` whole to a default decoder, then ends the stream if more
/// was wanted.
fn decode(bytes: &[u8]) -> Result<Complete, Error> {
    let mut decoder = ResponseDecoder::new();
    if let Decoded::Complete(c) = decoder.feed(bytes)? {
        return Ok(c);
    }
    match decoder.finish()? {
        Decoded::Complete(c) => Ok(c),
        _ => Err(Error::Incomplete),
    }
}

/// A head of exactly `len` bytes: a status line, `Content-Length: 0`, and
/// one padding field.
fn head_of_len(len: usize) -> Vec<u8> {
    let start = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
    let mut head = start.to_vec();
    head.resize(len - 4, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    assert_eq!(head.len(), len);
    head
}

#[test]
fn the_default_head_cap_is_16_kib() {
    assert!(decode(&head_of_len(16384)).is_ok());
    assert_eq!(
        decode(&head_of_len(16385)).err(),
        Some(Error::HeadTooLarge { limit: 16384 })
    );
}

#[test]
fn the_default_header_cap_is_64_fields() {
    let head = |fields: usize| {
        let mut head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n".to_vec();
        for n in 1..fields {
            head.extend_from_slice(format!("X-{n}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        head
    };
    assert!(decode(&head(64)).is_ok());
    assert_eq!(
        decode(&head(65)).err(),
        Some(Error::TooManyHeaders { limit: 64 })
    );
}

#[test]
fn the_default_body_cap_is_64_kib() {
    let response = |len: usize| {
        let mut wire = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n").into_bytes();
        wire.resize(wire.len() + len, b'a');
        wire
    };
    let c = decode(&response(65536)).expect("at the cap");
    assert_eq!(c.response.body().len(), 65536);
    assert_eq!(
        decode(&response(65537)).err(),
        Some(Error::BodyTooLarge { limit: 65536 })
    );
}

#[test]
fn the_default_trailer_cap_is_4_kib() {
    // One trailer field line of `len` bytes, its CRLF included.
    let response = |len: usize| {
        let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ".to_vec();
        let at = wire.len();
        wire.resize(at + len - 5, b'a');
        wire.extend_from_slice(b"\r\n\r\n");
        wire
    };
    assert!(decode(&response(4096)).is_ok());
    assert_eq!(
        decode(&response(4097)).err(),
        Some(Error::TrailersTooLarge { limit: 4096 })
    );
}

#[test]
fn the_default_chunk_extension_cap_is_1_kib() {
    // A `;` and `len` extension bytes after it.
    let response = |len: usize| {
        let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;".to_vec();
        let at = wire.len();
        wire.resize(at + len, b'e');
        wire.extend_from_slice(b"\r\nx\r\n0\r\n\r\n");
        wire
    };
    assert!(decode(&response(1024)).is_ok());
    assert_eq!(
        decode(&response(1025)).err(),
        Some(Error::ChunkExtensionTooLarge { limit: 1024 })
    );
}

#[test]
fn the_default_interim_cap_is_8_responses() {
    let response = |interim: usize| {
        let mut wire = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(interim);
        wire.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        wire
    };
    assert!(decode(&response(8)).is_ok());
    assert_eq!(
        decode(&response(9)).err(),
        Some(Error::TooManyInformational { limit: 8 })
    );
}

#[test]
fn limits_are_the_ones_given() {
    let limits = Limits::default()
        .max_head_bytes(100)
        .max_headers(3)
        .max_body_bytes(10)
        .max_chunk_ext_bytes(0)
        .max_trailer_bytes(5)
        .max_informational(0);
    assert_eq!(ResponseDecoder::with_limits(limits).limits(), &limits);
    assert_eq!(ResponseDecoder::new().limits(), &Limits::default());
}

#[test]
fn the_head_is_there_while_the_body_is_read() {
    let mut decoder = ResponseDecoder::new();
    assert!(decoder.head().is_none());
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Id: 7\r\n\r\nab"),
        Ok(Decoded::NeedMore)
    ));
    let head = decoder.head().expect("the head has been read");
    assert_eq!(head.status, StatusCode::CREATED);
    assert_eq!(head.version, Version::HTTP_11);
    assert_eq!(head.headers["x-id"], "7");
    assert!(matches!(decoder.feed(b"cde"), Ok(Decoded::Complete(_))));
    assert!(decoder.head().is_none());
}

#[test]
fn no_head_before_it_is_whole_or_after_an_error() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
        Ok(Decoded::NeedMore)
    ));
    assert!(decoder.head().is_none());
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Ok(Decoded::NeedMore)
    ));
    assert!(decoder.head().is_some());
    assert_eq!(decoder.feed(b"zz\r\n").err(), Some(Error::InvalidChunkSize));
    assert!(decoder.head().is_none());
}

#[test]
fn buffered_len_counts_the_body_and_the_trailer_being_checked() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"),
        Ok(Decoded::NeedMore)
    ));
    assert_eq!(decoder.buffered_len(), 3);
    assert!(matches!(
        decoder.feed(b"X-Trailer: 1"),
        Ok(Decoded::NeedMore)
    ));
    // The body, and the trailer line so far.
    assert_eq!(decoder.buffered_len(), 3 + 12);
    assert!(matches!(decoder.feed(b"\r\n"), Ok(Decoded::NeedMore)));
    assert_eq!(decoder.buffered_len(), 3 + 14);
    let Ok(Decoded::Complete(c)) = decoder.feed(b"\r\n") else {
        panic!("the empty line ends it");
    };
    assert_eq!(c.response.body().as_ref(), b"abc");
    assert!(c.response.headers().get("x-trailer").is_none());
    assert_eq!(decoder.buffered_len(), 0);
}

#[test]
fn buffered_len_counts_an_unfinished_head() {
    let mut decoder = ResponseDecoder::new();
    assert!(matches!(
        decoder.feed(b"HTTP/1.1 200 OK\r\nA: b"),
        Ok(Decoded::NeedMore)
    ));
    assert_eq!(decoder.buffered_len(), 21);
}

/// Header fields, in order.
type Fields = &'static [(&'static str, &'static str)];

fn headers(fields: Fields) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in fields {
        map.append(*name, HeaderValue::from_static(value));
    }
    map
}

#[test]
fn check_framing_accepts_one_clear_framing() {
    for fields in [
        &[][..],
        &[("content-length", "5")],
        &[("content-length", "5"), ("content-length", "5")],
        &[("content-length", "5, 5")],
        &[("transfer-encoding", "chunked")],
        &[("transfer-encoding", "Chunked")],
    ] {
        assert_eq!(
            http1::check_framing(Version::HTTP_11, &headers(fields)),
            Ok(()),
            "{fields:?}"
        );
    }
    assert_eq!(
        http1::check_framing(Version::HTTP_10, &headers(&[("content-length", "5")])),
        Ok(())
    );
}

#[test]
fn check_framing_refuses_each_ambiguous_framing() {
    let cases: [(Version, Fields, Error); 9] = [
        (
            Version::HTTP_11,
            &[("transfer-encoding", "chunked"), ("content-length", "5")],
            Error::TransferEncodingWithContentLength,
        ),
        (
            Version::HTTP_10,
            &[("transfer-encoding", "chunked")],
            Error::TransferEncodingOnHttp10,
        ),
        (
            Version::HTTP_11,
            &[("content-length", "5"), ("content-length", "6")],
            Error::ConflictingContentLength,
        ),
        (
            Version::HTTP_11,
            &[("content-length", "5, 6")],
            Error::ConflictingContentLength,
        ),
        (
            Version::HTTP_11,
            &[("content-length", "+5")],
            Error::InvalidContentLength,
        ),
        (
            Version::HTTP_11,
            &[("transfer-encoding", "chunked, chunked")],
            Error::RepeatedChunked,
        ),
        (
            Version::HTTP_11,
            &[
                ("transfer-encoding", "chunked"),
                ("transfer-encoding", "gzip"),
            ],
            Error::ChunkedNotLast,
        ),
        (
            Version::HTTP_11,
            &[("transfer-encoding", "gzip")],
            Error::UnsupportedTransferEncoding,
        ),
        (
            Version::HTTP_11,
            &[("transfer-encoding", "")],
            Error::UnsupportedTransferEncoding,
        ),
    ];
    for (version, fields, expected) in cases {
        assert_eq!(
            http1::check_framing(version, &headers(fields)),
            Err(expected),
            "{version:?} {fields:?}"
        );
    }
}

/// An operation of the caller's own, built on one of ours, that keeps the
/// provided `encode_http1`.
struct OwnOperation(rescue_sso_proto::GetDtcLoginTicket);

impl rescue_sso_proto::Operation for OwnOperation {
    type Output = rescue_sso_proto::LoginTicket;
    const NAME: &'static str = "ownOperation";

    fn encode(
        &self,
        endpoint: &rescue_sso_proto::Endpoint,
        method: rescue_sso_proto::RequestMethod,
    ) -> Result<rescue_sso_proto::EncodedRequest, rescue_sso_proto::Error> {
        self.0.encode(endpoint, method)
    }

    fn decode(
        &self,
        endpoint: &rescue_sso_proto::Endpoint,
        response: &rescue_sso_proto::http::Response<rescue_sso_proto::bytes::Bytes>,
    ) -> Result<Self::Output, rescue_sso_proto::Error> {
        self.0.decode(endpoint, response)
    }
}

/// The provided `encode_http1` writes what `write_request` writes for the
/// operation's own request, and the crate's operations, which write it
/// directly, write the same bytes.
#[test]
fn encode_http1_writes_the_request_encode_builds() {
    use rescue_sso_proto::http1::RequestBuffer;
    use rescue_sso_proto::{
        CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId,
    };

    let ours = GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secret Pa55/word").expect("password"),
    );
    let own = OwnOperation(ours.clone());
    let endpoint = Endpoint::default();
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let mut expected = Vec::new();
        let request = own.encode(&endpoint, method).expect("encode");
        http1::write_request(request.as_http(), &mut expected);

        let mut provided = RequestBuffer::new();
        own.encode_http1(&endpoint, method, &mut provided)
            .expect("encode");
        assert_eq!(provided.as_bytes(), expected.as_slice(), "{method:?}");

        let mut direct = RequestBuffer::new();
        ours.encode_http1(&endpoint, method, &mut direct)
            .expect("encode");
        assert_eq!(direct.as_bytes(), expected.as_slice(), "{method:?}");
    }
}
