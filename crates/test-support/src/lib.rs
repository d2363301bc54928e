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
//! - [`alloc`]: a counting global allocator.
//!
//! Unpublished: only the workspace's tests and benchmarks use it.

pub mod alloc;
pub mod bad_inputs;
pub mod conformance;
pub mod raw;
