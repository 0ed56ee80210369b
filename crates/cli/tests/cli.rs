//! The `rescue-sso` binary as scripts use it: its output and exit codes,
//! against the emulator over real TLS.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use rescue_sso_emulator::{Company, Emulator, EmulatorBuilder, Fault};

const SPECIAL: &str = "p&=+%# ü🔑 x";

mod common;

use common::{Env, assert_fails, stderr, stdout};

fn env() -> Env {
    env_with(|b| b)
}

fn env_with(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Env {
    Env::start(configure(
        Emulator::builder()
            .company(Company::default())
            .company(Company::new("777", SPECIAL).technician("tech@example.com")),
    ))
}

impl Env {
    /// `rescue-sso ticket` aimed at this emulator, with no ambient settings.
    fn ticket(&self) -> Command {
        self.command("ticket")
    }
}

#[test]
fn prints_one_validated_url_with_each_transport_and_method() {
    let env = env();
    for transport in ["hyper", "blocking"] {
        for method in ["post", "get"] {
            let out = env
                .ticket()
                .args(["--transport", transport, "--method", method])
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{transport} {method}: {}",
                stderr(&out)
            );
            let text = stdout(&out);
            assert_eq!(text.lines().count(), 1);
            assert!(text.ends_with('\n'));
            let url = text.trim_end();
            assert!(
                url.starts_with(&format!(
                    "{}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=",
                    env.emulator.base_url()
                )),
                "{url}"
            );
            assert!(!url.contains("arch="));
            assert!(stderr(&out).is_empty());
        }
    }
    let seen = env.emulator.requests();
    assert_eq!(
        seen.iter().filter(|r| r.password_in_url).count(),
        2,
        "only the GETs"
    );
}

#[test]
fn arch_64_and_the_web_console() {
    let env = env();
    let out = env.ticket().args(["--arch", "64"]).output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).trim_end().ends_with("&arch=64"));

    let out = env
        .ticket()
        .args(["--console", "web"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!(
        "{}/SSO/Login.aspx?Ticket=",
        env.emulator.base_url()
    )));
}

