//! TLS, HTTP versions, connection counts, faults, shutdown and the
//! background variant.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{DTC, VENDOR, client, client_http1, get, ok_url, post, send};
use http::{Method, Request, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use rescue_sso_emulator::{Emulator, EmulatorHandle, Error, Fault};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A raw HTTP/1.1 POST of the vendor's example, closing after the answer.
fn raw_post(e: &EmulatorHandle) -> String {
    format!(
        "POST {DTC} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{VENDOR}",
        e.local_addr(),
        VENDOR.len()
    )
}

#[tokio::test]
async fn http2_by_alpn_http1_otherwise_and_one_connection_reused() {
    let e = Emulator::builder().start().await.expect("start");
    let h2 = client(e.ca_pem());
    for _ in 0..3 {
        assert_eq!(post(&h2, &e, DTC, VENDOR).await.version, Version::HTTP_2);
    }
    let stats = e.stats();
    assert_eq!(
        (stats.connections, stats.tls_handshakes, stats.requests),
        (1, 1, 3)
    );

    let h1 = client_http1(e.ca_pem());
    for _ in 0..3 {
        assert_eq!(post(&h1, &e, DTC, VENDOR).await.version, Version::HTTP_11);
    }
    let stats = e.stats();
    assert_eq!(
        (stats.connections, stats.tls_handshakes, stats.requests),
        (2, 2, 6)
    );
    let versions: Vec<_> = e.requests().iter().map(|r| r.http_version).collect();
    assert_eq!(versions[..3], [Version::HTTP_2; 3]);
    assert_eq!(versions[3..], [Version::HTTP_11; 3]);
    e.shutdown().await;
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused() {
    let e = Emulator::builder().start().await.expect("start");
    let stranger = Emulator::builder().start().await.expect("start");
    let c = client(stranger.ca_pem());
    let result = send(
        &c,
        Method::POST,
        &format!("{}{DTC}", e.base_url()),
        Some(VENDOR),
    )
    .await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(e.stats().requests, 0);
    e.shutdown().await;
    stranger.shutdown().await;
}

#[tokio::test]
async fn plain_http_on_request() {
    let e = Emulator::builder()
        .plain_http(true)
        .start()
        .await
        .expect("start");
    assert_eq!(e.base_url(), format!("http://{}", e.local_addr()));
    assert!(e.ca_pem().is_none());
    let c = client(None);
    let url = ok_url(&post(&c, &e, DTC, VENDOR).await);
    assert!(
        url.starts_with(&format!("{}/TechConsole/", e.base_url())),
        "{url}"
    );
    assert_eq!(get(&c, &url).await.status, StatusCode::OK);
    let stats = e.stats();
    assert_eq!((stats.connections, stats.tls_handshakes), (1, 0));
    e.shutdown().await;
}

#[tokio::test]
async fn a_callers_own_certificate() {
    let own = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("cert");
    let cert_pem = own.cert.pem();
    let e = Emulator::builder()
        .tls_identity(cert_pem.clone(), own.signing_key.serialize_pem())
        .start()
        .await
        .expect("start");
    assert!(e.ca_pem().is_none());
    assert!(e.base_url().starts_with("https://"));
    ok_url(&post(&client(Some(&cert_pem)), &e, DTC, VENDOR).await);
    e.shutdown().await;

    let bad = Emulator::builder()
        .tls_identity("not pem".to_owned(), "not pem".to_owned())
        .start()
        .await;
    assert!(matches!(bad, Err(Error::Key)), "{bad:?}");
}

#[tokio::test]
async fn a_delay_then_the_normal_answer() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let delay = Duration::from_millis(50);
    e.faults().push_next(Fault::Delay(delay));
    let started = Instant::now();
    ok_url(&post(&c, &e, DTC, VENDOR).await);
    assert!(started.elapsed() >= delay);
    e.shutdown().await;
}

#[tokio::test]
async fn server_errors_and_custom_answers() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    e.faults().push_next(Fault::ServerError);
    let reply = post(&c, &e, DTC, VENDOR).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(reply.body.contains("<html>") && reply.body.contains("Server Error"));

    e.faults().push_next(Fault::Custom {
        status: 200,
        body: Bytes::from_static(b"INVALIDSSOID"),
        content_type: None,
    });
    e.faults().push_next(Fault::Custom {
        status: 503,
        body: Bytes::from_static(b"{\"busy\":true}"),
        content_type: Some("application/json".to_owned()),
    });
    let reply = post(&c, &e, DTC, VENDOR).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "INVALIDSSOID")
    );
    assert_eq!(reply.content_type, None);
    let reply = post(&c, &e, DTC, VENDOR).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert_eq!(reply.body, "{\"busy\":true}");
    // The queue is used up: back to normal.
    ok_url(&post(&c, &e, DTC, VENDOR).await);
    e.shutdown().await;
}

