//! A sans-IO emulator of the browser half of CORS.
#![forbid(unsafe_code)]
