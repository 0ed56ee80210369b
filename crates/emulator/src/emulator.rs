//! Configuring, starting and stopping an emulator.

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::background::{Background, OnStop};
use crate::state::{AuthCodeFormat, Shared};
use crate::{Company, Error, Faults, SeenRequest, Stats, server, tls};

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
    http2: bool,
    identity: Option<(String, String)>,
    auth_code_format: AuthCodeFormat,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            companies: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ttl: Duration::from_secs(300),
            plain_http: false,
            http2: true,
            identity: None,
            auth_code_format: AuthCodeFormat::default(),
        }
    }
}

impl EmulatorBuilder {
    /// How `requestAuthCodeSSO` spells a success: the guide's `OK AUTHCODE:
    /// <code>` by default, or one of the inferred variants.
    pub fn auth_code_format(mut self, format: AuthCodeFormat) -> Self {
        self.auth_code_format = format;
        self
    }

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

    /// Whether to offer HTTP/2 by ALPN besides HTTP/1.1; on by default.
    /// Off, every TLS client speaks HTTP/1.1 to it.
    pub fn http2(mut self, yes: bool) -> Self {
        self.http2 = yes;
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
        let alpn: &[&[u8]] = if self.http2 {
            &[b"h2", b"http/1.1"]
        } else {
            &[b"http/1.1"]
        };
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
        let shared = Arc::new(Shared::new(
            base_url,
            companies,
            self.ttl,
            self.auth_code_format,
        ));
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
    /// code. Returns once the listener accepts connections.
    pub fn start_background(self) -> Result<BackgroundEmulator, Error> {
        let (handle, background) = Background::start("rescue-sso-emulator", move || async move {
            let mut handle = self.start().await?;
            let control = handle.control.take();
            let on_stop: OnStop = Box::pin(async move {
                if let Some(control) = control {
                    control.shutdown().await;
                }
            });
            Ok((handle, on_stop))
        })?;
        Ok(BackgroundEmulator { handle, background })
    }
}

#[derive(Debug)]
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

/// A running emulator. Dropping it stops accepting connections; the ones
/// open finish in the background.
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

    /// Blocks the calling thread until the emulator has received `count`
    /// requests in all, or `timeout` has passed; whether it had. For a test
    /// that must act while a request is in flight (a stalled or delayed
    /// one), without guessing with a sleep. From async code, call it on a
    /// blocking thread.
    pub fn wait_for_requests(&self, count: u64, timeout: Duration) -> bool {
        self.shared.wait_for_requests(count, timeout)
    }

    /// Blocks until `done` holds for the counters, or `timeout` passes;
    /// whether it held. For a test waiting on something that happens in the
    /// background (a connection opened, a handshake done). From async code,
    /// call it on a blocking thread.
    pub fn wait_until(&self, done: impl Fn(&Stats) -> bool, timeout: Duration) -> bool {
        self.shared.wait_until(done, timeout)
    }

    /// Whether `code` is a technician's current `requestAuthCodeSSO` code:
    /// false once a newer one was issued to them.
    pub fn auth_code_valid(&self, code: &str) -> bool {
        self.shared.auth_code_valid(code)
    }

    /// Closes every open connection now, as a server's idle timeout or a
    /// restart would (a close, not a reset: the peer sees the end of the
    /// stream).
    pub fn close_connections(&self) {
        self.shared.close_all.notify_waiters();
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
/// [`EmulatorHandle`] for the accessors.
///
/// Dropping it stops the emulator at once, cutting any request still in
/// flight (so a test that left a stalled request behind does not wait);
/// [`BackgroundEmulator::shutdown`] is the graceful way.
#[derive(Debug)]
pub struct BackgroundEmulator {
    handle: EmulatorHandle,
    background: Background,
}

impl BackgroundEmulator {
    /// Stops accepting, waits for in-flight requests (up to a few seconds),
    /// then for the thread.
    pub fn shutdown(mut self) {
        self.background.stop(true);
    }
}

impl Deref for BackgroundEmulator {
    type Target = EmulatorHandle;
    fn deref(&self) -> &EmulatorHandle {
        &self.handle
    }
}
