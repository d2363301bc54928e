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

/// The client's request body failed to arrive whole (a malformed chunk, a
/// connection closed half-way): the client's fault, told apart from the
/// upstream's failures by this wrapper.
#[derive(Debug)]
pub(crate) struct ClientBodyError(pub(crate) BoxError);

impl std::fmt::Display for ClientBodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the client's request body: {}", self.0)
    }
}

impl std::error::Error for ClientBodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Whether an error (or one of its causes) is the client's body failing.
pub(crate) fn is_client_body_error(e: &(dyn std::error::Error + 'static)) -> bool {
    has_cause::<ClientBodyError>(e)
}

/// Whether an error (or one of its causes) is the body-size limit.
pub(crate) fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    has_cause::<http_body_util::LengthLimitError>(e)
}

fn has_cause<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<T>() {
            return true;
        }
        cur = err.source();
    }
    false
}
