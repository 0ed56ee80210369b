//! End to end against the emulator over loopback TLS, each adapter side by
//! side with what a user would otherwise write, in the same run, against the
//! same server, sending the identical request:
//!
//! - `async/*`: `rescue-sso-hyper` vs a raw hyper-util client (which only
//!   reads the body; ours also validates it), at concurrency 1, 16 and 64;
//! - `blocking/*`: `rescue-sso-blocking` vs ureq 3, with 1, 16 and 64 threads;
//! - connections and TLS handshakes per 1,000 sequential tickets, printed.
//!
//! `cargo bench -p rescue-sso-benches --bench e2e`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_client_core::{ProxySettings, Roots, TlsSettings};
use rescue_sso_emulator::{BackgroundEmulator, Emulator};
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::Request;
use rescue_sso_proto::{
    CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId,
};

const CONCURRENCY: [usize; 3] = [1, 16, 64];

type RawClient = HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

fn op() -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    )
}

struct Setup {
    emulator: BackgroundEmulator,
    endpoint: Endpoint,
    ca_pem: String,
}

impl Setup {
    fn new() -> Setup {
        let emulator = Emulator::builder().start_background().expect("emulator");
        let endpoint: Endpoint = emulator.base_url().parse().expect("endpoint");
        let ca_pem = emulator.ca_pem().expect("tls").to_owned();
        Setup {
            emulator,
            endpoint,
            ca_pem,
        }
    }

    fn ours_async(&self) -> rescue_sso_hyper::Client {
        rescue_sso_hyper::Client::builder()
            .endpoint(self.endpoint.clone())
            .roots(Roots::ExtraOnly)
            .add_root_pem(&self.ca_pem)
            .proxy(ProxySettings::none())
            .build()
            .expect("client")
    }

    /// What a user would write with hyper-util directly: the same TLS roots,
    /// HTTP/1.1 and HTTP/2 by ALPN, a pooled client.
    fn raw_hyper(&self) -> RawClient {
        let tls = TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .add_root_pem(self.ca_pem.as_bytes())
            .and_then(|t| t.client_config(&[]))
            .expect("tls");
        // TCP_NODELAY as any tuned client sets it: with hyper-util's default
        // (Nagle on) each call waits out a delayed ACK, about 40 ms here, and
        // the comparison would measure that instead of the client.
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        HyperClient::builder(TokioExecutor::new()).build(https)
    }

    fn ours_blocking(&self) -> rescue_sso_blocking::Client {
        rescue_sso_blocking::Client::builder()
            .endpoint(self.endpoint.clone())
            .roots(Roots::ExtraOnly)
            .add_root_pem(&self.ca_pem)
            .proxy(ProxySettings::none())
            .max_idle_per_host(64)
            .build()
            .expect("client")
    }

    fn ureq(&self) -> ureq::Agent {
        let cert = ureq::tls::Certificate::from_pem(self.ca_pem.as_bytes()).expect("ca");
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
            .build();
        ureq::Agent::config_builder()
            .tls_config(tls)
            .max_redirects(0)
            .max_idle_connections_per_host(64)
            .build()
            .into()
    }
}

/// The identical request, as hyper wants it.
fn raw_request(endpoint: &Endpoint) -> Request<Full<Bytes>> {
    op().encode(endpoint, RequestMethod::Post)
        .expect("encode")
        .into_http()
        .map(|body| Full::new(body.into_bytes()))
}

