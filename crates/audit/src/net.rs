//! The I/O of an audit (feature `net`): each probe sent over HTTP/1.1 on TCP
//! or rustls — or, for the bytes no HTTP library sends, on a raw socket —
//! with `--connect-to`, a rate and a timeout per request.

mod client;
mod connect_to;
mod raw;
mod roots;

use std::time::{Duration, Instant};

pub use client::{Client, NetOptions};
pub use connect_to::ConnectTo;
pub use roots::root_store;

use crate::audit::{Audit, Next};
use crate::report::Report;

/// The default pace: requests per second.
pub const DEFAULT_RATE: f64 = 10.0;

/// Runs `audit` to the end, one request at a time, at most `rate` per
/// second (0: no limit), and reports.
pub async fn run(mut audit: Audit, client: &Client, rate: f64) -> Report {
    let gap = if rate > 0.0 { Duration::from_secs_f64(1.0 / rate) } else { Duration::ZERO };
    let mut last: Option<Instant> = None;
    // One request at a time: `Wait` never comes, and `Done` ends the loop.
    while let Next::Send(probe) = audit.poll() {
        if let Some(at) = last {
            let next = at + gap;
            let now = Instant::now();
            if next > now {
                tokio::time::sleep(next - now).await;
            }
        }
        last = Some(Instant::now());
        let outcome = client.send(audit.target(), &probe.request).await;
        audit.handle(probe.id, outcome);
    }
    audit.report()
}
