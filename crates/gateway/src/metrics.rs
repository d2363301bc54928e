//! Prometheus metrics, rendered by hand in the text exposition format.
//!
//! A handful of labelled counters and one histogram do not justify a
//! metrics framework. Counting is on every request's path, so a series is
//! found by a hash of its name and label values computed straight from the
//! borrowed strings — no key is built, nothing is allocated once the series
//! exists — and rendering (rare) sorts the series into a stable order.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::labels::{ErrorKind, Labels};

/// Upper bounds of the upstream latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// A counter family: its name, help text and label keys, fixed in code, so
/// a series is told apart by its label values alone.
struct Family {
    name: &'static str,
    help: &'static str,
    keys: &'static [&'static str],
}

/// The counter families, in the order they are rendered.
const FAMILIES: [Family; 5] = [
    Family {
        name: "crossgate_requests_total",
        help: "Requests answered, by route and status.",
        keys: &["route", "status"],
    },
    Family {
        name: "crossgate_cors_decisions_total",
        help: "CORS decisions, by route, outcome and rejection reason.",
        keys: &["route", "outcome", "reason"],
    },
    Family {
        name: "crossgate_preflights_answered_total",
        help: "Preflights answered by the gateway, by route and status.",
        keys: &["route", "status"],
    },
    Family { name: "crossgate_reloads_total", help: "Config reloads, by result.", keys: &["result"] },
    Family {
        name: "crossgate_upstream_errors_total",
        help: "Gateway-made errors, by route and kind.",
        keys: &["route", "kind"],
    },
];
const REQUESTS: usize = 0;
const DECISIONS: usize = 1;
const PREFLIGHTS: usize = 2;
const RELOADS: usize = 3;
const UPSTREAM_ERRORS: usize = 4;

/// One counter series.
struct Series {
    family: usize,
    values: Vec<String>,
    count: u64,
}

impl Series {
    fn is(&self, family: usize, values: &[&str]) -> bool {
        self.family == family
            && self.values.len() == values.len()
            && self.values.iter().zip(values).all(|(a, b)| a == b)
    }
}

/// Series by the hash of their family and label values; colliding series
/// share a bucket and are told apart by comparing the values.
type Counters = HashMap<u64, Vec<Series>, BuildHasherDefault<Passthrough>>;

/// The map's keys are already hashes.
#[derive(Default)]
struct Passthrough(u64);

impl Hasher for Passthrough {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// FNV-1a over 8-byte words, each value closed by its length so that
/// ("ab", "c") and ("a", "bc") differ. Label values come from the config
/// and from fixed codes, not from requests, so a fixed hash is safe.
fn series_hash(family: usize, values: &[&str]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = (0xcbf2_9ce4_8422_2325 ^ family as u64).wrapping_mul(PRIME);
    for v in values {
        let mut chunks = v.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
        }
        for &b in chunks.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        h = (h ^ v.len() as u64).wrapping_mul(PRIME);
    }
    h ^ (h >> 29)
}

