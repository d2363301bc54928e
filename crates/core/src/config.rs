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

use crate::origin_set::OriginSet;
use crate::predicate::OriginPredicate;
use crate::preset::Preset;

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
///
/// Made with [`PolicyConfig::new`] and the setters (or parsed from a
/// policy file); the fields can be read and changed, and new ones may be
/// added, so it is never written as a struct literal outside this crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
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
    /// A policy with one rule (and every policy-wide setting at its default).
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"])))?.policy;
    /// let (status, headers) = respond(&policy, "GET /", &[("origin", "https://app.example.com")]);
    /// assert_eq!(status, 200);
    /// assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    pub fn new(rule: RuleConfig) -> Self {
        PolicyConfig { rules: vec![rule], ..Default::default() }
    }

    /// Appends a rule: tried after the ones before it.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(
    ///     PolicyConfig::new(RuleConfig::new(["https://app.example.com"]))
    ///         .rule(RuleConfig::new(["https://admin.example.com"]).methods(["DELETE"])),
    /// )?
    /// .policy;
    /// let preflight = [("origin", "https://admin.example.com"), ("access-control-request-method", "DELETE")];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight).1["access-control-allow-methods"], "DELETE");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn rule(mut self, rule: RuleConfig) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets every rule at once, in order, replacing any already there.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rules = [RuleConfig::new(["https://a.example"]), RuleConfig::new(["https://b.example"])];
    /// let policy = Policy::new(PolicyConfig::default().rules(rules))?.policy;
    /// assert_eq!(policy.rule_count(), 2);
    /// assert_eq!(respond(&policy, "GET /", &[("origin", "https://b.example")]).1["access-control-allow-origin"], "https://b.example");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn rules(mut self, rules: impl IntoIterator<Item = RuleConfig>) -> Self {
        self.rules = rules.into_iter().collect();
        self
    }

    /// Sets `strict`: a disallowed cross-origin request is answered 403 before
    /// the inner service runs.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = || RuleConfig::new(["https://app.example.com"]).methods(["GET", "DELETE"]);
    /// let evil = [("origin", "https://evil.example")];
    /// let lenient = Policy::new(PolicyConfig::new(rule()))?.policy;
    /// assert_eq!(respond(&lenient, "DELETE /items/7", &evil).0, 200);
    /// let strict = Policy::new(PolicyConfig::new(rule()).strict(true))?.policy;
    /// assert_eq!(respond(&strict, "DELETE /items/7", &evil).0, 403);
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Sets `debug`: a refusal's body says why, in one line.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"])).debug(true))?.policy;
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", HeaderValue::from_static("https://evil.example"));
    /// request.insert("access-control-request-method", HeaderValue::from_static("GET"));
    /// let Action::Answer(answer) = policy.evaluate(&Method::OPTIONS, "/", &request).into_action() else { panic!() };
    /// assert_eq!(answer.status, 403);
    /// assert!(answer.debug_body.unwrap().starts_with("CORS preflight rejected: origin not allowed"));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }

    /// Sets `mode`: in report-only mode every request goes to the inner
    /// service untouched, preflights included.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// use crossgate_core::Mode;
    /// let config = PolicyConfig::new(RuleConfig::new(["https://app.example.com"])).mode(Mode::ReportOnly);
    /// let policy = Policy::new(config)?.policy;
    /// let preflight = [("origin", "https://evil.example"), ("access-control-request-method", "GET")];
    /// let (status, headers) = respond(&policy, "OPTIONS /", &preflight);
    /// assert_eq!(status, 200, "answered by the handler");
    /// assert!(headers.is_empty());
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets `preflight_status`, the status of an allowed preflight's answer.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let config = PolicyConfig::new(RuleConfig::new(["https://app.example.com"])).preflight_status(200);
    /// let policy = Policy::new(config)?.policy;
    /// let preflight = [("origin", "https://app.example.com"), ("access-control-request-method", "GET")];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight).0, 200);
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.preflight_status = status;
        self
    }

    /// Sets `upstream_cors_headers`: what happens to CORS headers the inner
    /// service set itself.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// use crossgate_core::UpstreamCorsHeaders;
    /// let config = PolicyConfig::new(RuleConfig::new(["https://app.example.com"]))
    ///     .upstream_cors_headers(UpstreamCorsHeaders::Keep);
    /// let policy = Policy::new(config)?.policy;
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", HeaderValue::from_static("https://app.example.com"));
    /// let Action::Forward(pending) = policy.evaluate(&Method::GET, "/", &request).into_action() else { panic!() };
    /// let mut inner = HeaderMap::new();
    /// inner.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    /// pending.finish(&mut inner).unwrap();
    /// assert_eq!(inner["access-control-allow-origin"], "*", "kept as the inner service set it");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn upstream_cors_headers(mut self, what: UpstreamCorsHeaders) -> Self {
        self.upstream_cors_headers = what;
        self
    }

    /// Parses a policy file in TOML. Only syntax and types are checked here;
    /// [`Policy::new`](crate::Policy::new) checks the rest.
    ///
    /// # Errors
    ///
    /// The TOML error, naming the key and line.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let config = PolicyConfig::from_toml("strict = true\n[[rule]]\norigins = [\"https://app.example.com\"]\n").unwrap();
    /// assert!(config.strict);
    /// let policy = Policy::new(config)?.policy;
    /// assert_eq!(respond(&policy, "GET /", &[("origin", "https://evil.example")]).0, 403);
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml(s: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(s)
    }

    /// Parses a policy file in JSON (the same keys as TOML, `rule` an array).
    ///
    /// # Errors
    ///
    /// The JSON error, with its line and column.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let config = PolicyConfig::from_json(r#"{"rule": [{"origins": ["https://app.example.com"], "max_age": 600}]}"#).unwrap();
    /// assert_eq!(config.rules[0].max_age, Some(600));
    /// let policy = Policy::new(config)?.policy;
    /// let preflight = [("origin", "https://app.example.com"), ("access-control-request-method", "GET")];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight).1["access-control-max-age"], "600");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[cfg(feature = "json")]
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// One rule: which origins may do what.
///
/// Made with [`RuleConfig::new`] and the setters (or parsed from a policy
/// file); as with [`PolicyConfig`], never a struct literal outside this
/// crate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RuleConfig {
    /// A protocol's methods and headers ([`Preset`]), which the rule's own
    /// `methods`, `request_headers` and `expose_headers` add to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// Origin patterns: exact origins, `https://*.example.com`,
    /// `http://localhost:*`, `*`, or `null` (with its opt-in).
    #[serde(default)]
    pub origins: Vec<String>,
    /// Custom schemes whose pages this rule accepts (`tauri`, `capacitor`,
    /// `app`): a platform's name adds the origins its builds send; any
    /// other scheme allows its origins listed exactly in `origins`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_schemes: Vec<String>,
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
    /// Origins a program changes at runtime, beside `origins` (not part of
    /// a policy file).
    #[serde(skip)]
    pub origin_set: Option<OriginSet>,
    /// A function of the parsed origin, for what no list expresses (not
    /// part of a policy file).
    #[serde(skip)]
    pub origin_predicate: Option<OriginPredicate>,
}

