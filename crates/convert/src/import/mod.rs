//! Reading another framework's CORS configuration into a crossgate policy.

use crossgate_core::{Policy, PolicyConfig, Severity as CoreSeverity};

use crate::finding::{Code, Finding, Severity};
use crate::Dialect;

mod common;
pub(crate) mod django;
mod envoy;
mod express;
mod flask;
mod gateway_api;
mod nginx;
mod starlette;

/// What an import produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    /// The translated policy (the closest safe one when the translation is
    /// not exact), or `None` when the file could not be read at all.
    pub policy: Option<PolicyConfig>,
    /// Django's `ALLOWED_HOSTS`, for the gateway's `allowed_hosts`.
    pub allowed_hosts: Option<Vec<String>>,
    /// Everything found, errors first.
    pub findings: Vec<Finding>,
}

impl Imported {
    pub(crate) fn syntax(location: String, message: String) -> Imported {
        Imported {
            findings: vec![Finding::error(
                Code::SyntaxError,
                location,
                "",
                message,
                "fix the file so that its own framework can load it",
            )],
            ..Default::default()
        }
    }

    /// Whether the policy answers as the original did (no errors).
    pub fn is_exact(&self) -> bool {
        self.policy.is_some() && self.findings.iter().all(|f| f.severity != Severity::Error)
    }

    /// The number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// Imports `text`, written in `dialect`, without running it.
///
/// ```
/// use crossgate_convert::{import, Dialect};
///
/// let settings = r#"
/// CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
/// CORS_ALLOW_CREDENTIALS = True
/// "#;
/// let imported = import(Dialect::Django, settings);
/// let rule = &imported.policy.as_ref().unwrap().rules[0];
/// assert_eq!(rule.origins, ["https://app.example.com"]);
/// assert!(rule.credentials);
/// assert!(imported.is_exact());
/// ```
pub fn import(dialect: Dialect, text: &str) -> Imported {
    let mut imported = match dialect {
        Dialect::Django => django::import(text),
        Dialect::Flask => flask::import(text),
        Dialect::Starlette => starlette::import(text),
        Dialect::Express => express::import(text),
        Dialect::Nginx => nginx::import(text),
        Dialect::Envoy => envoy::import(text),
        Dialect::GatewayApi => gateway_api::import(text),
    };
    if let Some(policy) = &imported.policy {
        let diagnostics = match Policy::new(policy.clone()) {
            Ok(built) => built.warnings,
            Err(errors) => errors.diagnostics,
        };
        for d in diagnostics {
            let severity = match d.severity() {
                CoreSeverity::Error => Severity::Error,
                CoreSeverity::Warning => Severity::Warning,
                CoreSeverity::Note => Severity::Note,
            };
            imported.findings.push(Finding::new(
                severity,
                Code::Policy(d.code),
                d.location.to_string(),
                d.value.to_string(),
                d.message.to_string(),
                d.help.to_string(),
            ));
        }
    }
    imported.findings.sort_by_key(|f| f.severity);
    imported
}
