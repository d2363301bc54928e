//! What every connection shares: the config in force, the upstream pool and
//! the metrics.

use std::sync::{Arc, RwLock};

use crate::metrics::Metrics;
use crate::runtime::Runtime;
use crate::upstream::{Limits, Pool};

/// The state behind a gateway, shared by its listeners and connections.
pub(crate) struct Shared {
    runtime: RwLock<Arc<Runtime>>,
    pool: Arc<Pool>,
    /// Counters for `/-/metrics`.
    pub(crate) metrics: Metrics,
}

impl Shared {
    /// Shared state for a first config; the pool's timeouts come from it.
    pub(crate) fn new(runtime: Runtime) -> Self {
        let s = &runtime.settings;
        let pool = Pool::new(Limits {
            connect_timeout: s.connect_timeout,
            idle_timeout: s.upstream_idle_timeout,
            max_per_upstream: s.max_upstream_connections,
            queue_timeout: s.upstream_queue_timeout,
        });
        Shared { runtime: RwLock::new(Arc::new(runtime)), pool, metrics: Metrics::default() }
    }

    /// The upstream connection pool.
    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// `/-/metrics`: the counters, then the pool's gauges.
    pub(crate) fn render_metrics(&self) -> String {
        let mut out = self.metrics.render();
        self.pool.render_metrics(&mut out);
        out
    }

    /// The config in force. Each request holds its own `Arc`, so a reload
    /// never changes the rules under a request that is already running.
    pub(crate) fn current(&self) -> Arc<Runtime> {
        match self.runtime.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// Swaps in a new config.
    pub(crate) fn swap(&self, runtime: Runtime) {
        let new = Arc::new(runtime);
        match self.runtime.write() {
            Ok(mut g) => *g = new,
            Err(p) => *p.into_inner() = new,
        }
    }
}
