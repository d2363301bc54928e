//! How long `explain` takes on a 50 MB export with 20,000 entries (the
//! issue's bound is 2 s): `cargo bench -p crossgate-har --bench explain`.

use criterion::{criterion_group, criterion_main, Criterion};
use crossgate_har::{explain, Options};

fn fifty_megabytes(c: &mut Criterion) {
    let bytes = crossgate_test_support::generated_har(20_000, 1_900);
    let mut g = c.benchmark_group("explain");
    g.sample_size(10);
    g.bench_function("50MB-20000-entries", |b| {
        b.iter(|| explain(std::hint::black_box(&bytes), &Options::default()).map(|r| r.summary.total))
    });
    g.finish();
}

criterion_group!(benches, fifty_megabytes);
criterion_main!(benches);
