//! The emulator's faults: each ends in the right error, within the deadline.

mod common;

use std::time::{Duration, Instant};

use rescue_sso_blocking::Error;
use rescue_sso_blocking::proto::{self, http::StatusCode};
use rescue_sso_emulator::Fault;

use common::{PASSWORD, builder_for, client_for, dtc, emulator};

const TIMEOUT: Duration = Duration::from_millis(500);

/// Runs one call with a short timeout against an emulator set to `fault`,
/// returning its result and how long it took.
fn call_with(fault: Fault) -> (Result<proto::LoginTicket, Error>, Duration) {
    let emu = emulator();
    emu.faults().push_next(fault);
    let client = builder_for(&emu).timeout(TIMEOUT).build().expect("client");
    let started = Instant::now();
    let result = client.dtc_login_ticket(&dtc(PASSWORD));
    (result, started.elapsed())
}

fn assert_timed_out(fault: Fault) {
    let (result, took) = call_with(fault);
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    assert!(took >= TIMEOUT - Duration::from_millis(20), "{took:?}");
    assert!(took < TIMEOUT + Duration::from_millis(700), "{took:?}");
}

#[test]
fn a_delay_within_the_deadline_is_fine() {
    let (result, _) = call_with(Fault::Delay(Duration::from_millis(100)));
    result.expect("ticket");
}

#[test]
fn a_delay_past_the_deadline_times_out() {
    assert_timed_out(Fault::Delay(Duration::from_secs(5)));
}

#[test]
fn a_stalled_server_times_out() {
    assert_timed_out(Fault::Stall);
}

#[test]
fn a_stall_after_the_headers_times_out() {
    assert_timed_out(Fault::StallAfterHeaders);
}

#[test]
fn a_reset_before_any_byte_is_closed() {
    let (result, _) = call_with(Fault::Reset);
    assert!(matches!(result, Err(Error::Closed(_))), "{result:?}");
}

#[test]
fn an_error_page_is_a_status_error() {
    let (result, _) = call_with(Fault::ServerError);
    match result {
        Err(Error::Protocol(proto::Error::Status { status, .. })) => {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_client_recovers_after_a_fault() {
    let emu = emulator();
    let client = client_for(&emu);
    emu.faults().push_next(Fault::Reset);
    assert!(client.dtc_login_ticket(&dtc(PASSWORD)).is_err());
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket");
}

/// A listener that completes TCP handshakes (the kernel does) but never
/// says a word: a TLS handshake or a CONNECT to it hangs.
fn silent_listener() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind")
}

#[test]
fn a_silent_tls_handshake_is_a_connect_timeout() {
    let silent = silent_listener();
    let url = format!("https://{}", silent.local_addr().expect("addr"));
    let emu = emulator();
    let connect_timeout = Duration::from_millis(300);
    let client = builder_for(&emu)
        .endpoint(proto::Endpoint::new(&url).expect("endpoint"))
        .connect_timeout(connect_timeout)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::ConnectTimeout), "{err:?}");
    assert!(
        took >= connect_timeout && took < connect_timeout * 3,
        "{took:?}"
    );
}

#[test]
fn the_call_timeout_bounds_connecting_too() {
    let silent = silent_listener();
    let url = format!("https://{}", silent.local_addr().expect("addr"));
    let emu = emulator();
    let client = builder_for(&emu)
        .endpoint(proto::Endpoint::new(&url).expect("endpoint"))
        .connect_timeout(Duration::from_secs(5))
        .timeout(TIMEOUT)
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(started.elapsed() < TIMEOUT * 3);
}

#[test]
fn a_silent_proxy_is_a_connect_timeout() {
    let silent = silent_listener();
    let proxy = rescue_sso_blocking::Proxy::parse(&format!(
        "http://{}",
        silent.local_addr().expect("addr")
    ))
    .expect("proxy");
    let emu = emulator();
    let client = builder_for(&emu)
        .proxy(rescue_sso_blocking::ProxySettings::none().with_proxy(proxy))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::ConnectTimeout), "{err:?}");
    assert_eq!(emu.stats().connections, 0);
}
