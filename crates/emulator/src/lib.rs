//! A faithful local LogMeIn Rescue SSO service, for tests, demos and your CI.
//!
//! It answers `/SSO/GetDTCLoginTicket.aspx` and `/SSO/GetLoginTicket.aspx` by
//! GET and by POST the way the documented service does (parameter names and
//! paths case-insensitive, values percent-decoded, `MISSINGPARAMETERS`,
//! `INVALIDCOMPANYID`, `INVALIDPASSWORD`, or `OK:` and a URL with a fresh
//! random GUID ticket, all with HTTP 200), and redeems the tickets it issued
//! at `/TechConsole/DesktopApp/DownloadSSO.aspx` and `/SSO/Login.aspx`: once,
//! before they expire. It speaks HTTP/1.1 and HTTP/2 over TLS with a
//! certificate from a fresh CA made at start (or plain HTTP), counts
//! connections and handshakes so tests can assert reuse, remembers the
//! requests it saw, and injects [`Fault`]s on demand.
//!
//! It never uses the protocol crate: requests are parsed here on their own,
//! so every test through it is a round trip between two implementations.
//!
//! The default company is the vendor page's example: company `654321`, SSO ID
//! `123456`, master SSO password `secretPassword`.
//!
//! ```
//! use rescue_sso_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let emulator = Emulator::builder().start().await?;
//!     assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
//!     assert!(emulator.ca_pem().is_some_and(|pem| pem.contains("BEGIN CERTIFICATE")));
//!     // ... point a client at emulator.base_url(), trusting emulator.ca_pem() ...
//!     emulator.shutdown().await;
//!     Ok::<_, rescue_sso_emulator::Error>(())
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! [`scripted::ScriptedServer`] serves raw byte scripts instead, for tests of
//! how clients handle hostile or broken HTTP.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod fault;
pub mod scripted;
mod server;
mod service;
mod state;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub use fault::{Fault, Faults};

use state::Shared;

/// The emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("could not listen")]
    Bind(#[source] std::io::Error),
    /// The certificate could not be generated.
    #[error("could not generate a certificate")]
    Certificate(#[source] rcgen::Error),
    /// The supplied certificate chain or key could not be read.
    #[error("invalid certificate chain or private key pem")]
    Key,
    /// The TLS configuration was refused.
    #[error("tls configuration failed")]
    Tls(#[source] rustls::Error),
    /// The background thread or its runtime could not start.
    #[error("could not start the background runtime")]
    Runtime(#[source] std::io::Error),
}

/// A company: its ID, master SSO password and technicians' SSO IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    id: String,
    password: String,
    technicians: Vec<String>,
}

impl Company {
    /// A company with no technicians yet.
    pub fn new(company_id: impl Into<String>, password: impl Into<String>) -> Self {
        Company {
            id: company_id.into(),
            password: password.into(),
            technicians: Vec::new(),
        }
    }

    /// Adds a technician's SSO ID.
    #[must_use]
    pub fn technician(mut self, sso_id: impl Into<String>) -> Self {
        self.technicians.push(sso_id.into());
        self
    }
}

impl Default for Company {
    /// The vendor page's example: `654321`, `secretPassword`, `123456`.
    fn default() -> Self {
        Company::new("654321", "secretPassword").technician("123456")
    }
}

/// A snapshot of the emulator's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: u64,
    /// TLS handshakes completed.
    pub tls_handshakes: u64,
    /// HTTP requests received.
    pub requests: u64,
    /// Tickets issued.
    pub tickets_issued: u64,
    /// Tickets redeemed.
    pub tickets_redeemed: u64,
}

/// One request the emulator received. Values are not kept: a test can see
/// which parameters arrived and whether the password was in the URL, never
/// the password itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The method.
    pub method: http::Method,
    /// The path, as sent.
    pub path: String,
    /// Parameter names from the query string and the form body, in order.
    pub param_names: Vec<String>,
    /// Whether a `Password` parameter was in the query string.
    pub password_in_url: bool,
    /// HTTP/1.1 or HTTP/2.
    pub http_version: http::Version,
}

/// The entry point: `Emulator::builder()…start().await`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: the vendor's example company, loopback on
    /// an ephemeral port, TLS with a fresh CA, tickets valid 5 minutes.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Options for an emulator.
