//! `rescue-sso gateway` as an operator runs it: checking a configuration,
//! serving, shutting down on SIGTERM without dropping a launch, the demo.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use rescue_sso_emulator::{BackgroundEmulator, Company, Emulator, Fault};

const PASSWORD: &str = "Cli-Gateway-Pa55";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("gateway-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn gateway() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rescue-sso"));
    cmd.env_clear().arg("gateway");
    cmd
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/gateway.example.toml")
}

#[test]
fn check_config_prints_the_effective_settings_without_secrets() {
    let out = gateway()
        .env("RESCUE_SSO_PASSWORD", PASSWORD)
        .args(["--check-config", "--config"])
        .arg(example())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let shown = String::from_utf8(out.stdout).expect("utf-8");
    assert!(shown.contains("company_id = \"654321\""), "{shown}");
    assert!(
        shown.contains("[redacted], from RESCUE_SSO_PASSWORD"),
        "{shown}"
    );
    assert!(!shown.contains(PASSWORD));
}

/// Every `toml` block of docs/gateway.md, as an operator would check it:
/// files in a folder standing for `/etc/rescue-sso`, and the secrets given as
/// systemd credentials where the example leaves them out.
#[test]
fn every_documented_configuration_passes_check_config() {
    let doc = include_str!("../../../docs/gateway.md");
    let dir = scratch("documented");
    let credentials = dir.join("credentials");
    std::fs::create_dir_all(&credentials).expect("dir");
    for (name, content) in [
        ("password", &b"from-a-file\n"[..]),
        ("client-secret", b"a-client-secret\n"),
        ("cookie-key", &[7u8; 32]),
        ("technicians.csv", b"alice,alice.tech\n"),
    ] {
        std::fs::write(dir.join(name), content).expect("write");
    }
    std::fs::write(credentials.join("rescue-sso-password"), "from-systemd\n").expect("write");
    let mut checked = 0;
    for (i, block) in doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .enumerate()
    {
        let file = dir.join(format!("example-{i}.toml"));
        std::fs::write(
            &file,
            block.replace("/etc/rescue-sso/", &format!("{}/", dir.display())),
        )
        .expect("write");
        let out = gateway()
            .env("CREDENTIALS_DIRECTORY", &credentials)
            .args(["--check-config", "--config"])
            .arg(&file)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{block}\n{out:?}");
        let shown = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            !shown.contains("a-client-secret") && !shown.contains("from-"),
            "{shown}"
        );
        checked += 1;
    }
    assert!(
        checked >= 7,
        "the proxy examples and the three providers: {checked}"
    );
}

