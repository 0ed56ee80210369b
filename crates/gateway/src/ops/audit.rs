//! The audit log: one JSON line per launch and per refusal, on standard
//! output or appended to a file. Never the password, the ticket or the
//! ticket URL.

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde::Serialize;

/// One event.
#[derive(Debug, Serialize)]
pub(crate) struct Line<'a> {
    pub(crate) time: String,
    pub(crate) request_id: &'a str,
    pub(crate) peer: String,
    pub(crate) event: &'static str,
    pub(crate) user: Option<&'a str>,
    pub(crate) sso_id: Option<&'a str>,
    pub(crate) console: Option<&'static str>,
    pub(crate) outcome: &'static str,
    pub(crate) status: u16,
    pub(crate) rescue_ms: Option<u64>,
}

impl<'a> Line<'a> {
    pub(crate) fn now() -> String {
        humantime::format_rfc3339_millis(SystemTime::now()).to_string()
    }

    /// A request refused before anyone was identified.
    pub(crate) fn refusal(
        request_id: &'a str,
        peer: String,
        outcome: &'static str,
        status: u16,
    ) -> Self {
        Line {
            time: Line::now(),
            request_id,
            peer,
            event: "refusal",
            user: None,
            sso_id: None,
            console: None,
            outcome,
            status,
            rescue_ms: None,
        }
    }
}

/// Where the lines go.
pub(crate) struct Audit {
    sink: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit").finish_non_exhaustive()
    }
}

impl Audit {
    /// Appends to `path`, or writes to standard output.
    pub(crate) fn open(path: Option<&Path>) -> std::io::Result<Audit> {
        let sink: Box<dyn Write + Send> = match path {
            Some(path) => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            ),
            None => Box::new(std::io::stdout()),
        };
        Ok(Audit::to(sink))
    }

    /// Writes to `sink`.
    pub(crate) fn to(sink: Box<dyn Write + Send>) -> Audit {
        Audit {
            sink: Mutex::new(sink),
        }
    }

    pub(crate) fn write(&self, line: &Line<'_>) {
        let Ok(mut text) = serde_json::to_vec(line) else {
            return;
        };
        text.push(b'\n');
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        if sink.write_all(&text).and_then(|()| sink.flush()).is_err() {
            tracing::error!("the audit log could not be written");
        }
    }
}
