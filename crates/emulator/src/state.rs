//! What one emulator knows: companies, tickets, counters and what it saw.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use uuid::Uuid;

use crate::fault::{Faults, lock};
use crate::{Company, SeenRequest, Stats};

/// How many requests [`Shared::seen`] remembers; older ones are dropped so a
/// long benchmark run cannot grow it without bound.
const MAX_SEEN: usize = 4096;

/// Which console a ticket opens; a ticket only redeems on its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Desktop,
    Web,
}

#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) kind: Kind,
    pub(crate) company_id: String,
    pub(crate) sso_id: String,
    pub(crate) issued: Instant,
    pub(crate) used: bool,
}

/// Why a redemption failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redeem {
    Unknown,
    CompanyMismatch,
    Used,
    Expired,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections: AtomicU64,
    pub(crate) tls_handshakes: AtomicU64,
    pub(crate) tls_resumed: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) tickets_issued: AtomicU64,
    pub(crate) tickets_redeemed: AtomicU64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) base_url: String,
    pub(crate) companies: Vec<Company>,
    pub(crate) ttl: Duration,
    pub(crate) faults: Faults,
    pub(crate) counters: Counters,
    tickets: Mutex<Tickets>,
    seen: Mutex<VecDeque<SeenRequest>>,
    /// Woken each time a request is seen, a connection accepted or a
    /// handshake done.
    arrivals: std::sync::Condvar,
    /// Tells every open connection to close.
    pub(crate) close_all: tokio::sync::Notify,
    /// How `requestAuthCodeSSO` spells its success.
    pub(crate) auth_code_format: AuthCodeFormat,
    /// Each technician's current auth code, by (company, SSO ID): a new one
    /// replaces the old.
    auth_codes: Mutex<HashMap<(String, String), String>>,
}

/// How the emulator spells a `requestAuthCodeSSO` success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthCodeFormat {
    /// `OK AUTHCODE: <code>`, as Rescue's API guide prints it.
    #[default]
    Documented,
    /// `OK`, a line feed, `AUTHCODE: <code>` (inferred variant).
    LineFeed,
    /// `OK`, CR LF, `AUTHCODE: <code>` (inferred variant).
    CrLf,
    /// `OK AUTHCODE:<code>`, no space after the colon (inferred variant).
    NoSpace,
}

/// Issued tickets, and their IDs in issue order so old ones can be dropped
/// from the front in amortised constant time: a benchmark issues tickets by
/// the hundred thousand, and scanning them all on every issue made each
/// request slower than the last.
#[derive(Debug, Default)]
struct Tickets {
    by_id: HashMap<Uuid, Ticket>,
    order: VecDeque<(Instant, Uuid)>,
}

impl Shared {
    pub(crate) fn new(
        base_url: String,
        companies: Vec<Company>,
        ttl: Duration,
        auth_code_format: AuthCodeFormat,
    ) -> Shared {
        Shared {
            auth_code_format,
            auth_codes: Mutex::new(HashMap::new()),
            base_url,
            companies,
            ttl,
            faults: Faults::default(),
            counters: Counters::default(),
            tickets: Mutex::new(Tickets::default()),
            seen: Mutex::new(VecDeque::new()),
            arrivals: std::sync::Condvar::new(),
            close_all: tokio::sync::Notify::new(),
        }
    }

