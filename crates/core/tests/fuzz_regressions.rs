//! Inputs the fuzz targets (`fuzz/`) found, kept as regression tests. Each
//! test names the target that found the input and what went wrong.

use crossgate_core::{parse_pattern, Code, LoadError, Policy, PolicyConfig, RuleConfig};

/// Found by `origin` (through `parse_pattern`): an origin without `://`
/// whose fifth byte falls inside a multi-byte character made the `file:`
/// check slice a `str` off a character boundary and panic. Reachable from
/// any policy file.
#[test]
fn fuzz_origin_pattern_without_scheme_and_multibyte_fifth_char() {
    for input in ["n\u{fffd}\u{fffd}igin", "abcdé", "fileé", "ééé", "file\u{1f600}"] {
        let e = parse_pattern(input).unwrap_err();
        assert_eq!(e.code, Code::OriginInvalid, "{input:?}");
    }
    // Still recognised when it is spelled in ASCII.
    assert_eq!(parse_pattern("FILE:foo").unwrap_err().code, Code::FileOrigin);
    assert!(matches!(
        Policy::from_toml("[[rule]]\norigins = [\"abcdé\"]\n"),
        Err(LoadError::Invalid(_))
    ));
    assert!(Policy::new(PolicyConfig::new(RuleConfig::new(["n\u{fffd}igin"]))).is_err());
}
