//! App-scheme origins: pages of desktop and mobile shells and of browser
//! extensions, served on a scheme of their own.
//!
//! Per HTML, a URL on a scheme that is not special has an opaque origin,
//! serialized `null` (<https://url.spec.whatwg.org/#concept-url-origin>).
//! The engines that host these pages register their scheme as one with a
//! host, so its pages get a tuple origin and send it in `Origin`:
//! Chromium for `chrome-extension:` (extensions are a "standard scheme" in
//! Chromium's `url::Origin`), Firefox for `moz-extension:`, WKWebView for a
//! `WKURLSchemeHandler` scheme (Tauri's `tauri:` on macOS and Linux,
//! Capacitor's `capacitor:` on iOS), VS Code for `vscode-webview:`. Their
//! documents give the origins:
//!
//! - Tauri 2 (<https://v2.tauri.app/reference/webview-versions/> and the
//!   `useHttpsScheme` option): `tauri://localhost` on macOS and Linux,
//!   `http://tauri.localhost` on Windows (`https://` with `useHttpsScheme`).
//! - Capacitor (<https://capacitorjs.com/docs/config>, `server.iosScheme`
//!   and `server.androidScheme`): `capacitor://localhost` on iOS,
//!   `https://localhost` or `http://localhost` on Android.
//! - Chromium extensions: `chrome-extension://<id>`, the id 32 letters
//!   `a`–`p` (<https://developer.chrome.com/docs/extensions/reference/manifest/key>).
//! - Firefox extensions: `moz-extension://<uuid>`, a UUID drawn per
//!   installation (<https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/manifest.json/web_accessible_resources>).
//!
//! Such origins are only ever listed exactly: no pattern, `*` included,
//! stands for one.

use super::pattern::PatternError;
use crate::diagnostics::Code;

/// A platform whose pages send fixed origins, named in `app_schemes`.
pub(crate) struct Platform {
    pub(crate) scheme: &'static str,
    /// Each origin the platform sends, and who sends it.
    pub(crate) origins: &'static [(&'static str, &'static str)],
}

pub(crate) const PLATFORMS: &[Platform] = &[
    Platform {
        scheme: "tauri",
        origins: &[
            ("tauri://localhost", "Tauri 2 on macOS and Linux"),
            ("http://tauri.localhost", "Tauri 2 on Windows (WebView2)"),
            ("https://tauri.localhost", "Tauri 2 on Windows with `useHttpsScheme`"),
        ],
    },
    Platform {
        scheme: "capacitor",
        origins: &[
            ("capacitor://localhost", "Capacitor on iOS"),
            ("https://localhost", "Capacitor on Android with `server.androidScheme = \"https\"`"),
            ("http://localhost", "Capacitor on Android with `server.androidScheme = \"http\"`"),
        ],
    },
];

/// Extension schemes: their hosts name one extension, so the origin is
/// always listed exactly, never by scheme.
const EXTENSIONS: &[(&str, &str)] = &[
    ("chrome-extension", "Chromium extensions (Chrome, Edge) send `chrome-extension://<id>`, the id 32 letters a–p"),
    ("moz-extension", "Firefox extensions send `moz-extension://<uuid>`; the UUID is drawn per installation"),
    ("safari-web-extension", "Safari extensions send `safari-web-extension://<uuid>`"),
    ("vscode-webview", "VS Code webviews send `vscode-webview://<id>`"),
];

/// Schemes whose origins are tuples a browser serializes itself, or that
/// give opaque origins: never app schemes.
const NOT_APP: &[&str] = &["http", "https", "ws", "wss", "ftp", "file", "blob", "data", "about", "javascript"];

/// <https://www.rfc-editor.org/rfc/rfc3986#section-3.1>
///
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, in lower case (the URL
/// parser lower-cases schemes, so a browser never sends upper case).
pub(crate) fn is_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.'))
}

/// Whether `s` is a scheme whose `scheme://host` origins are app origins.
pub(crate) fn is_app_scheme(s: &str) -> bool {
    is_scheme(s) && !NOT_APP.contains(&s)
}

