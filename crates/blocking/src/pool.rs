//! Idle connections kept for the next call.
//!
//! A client talks to one endpoint, so one list is the whole pool. It is
//! small and short-lived on purpose: a ticket call is rare enough that a few
//! warm connections cover any burst, and servers close idle connections on
//! their own schedule.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::stream::Conn;

#[derive(Debug)]
struct Idle {
    conn: Conn,
    since: Instant,
}

/// Idle connections to the client's endpoint, most recently used last.
#[derive(Debug)]
pub(crate) struct Pool {
    idle: Mutex<Vec<Idle>>,
    max_idle: usize,
    idle_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(max_idle: usize, idle_timeout: Duration) -> Self {
        Pool {
            idle: Mutex::new(Vec::with_capacity(max_idle.min(16))),
            max_idle,
            idle_timeout,
        }
    }

    /// The most recently used connection that is still fresh and quiet.
    /// Stale ones are dropped on the way.
    pub(crate) fn take(&self) -> Option<Conn> {
        loop {
            // A poisoned lock only means another thread panicked while
            // pushing or popping; the list itself is still consistent.
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()?;
            if idle.since.elapsed() < self.idle_timeout && idle.conn.is_reusable_idle() {
                return Some(idle.conn);
            }
            tracing::trace!("dropping a stale idle connection");
        }
    }

    /// Keeps `conn` for a later call, unless the pool is full.
    pub(crate) fn put(&self, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.max_idle {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
    }
}
