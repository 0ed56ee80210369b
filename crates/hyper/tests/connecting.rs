//! Connecting: the connect timeout over TCP, tunnel and TLS; HTTP/2 by ALPN;
//! the default roots; and a client built around the caller's own hyper-util
//! client.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, builder, client, dtc, web};
use http_body_util::Full;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use rescue_sso_client_core::TlsSettings;
use rescue_sso_emulator::Emulator;
use rescue_sso_hyper::proto::bytes::Bytes;
use rescue_sso_hyper::proto::http::Version;
use rescue_sso_hyper::proto::{Endpoint, RequestMethod};
use rescue_sso_hyper::{Client, ConfigError, Error, Proxy, ProxySettings, Roots};

/// A listener the kernel completes TCP handshakes for, that never says a
/// word: a TLS handshake or a `CONNECT` to it hangs.
fn silent_listener() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind")
}

#[tokio::test]
async fn a_silent_tls_handshake_is_a_connect_timeout() {
    let silent = silent_listener();
    let url = format!("https://{}", silent.local_addr().expect("addr"));
    let connect_timeout = Duration::from_millis(300);
    let c = builder(&url, None)
        .roots(Roots::Webpki)
        .connect_timeout(connect_timeout)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let started = Instant::now();
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await;
    let took = started.elapsed();
    assert!(matches!(result, Err(Error::ConnectTimeout)), "{result:?}");
    assert!(
        took >= connect_timeout && took < connect_timeout * 3,
        "{took:?}"
    );
}

#[tokio::test]
async fn a_silent_proxy_is_a_connect_timeout() {
    let e = Emulator::builder().start().await.expect("emulator");
    let silent = silent_listener();
    let proxy =
        Proxy::parse(&format!("http://{}", silent.local_addr().expect("addr"))).expect("proxy");
    let c = builder(&e.base_url(), e.ca_pem())
        .proxy(ProxySettings::none().with_proxy(proxy))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await;
    assert!(matches!(result, Err(Error::ConnectTimeout)), "{result:?}");
    assert_eq!(e.stats().connections, 0);
    e.shutdown().await;
}

#[tokio::test]
async fn the_call_timeout_bounds_connecting_too() {
    let silent = silent_listener();
    let url = format!("https://{}", silent.local_addr().expect("addr"));
    let timeout = Duration::from_millis(300);
    let c = builder(&url, None)
        .roots(Roots::Webpki)
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .build()
        .expect("client");
    let started = Instant::now();
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await;
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());
}

#[tokio::test]
async fn alpn_picks_http2_with_the_emulator() {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = client(&e);
    c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("dtc");
    c.web_login_ticket(&web(PASSWORD)).await.expect("web");
    let versions: Vec<Version> = e.requests().iter().map(|r| r.http_version).collect();
    assert_eq!(versions, [Version::HTTP_2, Version::HTTP_2]);
    e.shutdown().await;
}

#[tokio::test]
async fn the_default_roots_do_not_trust_a_private_ca() {
    let e = Emulator::builder().start().await.expect("emulator");
    // No `.roots(…)`: the operating system's store, as in production.
    let built = Client::builder()
        .endpoint(e.base_url().parse().expect("endpoint"))
        .proxy(ProxySettings::none())
        .build();
    let c = match built {
        Ok(c) => c,
        Err(Error::Config(ConfigError::NoRoots)) => {
            eprintln!("skipped: this machine has no system roots");
            return;
        }
        Err(other) => panic!("client: {other:?}"),
    };
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await;
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    assert_eq!(e.stats().requests, 0, "nothing was sent");
    e.shutdown().await;
}

#[tokio::test]
async fn the_callers_own_hyper_client() {
    let e = Emulator::builder().start().await.expect("emulator");
    let pem = e.ca_pem().expect("ca");
    let tls = TlsSettings::new()
        .roots(Roots::ExtraOnly)
        .add_root_pem(pem.as_bytes())
        .expect("pem")
        // hyper-rustls sets ALPN from the versions it enables.
        .client_config(&[])
        .expect("tls");
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*tls).clone())
        .https_only()
        .enable_all_versions()
        .build();
    let hyper = HyperClient::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(https);
    let endpoint: Endpoint = e.base_url().parse().expect("endpoint");
    let c = Client::from_hyper_client(hyper, endpoint, RequestMethod::Post, Duration::from_secs(5));
    let a = c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("first");
    let b = c.web_login_ticket(&web(PASSWORD)).await.expect("second");
    assert_ne!(a.expose_ticket(), b.expose_ticket());
    let stats = e.stats();
    assert_eq!(
        (stats.connections, stats.tls_handshakes),
        (1, 1),
        "its pool is used"
    );
    assert!(
        e.requests()
            .iter()
            .all(|r| r.http_version == Version::HTTP_2)
    );
    e.shutdown().await;
}

#[tokio::test]
async fn a_callers_client_never_talks_plain_http() {
    // A connector that does no TLS at all, and an endpoint that the builder
    // would accept for our own connector (plain http on loopback): the call
    // is refused before anything is sent.
    let e = Emulator::builder()
        .plain_http(true)
        .start()
        .await
        .expect("emulator");
    let mut tcp = hyper_util::client::legacy::connect::HttpConnector::new();
    tcp.enforce_http(false);
    let hyper = HyperClient::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(tcp);
    let endpoint = Endpoint::builder(&e.base_url())
        .allow_loopback_http()
        .build()
        .expect("endpoint");
    let c = Client::from_hyper_client(hyper, endpoint, RequestMethod::Post, Duration::from_secs(5));
    let err = c.dtc_login_ticket(&dtc(PASSWORD)).await.unwrap_err();
    assert_eq!(err.kind(), rescue_sso_hyper::ErrorKind::Config, "{err:?}");
    assert_eq!(e.stats().connections, 0, "nothing was sent");
    e.shutdown().await;
}

/// The kernel's timers of the client-side TCP sockets connected to `port`,
/// from `/proc/net/tcp` (IPv4 loopback): `2` is the keepalive timer.
#[cfg(target_os = "linux")]
fn client_socket_timers(port: u16) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let remote = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local, remote, state (01: established), and the timer.
            let (&remote_addr, &state, &timer) = (fields.get(2)?, fields.get(3)?, fields.get(5)?);
            (remote_addr == remote && state == "01").then(|| timer.to_owned())
        })
        .collect()
}

/// Every connection the async adapter opens has TCP keepalive, so an idle
/// one (pooled, or the warm spare) keeps its NAT and firewall state and a
/// dead peer is found without a request: after a call, the kernel's
/// keepalive timer is armed on the pooled connection's socket.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_idle_pooled_connection_has_tcp_keepalive() {
    // HTTP/1.1: once the answer is read the client has sent nothing the
    // server has yet to acknowledge (over HTTP/2 it would still owe a
    // WINDOW_UPDATE's ACK for a moment), so the only timer an idle socket
    // can have is the keepalive one.
    let e = Emulator::builder()
        .http2(false)
        .start()
        .await
        .expect("emulator");
    let c = client(&e);
    c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("ticket");
    let port = e.local_addr().port();
    let timers = client_socket_timers(port);
    assert_eq!(timers.len(), 1, "one pooled connection: {timers:?}");
    assert!(
        timers[0].starts_with("02:"),
        "the keepalive timer: {timers:?}"
    );
    drop(c);
    e.shutdown().await;
}
