//! The request's path as the upstream will understand it, decided before
//! routing: percent-encoded unreserved characters decoded (RFC 3986
//! §6.2.2.2), slashes merged, dot segments removed (RFC 3986 §5.2.4), and
//! encoded separators refused — so that the router, the policy and the
//! upstream all read the same path. The settings follow Envoy's
//! `HttpConnectionManager` (`normalize_path`, `merge_slashes`,
//! `path_with_escaped_slashes_action`), secure by default.

use std::borrow::Cow;

use serde::Deserialize;

/// What to do with `%2F` and `%5C` (and a literal `\`) in a path: servers
/// disagree on whether they separate segments, so a path with them means
/// different things to the router and to the upstream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum EscapedSlashes {
    /// 400 (Envoy's `REJECT_REQUEST`).
    #[default]
    Reject,
    /// Forwarded as received, part of a segment (Envoy's `KEEP_UNCHANGED`);
    /// only for upstreams that never decode them before resolving a path.
    Keep,
    /// Decoded into `/` before dot segments are removed and slashes merged
    /// (Envoy's `UNESCAPE_AND_FORWARD`, with `\` read as `/` the way URL
    /// parsers read it in `http` URLs).
    UnescapeAndForward,
}

/// How paths are normalised (`normalize_path`, `merge_slashes`,
/// `path_with_escaped_slashes_action` in the config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PathOptions {
    /// Rewrite a path into normal form; `false`: forward it unchanged, and
    /// refuse one that is not in normal form already.
    pub(crate) normalize: bool,
    /// Merge `//` into `/`; `false` keeps them, and refuses a `..` after an
    /// empty segment (a slash-merging upstream resolves it differently).
    pub(crate) merge_slashes: bool,
    /// `%2F`, `%5C` and `\`.
    pub(crate) escaped_slashes: EscapedSlashes,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions { normalize: true, merge_slashes: true, escaped_slashes: EscapedSlashes::Reject }
    }
}

/// Why a path is refused (400).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// `%2F`, `%5C` or `\`, under `path_with_escaped_slashes_action = "reject"`.
    EscapedSeparator,
    /// A `%` not followed by two hex digits, a dot segment with
    /// `;parameters` (`..;/`), or `//..` with `merge_slashes = false`: read
    /// differently by different servers.
    Ambiguous,
    /// Not in normal form, under `normalize_path = false`.
    NotNormal,
}

/// Bytes that may need rewriting: a `%`, a `\`, or a `.` or `/` that may
/// start a dot segment or an empty one.
fn may_change(path: &[u8]) -> bool {
    path.iter().any(|&b| b == b'%' || b == b'\\')
        || path.windows(2).any(|w| w == b"//" || w == b"/.")
        || path.windows(2).any(|w| w[0] == b'.' && w[1] == b';')
}

/// The path in normal form, borrowed when it already is (the usual case:
/// no allocation). Paths that do not start with `/` (`*` in `OPTIONS *`)
/// are returned as they are.
pub(crate) fn normalize<'a>(path: &'a str, options: &PathOptions) -> Result<Cow<'a, str>, PathProblem> {
    if !path.starts_with('/') || !may_change(path.as_bytes()) {
        return Ok(Cow::Borrowed(path));
    }
    let decoded = decode(path, options.escaped_slashes)?;
    let normal = resolve(&decoded, options.merge_slashes)?;
    if normal == path {
        return Ok(Cow::Borrowed(path));
    }
    if !options.normalize {
        return Err(PathProblem::NotNormal);
    }
    Ok(Cow::Owned(normal))
}

