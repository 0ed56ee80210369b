//! Broken and hostile raw responses: each is the right error, promptly,
//! without a panic or a hang.

mod common;

use std::time::{Duration, Instant};

use rescue_sso_blocking::Error;
use rescue_sso_blocking::proto::http::StatusCode;
use rescue_sso_blocking::proto::http1::Error as Http1Error;
use rescue_sso_blocking::proto::{self, LoginTicket, MAX_ANSWER_BYTES};
use rescue_sso_emulator::scripted::{After, Script};

use common::scripted::{ANSWER, Scripted};
use common::{PASSWORD, dtc};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Plays `script` over TLS to one call; the result and how long it took.
fn tls_call(script: Script) -> (Result<LoginTicket, Error>, Duration) {
    let server = Scripted::tls(script);
    let started = Instant::now();
    let result = server.client(TIMEOUT).dtc_login_ticket(&dtc(PASSWORD));
    (result, started.elapsed())
}

/// The error `script` ends in, which must come well before the timeout.
fn prompt_error(script: Script) -> Error {
    let (result, took) = tls_call(script);
    assert!(took < TIMEOUT / 2, "took {took:?}: {result:?}");
    match result {
        Ok(_) => panic!("a hostile response gave a ticket"),
        Err(err) => err,
    }
}

fn http1_error(script: Script) -> Http1Error {
    match prompt_error(script) {
        Error::Protocol(proto::Error::Http1(err)) => err,
        other => panic!("expected an http/1.1 framing error, got {other:?}"),
    }
}

fn answer_with(head: &str, body: &str) -> String {
    format!("{head}\r\n\r\n{body}")
}

#[test]
fn a_well_framed_answer_is_a_ticket() {
    for then in [After::Close, After::CloseWithoutNotify, After::KeepOpen] {
        let response = answer_with(
            &format!("HTTP/1.1 200 OK\r\ncontent-length: {}", ANSWER.len()),
            ANSWER,
        );
        let (result, _) = tls_call(Script::new(response, then));
        result.expect("ticket");
    }
}

#[test]
fn a_close_delimited_answer_ending_in_close_notify_is_a_ticket() {
    let (result, _) = tls_call(Script::new(
        answer_with("HTTP/1.1 200 OK", ANSWER),
        After::Close,
    ));
    result.expect("ticket");
}

#[test]
fn plain_tcp_works_for_a_loopback_endpoint() {
    let server = Scripted::plain(Script::new(
        answer_with(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked",
            &format!("{:x}\r\n{ANSWER}\r\n0\r\n\r\n", ANSWER.len()),
        ),
        After::KeepOpen,
    ));
    let client = server.client(TIMEOUT);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("second");
    assert_eq!(server.server.connections(), 1);
}

#[test]
fn tls_close_without_close_notify_mid_body_is_incomplete() {
    let err = prompt_error(Script::new(
        answer_with("HTTP/1.1 200 OK\r\ncontent-length: 200", &ANSWER[..20]),
        After::CloseWithoutNotify,
    ));
    assert!(matches!(err, Error::Incomplete(_)), "{err:?}");
}

#[test]
fn tls_close_without_close_notify_ends_no_close_delimited_body() {
    // Without close_notify, the end of a close-delimited body could be an
    // attacker's FIN: the answer may be cut short.
    let err = prompt_error(Script::new(
        answer_with("HTTP/1.1 200 OK", ANSWER),
        After::CloseWithoutNotify,
    ));
    assert!(matches!(err, Error::Incomplete(_)), "{err:?}");
}

#[test]
fn a_clean_close_mid_body_is_incomplete() {
    let err = prompt_error(Script::new(
        answer_with("HTTP/1.1 200 OK\r\ncontent-length: 200", &ANSWER[..20]),
        After::Close,
    ));
    assert!(matches!(err, Error::Incomplete(_)), "{err:?}");
}

#[test]
fn a_close_mid_head_is_incomplete() {
    let err = prompt_error(Script::new("HTTP/1.1 200 OK\r\ncontent-le", After::Close));
    assert!(matches!(err, Error::Incomplete(_)), "{err:?}");
}

#[test]
fn a_close_before_any_byte_is_closed() {
    for then in [After::Close, After::CloseWithoutNotify] {
        let err = prompt_error(Script::new("", then));
        assert!(matches!(err, Error::Closed(_)), "{then:?}: {err:?}");
    }
}

#[test]
fn silence_is_a_timeout() {
    let server = Scripted::tls(Script::new("", After::Stall));
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = server
        .client(timeout)
        .dtc_login_ticket(&dtc(PASSWORD))
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(took >= timeout && took < timeout * 3, "{took:?}");
}

