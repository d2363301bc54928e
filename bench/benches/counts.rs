//! Allocations per request, and a fixed-iteration driver for instruction
//! counts.
//!
//! - `cargo bench -p crossgate-bench --bench counts` prints, for every
//!   scenario and library, the heap allocations (count and bytes) one request
//!   adds over its baseline, from a counting global allocator.
//! - `counts check` (and `cargo test`, which runs bench targets without
//!   `--bench`) prints what each library answers in each scenario.
//! - `counts icount LIB SCENARIO N` answers N requests and exits; `icount.sh`
//!   runs it under callgrind at two values of N, so that setup (building a
//!   10,000-origin policy, say) cancels out of the per-request figure.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use common::{prepare, scenarios, Lib};

/// Counts every allocation (and reallocation: it may move the block) and
/// the bytes asked for, then defers to the system allocator.
///
/// Not the test suites' counting allocator (`crossgate-test-support`): this
/// one counts on every thread (actix answers on its own), and it is part of
/// what callgrind measures for every library, so it stays two atomic adds.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`; counting touches
// only atomics and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size as u64, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Requests answered per measurement; counts are divided by it.
const ROUNDS: u64 = 64;

/// (allocations, bytes) per request, after a few warm-up requests so that
/// one-time initialisation (logging call sites, thread-locals) is left out.
fn per_request(lib: Lib, s: &common::Scenario) -> (f64, f64) {
    let mut run = prepare(lib, s);
    for _ in 0..4 {
        run();
    }
    let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    for _ in 0..ROUNDS {
        run();
    }
    let (a1, b1) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    ((a1 - a0) as f64 / ROUNDS as f64, (b1 - b0) as f64 / ROUNDS as f64)
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.2}")
    }
}

fn table() {
    let pairs = [
        (Lib::Crossgate, Lib::TowerBaseline),
        (Lib::TowerHttp, Lib::TowerBaseline),
        (Lib::ActixCors, Lib::ActixBaseline),
        (Lib::Engine, Lib::EngineBaseline),
    ];
    println!("Heap allocations one request adds over its baseline: count / bytes.");
    println!("(Baselines, absolute: tower service, actix service, request alone.)\n");
    println!("| scenario | crossgate | tower-http | actix-cors | engine | baselines (tower, actix, request) |");
    println!("|---|---:|---:|---:|---:|---|");
    for s in scenarios() {
        let mut cells = Vec::new();
        for (lib, base) in pairs {
            let (a, b) = per_request(lib, &s);
            let (ba, bb) = per_request(base, &s);
            cells.push(format!("{} / {}", fmt(a - ba), fmt(b - bb)));
        }
        let bases: Vec<String> = [Lib::TowerBaseline, Lib::ActixBaseline, Lib::EngineBaseline]
            .into_iter()
            .map(|l| {
                let (a, b) = per_request(l, &s);
                format!("{} / {}", fmt(a), fmt(b))
            })
            .collect();
        println!("| {} | {} | {} |", s.name, cells.join(" | "), bases.join(", "));
    }
    vec_backed();
}

/// The harness's request values are backed by shared `Bytes`, as hyper's
/// parser makes them. A value built from a `Vec` (`HeaderValue::from_str`,
/// as a hand-built request or a proxy that copies headers might) allocates
/// on its first clone, when `bytes` promotes it to shared storage: an
/// allowed request whose `Origin` is reflected pays that once.
fn vec_backed() {
    use http::{HeaderValue, Method, Request};
    let s = scenarios().into_iter().find(|s| s.name == "actual_allowed").expect("scenario");
    let policy = common::crossgate_policy(&s);
    let measure = |origin: HeaderValue| {
        let mut request = Request::new(());
        *request.method_mut() = Method::GET;
        request.headers_mut().insert(http::header::ORIGIN, origin);
        // Allocated up front so that only the decision and finishing count.
        let mut response = http::HeaderMap::with_capacity(8);
        let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
        if let crossgate_core::Action::Forward(pending) = policy.evaluate_request(&request).into_action() {
            let _ = pending.finish(&mut response);
        }
        (ALLOCS.load(Relaxed) - a0, BYTES.load(Relaxed) - b0)
    };
    let shared = measure(common::shared_value(common::APP));
    let vec = measure(HeaderValue::from_str(common::APP).expect("origin"));
    println!(
        "\nEngine + finish, actual_allowed, by how the request's `Origin` is stored: \
         shared `Bytes` (hyper) {} allocations / {} bytes; `Vec`-backed (`HeaderValue::from_str`) {} / {}.",
        shared.0, shared.1, vec.0, vec.1
    );
}

/// What each library answers in each scenario: status, and whether the
/// response grants the origin, so that the tables compare like with like.
fn check() {
    use common::{
        actix_middleware, actix_request, call_actix, call_tower, crossgate_policy, tower_http_layer, tower_request,
        Hello,
    };
    println!("| scenario | crossgate | tower-http | actix-cors |");
    println!("|---|---|---|---|");
    for s in scenarios() {
        let grant =
            |v: Option<&[u8]>| v.map_or("no ACAO".to_string(), |v| format!("ACAO {}", String::from_utf8_lossy(v)));
        let mut svc = tower::Layer::layer(&crossgate_tower::CorsLayer::new(crossgate_policy(&s)), Hello);
        let r = call_tower(&mut svc, tower_request(&s));
        let a = format!(
            "{} {}",
            r.status().as_u16(),
            grant(r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()))
        );
        let mut svc = tower::Layer::layer(&tower_http_layer(&s), Hello);
        let r = call_tower(&mut svc, tower_request(&s));
        let b = format!(
            "{} {}",
            r.status().as_u16(),
            grant(r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()))
        );
        let svc = actix_middleware(&s);
        let r = call_actix(&svc, actix_request(&s));
        let c = format!(
            "{} {}",
            r.status().as_u16(),
            grant(r.headers().get("access-control-allow-origin").map(|v| v.as_bytes()))
        );
        println!("| {} | {a} | {b} | {c} |", s.name);
        // The harness is only meaningful if crossgate grants exactly what the
        // policy allows, and every library grants the plain allowed request.
        let granted = a.contains("ACAO https://");
        let should =
            matches!(s.name, "actual_allowed" | "preflight_allowed" | "subdomain") || s.name.starts_with("origins_");
        assert_eq!(granted, should, "crossgate in {}: {a}", s.name);
        if s.name == "actual_allowed" {
            assert!(b.contains("ACAO https://") && c.contains("ACAO https://"), "{b} / {c}");
        }
    }
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench` (and any filter after `--`).
    let bench = all.iter().any(|a| a == "--bench");
    let args: Vec<&str> = all.iter().map(String::as_str).filter(|a| *a != "--bench").collect();
    match args[..] {
        ["icount", lib, scenario, n] => {
            let lib = Lib::from_name(lib).unwrap_or_else(|| panic!("unknown library {lib}"));
            let s = scenarios()
                .into_iter()
                .find(|s| s.name == scenario)
                .unwrap_or_else(|| panic!("unknown scenario {scenario}"));
            let n: u64 = n.parse().expect("iteration count");
            let mut run = prepare(lib, &s);
            for _ in 0..n {
                run();
            }
        }
        ["check"] => check(),
        ["list"] => {
            let names: Vec<_> = scenarios().iter().map(|s| s.name).collect();
            println!("{}", names.join(" "));
        }
        _ if bench => table(),
        // `cargo test --all-targets` runs bench targets without `--bench`: a
        // smoke test that every library answers every scenario.
        _ => check(),
    }
}
