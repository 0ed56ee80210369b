//! Hostile and broken HTTP/2 answers, the path a server that speaks h2 gets
//! by ALPN: each is the same kind of error an HTTP/1.1 server doing the same
//! thing gets, promptly.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, builder, dtc};
use rescue_sso_emulator::scripted::h2::{H2Script, H2Server};
use rescue_sso_emulator::scripted::{After, Script, ScriptedServer};
use rescue_sso_hyper::proto::{Error as ProtoError, MAX_ANSWER_BYTES};
use rescue_sso_hyper::{Error, ErrorKind};

const DEADLINE: Duration = Duration::from_secs(2);

const ANSWER: &str = "OK:https://127.0.0.1/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";

async fn call(script: H2Script) -> (Result<(), Error>, Duration) {
    let server = H2Server::start(script).await.expect("server");
    call_on(&server).await
}

async fn call_on(server: &H2Server) -> (Result<(), Error>, Duration) {
    let client = builder(server.base_url(), server.ca_pem())
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let started = Instant::now();
    let result = client.dtc_login_ticket(&dtc(PASSWORD)).await.map(|_| ());
    (result, started.elapsed())
}

/// The error `script` ends in, well within the deadline.
async fn prompt_error(script: H2Script) -> Error {
    let (result, took) = call(script).await;
    assert!(took < DEADLINE / 2, "took {took:?}: {result:?}");
    result.expect_err("a hostile answer gave a ticket")
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> H2Script {
    H2Script::Answer {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_owned().into(),
    }
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_body_is_incomplete() {
    let err = prompt_error(H2Script::ResetMidBody {
        body: "OK:https://".into(),
    })
    .await;
    assert_eq!(err.kind(), ErrorKind::Incomplete, "{err:?}");
}

#[tokio::test]
async fn a_reset_or_goaway_before_any_answer_is_closed() {
    for script in [H2Script::ResetBeforeAnswer, H2Script::GoAwayBeforeAnswer] {
        let err = prompt_error(script.clone()).await;
        assert_eq!(err.kind(), ErrorKind::Closed, "{script:?}: {err:?}");
    }
}

#[tokio::test]
async fn a_megabyte_of_headers_is_refused_like_an_oversized_http1_head() {
    let err = prompt_error(H2Script::huge_headers(200, 1024 * 1024)).await;
    assert_eq!(err.kind(), ErrorKind::InvalidAnswer, "{err:?}");

    // The same excess over HTTP/1.1.
    let mut head = "HTTP/1.1 200 OK\r\n".to_owned();
    for n in 0..300 {
        head.push_str(&format!("x-filler-{n}: {}\r\n", "h".repeat(4000)));
    }
    let server = ScriptedServer::start(Script::new(head, After::Stall))
        .await
        .expect("server");
    let client = builder(server.base_url(), server.ca_pem())
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAnswer, "{err:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_an_error_page_keeps_its_status() {
    let big = "A".repeat(MAX_ANSWER_BYTES * 3);
    let err = prompt_error(answer(200, &[], &big)).await;
    assert!(
        matches!(err, Error::Protocol(ProtoError::BodyTooLarge { limit }) if limit == MAX_ANSWER_BYTES),
        "{err:?}"
    );
    let page = format!("<html><h1>502 Bad Gateway</h1>{big}</html>");
    let err = prompt_error(answer(502, &[], &page)).await;
    match err {
        Error::Protocol(ProtoError::Status { status, excerpt }) => {
            assert_eq!(status, 502);
            assert!(
                excerpt.as_str().starts_with("<html><h1>502 Bad Gateway"),
                "{excerpt}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_content_length_that_lies_is_refused() {
    let short = (ANSWER.len() + 10).to_string();
    let long = (ANSWER.len() - 10).to_string();
    for declared in [short, long] {
        let err = prompt_error(answer(200, &[("content-length", &declared)], ANSWER)).await;
        assert_eq!(err.kind(), ErrorKind::InvalidAnswer, "{declared}: {err:?}");
    }
}

/// Over HTTP/2, interim answers reach hyper without a count (it gives no
/// informational callback there), so the limit of eight is HTTP/1.1's; an
/// endless stream of them ends at the call's deadline like silence does.
#[tokio::test]
async fn silence_ends_at_the_deadline() {
    // The interim answers did flow: the call outlived hundreds of them.
    let server = H2Server::start(H2Script::EndlessInterim)
        .await
        .expect("server");
    let (result, took) = call_on(&server).await;
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    assert!(took < DEADLINE + Duration::from_millis(500), "{took:?}");
    assert!(
        server.interim() > 100,
        "{} interim answers",
        server.interim()
    );

    for script in [H2Script::Stall, H2Script::StallAfterHead] {
        let (result, took) = call(script.clone()).await;
        assert!(
            matches!(result, Err(Error::Timeout)),
            "{script:?}: {result:?}"
        );
        assert!(took < DEADLINE + Duration::from_millis(500), "{took:?}");
    }
}
