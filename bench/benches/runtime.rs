//! Runtime policies against a fixed one, in the engine: the same 10,000
//! exact origins as a policy's `origins`, read through a `PolicyHandle`,
//! or held in an `OriginSet`; and an origin predicate. Each decision is
//! `evaluate` + `into_action` + finishing the response headers.
//!
//! `cargo bench -p crossgate-bench --bench runtime` first prints the heap
//! allocations per decision for each variant (a counting allocator; it
//! fails if any is not 0), then criterion's times.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use crossgate_core::origin::Scheme;
use crossgate_core::{Action, OriginPredicate, OriginSet, Policy, PolicyConfig, PolicyHandle, RuleConfig};
use http::{HeaderMap, HeaderValue, Method};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`; counting is one
// atomic add and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: usize = 10_000;

fn origins() -> Vec<String> {
    (0..N).map(|i| format!("https://tenant{i}.example.net")).collect()
}

fn rule(origins: Vec<String>) -> RuleConfig {
    RuleConfig::new(origins).methods(["GET", "PUT"]).request_headers(["content-type"]).credentials(true).max_age(600)
}

fn build(rule: RuleConfig) -> Policy {
    Policy::new(PolicyConfig::new(rule)).expect("valid policy").policy
}

/// One way of holding the policy: how a middleware gets the policy to
/// decide with.
enum Variant {
    Fixed(Arc<Policy>),
    Handle(PolicyHandle),
}

impl Variant {
    #[inline]
    fn decide(&self, method: &Method, request: &HeaderMap, response: &mut HeaderMap) {
        let action = match self {
            Variant::Fixed(p) => p.evaluate(method, "/items", request).into_action(),
            Variant::Handle(h) => h.load().evaluate(method, "/items", request).into_action(),
        };
        if let Action::Forward(pending) = &action {
            pending.finish(response).expect("no upstream conflict");
        }
        black_box((action, &*response));
    }
}

fn variants() -> Vec<(&'static str, Variant)> {
    let set = OriginSet::new();
    set.insert_all(origins()).expect("valid origins");
    let predicate = OriginPredicate::new(|o| {
        o.scheme == Scheme::Https
            && o.host_str()
                .strip_prefix("tenant")
                .and_then(|h| h.strip_suffix(".example.net"))
                .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n < N))
    });
    vec![
        ("fixed", Variant::Fixed(Arc::new(build(rule(origins()))))),
        ("handle", Variant::Handle(PolicyHandle::new(build(rule(origins()))))),
        ("origin-set", Variant::Fixed(Arc::new(build(rule(vec![]).origin_set(set))))),
        ("predicate", Variant::Fixed(Arc::new(build(rule(vec![]).origin_predicate(predicate))))),
    ]
}

fn requests() -> Vec<(&'static str, Method, HeaderMap)> {
    let mut actual = HeaderMap::new();
    actual.insert("origin", HeaderValue::from_static("https://tenant9999.example.net"));
    let mut preflight = actual.clone();
    preflight.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    preflight.insert("access-control-request-headers", HeaderValue::from_static("content-type"));
    let mut rejected = HeaderMap::new();
    rejected.insert("origin", HeaderValue::from_static("https://evil.example"));
    vec![
        ("actual", Method::GET, actual),
        ("preflight", Method::OPTIONS, preflight),
        ("rejected", Method::GET, rejected),
    ]
}

fn print_allocations(variants: &[(&'static str, Variant)]) {
    const ROUNDS: u64 = 1_000;
    for (name, variant) in variants {
        for (kind, method, request) in requests() {
            let mut response = HeaderMap::with_capacity(16);
            variant.decide(&method, &request, &mut response); // warm-up (arc-swap's per-thread slot)
            let before = ALLOCS.load(Relaxed);
            for _ in 0..ROUNDS {
                response.clear();
                variant.decide(&method, &request, &mut response);
            }
            let per = (ALLOCS.load(Relaxed) - before) as f64 / ROUNDS as f64;
            println!("allocations per decision: {name:>10} {kind:>9} {per}");
            assert_eq!(per, 0.0, "{name} {kind} allocates");
        }
    }
}

fn bench(c: &mut Criterion) {
    let variants = variants();
    print_allocations(&variants);
    for (kind, method, request) in requests() {
        let mut group = c.benchmark_group(format!("runtime/{kind}"));
        for (name, variant) in &variants {
            let mut response = HeaderMap::with_capacity(16);
            group.bench_function(*name, |b| {
                b.iter(|| {
                    response.clear();
                    variant.decide(&method, &request, &mut response);
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(40);
    targets = bench
}
criterion_main!(benches);
