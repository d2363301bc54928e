//! Which entries belong together: a request, the redirect hops that
//! followed it, and the preflight of each hop. Chrome marks preflights
//! (`_resourceType: "preflight"`, `_initiator.url`); other browsers do not,
//! so a preflight is matched to a request by URL, origin, the requested
//! method and headers, and the nearest start time.

use std::collections::HashMap;

use crossgate_browser::MAX_REDIRECTS;
use url::Url;

use crate::exchange::Recorded;

/// One call of the page: entry indices into the recorded list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    /// The request, then each redirect hop, in order.
    pub(crate) hops: Vec<usize>,
    /// Per hop, its preflight.
    pub(crate) preflights: Vec<Option<usize>>,
}

/// Every call in `entries`, in start order. A preflight whose request is
/// not in the file is returned in `orphans`.
pub(crate) fn link(entries: &[Recorded]) -> (Vec<Call>, Vec<usize>) {
    let order = start_order(entries);
    let index = Index::new(entries, &order);
    let mut used = vec![false; entries.len()];
    let mut calls = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        if used[i] || entries[i].is_preflight {
            continue;
        }
        used[i] = true;
        let mut hops = vec![i];
        let mut at = pos;
        while hops.len() <= MAX_REDIRECTS as usize {
            let Some(last) = hops.last().map(|&h| &entries[h]) else { break };
            let Some(next_url) = redirect_target(last) else { break };
            // The first unused request for that URL started after this hop.
            let next = index
                .same_url(&next_url)
                .iter()
                .copied()
                .find(|&j| index.pos[j] > at && !used[j] && !entries[j].is_preflight);
            let Some(j) = next else { break };
            used[j] = true;
            hops.push(j);
            at = index.pos[j];
        }
        calls.push(Call { preflights: vec![None; hops.len()], hops });
    }
    for call in &mut calls {
        for (h, &hop) in call.hops.iter().enumerate() {
            call.preflights[h] = best_preflight(entries, &index, &used, hop);
            if let Some(p) = call.preflights[h] {
                used[p] = true;
            }
        }
    }
    let orphans = order.iter().copied().filter(|&i| !used[i]).collect();
    (calls, orphans)
}

/// Entries by URL (in start order) and each entry's place in that order,
/// so that linking stays linear in the number of entries.
struct Index {
    by_url: HashMap<String, Vec<usize>>,
    pos: Vec<usize>,
}

impl Index {
    fn new(entries: &[Recorded], order: &[usize]) -> Self {
        let mut by_url: HashMap<String, Vec<usize>> = HashMap::new();
        let mut pos = vec![0; entries.len()];
        for (p, &i) in order.iter().enumerate() {
            pos[i] = p;
            if let Some(u) = &entries[i].url {
                by_url.entry(url_key(u)).or_default().push(i);
            }
        }
        Index { by_url, pos }
    }

    fn same_url(&self, url: &Url) -> &[usize] {
        self.by_url.get(&url_key(url)).map_or(&[], Vec::as_slice)
    }
}

/// A URL without its fragment, which never goes over the wire.
fn url_key(u: &Url) -> String {
    let s = u.as_str();
    s.split_once('#').map_or(s, |(a, _)| a).to_owned()
}

/// Entry indices by start time, the file's order breaking ties (and
/// standing in when a time is missing).
fn start_order(entries: &[Recorded]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    if entries.iter().all(|e| e.started_ms.is_some()) {
        order.sort_by_key(|&i| (entries[i].started_ms, i));
    }
    order
}

