//! A gateway on loopback in front of the emulator, a client that can pick
//! its source address, and the audit log captured.
#![allow(dead_code)]

pub(crate) mod browser;
pub(crate) mod provider;
pub(crate) mod visitor;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_emulator::{Company, Emulator, EmulatorHandle};
use rescue_sso_gateway::{Config, GatewayBuilder, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) const PASSWORD: &str = "Gw-Secret!pa55 w0rd";

/// A fresh folder for one test's files.
pub(crate) fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rescue-sso-gateway-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The audit log, as the gateway writes it.
#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }

    pub(crate) fn lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a json line"))
            .collect()
    }
}

/// The emulator, the gateway in front of it, and their files.
pub(crate) struct Harness {
    pub(crate) emulator: EmulatorHandle,
    pub(crate) url: String,
    pub(crate) audit: Captured,
    pub(crate) dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// `[rescue]` for the emulator, with the CA and password files in `dir`.
pub(crate) fn rescue_section(emulator: &EmulatorHandle, dir: &Path, timeout: &str) -> String {
    let ca = dir.join("emulator-ca.pem");
    std::fs::write(&ca, emulator.ca_pem().expect("tls emulator")).expect("ca");
    let password = dir.join("password");
    std::fs::write(&password, format!("{PASSWORD}\n")).expect("password");
    format!(
        "[rescue]\nendpoint = \"{}\"\ncompany_id = \"654321\"\npassword_file = \"{}\"\nca_file = \"{}\"\ntimeout = \"{timeout}\"\n",
        emulator.base_url(),
        password.display(),
        ca.display()
    )
}

/// The emulator's company with [`PASSWORD`] and technicians `123456` and
/// `alice`.
pub(crate) async fn emulator() -> EmulatorHandle {
    Emulator::builder()
        .company(
            Company::new("654321", PASSWORD)
                .technician("123456")
                .technician("alice"),
        )
        .start()
        .await
        .expect("emulator")
}

pub(crate) const TRUSTED_HEADER: &str = "[identity]\nmode = \"trusted-header\"\ntrusted_proxies = [\"127.0.0.1/32\"]\ngroups_header = \"Remote-Groups\"\n";

impl Harness {
    /// The gateway on 127.0.0.1 with `rest` after `[rescue]` (an
    /// `[identity]` section and anything more).
    pub(crate) async fn start(rest: &str) -> Harness {
        let emulator = emulator().await;
        Harness::start_with(emulator, "10s", rest).await
    }

    pub(crate) async fn start_with(emulator: EmulatorHandle, timeout: &str, rest: &str) -> Harness {
        let dir = scratch("harness");
        let toml = format!(
            "listen = \"127.0.0.1:0\"\n{}{rest}",
            rescue_section(&emulator, &dir, timeout)
        );
        let config = Config::from_toml(&toml, &dir).expect("config");
        Harness::serve(emulator, config, dir).await
    }

    pub(crate) async fn serve(emulator: EmulatorHandle, config: Config, dir: PathBuf) -> Harness {
        Harness::serve_with(emulator, config, dir, |b| b).await
    }

    /// As [`Harness::serve`], with more builder options.
    pub(crate) async fn serve_with(
        emulator: EmulatorHandle,
        config: Config,
        dir: PathBuf,
        more: impl FnOnce(GatewayBuilder) -> GatewayBuilder,
    ) -> Harness {
        let audit = Captured::default();
        let sink = audit.clone();
        let server = Server::bind_with(config, move |b| more(b.audit_to(sink)))
            .await
            .expect("server");
        let url = server.url().to_owned();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .expect("run");
        });
        Harness {
            emulator,
            url,
            audit,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A request from 127.0.0.1.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        send_from(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            &self.url,
            method,
            path,
            headers,
            body,
        )
        .await
    }

    /// `POST /launch` of `console` from the gateway's own page, as `user`.
    pub(crate) async fn launch(&self, user: &str, console: &str) -> Answer {
        let origin = self.url.clone();
        self.send(
            Method::POST,
            "/launch",
            &[
                ("remote-user", user),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            &format!("console={console}"),
        )
        .await
    }

    /// The metrics text.
    pub(crate) async fn metrics(&self) -> String {
        self.send(Method::GET, "/metrics", &[], "").await.body
    }

    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the gateway answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: hyper::HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A request to `url` whose TCP connection comes from `from`.
pub(crate) async fn send_from(
    from: IpAddr,
    url: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut connector = HttpConnector::new();
    connector.set_local_address(Some(from));
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{url}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    let response = client.request(request).await.expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The value of a counter (or a labelled series of one) in metrics text.
pub(crate) fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}
