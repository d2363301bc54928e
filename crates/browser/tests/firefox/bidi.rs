//! A minimal WebDriver BiDi client for Firefox's built-in remote agent: the
//! browser is started headless with `--remote-debugging-port=0` and a fresh
//! profile, prints the WebSocket address it listens on, and speaks JSON
//! commands and events over `ws://127.0.0.1:PORT/session`.
//!
//! <https://w3c.github.io/webdriver-bidi/>

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Preferences that keep a test profile off the network and quiet: no
/// updates, telemetry, Safe Browsing, captive-portal or connectivity probes,
/// remote settings or first-run pages.
const USER_JS: &str = r#"
user_pref("app.update.disabledForTesting", true);
user_pref("app.update.auto", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("services.settings.server", "data:,#remote-settings-disabled");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.startup.page", 0);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.predictor.enabled", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.proxy.type", 0);
user_pref("dom.security.https_first", false);
"#;

pub struct Firefox {
    child: Child,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Every event received so far (`method` + `params`), in order.
    pub events: Vec<Value>,
    profile_dir: PathBuf,
}

impl Firefox {
    /// Starts headless Firefox with a fresh profile and opens a BiDi session.
    pub async fn launch(binary: &str) -> Result<Self, String> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let profile_dir = std::env::temp_dir().join(format!("crossgate-firefox-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&profile_dir).map_err(|e| e.to_string())?;
        std::fs::write(profile_dir.join("user.js"), USER_JS).map_err(|e| e.to_string())?;
        let mut child = Command::new(binary)
            .args(["--headless", "--no-remote", "--remote-debugging-port=0", "--profile"])
            .arg(&profile_dir)
            .arg("about:blank")
            .env("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        // Firefox prints "WebDriver BiDi listening on ws://127.0.0.1:PORT".
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(at) = line.find("WebDriver BiDi listening on ") {
                        let _ = tx.send(line[at + "WebDriver BiDi listening on ".len()..].trim().to_owned());
                        sent = true;
                    }
                }
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{binary} did not open its WebDriver BiDi port within 30 s"));
            }
        };
        let (ws, _) = tokio_tungstenite::connect_async(format!("{address}/session"))
            .await
            .map_err(|e| format!("cannot connect to {address}/session: {e}"))?;
        let mut firefox = Firefox { child, ws, next_id: 1, events: Vec::new(), profile_dir };
        firefox.call("session.new", json!({ "capabilities": {} }), Duration::from_secs(30)).await?;
        Ok(firefox)
    }

    /// Sends a command and waits for its result, keeping the events that
    /// arrive meanwhile.
    pub async fn call(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({ "id": id, "method": method, "params": params });
        self.ws.send(Message::text(msg.to_string())).await.map_err(|e| format!("{method}: {e}"))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(left, self.ws.next())
                .await
                .map_err(|_| format!("{method}: no answer within {timeout:?}"))?;
            let Some(Ok(Message::Text(text))) = next else {
                match next {
                    Some(Ok(_)) => continue,
                    other => return Err(format!("{method}: the connection ended: {other:?}")),
                }
            };
            let v: Value = serde_json::from_str(text.as_str()).map_err(|e| format!("{method}: {e}"))?;
            if v["id"].as_u64() == Some(id) {
                if v["type"] == "error" {
                    return Err(format!("{method}: {} {}", v["error"], v["message"]));
                }
                return Ok(v["result"].clone());
            }
            if v["type"] == "event" {
                self.events.push(v);
            }
        }
    }

    /// Collects events for `d`.
    pub async fn drain(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    if let Ok(v) = serde_json::from_str::<Value>(text.as_str()) {
                        if v["type"] == "event" {
                            self.events.push(v);
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => return,
            }
        }
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

/// `firefox-esr --version`, e.g. "Mozilla Firefox 140.10.2esr".
pub fn version(binary: &str) -> Result<String, String> {
    let out =
        Command::new(binary).arg("--version").output().map_err(|e| format!("cannot run `{binary} --version`: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
