//! `Client::warm_up`: a connection opened ahead of the first call, the
//! first call served on it without a handshake of its own, a spare the
//! server closes replaced by a resumed one, and never a request sent to
//! keep it.

mod common;

use std::time::Duration;

use common::{PASSWORD, client, dtc};
use rescue_sso_emulator::{Company, Emulator, EmulatorHandle, Stats};

async fn emulator(http2: bool) -> EmulatorHandle {
    Emulator::builder()
        .company(Company::new("654321", PASSWORD).technician("123456"))
        .http2(http2)
        .start()
        .await
        .expect("emulator")
}

/// Waits (on a blocking thread) until the emulator's counters say `done`.
async fn until(e: &EmulatorHandle, done: impl Fn(&Stats) -> bool) -> Stats {
    let reached = tokio::task::block_in_place(|| e.wait_until(done, Duration::from_secs(10)));
    let stats = e.stats();
    assert!(reached, "not reached: {stats:?}");
    stats
}

async fn first_call_rides_the_warm_connection(http2: bool) {
    let e = emulator(http2).await;
    let client = client(&e);
    client.warm_up().await.expect("warm");
    // The server counts the handshake a moment after the client is done.
    let stats = until(&e, |s| s.tls_handshakes == 1).await;
    assert_eq!(
        (stats.connections, stats.requests),
        (1, 0),
        "one connection, no request"
    );

    let ticket = client
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("ticket");
    assert!(ticket.expose_url().contains("ticket="));
    let seen = e.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].connection, 1,
        "the call went out on the warm connection"
    );

    // A spare takes the taken one's place, resuming the TLS session.
    let stats = until(&e, |s| s.tls_handshakes == 2).await;
    assert_eq!(stats.tls_resumed, 1, "{stats:?}");
    assert_eq!(stats.requests, 1, "still no request of its own");

    // The next call pays no full handshake either. It reuses the pooled
    // connection, or, when hyper's pool races a connect against the first
    // connection's return (it hands it back on a task of its own), it takes
    // the spare and a new spare resumes. Which one wins is the scheduler's
    // choice; a full handshake is never an acceptable outcome.
    client
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("ticket");
    let second = e.requests()[1].connection;
    assert!(second == 1 || second == 2, "on connection {second}");
    // Waits out a resumed handshake still being counted; a full one would
    // leave the condition false and fail here.
    let stats = until(&e, |s| s.tls_handshakes == s.tls_resumed + 1).await;
    assert!(stats.tls_handshakes <= 3, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_call_rides_the_warm_connection_over_http1() {
    first_call_rides_the_warm_connection(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_call_rides_the_warm_connection_over_http2() {
    // The server's SETTINGS arrive while the spare waits; they must reach
    // hyper intact, or the HTTP/2 handshake would fail.
    first_call_rides_the_warm_connection(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spare_the_server_closes_is_replaced_by_a_resumed_one() {
    let e = emulator(false).await;
    let client = client(&e);
    client.warm_up().await.expect("warm");
    until(&e, |s| s.tls_handshakes == 1).await;

    // The server's idle timeout, as far as the client can tell.
    e.close_connections();
    let stats = until(&e, |s| s.tls_handshakes == 2).await;
    assert_eq!(stats.connections, 2);
    assert_eq!(stats.tls_resumed, 1, "the replacement resumed: {stats:?}");
    assert_eq!(stats.requests, 0);

    // The first call of the morning: no handshake of its own.
    client
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("ticket");
    assert_eq!(e.requests()[0].connection, 2);
}

#[tokio::test]
async fn warming_up_an_endpoint_that_is_down_fails_and_calls_go_on_as_before() {
    let e = emulator(false).await;
    let client = client(&e);
    e.shutdown().await;
    let err = client.warm_up().await.expect_err("nothing listens");
    assert_eq!(err.kind(), rescue_sso_hyper::ErrorKind::Connect);
    let err = client
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect_err("down");
    assert_eq!(err.kind(), rescue_sso_hyper::ErrorKind::Connect);
}

/// `check_connection` (the gateway's readiness probe) opens a connection of
/// its own: the spare stays for the first call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readiness_check_leaves_the_spare_for_a_call() {
    let e = emulator(false).await;
    let client = client(&e);
    client.warm_up().await.expect("warm");
    until(&e, |s| s.tls_handshakes == 1).await;
    client.check_connection().await.expect("reachable");
    until(&e, |s| s.tls_handshakes == 2).await;
    client
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .expect("ticket");
    assert_eq!(e.requests()[0].connection, 1, "the call took the spare");
}
