//! The codes of the problems a gateway config, or an S3 CORS document, can
//! have. A problem inside a route's policy keeps the engine's own code.

use crate::codes::codes;

codes! {
    /// A stable identifier for a [`Problem`](crate::Problem).
    ///
    /// Codes are never reused or renamed; [`Code::as_str`] gives the
    /// kebab-case form printed by `crossgate lint` and listed in
    /// `docs/errors.md`. [`Code::Policy`] wraps the engine's code for a
    /// problem in a route's policy.
    pub enum Code {
        /// The config, or a policy file it names, is not TOML (or JSON) of the right shape.
        Syntax = "syntax", Error;
        /// The config, or a policy or S3 CORS file it names, cannot be read.
        FileUnreadable = "file-unreadable", Error;
        /// `listen` or `admin_listen` is not an IP address and port.
        ListenInvalid = "listen-invalid", Error;
        /// A limit or timeout is zero, or `max_request_headers` is above 10,000.
        LimitInvalid = "limit-invalid", Error;
        /// An `allowed_hosts` or `admin_allowed_hosts` entry is not a host name.
        AllowedHostInvalid = "allowed-host-invalid", Error;
        /// An `allowed_hosts` entry has upper-case letters (hosts are compared case-insensitively).
        AllowedHostNotLowercase = "allowed-host-not-lowercase", Warning;
        /// The config has no `[[route]]`.
        NoRoutes = "no-routes", Error;
        /// A route has no `path`.
        RoutePathMissing = "route-path-missing", Error;
        /// A route's `path` is not a prefix such as `/api`.
        RoutePathInvalid = "route-path-invalid", Error;
        /// Two routes have the same `path`.
        RoutePathDuplicate = "route-path-duplicate", Error;
        /// A route has no `upstream`.
        UpstreamMissing = "upstream-missing", Error;
        /// A route's `upstream` is not an `http://host:port[/base]` URL.
        UpstreamInvalid = "upstream-invalid", Error;
        /// A route has no policy: no `policy`, no inline rules and no `s3_cors`.
        PolicyMissing = "policy-missing", Error;
        /// A route has more than one of `policy`, `s3_cors` and inline rules.
        PolicyConflict = "policy-conflict", Error;
        /// A reload was asked of a gateway started without a config file.
        NoConfigFile = "no-config-file", Error;
        /// An S3 CORS document is over S3's 64 KB.
        S3DocumentTooLarge = "s3-document-too-large", Error;
        /// An S3 CORS document is not a `CORSConfiguration` (XML or JSON).
        S3Malformed = "s3-malformed", Error;
        /// An S3 CORS document has no `CORSRule`: every preflight is refused.
        S3NoRules = "s3-no-rules", Warning;
        /// An S3 CORS document has more than S3's 100 rules.
        S3TooManyRules = "s3-too-many-rules", Error;
        /// A `CORSRule` `ID` is over 255 characters.
        S3IdTooLong = "s3-id-too-long", Error;
        /// A `CORSRule` has no `AllowedOrigin`.
        S3NoOrigins = "s3-no-origins", Error;
        /// A `CORSRule` has no `AllowedMethod`.
        S3NoMethods = "s3-no-methods", Error;
        /// An `AllowedMethod` other than GET, PUT, POST, DELETE and HEAD.
        S3MethodUnsupported = "s3-method-unsupported", Error;
        /// An `AllowedOrigin` or `AllowedHeader` with more than one `*`.
        S3TooManyWildcards = "s3-too-many-wildcards", Error;
        /// A negative `MaxAgeSeconds`.
        S3MaxAgeInvalid = "s3-max-age-invalid", Error;
    }
    /// A problem in a route's policy, with the engine's diagnostic code.
    Policy(crossgate_core::Code) => crossgate_core::Code::as_str, crossgate_core::Code::severity;
}

#[cfg(test)]
mod tests {
    use super::Code;

    const DOC: &str = include_str!("../../../docs/errors.md");

    #[test]
    fn every_code_is_documented_and_none_is_the_engines() {
        for code in Code::ALL {
            assert!(DOC.contains(&format!("| `{code}` |")), "docs/errors.md does not document `{code}`");
            assert!(
                !crossgate_core::Code::ALL.iter().any(|c| c.as_str() == code.as_str()),
                "`{code}` is also a policy code"
            );
        }
    }

    #[test]
    fn a_policy_problem_has_the_engines_code_and_severity() {
        let c = Code::Policy(crossgate_core::Code::MaxAgeAboveBrowserCap);
        assert_eq!((c.as_str(), c.severity()), ("max-age-above-browser-cap", crossgate_core::Severity::Warning));
        assert_eq!(Code::S3NoRules.severity(), crossgate_core::Severity::Warning);
        assert_eq!(Code::UpstreamInvalid.to_string(), "upstream-invalid");
    }
}