#[test]
fn an_oversized_announced_body_stops_at_the_head() {
    let err = prompt_error(Script::new(
        answer_with("HTTP/1.1 200 OK\r\ncontent-length: 100000000", ""),
        After::Stall,
    ));
    assert!(
        matches!(
            err,
            Error::Protocol(proto::Error::BodyTooLarge { limit }) if limit == MAX_ANSWER_BYTES
        ),
        "{err:?}"
    );
}

#[test]
fn an_endless_body_stops_at_the_cap() {
    // A close-delimited body twice the cap, then silence: the client must
    // stop at the cap, not wait for the end.
    let err = prompt_error(Script::chunks(
        vec![
            "HTTP/1.1 200 OK\r\n\r\n".into(),
            vec![b'A'; MAX_ANSWER_BYTES].into(),
            vec![b'A'; MAX_ANSWER_BYTES].into(),
        ],
        After::Stall,
    ));
    assert!(
        matches!(
            err,
            Error::Protocol(proto::Error::BodyTooLarge { limit }) if limit == MAX_ANSWER_BYTES
        ),
        "{err:?}"
    );
}

#[test]
fn an_endless_chunked_body_stops_at_the_cap() {
    let chunk = format!(
        "{:x}\r\n{}\r\n",
        MAX_ANSWER_BYTES,
        "B".repeat(MAX_ANSWER_BYTES)
    );
    let err = prompt_error(Script::chunks(
        vec![
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".into(),
            chunk.clone().into(),
            chunk.into(),
        ],
        After::Stall,
    ));
    assert!(
        matches!(err, Error::Protocol(proto::Error::BodyTooLarge { .. })),
        "{err:?}"
    );
}

#[test]
fn smuggling_shapes_are_refused() {
    let cases: [(&str, Http1Error); 5] = [
        (
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!",
            Http1Error::ConflictingContentLength,
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            Http1Error::TransferEncodingWithContentLength,
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: +5\r\n\r\nhello",
            Http1Error::InvalidContentLength,
        ),
        (
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            Http1Error::RepeatedChunked,
        ),
        (
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            Http1Error::ChunkSizeOverflow,
        ),
    ];
    for (response, expected) in cases {
        assert_eq!(
            http1_error(Script::new(response, After::Stall)),
            expected,
            "{response}"
        );
    }
}

#[test]
fn malformed_heads_are_refused() {
    let cases: [(&str, Http1Error); 5] = [
        ("hello world\r\n\r\n", Http1Error::UnsupportedVersion),
        ("HTTP/1.1 2000 OK\r\n\r\n", Http1Error::InvalidStatus),
        (
            "HTTP/1.1 200 OK\rcontent-length: 0\r\n\r\n",
            Http1Error::BareCr,
        ),
        ("HTTP/2.0 200 OK\r\n\r\n", Http1Error::UnsupportedVersion),
        (
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            Http1Error::SwitchingProtocols,
        ),
    ];
    for (response, expected) in cases {
        assert_eq!(
            http1_error(Script::new(response, After::Stall)),
            expected,
            "{response}"
        );
    }
}

#[test]
fn an_endless_head_stops_at_its_cap() {
    let err = http1_error(Script::chunks(
        vec![
            "HTTP/1.1 200 OK\r\n".into(),
            "x-filler: ".repeat(10_000).into(),
        ],
        After::Stall,
    ));
    assert!(matches!(err, Http1Error::HeadTooLarge { .. }), "{err:?}");
}

#[test]
fn endless_interim_responses_are_refused() {
    let err = http1_error(Script::new(
        "HTTP/1.1 100 Continue\r\n\r\n".repeat(100),
        After::Stall,
    ));
    assert!(
        matches!(err, Http1Error::TooManyInformational { .. }),
        "{err:?}"
    );
}

#[test]
fn a_redirect_is_not_followed() {
    let server = Scripted::tls(Script::new(
        "HTTP/1.1 302 Found\r\nlocation: https://evil.example/steal\r\ncontent-length: 0\r\n\r\n",
        After::KeepOpen,
    ));
    let err = server
        .client(TIMEOUT)
        .dtc_login_ticket(&dtc(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(proto::Error::Redirect { status }) if status == StatusCode::FOUND
        ),
        "{err:?}"
    );
    assert_eq!(server.server.connections(), 1);
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced() {
    // The answer allows reuse, but the server closes after it: the next call
    // must notice and use a fresh connection, not fail.
    let server = Scripted::tls(Script::new(
        answer_with(
            &format!("HTTP/1.1 200 OK\r\ncontent-length: {}", ANSWER.len()),
            ANSWER,
        ),
        After::CloseWithoutNotify,
    ));
    let client = server.client(TIMEOUT);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    // The close must be on its way before the next call checks the pooled
    // connection. Had the call gone out first, the server would close a
    // connection with a request on it: that is a lost answer, not a stale
    // connection, and no client may silently send a POST again.
    assert!(server.server.wait_closed(1, Duration::from_secs(10)));
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("second");
    assert_eq!(server.server.connections(), 2);
}