#[tokio::test]
async fn a_fault_for_all_requests_until_cleared_and_one_shots_first() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    e.faults().set_all(Some(Fault::ServerError));
    e.faults().push_next(Fault::Custom {
        status: 418,
        body: Bytes::new(),
        content_type: None,
    });
    assert_eq!(post(&c, &e, DTC, VENDOR).await.status.as_u16(), 418);
    for _ in 0..2 {
        assert_eq!(
            post(&c, &e, DTC, VENDOR).await.status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    e.faults().set_all(None);
    ok_url(&post(&c, &e, DTC, VENDOR).await);
    e.shutdown().await;
}

#[tokio::test]
async fn stalls_before_and_after_the_headers() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = format!("{}{DTC}", e.base_url());

    e.faults().push_next(Fault::Stall);
    let silent = tokio::time::timeout(
        Duration::from_millis(100),
        send(&c, Method::POST, &url, Some(VENDOR)),
    )
    .await;
    assert!(silent.is_err(), "no answer at all");
    assert_eq!(e.stats().requests, 1, "the request did arrive");

    e.faults().push_next(Fault::StallAfterHeaders);
    let req = Request::post(&url)
        .body(Full::new(Bytes::from(VENDOR)))
        .expect("req");
    let response = c.request(req).await.expect("headers arrive");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("content-length"));
    let body =
        tokio::time::timeout(Duration::from_millis(100), response.into_body().collect()).await;
    assert!(body.is_err(), "the body never comes");
    // Dropped, not shut down: a graceful shutdown would wait for the stalls.
    drop(e);
}

#[tokio::test]
async fn a_reset_cuts_the_connection_with_a_tcp_rst() {
    let e = Emulator::builder()
        .plain_http(true)
        .start()
        .await
        .expect("start");
    e.faults().push_next(Fault::Reset);
    let mut tcp = tokio::net::TcpStream::connect(e.local_addr())
        .await
        .expect("connect");
    tcp.write_all(raw_post(&e).as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let err = tcp.read_to_end(&mut answer).await.expect_err("reset");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    assert!(answer.is_empty());
    e.shutdown().await;
}

#[tokio::test]
async fn a_reset_ends_the_whole_http2_connection() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    ok_url(&post(&c, &e, DTC, VENDOR).await);
    e.faults().push_next(Fault::Reset);
    let url = format!("{}{DTC}", e.base_url());
    let reset = send(&c, Method::POST, &url, Some(VENDOR)).await;
    assert!(reset.is_err(), "no response: {reset:?}");
    // Not just the stream: the next request needs a new connection.
    ok_url(&post(&c, &e, DTC, VENDOR).await);
    let stats = e.stats();
    assert_eq!((stats.connections, stats.tls_handshakes), (2, 2));
    e.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_waits_for_in_flight_requests() {
    let e = Emulator::builder().start().await.expect("start");
    let addr = e.local_addr();
    let c = client(e.ca_pem());
    e.faults()
        .set_all(Some(Fault::Delay(Duration::from_millis(200))));
    let url = format!("{}{DTC}", e.base_url());
    let in_flight = tokio::spawn({
        let c = c.clone();
        async move { send(&c, Method::POST, &url, Some(VENDOR)).await }
    });
    // Wait until the emulator holds the request, then shut down under it.
    while e.stats().requests == 0 {
        tokio::task::yield_now().await;
    }
    e.shutdown().await;
    let reply = in_flight
        .await
        .expect("task")
        .expect("answered before shutdown finished");
    ok_url(&reply);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

#[test]
fn the_background_emulator_serves_blocking_code() {
    let e = Emulator::builder()
        .plain_http(true)
        .start_background()
        .expect("start");
    let mut tcp = std::net::TcpStream::connect(e.local_addr()).expect("connect");
    tcp.write_all(raw_post(&e).as_bytes()).expect("write");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let body = answer.split_once("\r\n\r\n").expect("head").1;
    assert!(
        body.starts_with(&format!("OK:{}/TechConsole/", e.base_url())),
        "{answer}"
    );
    assert_eq!(e.stats().tickets_issued, 1);
    let addr = e.local_addr();
    e.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "no longer listening"
    );
}

#[test]
fn dropping_a_background_emulator_does_not_wait_for_a_stall() {
    let e = Emulator::builder()
        .plain_http(true)
        .start_background()
        .expect("start");
    e.faults().push_next(Fault::Stall);
    let mut tcp = std::net::TcpStream::connect(e.local_addr()).expect("connect");
    tcp.write_all(raw_post(&e).as_bytes()).expect("write");
    while e.stats().requests == 0 {
        std::thread::yield_now();
    }
    let started = Instant::now();
    drop(e);
    assert!(started.elapsed() < Duration::from_secs(2));
    // The stalled connection was cut, not left hanging.
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    assert!(rest.is_empty());
}
