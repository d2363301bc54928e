//! The policy as written: plain data, (de)serializable, validated by
//! [`Policy::new`](crate::Policy::new).
//!
//! A policy file in TOML:
//!
//! ```toml
//! preflight_status = 204            # optional
//! strict = false                    # optional
//! [[rule]]
//! origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*"]
//! methods = ["GET", "POST", "DELETE"]
//! request_headers = ["content-type", "authorization"]
//! expose_headers = ["x-request-id"]
//! credentials = true
//! max_age = 600
//! paths = ["/api/*"]                # optional scope
//! ```

use serde::{Deserialize, Serialize};

/// Whether decisions are enforced or only reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Responses carry the policy's headers; strict mode blocks.
    #[default]
    Enforce,
    /// Requests and responses pass through untouched; each decision is
    /// reported (a `tracing` event in the middleware), so a policy can be
    /// tried against live traffic before it is enforced.
    ReportOnly,
}

/// What to do with `Access-Control-*` headers the inner service already set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpstreamCorsHeaders {
    /// Remove them and send the policy's (the default).
    #[default]
    Replace,
    /// If the inner response has any, leave the response's CORS headers as
    /// they are and add none.
    Keep,
    /// Treat a response that has any as an error (the gateway answers 502).
    Reject,
}

/// A whole policy: ordered rules and policy-wide settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Status of an allowed preflight's answer: 204 (default), or 200 for
    /// legacy clients. Must be 2xx.
    pub preflight_status: u16,
    /// Answer 403 to disallowed cross-origin actual requests before the inner
    /// service runs (so a disallowed `DELETE` never executes).
    pub strict: bool,
    /// Enforce, or only report.
    pub mode: Mode,
    /// Rejected preflights get a one-line plain-text body saying why.
    pub debug: bool,
    /// What to do with CORS headers the inner service set.
    pub upstream_cors_headers: UpstreamCorsHeaders,
    /// The rules, in order: the first that matches a request wins.
    #[serde(rename = "rule")]
    pub rules: Vec<RuleConfig>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            preflight_status: 204,
            strict: false,
            mode: Mode::Enforce,
            debug: false,
            upstream_cors_headers: UpstreamCorsHeaders::Replace,
            rules: Vec::new(),
        }
    }
}

impl PolicyConfig {
    /// A policy with one rule.
    pub fn new(rule: RuleConfig) -> Self {
        PolicyConfig { rules: vec![rule], ..Default::default() }
    }

    /// Appends a rule.
    #[must_use]
    pub fn rule(mut self, rule: RuleConfig) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets `strict`.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Sets `debug`.
    #[must_use]
    pub fn debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }

    /// Sets `mode`.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets `preflight_status`.
    #[must_use]
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.preflight_status = status;
        self
    }

    /// Sets `upstream_cors_headers`.
    #[must_use]
    pub fn upstream_cors_headers(mut self, what: UpstreamCorsHeaders) -> Self {
        self.upstream_cors_headers = what;
        self
    }

    /// Parses a policy file in TOML. Only syntax and types are checked here;
    /// [`Policy::new`](crate::Policy::new) checks the rest.
    #[cfg(feature = "toml")]
    pub fn from_toml(s: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(s)
    }

    /// Parses a policy file in JSON (the same keys as TOML, `rule` an array).
    #[cfg(feature = "json")]
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// One rule: which origins may do what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Origin patterns: exact origins, `https://*.example.com`,
    /// `http://localhost:*`, `*`, or `null` (with its opt-in).
    #[serde(default)]
    pub origins: Vec<String>,
    /// Allowed methods, case-sensitive; `*` for any. Absent means
    /// `GET`, `HEAD` and `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// Allowed request headers, case-insensitive; `*` for any except
    /// `authorization`, which must be named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<String>,
    /// Response headers the page may read beyond the safelisted ones; `*`
    /// for all (only without credentials).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// Allow cookies and HTTP authentication (`Access-Control-Allow-Credentials`).
    #[serde(default)]
    pub credentials: bool,
    /// Seconds a browser may cache a preflight answer: 0 up to
    /// [`MAX_AGE_LIMIT`](crate::limits::MAX_AGE_LIMIT), or -1 to forbid
    /// caching. Absent: no header (browsers use 5 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    /// Answer `Access-Control-Request-Private-Network: true` preflights.
    #[serde(default)]
    pub allow_private_network: bool,
    /// Path scope: `/exact` or `/prefix/*`. Absent: every path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Allow `null` in `origins`: sandboxed iframes, `file:` pages and
    /// redirected requests all send it, so anyone can.
    #[serde(default)]
    pub dangerously_allow_null_origin: bool,
    /// Allow `*` with `credentials`: every origin is reflected with
    /// credentials, so any site can act as the user.
    #[serde(default)]
    pub dangerously_allow_any_origin_with_credentials: bool,
    /// Allow plain-`http` origins (other than loopback) with `credentials`:
    /// a network attacker can inject script into them.
    #[serde(default)]
    pub dangerously_allow_insecure_origins_with_credentials: bool,
    /// Allow credentialed `*.` patterns over public suffixes such as
    /// `*.github.io`, where anyone can register a subdomain.
    #[serde(default)]
    pub dangerously_allow_public_suffix_subdomains: bool,
}

impl RuleConfig {
    /// A rule for these origins; everything else at its default.
    pub fn new<I, S>(origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RuleConfig { origins: origins.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    /// Sets `methods`.
    #[must_use]
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `request_headers`.
    #[must_use]
    pub fn request_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.request_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `expose_headers`.
    #[must_use]
    pub fn expose_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expose_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `credentials`.
    #[must_use]
    pub fn credentials(mut self, credentials: bool) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets `max_age` in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets `allow_private_network`.
    #[must_use]
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    /// Sets `paths`.
    #[must_use]
    pub fn paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.paths = Some(paths.into_iter().map(Into::into).collect());
        self
    }
}
