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
