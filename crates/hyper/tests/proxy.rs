//! Through an HTTP CONNECT proxy written here: the tunnel, its Basic
//! authentication, and a refusal.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{PASSWORD, builder, dtc};
use rescue_sso_emulator::Emulator;
use rescue_sso_hyper::{Error, Proxy, ProxySettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};

/// A CONNECT proxy on 127.0.0.1 that wants `Proxy-Authorization: Basic
/// dXNlcjpwYXNz` (user:pass). Returns its port and a tunnel counter.
async fn proxy() -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let tunnels = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&tunnels);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let target = head
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split(' ').next())
                    .unwrap_or_default()
                    .to_owned();
                let authorized = head
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case("proxy-authorization: Basic dXNlcjpwYXNz"));
                if !authorized {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                counter.fetch_add(1, Ordering::Relaxed);
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, tunnels)
}

#[tokio::test]
async fn tickets_go_through_an_authenticated_tunnel() {
    let e = Emulator::builder().start().await.expect("emulator");
    let (port, tunnels) = proxy().await;
    let settings = ProxySettings::none()
        .with_proxy(Proxy::parse(&format!("http://user:pass@127.0.0.1:{port}")).expect("proxy"));
    let c = builder(&e.base_url(), e.ca_pem())
        .proxy(settings)
        .build()
        .expect("client");
    c.dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("ticket through the proxy");
    c.dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("second ticket, same tunnel");
    assert_eq!(tunnels.load(Ordering::Relaxed), 1);
    assert_eq!(
        e.stats().tls_handshakes,
        1,
        "TLS end to end, through the tunnel"
    );
    e.shutdown().await;
}

#[tokio::test]
async fn a_refused_tunnel_is_a_proxy_error() {
    let e = Emulator::builder().start().await.expect("emulator");
    let (port, _) = proxy().await;
    let settings = ProxySettings::none()
        .with_proxy(Proxy::parse(&format!("http://user:wrong@127.0.0.1:{port}")).expect("proxy"));
    let c = builder(&e.base_url(), e.ca_pem())
        .proxy(settings)
        .build()
        .expect("client");
    match c.dtc_login_ticket(&dtc(PASSWORD)).await {
        Err(Error::Proxy(_)) => {}
        other => panic!("expected a proxy error, got {other:?}"),
    }
    assert_eq!(e.stats().connections, 0);
    e.shutdown().await;
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let e = Emulator::builder().start().await.expect("emulator");
    let (port, tunnels) = proxy().await;
    let settings = ProxySettings::none()
        .with_proxy(Proxy::parse(&format!("http://user:pass@127.0.0.1:{port}")).expect("proxy"))
        .with_no_proxy("localhost,127.0.0.0/8");
    let c = builder(&e.base_url(), e.ca_pem())
        .proxy(settings)
        .build()
        .expect("client");
    c.dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("direct ticket");
    assert_eq!(tunnels.load(Ordering::Relaxed), 0);
    e.shutdown().await;
}
