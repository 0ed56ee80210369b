//! Tickets through the async adapter against the emulator over TLS.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{PASSWORD, builder, client, dtc, web};
use rescue_sso_emulator::{Emulator, Fault};
use rescue_sso_hyper::proto::{Arch, Console, Error as ProtoError, RequestMethod, RescueError};
use rescue_sso_hyper::{Client, Error, ProxySettings};

#[tokio::test]
async fn both_tickets_by_post_and_get() {
    let e = Emulator::builder().start().await.expect("emulator");
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let c = builder(&e.base_url(), e.ca_pem())
            .method(method)
            .build()
            .expect("client");
        let t = c
            .dtc_login_ticket(&dtc(PASSWORD).arch(Arch::X64))
            .await
            .expect("dtc ticket");
        assert_eq!(t.console(), Console::Desktop);
        assert!(t.expose_url().starts_with(&e.base_url()));
        assert!(t.expose_url().ends_with("&arch=64"));
        let w = c
            .web_login_ticket(&web(PASSWORD))
            .await
            .expect("web ticket");
        assert_eq!(w.console(), Console::Web);
    }
    let seen = e.requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        seen.iter().filter(|r| r.password_in_url).count(),
        2,
        "only GET puts it in the URL"
    );
    e.shutdown().await;
}

#[tokio::test]
async fn every_rescue_answer_is_typed() {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = client(&e);
    let refusal = |r: Result<_, Error>| match r {
        Err(Error::Protocol(ProtoError::Rescue(word))) => word,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refusal(c.dtc_login_ticket(&dtc("wrong")).await),
        RescueError::InvalidPassword
    );
    let other_company = rescue_sso_hyper::proto::GetDtcLoginTicket::new(
        rescue_sso_hyper::proto::SsoId::new("123456").expect("sso"),
        rescue_sso_hyper::proto::CompanyId::new("1").expect("company"),
        rescue_sso_hyper::proto::Password::new(PASSWORD).expect("password"),
    );
    assert_eq!(
        refusal(c.dtc_login_ticket(&other_company).await),
        RescueError::InvalidCompanyId
    );
    for (word, want) in [
        ("MISSINGPARAMETERS", RescueError::MissingParameters),
        ("INVALIDSSOID", RescueError::Unknown("INVALIDSSOID".into())),
    ] {
        e.faults().push_next(Fault::Custom {
            status: 200,
            body: word.into(),
            content_type: None,
        });
        assert_eq!(refusal(c.dtc_login_ticket(&dtc(PASSWORD)).await), want);
    }
    e.shutdown().await;
}

#[tokio::test]
async fn sequential_calls_share_one_connection_and_handshake() {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = client(&e);
    let a = c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("first");
    let b = c
        .clone()
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("second");
    assert_ne!(a.expose_ticket(), b.expose_ticket());
    let stats = e.stats();
    assert_eq!((stats.connections, stats.tls_handshakes), (1, 1));
    e.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_tickets_over_few_connections() {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = client(&e);
    let calls = (0..200).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.dtc_login_ticket(&dtc(PASSWORD)).await })
    });
    let mut tickets = HashSet::new();
    for call in calls {
        let t = call.await.expect("task").expect("ticket");
        tickets.insert(t.expose_ticket().to_owned());
    }
    assert_eq!(tickets.len(), 200, "all distinct");
    let stats = e.stats();
    // HTTP/2 by ALPN multiplexes them; a handful at most while the first
    // handshakes race.
    assert!(stats.connections <= 8, "{stats:?}");
    e.shutdown().await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error() {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = Client::builder()
        .endpoint(e.base_url().parse().expect("endpoint"))
        .roots(rescue_sso_hyper::Roots::Webpki)
        .proxy(ProxySettings::none())
        .build()
        .expect("client");
    match c.dtc_login_ticket(&dtc(PASSWORD)).await {
        Err(Error::Tls(_)) => {}
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert_eq!(e.stats().requests, 0, "nothing was sent");
    e.shutdown().await;
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let c = builder(&format!("https://127.0.0.1:{port}"), None)
        .roots(rescue_sso_hyper::Roots::Webpki)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    match c.dtc_login_ticket(&dtc(PASSWORD)).await {
        Err(Error::Connect(_)) => {}
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_loopback_emulator_when_allowed() {
    let e = Emulator::builder()
        .plain_http(true)
        .start()
        .await
        .expect("emulator");
    let endpoint = rescue_sso_hyper::proto::Endpoint::builder(&e.base_url())
        .allow_loopback_http()
        .build()
        .expect("endpoint");
    let c = Client::builder()
        .endpoint(endpoint)
        .proxy(ProxySettings::none())
        .build()
        .expect("client");
    c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("ticket");
    e.shutdown().await;
}

/// A new connection (here every call's: no pool) resumes the TLS session
/// the first one made: no full handshake for a reconnect.
#[tokio::test]
async fn a_reconnect_resumes_the_tls_session() {
    let e = Emulator::builder()
        .company(rescue_sso_emulator::Company::new("654321", PASSWORD).technician("123456"))
        .start()
        .await
        .expect("emulator");
    let client = builder(&e.base_url(), e.ca_pem())
        .max_idle_per_host(0)
        .build()
        .expect("client");
    for _ in 0..3 {
        client
            .dtc_login_ticket(&dtc(PASSWORD))
            .await
            .expect("ticket");
    }
    let stats = e.stats();
    assert_eq!(stats.connections, 3, "{stats:?}");
    assert_eq!(
        (stats.tls_handshakes, stats.tls_resumed),
        (3, 2),
        "one full handshake, then resumed ones: {stats:?}"
    );
}
