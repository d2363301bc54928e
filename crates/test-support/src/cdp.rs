//! A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`:
//! Chromium reads NUL-terminated JSON messages on fd 3 and writes them on
//! fd 4. A shell maps the child's stdin/stdout pipes onto those descriptors,
//! so no WebSocket is needed. The tests that compare crossgate with a real
//! headless Chromium (the emulator's, `explain`'s) share it.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A headless Chromium with a fresh profile, driven over the pipe.
pub struct Chromium {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: u64,
    /// Every event received so far (`method` + `params`), in order.
    pub events: Vec<Value>,
    profile_dir: PathBuf,
}

impl Chromium {
    /// Starts headless Chromium with a fresh profile.
    ///
    /// # Errors
    ///
    /// When the binary cannot be started.
    pub fn launch(binary: &str) -> Result<Self, String> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let profile_dir = std::env::temp_dir().join(format!("crossgate-chromium-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&profile_dir).map_err(|e| e.to_string())?;
        let script = "exec \"$0\" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
             --disable-background-networking --disable-component-update --disable-sync \
             --user-data-dir=\"$1\" --remote-debugging-pipe about:blank 3<&0 4>&1 </dev/null >/dev/null 2>\"$1/stderr.log\"";
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(binary)
            .arg(&profile_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            loop {
                let n = match stdout.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(pos) = buf.iter().position(|&b| b == 0) {
                    let msg: Vec<u8> = buf.drain(..=pos).collect();
                    if let Ok(v) = serde_json::from_slice::<Value>(&msg[..msg.len() - 1]) {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Chromium { child, stdin, rx, next_id: 0, events: Vec::new(), profile_dir })
    }

    /// Sends a command and waits for its result (events that arrive in the
    /// meantime are kept in [`Chromium::events`]).
    ///
    /// # Errors
    ///
    /// The protocol's error, a timeout, or a Chromium that exited.
    pub fn call(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
        bytes.push(0);
        self.stdin
            .write_all(&bytes)
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("write to chromium: {e}"))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) if v.get("id").and_then(Value::as_u64) == Some(id) => {
                    if let Some(err) = v.get("error") {
                        return Err(format!("{method}: {err}"));
                    }
                    return Ok(v.get("result").cloned().unwrap_or(Value::Null));
                }
                Ok(v) => {
                    if v.get("method").is_some() {
                        self.events.push(v);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Err(format!("{method}: timed out")),
                Err(RecvTimeoutError::Disconnected) => return Err(format!("{method}: chromium exited")),
            }
        }
    }

    /// Opens a new tab, attaches to it (flat session) and enables `domains`
    /// (`Network`, `Log`, `Page`…); returns the session id.
    ///
    /// # Errors
    ///
    /// The first command that fails.
    pub fn open_tab(&mut self, domains: &[&str], timeout: Duration) -> Result<String, String> {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }), None, timeout)?;
        let target_id = target["targetId"].as_str().ok_or("no targetId")?.to_owned();
        let attached =
            self.call("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }), None, timeout)?;
        let sid = attached["sessionId"].as_str().ok_or("no sessionId")?.to_owned();
        for d in domains {
            self.call(&format!("{d}.enable"), json!({}), Some(&sid), timeout)?;
        }
        Ok(sid)
    }

    /// Navigates the tab to `url` and waits (bounded) until its document is
    /// complete.
    ///
    /// # Errors
    ///
    /// A failed command, or a page that did not load in 5 s.
    pub fn load(&mut self, sid: &str, url: &str, timeout: Duration) -> Result<(), String> {
        self.call("Page.navigate", json!({ "url": url }), Some(sid), timeout)?;
        for _ in 0..100 {
            let r = self.call(
                "Runtime.evaluate",
                json!({ "expression": "location.href + ' ' + document.readyState", "returnByValue": true }),
                Some(sid),
                timeout,
            )?;
            if r["result"]["value"].as_str() == Some(&format!("{url} complete")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{url} did not load"))
    }

    /// Collects events for `wait`.
    pub fn drain(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Ok(v) = self.rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // Ask politely so every child process exits, then make sure.
        let _ = self.call("Browser.close", json!({}), None, Duration::from_secs(2));
        for _ in 0..40 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for _ in 0..5 {
            if std::fs::remove_dir_all(&self.profile_dir).is_ok() || !self.profile_dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