#[derive(Debug)]
#[must_use]
pub struct EmulatorBuilder {
    companies: Option<Vec<Company>>,
    bind: SocketAddr,
    ttl: Duration,
    plain_http: bool,
    identity: Option<(String, String)>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            companies: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ttl: Duration::from_secs(300),
            plain_http: false,
            identity: None,
        }
    }
}

impl EmulatorBuilder {
    /// Adds a company; the first call replaces the default one.
    pub fn company(mut self, company: Company) -> Self {
        self.companies.get_or_insert_with(Vec::new).push(company);
        self
    }

    /// The address to listen on; default `127.0.0.1:0`.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// How long a ticket stays redeemable; default 5 minutes. Zero makes every
    /// ticket expired at once, which tests use to see the expiry page.
    pub fn ticket_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Serves plain HTTP instead of HTTPS.
    pub fn plain_http(mut self, yes: bool) -> Self {
        self.plain_http = yes;
        self
    }

    /// Presents the caller's certificate chain and key (PEM) instead of a
    /// fresh CA's; [`EmulatorHandle::ca_pem`] is then `None`.
    pub fn tls_identity(mut self, cert_chain_pem: String, key_pem: String) -> Self {
        self.identity = Some((cert_chain_pem, key_pem));
        self
    }

    /// Starts serving on the current tokio runtime. Returns once the listener
    /// accepts connections.
    pub async fn start(self) -> Result<EmulatorHandle, Error> {
        let alpn: &[&[u8]] = &[b"h2", b"http/1.1"];
        let identity = match (&self.identity, self.plain_http) {
            (_, true) => None,
            (Some((chain, key)), false) => Some(tls::supplied(chain, key, alpn)?),
            (None, false) => Some(tls::fresh(alpn)?),
        };
        let listener = TcpListener::bind(self.bind).await.map_err(Error::Bind)?;
        let local_addr = listener.local_addr().map_err(Error::Bind)?;
        let scheme = if identity.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{local_addr}");
        let companies = self.companies.unwrap_or_else(|| vec![Company::default()]);
        let shared = Arc::new(Shared::new(base_url, companies, self.ttl));
        let (stop_tx, stop_rx) = watch::channel(false);
        let acceptor = identity
            .as_ref()
            .map(|i| TlsAcceptor::from(Arc::clone(&i.config)));
        let task = tokio::spawn(server::serve(
            listener,
            acceptor,
            Arc::clone(&shared),
            stop_rx,
        ));
        Ok(EmulatorHandle {
            shared,
            local_addr,
            ca_pem: identity.and_then(|i| i.ca_pem),
            control: Some(Control {
                stop: stop_tx,
                task,
            }),
        })
    }

    /// Starts on a runtime of its own in a background thread, for blocking
    /// code. The emulator stops when the returned value is dropped.
    pub fn start_background(self) -> Result<BackgroundEmulator, Error> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("rescue-sso-emulator".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(Error::Runtime(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match self.start().await {
                        Ok(mut handle) => {
                            let control = handle.control.take();
                            let _ = ready_tx.send(Ok(handle));
                            let _ = stop_rx.await;
                            if let Some(control) = control {
                                control.shutdown().await;
                            }
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(Error::Runtime)?;
        let handle = ready_rx
            .recv()
            .map_err(|_| Error::Runtime(std::io::Error::other("emulator thread exited")))??;
        Ok(BackgroundEmulator {
            handle,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

struct Control {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Control {
    async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// A running emulator.
pub struct EmulatorHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    ca_pem: Option<String>,
    control: Option<Control>,
}

impl EmulatorHandle {
    /// `https://127.0.0.1:PORT` (or `http://` in plain mode), no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The PEM of the fresh CA to trust; `None` in plain mode or with a
    /// caller-supplied identity.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The requests seen so far (the most recent few thousand).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.seen()
    }

    /// Stops accepting, waits for in-flight requests (up to a few seconds, as
    /// a stalled one never ends), then returns.
    pub async fn shutdown(mut self) {
        if let Some(control) = self.control.take() {
            control.shutdown().await;
        }
    }
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.shared.base_url)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// An emulator on its own thread and runtime; derefs to its
/// [`EmulatorHandle`] for the accessors, and shuts down when dropped.
#[derive(Debug)]
pub struct BackgroundEmulator {
    handle: EmulatorHandle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    /// Shuts down gracefully and waits for the thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Deref for BackgroundEmulator {
    type Target = EmulatorHandle;
    fn deref(&self) -> &EmulatorHandle {
        &self.handle
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        self.stop_now();
    }
}
