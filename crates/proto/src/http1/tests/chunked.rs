use super::*;

fn chunked(body: &[u8]) -> Result<Complete, Error> {
    chunked_limited(Limits::default(), body)
}

fn chunked_limited(limits: Limits, body: &[u8]) -> Result<Complete, Error> {
    let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    wire.extend_from_slice(body);
    decode_limited(limits, &wire)
}

#[test]
fn several_chunks_and_upper_case_hex() {
    let c = chunked(b"3\r\nabc\r\nA\r\n0123456789\r\n00\r\n\r\n").unwrap();
    assert_eq!(body(&c), b"abc0123456789");
}

#[test]
fn chunk_size_overflow() {
    let e = chunked(b"10000000000000000\r\n").unwrap_err();
    assert_eq!(e, Error::ChunkSizeOverflow);
}

#[test]
fn chunk_size_not_hex() {
    assert_eq!(chunked(b"zz\r\n").unwrap_err(), Error::InvalidChunkSize);
}

#[test]
fn chunk_size_with_trailing_garbage() {
    assert_eq!(
        chunked(b"5x\r\nhello\r\n0\r\n\r\n").unwrap_err(),
        Error::InvalidChunkSize
    );
}

#[test]
fn chunk_size_missing() {
    assert_eq!(
        chunked(b"\r\nhello\r\n0\r\n\r\n").unwrap_err(),
        Error::InvalidChunkSize
    );
}

#[test]
fn chunk_size_with_sign() {
    assert_eq!(
        chunked(b"+5\r\nhello\r\n0\r\n\r\n").unwrap_err(),
        Error::InvalidChunkSize
    );
}

#[test]
fn missing_crlf_after_chunk_data() {
    assert_eq!(
        chunked(b"3\r\nabcX\r\n0\r\n\r\n").unwrap_err(),
        Error::MissingChunkCrlf
    );
}

#[test]
fn chunk_data_longer_than_its_size() {
    assert_eq!(
        chunked(b"3\r\nabcd\r\n0\r\n\r\n").unwrap_err(),
        Error::MissingChunkCrlf
    );
}

#[test]
fn bare_lf_after_chunk_size() {
    assert_eq!(
        chunked(b"3\nabc\r\n0\r\n\r\n").unwrap_err(),
        Error::MissingChunkCrlf
    );
}

#[test]
fn bare_cr_after_chunk_size() {
    assert_eq!(chunked(b"3\rabc\r\n0\r\n\r\n").unwrap_err(), Error::BareCr);
}

#[test]
fn bare_cr_in_chunk_extension() {
    assert_eq!(
        chunked(b"3;a\rb\r\nabc\r\n0\r\n\r\n").unwrap_err(),
        Error::BareCr
    );
}

#[test]
fn extensions_are_ignored() {
    let c = chunked(b"3;a=b;c=\"d e\"\r\nabc\r\n2 ; x\r\nde\r\n0;last\r\n\r\n").unwrap();
    assert_eq!(body(&c), b"abcde");
    assert!(c.reusable);
}

#[test]
fn control_character_in_extension() {
    assert_eq!(
        chunked(b"3;a\x00\r\nabc\r\n0\r\n\r\n").unwrap_err(),
        Error::InvalidChunkExtension
    );
}

#[test]
fn trailers_are_dropped_not_merged() {
    let c = chunked(b"3\r\nabc\r\n0\r\nX-Trailer: t\r\nContent-Length: 99\r\n\r\n").unwrap();
    assert_eq!(body(&c), b"abc");
    assert!(c.response.headers().get("x-trailer").is_none());
    assert!(c.response.headers().get("content-length").is_none());
    assert!(c.reusable);
}

#[test]
fn malformed_trailer() {
    assert_eq!(
        chunked(b"0\r\nnot a field\r\n\r\n").unwrap_err(),
        Error::InvalidTrailer
    );
}

#[test]
fn folded_trailer() {
    assert_eq!(
        chunked(b"0\r\nX-A: a\r\n b\r\n\r\n").unwrap_err(),
        Error::ObsFold
    );
}

#[test]
fn bare_lf_ending_the_trailer_section() {
    assert_eq!(chunked(b"0\r\n\n").unwrap_err(), Error::MissingChunkCrlf);
}

#[test]
fn eof_inside_chunked_body() {
    assert_eq!(chunked(b"5\r\nhel").unwrap_err(), Error::Incomplete);
}

#[test]
fn eof_before_last_chunk_crlf() {
    assert_eq!(chunked(b"0\r\n").unwrap_err(), Error::Incomplete);
}