/// Where a 3xx entry sends the browser.
fn redirect_target(r: &Recorded) -> Option<Url> {
    if !matches!(r.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let to = r.redirect_to.as_deref()?;
    r.url.as_ref()?.join(to).ok()
}

/// The preflight of `hop`: same URL and origin, asking for its method and
/// at most its headers; Chrome's `_initiator.url` first, then the nearest
/// in time (or in the file).
fn best_preflight(entries: &[Recorded], index: &Index, used: &[bool], hop: usize) -> Option<usize> {
    let h = &entries[hop];
    let h_url = h.url.as_ref()?;
    index
        .same_url(h_url)
        .iter()
        .copied()
        .filter(|&p| !used[p] && entries[p].is_preflight)
        .filter(|&p| {
            let pf = &entries[p];
            // A request that never went out shows only its provisional
            // headers, without `Origin`.
            let same_origin = match (pf.request_header("origin"), h.request_header("origin")) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            same_origin && pf.request_header("access-control-request-method") == Some(h.method.as_str())
                // A sanitized export drops `Authorization` from the request
                // but not from the preflight's list.
                && requested_names(pf).iter().all(|n| n == "authorization" || h.request_header(n).is_some())
        })
        .min_by_key(|&p| {
            let pf = &entries[p];
            let marked = pf.preflight_for.as_deref().is_some_and(|u| u == h.url_text);
            let distance = match (pf.started_ms, h.started_ms) {
                (Some(a), Some(b)) => (a - b).unsigned_abs(),
                _ => index.pos[p].abs_diff(index.pos[hop]) as u64,
            };
            (!marked, distance)
        })
}

/// The names in a preflight's `Access-Control-Request-Headers`.
pub(crate) fn requested_names(preflight: &Recorded) -> Vec<String> {
    preflight
        .request_header("access-control-request-headers")
        .map(|v| v.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: usize, json: serde_json::Value) -> Recorded {
        Recorded::new(i, serde_json::from_value(json).unwrap())
    }

    fn req(i: usize, t: &str, method: &str, url: &str, extra: &[(&str, &str)], status: u16, loc: &str) -> Recorded {
        let mut headers = vec![serde_json::json!({"name": "Origin", "value": "https://a.test"})];
        headers.extend(extra.iter().map(|(n, v)| serde_json::json!({"name": n, "value": v})));
        rec(
            i,
            serde_json::json!({
                "startedDateTime": format!("2026-01-01T00:00:{t}Z"),
                "request": {"method": method, "url": url, "headers": headers},
                "response": {"status": status, "redirectURL": loc, "headers": []},
            }),
        )
    }

    fn pre(i: usize, t: &str, url: &str, method: &str, acrh: &str) -> Recorded {
        req(
            i,
            t,
            "OPTIONS",
            url,
            &[("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", acrh)],
            204,
            "",
        )
    }

    #[test]
    fn preflights_and_redirects_are_linked() {
        // Chrome starts the actual request before its preflight; a second
        // identical call reuses the cache (no preflight).
        let entries = vec![
            req(0, "01.000", "PUT", "https://api.test/a", &[("X-Token", "1")], 200, ""),
            pre(1, "01.010", "https://api.test/a", "PUT", "x-token"),
            req(2, "02.000", "GET", "https://api.test/old", &[], 302, "/new"),
            req(3, "02.100", "GET", "https://api.test/new", &[], 200, ""),
            req(4, "03.000", "PUT", "https://api.test/a", &[("X-Token", "2")], 200, ""),
            pre(5, "04.000", "https://api.test/b", "DELETE", ""),
            pre(6, "05.000", "https://api.test/a", "PATCH", ""),
        ];
        let (calls, orphans) = link(&entries);
        assert_eq!(
            calls,
            [
                Call { hops: vec![0], preflights: vec![Some(1)] },
                Call { hops: vec![2, 3], preflights: vec![None, None] },
                Call { hops: vec![4], preflights: vec![None] },
            ]
        );
        assert_eq!(orphans, [5, 6]);
    }

    #[test]
    fn a_preflight_for_other_headers_is_not_taken() {
        let entries = vec![
            req(0, "01.000", "PUT", "https://api.test/a", &[], 200, ""),
            pre(1, "01.010", "https://api.test/a", "PUT", "x-other"),
        ];
        let (calls, orphans) = link(&entries);
        assert_eq!(calls[0].preflights, [None]);
        assert_eq!(orphans, [1]);
    }
}
