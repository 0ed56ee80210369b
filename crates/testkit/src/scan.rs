//! An allocator that finds unwiped secrets.
//!
//! While [armed](arm), it records a backtrace for every block allocated and
//! scans every block freed (and, at [`disarm`], every block still
//! allocated) for the armed byte patterns. Each block found holding one is a
//! [`Hit`], attributed to the crate whose code allocated it: the first frame
//! of the allocation's backtrace outside the standard library and the plain
//! data-structure crates (`bytes`, `http`, `hashbrown`), which allocate on
//! their caller's behalf.
//!
//! A `realloc` is an allocation, a copy and a free (the default
//! `GlobalAlloc::realloc`), so the old block of a buffer that grew is
//! scanned too: exactly the copy a reallocation leaves behind.
//!
//! Use it as the global allocator of a `harness = false` test, arm it around
//! one call, and look at what [`disarm`] returns.
// A GlobalAlloc impl is unsafe by definition, and scanning a block means
// reading memory through a raw pointer. Everything else stays safe.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// The allocator: the system's, plus the scanning while armed.
#[derive(Debug)]
pub struct ScanningAlloc;

static ARMED: AtomicBool = AtomicBool::new(false);
static STATE: Mutex<Option<State>> = Mutex::new(None);

thread_local! {
    /// Set while this thread runs the allocator's own bookkeeping, whose
    /// allocations must not be recorded or scanned.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

struct State {
    patterns: Vec<Vec<u8>>,
    /// Blocks allocated since `arm` (the bookkeeping's own left out).
    allocations: usize,
    live: HashMap<usize, (usize, Backtrace)>,
    hits: Vec<Hit>,
}

/// A block that held one of the patterns when it was freed (or when the
/// scan ended with it still allocated).
pub struct Hit {
    /// The block's size in bytes.
    pub size: usize,
    /// Whether it was still allocated when the scan ended.
    pub still_allocated: bool,
    allocated_at: Option<Backtrace>,
}

impl Hit {
    /// The crate whose code allocated the block, or `"(before the scan)"`.
    pub fn owner(&self) -> String {
        match &self.allocated_at {
            Some(trace) => owner(&trace.to_string()),
            None => "(before the scan)".to_owned(),
        }
    }

    /// The allocation's backtrace, resolved.
    pub fn trace(&self) -> String {
        self.allocated_at
            .as_ref()
            .map_or_else(String::new, ToString::to_string)
    }
}

impl fmt::Debug for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hit")
            .field("size", &self.size)
            .field("still_allocated", &self.still_allocated)
            .field("owner", &self.owner())
            .finish()
    }
}

fn with_state(f: impl FnOnce(&mut State)) {
    let entered = BUSY.try_with(|busy| !busy.replace(true)).unwrap_or(false);
    if !entered {
        return;
    }
    if let Some(state) = STATE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_mut()
    {
        f(state);
    }
    let _ = BUSY.try_with(|busy| busy.set(false));
}

/// Starts recording allocations and scanning frees for `patterns`.
pub fn arm(patterns: Vec<Vec<u8>>) {
    let entered = BUSY.try_with(|busy| busy.replace(true));
    *STATE.lock().unwrap_or_else(PoisonError::into_inner) = Some(State {
        patterns,
        allocations: 0,
        live: HashMap::new(),
        hits: Vec::new(),
    });
    if entered == Ok(false) {
        let _ = BUSY.try_with(|busy| busy.set(false));
    }
    ARMED.store(true, Ordering::SeqCst);
}

/// How many blocks were allocated since [`arm`] (a reallocation counts as
/// one), on every thread; 0 when not armed.
pub fn allocations() -> usize {
    let mut count = 0;
    with_state(|state| count = state.allocations);
    count
}

