//! Tickets per second of one client at one concurrency, against a server in
//! another process, for `benches/ab.sh`, which runs ours and the reference
//! alternately and compares them.
//!
//! `throughput <client> <base-url> <ca.pem> <concurrency> <tickets>`, client
//! one of `rescue-sso-hyper`, `raw-hyper-util` (async: that many tasks on one
//! thread), `rescue-sso-blocking`, `ureq` (that many threads). Prints
//! `tickets_per_second=<n>`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rescue_sso_benches::clients::{Clients, op, raw_call, ureq_call};
use rescue_sso_proto::Endpoint;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, client, url, ca, concurrency, tickets] = args.as_slice() else {
        eprintln!("usage: throughput <client> <base-url> <ca.pem> <concurrency> <tickets>");
        std::process::exit(2);
    };
    let concurrency: usize = concurrency.parse().expect("concurrency");
    let tickets: usize = tickets.parse().expect("tickets");
    let endpoint: Endpoint = url.parse().expect("endpoint");
    let clients = Clients::new(endpoint.clone(), std::fs::read_to_string(ca).expect("ca"));
    // One thread for the async clients, as the client gets one core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let left = Arc::new(AtomicUsize::new(tickets));
    let take = |left: &AtomicUsize| {
        left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    };
    let elapsed = match client.as_str() {
        "rescue-sso-hyper" => {
            let c = clients.ours_async();
            let op = Arc::new(op());
            // Warm: the connection and its handshake are not measured.
            runtime.block_on(async { c.dtc_login_ticket(&op).await.expect("ticket") });
            let started = Instant::now();
            runtime.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..concurrency {
                    let (c, op, left) = (c.clone(), Arc::clone(&op), Arc::clone(&left));
                    set.spawn(async move {
                        while take(&left) {
                            black_box(c.dtc_login_ticket(&op).await.expect("ticket"));
                        }
                    });
                }
                while let Some(done) = set.join_next().await {
                    done.expect("task");
                }
            });
            started.elapsed()
        }
        "raw-hyper-util" => {
            let c = clients.raw_hyper();
            runtime.block_on(raw_call(&c, &endpoint));
            let started = Instant::now();
            runtime.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..concurrency {
                    let (c, endpoint, left) = (c.clone(), endpoint.clone(), Arc::clone(&left));
                    set.spawn(async move {
                        while take(&left) {
                            black_box(raw_call(&c, &endpoint).await);
                        }
                    });
                }
                while let Some(done) = set.join_next().await {
                    done.expect("task");
                }
            });
            started.elapsed()
        }
        "rescue-sso-blocking" => {
            let c = clients.ours_blocking();
            let op = op();
            c.dtc_login_ticket(&op).expect("ticket");
            let started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..concurrency {
                    s.spawn(|| {
                        while take(&left) {
                            black_box(c.dtc_login_ticket(&op).expect("ticket"));
                        }
                    });
                }
            });
            started.elapsed()
        }
        "ureq" => {
            let agent = clients.ureq();
            ureq_call(&agent, &endpoint);
            let started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..concurrency {
                    s.spawn(|| {
                        while take(&left) {
                            black_box(ureq_call(&agent, &endpoint));
                        }
                    });
                }
            });
            started.elapsed()
        }
        other => {
            eprintln!("unknown client {other:?}");
            std::process::exit(2);
        }
    };
    println!(
        "tickets_per_second={:.0}",
        tickets as f64 / elapsed.as_secs_f64()
    );
}
