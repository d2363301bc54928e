//! The DevTools-protocol client, shared with the other real-browser tests.

pub use crossgate_test_support::cdp::Chromium;
