//! Properties of the HTTP/1.1 codec: split-invariance on valid responses,
//! agreement with hyper's client parser, boundedness on arbitrary bytes, and
//! a `write_request` round trip through httparse's request parser.

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use proptest::prelude::*;
use rescue_sso_proto::http1::{Complete, Decoded, Error, Limits, ResponseDecoder, write_request};

/// How a generated response delimits its body.
#[derive(Debug, Clone)]
enum Framing {
    Length,
    /// Sizes of the chunks (the body is cut into these), whether each size is
    /// upper-case hex, the extensions per chunk, and a trailer line.
    Chunked {
        cuts: Vec<usize>,
        upper: bool,
        extensions: Vec<String>,
        trailer: Option<(String, String)>,
    },
    Close,
}

/// A valid response and what decoding it must give.
#[derive(Debug, Clone)]
struct Case {
    wire: Vec<u8>,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    reusable: bool,
    /// The body runs until the end of the stream.
    close_delimited: bool,
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9-]{1,10}"
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[!-~]([ !-~]{0,20}[!-~])?"]
}

fn extension() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        token().prop_map(|n| format!(";{n}")),
        (token(), token()).prop_map(|(n, v)| format!(";{n}={v}")),
        (token(), "[a-z ]{0,8}").prop_map(|(n, v)| format!(";{n}=\"{v}\"")),
    ]
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        Just(Framing::Length),
        (
            prop::collection::vec(1usize..40, 0..8),
            any::<bool>(),
            prop::collection::vec(extension(), 0..10),
            prop::option::of((token(), header_value())),
        )
            .prop_map(|(cuts, upper, extensions, trailer)| Framing::Chunked {
                cuts,
                upper,
                extensions,
                trailer,
            }),
        Just(Framing::Close),
    ]
}

prop_compose! {
    fn valid_response()(
        status in prop_oneof![200u16..=599, Just(204u16), Just(304u16)],
        http10 in any::<bool>(),
        reason in "( [A-Za-z ]{0,12})?",
        interim in 0usize..3,
        headers in prop::collection::vec((token(), header_value()), 0..8),
        close in any::<bool>(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        framing in framing(),
    ) -> Case {
        let status = StatusCode::from_u16(status).unwrap();
        let bodyless = status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED;
        // Chunked is HTTP/1.1 only.
        let http10 = http10 && !matches!(framing, Framing::Chunked { .. });
        let version = if http10 { "1.0" } else { "1.1" };
        let body = if bodyless { Vec::new() } else { body };

        let mut wire = Vec::new();
        for _ in 0..interim {
            wire.extend_from_slice(format!("HTTP/{version} 100 Continue\r\n\r\n").as_bytes());
        }
        wire.extend_from_slice(format!("HTTP/{version} {}{reason}\r\n", status.as_u16()).as_bytes());
        let mut expected = HeaderMap::new();
        let mut put = |name: &str, value: &str, wire: &mut Vec<u8>| {
            wire.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            expected.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        };
        for (name, value) in &headers {
            put(&format!("X-{name}"), value, &mut wire);
        }
        if close {
            put("Connection", "close", &mut wire);
        }
        let mut framed_body = Vec::new();
        let mut close_delimited = false;
        if !bodyless {
            match &framing {
                Framing::Length => {
                    put("Content-Length", &body.len().to_string(), &mut wire);
                    framed_body.extend_from_slice(&body);
                }
                Framing::Chunked { cuts, upper, extensions, trailer } => {
                    put("Transfer-Encoding", "chunked", &mut wire);
                    let mut rest = &body[..];
                    let mut exts = extensions.iter().cycle();
                    let mut cut_sizes = cuts.iter().copied().chain(std::iter::repeat(64));
                    while !rest.is_empty() {
                        let n = cut_sizes.next().unwrap_or(64).min(rest.len());
                        let (chunk, after) = rest.split_at(n);
                        let size = if *upper { format!("{n:X}") } else { format!("{n:x}") };
                        let ext = exts.next().map(String::as_str).unwrap_or("");
                        framed_body.extend_from_slice(format!("{size}{ext}\r\n").as_bytes());
                        framed_body.extend_from_slice(chunk);
                        framed_body.extend_from_slice(b"\r\n");
                        rest = after;
                    }
                    framed_body.extend_from_slice(b"0\r\n");
                    if let Some((name, value)) = trailer {
                        framed_body.extend_from_slice(format!("X-{name}: {value}\r\n").as_bytes());
                    }
                    framed_body.extend_from_slice(b"\r\n");
                }
                Framing::Close => close_delimited = true,
            }
            if close_delimited {
                framed_body.extend_from_slice(&body);
            }
        }
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(&framed_body);
        Case {
            wire,
            status,
            headers: expected,
            body,
            reusable: !http10 && !close && !close_delimited,
            close_delimited,
        }
    }
}

/// Feeds `wire` cut at `cuts` (offsets, any order), then ends the stream if
/// the decoder still wants more.
fn decode_pieces(limits: Limits, wire: &[u8], cuts: &[usize]) -> Result<Complete, Error> {
    let mut offsets: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    offsets.push(0);
    offsets.push(wire.len());
    offsets.sort_unstable();
    offsets.dedup();
    let mut decoder = ResponseDecoder::with_limits(limits);
    let bound = limits.max_head_bytes + limits.max_body_bytes + limits.max_trailer_bytes;
    for pair in offsets.windows(2) {
        let decoded = decoder.feed(&wire[pair[0]..pair[1]]);
        assert!(
            decoder.buffered_len() <= bound,
            "buffered {} > {bound}",
            decoder.buffered_len()
        );
        if let Decoded::Complete(c) = decoded? {
            return Ok(c);
        }
    }
    match decoder.finish()? {
        Decoded::Complete(c) => Ok(c),
        other => panic!("finish never asks for more: {other:?}"),
    }
}

fn decode_whole(wire: &[u8]) -> Result<Complete, Error> {
    decode_pieces(Limits::default(), wire, &[])
}

fn decode_bytewise(wire: &[u8]) -> Result<Complete, Error> {
    let cuts: Vec<usize> = (0..wire.len()).collect();
    decode_pieces(Limits::default(), wire, &cuts)
}

fn check(case: &Case, got: &Complete) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.response.status(), case.status);
    prop_assert_eq!(got.response.headers(), &case.headers);
    prop_assert_eq!(got.response.body().as_ref(), &case.body[..]);
    prop_assert_eq!(got.reusable, case.reusable);
    Ok(())
}

