//! What crossgate's test suites share, so that every level (the engine, the
//! tower layer, the gateway) reads the same tables and asserts the same:
//!
//! - [`bad_inputs`]: the bad-input table (`crates/core/tests/bad_inputs.toml`)
//!   expanded into concrete requests, and the checks every level applies;
//! - [`conformance`]: the engine's conformance table
//!   (`crates/core/tests/conformance.toml`), its cases and their expected
//!   answers, for the engine and for every adapter;
//! - [`raw`]: HTTP/1.1 exchanges over a plain `TcpStream`, for bytes the
//!   `http` crate will not carry;
//! - [`alloc`]: a counting global allocator;
//! - [`upstream_path`]: how the most lenient upstream resolves a path, the
//!   model for path-scope and path-normalisation tests.
//!
//! Unpublished: only the workspace's tests and benchmarks use it.

pub mod alloc;
pub mod bad_inputs;
pub mod conformance;
pub mod raw;
pub mod upstream_path;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty temporary directory for one test, named after it and
/// unique per process and call: tests write their scratch files there,
/// never into the tree.
///
/// # Panics
///
/// When the directory cannot be made.
pub fn tempdir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "crossgate-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}