/// RFC 3986 §6.2.2.2: percent-encoded unreserved characters are decoded;
/// other escapes are kept as written; separators per `escaped`.
fn decode(path: &str, escaped: EscapedSlashes) -> Result<String, PathProblem> {
    let b = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
                let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else { return Err(PathProblem::Ambiguous) };
                let c = (hi * 16 + lo) as u8;
                if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
                    out.push(char::from(c));
                } else if c == b'/' || c == b'\\' {
                    match escaped {
                        EscapedSlashes::Reject => return Err(PathProblem::EscapedSeparator),
                        EscapedSlashes::Keep => out.push_str(&path[i..i + 3]),
                        EscapedSlashes::UnescapeAndForward => out.push('/'),
                    }
                } else {
                    out.push_str(&path[i..i + 3]);
                }
                i += 3;
            }
            b'\\' => {
                match escaped {
                    EscapedSlashes::Reject => return Err(PathProblem::EscapedSeparator),
                    EscapedSlashes::Keep => out.push('\\'),
                    EscapedSlashes::UnescapeAndForward => out.push('/'),
                }
                i += 1;
            }
            _ => {
                // Copy the run up to the next byte of interest at once.
                let end = b[i..].iter().position(|&c| c == b'%' || c == b'\\').map_or(b.len(), |n| i + n);
                out.push_str(&path[i..end]);
                i = end;
            }
        }
    }
    Ok(out)
}

