//! When a pooled connection fails, what is retried and what is not.

mod common;

use std::time::Duration;

use rescue_sso_blocking::Error;
use rescue_sso_emulator::Fault;

use common::{PASSWORD, builder_for, client_for, dtc, emulator};

#[test]
fn a_reused_connection_closed_before_the_answer_is_retried_once() {
    let emu = emulator();
    let client = client_for(&emu);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    // The server drops the pooled connection on the next request, as one
    // that timed it out while idle would.
    emu.faults().push_next(Fault::Reset);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("retried");
    let stats = emu.stats();
    assert_eq!(stats.connections, 2, "{stats:?}");
    assert_eq!(stats.requests, 3, "{stats:?}");
    assert_eq!(stats.tickets_issued, 2, "{stats:?}");
}

#[test]
fn a_fresh_connection_closed_before_the_answer_is_not_retried() {
    let emu = emulator();
    let client = client_for(&emu);
    emu.faults().push_next(Fault::Reset);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Closed), "{err:?}");
    assert_eq!(emu.stats().requests, 1);
}

#[test]
fn a_retry_that_fails_again_is_closed() {
    let emu = emulator();
    let client = client_for(&emu);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    emu.faults().push_next(Fault::Reset);
    emu.faults().push_next(Fault::Reset);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Closed), "{err:?}");
    // The first request, then one try on the pooled and one on a fresh
    // connection: no more.
    assert_eq!(emu.stats().requests, 3);
}

#[test]
fn a_timeout_on_a_reused_connection_is_not_retried() {
    let emu = emulator();
    let client = builder_for(&emu)
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    emu.faults().push_next(Fault::Stall);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert_eq!(emu.stats().requests, 2);
}

#[test]
fn an_answer_that_started_is_not_retried() {
    let emu = emulator();
    let client = builder_for(&emu)
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    emu.faults().push_next(Fault::StallAfterHeaders);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert_eq!(emu.stats().requests, 2);
}