    pub(crate) fn company(&self, id: &str) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }

    /// A new auth code for the technician, replacing their previous one:
    /// 80 lower-case letters and digits, like the guide's sample.
    pub(crate) fn issue_auth_code(&self, company_id: &str, sso_id: &str) -> String {
        let mut code = String::with_capacity(96);
        while code.len() < 80 {
            code.push_str(&Uuid::new_v4().simple().to_string());
        }
        code.truncate(80);
        lock(&self.auth_codes).insert((company_id.to_owned(), sso_id.to_owned()), code.clone());
        code
    }

    /// Whether `code` is some technician's current auth code.
    pub(crate) fn auth_code_valid(&self, code: &str) -> bool {
        lock(&self.auth_codes).values().any(|c| c == code)
    }

    pub(crate) fn issue(&self, kind: Kind, company_id: &str, sso_id: &str) -> Uuid {
        let id = Uuid::new_v4();
        let now = Instant::now();
        let mut tickets = lock(&self.tickets);
        // Expired tickets are only kept long enough to answer 410 for a while.
        let keep = self.ttl.saturating_mul(4).max(Duration::from_secs(60));
        while let Some(&(issued, old)) = tickets.order.front() {
            if now.saturating_duration_since(issued) < keep {
                break;
            }
            tickets.order.pop_front();
            tickets.by_id.remove(&old);
        }
        tickets.order.push_back((now, id));
        tickets.by_id.insert(
            id,
            Ticket {
                kind,
                company_id: company_id.to_owned(),
                sso_id: sso_id.to_owned(),
                issued: now,
                used: false,
            },
        );
        self.counters.tickets_issued.fetch_add(1, Ordering::Relaxed);
        id
    }

    /// Marks a ticket used, once; returns the technician's SSO ID.
    pub(crate) fn redeem(
        &self,
        kind: Kind,
        ticket: Uuid,
        company_id: Option<&str>,
    ) -> Result<String, Redeem> {
        let mut tickets = lock(&self.tickets);
        let t = tickets
            .by_id
            .get_mut(&ticket)
            .filter(|t| t.kind == kind)
            .ok_or(Redeem::Unknown)?;
        if company_id.is_some_and(|c| c != t.company_id) {
            return Err(Redeem::CompanyMismatch);
        }
        if t.used {
            return Err(Redeem::Used);
        }
        if t.issued.elapsed() >= self.ttl {
            return Err(Redeem::Expired);
        }
        t.used = true;
        self.counters
            .tickets_redeemed
            .fetch_add(1, Ordering::Relaxed);
        Ok(format!("{} of company {}", t.sso_id, t.company_id))
    }

    pub(crate) fn saw(&self, request: SeenRequest) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut seen = lock(&self.seen);
        if seen.len() >= MAX_SEEN {
            seen.pop_front();
        }
        seen.push_back(request);
        self.arrivals.notify_all();
    }

    /// Counts one more of `counter` and wakes the waiters; returns the new
    /// count.
    pub(crate) fn count(&self, counter: &AtomicU64) -> u64 {
        let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
        // Under the lock the waiters check under, so no wake-up is lost.
        let _seen = lock(&self.seen);
        self.arrivals.notify_all();
        n
    }

    /// Blocks until `done` holds for the counters, or `timeout` passes;
    /// whether it held.
    pub(crate) fn wait_until(&self, done: impl Fn(&Stats) -> bool, timeout: Duration) -> bool {
        let seen = lock(&self.seen);
        let (_seen, waited) = self
            .arrivals
            .wait_timeout_while(seen, timeout, |_| !done(&self.stats()))
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !waited.timed_out()
    }

    /// Blocks until `count` requests in all have been seen, or `timeout`
    /// passes; whether they were.
    pub(crate) fn wait_for_requests(&self, count: u64, timeout: Duration) -> bool {
        self.wait_until(|stats| stats.requests >= count, timeout)
    }

    pub(crate) fn seen(&self) -> Vec<SeenRequest> {
        lock(&self.seen).iter().cloned().collect()
    }

    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            connections: c.connections.load(Ordering::Relaxed),
            tls_handshakes: c.tls_handshakes.load(Ordering::Relaxed),
            tls_resumed: c.tls_resumed.load(Ordering::Relaxed),
            requests: c.requests.load(Ordering::Relaxed),
            tickets_issued: c.tickets_issued.load(Ordering::Relaxed),
            tickets_redeemed: c.tickets_redeemed.load(Ordering::Relaxed),
        }
    }
}
