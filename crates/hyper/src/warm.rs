//! A connection kept ready: opened ahead of need (the TLS handshake done),
//! watched while it waits, and handed to the first call that needs a new
//! connection. A spare the server closes is replaced at once, resuming the
//! TLS session; a replacement that cannot be opened is retried with a
//! growing delay. No request is ever sent to keep it.
//!
//! A taken spare is replaced once the call on it has read its first bytes:
//! TLS 1.3 session tickets arrive after the handshake, ahead of any answer,
//! so by then the client holds one and the replacement resumes. A call that
//! needs a connection while a replacement is being opened waits for that
//! one rather than opening a second.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use rescue_sso_proto::http::Uri;
use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, oneshot};

use crate::connect::{Conn, Connector, Stream};
use crate::error::BoxError;

/// The most an idle HTTP/2 server may send before the spare is used (its
/// SETTINGS and a PING or two); more, and the spare is given up.
const MAX_PREFIX: usize = 16 * 1024;
/// A spare the server closes sooner than this after opening counts as a
/// failure: after two in a row the next one waits, so a server that drops
/// idle connections at once is not reconnected to in a loop.
const MIN_LIFETIME: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(300);

/// What a waiting spare hands over.
struct Handed {
    stream: Stream,
    prefix: Vec<u8>,
}

type Handover = oneshot::Sender<oneshot::Sender<Handed>>;

#[derive(Default)]
struct State {
    /// The endpoint kept warm, once `warm_up` has been called.
    target: Option<Uri>,
    /// The spare waiting, as the way to ask its watcher for it.
    spare: Option<Handover>,
    /// A task will open a replacement (it may still wait for its start).
    replacing: bool,
    /// That task is opening it now: the TCP connection and handshake are
    /// under way.
    opening: bool,
    /// Replacements that failed in a row.
    failures: u32,
}

/// The spare connection of one client, shared by the clones of its
/// connector.
#[derive(Default)]
pub(crate) struct Warm {
    state: Mutex<State>,
    /// Told when an opening ends, with a spare installed or not.
    opened: Notify,
}

fn same_origin(a: &Uri, b: &Uri) -> bool {
    a.scheme() == b.scheme()
        && a.host().map(str::to_ascii_lowercase) == b.host().map(str::to_ascii_lowercase)
        && a.port_u16() == b.port_u16()
}

impl Warm {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps a connection to `target` ready from now on; opens the first
    /// now and reports its error (the keeper then retries in the
    /// background).
    pub(crate) async fn start(
        self: &Arc<Self>,
        connector: &Connector,
        target: Uri,
    ) -> Result<(), BoxError> {
        {
            let mut state = self.state();
            state.target = Some(target.clone());
            if state.spare.is_some() || state.replacing {
                return Ok(());
            }
            state.replacing = true;
            state.opening = true;
        }
        let opener = connector.without_warm();
        let opened = opener.clone().open_within_timeout(target).await;
        match opened {
            Ok(stream) => {
                self.install(stream, opener);
                Ok(())
            }
            Err(err) => {
                self.failed();
                Warm::keep_trying(Arc::downgrade(self), opener, None);
                Err(err)
            }
        }
    }

    /// The way to the spare, if one to `dst` is waiting, or is being opened
    /// (then waited for: the opening has its own timeout).
    async fn handover(&self, dst: &Uri) -> Option<Handover> {
        let opened = {
            let mut state = self.state();
            if !state.target.as_ref().is_some_and(|t| same_origin(t, dst)) {
                return None;
            }
            if let Some(handover) = state.spare.take() {
                return Some(handover);
            }
            if !state.opening {
                return None;
            }
            // Made under the lock, so the end of the opening cannot be
            // missed: a `Notified` hears `notify_waiters` from creation on.
            self.opened.notified()
        };
        opened.await;
        self.state().spare.take()
    }

    /// The spare, if one to `dst` is waiting and still open; a new one is
    /// opened in its place.
    pub(crate) async fn take(self: &Arc<Self>, dst: &Uri, connector: &Connector) -> Option<Conn> {
        let handover = self.handover(dst).await?;
        let (reply, handed) = oneshot::channel();
        let taken = match handover.send(reply) {
            Ok(()) => handed.await.ok(),
            // The watcher ended: the spare closed a moment ago.
            Err(_) => None,
        };
        // Another spare for the next call that needs a connection, once the
        // taken one has read something (or is gone): its session tickets
        // are in hand by then.
        let (first_read, start) = oneshot::channel();
        self.replace(connector.without_warm(), Some(start));
        taken.map(|Handed { stream, prefix }| Conn::warm(stream, prefix, first_read))
    }

