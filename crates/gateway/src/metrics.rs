//! Prometheus metrics, rendered by hand in the text exposition format.
//!
//! A handful of labelled counters and one histogram do not justify a
//! metrics framework; a mutex-protected map per family costs a few
//! nanoseconds per request at this gateway's scale.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the upstream latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Every metric the gateway keeps.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, Labels), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    connections: AtomicI64,
    in_flight: AtomicI64,
}

const HELP: [(&str, &str); 5] = [
    ("crossgate_requests_total", "Requests answered, by route and status."),
    ("crossgate_cors_decisions_total", "CORS decisions, by route, outcome and rejection reason."),
    ("crossgate_preflights_answered_total", "Preflights answered by the gateway, by route and status."),
    ("crossgate_reloads_total", "Config reloads, by result."),
    ("crossgate_upstream_errors_total", "Gateway-made errors, by route and kind."),
];

impl Metrics {
    fn add(&self, name: &'static str, labels: Labels) {
        if let Ok(mut m) = self.counters.lock() {
            *m.entry((name, labels)).or_insert(0) += 1;
        }
    }

    /// A response was sent.
    pub fn request(&self, route: &str, status: u16) {
        self.add("crossgate_requests_total", vec![("route", route.to_owned()), ("status", status.to_string())]);
    }

    /// A CORS decision was made: `outcome` is `allowed`, `rejected` or
    /// `not-cors`; `reason` a rejection code or empty.
    pub fn decision(&self, route: &str, outcome: &str, reason: &str) {
        self.add(
            "crossgate_cors_decisions_total",
            vec![("route", route.to_owned()), ("outcome", outcome.to_owned()), ("reason", reason.to_owned())],
        );
    }

    /// The gateway answered a preflight itself.
    pub fn preflight(&self, route: &str, status: u16) {
        self.add("crossgate_preflights_answered_total", vec![("route", route.to_owned()), ("status", status.to_string())]);
    }

    /// The gateway made an error response (`kind`: `connect`, `timeout`, …).
    pub fn upstream_error(&self, route: &str, kind: &'static str) {
        self.add("crossgate_upstream_errors_total", vec![("route", route.to_owned()), ("kind", kind.to_owned())]);
    }

    /// A reload was attempted.
    pub fn reload(&self, ok: bool) {
        self.add("crossgate_reloads_total", vec![("result", if ok { "ok" } else { "error" }.to_owned())]);
    }

    /// Time until an upstream's response headers arrived.
    pub fn upstream_latency(&self, route: &str, d: Duration) {
        let secs = d.as_secs_f64();
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_owned()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
    }

    /// A client connection opened (+1) or closed (-1).
    pub fn connections(&self, delta: i64) {
        self.connections.fetch_add(delta, Ordering::Relaxed);
    }

    /// A request started (+1) or finished (-1).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// The value of one counter (for tests and the demo).
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let Ok(m) = self.counters.lock() else { return 0 };
        m.iter()
            .filter(|((n, l), _)| *n == name && labels.iter().all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v)))
            .map(|(_, c)| *c)
            .sum()
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(m) = self.counters.lock() {
            for (name, help) in HELP {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                for ((n, labels), v) in m.iter().filter(|((n, _), _)| *n == name) {
                    let _ = writeln!(out, "{n}{{{}}} {v}", render_labels(labels));
                }
            }
        }
        let name = "crossgate_upstream_latency_seconds";
        let _ = writeln!(out, "# HELP {name} Time to the upstream's response headers.\n# TYPE {name} histogram");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                let route = escape(route);
                for (b, c) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"{b}\"}} {c}");
                }
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        for (name, help, v) in [
            ("crossgate_connections", "Open client connections.", &self.connections),
            ("crossgate_requests_in_flight", "Requests being handled.", &self.in_flight),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}", v.load(Ordering::Relaxed));
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn render_labels(labels: &Labels) -> String {
    labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect::<Vec<_>>().join(",")
}
