//! A server that answers every request with the same raw bytes, for testing
//! how clients handle hostile or broken HTTP: bad framing, oversized bodies,
//! truncation, a TLS close without `close_notify`, silence.
//!
//! It reads the request head (up to a blank line, bounded) and the body its
//! `Content-Length` announces, writes the script's chunks one by one
//! (optionally pausing between them), then does what [`After`] says.
//!
//! ```
//! use rescue_sso_emulator::scripted::{After, Script, ScriptedServer};
//! use std::io::{Read, Write};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let raw = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nOK:ht";
//! let server = ScriptedServer::start_plain_background(Script::new(raw, After::Close))?;
//! let mut tcp = std::net::TcpStream::connect(server.local_addr())?;
//! tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
//! let mut answer = String::new();
//! tcp.read_to_string(&mut answer)?;
//! assert_eq!(answer, raw);
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::background::{Background, OnStop};
use crate::{Error, tls};

pub mod h2;

/// The longest request head read before the script is sent anyway.
const MAX_HEAD: usize = 64 * 1024;

/// What to send, and what to do after.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Script {
    /// Written in order, each with its own write call.
    pub chunks: Vec<Bytes>,
    /// What happens once every chunk is written.
    pub then: After,
    /// How long to wait before each chunk after the first; zero by default.
    pub pause: Duration,
}

impl Script {
    /// A script that writes `bytes` and then does `then`.
    pub fn new(bytes: impl Into<Bytes>, then: After) -> Script {
        Script::chunks(vec![bytes.into()], then)
    }

    /// A script written in several chunks.
    pub fn chunks(chunks: Vec<Bytes>, then: After) -> Script {
        Script {
            chunks,
            then,
            pause: Duration::ZERO,
        }
    }

    /// Waits `pause` before each chunk after the first, so a client sees
    /// them in separate reads.
    #[must_use]
    pub fn pause(mut self, pause: Duration) -> Script {
        self.pause = pause;
        self
    }
}

/// What the server does after the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum After {
    /// Close cleanly (TLS: with `close_notify`).
    Close,
    /// Close the TCP connection without TLS `close_notify` (plain TCP: the
    /// same as [`After::Close`]).
    CloseWithoutNotify,
    /// Keep the connection open and never send another byte.
    Stall,
    /// Read the next request on the same connection and play the script
    /// again.
    KeepOpen,
}

/// A running scripted server; it stops when dropped.
#[derive(Debug)]
pub struct ScriptedServer {
    local_addr: SocketAddr,
    base_url: String,
    ca_pem: Option<String>,
    connections: Arc<AtomicU64>,
    closed: Arc<Closed>,
    stop: watch::Sender<bool>,
}

/// Connections the server has closed, and a way to wait for a count.
#[derive(Debug, Default)]
struct Closed {
    count: Mutex<u64>,
    changed: Condvar,
}

impl Closed {
    fn one_more(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.changed.notify_all();
    }
}

impl ScriptedServer {
    /// Serves `script` over TLS, with a certificate from a fresh CA.
    pub async fn start(script: Script) -> Result<ScriptedServer, Error> {
        ScriptedServer::start_with(script, true).await
    }

    /// Serves `script` over plain TCP.
    pub async fn start_plain(script: Script) -> Result<ScriptedServer, Error> {
        ScriptedServer::start_with(script, false).await
    }

    /// Serves `script` over TLS on a thread and runtime of its own, for
    /// blocking code.
    pub fn start_background(script: Script) -> Result<BackgroundScripted, Error> {
        BackgroundScripted::start(script, true)
    }

    /// Serves `script` over plain TCP on a thread and runtime of its own.
    pub fn start_plain_background(script: Script) -> Result<BackgroundScripted, Error> {
        BackgroundScripted::start(script, false)
    }

