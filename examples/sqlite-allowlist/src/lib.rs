//! An axum service whose allowed CORS origins live in a SQLite table.
//!
//! The policy is built once, with an [`OriginSet`] in its rule. The set is
//! filled from the `allowed_origin` table at start, and `POST
//! /admin/origins` (the origin as the body) checks a new origin with the
//! policy file's own checks, stores it, and adds it to the set: the next
//! preflight from it succeeds, without a restart or a rebuilt policy.
//! (The admin route has no CORS and no authentication here; put it behind
//! your own.)

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use crossgate_core::{OriginSet, Policy, PolicyConfig, RuleConfig};
use crossgate_tower::CorsLayer;
use rusqlite::Connection;

#[derive(Clone)]
struct Admin {
    db: Arc<Mutex<Connection>>,
    origins: OriginSet,
}

/// Why the service could not start.
#[derive(Debug)]
pub enum StartError {
    /// The database could not be opened or read.
    Database(rusqlite::Error),
    /// The table holds an origin the policy refuses (each problem listed).
    Origins(crossgate_core::ConfigErrors),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Database(e) => write!(f, "database: {e}"),
            StartError::Origins(e) => write!(f, "allowed_origin table: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// The service over the database at `path` (created if missing).
///
/// # Errors
///
/// The database cannot be opened, or it lists an invalid origin.
pub fn app(path: &Path) -> Result<Router, StartError> {
    let db = Connection::open(path).map_err(StartError::Database)?;
    db.execute_batch("CREATE TABLE IF NOT EXISTS allowed_origin (origin TEXT PRIMARY KEY NOT NULL)")
        .map_err(StartError::Database)?;
    let stored: Vec<String> = {
        let mut rows = db.prepare("SELECT origin FROM allowed_origin").map_err(StartError::Database)?;
        let rows = rows.query_map([], |r| r.get(0)).map_err(StartError::Database)?;
        rows.collect::<Result<_, _>>().map_err(StartError::Database)?
    };
    let origins = OriginSet::new();
    origins.replace_all(&stored).map_err(StartError::Origins)?;

    // The fixed origins of the service's own front-end, plus the table's.
    let rule = RuleConfig::new(["https://app.example.com"])
        .origin_set(origins.clone())
        .methods(["GET", "POST", "PUT", "DELETE"])
        .request_headers(["content-type", "authorization"])
        .credentials(true)
        .max_age(600);
    let policy = Policy::new(PolicyConfig::new(rule)).map_err(StartError::Origins)?.policy;

    let api = Router::new().route("/api/items", get(|| async { "[]" })).layer(CorsLayer::new(policy));
    let admin = Router::new()
        .route("/admin/origins", post(add_origin))
        .with_state(Admin { db: Arc::new(Mutex::new(db)), origins });
    Ok(api.merge(admin))
}

/// Checks, stores and allows one origin: 201, or 422 with every problem.
async fn add_origin(State(admin): State<Admin>, body: String) -> (StatusCode, String) {
    let origin = body.trim();
    let findings = match admin.origins.insert(origin) {
        Ok(findings) => findings,
        Err(errors) => {
            let lines: Vec<String> = errors.diagnostics.iter().map(ToString::to_string).collect();
            return (StatusCode::UNPROCESSABLE_ENTITY, lines.join("\n"));
        }
    };
    // Stored in canonical form, so the table reads back as the set has it.
    let canonical = admin.origins.origins().into_iter().find(|o| o.eq_ignore_ascii_case(origin));
    let canonical = canonical.unwrap_or_else(|| origin.to_owned());
    let stored = {
        let db = admin.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        db.execute("INSERT OR IGNORE INTO allowed_origin (origin) VALUES (?1)", [&canonical])
    };
    if let Err(e) = stored {
        let _ = admin.origins.remove(&canonical);
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("not stored: {e}"));
    }
    let notes: Vec<String> = findings.iter().map(ToString::to_string).collect();
    (StatusCode::CREATED, [canonical].into_iter().chain(notes).collect::<Vec<_>>().join("\n"))
}
