//! An HTTP/2 server (over TLS, ALPN `h2` only) that answers every request
//! the same scripted way, for testing how a client handles hostile or broken
//! HTTP/2: a reset in the middle of a body, a GOAWAY instead of an answer,
//! a header block or a body far over any sane size, a `content-length` that
//! lies, silence.
//!
//! ```
//! use rescue_sso_emulator::scripted::h2::{H2Script, H2Server};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! let server = H2Server::start(H2Script::GoAwayBeforeAnswer).await?;
//! assert!(server.base_url().starts_with("https://127.0.0.1:"));
//! // ... point a client that trusts server.ca_pem() at server.base_url() ...
//! # Ok::<_, rescue_sso_emulator::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use h2::Reason;
use h2::server::SendResponse;
use http::{Response, StatusCode};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::{Error, tls};

/// What the server does with every request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum H2Script {
    /// Answers with this status, these header fields and this body (in one
    /// DATA frame, which ends the stream). A `content-length` among the
    /// fields is sent as given, true or not.
    Answer {
        /// The status code.
        status: u16,
        /// Header fields, in order.
        headers: Vec<(String, String)>,
        /// The body.
        body: Bytes,
    },
    /// Sends a 200 head and these first body bytes, waits until the client
    /// has acknowledged a PING sent after them (so it has read them), then
    /// resets the stream (`INTERNAL_ERROR`).
    ResetMidBody {
        /// What is sent before the reset.
        body: Bytes,
    },
    /// Resets the stream (`INTERNAL_ERROR`) without any answer.
    ResetBeforeAnswer,
    /// Sends GOAWAY (`NO_ERROR`, no stream processed) instead of answering,
    /// and closes the connection.
    GoAwayBeforeAnswer,
    /// Accepts the request and never answers.
    Stall,
    /// Sends a 200 head announcing a body, then nothing.
    StallAfterHead,
    /// Sends `103 Early Hints` interim answers, one every millisecond, and
    /// never a final answer.
    EndlessInterim,
}

impl H2Script {
    /// `status` with a body, and header fields adding up to about `bytes`
    /// bytes: a header block no client should accept.
    pub fn huge_headers(status: u16, bytes: usize) -> H2Script {
        let value = "h".repeat(4000);
        let count = bytes / value.len() + 1;
        H2Script::Answer {
            status,
            headers: (0..count)
                .map(|n| (format!("x-filler-{n}"), value.clone()))
                .collect(),
            body: Bytes::from_static(b"INVALIDPASSWORD"),
        }
    }
}

/// A running HTTP/2 scripted server; it stops when dropped.
#[derive(Debug)]
pub struct H2Server {
    local_addr: SocketAddr,
    base_url: String,
    ca_pem: Option<String>,
    connections: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    interim: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
}

