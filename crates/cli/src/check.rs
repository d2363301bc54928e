//! `crossgate check`: run a request against a live URL the way a browser
//! would — preflight first when one is needed, the actual request only if it
//! passed, redirects as the browser follows them — and explain the verdict.
//!
//! Exit codes: 0 the page's call succeeds, 1 the browser fails it, 2 a usage
//! error or an unreachable target.

mod client;
mod render;
mod report;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossgate_browser::request::{BodyKind, CredentialsMode, Initiator, RedirectMode, RequestMode};
use crossgate_browser::{Action, Browser, Origin, Profile, RequestInit, Verdict};

use crate::output::Output;
use report::{Exchange, Report};

/// Arguments of `crossgate check`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The URL the page calls (http or https).
    url: String,
    /// The page's origin, e.g. https://app.example.com (or `null`).
    #[arg(long)]
    origin: String,
    /// The method, as the page writes it (`patch` stays lower-case).
    #[arg(short = 'X', long)]
    method: Option<String>,
    /// A header the page sets, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The credentials mode (default: the initiator's). The checks follow it;
    /// no cookies are sent (there is no cookie jar).
    #[arg(long, value_parser = ["omit", "same-origin", "include"])]
    credentials: Option<String>,
    /// The request mode (default: the initiator's; for elements, `cors`
    /// means a `crossorigin` attribute).
    #[arg(long, value_parser = ["cors", "no-cors", "same-origin"])]
    mode: Option<String>,
    /// The redirect mode.
    #[arg(long, default_value = "follow", value_parser = ["follow", "error", "manual"])]
    redirect: String,
    /// A request body (a string: `text/plain;charset=UTF-8` unless -H sets a Content-Type).
    #[arg(long)]
    data: Option<String>,
    /// What makes the request.
    #[arg(long = "as", default_value = "fetch", value_parser = ["fetch", "xhr", "img", "script", "module", "font", "stylesheet", "video"])]
    initiator: String,
    /// Which browser's rules (preflight cache limits, forbidden headers).
    #[arg(long, default_value = "chromium", value_parser = ["chromium", "firefox", "webkit"])]
    browser: String,
    /// Print one JSON object instead of the timeline.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Also trust the CA certificates in this PEM file (for https).
    #[arg(long, value_name = "PEM")]
    cacert: Option<std::path::PathBuf>,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("crossgate check: {msg}");
    ExitCode::from(2)
}

pub(crate) fn run(args: &Args, out: &Output) -> ExitCode {
    let init = match build_init(args) {
        Ok(i) => i,
        Err(e) => return usage(&e),
    };
    let profile = Profile::parse(&args.browser).unwrap_or_default();
    let body = args.data.clone().unwrap_or_default().into_bytes();
    let client = match client::HttpClient::new(Duration::from_secs(args.timeout.max(1)), args.cacert.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let mut browser = Browser::new(profile);
    let origin = init.origin.serialize();
    let url = init.url.to_string();
    let mut fetch = match browser.start(init) {
        Ok(f) => f,
        Err(e) => return usage(&format!("the browser would throw before sending anything: {e}")),
    };
    let method = fetch.request().method.clone();
    let dropped_headers = fetch.request().dropped_headers.clone();
    let clock = Instant::now();
    let mut exchanges: Vec<Exchange> = Vec::new();
    let mut before = Vec::new();
    let mut seen_steps = 0;
    let mut unreachable = false;
    let verdict = runtime.block_on(async {
        // Bounded: each round sends one request; the emulator stops after
        // 20 redirects, each with at most one preflight.
        for _ in 0..64 {
            let now = clock.elapsed();
            match fetch.poll(&mut browser, now) {
                Action::Done(v) => return v,
                Action::Send(req) => {
                    if exchanges.is_empty() {
                        before.extend(fetch.steps().iter().skip(seen_steps).cloned());
                    } else if let Some(last) = exchanges.last_mut() {
                        last.steps.extend(fetch.steps().iter().skip(seen_steps).cloned());
                    }
                    seen_steps = fetch.steps().len();
                    let started = Instant::now();
                    let response = client.send(&req, &body).await;
                    match &response {
                        Ok(r) => fetch.handle_response(&mut browser, clock.elapsed(), r),
                        Err(e) => {
                            unreachable = true;
                            fetch.handle_network_error(e);
                        }
                    }
                    exchanges.push(Exchange { request: req, response, elapsed: started.elapsed(), steps: Vec::new() });
                }
            }
        }
        fetch.handle_network_error("too many requests");
        match fetch.poll(&mut browser, clock.elapsed()) {
            Action::Done(v) => v,
            Action::Send(_) => unreachable_verdict(),
        }
    });
    if let Some(last) = exchanges.last_mut() {
        last.steps.extend(verdict.steps.iter().skip(seen_steps).cloned());
    } else {
        before.extend(verdict.steps.iter().skip(seen_steps).cloned());
    }
    let report = Report {
        url,
        origin,
        method,
        initiator: fetch.request().initiator,
        profile,
        dropped_headers,
        before,
        exchanges,
        verdict,
    };
    if args.json {
        crate::output::emit(&render::json(&report).to_string());
    } else {
        render::text(&report, out);
    }
    if unreachable {
        ExitCode::from(2)
    } else if report.verdict.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn unreachable_verdict() -> Verdict {
    Verdict {
        allowed: false,
        response_type: crossgate_browser::ResponseType::Error,
        status: 0,
        readable_headers: Vec::new(),
        blocked: None,
        steps: Vec::new(),
        same_origin: false,
        preflights_sent: 0,
        requests_sent: 0,
        actual_reached_server: false,
    }
}

fn build_init(args: &Args) -> Result<RequestInit, String> {
    let url = url::Url::parse(&args.url).map_err(|e| format!("invalid URL '{}': {e}", args.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("only http and https URLs can be checked, not '{}'", url.scheme()));
    }
    let origin = Origin::parse(args.origin.trim_end_matches('/'))
        .ok_or_else(|| format!("invalid --origin '{}': expected scheme://host[:port] or null", args.origin))?;
    let initiator = Initiator::parse(&args.initiator).ok_or("unknown --as")?;
    let method = match &args.method {
        Some(m) => m.clone(),
        None if args.data.is_some() => "POST".to_owned(),
        None => "GET".to_owned(),
    };
    let mut init = RequestInit::fetch(origin, url).initiator(initiator).method(&method);
    for h in &args.headers {
        let (n, v) = h.split_once(':').ok_or_else(|| format!("invalid header '{h}': expected 'Name: value'"))?;
        init = init.header(n.trim(), v.trim());
    }
    init.mode = match args.mode.as_deref() {
        Some("cors") => Some(RequestMode::Cors),
        Some("no-cors") => Some(RequestMode::NoCors),
        Some("same-origin") => Some(RequestMode::SameOrigin),
        _ => None,
    };
    init.credentials = match args.credentials.as_deref() {
        Some("omit") => Some(CredentialsMode::Omit),
        Some("same-origin") => Some(CredentialsMode::SameOrigin),
        Some("include") => Some(CredentialsMode::Include),
        _ => None,
    };
    if !initiator.is_script_api() && init.mode == Some(RequestMode::Cors) && init.credentials.is_none() {
        // `crossorigin` (anonymous).
        init.credentials = Some(CredentialsMode::SameOrigin);
    }
    init.redirect = match args.redirect.as_str() {
        "error" => RedirectMode::Error,
        "manual" => RedirectMode::Manual,
        _ => RedirectMode::Follow,
    };
    if args.data.is_some() {
        init.body = BodyKind::Text;
    }
    Ok(init)
}
