//! The front-end origin: the page, and the explanations it asks for next to
//! every call (the gateway's explain, against the policy in force).

use std::sync::Arc;

use crossgate_gateway::{Call, Runtime};
use http::{header, HeaderValue, Request, Response, StatusCode};

use crate::response::{self, Body};

const PAGE: &str = include_str!("page.html");

/// The front-end's answers.
pub(crate) struct Front {
    /// The page, with the origins filled in.
    page: String,
    /// The config the gateway serves with.
    runtime: Arc<Runtime>,
    /// The `Host` the browser sends to the API.
    api_host: String,
}

impl Front {
    /// The front-end for a page at `front_url` (and `other_front_url`)
    /// calling the API at `api_url` through a gateway serving `runtime`.
    pub(crate) fn new(api_url: &str, front_url: &str, other_front_url: &str, runtime: Arc<Runtime>) -> Front {
        let page =
            PAGE.replace("__API__", api_url).replace("__ALLOWED__", front_url).replace("__OTHER__", other_front_url);
        let api_host = api_url.trim_start_matches("http://").to_owned();
        Front { page, runtime, api_host }
    }

    /// Answers one request.
    pub(crate) fn answer<B>(&self, req: &Request<B>) -> Response<Body> {
        match req.uri().path() {
            "/" | "/index.html" => {
                let mut r = response::with_status(StatusCode::OK, self.page.clone());
                r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                r
            }
            "/explain" => {
                let call = Call::from_query(req.uri().query().unwrap_or(""));
                response::json(StatusCode::OK, &crossgate_gateway::explain(&self.runtime, &self.api_host, &call))
            }
            _ => response::plain(StatusCode::NOT_FOUND, "Not Found"),
        }
    }
}
