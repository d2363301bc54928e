//! Writing a crossgate policy in another system's configuration language,
//! with a finding for everything the target cannot say. Every target's
//! output is read back by the same dialect's import in the round-trip tests.

use crossgate_core::{Mode, PolicyConfig, RuleConfig};

use crate::finding::{Code, Finding};
use crate::Dialect;

mod envoy;
mod express;
mod gateway_api;
mod nginx;
mod pattern;
mod python;
mod s3;

/// What an export produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    /// The configuration, with a comment header naming what could not be expressed.
    pub text: String,
    /// What the target cannot say (errors: it answers differently), errors first.
    pub findings: Vec<Finding>,
}

impl Exported {
    /// Whether the target answers as the policy does (no errors).
    pub fn is_exact(&self) -> bool {
        self.findings.iter().all(|f| f.severity != crate::Severity::Error)
    }
}

/// Writes `policy` in `dialect`, with a finding for what it cannot say.
///
/// ```
/// use crossgate_convert::{export, import, Dialect};
/// use crossgate_core::{PolicyConfig, RuleConfig};
///
/// let policy = PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["GET", "HEAD", "POST", "PUT"]));
/// let exported = export(Dialect::Express, &policy);
/// assert!(exported.text.contains("origin: ['https://app.example.com']"));
/// let back = import(Dialect::Express, &exported.text).policy.unwrap();
/// assert_eq!(back.rules[0].origins, policy.rules[0].origins);
/// ```
pub fn export(dialect: Dialect, policy: &PolicyConfig) -> Exported {
    let mut findings = Vec::new();
    policy_wide(policy, &mut findings);
    let text = match dialect {
        Dialect::Express => express::write(policy, &mut findings),
        Dialect::Nginx => nginx::write(policy, &mut findings),
        Dialect::Envoy => envoy::write(policy, &mut findings),
        Dialect::GatewayApi => gateway_api::write(policy, &mut findings),
        Dialect::Django => python::django(policy, &mut findings),
        Dialect::Starlette => python::starlette(policy, &mut findings),
        Dialect::Flask => python::flask(policy, &mut findings),
    };
    let comment = if matches!(dialect, Dialect::Express) { "//" } else { "#" };
    finish(dialect.as_str(), comment, "", text, findings)
}

/// Writes `policy` as an S3 bucket's `CORSConfiguration` (XML), with a
/// finding for what S3 cannot say.
///
/// ```
/// use crossgate_core::{PolicyConfig, RuleConfig};
///
/// let policy = PolicyConfig::new(RuleConfig::new(["https://app.example.com"]).methods(["GET", "PUT"]).credentials(true));
/// let exported = crossgate_convert::export_s3(&policy);
/// assert!(exported.text.contains("<AllowedOrigin>https://app.example.com</AllowedOrigin>"));
/// assert!(exported.is_exact());
/// ```
pub fn export_s3(policy: &PolicyConfig) -> Exported {
    let mut findings = Vec::new();
    policy_wide(policy, &mut findings);
    let text = s3::write(policy, &mut findings);
    finish("s3", "<!--", " -->", text, findings)
}

/// The text with its comment header.
fn finish(target: &str, comment: &str, end: &str, text: String, mut findings: Vec<Finding>) -> Exported {
    findings.sort_by_key(|f| f.severity);
    // An XML comment may not hold `--`.
    let line = |t: String| {
        let t = if end.is_empty() { t } else { t.replace("--", "-") };
        format!("{comment} {t}{end}\n")
    };
    let mut header = line(format!("Exported by `crossgate export --to {target}`."));
    if findings.iter().any(|f| f.severity == crate::Severity::Error) {
        header.push_str(&line(format!("NOT EXACT: {target} cannot say everything the policy does:")));
    }
    for f in &findings {
        header.push_str(&line(format!("{}[{}] {}: {}", f.severity.as_str(), f.code, f.location, f.message)));
        for d in &f.differs {
            header.push_str(&line(format!("  differs: {d}")));
        }
    }
    Exported { text: format!("{header}{text}"), findings }
}

/// Settings of the policy as a whole that no target has.
fn policy_wide(policy: &PolicyConfig, f: &mut Vec<Finding>) {
    if policy.mode == Mode::ReportOnly {
        f.push(lost("mode", "report-only", "the target enforces its configuration; it has no report-only mode"));
    }
    if policy.strict {
        f.push(Finding::warning(
            Code::UnsupportedSetting,
            "strict",
            "true",
            "the target lets a refused cross-origin request reach the app (the browser hides the answer); crossgate's strict mode refuses it first",
            "make sure the app does not act on requests from refused origins, as it must for any CORS setup",
        ));
    }
}

/// An error: a setting the target cannot say.
pub(crate) fn lost(location: impl Into<String>, value: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding::error(
        Code::UnsupportedSetting,
        location,
        value,
        message,
        "keep crossgate in front of the app for this, or accept the difference",
    )
}

/// The rules a single-rule target can hold: the first one, with the others reported.
pub(crate) fn only_first<'p>(policy: &'p PolicyConfig, target: &str, f: &mut Vec<Finding>) -> Option<&'p RuleConfig> {
    for (i, _) in policy.rules.iter().enumerate().skip(1) {
        f.push(lost(
            format!("rule[{i}]"),
            "",
            format!("{target} holds one CORS configuration; only rule[0] is written"),
        ));
    }
    let first = policy.rules.first();
    if let Some(r) = first {
        if let Some(paths) = &r.paths {
            f.push(lost(
                "rule[0].paths",
                paths.join(", "),
                format!("{target}'s configuration has no path scope; it applies to every path it is mounted on"),
            ));
        }
    }
    first
}

/// Checks shared by targets that list methods and never refuse a request:
/// the CORS-safelisted methods always pass there.
pub(crate) fn methods_listed(rule: &RuleConfig, i: usize, target: &str, f: &mut Vec<Finding>) -> Vec<String> {
    let methods = rule.methods.clone().unwrap_or_else(|| vec!["GET".into(), "HEAD".into(), "POST".into()]);
    let missing: Vec<&str> =
        ["GET", "HEAD", "POST"].into_iter().filter(|m| !methods.iter().any(|x| x == m || x == "*")).collect();
    if !missing.is_empty() {
        f.push(
            lost(
                format!("rule[{i}].methods"),
                methods.join(", "),
                format!("{target} never refuses {}: a browser sends them without a preflight", missing.join(", ")),
            )
            .differing(vec![format!(
                "{} from an allowed origin: {target} answers it; crossgate refuses it",
                missing.join(", ")
            )]),
        );
    }
    methods
}

/// The dangerous opt-ins and settings every target lacks, per rule.
pub(crate) fn rule_common(rule: &RuleConfig, i: usize, f: &mut Vec<Finding>) {
    if rule.dangerously_allow_public_suffix_subdomains || rule.dangerously_allow_insecure_origins_with_credentials {
        f.push(Finding::warning(
            Code::UnsupportedSetting,
            format!("rule[{i}]"),
            "dangerously_allow_*",
            "the target has no such checks to opt out of; the origins are written as they are",
            "nothing to do",
        ));
    }
}

#[cfg(test)]
mod round_trip;