#[test]
fn json_output_on_success_and_failure() {
    let env = env();
    let out = env
        .ticket()
        .args(["--format", "json", "--arch", "64"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["company_id"], 654_321);
    assert_eq!(v["arch"], "64");
    let url = v["url"].as_str().expect("url");
    let ticket = v["ticket"].as_str().expect("ticket");
    assert!(url.contains(ticket) && ticket.len() == 36);

    let out = env
        .ticket()
        .env("RESCUE_SSO_PASSWORD", "wrong")
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_fails(&out, 77);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["error"]["kind"], "invalid_password");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[test]
fn password_from_stdin_with_special_characters() {
    let env = env();
    let out = env
        .ticket()
        .env_remove("RESCUE_SSO_PASSWORD")
        .args([
            "--ssoid",
            "tech@example.com",
            "--company-id",
            "777",
            "--password-stdin",
        ])
        .write_stdin(format!("{SPECIAL}\r\nignored second line\n"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("companyid=777&ticket="));

    // Same through the environment and the blocking adapter, by GET.
    let out = env
        .ticket()
        .env("RESCUE_SSO_PASSWORD", SPECIAL)
        .args(["--ssoid", "tech@example.com", "--company-id", "777"])
        .args(["--transport", "blocking", "--method", "get"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn rescue_refusals_have_their_own_exit_codes() {
    let env = env();
    let out = env
        .ticket()
        .env("RESCUE_SSO_PASSWORD", "nope")
        .output()
        .expect("run");
    let err = assert_fails(&out, 77);
    assert!(
        err.contains("invalid sso id or master sso password"),
        "{err}"
    );
    assert!(!err.contains("nope"));

    let out = env
        .ticket()
        .args(["--company-id", "111"])
        .output()
        .expect("run");
    assert_fails(&out, 78);

    env.emulator.faults().push_next(Fault::Custom {
        status: 200,
        body: "MISSINGPARAMETERS".into(),
        content_type: None,
    });
    let out = env.ticket().output().expect("run");
    assert_fails(&out, 65);
}

#[test]
fn anything_else_that_is_not_a_ticket_is_76() {
    let env = env();
    for fault in [
        Fault::Custom {
            status: 200,
            body: "INVALIDSSOID".into(),
            content_type: None,
        },
        Fault::Custom {
            status: 200,
            body: "<html>proxy</html>".into(),
            content_type: None,
        },
        Fault::Custom {
            status: 302,
            body: "".into(),
            content_type: None,
        },
        Fault::ServerError,
    ] {
        for transport in ["hyper", "blocking"] {
            env.emulator.faults().push_next(fault.clone());
            let out = env
                .ticket()
                .args(["--transport", transport])
                .output()
                .expect("run");
            assert_fails(&out, 76);
        }
    }
}

#[test]
fn unreachable_and_untrusted_are_69_and_timeouts_75() {
    let env = env();
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    for transport in ["hyper", "blocking"] {
        let out = env
            .ticket()
            .args(["--endpoint", &format!("https://127.0.0.1:{port}")])
            .args(["--transport", transport])
            .output()
            .expect("run");
        assert_fails(&out, 69);
    }

    // Without --ca-file the emulator's fresh CA is not trusted.
    let mut cmd = Command::cargo_bin("rescue-sso").expect("binary");
    let out = cmd
        .env_clear()
        .env("RESCUE_SSO_PASSWORD", "secretPassword")
        .args(["ticket", "--ssoid", "123456", "--company-id", "654321"])
        .args(["--endpoint", &env.emulator.base_url()])
        .output()
        .expect("run");
    assert_fails(&out, 69);

    for transport in ["hyper", "blocking"] {
        env.emulator.faults().push_next(Fault::Stall);
        let out = env
            .ticket()
            .args(["--timeout", "0.5", "--transport", transport])
            .output()
            .expect("run");
        assert_fails(&out, 75);
    }
}

/// Anything on the command line is visible to every user of the machine
/// (`ps`, `/proc/PID/cmdline`) and lands in shell history: no option takes
/// the master SSO password, only stdin, a file descriptor's worth of
/// environment, or a credential file.
#[test]
fn no_option_takes_the_password_on_the_command_line() {
    let env = env();
    for subcommand in ["ticket", "authcode"] {
        for args in [
            &["--password", "secretPassword"][..],
            &["--password=secretPassword"],
            &["-p", "secretPassword"],
            &["--pwd", "secretPassword"],
        ] {
            let out = env
                .command(subcommand)
                .env_remove("RESCUE_SSO_PASSWORD")
                .args(args)
                .write_stdin("")
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(2), "{subcommand} {args:?}");
            assert!(out.stdout.is_empty(), "{subcommand} {args:?}");
        }
        let out = Command::cargo_bin("rescue-sso")
            .expect("binary")
            .args([subcommand, "--help"])
            .output()
            .expect("run");
        let help = stdout(&out);
        let words: Vec<&str> = help.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0].starts_with('-') && pair[0].to_ascii_lowercase().contains("pass") {
                assert_eq!(pair[0], "--password-stdin", "{subcommand}: {help}");
                assert!(!pair[1].starts_with('<'), "{subcommand}: {help}");
            }
        }
        assert!(help.contains("--password-stdin"), "{help}");
    }
}

/// README: `--timeout` is more than 0 and at most 86400 seconds.
#[test]
fn the_timeout_is_more_than_0_and_at_most_a_day() {
    let env = env();
    for bad in ["0", "-1", "86401", "nan", "inf"] {
        let out = env
            .ticket()
            .arg(format!("--timeout={bad}"))
            .output()
            .expect("run");
        let err = assert_fails(&out, 2);
        assert!(err.contains("--timeout"), "{bad}: {err}");
    }
    for good in ["0.5", "86400"] {
        let out = env
            .ticket()
            .args(["--timeout", good])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{good}: {}", stderr(&out));
    }
}

/// README: the emulator's `--ticket-ttl` defaults to 300 seconds.
#[test]
fn the_emulators_ticket_lifetime_defaults_to_300_seconds() {
    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .args(["emulator", "--help"])
        .output()
        .expect("run");
    let help = stdout(&out);
    let line = help
        .lines()
        .skip_while(|l| !l.contains("--ticket-ttl"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(line.contains("[default: 300]"), "{help}");
}

#[test]
fn usage_errors_are_2() {
    let env = env();
    let out = env.ticket().args(["--arch", "32"]).output().expect("run");
    assert_fails(&out, 2);
    let out = env
        .ticket()
        .args(["--endpoint", "http://example.com"])
        .output()
        .expect("run");
    assert_fails(&out, 2);
    let out = env
        .ticket()
        .env_remove("RESCUE_SSO_PASSWORD")
        .write_stdin("")
        .output()
        .expect("run");
    let err = assert_fails(&out, 2);
    assert!(err.contains("no password source"), "{err}");
    let err = assert_fails(
        &env.ticket()
            .args(["--company-id", "12a"])
            .output()
            .expect("run"),
        2,
    );
    assert!(err.contains("--company-id"), "{err}");

    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .env_clear()
        .args(["ticket", "--company-id", "1"])
        .output()
        .expect("run");
    let err = assert_fails(&out, 2);
    assert!(err.contains("--ssoid"), "{err}");
}

#[cfg(unix)]
#[test]
fn emulator_command_serves_until_sigterm() {
    let ca = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cmd-ca-{}.pem", std::process::id()));
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("rescue-sso"))
        .args([
            "emulator",
            "--company",
            "42:pa:ss:alice,bob",
            "--ticket-ttl",
            "60",
        ])
        .arg("--ca-out")
        .arg(&ca)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let base = first
        .trim_end()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");

    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .env_clear()
        .env("RESCUE_SSO_PASSWORD", "pa:ss")
        .args([
            "ticket",
            "--ssoid",
            "bob",
            "--company-id",
            "42",
            "--endpoint",
            &base,
        ])
        .arg("--ca-file")
        .arg(&ca)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));

    let killed = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn demo_runs_every_step() {
    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .env_clear()
        .arg("demo")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("behaved as expected"), "{text}");
    assert!(text.contains("refused: INVALIDPASSWORD"));
    assert!(text.contains("refused: INVALIDCOMPANYID"));
    assert!(text.contains("410"));
    // Even the demo's tickets are printed redacted.
    assert!(text.contains("ticket=[redacted]"));
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::cargo_bin("rescue-sso")
        .expect("binary")
        .args(["ticket", "--help"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "--password-stdin",
        "RESCUE_SSO_PASSWORD",
        "77",
        "78",
        "65",
        "76",
        "69",
        "75",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

#[cfg(unix)]
#[test]
fn open_hands_the_url_to_the_desktop_opener() {
    use std::os::unix::fs::PermissionsExt;
    let env = env();
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("opener-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let opened = dir.join("opened");
    let opener = dir.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .expect("script");
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let out = env
        .ticket()
        .env("PATH", &dir)
        .arg("--open")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let handed = std::fs::read_to_string(&opened).expect("the opener ran");
    assert_eq!(handed, printed.trim_end());

    // No opener at all: the URL is still printed, with a warning, exit 0.
    std::fs::remove_file(&opener).expect("rm");
    let out = env
        .ticket()
        .env("PATH", &dir)
        .arg("--open")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("https://"));
    assert!(stderr(&out).starts_with("warning: could not open a browser"));
}

#[test]
fn a_front_end_echoing_the_password_back_never_prints_it() {
    // An all-capitals password, echoed as a one-word answer, and echoed in
    // a page in several spellings: neither the error line nor the JSON
    // carries it.
    let env = env();
    for body in [
        "ACMESSO2024",
        "<html>you sent Password=acmesso2024 &#65;CMESSO2024 ACME%53SO2024</html>",
    ] {
        for transport in ["blocking", "hyper"] {
            env.emulator.faults().push_next(Fault::Custom {
                status: 200,
                body: body.into(),
                content_type: None,
            });
            let out = env
                .ticket()
                .env("RESCUE_SSO_PASSWORD", "ACMESSO2024")
                .args(["--transport", transport, "--format", "json"])
                .output()
                .expect("run");
            let err = assert_fails(&out, 76);
            for text in [err, stdout(&out)] {
                assert!(
                    !text.to_ascii_uppercase().contains("ACMESSO2024"),
                    "{transport}: {text}"
                );
                assert!(!text.contains("ACME%53SO"), "{transport}: {text}");
            }
        }
    }
}
