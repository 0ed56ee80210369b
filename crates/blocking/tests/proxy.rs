//! Tunnels through an HTTP CONNECT proxy, with and without credentials.

mod common;

use rescue_sso_blocking::proto::http::StatusCode;
use rescue_sso_blocking::{Error, Proxy, ProxyError, ProxySettings};

use common::proxy::ConnectProxy;
use common::{PASSWORD, builder_for, dtc, emulator};

/// base64("tester:pro xy"), the credentials in `CREDENTIALS`.
const EXPECTED: &str = "Basic dGVzdGVyOnBybyB4eQ==";
const CREDENTIALS: &str = "tester:pro%20xy";

fn through(proxy: &ConnectProxy, userinfo: Option<&str>) -> ProxySettings {
    ProxySettings::none().with_proxy(Proxy::parse(&proxy.url(userinfo)).expect("proxy url"))
}

#[test]
fn tickets_go_through_an_authenticating_proxy() {
    let emu = emulator();
    let proxy = ConnectProxy::start(Some(EXPECTED));
    let client = builder_for(&emu)
        .proxy(through(&proxy, Some(CREDENTIALS)))
        .build()
        .expect("client");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("second");

    let seen = proxy.seen();
    // One tunnel carried both calls.
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].target,
        format!("127.0.0.1:{}", emu.local_addr().port())
    );
    assert_eq!(seen[0].authorization.as_deref(), Some(EXPECTED));
    assert_eq!(emu.stats().tls_handshakes, 1);
}

#[test]
fn wrong_proxy_credentials_are_a_proxy_error() {
    let emu = emulator();
    let proxy = ConnectProxy::start(Some(EXPECTED));
    let client = builder_for(&emu)
        .proxy(through(&proxy, Some("tester:wrong")))
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Proxy(ProxyError::Status(
                StatusCode::PROXY_AUTHENTICATION_REQUIRED
            ))
        ),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains("wrong"));
    assert_eq!(emu.stats().connections, 0);
}

#[test]
fn missing_proxy_credentials_are_a_proxy_error() {
    let emu = emulator();
    let proxy = ConnectProxy::start(Some(EXPECTED));
    let client = builder_for(&emu)
        .proxy(through(&proxy, None))
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Proxy(ProxyError::Status(
                StatusCode::PROXY_AUTHENTICATION_REQUIRED
            ))
        ),
        "{err:?}"
    );
    assert_eq!(proxy.seen()[0].authorization, None);
}

#[test]
fn no_proxy_hosts_connect_directly() {
    let emu = emulator();
    let proxy = ConnectProxy::start(None);
    let client = builder_for(&emu)
        .proxy(through(&proxy, None).with_no_proxy("localhost,127.0.0.1"))
        .build()
        .expect("client");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket");
    assert!(proxy.seen().is_empty());
}

#[test]
fn a_proxy_that_is_down_is_a_connect_error() {
    let emu = emulator();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{port}")).expect("proxy");
    let client = builder_for(&emu)
        .proxy(ProxySettings::none().with_proxy(proxy))
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
}
