//! The bounds crossgate works within: how much of a request's CORS headers
//! it reads before refusing them, and the max-age a policy may set beside
//! the caps browsers impose on it.

pub use crate::acrh::{MAX_ACRH_BYTES, MAX_ACRH_EMPTY_ELEMENTS, MAX_ACRH_LINES};
pub use crate::max_age::{CHROMIUM_MAX_AGE_CAP, FIREFOX_MAX_AGE_CAP, MAX_AGE_LIMIT, WEBKIT_MAX_AGE_CAP};
pub use crate::origin::serialized::MAX_ORIGIN_LEN;
