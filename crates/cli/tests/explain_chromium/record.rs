//! A HAR file from the DevTools protocol's Network events, built the way
//! DevTools' own "Export HAR" builds it: one entry per request and per
//! redirect hop, the raw headers of the `…ExtraInfo` events when there are
//! some, preflights as their own entries (`_resourceType: "preflight"`), and
//! the `_initiator`, `_priority`, `_resourceType`, `_transferSize` and
//! `_error` extensions. `sanitized` drops what the sanitized export drops:
//! `Cookie`, `Set-Cookie`, `Authorization` and the cookie lists.

use std::collections::HashMap;

use serde_json::{json, Value};

#[derive(Default)]
struct Hop {
    request: Value,
    wall_time: f64,
    timestamp: f64,
    resource_type: String,
    initiator: Value,
    priority: Value,
    response: Option<Value>,
    error: Option<String>,
    end: Option<f64>,
}

/// The HAR and, per DevTools request id, the entry index of its first hop.
pub struct Recorded {
    pub har: Value,
    pub first_entry: HashMap<String, usize>,
}

const SANITIZED: [&str; 3] = ["cookie", "set-cookie", "authorization"];

/// `{name: value}` (values joined by `\n` for repeated headers) as HAR lines.
fn header_lines(headers: &Value, sanitized: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(map) = headers.as_object() {
        for (name, value) in map {
            if sanitized && SANITIZED.contains(&name.to_ascii_lowercase().as_str()) {
                continue;
            }
            for v in value.as_str().unwrap_or_default().split('\n') {
                out.push(json!({"name": name, "value": v}));
            }
        }
    }
    out
}

fn iso(wall_time: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos((wall_time * 1e9) as i128).expect("wall time");
    t.format(&time::format_description::well_known::Rfc3339).expect("format")
}

pub fn har(events: &[Value], page_url: &str, sanitized: bool) -> Recorded {
    let mut hops: HashMap<String, Vec<Hop>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut extra_req: HashMap<String, Vec<Value>> = HashMap::new();
    let mut extra_resp: HashMap<String, Vec<(Value, Value)>> = HashMap::new();
    for e in events {
        let p = &e["params"];
        let id = p["requestId"].as_str().unwrap_or_default().to_owned();
        match e["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                let list = hops.entry(id.clone()).or_default();
                if list.is_empty() {
                    order.push(id.clone());
                }
                if let Some(last) = list.last_mut() {
                    if p["redirectResponse"].is_object() {
                        last.response = Some(p["redirectResponse"].clone());
                        last.end = p["timestamp"].as_f64();
                    }
                }
                list.push(Hop {
                    request: p["request"].clone(),
                    wall_time: p["wallTime"].as_f64().unwrap_or(0.0),
                    timestamp: p["timestamp"].as_f64().unwrap_or(0.0),
                    // DevTools types a preflight by its initiator.
                    resource_type: if p["initiator"]["type"] == "preflight" {
                        "preflight".to_owned()
                    } else {
                        p["type"].as_str().unwrap_or("Other").to_ascii_lowercase()
                    },
                    initiator: p["initiator"].clone(),
                    priority: p["request"]["initialPriority"].clone(),
                    ..Hop::default()
                });
            }
            "Network.requestWillBeSentExtraInfo" => extra_req.entry(id).or_default().push(p["headers"].clone()),
            "Network.responseReceivedExtraInfo" => {
                extra_resp.entry(id).or_default().push((p["statusCode"].clone(), p["headers"].clone()))
            }
            "Network.responseReceived" => {
                if let Some(last) = hops.get_mut(&id).and_then(|l| l.last_mut()) {
                    last.response = Some(p["response"].clone());
                }
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                if let Some(last) = hops.get_mut(&id).and_then(|l| l.last_mut()) {
                    last.end = p["timestamp"].as_f64();
                    last.error = p["errorText"].as_str().map(str::to_owned);
                }
            }
            _ => {}
        }
    }
    // (wall time, request id, hop) of every entry, in start order.
    let mut flat: Vec<(f64, String, usize)> = Vec::new();
    for id in &order {
        for (i, h) in hops[id].iter().enumerate() {
            flat.push((h.wall_time, id.clone(), i));
        }
    }
    flat.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut entries = Vec::new();
    let mut first_entry = HashMap::new();
    for (n, (_, id, i)) in flat.iter().enumerate() {
        let list = &hops[id];
        let h = &list[*i];
        if *i == 0 {
            first_entry.insert(id.clone(), n);
        }
        // ExtraInfo events come once per hop, in order.
        let req_headers =
            extra_req.get(id).and_then(|v| v.get(*i)).cloned().unwrap_or_else(|| h.request["headers"].clone());
        let (status, resp_headers) = match extra_resp.get(id).and_then(|v| v.get(*i)) {
            Some((s, hd)) => (s.as_u64().unwrap_or(0), hd.clone()),
            None => match &h.response {
                Some(r) => (r["status"].as_u64().unwrap_or(0), r["headers"].clone()),
                None => (0, json!({})),
            },
        };
        let resp = h.response.clone().unwrap_or(Value::Null);
        let redirect_url =
            list.get(i + 1).map_or(String::new(), |next| next.request["url"].as_str().unwrap_or_default().to_owned());
        let mut request = json!({
            "method": h.request["method"],
            "url": h.request["url"],
            "httpVersion": resp["protocol"].as_str().unwrap_or("http/1.1"),
            "headers": header_lines(&req_headers, sanitized),
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": h.request["postData"].as_str().map_or(0, str::len),
        });
        if h.request["hasPostData"].as_bool() == Some(true) {
            request["postData"] = json!({"mimeType": h.request["headers"]["Content-Type"].as_str().unwrap_or(""), "text": h.request["postData"].as_str().unwrap_or("")});
        }
        let time_ms = h.end.map_or(-1.0, |end| (end - h.timestamp) * 1000.0);
        entries.push(json!({
            "_initiator": h.initiator,
            "_priority": h.priority,
            "_resourceType": h.resource_type,
            "cache": {},
            "connection": resp["connectionId"].as_u64().map(|c| c.to_string()),
            "pageref": "page_1",
            "request": request,
            "response": {
                "status": status,
                "statusText": resp["statusText"].as_str().unwrap_or(""),
                "httpVersion": resp["protocol"].as_str().unwrap_or(""),
                "headers": header_lines(&resp_headers, sanitized),
                "cookies": [],
                "content": {"size": 0, "mimeType": resp["mimeType"].as_str().unwrap_or("x-unknown")},
                "redirectURL": redirect_url,
                "headersSize": -1,
                "bodySize": -1,
                "_transferSize": resp["encodedDataLength"].as_f64().unwrap_or(0.0),
                "_error": h.error,
            },
            "serverIPAddress": resp["remoteIPAddress"].as_str().unwrap_or(""),
            "startedDateTime": iso(h.wall_time),
            "time": time_ms,
            "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": time_ms.max(0.0), "receive": 0, "_blocked_queueing": -1},
        }));
    }
    let started = flat.first().map_or(0.0, |f| f.0);
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": iso(started), "id": "page_1", "title": page_url, "pageTimings": {"onContentLoad": -1, "onLoad": -1}}],
        "entries": entries,
    }});
    Recorded { har, first_entry }
}