#[test]
fn an_invalid_configuration_is_78_with_the_reason() {
    let dir = scratch("invalid");
    let file = dir.join("gateway.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:8080\"\npublic_url = \"https://gw.example\"\n[rescue]\ncompany_id = \"1\"\n[identity]\nmode = \"trusted-header\"\ntrusted_proxies = [\"0.0.0.0/0\"]\n",
    )
    .expect("write");
    for args in [&["--check-config"][..], &[]] {
        let out = gateway()
            .env("RESCUE_SSO_PASSWORD", PASSWORD)
            .args(args)
            .arg("--config")
            .arg(&file)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(78), "{out:?}");
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert!(
            err.starts_with("error: identity.trusted_proxies: 0.0.0.0/0 trusts every address"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1);
    }
    let missing = gateway()
        .args(["--config", "/nonexistent/gateway.toml"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(78));
}

/// A key file on this machine that cannot be used is the configuration's
/// fault, as a password file would be: 78, naming the key. (69 is for keys
/// that could not be fetched from a URL.)
#[test]
fn an_unusable_jwks_file_is_78_naming_the_key() {
    let dir = scratch("jwks-file");
    std::fs::write(dir.join("not-json"), "this is not a key set").expect("write");
    std::fs::write(dir.join("no-key"), r#"{"keys": []}"#).expect("write");
    // --check-config says so too: a pipeline that gates a deployment on it
    // must not ship a gateway that will not start.
    for (jwks, check) in [
        ("/nonexistent/jwks.json", false),
        ("not-json", false),
        ("no-key", false),
        ("/nonexistent/jwks.json", true),
        ("not-json", true),
        ("no-key", true),
    ] {
        let file = dir.join("gateway.toml");
        std::fs::write(
            &file,
            format!(
                "listen = \"127.0.0.1:0\"\n[rescue]\ncompany_id = \"1\"\n[identity]\nmode = \"jwt-assertion\"\nheader = \"X-Jwt\"\njwks_file = \"{jwks}\"\nalgorithm = \"ES256\"\nissuer = \"https://idp.example\"\naudience = \"gateway\"\n"
            ),
        )
        .expect("write");
        let mut command = gateway();
        command
            .env("RESCUE_SSO_PASSWORD", PASSWORD)
            .arg("--config")
            .arg(&file);
        if check {
            command.arg("--check-config");
        }
        let out = command.output().expect("run");
        assert_eq!(out.status.code(), Some(78), "{jwks} {check}: {out:?}");
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert!(err.starts_with("error: identity.jwks_file: "), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// A running `rescue-sso gateway`, its URL read from its first line.
struct Running {
    child: Child,
    url: String,
    stdout: BufReader<ChildStdout>,
}

impl Running {
    fn start(config: &Path) -> Running {
        Running::start_with(config, &[])
    }

    fn start_with(config: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Running {
        let mut command = gateway();
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .arg("--config")
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {line:?}"))
            .to_owned();
        Running { child, url, stdout }
    }

    fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection; the status and the head.
fn request(addr: &str, raw: &str) -> (u16, String) {
    let mut tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    tcp.write_all(raw.as_bytes()).expect("write");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn launch(addr: &str, user: &str) -> (u16, String) {
    let body = "console=dtc";
    request(
        addr,
        &format!(
            "POST /launch HTTP/1.1\r\nhost: {addr}\r\nremote-user: {user}\r\norigin: http://{addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn config_for(emulator: &BackgroundEmulator, dir: &Path) -> PathBuf {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, emulator.ca_pem().expect("tls")).expect("ca");
    let password = dir.join("password");
    std::fs::write(&password, PASSWORD).expect("password");
    let file = dir.join("gateway.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:0\"\n[rescue]\nendpoint = \"{}\"\ncompany_id = \"654321\"\npassword_file = \"password\"\nca_file = \"ca.pem\"\n[identity]\nmode = \"trusted-header\"\ntrusted_proxies = [\"127.0.0.1/32\"]\n",
            emulator.base_url()
        ),
    )
    .expect("config");
    file
}

#[test]
fn sigterm_lets_a_slow_launch_finish_then_exits_0() {
    let emulator = Emulator::builder()
        .company(Company::new("654321", PASSWORD).technician("123456"))
        .start_background()
        .expect("emulator");
    let dir = scratch("sigterm");
    let mut gw = Running::start(&config_for(&emulator, &dir));
    emulator
        .faults()
        .push_next(Fault::Delay(Duration::from_secs(2)));
    let addr = gw.addr();
    let slow = std::thread::spawn(move || launch(&addr, "123456"));
    // Once Rescue has the request, the launch is in flight.
    assert!(emulator.wait_for_requests(1, Duration::from_secs(10)));
    gw.terminate();
    let (status, head) = slow.join().expect("client");
    assert_eq!(status, 303, "{head}");
    assert!(
        head.contains(&format!("location: {}/TechConsole/", emulator.base_url())),
        "{head}"
    );
    let exit = gw.child.wait().expect("wait");
    assert_eq!(exit.code(), Some(0));
    // Its audit line went out before it stopped.
    let mut rest = String::new();
    gw.stdout.read_to_string(&mut rest).expect("stdout");
    assert!(rest.contains("\"outcome\":\"ok\""), "{rest}");
    assert!(!rest.contains(PASSWORD));
    // And new connections are no longer served.
    assert!(TcpStream::connect(gw.addr()).is_err());
}

/// `Type=notify` in deploy/rescue-sso-gateway.service: systemd hears
/// `READY=1` once the listener accepts connections, and `STOPPING=1` on
/// SIGTERM.
#[cfg(unix)]
#[test]
fn systemd_is_told_when_the_gateway_is_ready_and_when_it_stops() {
    use std::os::unix::net::UnixDatagram;
    let emulator = Emulator::builder()
        .company(Company::new("654321", PASSWORD).technician("123456"))
        .start_background()
        .expect("emulator");
    let dir = scratch("notify");
    let socket_path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut gw = Running::start_with(
        &config_for(&emulator, &dir),
        &[("NOTIFY_SOCKET", socket_path.as_os_str())],
    );
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).expect("READY=1");
    assert_eq!(&buf[..n], b"READY=1\n");
    // Ready means serving.
    assert_eq!(
        request(
            &gw.addr(),
            "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .0,
        200
    );
    gw.terminate();
    let n = socket.recv(&mut buf).expect("STOPPING=1");
    assert_eq!(&buf[..n], b"STOPPING=1\n");
    assert_eq!(gw.child.wait().expect("wait").code(), Some(0));
}

#[test]
fn the_demo_serves_a_launch_with_no_configuration() {
    let mut child = gateway()
        .arg("--demo")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("line");
    let mut second = String::new();
    stdout.read_line(&mut second).expect("line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    assert!(
        second.contains(&format!("open {url}/ in a browser")),
        "{second}"
    );
    let emulator = second
        .split("at the emulator ")
        .nth(1)
        .expect("the emulator's url")
        .trim()
        .to_owned();
    let addr = url.trim_start_matches("http://");
    let (status, page) = request(
        addr,
        &format!("GET / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"),
    );
    assert_eq!(status, 200);
    assert!(page.contains("Signed in as <strong id=\"user\">demo</strong>"));
    let (status, head) = launch(addr, "ignored");
    assert_eq!(status, 303, "{head}");
    assert!(
        head.contains(&format!(
            "location: {emulator}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket="
        )),
        "{head}"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert_eq!(child.wait().expect("wait").code(), Some(0));
}
