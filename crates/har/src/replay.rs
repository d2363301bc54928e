//! A recorded call replayed through the emulator: each request the emulator
//! would send is answered with the response the file recorded for it — the
//! preflight with the preflight's, each hop with its entry's.

use std::time::Duration;

use crossgate_browser::{
    Action, Browser, OutgoingRequest, RequestInit, RequestKind, ResponseHead, Verdict, MAX_REDIRECTS,
};
use http::{HeaderMap, HeaderValue};

use crate::exchange::Recorded;
use crate::link::Call;

/// How a replay ended.
#[derive(Clone, Debug)]
pub(crate) struct Replayed {
    /// The emulator's verdict; `None` when the file has no response for a
    /// request the emulator sent (`missing_at` says which).
    pub(crate) verdict: Option<Verdict>,
    /// The entry (or hop) whose response the file does not have.
    pub(crate) missing_at: Option<MissingAt>,
    /// The emulator asked for a preflight the file does not have (a
    /// preflight-cache hit in the real browser): answered as passing.
    pub(crate) assumed_preflight: bool,
    /// A recorded preflight the emulator did not need.
    pub(crate) unused_preflight: bool,
    /// The status of the preflight answered, when one was.
    pub(crate) preflight_status: Option<u16>,
    /// The header names the emulator's preflight asked for.
    pub(crate) requested_headers: Vec<String>,
    /// The status of the last recorded response used.
    pub(crate) last_status: u16,
    /// The URL of each actual request the emulator sent (the redirect hops).
    pub(crate) sent_urls: Vec<url::Url>,
}

/// Which request had no recorded response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MissingAt {
    /// The preflight of this entry had no response.
    Preflight(usize),
    /// This entry had no response.
    Entry(usize),
    /// A redirect led to a URL with no entry.
    Redirect,
}

fn head(r: &Recorded) -> ResponseHead {
    ResponseHead { status: r.status, headers: r.response_headers.clone() }
}

/// The answer a preflight-cache hit stands for: everything the request needs.
fn passing_preflight(req: &OutgoingRequest) -> ResponseHead {
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    for (n, v) in &req.headers {
        match n.to_ascii_lowercase().as_str() {
            "origin" => put("access-control-allow-origin", v),
            "access-control-request-method" => put("access-control-allow-methods", v),
            "access-control-request-headers" => put("access-control-allow-headers", v),
            _ => {}
        }
    }
    put("access-control-allow-credentials", "true");
    ResponseHead { status: 204, headers }
}

/// Runs `init` through `browser` at `now`, answered from `call`'s entries.
pub(crate) fn replay(
    browser: &mut Browser,
    init: RequestInit,
    call: &Call,
    entries: &[Recorded],
    now: Duration,
) -> Result<Replayed, crossgate_browser::TypeError> {
    let mut fetch = browser.start(init)?;
    let mut out = Replayed {
        verdict: None,
        missing_at: None,
        assumed_preflight: false,
        unused_preflight: false,
        preflight_status: None,
        requested_headers: Vec::new(),
        last_status: 0,
        sent_urls: Vec::new(),
    };
    let mut hop = 0;
    let mut preflighted = vec![false; call.hops.len()];
    // Bounded: one request per round, at most one preflight per hop.
    for _ in 0..(2 * MAX_REDIRECTS + 4) {
        let req = match fetch.poll(browser, now) {
            Action::Done(v) => {
                out.verdict = Some(v);
                break;
            }
            Action::Send(req) => req,
        };
        match req.kind {
            RequestKind::Preflight => {
                if let Some(v) =
                    req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("access-control-request-headers"))
                {
                    out.requested_headers =
                        v.1.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                }
                if let Some(p) = preflighted.get_mut(hop) {
                    *p = true;
                }
                match call.preflights.get(hop).copied().flatten() {
                    Some(p) if entries[p].status > 0 => {
                        out.preflight_status = Some(entries[p].status);
                        fetch.handle_response(browser, now, &head(&entries[p]));
                    }
                    Some(p) => {
                        out.missing_at = Some(MissingAt::Preflight(p));
                        break;
                    }
                    None => {
                        out.assumed_preflight = true;
                        fetch.handle_response(browser, now, &passing_preflight(&req));
                    }
                }
            }
            RequestKind::Actual => {
                out.sent_urls.push(req.url.clone());
                let Some(&h) = call.hops.get(hop) else {
                    out.missing_at = Some(MissingAt::Redirect);
                    break;
                };
                let e = &entries[h];
                if e.url.as_ref().is_some_and(|u| u.as_str() != req.url.as_str()) && hop > 0 {
                    out.missing_at = Some(MissingAt::Redirect);
                    break;
                }
                if e.status == 0 {
                    out.missing_at = Some(MissingAt::Entry(h));
                    break;
                }
                out.last_status = e.status;
                fetch.handle_response(browser, now, &head(e));
                hop += 1;
            }
        }
    }
    out.unused_preflight = call.preflights.iter().zip(&preflighted).any(|(p, used)| p.is_some() && !used);
    Ok(out)
}
