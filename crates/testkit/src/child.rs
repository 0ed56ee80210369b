//! The emulator in a child process: this same test binary, started again
//! with an environment variable that makes its `main` serve instead.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

use rescue_sso_emulator::{Company, Emulator};

/// Set in the child's environment to the master SSO password it serves.
pub const CHILD_ENV: &str = "RESCUE_SSO_TESTKIT_EMULATOR_PASSWORD";

/// Set in the child's environment when it must offer HTTP/1.1 only.
const HTTP1_ONLY_ENV: &str = "RESCUE_SSO_TESTKIT_EMULATOR_HTTP1_ONLY";

/// Call first in a `harness = false` test's `main`: if this process is the
/// child, serve the emulator until the parent closes standard input, then
/// exit. Otherwise returns at once.
pub fn serve_if_child() {
    let Some(password) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let password = password.to_string_lossy().into_owned();
    let emulator = Emulator::builder()
        .company(Company::new("654321", &password).technician("123456"))
        .http2(std::env::var_os(HTTP1_ONLY_ENV).is_none())
        .start_background()
        .expect("emulator");
    println!("{}", emulator.base_url());
    println!("{}", emulator.ca_pem().unwrap_or_default().trim_end());
    println!("END");
    // Serve until the parent is done with us.
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {}
    drop(emulator);
    std::process::exit(0);
}

/// The emulator in a child process; it stops when this is dropped.
#[derive(Debug)]
pub struct ChildEmulator {
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    /// The CA to trust.
    pub ca_pem: String,
    child: Child,
    stdin: Option<ChildStdin>,
}

impl ChildEmulator {
    /// Starts this test binary again as an emulator for company `654321`,
    /// SSO ID `123456`, with `password` as the master SSO password,
    /// offering HTTP/2 and HTTP/1.1.
    pub fn start(password: &str) -> ChildEmulator {
        ChildEmulator::spawn(password, false)
    }

    /// As [`ChildEmulator::start`], offering HTTP/1.1 only.
    pub fn start_http1_only(password: &str) -> ChildEmulator {
        ChildEmulator::spawn(password, true)
    }

    fn spawn(password: &str, http1_only: bool) -> ChildEmulator {
        let exe = std::env::current_exe().expect("current exe");
        let mut command = Command::new(exe);
        if http1_only {
            command.env(HTTP1_ONLY_ENV, "1");
        }
        let mut child = command
            .env(CHILD_ENV, password)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("child emulator");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = lines.next().expect("a line").expect("base url");
        let mut ca_pem = String::new();
        for line in lines {
            let line = line.expect("ca line");
            if line == "END" {
                break;
            }
            ca_pem.push_str(&line);
            ca_pem.push('\n');
        }
        ChildEmulator {
            base_url,
            ca_pem,
            child,
            stdin,
        }
    }
}

impl Drop for ChildEmulator {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