/// Why a name in `app_schemes` is refused, or `None` when it is one.
pub(crate) fn check_app_scheme(s: &str) -> Option<(String, String)> {
    if !is_scheme(s) {
        return Some((
            format!("`{s}` is not a scheme: a lower-case letter, then letters, digits, `+`, `-` or `.`"),
            "write the scheme without `://`, e.g. `tauri`".to_owned(),
        ));
    }
    if NOT_APP.contains(&s) {
        return Some((
            format!("`{s}:` is not an app scheme"),
            "list `http`/`https` origins in `origins`; other schemes give pages the opaque origin `null`".to_owned(),
        ));
    }
    if let Some((_, who)) = EXTENSIONS.iter().find(|(e, _)| *e == s) {
        return Some((
            format!("`{s}` would stand for every extension, anyone's: {who}"),
            format!("list your extension's origin in `origins`, e.g. `{}`", example(s)),
        ));
    }
    None
}

fn example(scheme: &str) -> String {
    match scheme {
        "chrome-extension" => "chrome-extension://abcdefghijklmnopabcdefghijklmnop".to_owned(),
        "moz-extension" | "safari-web-extension" => format!("{scheme}://0f3c4e2a-1b2c-4d5e-8f90-123456789abc"),
        _ => format!("{scheme}://main"),
    }
}

/// Whether origins of `scheme` may be listed without naming the scheme in
/// `app_schemes`: the platforms and extensions above.
pub(crate) fn is_known(scheme: &str) -> bool {
    PLATFORMS.iter().any(|p| p.scheme == scheme) || EXTENSIONS.iter().any(|(e, _)| *e == scheme)
}

/// Who sends this (canonical) app-scheme or platform origin, for the note.
pub(crate) fn who_sends(origin: &str) -> Option<String> {
    for p in PLATFORMS {
        if let Some((_, who)) = p.origins.iter().find(|(o, _)| *o == origin) {
            let others: Vec<&str> = p.origins.iter().map(|(o, _)| *o).filter(|o| *o != origin).collect();
            return Some(format!(
                "{who} sends this origin; the other builds send {} (`app_schemes = [\"{}\"]` lists them all)",
                others.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", "),
                p.scheme
            ));
        }
    }
    let scheme = &origin[..origin.find("://")?];
    if let Some((_, who)) = EXTENSIONS.iter().find(|(e, _)| *e == scheme) {
        return Some(format!("{who}; only that extension matches"));
    }
    Some(format!("pages on the app scheme `{scheme}:` send this origin, if their shell gives them one"))
}

fn err(code: Code, message: impl Into<String>, help: impl Into<String>) -> PatternError {
    PatternError { code, message: message.into(), help: help.into() }
}

