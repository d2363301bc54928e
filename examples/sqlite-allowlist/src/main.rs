//! `crossgate-example-sqlite-allowlist [DB] [ADDR]`: serves the example on
//! ADDR (default 127.0.0.1:8080) with its origins in DB (default
//! `origins.sqlite3`).

use std::path::PathBuf;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = PathBuf::from(args.next().unwrap_or_else(|| "origins.sqlite3".to_owned()));
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let app = crossgate_example_sqlite_allowlist::app(&db)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
