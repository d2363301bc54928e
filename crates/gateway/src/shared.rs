//! What every connection shares: the config in force, the upstream pool and
//! the metrics.

use std::sync::{Arc, RwLock};

use crate::metrics::Metrics;
use crate::runtime::Runtime;
use crate::upstream::Pool;

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
        let pool = Pool::new(s.connect_timeout, s.upstream_idle_timeout);
        Shared { runtime: RwLock::new(Arc::new(runtime)), pool, metrics: Metrics::default() }
    }

    /// The upstream connection pool.
    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.pool
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
