//! Test support for the rescue-sso crates. Not published.
//!
//! - [`scan`]: a global allocator that, while armed, remembers where each
//!   block was allocated and scans every block as it is freed for the
//!   caller's secrets, so a test can prove that a whole call leaves no
//!   unwiped copy of the master SSO password in memory that our crates
//!   allocated.
//! - `child` (feature `child`, on by default): the emulator in a child
//!   process (this test binary, run again), so that what the server side
//!   allocates stays out of a scan.
#![deny(missing_docs)]

#[cfg(feature = "child")]
pub mod child;
pub mod scan;

/// An error and the `Display` of each of its sources, joined with `": "`:
/// what a log line or a CLI's `error:` line built from the chain shows.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        out.push_str(": ");
        out.push_str(&next.to_string());
        source = next.source();
    }
    out
}
