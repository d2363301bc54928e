//! The CORS gateway behind `crossgate serve`.