    /// Starts a task opening a replacement (once `start` fires or is
    /// dropped, if given), unless one is under way.
    fn replace(self: &Arc<Self>, opener: Connector, start: Option<oneshot::Receiver<()>>) {
        {
            let mut state = self.state();
            if state.replacing || state.spare.is_some() {
                return;
            }
            state.replacing = true;
        }
        Warm::keep_trying(Arc::downgrade(self), opener, start);
    }

    /// An opening failed.
    fn failed(&self) {
        {
            let mut state = self.state();
            state.opening = false;
            state.failures += 1;
        }
        self.opened.notify_waiters();
    }

    /// Opens replacements until one opens (or the client is gone), waiting
    /// longer after each failure.
    fn keep_trying(warm: Weak<Warm>, opener: Connector, start: Option<oneshot::Receiver<()>>) {
        tokio::spawn(async move {
            if let Some(start) = start {
                // Sent or dropped, either way it is time.
                let _ = start.await;
            }
            loop {
                let (target, failures) = {
                    let Some(warm) = warm.upgrade() else { return };
                    let state = warm.state();
                    let Some(target) = state.target.clone() else {
                        return;
                    };
                    (target, state.failures)
                };
                // The first failure is retried at once (a server's idle
                // timeout may simply have come early); then 1 s, 2 s, 4 s…
                if failures > 1 {
                    let delay = Duration::from_secs(1u64 << (failures - 2).min(9)).min(MAX_DELAY);
                    tokio::time::sleep(delay).await;
                }
                match warm.upgrade() {
                    Some(warm) => warm.state().opening = true,
                    None => return,
                }
                let opened = opener.clone().open_within_timeout(target).await;
                let Some(warm) = warm.upgrade() else { return };
                match opened {
                    Ok(stream) => {
                        warm.install(stream, opener);
                        return;
                    }
                    Err(err) => {
                        tracing::debug!(error = %err, "opening a warm connection failed; will retry");
                        warm.failed();
                    }
                }
            }
        });
    }

    /// Keeps `stream` as the spare, watched by a task of its own.
    fn install(self: &Arc<Self>, stream: Stream, opener: Connector) {
        let (handover, requests) = oneshot::channel();
        {
            let mut state = self.state();
            state.spare = Some(handover);
            state.replacing = false;
            state.opening = false;
        }
        tokio::spawn(watch(stream, requests, Arc::downgrade(self), opener));
        self.opened.notify_waiters();
    }
}

/// Waits with the spare until a call asks for it or the server closes it.
/// An HTTP/1.1 server has nothing to say before a request, so any byte from
/// one ends the spare; an HTTP/2 server's frames are kept for the call.
async fn watch(
    mut stream: Stream,
    mut requests: oneshot::Receiver<oneshot::Sender<Handed>>,
    warm: Weak<Warm>,
    opener: Connector,
) {
    let opened = Instant::now();
    let h2 = stream.is_h2();
    let mut prefix = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        tokio::select! {
            // A close that has already arrived wins over a call asking, so a
            // spare the server closed is not handed over.
            biased;
            read = stream.read(&mut buf) => match read {
                Ok(n) if n > 0 && h2 && prefix.len() + n <= MAX_PREFIX => {
                    prefix.extend_from_slice(buf.get(..n).unwrap_or_default());
                }
                // Closed, failed, or not a server to reuse.
                _ => break,
            },
            asked = &mut requests => {
                if let Ok(reply) = asked {
                    let _ = reply.send(Handed { stream, prefix });
                }
                // Taken, or the client is gone.
                return;
            }
        }
    }
    drop(stream);
    let Some(warm) = warm.upgrade() else { return };
    {
        let mut state = warm.state();
        // A call may have asked in the meantime and found it closed.
        state.spare = None;
        if opened.elapsed() < MIN_LIFETIME {
            state.failures += 1;
        } else {
            state.failures = 0;
        }
    }
    tracing::debug!("the warm connection closed; opening another");
    warm.replace(opener, None);
}