impl RuleConfig {
    /// A rule for these origins; everything else at its default (methods
    /// `GET`, `HEAD` and `POST`, no request headers, no credentials).
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com", "https://*.example.org"])))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://shop.example.org")]);
    /// assert_eq!(headers["access-control-allow-origin"], "https://shop.example.org");
    /// assert!(!respond(&policy, "GET /", &[("origin", "https://example.org")]).1.contains_key("access-control-allow-origin"));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    pub fn new<I, S>(origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RuleConfig { origins: origins.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    /// Sets `preset`: the methods and headers a protocol's clients need,
    /// which the rule's own lists add to.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, Preset, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = RuleConfig::new(["https://app.example.com"]).preset(Preset::GrpcWeb).request_headers(["x-tenant"]);
    /// let policy = Policy::new(PolicyConfig::new(rule))?.policy;
    /// let preflight = |h| [("origin", "https://app.example.com"), ("access-control-request-method", "POST"), ("access-control-request-headers", h)];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight("content-type,x-grpc-web,x-tenant")).0, 204);
    /// let (_, headers) = respond(&policy, "POST /", &[("origin", "https://app.example.com")]);
    /// assert_eq!(headers["access-control-expose-headers"], "grpc-status, grpc-message, grpc-status-details-bin");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn preset(mut self, preset: Preset) -> Self {
        self.preset = Some(preset);
        self
    }

    /// Sets `app_schemes`: the custom schemes whose pages may call. Naming
    /// Tauri or Capacitor adds every origin their builds send.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).app_schemes(["tauri"])))?.policy;
    /// for origin in ["tauri://localhost", "http://tauri.localhost"] {
    ///     assert_eq!(respond(&policy, "GET /", &[("origin", origin)]).1["access-control-allow-origin"], origin);
    /// }
    /// assert!(!respond(&policy, "GET /", &[("origin", "capacitor://localhost")]).1.contains_key("access-control-allow-origin"));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn app_schemes<I, S>(mut self, schemes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.app_schemes = schemes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `origin_set`: origins the program adds and removes while the
    /// policy runs, matched beside the rule's `origins`.
    ///
    /// ```
    /// use crossgate_core::{OriginSet, Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let customers = OriginSet::new();
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).origin_set(customers.clone())))?.policy;
    /// customers.insert("https://shop.customer.example")?;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://shop.customer.example")]);
    /// assert_eq!(headers["access-control-allow-origin"], "https://shop.customer.example");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn origin_set(mut self, set: OriginSet) -> Self {
        self.origin_set = Some(set);
        self
    }

    /// Sets `origin_predicate`: a function of the parsed origin (scheme,
    /// host, port) that allows it or not, tried after `origins` and the
    /// `origin_set`. It never sees `null`, app origins or malformed values,
    /// and with credentials a plain-`http` origin other than loopback stays
    /// refused.
    ///
    /// ```
    /// use crossgate_core::{OriginPredicate, Policy, PolicyConfig, RuleConfig};
    /// use crossgate_core::origin::Scheme;
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// // Any port of one review host, which no pattern says.
    /// let review = OriginPredicate::new(|o| o.scheme == Scheme::Https && o.host == b"review.example.com");
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).origin_predicate(review)))?.policy;
    /// let allowed = |origin| respond(&policy, "GET /", &[("origin", origin)]).1.contains_key("access-control-allow-origin");
    /// assert!(allowed("https://review.example.com:8443"));
    /// assert!(!allowed("https://review.example.com.evil.example"));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn origin_predicate(mut self, predicate: OriginPredicate) -> Self {
        self.origin_predicate = Some(predicate);
        self
    }

    /// Sets `methods`, matched case-sensitively; `*` for any.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["GET", "PUT"])))?.policy;
    /// let preflight = |m| [("origin", "https://app.example.com"), ("access-control-request-method", m)];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight("PUT")).1["access-control-allow-methods"], "PUT");
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight("DELETE")).0, 403);
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `request_headers`, the headers a page may send (any case); `*` for
    /// any but `authorization`.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).request_headers(["content-type"])))?.policy;
    /// let preflight = |h| [("origin", "https://app.example.com"), ("access-control-request-method", "POST"), ("access-control-request-headers", h)];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight("content-type")).1["access-control-allow-headers"], "content-type");
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight("x-secret")).0, 403);
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn request_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.request_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `expose_headers`, the response headers a page may read beyond the
    /// safelisted ones.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).expose_headers(["x-request-id"])))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://app.example.com")]);
    /// assert_eq!(headers["access-control-expose-headers"], "x-request-id");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn expose_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expose_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `credentials`: pages may send cookies and read the answer.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).credentials(true)))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://app.example.com")]);
    /// assert_eq!(headers["access-control-allow-credentials"], "true");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn credentials(mut self, credentials: bool) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets `max_age` in seconds: how long a browser may cache the
    /// preflight's answer (`-1`: not at all, sent as `0`).
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).max_age(600)))?.policy;
    /// let preflight = [("origin", "https://app.example.com"), ("access-control-request-method", "GET")];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight).1["access-control-max-age"], "600");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets `allow_private_network`: answer preflights for requests from a
    /// public page into this (private) network.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).allow_private_network(true)))?.policy;
    /// let preflight = [
    ///     ("origin", "https://app.example.com"),
    ///     ("access-control-request-method", "GET"),
    ///     ("access-control-request-private-network", "true"),
    /// ];
    /// assert_eq!(respond(&policy, "OPTIONS /", &preflight).1["access-control-allow-private-network"], "true");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    /// Sets `paths`, the rule's scope: `/exact` or `/prefix/*`.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let policy = Policy::new(PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).paths(["/api/*"])))?.policy;
    /// let app = [("origin", "https://app.example.com")];
    /// assert!(respond(&policy, "GET /api/items", &app).1.contains_key("access-control-allow-origin"));
    /// assert!(!respond(&policy, "GET /admin", &app).1.contains_key("access-control-allow-origin"));
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.paths = Some(paths.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `dangerously_allow_null_origin`, without which `null` in
    /// `origins` is an error: sandboxed iframes, `file:` pages and redirected
    /// requests all send it, so anyone can.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = || RuleConfig::new(["null"]);
    /// assert!(Policy::new(PolicyConfig::new(rule())).is_err());
    /// let policy = Policy::new(PolicyConfig::new(rule().dangerously_allow_null_origin(true)))?.policy;
    /// assert_eq!(respond(&policy, "GET /", &[("origin", "null")]).1["access-control-allow-origin"], "null");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn dangerously_allow_null_origin(mut self, allow: bool) -> Self {
        self.dangerously_allow_null_origin = allow;
        self
    }

    /// Sets `dangerously_allow_any_origin_with_credentials`, without which `*`
    /// with credentials is an error: every origin is then reflected with
    /// credentials, so any site can act as the user.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = || RuleConfig::new(["*"]).credentials(true);
    /// assert!(Policy::new(PolicyConfig::new(rule())).is_err());
    /// let policy = Policy::new(PolicyConfig::new(rule().dangerously_allow_any_origin_with_credentials(true)))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://anyone.example")]);
    /// assert_eq!(headers["access-control-allow-origin"], "https://anyone.example");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn dangerously_allow_any_origin_with_credentials(mut self, allow: bool) -> Self {
        self.dangerously_allow_any_origin_with_credentials = allow;
        self
    }

    /// Sets `dangerously_allow_insecure_origins_with_credentials`, without
    /// which a plain-`http` origin other than loopback is an error with
    /// credentials: anyone on the network can inject script into it.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = || RuleConfig::new(["http://intranet.example"]).credentials(true);
    /// assert!(Policy::new(PolicyConfig::new(rule())).is_err());
    /// let policy = Policy::new(PolicyConfig::new(rule().dangerously_allow_insecure_origins_with_credentials(true)))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "http://intranet.example")]);
    /// assert_eq!(headers["access-control-allow-credentials"], "true");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn dangerously_allow_insecure_origins_with_credentials(mut self, allow: bool) -> Self {
        self.dangerously_allow_insecure_origins_with_credentials = allow;
        self
    }

    /// Sets `dangerously_allow_public_suffix_subdomains`, without which a
    /// credentialed `*.` pattern over a public suffix (`*.github.io`) is an
    /// error: anyone can register a site there.
    ///
    /// ```
    /// use crossgate_core::{Policy, PolicyConfig, RuleConfig};
    /// # use crossgate_core::Action;
    /// # use http::{HeaderMap, HeaderValue, Method};
    /// # /// The status and headers `policy` answers `"METHOD /path"` with,
    /// # /// as a middleware in front of a handler that answers 200.
    /// # fn respond(policy: &Policy, request: &str, headers: &[(&'static str, &'static str)]) -> (u16, HeaderMap) {
    /// #     let (method, path) = request.split_once(' ').unwrap();
    /// #     let mut map = HeaderMap::new();
    /// #     for (n, v) in headers {
    /// #         map.append(*n, HeaderValue::from_static(v));
    /// #     }
    /// #     let mut response = HeaderMap::new();
    /// #     let status = match policy.evaluate(&Method::from_bytes(method.as_bytes()).unwrap(), path, &map).into_action() {
    /// #         Action::Answer(answer) => {
    /// #             let status = answer.status.as_u16();
    /// #             answer.write_headers(&mut response);
    /// #             status
    /// #         }
    /// #         Action::Refuse(vary) => {
    /// #             vary.merge_into(&mut response);
    /// #             403
    /// #         }
    /// #         Action::Forward(pending) => {
    /// #             pending.finish(&mut response).unwrap();
    /// #             200
    /// #         }
    /// #     };
    /// #     (status, response)
    /// # }
    /// let rule = || RuleConfig::new(["https://*.github.io"]).credentials(true);
    /// assert!(Policy::new(PolicyConfig::new(rule())).is_err());
    /// let policy = Policy::new(PolicyConfig::new(rule().dangerously_allow_public_suffix_subdomains(true)))?.policy;
    /// let (_, headers) = respond(&policy, "GET /", &[("origin", "https://someone.github.io")]);
    /// assert_eq!(headers["access-control-allow-origin"], "https://someone.github.io");
    /// # Ok::<(), crossgate_core::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn dangerously_allow_public_suffix_subdomains(mut self, allow: bool) -> Self {
        self.dangerously_allow_public_suffix_subdomains = allow;
        self
    }
}