/// <https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4>
///
/// remove_dot_segments over a decoded path, merging slashes first when
/// asked; a segment that ends in `/` keeps its trailing slash.
fn resolve(path: &str, merge_slashes: bool) -> Result<String, PathProblem> {
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().copied().enumerate() {
        let dots = seg.split(';').next().unwrap_or("");
        if seg.contains(';') && (dots == "." || dots == "..") {
            return Err(PathProblem::Ambiguous);
        }
        match seg {
            "." => {}
            ".." => {
                if !merge_slashes && out.last() == Some(&"") {
                    return Err(PathProblem::Ambiguous);
                }
                out.pop();
            }
            "" if merge_slashes && i != last => continue,
            s => out.push(s),
        }
        // `/a/.` and `/a/b/..` end in a directory: `/a/`.
        if i == last && (seg == "." || seg == "..") {
            out.push("");
        }
    }
    let mut normal = String::with_capacity(path.len());
    for seg in &out {
        normal.push('/');
        normal.push_str(seg);
    }
    if normal.is_empty() {
        normal.push('/');
    }
    Ok(normal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossgate_test_support::upstream_path::resolved;
    use proptest::prelude::*;

    fn norm(p: &str) -> Result<String, PathProblem> {
        normalize(p, &PathOptions::default()).map(Cow::into_owned)
    }

    #[test]
    fn rfc_3986_examples_and_attacks() {
        let ok = [
            ("/", "/"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/..", "/"),
            ("/../a", "/a"),
            ("/a/../..", "/"),
            // RFC 3986 §5.2.4's own examples.
            ("/a/b/c/./../../g", "/a/g"),
            ("/mid/content=5/../6", "/mid/6"),
            ("/public/../api/notes", "/api/notes"),
            ("/public/%2e%2e/api/notes", "/api/notes"),
            ("/public/%2E%2E/api/notes", "/api/notes"),
            ("/public/.%2e/api/notes", "/api/notes"),
            ("/public//../api/notes", "/api/notes"),
            ("//api//notes//", "/api/notes/"),
            ("/%61pi/%7Euser", "/api/~user"),
            ("/a%20b/%3F", "/a%20b/%3F"),
            ("/a/...", "/a/..."),
            ("/a/.hidden", "/a/.hidden"),
            ("/a;b/c", "/a;b/c"),
            ("*", "*"),
        ];
        for (input, expected) in ok {
            assert_eq!(norm(input).as_deref(), Ok(expected), "{input}");
        }
        let refused = [
            ("/public/..%2fapi", PathProblem::EscapedSeparator),
            ("/public/%2e%2e%2Fapi", PathProblem::EscapedSeparator),
            ("/public/..%5capi", PathProblem::EscapedSeparator),
            ("/public/..\\api", PathProblem::EscapedSeparator),
            ("/a/%zz", PathProblem::Ambiguous),
            ("/a/%2", PathProblem::Ambiguous),
            ("/a/%", PathProblem::Ambiguous),
            ("/public/..;/api", PathProblem::Ambiguous),
            ("/public/.;x/api", PathProblem::Ambiguous),
            ("/public/%2e%2e;a=b/api", PathProblem::Ambiguous),
        ];
        for (input, problem) in refused {
            assert_eq!(norm(input), Err(problem), "{input}");
        }
    }

    #[test]
    fn settings() {
        let keep = PathOptions { escaped_slashes: EscapedSlashes::Keep, ..PathOptions::default() };
        assert_eq!(normalize("/a/..%2fb", &keep).as_deref(), Ok("/a/..%2fb"));
        assert_eq!(normalize("/a/b%2F../c", &keep).as_deref(), Ok("/a/b%2F../c"));
        let unescape = PathOptions { escaped_slashes: EscapedSlashes::UnescapeAndForward, ..PathOptions::default() };
        assert_eq!(normalize("/a/..%2fb", &unescape).as_deref(), Ok("/b"));
        assert_eq!(normalize("/a\\..\\b%5Cc", &unescape).as_deref(), Ok("/b/c"));
        let keep_slashes = PathOptions { merge_slashes: false, ..PathOptions::default() };
        assert_eq!(normalize("/a//b", &keep_slashes).as_deref(), Ok("/a//b"));
        assert_eq!(normalize("/a//../b", &keep_slashes), Err(PathProblem::Ambiguous));
        assert_eq!(normalize("/a/./b//c", &keep_slashes).as_deref(), Ok("/a/b//c"));
        let unchanged = PathOptions { normalize: false, ..PathOptions::default() };
        assert!(matches!(normalize("/a/b", &unchanged), Ok(Cow::Borrowed("/a/b"))));
        assert!(matches!(normalize("/a/%20", &unchanged), Ok(Cow::Borrowed("/a/%20"))));
        for p in ["/a/../b", "/a//b", "/%61", "/a/."] {
            assert_eq!(normalize(p, &unchanged), Err(PathProblem::NotNormal), "{p}");
        }
    }

    #[test]
    fn a_normal_path_is_borrowed() {
        for p in ["/", "/api/notes", "/a/b.c/d", "/a/%20", "/a;b"] {
            assert!(matches!(normalize(p, &PathOptions::default()), Ok(Cow::Borrowed(_))), "{p}");
        }
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "/", "a", "api", ".", "..", "%2e", "%2E", "%2f", "%5C", "\\", ";", "%25", "%41", "%7e", "%20", "%", "%z",
            "...", "b.c", "//",
        ])
    }

    fn options() -> impl Strategy<Value = PathOptions> {
        (
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(vec![
                EscapedSlashes::Reject,
                EscapedSlashes::Keep,
                EscapedSlashes::UnescapeAndForward,
            ]),
        )
            .prop_map(|(normalize, merge_slashes, escaped_slashes)| PathOptions {
                normalize,
                merge_slashes,
                escaped_slashes,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn normalising_is_idempotent_and_leaves_no_dot_segment(
            pieces in prop::collection::vec(piece(), 0..12),
            options in options(),
        ) {
            let path = format!("/{}", pieces.concat());
            let Ok(normal) = normalize(&path, &options) else { return Ok(()) };
            let again = normalize(&normal, &options).map(Cow::into_owned);
            prop_assert_eq!(again.as_deref(), Ok(&*normal), "not idempotent: {}", path);
            prop_assert!(normal.starts_with('/'));
            // No dot segment, whatever the separator an upstream reads.
            let upstream_segments = normal.replace("%2f", "/").replace("%2F", "/").replace("%5c", "/").replace("%5C", "/").replace('\\', "/");
            if options.escaped_slashes != EscapedSlashes::Keep {
                prop_assert!(upstream_segments.split('/').all(|s| s != "." && s != ".."), "{} -> {}", path, normal);
            }
            prop_assert!(normal.split('/').all(|s| s != "." && s != ".."), "{} -> {}", path, normal);
            if options.merge_slashes {
                prop_assert!(!normal.contains("//"), "{} -> {}", path, normal);
            }
        }

        /// With the defaults, what is routed is what an upstream that
        /// decodes everything resolves: the normal form and the original
        /// mean the same path.
        #[test]
        fn the_normal_form_means_what_the_original_means(pieces in prop::collection::vec(piece(), 0..12)) {
            let path = format!("/{}", pieces.concat());
            if let Ok(normal) = normalize(&path, &PathOptions::default()) {
                prop_assert_eq!(resolved(&normal), resolved(&path), "{} -> {}", path, normal);
                prop_assert!(!normal.contains("//") && !normal.contains('\\'));
                prop_assert!(!normal.to_ascii_lowercase().contains("%2f") && !normal.to_ascii_lowercase().contains("%5c"));
            }
        }
    }
}