    async fn start_with(script: Script, use_tls: bool) -> Result<ScriptedServer, Error> {
        let identity = if use_tls {
            Some(tls::fresh(&[b"http/1.1"])?)
        } else {
            None
        };
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(Error::Bind)?;
        let addr = listener.local_addr().map_err(Error::Bind)?;
        let scheme = if use_tls { "https" } else { "http" };
        let connections = Arc::new(AtomicU64::new(0));
        let (stop, mut stopped) = watch::channel(false);
        let acceptor = identity
            .as_ref()
            .map(|i| TlsAcceptor::from(Arc::clone(&i.config)));
        let counter = Arc::clone(&connections);
        let closed = Arc::new(Closed::default());
        let closes = Arc::clone(&closed);
        let script = Arc::new(script);
        tokio::spawn(async move {
            loop {
                let stream = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => stream,
                        Err(_) => continue,
                    },
                    _ = stopped.changed() => break,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                let script = Arc::clone(&script);
                let acceptor = acceptor.clone();
                let mut stopped = stopped.clone();
                let closes = Arc::clone(&closes);
                tokio::spawn(async move {
                    tokio::select! {
                        () = play(stream, acceptor, &script) => closes.one_more(),
                        _ = stopped.changed() => {}
                    }
                });
            }
        });
        Ok(ScriptedServer {
            local_addr: addr,
            base_url: format!("{scheme}://{addr}"),
            ca_pem: identity.and_then(|i| i.ca_pem),
            connections,
            closed,
            stop,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `https://127.0.0.1:PORT` or `http://…`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA to trust (TLS mode).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections the script has finished with and closed (its close sent)
    /// so far.
    pub fn closed(&self) -> u64 {
        *self
            .closed
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks until the server has closed `count` connections in all, or
    /// `timeout` passes; whether it has. From async code, call it inside
    /// `tokio::task::block_in_place`.
    pub fn wait_closed(&self, count: u64, timeout: Duration) -> bool {
        let seen = self
            .closed
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (_seen, waited) = self
            .closed
            .changed
            .wait_timeout_while(seen, timeout, |seen| *seen < count)
            .unwrap_or_else(PoisonError::into_inner);
        !waited.timed_out()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A scripted server on its own thread and runtime; derefs to the
/// [`ScriptedServer`] and stops when dropped.
#[derive(Debug)]
pub struct BackgroundScripted {
    // Declared first: the server stops before its runtime goes.
    server: ScriptedServer,
    _background: Background,
}

impl BackgroundScripted {
    fn start(script: Script, use_tls: bool) -> Result<BackgroundScripted, Error> {
        let (server, background) = Background::start("rescue-sso-scripted", move || async move {
            let server = ScriptedServer::start_with(script, use_tls).await?;
            let on_stop: OnStop = Box::pin(async {});
            Ok((server, on_stop))
        })?;
        Ok(BackgroundScripted {
            server,
            _background: background,
        })
    }
}

impl Deref for BackgroundScripted {
    type Target = ScriptedServer;
    fn deref(&self) -> &ScriptedServer {
        &self.server
    }
}

async fn play(stream: TcpStream, acceptor: Option<TlsAcceptor>, script: &Script) {
    let _ = stream.set_nodelay(true);
    match acceptor {
        None => {
            let mut stream = stream;
            let _ = serve(&mut stream, script).await;
            let _ = stream.shutdown().await;
        }
        Some(acceptor) => {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            if serve(&mut tls, script).await.is_err() {
                return;
            }
            if script.then == After::CloseWithoutNotify {
                // Drop the TLS layer unsent: the peer sees TCP FIN without
                // close_notify, which is how truncation attacks look.
                let (mut tcp, _) = tls.into_inner();
                let _ = tcp.shutdown().await;
            } else {
                let _ = tls.shutdown().await;
            }
        }
    }
}

/// Reads requests and plays the script; returns when the connection should
/// be closed.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    script: &Script,
) -> std::io::Result<()> {
    loop {
        read_request(stream).await?;
        for (i, chunk) in script.chunks.iter().enumerate() {
            if i > 0 && !script.pause.is_zero() {
                tokio::time::sleep(script.pause).await;
            }
            stream.write_all(chunk).await?;
            stream.flush().await?;
        }
        match script.then {
            After::KeepOpen => continue,
            After::Stall => std::future::pending::<()>().await,
            After::Close | After::CloseWithoutNotify => return Ok(()),
        }
    }
}

/// Consumes one request: the head up to its blank line and a
/// `Content-Length` body.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < MAX_HEAD {
        if stream.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&byte);
    }
    let text = String::from_utf8_lossy(&head);
    let length = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_HEAD);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok(())
}