/// A status code as text, without allocating.
fn status_text(status: u16, buf: &mut [u8; 5]) -> &str {
    let mut n = status;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Every metric the gateway keeps.
#[derive(Default)]
pub(crate) struct Metrics {
    counters: Mutex<Counters>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    connections: AtomicI64,
    in_flight: AtomicI64,
}

impl Metrics {
    fn add(&self, family: usize, values: &[&str]) {
        let hash = series_hash(family, values);
        let Ok(mut map) = self.counters.lock() else { return };
        let bucket = map.entry(hash).or_default();
        match bucket.iter_mut().find(|s| s.is(family, values)) {
            Some(s) => s.count += 1,
            None => bucket.push(Series { family, values: values.iter().map(|v| (*v).to_owned()).collect(), count: 1 }),
        }
    }

    /// Every series, ordered by family name and then label values (the
    /// keys are the family's, in a fixed order).
    fn sorted<R>(&self, f: impl FnOnce(Vec<&Series>) -> R) -> Option<R> {
        let map = self.counters.lock().ok()?;
        let mut all: Vec<&Series> = map.values().flatten().collect();
        all.sort_by(|a, b| (FAMILIES[a.family].name, &a.values).cmp(&(FAMILIES[b.family].name, &b.values)));
        Some(f(all))
    }

    /// A response was sent.
    pub(crate) fn request(&self, route: &str, status: u16) {
        let mut buf = [0; 5];
        self.add(REQUESTS, &[route, status_text(status, &mut buf)]);
    }

    /// A CORS decision was made (its reason is empty when there is none).
    pub(crate) fn decision(&self, route: &str, seen: Labels) {
        self.add(DECISIONS, &[route, seen.outcome.as_str(), seen.reason_str()]);
    }

    /// The gateway answered a preflight itself.
    pub(crate) fn preflight(&self, route: &str, status: u16) {
        let mut buf = [0; 5];
        self.add(PREFLIGHTS, &[route, status_text(status, &mut buf)]);
    }

    /// The gateway made an error response.
    pub(crate) fn upstream_error(&self, route: &str, kind: ErrorKind) {
        self.add(UPSTREAM_ERRORS, &[route, kind.as_str()]);
    }

    /// A reload was attempted.
    pub(crate) fn reload(&self, ok: bool) {
        self.add(RELOADS, &[if ok { "ok" } else { "error" }]);
    }

    /// Time until an upstream's response headers arrived.
    pub(crate) fn upstream_latency(&self, route: &str, d: Duration) {
        let secs = d.as_secs_f64();
        if let Ok(mut m) = self.latency.lock() {
            let h = match m.get_mut(route) {
                Some(h) => h,
                None => m.entry(route.to_owned()).or_default(),
            };
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
    pub(crate) fn connections(&self, delta: i64) {
        self.connections.fetch_add(delta, Ordering::Relaxed);
    }

    /// A request started (+1) or finished (-1).
    pub(crate) fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// The value of one counter, summed over the series with these labels.
    #[cfg(test)]
    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let Ok(map) = self.counters.lock() else { return 0 };
        map.values()
            .flatten()
            .filter(|s| {
                let family = &FAMILIES[s.family];
                family.name == name
                    && labels.iter().all(|(k, v)| family.keys.iter().zip(&s.values).any(|(fk, fv)| fk == k && fv == v))
            })
            .map(|s| s.count)
            .sum()
    }

    /// The text exposition.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.sorted(|all| {
            for (i, Family { name, help, keys }) in FAMILIES.iter().enumerate() {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                for s in all.iter().filter(|s| s.family == i) {
                    let _ = writeln!(out, "{name}{{{}}} {}", render_labels(keys, &s.values), s.count);
                }
            }
        });
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

fn render_labels(keys: &[&str], values: &[String]) -> String {
    keys.iter().zip(values).map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_without_allocating() {
        let mut buf = [0; 5];
        for n in [0u16, 7, 42, 204, 431, 65535] {
            assert_eq!(status_text(n, &mut buf), n.to_string());
        }
    }

    #[test]
    fn counts_and_renders_in_label_order() {
        let m = Metrics::default();
        for (route, status) in [("/b", 200), ("/a", 204), ("/a", 200), ("/a\0x", 200), ("/a", 200), ("/ab", 200)] {
            m.request(route, status);
        }
        assert_eq!(m.counter("crossgate_requests_total", &[("route", "/a"), ("status", "200")]), 2);
        assert_eq!(m.counter("crossgate_requests_total", &[("route", "/a")]), 3);
        let text = m.render();
        let order: Vec<&str> = text.lines().filter(|l| l.starts_with("crossgate_requests_total{")).collect();
        // As a map keyed by (name, labels) orders them.
        let mut expected =
            [("/a", "200", 2), ("/a", "204", 1), ("/a\0x", "200", 1), ("/ab", "200", 1), ("/b", "200", 1)];
        expected.sort();
        let expected: Vec<String> = expected
            .iter()
            .map(|(r, s, c)| format!("crossgate_requests_total{{route=\"{}\",status=\"{s}\"}} {c}", escape(r)))
            .collect();
        assert_eq!(order, expected);
    }
}
