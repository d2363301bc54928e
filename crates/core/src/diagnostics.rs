//! Configuration diagnostics: every error and warning a policy can produce,
//! each with a stable code, the offending value, where it is, and how to fix
//! it.
//!
//! Building a policy checks everything and reports every problem at once;
//! it never panics. Errors make the policy unusable; warnings come back beside
//! a valid policy.

use std::fmt;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident; )*) => {
        /// A stable identifier for a diagnostic.
        ///
        /// Codes are never reused or renamed; [`Code::as_str`] gives the
        /// kebab-case form used in output and documentation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable kebab-case name, e.g. `any-origin-with-credentials`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether a diagnostic with this code makes the policy invalid.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    /// The policy has no rule at all.
    NoRules = "no-rules", Error;
    /// A rule lists no origin.
    NoOrigins = "no-origins", Error;
    /// An origin cannot be parsed (empty, no scheme, bad host or port).
    OriginInvalid = "origin-invalid", Error;
    /// An origin has a path, even just `/`.
    OriginHasPath = "origin-has-path", Error;
    /// An origin has a query.
    OriginHasQuery = "origin-has-query", Error;
    /// An origin has a fragment.
    OriginHasFragment = "origin-has-fragment", Error;
    /// An origin has a user name or password.
    OriginHasUserinfo = "origin-has-userinfo", Error;
    /// An origin spells out its scheme's default port, which browsers never send.
    OriginDefaultPort = "origin-default-port", Error;
    /// An origin's host ends with a dot.
    OriginTrailingDot = "origin-trailing-dot", Error;
    /// An IP address is not in the form browsers serialize.
    OriginNonCanonicalIp = "origin-non-canonical-ip", Error;
    /// A port is not in the form browsers serialize (e.g. a leading zero).
    OriginNonCanonicalPort = "origin-non-canonical-port", Error;
    /// The scheme is neither `http` nor `https`.
    OriginUnsupportedScheme = "origin-unsupported-scheme", Error;
    /// A wildcard is somewhere the pattern grammar does not allow it.
    OriginPatternInvalid = "origin-pattern-invalid", Error;
    /// `null` is listed without `dangerously_allow_null_origin`.
    NullOriginWithoutOptIn = "null-origin-without-opt-in", Error;
    /// A `file:` origin is listed; browsers send `null` for such pages.
    FileOrigin = "file-origin", Error;
    /// Any origin (`*`, or a pattern reaching every origin) with credentials.
    AnyOriginWithCredentials = "any-origin-with-credentials", Error;
    /// A credentialed `*.` pattern over a public suffix, e.g. `https://*.github.io`.
    PublicSuffixWithCredentials = "public-suffix-with-credentials", Error;
    /// A credentialed plain-`http` origin other than loopback or `localhost`.
    InsecureOriginWithCredentials = "insecure-origin-with-credentials", Error;
    /// CONNECT, TRACE or TRACK, which browsers never let a page send.
    MethodForbidden = "method-forbidden", Error;
    /// A method that is not an HTTP token.
    MethodInvalid = "method-invalid", Error;
    /// A header name that is not an HTTP token.
    HeaderInvalid = "header-invalid", Error;
    /// `*` in exposed headers together with credentials.
    ExposeWildcardWithCredentials = "expose-wildcard-with-credentials", Error;
    /// A max-age below -1 or above [`MAX_AGE_LIMIT`](crate::limits::MAX_AGE_LIMIT).
    MaxAgeOutOfRange = "max-age-out-of-range", Error;
    /// A preflight success status that is not 2xx.
    PreflightStatusInvalid = "preflight-status-invalid", Error;
    /// A path scope that is not `/exact` or `/prefix/*`.
    PathInvalid = "path-invalid", Error;
    /// An `app_schemes` entry that is not an app scheme (`https`, an
    /// extension scheme, not a scheme at all).
    AppSchemeInvalid = "app-scheme-invalid", Error;
    /// An origin on a custom scheme the rule does not name in `app_schemes`.
    AppSchemeNotListed = "app-scheme-not-listed", Error;
    /// A max-age above what some browsers honour
    /// ([`WEBKIT_MAX_AGE_CAP`](crate::limits::WEBKIT_MAX_AGE_CAP),
    /// [`CHROMIUM_MAX_AGE_CAP`](crate::limits::CHROMIUM_MAX_AGE_CAP)).
    MaxAgeAboveBrowserCap = "max-age-above-browser-cap", Warning;
    /// `*` in allowed headers without `authorization`, which `*` never covers.
    WildcardHeadersWithoutAuthorization = "wildcard-headers-without-authorization", Warning;
    /// A method that is not all upper-case; matching is case-sensitive.
    MethodNotUppercase = "method-not-uppercase", Warning;
    /// A rule no request can reach: earlier rules match everything it would.
    RuleShadowed = "rule-shadowed", Warning;
    /// The same value is listed twice in one field.
    Duplicate = "duplicate", Warning;
    /// An allowed request header a page can never send (forbidden by Fetch).
    ForbiddenRequestHeader = "forbidden-request-header", Warning;
    /// An origin was not in canonical form and was stored canonicalised.
    OriginNotCanonical = "origin-not-canonical", Warning;
    /// An exposed header that pages can read anyway, or never can.
    ExposeHeaderIneffective = "expose-header-ineffective", Warning;
    /// An app-scheme or platform origin, and which platform sends it.
    AppOrigin = "app-origin", Note;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a diagnostic invalidates the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be built.
    Error,
    /// The policy is built, but something is probably not what was meant.
    Warning,
    /// Nothing is wrong; this says what a setting means (which platform
    /// sends an app-scheme origin).
    Note,
}

impl Severity {
    /// `error` or `warning`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Where in a policy a diagnostic points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The rule's index (0-based), or `None` for a policy-wide setting.
    pub rule: Option<usize>,
    /// The field's name as written in a policy file, e.g. `origins`.
    pub field: &'static str,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rule {
            Some(i) => write!(f, "rule[{i}].{}", self.field),
            None => f.write_str(self.field),
        }
    }
}

/// One error or warning about a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem this is.
    pub code: Code,
    /// The offending value, as written.
    pub value: String,
    /// Where the value is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic {
    /// The diagnostic's severity (from its code).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]: {}: {} (help: {})",
            self.severity().as_str(),
            self.code,
            self.location,
            self.message,
            self.help
        )
    }
}

/// Every error and warning found in a policy that could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors {
    /// Errors and warnings, in the order they were found (rule by rule).
    pub diagnostics: Vec<Diagnostic>,
}

impl ConfigErrors {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity() == Severity::Error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity() == Severity::Warning)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        write!(f, "invalid CORS policy ({n} error{})", if n == 1 { "" } else { "s" })?;
        for d in self.errors() {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects diagnostics while a policy is checked.
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn push(
        &mut self,
        code: Code,
        rule: Option<usize>,
        field: &'static str,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            code,
            value: value.into(),
            location: Location { rule, field },
            message: message.into(),
            help: help.into(),
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity() == Severity::Error)
    }
}
