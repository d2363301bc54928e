//! A counting global allocator, to prove that deciding allocates nothing.
//!
//! Counting is per thread and only while [`measure`] runs, so tests that
//! run in parallel threads of one binary do not see each other's
//! allocations. Install it in the test binary:
//!
//! ```
//! use crossgate_test_support::alloc::{measure, Counting};
//!
//! #[global_allocator]
//! static ALLOCATOR: Counting = Counting;
//!
//! # fn main() {
//! let usage = measure(|| drop(vec![1u8; 10]));
//! assert_eq!((usage.allocations, usage.bytes), (1, 10));
//! assert_eq!(measure(|| ()).allocations, 0);
//! # }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations (a reallocation counts: it may move the block) and
/// the bytes asked for on the measuring thread, then defers to [`System`].
pub struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    /// Bytes allocated minus bytes freed since `measure` began (negative
    /// when it frees what was allocated before).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    if ON.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        let _ = BYTES.try_with(|c| c.set(c.get() + bytes));
    }
}

fn live(delta: isize) {
    if ON.try_with(Cell::get).unwrap_or(false) {
        let now = LIVE.try_with(|c| {
            c.set(c.get().saturating_add(delta));
            c.get()
        });
        if let Ok(now) = now {
            let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
        }
    }
}

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches
// only const-initialised thread-locals and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        live(signed(layout.size()));
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        live(signed(layout.size()));
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        live(signed(new_size) - signed(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-signed(layout.size()));
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// What [`measure`] counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Allocations and reallocations.
    pub allocations: usize,
    /// Bytes asked for by them.
    pub bytes: usize,
    /// The most bytes held at once on this thread, counted from the start
    /// of the measurement: the peak memory `f` needed.
    pub peak: usize,
}

/// What `f` allocates on this thread (with [`Counting`] installed as the
/// global allocator; without it, always zero).
pub fn measure(f: impl FnOnce()) -> Usage {
    ALLOCATIONS.with(|c| c.set(0));
    BYTES.with(|c| c.set(0));
    LIVE.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    ON.with(|c| c.set(true));
    f();
    ON.with(|c| c.set(false));
    Usage {
        allocations: ALLOCATIONS.with(Cell::get),
        bytes: BYTES.with(Cell::get),
        peak: PEAK.with(Cell::get).unsigned_abs(),
    }
}