/// Parses `scheme://host[:port]` on a scheme that is not special, into
/// its canonical serialization. `scheme` is already lower case and checked
/// by [`is_scheme`]; `rest` is what follows `://`.
pub(crate) fn parse(scheme: &str, rest: &str) -> Result<String, PatternError> {
    let shape = format!("an app origin is `{scheme}://host[:port]`");
    if let Some(i) = rest.find(['/', '?', '#']) {
        let (code, what) = match rest.as_bytes()[i] {
            b'/' => (Code::OriginHasPath, "path"),
            b'?' => (Code::OriginHasQuery, "query"),
            _ => (Code::OriginHasFragment, "fragment"),
        };
        return Err(err(
            code,
            format!("an origin has no {what}"),
            format!("did you mean `{scheme}://{}`?", &rest[..i]),
        ));
    }
    if rest.contains('@') {
        return Err(err(Code::OriginHasUserinfo, "an origin has no user name or password", shape));
    }
    if rest.contains('*') {
        return Err(err(
            Code::OriginPatternInvalid,
            "app-scheme origins are listed exactly: `*` never stands for an app or an extension",
            "list each origin your app's pages send",
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if host.is_empty() {
        return Err(err(Code::OriginInvalid, format!("`{scheme}:` pages send an origin with a host"), shape));
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(err(
            Code::OriginInvalid,
            "browsers send app-scheme hosts as written, and no platform writes upper case",
            format!("did you mean `{scheme}://{}`?", host.to_ascii_lowercase()),
        ));
    }
    if !super::serialized::is_canonical_host(host.as_bytes()) {
        return Err(err(Code::OriginInvalid, format!("the host `{host}` is not valid"), shape));
    }
    let host_ok = match scheme {
        "chrome-extension" => host.len() == 32 && host.bytes().all(|b| (b'a'..=b'p').contains(&b)),
        "moz-extension" | "safari-web-extension" => is_uuid(host),
        _ => true,
    };
    if !host_ok {
        return Err(err(
            Code::OriginInvalid,
            format!("`{host}` is not a `{scheme}:` id"),
            format!("an id looks like `{}`", example(scheme)),
        ));
    }
    let port = match port {
        None => String::new(),
        Some(p) if !p.is_empty() && p.len() <= 5 && !p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()) => {
            match p.parse::<u16>() {
                Ok(_) => format!(":{p}"),
                Err(_) => return Err(err(Code::OriginInvalid, format!("`{p}` is not a port"), shape)),
            }
        }
        Some(p) => return Err(err(Code::OriginInvalid, format!("`{p}` is not a port"), shape)),
    };
    Ok(format!("{scheme}://{host}{port}"))
}

/// A lower-case UUID: 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_origins_parse_to_their_serialization() {
        let ok = [
            ("tauri", "localhost", "tauri://localhost"),
            ("capacitor", "localhost", "capacitor://localhost"),
            (
                "chrome-extension",
                "abcdefghijklmnopabcdefghijklmnop",
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
            ),
            (
                "moz-extension",
                "0f3c4e2a-1b2c-4d5e-8f90-123456789abc",
                "moz-extension://0f3c4e2a-1b2c-4d5e-8f90-123456789abc",
            ),
            ("vscode-webview", "1a2b3c", "vscode-webview://1a2b3c"),
            ("app", "main:8080", "app://main:8080"),
        ];
        for (scheme, rest, want) in ok {
            assert_eq!(parse(scheme, rest).as_deref(), Ok(want));
        }
        let bad = [
            ("tauri", "", Code::OriginInvalid),
            ("tauri", "localhost/", Code::OriginHasPath),
            ("tauri", "localhost?x", Code::OriginHasQuery),
            ("tauri", "*", Code::OriginPatternInvalid),
            ("chrome-extension", "*", Code::OriginPatternInvalid),
            ("tauri", "Localhost", Code::OriginInvalid),
            ("tauri", "u@localhost", Code::OriginHasUserinfo),
            ("chrome-extension", "abcdefghijklmnopabcdefghijklmnoq", Code::OriginInvalid),
            ("chrome-extension", "abcdefghijklmnop", Code::OriginInvalid),
            ("moz-extension", "0f3c4e2a1b2c4d5e8f90123456789abc", Code::OriginInvalid),
            ("app", "main:0800", Code::OriginInvalid),
            ("app", "main:70000", Code::OriginInvalid),
            ("app", "ma in", Code::OriginInvalid),
        ];
        for (scheme, rest, code) in bad {
            assert_eq!(parse(scheme, rest).map_err(|e| e.code), Err(code), "{scheme}://{rest}");
        }
    }

    #[test]
    fn scheme_names() {
        assert!(is_scheme("tauri") && is_scheme("vscode-webview") && is_scheme("x+y.z1"));
        assert!(!is_scheme("") && !is_scheme("1app") && !is_scheme("Tauri") && !is_scheme("a b"));
        assert!(check_app_scheme("tauri").is_none() && check_app_scheme("myapp").is_none());
        for s in ["https", "ws", "file", "chrome-extension", "moz-extension", "tauri://", "App"] {
            assert!(check_app_scheme(s).is_some(), "{s}");
        }
    }
}
