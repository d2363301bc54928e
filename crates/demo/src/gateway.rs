//! The demo's gateway config: `/api` in front of the SQLite API, allowing
//! the `localhost` front-end origin only, with credentials, in strict mode
//! (so a disallowed `POST` never reaches the API); and `/api/offline`, whose
//! upstream is down (nothing listens on port 1), so the page shows that the
//! gateway's own 502 carries CORS headers and can be read.
//!
//! The API answers only the gateway's own `Host`, which the gateway passes
//! on (`preserve_host`), so a page cannot reach it by its own port.
//!
//! It is written as the TOML a user would write, and loaded the same way.

use std::net::SocketAddr;
use std::path::Path;

use crossgate_gateway::{Problems, Runtime};

/// The config text for a gateway on `gateway_port` in front of the API at
/// `api_addr`, allowing `front_origin`.
fn config(front_origin: &str, api_addr: SocketAddr, gateway_port: u16) -> String {
    let rule = format!(
        r#"[{{ origins = ["{front_origin}"], methods = ["GET", "POST", "DELETE"], request_headers = ["content-type"], credentials = true, max_age = 5 }}]"#
    );
    format!(
        r#"listen = "127.0.0.1:{gateway_port}"
allowed_hosts = ["localhost", "127.0.0.1"]
watch = false

[[route]]
path = "/api"
upstream = "http://{api_addr}"
preserve_host = true
strict = true
rule = {rule}

[[route]]
path = "/api/offline"
upstream = "http://127.0.0.1:1"
strict = true
rule = {rule}
"#
    )
}

/// The demo's gateway config, loaded.
pub(crate) fn runtime(front_origin: &str, api_addr: SocketAddr, gateway_port: u16) -> Result<Runtime, Problems> {
    crossgate_gateway::load_str(&config(front_origin, api_addr, gateway_port), Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_loads_without_warnings() {
        let rt = runtime("http://localhost:3000", SocketAddr::from(([127, 0, 0, 1], 9)), 8000)
            .unwrap_or_else(|p| panic!("{p}"));
        assert!(rt.warnings().is_empty(), "{:?}", rt.warnings());
        assert_eq!(rt.route_count(), 2);
    }
}
