//! Hand-checked files in the shapes Firefox and Safari export (no
//! `_resourceType`, no preflight marks, Firefox's document-title pages,
//! Safari's `_fetchType`), with every request's expected diagnosis.

use crossgate_har::{explain, Options, VerdictKind};

/// (entry index, verdict, error code, stage, finding, preflight entry)
type Want = (usize, VerdictKind, &'static str, &'static str, &'static str, Option<usize>);

#[test]
fn firefox_and_safari_exports() {
    use VerdictKind::*;
    let files: [(&str, &[u8], &[Want]); 2] = [
        (
            "firefox.har",
            include_bytes!("fixtures/firefox.har"),
            &[
                (0, NotCors, "", "", "", None),
                (1, Allowed, "", "", "", None),
                (3, Blocked, "MissingAllowOriginHeader", "actual", "hidden-server-error", Some(2)),
                (4, Blocked, "MethodDisallowedByPreflightResponse", "preflight", "", Some(4)),
                (5, NotCors, "", "", "", None),
                (6, Blocked, "InvalidAllowCredentials", "actual", "", None),
            ],
        ),
        (
            "safari.har",
            include_bytes!("fixtures/safari.har"),
            &[
                (0, NotCors, "", "", "", None),
                (1, Blocked, "AllowOriginMismatch", "actual", "", None),
                (3, Allowed, "", "", "", Some(2)),
                (4, NotACorsProblem, "mixed-content", "request", "mixed-content", None),
            ],
        ),
    ];
    for (name, bytes, want) in files {
        let report = explain(bytes, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<Want> = report
            .requests
            .iter()
            .map(|d| {
                let e = d.error.as_ref();
                (
                    d.index,
                    d.verdict,
                    e.map_or("", |e| &*Box::leak(e.code.clone().into_boxed_str())),
                    e.map_or("", |e| e.stage),
                    d.finding.as_ref().map_or("", |f| f.code()),
                    d.preflight_index,
                )
            })
            .collect();
        assert_eq!(got, want, "{name}: {:#?}", report.requests);
    }
}

#[test]
fn what_was_inferred_is_said() {
    let report = explain(include_bytes!("fixtures/firefox.har"), &Options::default()).unwrap();
    let rebuilt = report.requests.iter().find(|d| d.index == 4).unwrap();
    assert!(rebuilt.inferred.iter().any(|n| n.contains("only the preflight")), "{:?}", rebuilt.inferred);
    assert_eq!(rebuilt.method, "PUT");
    assert_eq!(
        rebuilt.error.as_ref().unwrap().message,
        "Access to fetch at 'https://api.example/cart/1' from origin 'https://shop.example' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    );
    let me = report.requests.iter().find(|d| d.index == 6).unwrap();
    assert!(me.credentials && me.rule.as_ref().unwrap().toml.contains("credentials = true"));
    assert_eq!(report.creator, "Firefox 128.0");
    // The Firefox file has a cookie: not a sanitized export.
    assert!(report.inferred.is_empty(), "{:?}", report.inferred);
    assert_eq!(report.summary.line(), "3 requests blocked by CORS, 1 hidden server error, 3 fine");
}
