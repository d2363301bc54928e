//! Origins, both ways: the exact bytes a browser sends in `Origin`
//! ([`RequestOrigin`]), the patterns a policy writes ([`OriginPattern`],
//! parsed strictly by [`parse_pattern`]), and the compiled set a rule
//! matches request origins against.
//!
//! <https://html.spec.whatwg.org/multipage/origin.html#concept-origin>

pub(crate) mod app;
mod pattern;
pub(crate) mod serialized;
mod set;

pub use pattern::{parse_pattern, HostSpec, OriginPattern, ParsedPattern, PatternError, PortSpec};
pub use serialized::{RequestOrigin, Scheme};
pub(crate) use set::OriginTable;
