//! `crossgate export` as a user runs it: exit codes, the header, `-o`, and
//! the round trip through `crossgate import`.

use std::process::Command;

fn crossgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crossgate"))
}

const POLICY: &str = "[[rule]]\norigins = [\"https://app.example.com\", \"https://*.example.com\"]\nmethods = [\"GET\", \"HEAD\", \"POST\", \"PUT\"]\nrequest_headers = [\"content-type\"]\ncredentials = true\nmax_age = 600\n";

#[test]
fn every_target_round_trips_through_the_cli() {
    let dir = crossgate_test_support::tempdir("export");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    // (target, the file name `import` reads it from)
    for (to, file) in
        [("express", "cors.js"), ("nginx", "site.conf"), ("envoy", "cors.yaml"), ("gateway-api", "route.yaml")]
    {
        let out_file = dir.join(file);
        let out = crossgate()
            .args([
                "export",
                policy.to_str().unwrap(),
                "--to",
                to,
                "-o",
                out_file.to_str().unwrap(),
                "--color",
                "never",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{to}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(&format!("exact: {} → {to}", policy.display())), "{to}: {stdout}");
        let written = std::fs::read_to_string(&out_file).unwrap();
        assert!(written.contains(&format!("Exported by `crossgate export --to {to}`")), "{written}");
        let back = dir.join(format!("{to}.toml"));
        let out = crossgate()
            .args([
                "import",
                out_file.to_str().unwrap(),
                "--from",
                to,
                "-o",
                back.to_str().unwrap(),
                "--color",
                "never",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{to}: {}", String::from_utf8_lossy(&out.stdout));
        let back: crossgate_core::PolicyConfig = toml::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
        let original: crossgate_core::PolicyConfig = toml::from_str(POLICY).unwrap();
        assert_eq!(back.rules, original.rules, "{to}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn what_cannot_be_said_exits_1_and_is_in_the_header() {
    let dir = crossgate_test_support::tempdir("export");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "[[rule]]\norigins = [\"https://a.com\"]\nallow_private_network = true\n").unwrap();
    let out =
        crossgate().args(["export", policy.to_str().unwrap(), "--to", "express", "--color", "never"]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.starts_with("// Exported by `crossgate export --to express`.\n// NOT EXACT"), "{stdout}");
    assert!(stdout.contains("Private Network Access"), "{stdout}");
    assert!(stderr.contains("error[unsupported-setting]") && stderr.contains("not exact:"), "{stderr}");
    let out =
        crossgate().args(["export", dir.join("missing.toml").to_str().unwrap(), "--to", "nginx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// S3 cannot run here: the exported configuration is loaded by the
/// gateway's S3 dialect (S3's semantics) and its decisions are compared
/// with the policy's, call by call.
#[test]
fn policies_exported_to_s3_decide_as_crossgate() {
    use crossgate_gateway::s3::{S3Cors, S3Decision};
    use http::{HeaderMap, HeaderValue, Method};

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/export");
    let origins = [
        "https://app.example.com",
        "https://admin.example.com",
        "https://a.b.example.com",
        "https://example.com",
        "https://evil.example",
        "http://localhost",
        "http://localhost:3000",
        "http://127.0.0.1:5173",
        "https://console.example.com",
    ];
    let calls: [(&str, Option<&str>, Option<&str>); 6] = [
        ("GET", None, None),
        ("POST", None, None),
        ("OPTIONS", Some("PUT"), None),
        ("OPTIONS", Some("DELETE"), Some("content-type")),
        ("OPTIONS", Some("POST"), Some("x-trace-id,content-type")),
        ("OPTIONS", Some("PATCH"), Some("x-custom")),
    ];
    let (mut exact, mut compared) = (0, 0);
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut texts: Vec<(String, String)> =
        files.iter().map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap())).collect();
    // Shapes S3 can say: a listed origin always gets credentials there.
    for (name, text) in [
        ("subdomains", "[[rule]]\norigins = [\"https://*.example.com\"]\nmethods = [\"GET\", \"PUT\"]\nrequest_headers = [\"x-trace-id\"]\ncredentials = true\n"),
        ("local", "[[rule]]\norigins = [\"http://localhost:*\", \"http://127.0.0.1:5173\"]\nmethods = [\"GET\", \"POST\", \"DELETE\"]\nrequest_headers = [\"content-type\"]\ncredentials = true\nmax_age = 60\n"),
        ("two rules", "[[rule]]\norigins = [\"https://console.example.com\"]\nmethods = [\"GET\", \"PUT\", \"DELETE\"]\ncredentials = true\n\n[[rule]]\norigins = [\"*\"]\nmethods = [\"GET\", \"HEAD\"]\n"),
    ] {
        texts.push((name.to_owned(), text.to_owned()));
    }
    for (file, text) in texts {
        let policy: crossgate_core::PolicyConfig = toml::from_str(&text).unwrap();
        let exported = crossgate_convert::export_s3(&policy);
        let mut problems = Vec::new();
        let s3 = S3Cors::parse(&exported.text, false, "s3", &mut problems);
        let s3 = s3.unwrap_or_else(|| panic!("{file}: S3 refuses the export: {problems:?}\n{}", exported.text));
        if !exported.is_exact() {
            assert!(exported.text.contains("NOT EXACT"), "{}", exported.text);
            continue;
        }
        exact += 1;
        let built = crossgate_core::Policy::new(policy).unwrap().policy;
        for origin in origins {
            for (method, acrm, acrh) in calls {
                let mut h = HeaderMap::new();
                h.insert("origin", HeaderValue::from_static(origin));
                if let Some(m) = acrm {
                    h.insert("access-control-request-method", HeaderValue::from_static(m));
                }
                if let Some(v) = acrh {
                    h.insert("access-control-request-headers", HeaderValue::from_static(v));
                }
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let ours =
                    matches!(built.evaluate(&method, "/", &h).outcome(), crossgate_core::Outcome::Allowed { .. });
                let theirs = match s3.decide(&method, &h) {
                    S3Decision::PreflightAllowed(_) => true,
                    S3Decision::Actual { allowed, .. } => allowed,
                    S3Decision::PreflightRejected(_) | S3Decision::NotCors => false,
                };
                assert_eq!(ours, theirs, "{file}: {method} from {origin} ({acrm:?}, {acrh:?})\n{}", exported.text);
                compared += 1;
            }
        }
    }
    eprintln!("export s3: {exact} exact policies, {compared} decisions compared, 0 differ");
    assert!(exact >= 5 && compared >= 250, "{exact} {compared}");
}
