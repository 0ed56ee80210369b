//! Deadlines: a call has one, and connecting has its own within it.
//!
//! Every socket read and write arms the socket's timeout with what is left
//! of the current deadline (see [`crate::stream::Socket`]), so a server that
//! trickles one byte at a time cannot stretch a call past its deadline.

use std::io;
use std::time::{Duration, Instant};

use crate::error::Error;

/// How much time is left until `deadline`, or `None` if it has passed.
pub(crate) fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
}

/// `now + duration`, saturating far in the future instead of overflowing.
pub(crate) fn after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365))
}

/// The deadline for connecting, started now: the connect timeout, cut short
/// by the call's own deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectDeadline {
    /// When connecting must be done.
    pub(crate) at: Instant,
    /// Whether the call's deadline comes first, so running out of time is a
    /// [`Error::Timeout`] rather than a [`Error::ConnectTimeout`].
    call_binds: bool,
}

impl ConnectDeadline {
    pub(crate) fn new(connect_timeout: Duration, call: Instant) -> Self {
        let own = after(connect_timeout);
        ConnectDeadline {
            at: own.min(call),
            call_binds: call <= own,
        }
    }

    /// The error for running out of time while connecting.
    pub(crate) fn expired(&self) -> Error {
        if self.call_binds {
            Error::Timeout
        } else {
            Error::ConnectTimeout
        }
    }
}

/// Whether an I/O error means a socket timeout fired: `WouldBlock` on Unix,
/// `TimedOut` on Windows and from [`crate::stream::Socket`] itself.
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_deadline_names_the_error() {
        let soon = after(Duration::from_millis(10));
        let late = after(Duration::from_secs(60));
        let by_call = ConnectDeadline::new(Duration::from_secs(60), soon);
        assert_eq!(by_call.at, soon);
        assert!(matches!(by_call.expired(), Error::Timeout));
        let by_connect = ConnectDeadline::new(Duration::from_millis(10), late);
        assert!(by_connect.at < late);
        assert!(matches!(by_connect.expired(), Error::ConnectTimeout));
    }

    #[test]
    fn a_passed_deadline_has_nothing_left() {
        let past = Instant::now();
        assert_eq!(remaining(past), None);
        assert!(remaining(after(Duration::from_secs(5))).is_some());
        // A huge timeout does not overflow.
        assert!(remaining(after(Duration::MAX)).is_some());
    }
}
