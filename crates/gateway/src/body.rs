//! Body types: one boxed, streaming body type for everything the gateway
//! sends and forwards, so upstream bodies pass through chunk by chunk and
//! are never collected.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};

/// Errors carried by bodies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The gateway's body type, both directions.
pub(crate) type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// A complete body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}

/// No body.
pub(crate) fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// Boxes any streaming body.
pub(crate) fn boxed<B>(body: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// Whether an error (or one of its causes) is the body-size limit.
pub(crate) fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}
