//! What linting a file finds: a policy's diagnostics, or a gateway
//! config's or an S3 CORS document's problems, told apart by the file's
//! extension and top-level keys.

use std::path::Path;

use crossgate_core::{Diagnostic, Policy, PolicyConfig, Severity};
use crossgate_gateway::Problem;

/// What linting a file found.
pub(crate) enum Findings {
    /// The file is not TOML/JSON of the right shape.
    Syntax(String),
    /// Diagnostics from validation (possibly warnings only).
    Checked(Vec<Diagnostic>),
    /// Problems in a gateway config or S3 CORS file.
    Problems(Vec<Problem>),
}

impl Findings {
    pub(crate) fn is_valid(&self) -> bool {
        match self {
            Findings::Syntax(_) => false,
            Findings::Checked(d) => d.iter().all(|d| d.severity() != Severity::Error),
            Findings::Problems(p) => p.iter().all(|p| !p.is_error()),
        }
    }
}

/// Which kind of file this is, from its extension and top-level keys.
pub(crate) fn lint_any(path: &Path, text: &str) -> Findings {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xml") => lint_s3(text, false),
        Some("json") => {
            let s3 = serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|v| v.get("CORSRules").is_some() || v.get("CORSConfiguration").is_some());
            if s3 {
                lint_s3(text, true)
            } else {
                lint_policy(text, true)
            }
        }
        _ => {
            let gateway =
                toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("route") || t.contains_key("listen"));
            if gateway {
                let base = path.parent().unwrap_or(Path::new("."));
                Findings::Problems(match crossgate_gateway::load_str(text, base) {
                    Ok(rt) => rt.warnings().to_vec(),
                    Err(p) => p.0,
                })
            } else {
                lint_policy(text, false)
            }
        }
    }
}

fn lint_s3(text: &str, json: bool) -> Findings {
    let mut problems = Vec::new();
    let _ = crossgate_gateway::s3::S3Cors::parse(text, json, "CORSConfiguration", &mut problems);
    Findings::Problems(problems)
}

/// Parses and validates a policy file's text.
pub(crate) fn lint_policy(text: &str, json: bool) -> Findings {
    let config = if json {
        PolicyConfig::from_json(text).map_err(|e| e.to_string())
    } else {
        PolicyConfig::from_toml(text).map_err(|e| e.to_string())
    };
    match config {
        Err(e) => Findings::Syntax(e.trim_end().to_owned()),
        Ok(config) => match Policy::new(config) {
            Ok(built) => Findings::Checked(built.warnings),
            Err(errors) => Findings::Checked(errors.diagnostics),
        },
    }
}
