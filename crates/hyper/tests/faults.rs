//! Every fault the emulator injects ends in the right error within the
//! deadline.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, builder, client, dtc};
use rescue_sso_emulator::{Emulator, Fault};
use rescue_sso_hyper::Error;
use rescue_sso_hyper::proto::Error as ProtoError;

const DEADLINE: Duration = Duration::from_millis(800);

async fn call_with(fault: Fault) -> (Result<(), Error>, Duration) {
    let e = Emulator::builder().start().await.expect("emulator");
    let c = builder(&e.base_url(), e.ca_pem())
        .timeout(DEADLINE)
        .build()
        .expect("client");
    e.faults().push_next(fault);
    let started = Instant::now();
    let result = c.dtc_login_ticket(&dtc(PASSWORD)).await.map(|_| ());
    // Dropped rather than shut down: a graceful shutdown would wait for the
    // stalled request it is still holding.
    (result, started.elapsed())
}

#[tokio::test]
async fn a_delay_under_the_deadline_is_fine() {
    let (result, _) = call_with(Fault::Delay(Duration::from_millis(100))).await;
    result.expect("ticket");
}

#[tokio::test]
async fn delays_and_stalls_over_the_deadline_time_out() {
    for fault in [
        Fault::Delay(Duration::from_secs(5)),
        Fault::Stall,
        Fault::StallAfterHeaders,
    ] {
        let (result, took) = call_with(fault.clone()).await;
        assert!(
            matches!(result, Err(Error::Timeout)),
            "{fault:?}: {result:?}"
        );
        assert!(took < DEADLINE * 3, "{fault:?} took {took:?}");
    }
}

#[tokio::test]
async fn a_reset_is_closed_and_a_500_page_is_a_status_error() {
    let (result, _) = call_with(Fault::Reset).await;
    assert!(matches!(result, Err(Error::Closed(_))), "{result:?}");
    let (result, _) = call_with(Fault::ServerError).await;
    match result {
        Err(Error::Protocol(ProtoError::Status { status, excerpt })) => {
            assert_eq!(status.as_u16(), 500);
            assert!(excerpt.as_str().contains("Server Error"), "{excerpt:?}");
        }
        other => panic!("expected a 500 status error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_request_written_whole_is_never_sent_again() {
    // The server reads the request on the pooled connection, then drops the
    // connection without answering: it has seen the password and may have
    // issued a ticket, so the request must not go again.
    let e = Emulator::builder().start().await.expect("emulator");
    let c = client(&e);
    c.dtc_login_ticket(&dtc(PASSWORD)).await.expect("first");
    e.faults().push_next(Fault::Reset);
    let err = c.dtc_login_ticket(&dtc(PASSWORD)).await.unwrap_err();
    assert_eq!(err.kind(), rescue_sso_hyper::ErrorKind::Closed, "{err:?}");
    let stats = e.stats();
    assert_eq!(stats.requests, 2, "{stats:?}");
    e.shutdown().await;
}
