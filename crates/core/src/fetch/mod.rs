//! The Fetch vocabulary both halves of crossgate speak: methods, header names
//! and the sets the [Fetch Standard] defines over them.
//!
//! Everything here is a pure function over bytes. The server half uses it to
//! validate policies; the browser half uses it to decide what a page may send
//! and what it may read.
//!
//! [Fetch Standard]: https://fetch.spec.whatwg.org/

mod header;
mod method;
mod safelist;
mod token;

pub use header::{
    is_cors_safelisted_response_header_name, is_forbidden_request_header_name, is_forbidden_response_header_name,
    is_header_name, is_http_tab_or_space, is_http_whitespace, trim_http_tab_or_space,
    CORS_NON_WILDCARD_REQUEST_HEADER_NAME,
};
pub use method::{is_cors_safelisted_method, is_forbidden_method, is_method, normalize_method};
pub use safelist::{
    cors_unsafe_request_header_names, is_cors_safelisted_request_header, is_cors_unsafe_request_header_byte,
    is_no_cors_safelisted_request_header_name, is_request_body_header_name, mime_essence, parse_single_range,
    MAX_SAFELISTED_TOTAL_LEN, MAX_SAFELISTED_VALUE_LEN,
};
pub use token::{is_tchar, is_token};
