//! Name resolution counts against the deadline: a resolver that never
//! answers cannot hold a call past it.

mod common;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rescue_sso_blocking::proto::Endpoint;
use rescue_sso_blocking::{Client, ErrorKind, ProxySettings, Resolve, Roots};

use common::{PASSWORD, dtc};

/// A resolver that never answers, as a DNS server that drops every query
/// looks to `getaddrinfo` for a long while.
struct Silent;

impl Resolve for Silent {
    fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        loop {
            std::thread::park();
        }
    }
}

fn client(connect_timeout: Duration, timeout: Duration) -> Client {
    Client::builder()
        .endpoint(Endpoint::new("https://rescue.example").expect("endpoint"))
        .roots(Roots::Webpki)
        .proxy(ProxySettings::none())
        .resolver(Silent)
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .build()
        .expect("client")
}

#[test]
fn a_resolver_that_never_answers_ends_at_the_call_deadline() {
    let started = Instant::now();
    let err = client(Duration::from_secs(30), Duration::from_millis(500))
        .dtc_login_ticket(&dtc(PASSWORD))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[test]
fn a_resolver_that_never_answers_ends_at_the_connect_timeout() {
    let started = Instant::now();
    let err = client(Duration::from_millis(300), Duration::from_secs(30))
        .dtc_login_ticket(&dtc(PASSWORD))
        .unwrap_err();
    assert!(
        matches!(err, rescue_sso_blocking::Error::ConnectTimeout),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
}
