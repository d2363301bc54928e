//! The misconfiguration classes a finding can have, and the severities.

use std::fmt;

/// A class of CORS misconfiguration; [`Class::id`] is the stable name in
/// `--json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Class {
    ReflectAny,
    NullTrusted,
    NullAsDeny,
    PrefixMatch,
    SuffixMatch,
    SubstringReverse,
    SubstringContains,
    UnescapedDot,
    SpecialChars,
    PercentDecode,
    AnySubdomain,
    HttpOrigin,
    ThirdParty,
    DevOrigins,
    LocalhostRegex,
    Wildcard,
    WildcardSensitive,
    WildcardCredentials,
    MissingVary,
    PreflightPermissive,
    PnaGranted,
    InvalidAcao,
    HeaderInjection,
    DuplicateOrigin,
    PathScoped,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 25] = [
        Class::ReflectAny,
        Class::NullTrusted,
        Class::NullAsDeny,
        Class::PrefixMatch,
        Class::SuffixMatch,
        Class::SubstringReverse,
        Class::SubstringContains,
        Class::UnescapedDot,
        Class::SpecialChars,
        Class::PercentDecode,
        Class::AnySubdomain,
        Class::HttpOrigin,
        Class::ThirdParty,
        Class::DevOrigins,
        Class::LocalhostRegex,
        Class::Wildcard,
        Class::WildcardSensitive,
        Class::WildcardCredentials,
        Class::MissingVary,
        Class::PreflightPermissive,
        Class::PnaGranted,
        Class::InvalidAcao,
        Class::HeaderInjection,
        Class::DuplicateOrigin,
        Class::PathScoped,
    ];

    /// The id used in `--json`.
    pub const fn id(self) -> &'static str {
        match self {
            Class::ReflectAny => "reflect_any",
            Class::NullTrusted => "null_trusted",
            Class::NullAsDeny => "null_as_deny",
            Class::PrefixMatch => "prefix_match",
            Class::SuffixMatch => "suffix_match",
            Class::SubstringReverse => "substring_reverse",
            Class::SubstringContains => "substring_contains",
            Class::UnescapedDot => "unescaped_dot",
            Class::SpecialChars => "special_chars",
            Class::PercentDecode => "percent_decode",
            Class::AnySubdomain => "any_subdomain",
            Class::HttpOrigin => "http_origin",
            Class::ThirdParty => "third_party",
            Class::DevOrigins => "dev_origins",
            Class::LocalhostRegex => "localhost_regex",
            Class::Wildcard => "wildcard",
            Class::WildcardSensitive => "wildcard_sensitive",
            Class::WildcardCredentials => "wildcard_credentials",
            Class::MissingVary => "missing_vary",
            Class::PreflightPermissive => "preflight_permissive",
            Class::PnaGranted => "pna_granted",
            Class::InvalidAcao => "invalid_acao",
            Class::HeaderInjection => "header_injection",
            Class::DuplicateOrigin => "duplicate_origin",
            Class::PathScoped => "path_scoped",
        }
    }

    /// Parses an id from [`Class::id`].
    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.id() == s)
    }

    /// What the server does, in a few words.
    pub const fn title(self) -> &'static str {
        match self {
            Class::ReflectAny => "any origin is reflected",
            Class::NullTrusted => "the `null` origin is trusted",
            Class::NullAsDeny => "`null` is sent as a refusal, which sandboxed pages match",
            Class::PrefixMatch => "origins that start with the site's origin are trusted",
            Class::SuffixMatch => "origins that end with the site's domain are trusted",
            Class::SubstringReverse => "parts of a trusted origin are trusted",
            Class::SubstringContains => "origins that contain the site's host are trusted",
            Class::UnescapedDot => "a dot in the allow-list matches any character",
            Class::SpecialChars => "the origin check stops at a character browsers allow in hosts",
            Class::PercentDecode => "the origin is percent-decoded or URL-parsed before it is compared",
            Class::AnySubdomain => "any subdomain is trusted",
            Class::HttpOrigin => "an http origin is trusted by an https site",
            Class::ThirdParty => "a hosting platform where anyone can publish is trusted",
            Class::DevOrigins => "development origins on localhost are trusted",
            Class::LocalhostRegex => "`localhost.` followed by any domain is trusted",
            Class::Wildcard => "`*` on public data",
            Class::WildcardSensitive => "`*` on an intranet or local service",
            Class::WildcardCredentials => "`*` with credentials (invalid)",
            Class::MissingVary => "Access-Control-Allow-Origin depends on Origin but Vary lacks it",
            Class::PreflightPermissive => "preflights allow state-changing calls from untrusted origins",
            Class::PnaGranted => "Private Network Access is granted to untrusted origins",
            Class::InvalidAcao => "Access-Control-Allow-Origin is not a single valid value",
            Class::HeaderInjection => "CR or LF in Origin reaches the response headers",
            Class::DuplicateOrigin => "two Origin headers are read inconsistently",
            Class::PathScoped => "a path variant gets a looser CORS rule than the path",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How bad a finding is. Ordered: `High` is greatest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A fact worth knowing; not a weakness by itself.
    Info,
    /// Needs another bug (XSS, a takeover, code on the visitor's machine).
    Low,
    /// Needs a position (a network attacker, a cache, an intranet visitor).
    Medium,
    /// Any website can do it to a signed-in visitor.
    High,
}

impl Severity {
    /// `info`, `low`, `medium`, `high`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
