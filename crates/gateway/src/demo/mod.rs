//! The built-in demo.
