//! Files that are not what they should be: empty, cut short anywhere,
//! another version, binary bodies, random bytes, and a 50 MB export with
//! 20,000 entries whose peak memory is bounded. None may panic; each error
//! names the entry it stopped in.

use crossgate_har::{explain, Options, ReadErrorKind};
use crossgate_test_support::alloc::{measure, Counting};
use crossgate_test_support::generated_har;
use proptest::prelude::*;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const FIREFOX: &[u8] = include_bytes!("fixtures/firefox.har");

#[test]
fn empty_and_wrong_version() {
    let cases: &[(&[u8], ReadErrorKind)] = &[
        (b"", ReadErrorKind::Empty),
        (b" \n\t", ReadErrorKind::Empty),
        (b"\xef\xbb\xbf", ReadErrorKind::Empty),
        (b"null", ReadErrorKind::Invalid),
        (b"[]", ReadErrorKind::Invalid),
        (b"{\"log\": {}}", ReadErrorKind::Invalid),
        (b"\x89PNG\r\n\x1a\n", ReadErrorKind::Invalid),
        (b"{\"log\": {\"version\": \"2.0\", \"entries\": []}}", ReadErrorKind::UnsupportedVersion),
        (b"{\"log\": {\"version\": \"1.3\", \"entries\": []}}", ReadErrorKind::UnsupportedVersion),
    ];
    for (bytes, kind) in cases {
        let e = explain(bytes, &Options::default()).unwrap_err();
        assert_eq!(e.kind, *kind, "{:?}: {e}", String::from_utf8_lossy(bytes));
    }
    let ok = explain(b"{\"log\": {\"version\": \"1.1\", \"entries\": []}}", &Options::default()).unwrap();
    assert_eq!(ok.summary.total, 0);
}

#[test]
fn truncated_anywhere() {
    // Where each entry of the fixture starts, to check the entry an error names.
    let text = std::str::from_utf8(FIREFOX).unwrap();
    let entries_at = text.find("\"entries\"").unwrap();
    let starts: Vec<usize> = text
        .match_indices("\"pageref\"")
        .map(|(i, _)| i)
        .filter(|&i| i > entries_at)
        .filter_map(|i| text[..i].rfind('{'))
        .collect();
    assert_eq!(starts.len(), 7);
    for cut in (1..FIREFOX.len() - 8).step_by(37) {
        let e = explain(&FIREFOX[..cut], &Options::default()).unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::Truncated, "cut at {cut}: {e}");
        let inside = starts.iter().rposition(|&s| s < cut);
        // Cut inside entry i, the error names it; cut after its end, the
        // entry expected next.
        if let (Some(i), Some(n)) = (inside, e.entry) {
            assert!(n == i || n == i + 1, "cut at {cut} (inside {i}): {e}");
        }
        if cut > starts[0] + 200 && cut < starts[6] {
            assert!(e.entry.is_some(), "cut at {cut}: {e}");
            assert!(e.to_string().contains("log.entries["), "{e}");
        }
    }
}

#[test]
fn binary_bodies() {
    let body = |content: &str| {
        format!(
            r#"{{"log":{{"version":"1.2","entries":[{{"startedDateTime":"2026-01-01T00:00:00Z","request":{{"method":"POST","url":"https://api.test/up","headers":[{{"name":"Origin","value":"https://a.test"}}],"postData":{{"mimeType":"application/octet-stream","text":{content}}}}},"response":{{"status":200,"headers":[{{"name":"Access-Control-Allow-Origin","value":"https://a.test"}}],"content":{{"size":4,"mimeType":"application/octet-stream","encoding":"base64","text":{content}}}}}}}]}}}}"#
        )
        .into_bytes()
    };
    let cases: [(&str, Vec<u8>); 4] = [
        ("base64", body("\"AAECAwT/\"")),
        ("escaped NUL and high bytes", body("\"\\u0000\\u00ff\\u0001\"")),
        ("a lone surrogate", body("\"\\ud800\"")),
        ("raw non-UTF-8 bytes", {
            let mut b = body("\"XXXX\"");
            let at = b.windows(4).position(|w| w == b"XXXX").unwrap();
            b[at..at + 4].copy_from_slice(b"\xff\xfe\x00\x80");
            b
        }),
    ];
    for (name, bytes) in cases {
        match explain(&bytes, &Options::default()) {
            Ok(report) => assert_eq!(report.requests[0].verdict, crossgate_har::VerdictKind::Allowed, "{name}"),
            Err(e) => {
                // Only bytes that are not JSON may be refused, naming the entry.
                assert!(name == "raw non-UTF-8 bytes" || name == "a lone surrogate", "{name}: {e}");
                assert_eq!(e.entry, Some(0), "{name}: {e}");
            }
        }
    }
}

#[test]
fn fifty_megabytes_twenty_thousand_entries() {
    let bytes = generated_har(20_000, 1_900);
    assert!(bytes.len() >= 50_000_000, "{} bytes", bytes.len());
    let mut summary = None;
    let usage = measure(|| {
        let report = explain(&bytes, &Options::default()).unwrap();
        summary = Some(report.summary.clone());
    });
    let summary = summary.unwrap();
    assert_eq!((summary.total, summary.blocked, summary.allowed), (20_000, 6_667, 13_333));
    // The file itself is not counted: it was read before measuring.
    assert!(usage.peak < 200 * 1024 * 1024, "peak {} MB", usage.peak / (1024 * 1024));
    println!("50 MB, 20,000 entries: peak {} MB", usage.peak / (1024 * 1024));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = explain(&bytes, &Options::default());
    }

    #[test]
    fn mutated_exports_never_panic(at in 0..FIREFOX.len(), byte in any::<u8>(), cut in 0..FIREFOX.len()) {
        let mut bytes = FIREFOX.to_vec();
        bytes[at] = byte;
        bytes.truncate(cut.max(at + 1));
        if let Err(e) = explain(&bytes, &Options::default()) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
