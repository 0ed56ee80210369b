//! What the command-line tests share: an emulator over real TLS with its CA
//! in a file, the binary aimed at it with no ambient settings, and the shape
//! of a failure.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use rescue_sso_emulator::{BackgroundEmulator, EmulatorBuilder};

pub(crate) struct Env {
    pub(crate) emulator: BackgroundEmulator,
    pub(crate) ca_file: PathBuf,
}

impl Env {
    /// Starts `builder`'s emulator and writes its CA to a file of its own.
    pub(crate) fn start(builder: EmulatorBuilder) -> Env {
        static N: AtomicUsize = AtomicUsize::new(0);
        let emulator = builder.start_background().expect("emulator");
        let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "ca-{}-{}.pem",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&ca_file, emulator.ca_pem().expect("tls emulator")).expect("write ca");
        Env { emulator, ca_file }
    }

    /// `rescue-sso <subcommand>` aimed at this emulator. Identity and
    /// endpoint come from the environment, so a test can override any of
    /// them with the option, which wins.
    pub(crate) fn command(&self, subcommand: &str) -> Command {
        let mut cmd = Command::cargo_bin("rescue-sso").expect("binary");
        cmd.env_clear()
            .env("RESCUE_SSO_PASSWORD", "secretPassword")
            .env("RESCUE_SSO_ID", "123456")
            .env("RESCUE_COMPANY_ID", "654321")
            .env("RESCUE_SSO_ENDPOINT", self.emulator.base_url())
            .arg(subcommand)
            .arg("--ca-file")
            .arg(&self.ca_file);
        cmd
    }
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

/// Exactly one `error: …` line on stderr, and the exit code.
pub(crate) fn assert_fails(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}
