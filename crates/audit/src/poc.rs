//! Proof-of-concept pages: the HTML a tester hosts on the probe's origin
//! (or, for what no browser sends, the command that shows it).

use crate::response::escape_bytes;

/// How the page makes its call.
pub(crate) enum Call<'a> {
    /// `fetch(url)`, with or without the visitor's cookies.
    Read { credentials: bool },
    /// From a sandboxed iframe, whose origin is `null`.
    Sandboxed { credentials: bool },
    /// A state-changing call the preflight lets through.
    Write { method: &'a str, header: &'a str },
}

fn js_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A page for `origin` that makes `call` to `url` and shows what it read.
pub(crate) fn page(title: &str, origin: &str, url: &str, call: &Call<'_>) -> String {
    let script = match call {
        Call::Read { credentials } | Call::Sandboxed { credentials } => {
            let creds = if *credentials { ", {credentials: \"include\"}" } else { "" };
            format!(
                "fetch({u}{creds})\n  .then(r => r.text())\n  .then(t => {{ out.textContent = \"read \" + t.length + \" bytes:\\n\" + t; }})\n  .catch(e => {{ out.textContent = \"blocked: \" + e; }});",
                u = js_string(url)
            )
        }
        Call::Write { method, header } => format!(
            "// This sends a real {m}: it changes data on the server.\nfetch({u}, {{method: {mj}, credentials: \"include\", headers: {{{h}: \"1\"}}}})\n  .then(r => {{ out.textContent = \"the browser sent the {m}; status \" + r.status; }})\n  .catch(e => {{ out.textContent = \"blocked: \" + e; }});",
            m = method,
            mj = js_string(method),
            u = js_string(url),
            h = js_string(header)
        ),
    };
    let body = format!(
        "<pre id=\"out\">…</pre>\n<script>\nconst out = document.getElementById(\"out\");\n{script}\n</script>"
    );
    let host_note = match call {
        Call::Sandboxed { .. } => "Host this page anywhere: the sandboxed iframe's origin is `null`.".to_owned(),
        _ => format!("Host this page on {origin} and open it in a browser signed in to the target."),
    };
    let content = match call {
        Call::Sandboxed { .. } => {
            let inner = format!("<!doctype html>{body}");
            format!(
                "<iframe sandbox=\"allow-scripts\" width=\"800\" height=\"400\" srcdoc=\"{}\"></iframe>",
                html_escape(&inner)
            )
        }
        _ => body,
    };
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>crossgate audit: {t}</title>\n<!-- {note} -->\n{content}\n",
        t = html_escape(title),
        note = html_escape(&host_note)
    )
}

/// A shell command that sends `headers` as raw bytes (`printf` escapes) to
/// `host:port`, for what no browser and no ordinary client sends.
pub(crate) fn raw_command(https: bool, host: &str, port: u16, path: &str, headers: &[(String, Vec<u8>)]) -> String {
    let mut req = format!("GET {path} HTTP/1.1\\r\\nHost: {host}\\r\\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {}\\r\\n", escape_bytes(v).replace('%', "%%").replace('\'', "'\\''")));
    }
    req.push_str("Connection: close\\r\\n\\r\\n");
    let sink = if https {
        format!("openssl s_client -quiet -connect {host}:{port} -servername {host}")
    } else {
        format!("nc {host} {port}")
    };
    format!("printf '{req}' | {sink}")
}

/// A `curl` command with these headers (several of one name are all sent).
pub(crate) fn curl(url: &str, headers: &[(String, Vec<u8>)]) -> String {
    let mut cmd = "curl -si".to_owned();
    for (n, v) in headers {
        cmd.push_str(&format!(" -H '{n}: {}'", String::from_utf8_lossy(v).replace('\'', "'\\''")));
    }
    cmd.push_str(&format!(" '{url}'"));
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        let p = page(
            "reflect_any",
            "https://evil.example",
            "https://t.example/a?b=\"c\"",
            &Call::Read { credentials: true },
        );
        assert!(p.contains("credentials: \"include\""));
        assert!(p.contains("\"https://t.example/a?b=\\\"c\\\"\""));
        let p = page("null", "null", "https://t.example/a", &Call::Sandboxed { credentials: true });
        assert!(p.contains("sandbox=\"allow-scripts\" "));
        assert!(!p.contains("<script>\nconst") || p.contains("srcdoc"));
        let c = raw_command(false, "t.example", 80, "/a", &[("Origin".into(), b"https://a\r\nX: 1".to_vec())]);
        assert!(c.starts_with("printf 'GET /a HTTP/1.1\\r\\nHost: t.example\\r\\nOrigin: https://a\\r\\nX: 1\\r\\n"));
        assert!(curl("https://t/", &[("Origin".into(), b"a".to_vec()), ("Origin".into(), b"b".to_vec())])
            .contains("-H 'Origin: a' -H 'Origin: b'"));
    }
}