async fn raw_call(client: &RawClient, endpoint: &Endpoint) -> Bytes {
    let response = client
        .request(raw_request(endpoint))
        .await
        .expect("response");
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

fn ureq_call(agent: &ureq::Agent, endpoint: &Endpoint) -> Vec<u8> {
    let request = op()
        .encode(endpoint, RequestMethod::Post)
        .expect("encode")
        .into_http();
    let url = request.uri().to_string();
    let body = request.into_body().into_bytes();
    agent
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", rescue_sso_proto::USER_AGENT_VALUE)
        .send(&body[..])
        .expect("response")
        .into_body()
        .read_to_vec()
        .expect("body")
}

fn async_bench(c: &mut Criterion, setup: &Setup) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ours = setup.ours_async();
    let raw = setup.raw_hyper();
    let op = Arc::new(op());
    let endpoint = setup.endpoint.clone();
    let mut group = c.benchmark_group("async");
    for n in CONCURRENCY {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("rescue-sso-hyper", n), &n, |b, &n| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut set = tokio::task::JoinSet::new();
                    for _ in 0..n {
                        let (ours, op) = (ours.clone(), Arc::clone(&op));
                        set.spawn(async move {
                            ours.dtc_login_ticket(&op).await.map(|t| t.company_id())
                        });
                    }
                    while let Some(done) = set.join_next().await {
                        black_box(done.expect("task").expect("ticket"));
                    }
                })
            })
        });
        group.bench_with_input(BenchmarkId::new("raw-hyper-util", n), &n, |b, &n| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut set = tokio::task::JoinSet::new();
                    for _ in 0..n {
                        let (raw, endpoint) = (raw.clone(), endpoint.clone());
                        set.spawn(async move { raw_call(&raw, &endpoint).await });
                    }
                    while let Some(done) = set.join_next().await {
                        black_box(done.expect("task"));
                    }
                })
            })
        });
        // The same reference with the one thing a production caller must add:
        // a deadline over the call, as ours has.
        group.bench_with_input(
            BenchmarkId::new("raw-hyper-util+deadline", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    runtime.block_on(async {
                        let mut set = tokio::task::JoinSet::new();
                        for _ in 0..n {
                            let (raw, endpoint) = (raw.clone(), endpoint.clone());
                            set.spawn(async move {
                                tokio::time::timeout(
                                    Duration::from_secs(30),
                                    raw_call(&raw, &endpoint),
                                )
                                .await
                                .expect("in time")
                            });
                        }
                        while let Some(done) = set.join_next().await {
                            black_box(done.expect("task"));
                        }
                    })
                })
            },
        );
    }
    group.finish();
}

/// `iters` calls spread over `threads` threads; the time they took.
fn threaded(threads: usize, iters: u64, call: &(dyn Fn() + Sync)) -> Duration {
    let per_thread = iters.div_ceil(threads as u64).max(1);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    call();
                }
            });
        }
    });
    // Scale to exactly `iters` calls.
    started
        .elapsed()
        .mul_f64(iters as f64 / (per_thread * threads as u64) as f64)
}

fn blocking_bench(c: &mut Criterion, setup: &Setup) {
    let ours = setup.ours_blocking();
    let agent = setup.ureq();
    let op = op();
    let endpoint = setup.endpoint.clone();
    let mut group = c.benchmark_group("blocking");
    group.throughput(Throughput::Elements(1));
    for n in CONCURRENCY {
        group.bench_with_input(BenchmarkId::new("rescue-sso-blocking", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                threaded(n, iters, &|| {
                    black_box(ours.dtc_login_ticket(&op).expect("ticket"));
                })
            })
        });
        group.bench_with_input(BenchmarkId::new("ureq", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                threaded(n, iters, &|| {
                    black_box(ureq_call(&agent, &endpoint));
                })
            })
        });
    }
    group.finish();
}

/// Connections and TLS handshakes each client makes for 1,000 sequential
/// tickets, each against a fresh emulator.
fn report_reuse() {
    const N: usize = 1000;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let measure = |name: &str, run: &dyn Fn(&Setup)| {
        let setup = Setup::new();
        run(&setup);
        let s = setup.emulator.stats();
        println!(
            "reuse: {name:<20} {N} tickets -> {} connections, {} TLS handshakes",
            s.connections, s.tls_handshakes
        );
    };
    measure("rescue-sso-hyper", &|s| {
        let c = s.ours_async();
        runtime.block_on(async {
            for _ in 0..N {
                c.dtc_login_ticket(&op()).await.expect("ticket");
            }
        });
    });
    measure("raw-hyper-util", &|s| {
        let c = s.raw_hyper();
        runtime.block_on(async {
            for _ in 0..N {
                raw_call(&c, &s.endpoint).await;
            }
        });
    });
    measure("rescue-sso-blocking", &|s| {
        let c = s.ours_blocking();
        for _ in 0..N {
            c.dtc_login_ticket(&op()).expect("ticket");
        }
    });
    measure("ureq", &|s| {
        let a = s.ureq();
        for _ in 0..N {
            ureq_call(&a, &s.endpoint);
        }
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // `cargo bench -- <filter>` and smoke runs skip the slow reuse report
    // unless asked for it.
    if std::env::var_os("RESCUE_SSO_BENCH_REUSE").is_some() {
        report_reuse();
    }
    let setup = Setup::new();
    async_bench(&mut c, &setup);
    blocking_bench(&mut c, &setup);
    c.final_summary();
}