impl H2Server {
    /// Serves `script` over TLS with a certificate from a fresh CA, on the
    /// current tokio runtime.
    pub async fn start(script: H2Script) -> Result<H2Server, Error> {
        let identity = tls::fresh(&[b"h2"])?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(Error::Bind)?;
        let local_addr = listener.local_addr().map_err(Error::Bind)?;
        let acceptor = TlsAcceptor::from(Arc::clone(&identity.config));
        let connections = Arc::new(AtomicU64::new(0));
        let requests = Arc::new(AtomicU64::new(0));
        let interim = Arc::new(AtomicU64::new(0));
        let (stop, mut stopped) = watch::channel(false);
        let script = Arc::new(script);
        {
            let connections = Arc::clone(&connections);
            let requests = Arc::clone(&requests);
            let interim = Arc::clone(&interim);
            tokio::spawn(async move {
                loop {
                    let tcp = tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok((tcp, _)) => tcp,
                            Err(_) => continue,
                        },
                        _ = stopped.changed() => break,
                    };
                    connections.fetch_add(1, Ordering::Relaxed);
                    let acceptor = acceptor.clone();
                    let script = Arc::clone(&script);
                    let requests = Arc::clone(&requests);
                    let interim = Arc::clone(&interim);
                    let mut stopped = stopped.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = serve(tcp, acceptor, &script, &requests, interim) => {}
                            _ = stopped.changed() => {}
                        }
                    });
                }
            });
        }
        Ok(H2Server {
            local_addr,
            base_url: format!("https://{local_addr}"),
            ca_pem: identity.ca_pem,
            connections,
            requests,
            interim,
            stop,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA to trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// HTTP/2 requests received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Interim (1xx) answers sent so far.
    pub fn interim(&self) -> u64 {
        self.interim.load(Ordering::Relaxed)
    }
}

impl Drop for H2Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(
    tcp: TcpStream,
    acceptor: TlsAcceptor,
    script: &H2Script,
    requests: &AtomicU64,
    interim: Arc<AtomicU64>,
) {
    let _ = tcp.set_nodelay(true);
    let Ok(tls) = acceptor.accept(tcp).await else {
        return;
    };
    let Ok(mut conn) = h2::server::handshake(tls).await else {
        return;
    };
    // Streams left unanswered on purpose: dropping their handles would
    // reset them.
    let mut held = Vec::new();
    let mut ping_pong = conn.ping_pong();
    while let Some(next) = conn.accept().await {
        let Ok((_request, respond)) = next else {
            return;
        };
        requests.fetch_add(1, Ordering::Relaxed);
        match play(script, respond, &interim) {
            Played::Done => {}
            Played::Hold(handle) => held.push(handle),
            Played::GoAway => conn.abrupt_shutdown(Reason::NO_ERROR),
            Played::ResetAfterPing(mut send) => match ping_pong.take() {
                // The connection is driven by this loop meanwhile.
                Some(mut pp) => {
                    tokio::spawn(async move {
                        let _ = pp.ping(h2::Ping::opaque()).await;
                        send.send_reset(Reason::INTERNAL_ERROR);
                    });
                }
                None => send.send_reset(Reason::INTERNAL_ERROR),
            },
        }
    }
}

enum Played {
    Done,
    Hold(Box<dyn std::any::Any + Send>),
    GoAway,
    ResetAfterPing(h2::SendStream<Bytes>),
}

fn head(status: u16, headers: &[(String, String)]) -> Response<()> {
    let mut response = Response::new(());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn play(script: &H2Script, mut respond: SendResponse<Bytes>, interim: &Arc<AtomicU64>) -> Played {
    match script {
        H2Script::Answer {
            status,
            headers,
            body,
        } => {
            if let Ok(mut send) = respond.send_response(head(*status, headers), body.is_empty())
                && !body.is_empty()
            {
                let _ = send.send_data(body.clone(), true);
            }
            Played::Done
        }
        H2Script::ResetMidBody { body } => match respond.send_response(head(200, &[]), false) {
            Ok(mut send) => {
                let _ = send.send_data(body.clone(), false);
                Played::ResetAfterPing(send)
            }
            Err(_) => Played::Done,
        },
        H2Script::ResetBeforeAnswer => {
            respond.send_reset(Reason::INTERNAL_ERROR);
            Played::Done
        }
        H2Script::GoAwayBeforeAnswer => Played::GoAway,
        H2Script::Stall => Played::Hold(Box::new(respond)),
        H2Script::EndlessInterim => {
            let interim = Arc::clone(interim);
            tokio::spawn(async move {
                let hints = || {
                    let mut hints = Response::new(());
                    *hints.status_mut() = StatusCode::EARLY_HINTS;
                    hints
                };
                while respond.send_informational(hints()).is_ok() {
                    interim.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            });
            Played::Done
        }
        H2Script::StallAfterHead => {
            let announced = [("content-length".to_owned(), "128".to_owned())];
            match respond.send_response(head(200, &announced), false) {
                Ok(send) => Played::Hold(Box::new((respond, send))),
                Err(_) => Played::Done,
            }
        }
    }
}
