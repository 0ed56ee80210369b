//! `rescue-sso authcode` as scripts use it: the code alone (or JSON) on
//! stdout, and an exit code for every outcome, through both transports,
//! against the emulator over real TLS.

use assert_cmd::Command;
use rescue_sso_emulator::{AuthCodeFormat, Company, Emulator, Fault};

const TRANSPORTS: [&str; 2] = ["hyper", "blocking"];

mod common;

use common::{Env, assert_fails, stderr, stdout};

fn env(format: AuthCodeFormat) -> Env {
    Env::start(
        Emulator::builder()
            .company(Company::default())
            .auth_code_format(format),
    )
}

impl Env {
    fn authcode(&self, transport: &str) -> Command {
        let mut cmd = self.command("authcode");
        cmd.args(["--transport", transport]);
        cmd
    }
}

/// The exit code, one `error: …` line on stderr, nothing on stdout.
fn fails(out: &std::process::Output, code: i32) -> String {
    let err = assert_fails(out, code);
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
                assert!(out.status.success(), "{}", stderr(&out));
                let stdout = stdout(&out);
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

/// Rescue's refusal words mean the same thing whichever call answers them,
/// so `ticket` and `authcode` give each the same exit code, as the README's
/// two tables say; an undocumented word is 76 in both.
#[test]
fn every_refusal_word_has_the_same_exit_code_in_ticket_and_authcode() {
    let env = env(AuthCodeFormat::Documented);
    for subcommand in ["ticket", "authcode"] {
        for transport in TRANSPORTS {
            for (word, code) in [
                ("MISSINGPARAMETERS", 65),
                ("ERROR", 75),
                ("INVALIDSSOID", 76),
                ("INVALIDPASSWORD", 77),
                ("INVALID", 77),
                ("INVALIDCOMPANYID", 78),
                ("INVALIDPARAM_COMPANY", 78),
            ] {
                env.emulator
                    .faults()
                    .push_next(Fault::Answer(word.to_owned()));
                let out = env
                    .command(subcommand)
                    .args(["--transport", transport])
                    .output()
                    .expect("run");
                assert_eq!(
                    out.status.code(),
                    Some(code),
                    "{subcommand} --transport {transport}, {word}: {}",
                    stderr(&out)
                );
                assert!(out.stdout.is_empty());
            }
        }
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
    let help = stdout(&out);
    for needle in [
        "77  Rescue answered INVALID ",
        "78  Rescue answered INVALIDPARAM_COMPANY",
        "75  the call timed out, or Rescue answered ERROR",
        "--format",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