/// Stops, scans what is still allocated of what was allocated meanwhile,
/// and returns every hit.
pub fn disarm() -> Vec<Hit> {
    ARMED.store(false, Ordering::SeqCst);
    let _ = BUSY.try_with(|busy| busy.set(true));
    let state = STATE.lock().unwrap_or_else(PoisonError::into_inner).take();
    let mut hits = Vec::new();
    if let Some(mut state) = state {
        for (ptr, (size, trace)) in state.live.drain() {
            // Still allocated: the block is valid to read.
            let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, size) };
            if holds_any(bytes, &state.patterns) {
                hits.push(Hit {
                    size,
                    still_allocated: true,
                    allocated_at: Some(trace),
                });
            }
        }
        hits.append(&mut state.hits);
    }
    let _ = BUSY.try_with(|busy| busy.set(false));
    hits
}

fn holds_any(bytes: &[u8], patterns: &[Vec<u8>]) -> bool {
    patterns
        .iter()
        .filter(|p| !p.is_empty())
        .any(|p| bytes.windows(p.len()).any(|w| w == p.as_slice()))
}

unsafe impl GlobalAlloc for ScanningAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && ARMED.load(Ordering::Relaxed) {
            with_state(|state| {
                state.allocations += 1;
                state
                    .live
                    .insert(ptr as usize, (layout.size(), Backtrace::force_capture()));
            });
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && ARMED.load(Ordering::Relaxed) {
            with_state(|state| {
                state.allocations += 1;
                state
                    .live
                    .insert(ptr as usize, (layout.size(), Backtrace::force_capture()));
            });
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) {
            // SAFETY: the block is still allocated (it is freed below) and
            // `layout.size()` bytes long. Bytes never written are read too:
            // they are what a wipe must also have covered.
            let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            with_state(|state| {
                let site = state.live.remove(&(ptr as usize));
                if holds_any(bytes, &state.patterns) {
                    state.hits.push(Hit {
                        size: layout.size(),
                        still_allocated: false,
                        allocated_at: site.map(|(_, trace)| trace),
                    });
                }
            });
        }
        // SAFETY: forwarded as given.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// The crate a resolved backtrace's allocation belongs to.
fn owner(trace: &str) -> String {
    for line in trace.lines() {
        let Some((_, symbol)) = line.trim_start().split_once(": ") else {
            continue;
        };
        if line.trim_start().starts_with("at ") {
            continue;
        }
        let symbol = symbol.trim_start_matches(['<', '&']);
        let symbol = symbol.strip_prefix("mut ").unwrap_or(symbol);
        // `<T as Trait>::f`: a generic blanket impl, look further out.
        let generic = symbol
            .split_once(" as ")
            .is_some_and(|(head, _)| !head.contains("::"));
        if generic || SKIP.iter().any(|prefix| symbol.starts_with(prefix)) {
            continue;
        }
        let krate = symbol.split("::").next().unwrap_or(symbol);
        return krate.to_owned();
    }
    "(unknown)".to_owned()
}

/// Frames that allocate on their caller's behalf.
const SKIP: &[&str] = &[
    "std::",
    "core::",
    "alloc::",
    "__rust",
    "rust_",
    "rescue_sso_testkit::",
    "bytes::",
    "http::",
    "hashbrown::",
    "[u8]",
    "str",
    "[",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_skip_the_standard_library_and_data_structures() {
        let trace = "   0: rescue_sso_testkit::scan::ScanningAlloc::alloc\n\
                     1: alloc::raw_vec::RawVecInner<A>::grow_amortized\n\
                     at /rustc/x/library/alloc/src/raw_vec.rs:1:1\n\
                     2: <T as alloc::borrow::ToOwned>::to_owned\n\
                     3: bytes::bytes_mut::BytesMut::reserve_inner\n\
                     4: rescue_sso_proto::encode::request\n";
        assert_eq!(owner(trace), "rescue_sso_proto");
        assert_eq!(owner("   0: <rustls::conn::X as core::Y>::f\n"), "rustls");
        assert_eq!(owner(""), "(unknown)");
    }

    #[test]
    fn patterns_are_found_anywhere_in_a_block() {
        assert!(holds_any(b"xxsecretyy", &[b"secret".to_vec()]));
        assert!(!holds_any(b"xxsecreyy", &[b"secret".to_vec()]));
        assert!(!holds_any(b"anything", &[Vec::new()]));
    }
}
