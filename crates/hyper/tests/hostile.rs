//! Hostile and broken raw responses from the scripted server, over TLS: each
//! is a typed error, promptly, never a panic or a hang.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, builder, dtc};
use rescue_sso_emulator::scripted::{After, Script, ScriptedServer};
use rescue_sso_hyper::Error;
use rescue_sso_hyper::proto::{Error as ProtoError, MAX_ANSWER_BYTES};

const DEADLINE: Duration = Duration::from_secs(2);

const ANSWER: &str = "OK:https://127.0.0.1/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";

async fn call(script: Script) -> Result<(), Error> {
    call_with(script, &[]).await
}

/// Plays `script` to one call whose endpoint also trusts tickets on
/// `ticket_hosts`; the call must end well within the deadline.
async fn call_with(script: Script, ticket_hosts: &[&str]) -> Result<(), Error> {
    let server = ScriptedServer::start(script).await.expect("server");
    let endpoint = ticket_hosts
        .iter()
        .fold(
            rescue_sso_hyper::proto::Endpoint::builder(server.base_url()),
            |b, host| b.allow_ticket_host(*host),
        )
        .build()
        .expect("endpoint");
    let c = builder(server.base_url(), server.ca_pem())
        .endpoint(endpoint)
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let started = Instant::now();
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await.map(|_| ());
    assert!(
        started.elapsed() < DEADLINE,
        "{result:?} took {:?}",
        started.elapsed()
    );
    result
}

fn response(head: &str, body: &str) -> String {
    format!("{head}\r\n\r\n{body}")
}

#[tokio::test]
async fn an_answer_on_another_host_is_refused() {
    // The scripted server's origin is 127.0.0.1:PORT; the URL says port 443.
    let script = Script::new(
        response(
            &format!("HTTP/1.1 200 OK\r\nContent-Length: {}", ANSWER.len()),
            ANSWER,
        ),
        After::Close,
    );
    assert!(matches!(
        call(script).await,
        Err(Error::Protocol(ProtoError::InvalidTicketUrl(_)))
    ));
}

