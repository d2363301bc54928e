//! 100 MiB both ways through the gateway, with the process's resident
//! memory sampled throughout: bodies are streamed, never collected.
//! (Own test binary, so no other test's allocations blur the numbers.)

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::body;
use common::{client, futures_stream, gateway, req, rss_kib, send, tempdir, upstream};
use http_body_util::BodyExt;

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_mib_each_way_without_memory_growth() {
    let up = upstream().await;
    let dir = tempdir("stream");
    let config = "max_request_body_bytes = 1073741824\n[[route]]\npath = \"/\"\nupstream = \"http://{UP}\"\nrule = [{ origins = [\"https://app.example\"], methods = [\"GET\", \"POST\"] }]\n";
    let gw = gateway(config, up.addr, &dir).await;
    let c = client();
    // Warm up pools, allocator arenas and buffers.
    let (s, _, text) = send(
        &c,
        req("POST", gw.local_addr(), "/sink")
            .body(futures_stream(16, bytes::Bytes::from(vec![1u8; 64 * 1024])))
            .unwrap(),
    )
    .await;
    assert_eq!((s.as_u16(), text.as_str()), (200, "1048576"));
    let baseline = rss_kib();
    let peak = Arc::new(AtomicU64::new(baseline));
    let p = Arc::clone(&peak);
    let sampler = tokio::spawn(async move {
        loop {
            p.fetch_max(rss_kib(), Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });

    let started = Instant::now();
    // Upload: 100 MiB, chunked, counted by the upstream.
    let upload = futures_stream(100 * 16, bytes::Bytes::from(vec![7u8; 64 * 1024]));
    let (s, h, text) =
        send(&c, req("POST", gw.local_addr(), "/sink").header("origin", "https://app.example").body(upload).unwrap())
            .await;
    assert_eq!(s, 200);
    assert_eq!(text, (100 * MIB).to_string());
    assert_eq!(h["access-control-allow-origin"], "https://app.example");
    let up_time = started.elapsed();

    // Download: 100 MiB, counted frame by frame here.
    let started = Instant::now();
    let r = c
        .request(
            req("GET", gw.local_addr(), "/big/100")
                .header("origin", "https://app.example")
                .body(body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "https://app.example");
    let mut b = r.into_body();
    let mut n = 0usize;
    while let Some(f) = b.frame().await {
        n += f.unwrap().data_ref().map_or(0, |d| d.len());
    }
    assert_eq!(n, 100 * MIB);
    let down_time = started.elapsed();
    sampler.abort();
    let peak = peak.load(Ordering::Relaxed).max(rss_kib());
    let growth_mib = (peak.saturating_sub(baseline)) as f64 / 1024.0;
    println!("rss baseline {:.1} MiB, peak {:.1} MiB, growth {growth_mib:.1} MiB; upload {up_time:?}, download {down_time:?}", baseline as f64 / 1024.0, peak as f64 / 1024.0);
    assert!(growth_mib < 40.0, "memory grew by {growth_mib:.1} MiB while streaming 2 x 100 MiB");
    gw.shutdown().await;
}
