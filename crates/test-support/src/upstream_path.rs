//! How the most lenient upstream reads a request path, as the model that
//! path-scope and path-normalisation tests compare against: every
//! percent-escape decoded, `\` taken for `/`, `;parameters` dropped from a
//! segment (Tomcat, Jetty), slashes merged, dot segments removed (RFC 3986
//! §5.2.4) — the most a server does before serving a file.

/// The path `path` resolves to, always starting with `/`.
pub fn resolved(path: &str) -> String {
    let b = path.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                bytes.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                bytes.push(c);
                i += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes).replace('\\', "/");
    let mut out: Vec<&str> = Vec::new();
    for segment in text.split('/') {
        match segment.split(';').next().unwrap_or("") {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn resolves_like_a_decoding_server() {
        for (path, expected) in [
            ("/public/x", "/public/x"),
            ("/public/../private", "/private"),
            ("/public/..%2fprivate", "/private"),
            ("/public/%2e%2e%5cprivate", "/private"),
            ("/public\\..\\private", "/private"),
            ("/public/..;/private", "/private"),
            ("//a//b/", "/a/b"),
            ("/..", "/"),
        ] {
            assert_eq!(super::resolved(path), expected, "{path}");
        }
    }
}
