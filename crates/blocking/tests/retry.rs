//! When a pooled connection fails, what is retried and what is not.

mod common;

use std::time::Duration;

use rescue_sso_blocking::{Error, ErrorKind};
use rescue_sso_emulator::Fault;

use common::{PASSWORD, builder_for, client_for, dtc, emulator};

#[test]
fn a_request_written_whole_is_never_sent_again() {
    let emu = emulator();
    let client = client_for(&emu);
    client.dtc_login_ticket(&dtc(PASSWORD)).expect("first");
    // The server reads the next request on the pooled connection, then
    // drops the connection without answering. It has seen the password and
    // may have issued a ticket: sending it again would repeat both.
    emu.faults().push_next(Fault::Reset);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Closed(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Closed);
    let stats = emu.stats();
    assert_eq!(stats.requests, 2, "{stats:?}");
    assert_eq!(stats.connections, 1, "{stats:?}");
}

#[test]
fn a_fresh_connection_closed_before_the_answer_is_not_retried() {
    let emu = emulator();
    let client = client_for(&emu);
    emu.faults().push_next(Fault::Reset);
    let err = client.dtc_login_ticket(&dtc(PASSWORD)).unwrap_err();
    assert!(matches!(err, Error::Closed(_)), "{err:?}");
    assert_eq!(emu.stats().requests, 1);
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
