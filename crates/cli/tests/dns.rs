//! A DNS server that never replies cannot hold `rescue-sso ticket` past its
//! `--timeout`: the call ends on time and so does the process, whichever
//! transport makes it.
//!
//! The command runs in a private mount namespace whose `/etc/resolv.conf`
//! points at a UDP socket of this test's on a loopback address, which reads
//! every query and answers none, so no query leaves the machine. That needs
//! root (CI runs as root); `just e2e` runs it.

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the silent server listens: a loopback address nothing else uses.
const SILENT_DNS: &str = "127.83.0.1:53";

#[test]
#[ignore = "needs root for a private mount namespace and port 53 on loopback; run by `just e2e`"]
fn a_silent_dns_server_ends_at_the_timeout_process_and_all() {
    let dns = UdpSocket::bind(SILENT_DNS).unwrap_or_else(|e| {
        panic!("binding {SILENT_DNS} needs root (run `just e2e` as root, as CI does): {e}")
    });
    dns.set_nonblocking(true).expect("nonblocking");
    let conf = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("silent-resolv-{}.conf", std::process::id()));
    // Long timeouts and retries, as a resolver's defaults can add up to.
    std::fs::write(
        &conf,
        "nameserver 127.83.0.1\noptions timeout:30 attempts:3\n",
    )
    .expect("resolv.conf");

    for transport in ["blocking", "hyper"] {
        let started = Instant::now();
        let out = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount --bind "$0" /etc/resolv.conf && exec "$@""#)
            .arg(&conf)
            .arg(env!("CARGO_BIN_EXE_rescue-sso"))
            .args([
                "ticket",
                "--ssoid",
                "123456",
                "--company-id",
                "654321",
                "--endpoint",
                "https://secure.rescue-sso-test.example",
                "--timeout",
                "2",
                "--transport",
                transport,
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RESCUE_SSO_PASSWORD", "secretPassword")
            .output()
            .expect("unshare runs");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(75), "{transport}: {stderr}");
        assert!(stderr.contains("timed out"), "{transport}: {stderr}");
        assert!(
            took < Duration::from_secs(5),
            "{transport}: the process took {took:?}"
        );
        // The lookup did go to the silent server: the test exercised it.
        let mut queries = 0;
        let mut buf = [0u8; 512];
        while dns.recv_from(&mut buf).is_ok() {
            queries += 1;
        }
        assert!(
            queries > 0,
            "{transport}: no query reached the silent server"
        );
    }
}
