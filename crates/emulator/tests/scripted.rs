//! The scripted server plays raw bytes over TLS or plain TCP.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{DTC, VENDOR, client, send, tls_config};
use http::Method;
use rescue_sso_emulator::scripted::{After, Script, ScriptedServer};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn over_tls_to_a_real_client() {
    let raw = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nINVALIDPASSWORD";
    let s = ScriptedServer::start(Script::new(raw, After::Close))
        .await
        .expect("start");
    assert!(s.base_url().starts_with("https://127.0.0.1:"));
    let c = client(s.ca_pem());
    let url = format!("{}{DTC}", s.base_url());
    let reply = send(&c, Method::POST, &url, Some(VENDOR))
        .await
        .expect("answer");
    assert_eq!(reply.body, "INVALIDPASSWORD");
    assert_eq!(s.connections(), 1);
}

/// Reads until the server closes over TLS; `Err` when it closed without
/// `close_notify`.
async fn read_tls(s: &ScriptedServer) -> std::io::Result<Vec<u8>> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(s.ca_pem())));
    let tcp = tokio::net::TcpStream::connect(s.local_addr())
        .await
        .expect("connect");
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    tls.write_all(REQUEST).await.expect("write");
    let mut got = Vec::new();
    tls.read_to_end(&mut got).await.map(|_| got)
}

#[tokio::test]
async fn closes_with_or_without_close_notify() {
    let raw = "HTTP/1.1 200 OK\r\n\r\nbody until close";
    let clean = ScriptedServer::start(Script::new(raw, After::Close))
        .await
        .expect("start");
    assert_eq!(read_tls(&clean).await.expect("clean close"), raw.as_bytes());

    let truncated = ScriptedServer::start(Script::new(raw, After::CloseWithoutNotify))
        .await
        .expect("start");
    let err = read_tls(&truncated).await.expect_err("no close_notify");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}

#[test]
fn chunks_with_pauses_in_the_background() {
    let pause = Duration::from_millis(20);
    let chunks = vec![
        Bytes::from_static(b"HTTP/1.1 200 OK\r\n"),
        Bytes::from_static(b"Content-Length: 2\r\n\r\n"),
        Bytes::from_static(b"OK"),
    ];
    let s =
        ScriptedServer::start_plain_background(Script::chunks(chunks, After::Close).pause(pause))
            .expect("start");
    assert!(s.base_url().starts_with("http://") && s.ca_pem().is_none());
    let started = Instant::now();
    let mut tcp = std::net::TcpStream::connect(s.local_addr()).expect("connect");
    tcp.write_all(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
        .expect("write");
    let mut got = Vec::new();
    tcp.read_to_end(&mut got).expect("read");
    assert_eq!(got, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
    assert!(started.elapsed() >= pause * 2);
}

#[test]
fn keep_open_answers_each_request_on_one_connection() {
    let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    let s = ScriptedServer::start_plain_background(Script::new(&raw[..], After::KeepOpen))
        .expect("start");
    let mut tcp = std::net::TcpStream::connect(s.local_addr()).expect("connect");
    for _ in 0..2 {
        tcp.write_all(REQUEST).expect("write");
        let mut got = vec![0; raw.len()];
        tcp.read_exact(&mut got).expect("read");
        assert_eq!(got, raw);
    }
    assert_eq!(s.connections(), 1);
}

#[test]
fn stall_keeps_the_connection_open_and_silent() {
    let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort";
    let s = ScriptedServer::start_background(Script::new(&raw[..], After::Stall)).expect("start");
    assert!(
        s.ca_pem()
            .is_some_and(|pem| pem.contains("BEGIN CERTIFICATE"))
    );
    let plain =
        ScriptedServer::start_plain_background(Script::new(&raw[..], After::Stall)).expect("start");
    let mut tcp = std::net::TcpStream::connect(plain.local_addr()).expect("connect");
    tcp.write_all(REQUEST).expect("write");
    let mut got = vec![0; raw.len()];
    tcp.read_exact(&mut got).expect("read");
    tcp.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let err = tcp.read(&mut [0; 1]).expect_err("silence, not a close");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
}
