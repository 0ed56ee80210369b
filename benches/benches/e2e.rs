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
use rescue_sso_benches::clients::{Clients, op, raw_call, ureq_call};
use rescue_sso_emulator::{BackgroundEmulator, Emulator};
use rescue_sso_proto::Endpoint;

const CONCURRENCY: [usize; 3] = [1, 16, 64];

/// The emulator in this process, and the clients aimed at it.
struct Setup {
    emulator: BackgroundEmulator,
    clients: Clients,
    endpoint: Endpoint,
}

impl Setup {
    fn new() -> Setup {
        let emulator = Emulator::builder().start_background().expect("emulator");
        let endpoint: Endpoint = emulator.base_url().parse().expect("endpoint");
        let ca_pem = emulator.ca_pem().expect("tls").to_owned();
        Setup {
            emulator,
            clients: Clients::new(endpoint.clone(), ca_pem),
            endpoint,
        }
    }
}

impl std::ops::Deref for Setup {
    type Target = Clients;

    fn deref(&self) -> &Clients {
        &self.clients
    }
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
