//! `rescue-sso authcode` as scripts use it: the code alone (or JSON) on
//! stdout, and an exit code for every outcome, through both transports,
//! against the emulator over real TLS.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use rescue_sso_emulator::{AuthCodeFormat, BackgroundEmulator, Company, Emulator, Fault};

const TRANSPORTS: [&str; 2] = ["hyper", "blocking"];

struct Env {
    emulator: BackgroundEmulator,
    ca_file: PathBuf,
}

fn env(format: AuthCodeFormat) -> Env {
    static N: AtomicUsize = AtomicUsize::new(0);
    let emulator = Emulator::builder()
        .company(Company::default())
        .auth_code_format(format)
        .start_background()
        .expect("emulator");
    let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "authcode-ca-{}-{}.pem",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&ca_file, emulator.ca_pem().expect("tls")).expect("write ca");
    Env { emulator, ca_file }
}

impl Env {
    fn authcode(&self, transport: &str) -> Command {
        let mut cmd = Command::cargo_bin("rescue-sso").expect("binary");
        cmd.env_clear()
            .env("RESCUE_SSO_PASSWORD", "secretPassword")
            .env("RESCUE_SSO_ID", "123456")
            .env("RESCUE_COMPANY_ID", "654321")
            .env("RESCUE_SSO_ENDPOINT", self.emulator.base_url())
            .arg("authcode")
            .arg("--ca-file")
            .arg(&self.ca_file)
            .args(["--transport", transport]);
        cmd
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

/// The exit code, one `error: …` line on stderr, nothing on stdout.
fn fails(out: &std::process::Output, code: i32) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(out.stdout.is_empty());
    err
}

#[test]
fn prints_the_code_alone_in_every_spelling_by_post_and_get() {
    for format in [
        AuthCodeFormat::Documented,
        AuthCodeFormat::LineFeed,
        AuthCodeFormat::CrLf,
        AuthCodeFormat::NoSpace,
    ] {
        let env = env(format);
        for transport in TRANSPORTS {
            for method in ["post", "get"] {
                let out = env
                    .authcode(transport)
                    .args(["--method", method])
                    .output()
                    .expect("run");
                assert!(out.status.success(), "{}", text(&out.stderr));
                let stdout = text(&out.stdout);
                let code = stdout.strip_suffix('\n').expect("one line");
                assert_eq!(code.len(), 80, "{format:?} {transport} {method}");
                assert!(env.emulator.auth_code_valid(code), "the latest code");
                assert!(out.stderr.is_empty());
            }
        }
    }
}

#[test]
fn json_on_success_and_failure() {
    let env = env(AuthCodeFormat::Documented);
    for transport in TRANSPORTS {
        let out = env
            .authcode(transport)
            .args(["--format", "json"])
            .output()
            .expect("run");
        assert!(out.status.success());
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let code = value["authcode"].as_str().expect("authcode");
        assert!(env.emulator.auth_code_valid(code));
        assert_eq!(value.as_object().expect("object").len(), 1);

        let out = env
            .authcode(transport)
            .args(["--format", "json"])
            .env("RESCUE_SSO_PASSWORD", "wrong")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(77));
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(value["error"]["kind"], "invalid");
    }
}

#[test]
fn each_refusal_has_its_exit_code() {
    let env = env(AuthCodeFormat::Documented);
    for transport in TRANSPORTS {
        let out = env
            .authcode(transport)
            .env("RESCUE_SSO_PASSWORD", "wrong")
            .output()
            .expect("run");
        let err = fails(&out, 77);
        assert!(!err.contains("wrong"), "{err}");
        let out = env
            .authcode(transport)
            .env("RESCUE_SSO_ID", "999999")
            .output()
            .expect("run");
        fails(&out, 77);

        env.emulator
            .faults()
            .push_next(Fault::Answer("INVALIDPARAM_COMPANY".to_owned()));
        fails(&env.authcode(transport).output().expect("run"), 78);

        env.emulator
            .faults()
            .push_next(Fault::Answer("ERROR".to_owned()));
        let err = fails(&env.authcode(transport).output().expect("run"), 75);
        assert!(err.contains("try again later"), "{err}");
    }
}

#[test]
fn anything_that_is_not_a_code_is_76_and_never_shown() {
    let env = env(AuthCodeFormat::Documented);
    let almost = "OK AUTHCODE: 4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi-4ahx99bpmn1t8rzq5yk3";
    for transport in TRANSPORTS {
        for body in [almost, "OK", "Maintenance tonight"] {
            env.emulator
                .faults()
                .push_next(Fault::Answer(body.to_owned()));
            let err = fails(&env.authcode(transport).output().expect("run"), 76);
            assert!(!err.contains("4ahx99bp"), "{err}");
        }
        env.emulator.faults().push_next(Fault::ServerError);
        fails(&env.authcode(transport).output().expect("run"), 76);
    }
}

#[test]
fn the_transport_failures_keep_ticket_codes() {
    let env = env(AuthCodeFormat::Documented);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    for transport in TRANSPORTS {
        let out = env
            .authcode(transport)
            .args(["--endpoint", &format!("https://127.0.0.1:{port}")])
            .output()
            .expect("run");
        fails(&out, 69);
        env.emulator.faults().push_next(Fault::Stall);
        let out = env
            .authcode(transport)
            .args(["--timeout", "0.5"])
            .output()
            .expect("run");
        fails(&out, 75);
    }
    // Usage: no password source, a bad company id.
    let out = env
        .authcode("hyper")
        .env_remove("RESCUE_SSO_PASSWORD")
        .output()
        .expect("run");
    fails(&out, 2);
    let out = env
        .authcode("hyper")
        .args(["--company-id", "12a"])
        .output()
        .expect("run");
    fails(&out, 2);
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .args(["authcode", "--help"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in [
        "77  Rescue answered INVALID ",
        "78  Rescue answered INVALIDPARAM_COMPANY",
        "75  the call timed out, or Rescue answered ERROR",
        "--format",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
