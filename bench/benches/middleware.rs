//! Criterion timings: every scenario, every library, in one run.
//!
//! Each benchmark group is a scenario; each function in it a library or a
//! baseline. The request is built outside the timed section
//! (`iter_batched`), and responses are dropped outside it too, so the timed
//! part is the service call alone. Per-request overhead is a library's time
//! minus its baseline's (`report.py` does the subtraction).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use common::{
    actix_inner, actix_middleware, actix_request, call_actix, call_tower, crossgate_policy, scenarios,
    tower_http_layer, tower_request, Hello, Lib,
};

fn middleware(c: &mut Criterion) {
    for s in scenarios() {
        let mut group = c.benchmark_group(s.name);
        let tower_input = || tower_request(&s);
        let actix_input = || actix_request(&s);

        let mut svc = Hello;
        group.bench_function(Lib::TowerBaseline.name(), |b| {
            b.iter_batched(tower_input, |r| call_tower(&mut svc, r), BatchSize::SmallInput)
        });
        let mut svc = tower::Layer::layer(&crossgate_tower::CorsLayer::new(crossgate_policy(&s)), Hello);
        group.bench_function(Lib::Crossgate.name(), |b| {
            b.iter_batched(tower_input, |r| call_tower(&mut svc, r), BatchSize::SmallInput)
        });
        let mut svc = tower::Layer::layer(&tower_http_layer(&s), Hello);
        group.bench_function(Lib::TowerHttp.name(), |b| {
            b.iter_batched(tower_input, |r| call_tower(&mut svc, r), BatchSize::SmallInput)
        });
        let svc = actix_inner();
        group.bench_function(Lib::ActixBaseline.name(), |b| {
            b.iter_batched(actix_input, |r| call_actix(&svc, r), BatchSize::SmallInput)
        });
        let svc = actix_middleware(&s);
        group.bench_function(Lib::ActixCors.name(), |b| {
            b.iter_batched(actix_input, |r| call_actix(&svc, r), BatchSize::SmallInput)
        });
        // The engine's baseline is zero work: the request is built outside
        // the timed part, so its group entry measures the harness floor.
        group.bench_function(Lib::EngineBaseline.name(), |b| {
            b.iter_batched(tower_input, black_box, BatchSize::SmallInput)
        });
        let policy = crossgate_policy(&s);
        group.bench_function(Lib::Engine.name(), |b| {
            b.iter_batched_ref(
                tower_input,
                |r| {
                    let d = policy.evaluate(r.method(), r.uri().path(), r.headers());
                    black_box(d.is_allowed())
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Short windows: 12 scenarios x 7 functions must fit in a few minutes on
    // a small shared machine; instruction counts (icount.sh) are the
    // deterministic figures, these are the secondary ones.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = middleware
}
criterion_main!(benches);
