//! The demo's API origin: a small JSON CRUD service over SQLite, the kind
//! of Django/DRF server the seeds put behind CORS. It knows nothing about
//! CORS; the gateway in front of it does all of that.
//!
//! - `GET /api/notes`, `POST /api/notes` (`{"text": …}`), `DELETE /api/notes/{id}`
//! - `POST /api/login`: sets a `sessionid` cookie; `GET /api/me`: who the cookie says you are.

use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::response::{self, json as json_response, Body};

/// Largest request body the API reads.
const MAX_BODY: usize = 16 * 1024;

/// The database, behind a mutex: SQLite connections are not shared across
/// threads, and the demo's load is one person clicking.
#[derive(Clone)]
pub(crate) struct Api {
    db: Arc<Mutex<Connection>>,
}

impl Api {
    /// Opens (creating if needed) the database file.
    ///
    /// # Errors
    ///
    /// The file cannot be opened or the schema created.
    pub(crate) fn open(path: &Path) -> rusqlite::Result<Api> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, created TEXT NOT NULL DEFAULT (datetime('now')));
             CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user TEXT NOT NULL);",
        )?;
        Ok(Api { db: Arc::new(Mutex::new(db)) })
    }

    /// Answers one request.
    pub(crate) async fn handle<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let cookie = session_cookie(req.headers());
        let limited = http_body_util::Limited::new(req.into_body(), MAX_BODY);
        let body = match limited.collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return json_response(StatusCode::PAYLOAD_TOO_LARGE, &json!({"detail": "Request body too large."}))
            }
        };
        let api = self.clone();
        let result = tokio::task::spawn_blocking(move || api.dispatch(&method, &path, &body, cookie.as_deref())).await;
        match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"detail": format!("database error: {e}")}))
            }
            Err(_) => json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"detail": "internal error"})),
        }
    }

    fn dispatch(
        &self,
        method: &Method,
        path: &str,
        body: &[u8],
        cookie: Option<&str>,
    ) -> rusqlite::Result<Response<Body>> {
        let db = match self.db.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        Ok(match (method.as_str(), segments.as_slice()) {
            ("GET", ["api", "notes"]) => {
                let mut stmt = db.prepare("SELECT id, text, created FROM notes ORDER BY id DESC LIMIT 20")?;
                let rows: Vec<Value> = stmt
                    .query_map([], |r| Ok(json!({"id": r.get::<_, i64>(0)?, "text": r.get::<_, String>(1)?, "created": r.get::<_, String>(2)?})))?
                    .collect::<Result<_, _>>()?;
                json_response(StatusCode::OK, &Value::Array(rows))
            }
            ("POST", ["api", "notes"]) => {
                let text = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned));
                match text {
                    Some(t) if !t.trim().is_empty() && t.len() <= 500 => {
                        db.execute("INSERT INTO notes (text) VALUES (?1)", params![t])?;
                        let id = db.last_insert_rowid();
                        json_response(StatusCode::CREATED, &json!({"id": id, "text": t}))
                    }
                    _ => json_response(
                        StatusCode::BAD_REQUEST,
                        &json!({"text": ["This field is required (1 to 500 characters)."]}),
                    ),
                }
            }
            ("DELETE", ["api", "notes", id]) => match id.parse::<i64>() {
                Ok(id) if db.execute("DELETE FROM notes WHERE id = ?1", params![id])? > 0 => {
                    response::with_status(StatusCode::NO_CONTENT, Bytes::new())
                }
                _ => json_response(StatusCode::NOT_FOUND, &json!({"detail": "Not found."})),
            },
            ("POST", ["api", "login"]) => {
                let sid = new_session_id();
                db.execute("INSERT INTO sessions (id, user) VALUES (?1, 'demo')", params![sid])?;
                let mut r = json_response(StatusCode::OK, &json!({"user": "demo"}));
                if let Ok(v) = HeaderValue::from_str(&format!("sessionid={sid}; Path=/; HttpOnly; SameSite=Lax")) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
                r
            }
            ("GET", ["api", "me"]) => {
                let user: Option<String> = match cookie {
                    Some(sid) => db
                        .query_row("SELECT user FROM sessions WHERE id = ?1", params![sid], |r| r.get(0))
                        .optional()?,
                    None => None,
                };
                match user {
                    Some(u) => json_response(StatusCode::OK, &json!({"user": u, "session": true})),
                    None => json_response(
                        StatusCode::UNAUTHORIZED,
                        &json!({"detail": "Authentication credentials were not provided."}),
                    ),
                }
            }
            _ => json_response(StatusCode::NOT_FOUND, &json!({"detail": "Not found."})),
        })
    }
}

fn session_cookie(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("sessionid=").map(str::to_owned))
}

/// A session id from the process's random hash keys and a counter: unique
/// and unguessable enough for a loopback demo (it is no login system).
fn new_session_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(N.fetch_add(1, Ordering::Relaxed));
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}
