//! Fault injection: what a test can make the emulator do instead of
//! answering well.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;

/// A misbehaviour, for one request or for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Send `200` headers announcing a body, then never send it.
    StallAfterHeaders,
    /// Accept the request and never answer.
    Stall,
    /// Close the connection without any response.
    Reset,
    /// `500` with an HTML error page, as IIS sends.
    ServerError,
    /// `200`, `text/plain`, with this body instead of the real answer: a
    /// refusal the typed inputs cannot provoke (`INVALIDPARAM_COMPANY`,
    /// `ERROR`), or a near-miss of a success.
    Answer(String),
    /// Any status and body instead of the real answer.
    Custom {
        /// The status code.
        status: u16,
        /// The body.
        body: Bytes,
        /// The `Content-Type`, if any.
        content_type: Option<String>,
    },
}

/// The faults in force. Shared by every connection of one emulator.
#[derive(Debug, Default)]
pub struct Faults {
    all: Mutex<Option<Fault>>,
    next: Mutex<VecDeque<Fault>>,
}

impl Faults {
    /// Applies `fault` to every request from now on (`None` clears it).
    pub fn set_all(&self, fault: Option<Fault>) {
        *lock(&self.all) = fault;
    }

    /// Applies `fault` to one request: the next that has no queued fault yet.
    pub fn push_next(&self, fault: Fault) {
        lock(&self.next).push_back(fault);
    }

    /// Clears every fault.
    pub fn clear(&self) {
        self.set_all(None);
        lock(&self.next).clear();
    }

    /// The fault for the request arriving now, if any.
    pub(crate) fn take(&self) -> Option<Fault> {
        lock(&self.next)
            .pop_front()
            .or_else(|| lock(&self.all).clone())
    }
}

/// A poisoned lock only means another request panicked mid-update of a
/// plain value; the value is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
