//! A whole POST ticket call leaves no unwiped copy of the master SSO
//! password in any memory our crates allocated: every block freed during
//! the call, and every block still allocated at its end, is scanned for it
//! (raw and form-encoded), with the emulator in a child process so that the
//! server's own copies stay out of the scan. Copies that dependencies make
//! are printed, and listed in docs/security.md with why they remain.
//!
//! A test binary of its own (`harness = false`): the scan needs to be the
//! global allocator.

use rescue_sso_hyper::proto::{CompanyId, Endpoint, GetDtcLoginTicket, Password, SsoId};
use rescue_sso_hyper::{Client, ProxySettings, Roots};
use rescue_sso_testkit::child::{ChildEmulator, serve_if_child};
use rescue_sso_testkit::scan::{self, ScanningAlloc};

#[global_allocator]
static ALLOC: ScanningAlloc = ScanningAlloc;

const PASSWORD: &str = "Wipe-Me!Pa55/w0rd";

fn main() {
    serve_if_child();
    let encoded: String = form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect();
    let mut hits = Vec::new();
    // Over HTTP/2 and over HTTP/1.1: each has its own buffers.
    for http1_only in [false, true] {
        let emulator = if http1_only {
            ChildEmulator::start_http1_only(PASSWORD)
        } else {
            ChildEmulator::start(PASSWORD)
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = Client::builder()
            .endpoint(Endpoint::new(&emulator.base_url).expect("endpoint"))
            .roots(Roots::ExtraOnly)
            .add_root_pem(&emulator.ca_pem)
            .proxy(ProxySettings::none())
            .build()
            .expect("client");
        scan::arm(vec![
            PASSWORD.as_bytes().to_vec(),
            encoded.clone().into_bytes(),
        ]);
        runtime.block_on(async {
            let op = GetDtcLoginTicket::new(
                SsoId::new("123456").expect("sso id"),
                CompanyId::new("654321").expect("company id"),
                Password::new(PASSWORD).expect("password"),
            );
            let ticket = client.dtc_login_ticket(&op).await.expect("ticket");
            drop(ticket);
            drop(op);
            drop(client);
        });
        // The connection's tasks, and with them its buffers, go with it.
        drop(runtime);
        hits.extend(scan::disarm());
        drop(emulator);
    }

    let ours: Vec<_> = hits
        .iter()
        .filter(|hit| hit.owner().starts_with("rescue_sso"))
        .collect();
    for hit in &hits {
        println!("wipe: {hit:?}");
    }
    if !ours.is_empty() {
        for hit in &ours {
            eprintln!("unwiped block of ours: {hit:?}\n{}", hit.trace());
        }
        panic!(
            "{} block(s) our crates allocated still held the password",
            ours.len()
        );
    }
    println!(
        "wipe: async POST call (HTTP/2 and HTTP/1.1): no block of ours held the password; {} dependency copies",
        hits.len()
    );
}
