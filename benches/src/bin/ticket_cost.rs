//! What one client spends per ticket on a warm connection, for
//! `benches/ticket-cost.sh`: it makes one ticket (the connection and its
//! handshake), then `N` more, and prints the allocations of those `N`. Run
//! under callgrind at two values of `N`, the difference in instructions is
//! the cost of the extra tickets alone, start-up and handshake cancelled.
//!
//! `ticket-cost <client> <base-url> <ca.pem> <n>`, client one of
//! `rescue-sso-hyper`, `raw-hyper-util`, `rescue-sso-blocking`, `ureq`. The
//! server (the emulator) runs in another process.

use std::hint::black_box;

use rescue_sso_benches::alloc_count::{Counting, count};
use rescue_sso_benches::clients::{Clients, op, raw_call, ureq_call};
use rescue_sso_proto::Endpoint;

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, client, url, ca, n] = args.as_slice() else {
        eprintln!("usage: ticket-cost <client> <base-url> <ca.pem> <n>");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("n");
    let endpoint: Endpoint = url.parse().expect("endpoint");
    let ca_pem = std::fs::read_to_string(ca).expect("ca");
    let clients = Clients::new(endpoint.clone(), ca_pem);
    // One thread for everything: the count is the client's own, and
    // nothing runs beside it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let op = op();
    let ((), allocations) = match client.as_str() {
        "rescue-sso-hyper" => {
            let c = clients.ours_async();
            runtime.block_on(async { c.dtc_login_ticket(&op).await.expect("ticket") });
            count(|| {
                runtime.block_on(async {
                    for _ in 0..n {
                        black_box(c.dtc_login_ticket(&op).await.expect("ticket"));
                    }
                })
            })
        }
        "raw-hyper-util" => {
            let c = clients.raw_hyper();
            runtime.block_on(raw_call(&c, &endpoint));
            count(|| {
                runtime.block_on(async {
                    for _ in 0..n {
                        black_box(raw_call(&c, &endpoint).await);
                    }
                })
            })
        }
        "rescue-sso-blocking" => {
            let c = clients.ours_blocking();
            c.dtc_login_ticket(&op).expect("ticket");
            count(|| {
                for _ in 0..n {
                    black_box(c.dtc_login_ticket(&op).expect("ticket"));
                }
            })
        }
        "ureq" => {
            let agent = clients.ureq();
            ureq_call(&agent, &endpoint);
            count(|| {
                for _ in 0..n {
                    black_box(ureq_call(&agent, &endpoint));
                }
            })
        }
        other => {
            eprintln!("unknown client {other:?}");
            std::process::exit(2);
        }
    };
    println!("client={client} tickets={n} allocations={allocations}");
}
