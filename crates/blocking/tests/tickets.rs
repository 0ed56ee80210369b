//! Tickets from the emulator, Rescue's refusals, reuse and many threads.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::thread;

use rescue_sso_blocking::proto::http::Method;
use rescue_sso_blocking::proto::{
    self, Arch, CompanyId, GetDtcLoginTicket, Password, RequestMethod, RescueError, SsoId,
};
use rescue_sso_blocking::{Client, Error, ProxySettings, Roots, TlsProblem};
use rescue_sso_emulator::Fault;

use common::{PASSWORD, builder_for, client_for, dtc, emulator, web};

#[test]
fn both_tickets_by_post_and_get() {
    let emu = emulator();
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let client = builder_for(&emu).method(method).build().expect("client");
        let desktop = client.dtc_login_ticket(&dtc(PASSWORD)).expect("dtc ticket");
        assert!(
            desktop
                .expose_url()
                .contains("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket="),
            "{method:?}"
        );
        let web = client.web_login_ticket(&web(PASSWORD)).expect("web ticket");
        assert!(
            web.expose_url().contains("/SSO/Login.aspx?Ticket="),
            "{method:?}"
        );
        assert_ne!(desktop.expose_ticket(), web.expose_ticket());
    }
    let seen = emu.requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].method, Method::POST);
    assert!(!seen[0].password_in_url);
    assert_eq!(seen[2].method, Method::GET);
    assert!(seen[2].password_in_url);
}

#[test]
fn arch_64_reaches_the_ticket_url() {
    let emu = emulator();
    let ticket = client_for(&emu)
        .execute(&dtc(PASSWORD).arch(Arch::X64))
        .expect("ticket");
    assert!(ticket.expose_url().ends_with("&arch=64"));
}

fn refusal(result: Result<proto::LoginTicket, Error>) -> RescueError {
    match result {
        Err(Error::Protocol(proto::Error::Rescue(refusal))) => refusal,
        other => panic!("expected a rescue refusal, got {other:?}"),
    }
}

#[test]
fn every_rescue_answer_is_typed() {
    let emu = emulator();
    let client = client_for(&emu);

    let wrong_password = client.dtc_login_ticket(&dtc("wrongPassword"));
    assert_eq!(refusal(wrong_password), RescueError::InvalidPassword);

    let other_company = GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("111111").expect("company id"),
        Password::new(PASSWORD).expect("password"),
    );
    assert_eq!(
        refusal(client.dtc_login_ticket(&other_company)),
        RescueError::InvalidCompanyId
    );

    emu.faults().push_next(Fault::Custom {
        status: 200,
        body: "MISSINGPARAMETERS".into(),
        content_type: Some("text/plain".into()),
    });
    assert_eq!(
        refusal(client.dtc_login_ticket(&dtc(PASSWORD))),
        RescueError::MissingParameters
    );

    emu.faults().push_next(Fault::Custom {
        status: 200,
        body: "INVALIDSSOID\r\n".into(),
        content_type: None,
    });
    assert_eq!(
        refusal(client.dtc_login_ticket(&dtc(PASSWORD))),
        RescueError::Unknown("INVALIDSSOID".into())
    );

    // The client is still usable after every refusal.
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket");
}

#[test]
fn a_second_call_reuses_the_connection() {
    let emu = emulator();
    let client = client_for(&emu);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    client.web_login_ticket(&web(PASSWORD)).expect("second");
    let stats = emu.stats();
    assert_eq!(stats.tls_handshakes, 1, "{stats:?}");
    assert_eq!(stats.connections, 1, "{stats:?}");
    assert_eq!(stats.requests, 2, "{stats:?}");
}

#[test]
fn no_pool_means_a_new_connection_per_call() {
    let emu = emulator();
    let client = builder_for(&emu)
        .max_idle_per_host(0)
        .build()
        .expect("client");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("second");
    assert_eq!(emu.stats().connections, 2);
}

#[test]
fn many_threads_share_one_client() {
    const THREADS: usize = 16;
    const EACH: usize = 10;
    let emu = emulator();
    let client = Arc::new(
        builder_for(&emu)
            .max_idle_per_host(THREADS)
            .build()
            .expect("client"),
    );
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = Arc::clone(&client);
            thread::spawn(move || {
                (0..EACH)
                    .map(|_| {
                        client
                            .dtc_login_ticket(&dtc(PASSWORD))
                            .expect("ticket")
                            .expose_ticket()
                            .to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let tickets: HashSet<_> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    assert_eq!(tickets.len(), THREADS * EACH);
    let stats = emu.stats();
    assert_eq!(stats.tickets_issued, (THREADS * EACH) as u64);
    // A new connection is only opened when no idle one is left, and with
    // room in the pool for every thread none is ever dropped: at most one
    // connection per thread.
    assert!(stats.connections <= THREADS as u64, "{stats:?}");
}

#[test]
fn an_untrusted_certificate_is_a_tls_error() {
    let emu = emulator();
    let other = emulator();
    let endpoint = proto::Endpoint::new(&emu.base_url()).expect("endpoint");
    let public_roots = Client::builder()
        .endpoint(endpoint.clone())
        .roots(Roots::Webpki)
        .proxy(ProxySettings::none());
    // Another emulator's CA: same name, different key.
    let other_ca = Client::builder()
        .endpoint(endpoint)
        .roots(Roots::ExtraOnly)
        .add_root_pem(other.ca_pem().expect("ca"))
        .proxy(ProxySettings::none());
    for builder in [public_roots, other_ca] {
        let client = builder.build().expect("client");
        let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
        assert!(
            matches!(&err, Error::Tls(tls) if tls.problem() == TlsProblem::UnknownIssuer),
            "{err:?}"
        );
    }
    assert_eq!(emu.stats().requests, 0);
}

#[test]
fn a_pem_without_certificate_fails_the_build() {
    let err = Client::builder()
        .add_root_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let emu = emulator();
    // Bind and drop a listener: its port is now closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let endpoint = proto::Endpoint::new(&format!("https://127.0.0.1:{port}")).expect("endpoint");
    let client = builder_for(&emu)
        .endpoint(endpoint)
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
}

/// A new connection (here every call's: no pool) resumes the TLS session
/// the first one made: no full handshake for a reconnect.
#[test]
fn a_reconnect_resumes_the_tls_session() {
    let emulator = emulator();
    let client = builder_for(&emulator)
        .max_idle_per_host(0)
        .build()
        .expect("client");
    for _ in 0..3 {
        client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket");
    }
    let stats = emulator.stats();
    assert_eq!(stats.connections, 3, "{stats:?}");
    assert_eq!(
        (stats.tls_handshakes, stats.tls_resumed),
        (3, 2),
        "one full handshake, then resumed ones: {stats:?}"
    );
}
