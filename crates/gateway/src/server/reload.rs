//! Reloading: re-reading the config file (on request, or when it or a file
//! it names changes), validating it as a whole and swapping it in; an
//! invalid file is refused and the running config keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::config;
use crate::problem::{Problem, Problems};
use crate::runtime::Settings;
use crate::shared::Shared;

/// Settings that shape listeners, connections and the upstream pool, so a
/// reload cannot change them (routes, hosts, mode, size limits and the
/// upstream timeout are per request and do change).
fn start_only_changes(old: &Settings, new: &Settings) -> Vec<&'static str> {
    [
        ("listen", old.listen != new.listen),
        ("admin_listen", old.admin_listen != new.admin_listen),
        ("max_connections", old.max_connections != new.max_connections),
        ("max_concurrent_streams", old.max_concurrent_streams != new.max_concurrent_streams),
        ("max_upstream_connections", old.max_upstream_connections != new.max_upstream_connections),
        ("upstream_queue_timeout_ms", old.upstream_queue_timeout != new.upstream_queue_timeout),
        ("client_idle_timeout_ms", old.client_idle_timeout != new.client_idle_timeout),
        ("max_request_headers", old.max_request_headers != new.max_request_headers),
        ("connect_timeout_ms", old.connect_timeout != new.connect_timeout),
        ("request_header_timeout_ms", old.request_header_timeout != new.request_header_timeout),
        ("upstream_idle_timeout_ms", old.upstream_idle_timeout != new.upstream_idle_timeout),
        ("shutdown_timeout_ms", old.shutdown_timeout != new.shutdown_timeout),
        ("watch", old.watch != new.watch),
    ]
    .into_iter()
    .filter_map(|(k, changed)| changed.then_some(k))
    .collect()
}

pub(super) fn reload_from(path: &Path, shared: &Shared) -> Result<Vec<Problem>, Problems> {
    match config::load_file(path) {
        Ok(rt) => {
            let changed = start_only_changes(&shared.current().settings, &rt.settings);
            if !changed.is_empty() {
                tracing::warn!(target: "crossgate::reload", keys = %changed.join(", "), "these settings are read at start and take effect on restart");
            }
            for w in &rt.warnings {
                tracing::warn!(target: "crossgate::reload", "{w}");
            }
            let warnings = rt.warnings.clone();
            shared.swap(rt);
            shared.metrics.reload(true);
            tracing::info!(target: "crossgate::reload", file = %path.display(), "config reloaded");
            Ok(warnings)
        }
        Err(problems) => {
            shared.metrics.reload(false);
            for p in problems.errors() {
                tracing::error!(target: "crossgate::reload", file = %path.display(), "{p}");
            }
            tracing::error!(target: "crossgate::reload", "reload refused; the running config keeps serving");
            Err(problems)
        }
    }
}

/// Modification time and size of the config file and of every policy and
/// S3 file the running config was read from.
fn stamp(path: &Path, shared: &Shared) -> Vec<Option<(SystemTime, u64)>> {
    let one = |p: &Path| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    std::iter::once(one(path)).chain(shared.current().sources.iter().map(|p| one(p))).collect()
}

/// Polls modification times and sizes once a second: portable, and a
/// rename-over (how editors and config managers write) is seen too.
pub(super) async fn watch_file(path: PathBuf, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut last = stamp(&path, &shared);
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
        let now = stamp(&path, &shared);
        if now.first().is_some_and(Option::is_some) && now != last {
            // Stamped before reading: a file still being written when it was
            // read changes again, and is read again on the next tick. (A
            // reload that changes the set of files causes one extra,
            // harmless reload.)
            last = now;
            let _ = reload_from(&path, &shared);
        }
    }
}
