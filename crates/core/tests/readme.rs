//! The README's policy-file examples are valid policies.

use crossgate_core::{Policy, Severity};

#[test]
fn readme_toml_examples_build() {
    let readme = include_str!("../../../README.md");
    let mut found = 0;
    let mut rest = readme;
    while let Some(start) = rest.find("```toml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed code block");
        rest = &body[end..];
        if body[..end].contains("[[route]]") {
            // A gateway config (checked with the gateway's own examples).
            continue;
        }
        let built = Policy::from_toml(&body[..end]).unwrap_or_else(|e| panic!("README policy is invalid: {e}"));
        // Notes (which platform sends an app origin) are not findings.
        let warnings: Vec<_> = built.warnings.iter().filter(|d| d.severity() == Severity::Warning).collect();
        assert!(warnings.is_empty(), "{warnings:?}");
        found += 1;
    }
    assert!(found >= 1, "the README shows a policy file");
}