#[tokio::test]
async fn an_oversized_body_stops_at_the_cap() {
    let body = "A".repeat(MAX_ANSWER_BYTES * 4);
    for head in [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}", body.len()),
        "HTTP/1.1 200 OK\r\nConnection: close".to_owned(),
    ] {
        let result = call(Script::new(response(&head, &body), After::Stall)).await;
        assert!(
            matches!(result, Err(Error::Protocol(ProtoError::BodyTooLarge { limit })) if limit == MAX_ANSWER_BYTES),
            "{head}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_body_cut_short_is_incomplete() {
    for then in [After::Close, After::CloseWithoutNotify] {
        let script = Script::new(
            response("HTTP/1.1 200 OK\r\nContent-Length: 100", "OK:https://"),
            then,
        );
        let result = call(script).await;
        assert!(
            matches!(result, Err(Error::Incomplete(_))),
            "{then:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn close_delimited_without_close_notify_is_incomplete() {
    // Without close_notify nobody can tell a complete body from a truncated
    // one, so it is not accepted as an answer.
    let script = Script::new(
        response("HTTP/1.1 200 OK\r\nConnection: close", "INVALIDPASSWORD"),
        After::CloseWithoutNotify,
    );
    assert!(matches!(call(script).await, Err(Error::Incomplete(_))));
}

#[tokio::test]
async fn malformed_framing_is_an_invalid_response() {
    for raw in [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
        "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "NOT HTTP AT ALL\r\n\r\n",
    ] {
        let result = call(Script::new(raw, After::Close)).await;
        assert!(
            matches!(result, Err(Error::InvalidResponse(_))),
            "{raw:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_status_outside_the_standard_range_is_a_status_error() {
    // hyper reads three-digit statuses up to 999; the protocol crate refuses
    // anything that is not 2xx.
    let result = call(Script::new(
        "HTTP/1.1 600 Nope\r\nContent-Length: 0\r\n\r\n",
        After::Close,
    ))
    .await;
    assert!(
        matches!(result, Err(Error::Protocol(ProtoError::Status { status, .. })) if status.as_u16() == 600),
        "{result:?}"
    );
}

#[tokio::test]
async fn nothing_at_all_is_closed() {
    let result = call(Script::new("", After::Close)).await;
    assert!(matches!(result, Err(Error::Closed(_))), "{result:?}");
}

#[tokio::test]
async fn a_redirect_is_never_followed() {
    let script = Script::new(
        response(
            "HTTP/1.1 302 Found\r\nLocation: https://evil.example/\r\nContent-Length: 0",
            "",
        ),
        After::Close,
    );
    let result = call(script).await;
    assert!(
        matches!(result, Err(Error::Protocol(ProtoError::Redirect { .. }))),
        "{result:?}"
    );
}

#[tokio::test]
async fn headers_then_silence_times_out() {
    let server = ScriptedServer::start(Script::new(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nOK",
        After::Stall,
    ))
    .await
    .expect("server");
    let c = builder(server.base_url(), server.ca_pem())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    assert!(matches!(
        c.dtc_login_ticket(&dtc(PASSWORD)).await,
        Err(Error::Timeout)
    ));
}

/// A valid answer for an endpoint that allows tickets on the public host:
/// if a hostile framing were read leniently, the call would succeed.
const PUBLIC_ANSWER: &str = "OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";

async fn call_allowing_public_tickets(raw: String) -> Result<(), Error> {
    call_with(
        Script::new(raw, After::Close),
        &["secure.logmeinrescue.com"],
    )
    .await
}

#[tokio::test]
async fn the_well_framed_control_case_is_a_ticket() {
    let raw = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{PUBLIC_ANSWER}",
        PUBLIC_ANSWER.len()
    );
    call_allowing_public_tickets(raw)
        .await
        .expect("the same answer, well framed, is a ticket");
}

/// The hostile framing list of the HTTP/1.1 codec's issue, each wrapped
/// around an otherwise valid ticket answer: none may become a ticket, each
/// is a typed error well within the deadline.
#[tokio::test]
async fn the_full_hostile_framing_list_never_yields_a_ticket() {
    let n = PUBLIC_ANSWER.len();
    let chunked = format!("{n:x}\r\n{PUBLIC_ANSWER}\r\n0\r\n\r\n");
    let cases = [
        (
            "differing content-length",
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nContent-Length: {}\r\n\r\n{PUBLIC_ANSWER}",
                n + 1
            ),
        ),
        (
            "signed content-length",
            format!("HTTP/1.1 200 OK\r\nContent-Length: +{n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "negative content-length",
            format!("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "hex content-length",
            format!("HTTP/1.1 200 OK\r\nContent-Length: 0x{n:x}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "spaced content-length",
            format!("HTTP/1.1 200 OK\r\nContent-Length: {n} {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "overflowing content-length",
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n{PUBLIC_ANSWER}"
            ),
        ),
        (
            "empty content-length",
            format!("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "transfer-encoding with content-length",
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}"
            ),
        ),
        (
            "chunked repeated",
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}"
            ),
        ),
        (
            "chunked not last",
            format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n{chunked}"),
        ),
        (
            "chunked on http/1.0",
            format!("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}"),
        ),
        (
            "chunk-size overflow",
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n{PUBLIC_ANSWER}\r\n0\r\n\r\n"
            ),
        ),
        (
            "non-hex chunk size",
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{PUBLIC_ANSWER}\r\n0\r\n\r\n"
            ),
        ),
        (
            "missing crlf after chunk data",
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{n:x}\r\n{PUBLIC_ANSWER}XX0\r\n\r\n"
            ),
        ),
        (
            "bare cr in the head",
            format!("HTTP/1.1 200 OK\r\nX-A: b\rContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "obs-fold",
            format!(
                "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"
            ),
        ),
        (
            "status 99",
            format!("HTTP/1.1 99 Odd\r\nContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "status 600",
            format!("HTTP/1.1 600 Odd\r\nContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "http/1.2",
            format!("HTTP/1.2 200 OK\r\nContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "http/2.0 in text",
            format!("HTTP/2.0 200 OK\r\nContent-Length: {n}\r\n\r\n{PUBLIC_ANSWER}"),
        ),
        (
            "eof inside the body",
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{PUBLIC_ANSWER}",
                n + 10
            ),
        ),
        (
            "101 switching protocols",
            format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n{PUBLIC_ANSWER}"),
        ),
    ];
    let mut lenient = Vec::new();
    for (name, raw) in cases {
        if call_allowing_public_tickets(raw).await.is_ok() {
            lenient.push(name);
        }
    }
    assert!(lenient.is_empty(), "read as a ticket: {lenient:?}");
}
