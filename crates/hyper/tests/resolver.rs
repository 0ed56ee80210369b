//! Name resolution counts against the deadline: a resolver that never
//! answers cannot hold a call past it, nor the runtime that made it.

mod common;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rescue_sso_hyper::proto::Endpoint;
use rescue_sso_hyper::{Client, Error, ErrorKind, ProxySettings, Resolve, Roots};

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

/// The call, and then dropping the runtime it ran on, both end on time: no
/// lookup thread is waited for.
#[test]
fn a_resolver_that_never_answers_ends_at_the_call_deadline_and_so_does_the_runtime() {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        client(Duration::from_secs(30), Duration::from_millis(500))
            .dtc_login_ticket(&dtc(PASSWORD))
            .await
    });
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    drop(runtime);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_resolver_that_never_answers_ends_at_the_connect_timeout() {
    let started = Instant::now();
    let err = client(Duration::from_millis(300), Duration::from_secs(30))
        .dtc_login_ticket(&dtc(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConnectTimeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1500));
}
