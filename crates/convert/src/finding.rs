//! What a translation found: typed codes in `crossgate lint`'s shape
//! (code, value, location, message, help), plus the requests that behave
//! differently after the translation.

use std::fmt;

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The translation is not exact (or the input could not be read): the
    /// output is the closest safe configuration and `differs` lists what
    /// behaves differently.
    Error,
    /// The translation is exact, but something deserves a look.
    Warning,
    /// A behaviour of the source or target framework, stated so nobody is
    /// surprised; nothing to fix.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A finding's stable code; every one is documented in `docs/errors.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
            /// A diagnostic of the translated policy itself (`crossgate lint`'s codes).
            Policy(crossgate_core::Code),
        }

        impl Code {
            /// Every code of this crate's own (not the wrapped policy codes).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                    Code::Policy(c) => c.as_str(),
                }
            }
        }
    };
}

codes! {
    /// The file is not valid Python.
    SyntaxError = "syntax-error",
    /// The file holds no CORS configuration of the dialect.
    NotFound = "cors-config-not-found",
    /// A setting's value is computed (a call, a variable, an f-string), so it cannot be read without running the file.
    ComputedValue = "computed-value",
    /// A setting is assigned inside a block (`if`, a function), so its value depends on how the file runs.
    ConditionalSetting = "conditional-setting",
    /// A setting or option the framework does not know (often a typo).
    UnknownSetting = "unknown-setting",
    /// A value of the wrong type for its setting.
    WrongType = "wrong-type",
    /// A setting crossgate has no equivalent for; it is left out.
    UnsupportedSetting = "unsupported-setting",
    /// An origin regular expression that crossgate's grammar cannot say exactly.
    RegexNotExpressible = "regex-not-expressible",
    /// An origin regular expression that is not anchored, so it also matches longer origins.
    RegexUnanchored = "regex-unanchored",
    /// Every origin reflected with credentials: crossgate refuses to build that.
    ReflectAnyWithCredentials = "reflect-any-with-credentials",
    /// A path scope (a regular expression or a location) that crossgate's `/exact` and `/prefix/*` cannot say exactly.
    PathNotExpressible = "path-not-expressible",
    /// An origin crossgate's grammar cannot hold (a path, a default port, upper case, a `file:` or custom scheme).
    OriginNotExpressible = "origin-not-expressible",
    /// nginx's `add_header` without `always`: error responses get no CORS headers there, and crossgate's do.
    AddHeaderWithoutAlways = "add-header-without-always",
    /// How the source framework behaves where crossgate differs on purpose (stated, not an error).
    FrameworkSemantics = "framework-semantics",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// Its stable code.
    pub code: Code,
    /// Where: `line 12: CORS_ALLOWED_ORIGIN_REGEXES[0]`, `rule[0].origins`.
    pub location: String,
    /// The value concerned, as written.
    pub value: String,
    /// What is wrong or what happens.
    pub message: String,
    /// What to do.
    pub help: String,
    /// Requests (origins, paths) that behave differently after the translation,
    /// each checked against both matchers, with how.
    pub differs: Vec<String>,
}

impl Finding {
    /// A finding with no `differs` list.
    pub fn new(
        severity: Severity,
        code: Code,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            code,
            location: location.into(),
            value: value.into(),
            message: message.into(),
            help: help.into(),
            differs: Vec::new(),
        }
    }

    /// An error.
    pub fn error(
        code: Code,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding::new(Severity::Error, code, location, value, message, help)
    }

    /// A warning.
    pub fn warning(
        code: Code,
        location: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding::new(Severity::Warning, code, location, value, message, help)
    }

    /// A note on a framework's behaviour.
    pub fn note(location: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Note, Code::FrameworkSemantics, location, "", message, "nothing to do")
    }

    /// The same finding with a list of requests that behave differently.
    pub fn differing(mut self, differs: Vec<String>) -> Finding {
        self.differs = differs;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented() {
        const DOC: &str = include_str!("../../../docs/errors.md");
        for code in Code::ALL {
            assert!(DOC.contains(&format!("| `{code}` |")), "docs/errors.md does not document `{code}`");
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