/// What hyper's HTTP/1 client makes of `wire`, served over an in-memory
/// stream to a GET request; the stream closes after the response.
fn hyper_decode(wire: Vec<u8>) -> (StatusCode, HeaderMap, Bytes) {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::rt::TokioIo;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(client))
                .await
                .unwrap();
        tokio::spawn(conn);
        let serve = tokio::spawn(async move {
            // Read the request head first, so the close does not race it.
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") {
                if server.read(&mut byte).await.unwrap() == 0 {
                    break;
                }
                request.push(byte[0]);
            }
            server.write_all(&wire).await.unwrap();
            server.shutdown().await.unwrap();
        });
        let request = Request::get("/")
            .header("host", "example.com")
            .body(Empty::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        serve.await.unwrap();
        (parts.status, parts.headers, body)
    })
}

/// `cases` per property; failures are kept beside the crate's other seeds.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "proptest-regressions/http1_props.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_responses_decode_the_same_in_any_split(
        case in valid_response(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = decode_whole(&case.wire).unwrap();
        check(&case, &whole)?;
        let bytewise = decode_bytewise(&case.wire).unwrap();
        check(&case, &bytewise)?;
        let pieces = decode_pieces(Limits::default(), &case.wire, &cuts).unwrap();
        check(&case, &pieces)?;
    }

    #[test]
    fn valid_responses_need_the_end_of_stream_only_when_close_delimited(case in valid_response()) {
        let mut decoder = ResponseDecoder::new();
        let fed = decoder.feed(&case.wire).unwrap();
        prop_assert_eq!(matches!(fed, Decoded::NeedMore), case.close_delimited);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        prefix in prop::sample::select(vec![
            &b""[..],
            b"HTTP/1.1 200 OK\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n",
            b"HTTP/1.0 100 Continue\r\n\r\n",
        ]),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
        head in 0usize..200,
        headers in 0usize..8,
        body in 0usize..64,
        ext in 0usize..8,
        trailer in 0usize..32,
        informational in 0usize..3,
    ) {
        let limits = Limits::default()
            .max_head_bytes(head)
            .max_headers(headers)
            .max_body_bytes(body)
            .max_chunk_ext_bytes(ext)
            .max_trailer_bytes(trailer)
            .max_informational(informational);
        let mut wire = prefix.to_vec();
        wire.extend_from_slice(&bytes);
        // decode_pieces asserts the bound after every feed.
        let whole = decode_pieces(limits, &wire, &[]);
        let split = decode_pieces(limits, &wire, &cuts);
        prop_assert_eq!(whole.is_ok(), split.is_ok());
        if let (Ok(whole), Ok(split)) = (whole, split) {
            prop_assert_eq!(whole.response.status(), split.response.status());
            prop_assert_eq!(whole.response.headers(), split.response.headers());
            prop_assert_eq!(whole.response.body(), split.response.body());
            prop_assert!(whole.response.body().len() <= body);
        }
    }

    #[test]
    fn mutated_responses_never_panic(
        case in valid_response(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut wire = case.wire.clone();
        for (at, byte, op) in edits {
            let at = at % (wire.len() + 1);
            match op {
                0 => wire.insert(at, byte),
                1 if at < wire.len() => { wire.remove(at); }
                _ if at < wire.len() => wire[at] = byte,
                _ => wire.push(byte),
            }
        }
        let limits = Limits::default().max_body_bytes(256).max_head_bytes(512);
        let _ = decode_pieces(limits, &wire, &cuts);
    }

    #[test]
    fn write_request_round_trips_through_httparse(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        path in "(/[a-zA-Z0-9._~-]{0,8}){0,4}",
        query in prop::option::of("[a-zA-Z0-9=&%]{0,20}"),
        host in prop::option::of("[a-z]{1,10}\\.example(:[0-9]{1,5})?"),
        headers in prop::collection::vec((token(), header_value()), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let target = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("https://uri.example{target}"));
        if let Some(host) = &host {
            builder = builder.header("Host", host);
        }
        for (name, value) in &headers {
            builder = builder.header(format!("x-{name}"), value);
        }
        let request = builder.body(body.clone()).unwrap();
        let mut out = Vec::new();
        write_request(&request, &mut out);

        let mut slots = [httparse::EMPTY_HEADER; 16];
        let mut parsed = httparse::Request::new(&mut slots);
        let httparse::Status::Complete(head_len) = parsed.parse(&out).unwrap() else {
            return Err(TestCaseError::fail("head is complete"));
        };
        prop_assert_eq!(parsed.method, Some(method));
        let expected_target = if target.is_empty() { "/" } else { &target };
        prop_assert_eq!(parsed.path, Some(expected_target));
        prop_assert_eq!(parsed.version, Some(1));

        let (first, rest) = parsed.headers.split_first().unwrap();
        prop_assert!(first.name.eq_ignore_ascii_case("host"));
        let expected_host = host.as_deref().unwrap_or("uri.example");
        prop_assert_eq!(first.value, expected_host.as_bytes());

        let mut got = rest.to_vec();
        let carries_body = matches!(method, "POST" | "PUT" | "PATCH");
        if !body.is_empty() || carries_body {
            let length = got.pop().unwrap();
            prop_assert!(length.name.eq_ignore_ascii_case("content-length"));
            let expected_length = body.len().to_string();
            prop_assert_eq!(length.value, expected_length.as_bytes());
        }
        let expected: Vec<(String, Vec<u8>)> = request
            .headers()
            .iter()
            .filter(|(n, _)| *n != http::header::HOST)
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
        let got: Vec<(String, Vec<u8>)> = got
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(&out[head_len..], &body[..]);
    }
}

proptest! {
    // Each case starts a runtime and a hyper connection: fewer cases.
    #![proptest_config(config(96))]

    #[test]
    fn decoder_agrees_with_hyper(case in valid_response()) {
        let ours = decode_whole(&case.wire).unwrap();
        let (status, headers, body) = hyper_decode(case.wire.clone());
        prop_assert_eq!(ours.response.status(), status);
        prop_assert_eq!(ours.response.headers(), &headers);
        prop_assert_eq!(ours.response.body(), &body);
    }
}
