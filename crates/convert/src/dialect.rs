//! The configuration languages crossgate reads and writes.

use std::fmt;
use std::str::FromStr;

/// A framework whose CORS configuration crossgate imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// django-cors-headers settings (`settings.py`).
    Django,
    /// flask-cors: `CORS(app, …)` in the app's module.
    Flask,
    /// Starlette's or FastAPI's `CORSMiddleware`.
    Starlette,
    /// Express's `cors` middleware: its options object (JSON or a JavaScript literal).
    Express,
    /// nginx: `add_header Access-Control-*` in server and location blocks, with `map $http_origin`.
    Nginx,
    /// Envoy's `CorsPolicy` (API v3), YAML or JSON.
    Envoy,
    /// Kubernetes Gateway API: the `CORS` filter of an `HTTPRoute` (v1).
    GatewayApi,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 7] = [
        Dialect::Django,
        Dialect::Flask,
        Dialect::Starlette,
        Dialect::Express,
        Dialect::Nginx,
        Dialect::Envoy,
        Dialect::GatewayApi,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Django => "django",
            Dialect::Flask => "flask",
            Dialect::Starlette => "starlette",
            Dialect::Express => "express",
            Dialect::Nginx => "nginx",
            Dialect::Envoy => "envoy",
            Dialect::GatewayApi => "gateway-api",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        Dialect::ALL.into_iter().find(|d| d.as_str() == s || (s == "fastapi" && *d == Dialect::Starlette)).ok_or_else(
            || {
                format!(
                    "unknown dialect `{s}`; one of {}",
                    Dialect::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
                )
            },
        )
    }
}
