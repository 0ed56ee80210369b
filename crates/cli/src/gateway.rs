//! `rescue-sso gateway`: the intranet SSO gateway, until a signal.

use std::io::Write;

use rescue_sso_emulator::Emulator;
use rescue_sso_gateway::{Config, Error as GatewayError, Server};
use rescue_sso_proto::{Endpoint, Password};

use crate::args::GatewayArgs;
use crate::emulate::shutdown_signal;
use crate::failure::{self, Failure};

/// EX_OSERR: the listening socket could not be opened.
const OSERR: u8 = 71;

pub(crate) fn run(args: &GatewayArgs) -> Result<(), Failure> {
    if args.demo {
        return demo();
    }
    let path = args
        .config
        .as_deref()
        .ok_or_else(|| Failure::usage("--config FILE or --demo"))?;
    let config =
        Config::load(path).map_err(|e| Failure::from_chain("config", failure::CONFIG, &e))?;
    if args.check_config {
        print!("{config}");
        return std::io::stdout()
            .flush()
            .map_err(|e| failure::software(format!("writing to stdout: {e}")));
    }
    runtime()?.block_on(serve(config))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| failure::software(format!("starting the async runtime: {e}")))
}

async fn serve(config: Config) -> Result<(), Failure> {
    let server = Server::bind(config).await.map_err(start_failure)?;
    // The first line is the contract scripts wait for: printed only once
    // the listener accepts connections.
    say(&format!("listening on {}", server.url()))?;
    // Under systemd with Type=notify: ready now, and stopping once a
    // signal arrives (the launches in flight then finish).
    tell_systemd(Systemd::Ready);
    server
        .run(async {
            shutdown_signal().await;
            tell_systemd(Systemd::Stopping);
        })
        .await
        .map_err(start_failure)
}

enum Systemd {
    Ready,
    Stopping,
}

/// Tells the service manager, if `$NOTIFY_SOCKET` names one; a failure to
/// is logged, never fatal.
#[cfg(unix)]
fn tell_systemd(state: Systemd) {
    use sd_notify::NotifyState;
    let state = match state {
        Systemd::Ready => NotifyState::Ready,
        Systemd::Stopping => NotifyState::Stopping,
    };
    if let Err(err) = sd_notify::notify(&[state]) {
        tracing::warn!(error = %err, "cannot notify the service manager");
    }
}

#[cfg(not(unix))]
fn tell_systemd(_: Systemd) {}

fn start_failure(err: GatewayError) -> Failure {
    let (kind, code) = match &err {
        GatewayError::Config(_) => ("config", failure::CONFIG),
        GatewayError::Listen { .. } => ("listen", OSERR),
        GatewayError::Keys(_) => ("unreachable", failure::UNAVAILABLE),
        _ => ("config", failure::CONFIG),
    };
    Failure::from_chain(kind, code, &err)
}

fn say(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| failure::software(format!("writing to stdout: {e}")))
}

/// The gateway against the embedded emulator, with a built-in user.
fn demo() -> Result<(), Failure> {
    runtime()?.block_on(async {
        let emulator = Emulator::builder()
            .start()
            .await
            .map_err(|e| Failure::from_chain("unreachable", failure::UNAVAILABLE, &e))?;
        let endpoint = Endpoint::new(&emulator.base_url())
            .map_err(|e| failure::software(format!("the emulator's endpoint: {e}")))?;
        let password = Password::new("secretPassword")
            .map_err(|e| failure::software(format!("the demo password: {e}")))?;
        let ca = emulator.ca_pem().map(|pem| pem.as_bytes().to_vec());
        let server = Server::bind(Config::demo(endpoint, ca, password))
            .await
            .map_err(start_failure)?;
        say(&format!("listening on {}", server.url()))?;
        say(&format!(
            "demo: open {}/ in a browser on this machine: you are the demo user, SSO ID 123456 at the emulator {}",
            server.url(),
            emulator.base_url()
        ))?;
        server.run(shutdown_signal()).await.map_err(start_failure)?;
        emulator.shutdown().await;
        Ok(())
    })
}
