//! `--json`: one object, `summary` first, then every request.

use crossgate_har::{Proposal, Report};
use serde_json::{json, Value};

pub(super) fn report(report: &Report, proposal: Option<&Proposal>) -> String {
    let requests: Vec<Value> = report
        .requests
        .iter()
        .map(|d| {
            json!({
                "index": d.index,
                "url": d.url,
                "method": d.method,
                "verdict": d.verdict.as_str(),
                "error": d.error,
                "finding": d.finding.as_ref().map(|f| json!({"code": f.code(), "title": f.title(), "detail": f})),
                "fix": d.fix,
                "rule": d.rule,
                "origin": d.origin,
                "origin_from": d.origin_from,
                "status": d.status,
                "initiator": d.initiator,
                "credentials": d.credentials,
                "preflight_index": d.preflight_index,
                "redirect_indices": d.redirect_indices,
                "inferred": d.inferred,
            })
        })
        .collect();
    let mut out = json!({
        "summary": {
            "line": report.summary.line(),
            "total": report.summary.total,
            "blocked": report.summary.blocked,
            "hidden_server_errors": report.summary.hidden_server_errors,
            "not_a_cors_problem": report.summary.not_a_cors_problem,
            "allowed": report.summary.allowed,
            "not_cors": report.summary.not_cors,
        },
        "creator": report.creator,
        "inferred": report.inferred,
        "requests": requests,
    });
    if let Some(p) = proposal {
        out["policy"] = json!({"allowed": p.allowed, "refused": p.refused, "servers": p.servers});
    }
    out.to_string()
}
