//! From answers to findings: which probes a page could read (the emulator
//! decides), which rule the server seems to apply (a broader class explains
//! the narrower probes it also accepts), and what each finding is worth.

use crossgate_browser::Profile;
use url::Url;

use crate::audit::{Audit, Kind, Record, MARKER};
use crate::class::{Class, Severity};
use crate::finding::{Exchange, Finding};
use crate::fix;
use crate::poc::{self, Call};
use crate::probe::Family;
use crate::prove::{self, engine_list, Reading};
use crate::report::Report;
use crate::response::ProbeResponse;

/// The report of an audit.
pub(crate) fn report(a: &Audit) -> Report {
    let framework = fix::framework(a.records.iter().filter_map(Record::response));
    let mut findings = Vec::new();
    for i in 0..a.paths.len() {
        let ctx = Ctx::new(a, i, framework);
        findings.extend(ctx.findings());
    }
    findings.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.class.cmp(&y.class)).then(x.path.cmp(&y.path)));
    let mut notes = Vec::new();
    if a.unsent > 0 {
        notes.push(format!(
            "the budget of {} requests was reached: {} planned probes were not sent (raise --max-requests to send them)",
            a.config.max_requests, a.unsent
        ));
    }
    if !a.config.skip.is_empty() {
        let names: Vec<&str> = a.config.skip.iter().map(|f| f.as_str()).collect();
        notes.push(format!("skipped probe families: {}", names.join(", ")));
    }
    for r in &a.records {
        if let (Kind::Baseline, Some(resp)) = (&r.kind, r.response()) {
            if (300..400).contains(&resp.status) {
                let to = resp.combined("location").unwrap_or_default();
                notes.push(format!(
                    "{} answers {} with a redirect to {to}: the audit judges this hop only; audit the target of the redirect too",
                    r.probe.request.path, resp.status
                ));
            }
        }
    }
    Report {
        target: a.config.url.clone(),
        findings,
        requests: a.sent(),
        max_requests: a.config.max_requests,
        framework,
        notes,
        error: a.error.clone(),
    }
}

/// An `Origin` probe a page could read (or, for the percent family, that the
/// server accepted).
struct Hit<'a> {
    record: &'a Record,
    class: Class,
    origin: &'a str,
    response: &'a ProbeResponse,
    reading: Reading,
}

impl Hit<'_> {
    fn strength(&self) -> (usize, usize) {
        (self.reading.credentialed.len(), self.reading.plain.len())
    }
}

struct Ctx<'a> {
    a: &'a Audit,
    path: &'a str,
    url: Url,
    records: Vec<&'a Record>,
    baseline: Option<&'a ProbeResponse>,
    authenticated: Option<bool>,
    framework: Option<&'static str>,
    attacker: String,
}

/// The URL of `path` on the target's origin, the path kept as written.
pub(crate) fn url_of(a: &Audit, path: &str) -> Url {
    Url::parse(&format!("{}{path}", a.target.origin)).unwrap_or_else(|_| a.target.url.clone())
}

impl<'a> Ctx<'a> {
    fn new(a: &'a Audit, index: usize, framework: Option<&'static str>) -> Self {
        let path = a.paths[index].as_str();
        let records: Vec<&Record> = a.records.iter().filter(|r| r.path == index).collect();
        let find = |k: &Kind| records.iter().find(|r| r.kind == *k).and_then(|r| r.response());
        let baseline = find(&Kind::Baseline);
        let authenticated = match (baseline, find(&Kind::Anonymous)) {
            (Some(b), Some(anon)) => Some(!b.same_resource(anon)),
            _ => None,
        };
        Ctx { a, path, url: url_of(a, path), records, baseline, authenticated, framework, attacker: a.attacker() }
    }

    fn exchange(&self, r: &Record) -> Exchange {
        Exchange::new(&self.a.target.origin, &r.probe.request, r.response())
    }

    fn finding(&self, class: Class, severity: Severity, origin: &str, reading: &Reading) -> Finding {
        Finding {
            class,
            severity,
            origin: origin.to_owned(),
            path: self.path.to_owned(),
            engines: reading.engines().to_vec(),
            credentials: !reading.credentialed.is_empty(),
            authenticated: self.authenticated,
            proof: String::new(),
            reason: String::new(),
            evidence: Vec::new(),
            poc: String::new(),
            fix: fix::fix(class, self.framework, &self.a.config.trusted, self.path),
        }
    }

    fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        out.extend(self.origin_classes());
        out.extend(self.wildcards());
        out.extend(self.invalid_acao());
        out.extend(self.missing_vary());
        out.extend(self.preflight());
        out.extend(self.pna());
        out.extend(self.injection());
        out.extend(self.duplicates());
        out.extend(self.path_variants());
        out
    }

    /// GET probes whose `Origin` is one value (or none): the ones the
    /// passive checks compare.
    fn plain_gets(&self) -> impl Iterator<Item = (&'a Record, Option<&'a str>, &'a ProbeResponse)> + '_ {
        let own = self.a.target.origin.as_str();
        self.records.iter().filter_map(move |r| {
            let origin = match &r.kind {
                Kind::Baseline | Kind::Anonymous => None,
                Kind::SameOrigin => Some(own),
                Kind::Trusted(o) | Kind::Origin { origin: o, .. } | Kind::PathBase { origin: o } => Some(o.as_str()),
                _ => return None,
            };
            Some((*r, origin, r.response()?))
        })
    }

    fn severity_of_read(&self, base: Severity, reading: &Reading) -> Severity {
        if !reading.credentialed.is_empty() {
            base
        } else if self.a.target.space.is_non_public() {
            base.min(Severity::Medium)
        } else {
            Severity::Info
        }
    }

    fn read_proof(&self, origin: &str, reading: &Reading, path: &str) -> String {
        let who =
            if origin == "null" { "a sandboxed page (origin null)".to_owned() } else { format!("a page on {origin}") };
        let how = if reading.credentialed.is_empty() { "without cookies" } else { "with the visitor's cookies" };
        let mut line = format!("{who} can read {path} {how} in {}", engine_list(reading.engines()));
        if reading.credentialed.is_empty() && self.a.target.space.is_non_public() {
            line.push_str(&format!(
                " (the target is on a {} address: a visitor's browser can reach what the attacker cannot)",
                self.a.target.space.as_str()
            ));
        }
        line
    }

    fn read_reason(&self, reading: &Reading) -> String {
        let mut r = if reading.credentialed.is_empty() {
            if self.a.target.space.is_non_public() {
                "readable without credentials, on a service a visitor's network position unlocks".to_owned()
            } else {
                "readable only without credentials: no more than any page can fetch from a public server".to_owned()
            }
        } else {
            "readable with credentials: Access-Control-Allow-Credentials is `true` for this origin".to_owned()
        };
        match self.authenticated {
            Some(true) => r.push_str("; the response differs with the session given, so it carries the user's data"),
            Some(false) => r.push_str("; the response is the same without the session given"),
            None if !reading.credentialed.is_empty() => {
                r.push_str("; no --cookie given, so whether it carries user data was not compared")
            }
            None => {}
        }
        r
    }

    fn poc_read(&self, class: Class, origin: &str, reading: &Reading, url: &str) -> String {
        let credentials = !reading.credentialed.is_empty();
        let call = if origin == "null" { Call::Sandboxed { credentials } } else { Call::Read { credentials } };
        poc::page(class.id(), origin, url, &call)
    }

    /// The classes of the `Origin` probes, with the broader ones explaining
    /// what they imply.
    fn origin_classes(&self) -> Vec<Finding> {
        let t = &self.a.target;
        let mut hits: Vec<Hit<'a>> = Vec::new();
        let mut null_as_deny: Option<&Record> = None;
        for r in &self.records {
            let (Kind::Origin { class, origin }, Some(resp)) = (&r.kind, r.response()) else { continue };
            if origin != "null" && resp.acao().as_deref() == Some("null") && null_as_deny.is_none() {
                null_as_deny = Some(r);
            }
            // `*` is the wildcard checks' business, not a reflection.
            if self.a.is_trusted(origin) || resp.acao().as_deref() == Some("*") {
                continue;
            }
            let reading = prove::read(&self.url, origin, resp);
            let accepted =
                if *class == Class::PercentDecode { percent_accepted(origin, resp) } else { reading.readable() };
            if accepted {
                hits.push(Hit { record: r, class: *class, origin, response: resp, reading });
            }
        }
        let fired = |c: Class| hits.iter().any(|h| h.class == c);
        let own = format!("{}://{}", t.scheme, t.host);
        let explained = |h: &Hit<'_>| -> bool {
            let o = h.origin;
            let host = Url::parse(o).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
            (h.class != Class::ReflectAny && fired(Class::ReflectAny))
                || (h.class != Class::SubstringContains && fired(Class::SubstringContains) && o.contains(&t.host))
                || (!matches!(h.class, Class::PrefixMatch | Class::SubstringContains)
                    && fired(Class::PrefixMatch)
                    && o.starts_with(&own))
                || (!matches!(h.class, Class::SuffixMatch | Class::SubstringContains)
                    && fired(Class::SuffixMatch)
                    && t.registrable.as_ref().is_some_and(|r| host.ends_with(r.as_str()) || o.ends_with(r.as_str())))
                || (h.class == Class::PercentDecode
                    && fired(Class::SpecialChars)
                    && h.response.acao().as_deref() == Some(o)
                    && o.strip_prefix(own.as_str())
                        .and_then(|rest| rest.bytes().next())
                        .is_some_and(|b| !is_host_byte(b)))
        };
        let mut out = Vec::new();
        let mut classes: Vec<Class> = hits.iter().map(|h| h.class).collect();
        classes.sort();
        classes.dedup();
        for class in classes {
            // The first of the strongest (`max_by_key` keeps the last).
            let best = hits.iter().rev().filter(|h| h.class == class && !explained(h)).max_by_key(|h| h.strength());
            let Some(h) = best else { continue };
            if class == Class::NullTrusted && null_as_deny.is_some() {
                continue;
            }
            out.push(self.origin_finding(h));
        }
        if let Some(deny) = null_as_deny {
            if !fired(Class::ReflectAny) {
                out.push(self.null_as_deny(deny, hits.iter().find(|h| h.origin == "null")));
            }
        }
        out
    }

    fn origin_finding(&self, h: &Hit<'_>) -> Finding {
        let class = h.class;
        let url = h.record.probe.request.path.as_str();
        let full = format!("{}{url}", self.a.target.origin);
        if class == Class::PercentDecode {
            let mut f = self.finding(class, Severity::Low, h.origin, &h.reading);
            let acao = h.response.acao().unwrap_or_default();
            f.proof = format!("`Origin: {}` was answered with `Access-Control-Allow-Origin: {acao}`; no browser sends this Origin, so no page can use it as it is", h.origin);
            f.reason = "a parser that decodes or URL-parses the Origin before comparing it disagrees with the browser about which origin a page has: the special-character probes test the forms browsers do send".to_owned();
            f.evidence.push(self.exchange(h.record));
            f.poc = poc::curl(&full, &h.record.probe.request.headers);
            return f;
        }
        let base = match class {
            Class::AnySubdomain | Class::DevOrigins => Severity::Low,
            Class::HttpOrigin => Severity::Medium,
            _ => Severity::High,
        };
        let mut severity = self.severity_of_read(base, &h.reading);
        let mut reason = self.read_reason(&h.reading);
        if class == Class::HttpOrigin {
            let hsts = self.baseline.and_then(|b| b.combined("strict-transport-security"));
            if let Some(hsts) = hsts {
                let covers = h.origin == format!("http://{}", self.a.target.authority)
                    || hsts.to_ascii_lowercase().contains("includesubdomains")
                        && self.a.target.registrable.as_deref() == Some(self.a.target.host.as_str());
                if covers && severity > Severity::Low {
                    severity = Severity::Low;
                    reason.push_str(&format!("; Strict-Transport-Security (`{hsts}`) makes browsers that saw it upgrade this origin to https, so only a first visit is exposed"));
                }
            }
            reason.push_str("; exploiting it takes a network attacker who injects script into the http page");
        }
        match class {
            Class::AnySubdomain => reason.push_str(
                "; exploiting it takes script on one subdomain (an XSS, user content or a subdomain takeover)",
            ),
            Class::DevOrigins => {
                reason.push_str("; exploiting it takes code listening on the visitor's machine at that port")
            }
            Class::SpecialChars if h.reading.engines() == [Profile::WebKit] => {
                reason.push_str("; the origin's host has a character only WebKit (Safari) accepts");
            }
            _ => {}
        }
        let mut f = self.finding(class, severity, h.origin, &h.reading);
        f.proof = self.read_proof(h.origin, &h.reading, url);
        f.reason = reason;
        f.evidence.push(self.exchange(h.record));
        f.poc = self.poc_read(class, h.origin, &h.reading, &full);
        f
    }

    fn null_as_deny(&self, deny: &Record, null_hit: Option<&Hit<'_>>) -> Finding {
        let refused = match &deny.kind {
            Kind::Origin { origin, .. } => origin.as_str(),
            _ => "",
        };
        let reading = null_hit.map(|h| h.reading.clone()).unwrap_or_default();
        let (severity, proof) = if reading.readable() {
            (self.severity_of_read(Severity::High, &reading), self.read_proof("null", &reading, self.path))
        } else {
            (
                Severity::Info,
                format!("`Origin: {refused}` was refused with `Access-Control-Allow-Origin: null`; a sandboxed page's own request was not answered that way, so no page can read it now"),
            )
        };
        let mut f = self.finding(Class::NullAsDeny, severity, "null", &reading);
        f.proof = proof;
        f.reason = format!("`null` is the origin of every sandboxed iframe, `data:` and `file:` page: as a refusal value it grants them access. {}", self.read_reason(&reading));
        f.evidence.push(self.exchange(deny));
        if let Some(h) = null_hit {
            f.evidence.push(self.exchange(h.record));
        }
        f.poc = self.poc_read(Class::NullAsDeny, "null", &reading, self.url.as_str());
        f
    }

    fn wildcards(&self) -> Vec<Finding> {
        let star: Vec<(&Record, Option<&str>, &ProbeResponse)> =
            self.plain_gets().filter(|(_, _, resp)| resp.acao().as_deref() == Some("*")).collect();
        let Some(first) = star.iter().find(|(_, o, _)| *o == Some(self.attacker.as_str())).or(star.first()) else {
            return Vec::new();
        };
        let (record, _, resp) = *first;
        let reading = prove::read(&self.url, &self.attacker, resp);
        let credentials = star.iter().any(|(_, _, r)| r.acac_true());
        let space = self.a.target.space;
        let (class, severity, reason) = if credentials {
            (Class::WildcardCredentials, Severity::Low, "browsers never send cookies to `*`, so this reads as public data, but the setting asks for credentials from any origin, which several CORS libraries turn into reflecting the origin".to_owned())
        } else if space.is_non_public() && reading.readable() {
            (Class::WildcardSensitive, Severity::Medium, format!("the target is on a {} address: any website a visitor opens can read it through the visitor's browser", space.as_str()))
        } else {
            (
                Class::Wildcard,
                Severity::Info,
                "`*` without credentials on a public server: any page can read only what anyone can fetch".to_owned(),
            )
        };
        let mut f = self.finding(class, severity, &self.attacker, &reading);
        f.proof = if reading.readable() {
            self.read_proof(&self.attacker, &reading, self.path)
        } else {
            "`Access-Control-Allow-Origin: *`".to_owned()
        };
        if credentials {
            f.proof.push_str("; with cookies the emulator blocks it (WildcardOriginNotAllowed)");
        }
        f.reason = reason;
        f.evidence.push(self.exchange(record));
        f.poc = self.poc_read(class, &self.attacker, &reading, self.url.as_str());
        vec![f]
    }

    fn invalid_acao(&self) -> Vec<Finding> {
        for (record, origin, resp) in self.plain_gets() {
            let lines: Vec<String> = resp
                .values("access-control-allow-origin")
                .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                .collect();
            let invalid = match lines.as_slice() {
                [] => false,
                [one] => {
                    // A reflection of an odd probe is the probe's business.
                    Some(one.as_str()) != origin && (one.contains([' ', ',']) || (one.contains('*') && one != "*"))
                }
                _ => true,
            };
            if !invalid {
                continue;
            }
            let page = origin.unwrap_or(self.attacker.as_str());
            let reading = prove::read(&self.url, page, resp);
            let mut f = self.finding(Class::InvalidAcao, Severity::Low, page, &reading);
            f.proof = format!(
                "Access-Control-Allow-Origin is {}: no browser accepts it, so calls from every origin fail (Chromium: {})",
                lines.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(" and "),
                if lines.len() > 1 || lines[0].contains([' ', ',']) { "MultipleAllowOriginValues" } else { "InvalidAllowOriginValue" }
            );
            f.reason =
                "not exploitable by itself; a list in the header also shows every origin the server trusts".to_owned();
            f.evidence.push(self.exchange(record));
            f.poc = poc::curl(
                &format!("{}{}", self.a.target.origin, record.probe.request.path),
                &record.probe.request.headers,
            );
            return vec![f];
        }
        Vec::new()
    }

    fn missing_vary(&self) -> Vec<Finding> {
        let gets: Vec<_> = self.plain_gets().collect();
        let mut values: Vec<Option<String>> = gets.iter().map(|(_, _, r)| r.acao()).collect();
        values.sort();
        values.dedup();
        if values.len() < 2 {
            return Vec::new();
        }
        let Some(&(no_vary, _, _)) = gets.iter().find(|(_, _, r)| !r.varies_on_origin()) else { return Vec::new() };
        // The answer made for one origin, handed to another page.
        let made_for = gets.iter().find(|(_, o, r)| o.is_some() && r.acao().as_deref() == *o);
        let cached = self.records.iter().find_map(|r| match (&r.kind, r.response()) {
            (Kind::CacheCheck { seeded }, Some(resp)) if resp.acao().as_deref() == Some(seeded.as_str()) => {
                Some((r, seeded))
            }
            _ => None,
        });
        let mut f = self.finding(Class::MissingVary, Severity::Low, "", &Reading::default());
        let cacheable = cache_signals(gets.iter().map(|(_, _, r)| *r));
        match (cached, made_for) {
            (Some((check, seeded)), _) => {
                f.severity = Severity::Medium;
                f.origin = seeded.clone();
                f.proof = format!("the cache in front of {} served the answer made for {seeded} to a request without Origin: every visitor of this URL now gets {seeded}'s Access-Control-Allow-Origin", self.path);
                if let Some(seed) = self.records.iter().find(|r| matches!(&r.kind, Kind::CacheSeed { .. })) {
                    f.evidence.push(self.exchange(seed));
                }
                f.evidence.push(self.exchange(check));
                f.poc = format!(
                    "{}\n{}",
                    poc::curl(
                        &format!("{}{}", self.a.target.origin, check.probe.request.path),
                        &[("Origin".into(), seeded.as_bytes().to_vec())]
                    ),
                    poc::curl(&format!("{}{}", self.a.target.origin, check.probe.request.path), &[])
                );
            }
            (None, Some(&(record, Some(o1), resp))) => {
                let other =
                    if o1 == self.attacker { "https://other.example".to_owned() } else { self.attacker.clone() };
                let reading = prove::read(&self.url, &other, resp);
                f.origin = o1.to_owned();
                f.proof = format!(
                    "Access-Control-Allow-Origin changes with Origin ({} values seen) but `Vary` lacks Origin: a cache keyed on the URL can hand {o1}'s answer to {other}, {}",
                    values.len(),
                    if reading.readable() { "which can read it" } else { "whose call then fails, or to a navigation" }
                );
                f.evidence.push(self.exchange(record));
                if no_vary.probe.id != record.probe.id {
                    f.evidence.push(self.exchange(no_vary));
                }
                f.poc = poc::curl(
                    &format!("{}{}", self.a.target.origin, record.probe.request.path),
                    &record.probe.request.headers,
                );
            }
            _ => {
                f.proof = format!(
                    "Access-Control-Allow-Origin changes with Origin ({} values seen) but `Vary` lacks Origin",
                    values.len()
                );
                f.evidence.push(self.exchange(no_vary));
                f.poc = poc::curl(
                    &format!("{}{}", self.a.target.origin, no_vary.probe.request.path),
                    &no_vary.probe.request.headers,
                );
            }
        }
        f.reason = if cacheable {
            "the responses carry cache headers, so a shared cache is likely to store them".to_owned()
        } else {
            "calls from allowed origins can fail at random when a cache or the browser's HTTP cache serves another origin's answer; with header injection it becomes cache poisoning".to_owned()
        };
        vec![f]
    }

    fn preflight(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for r in &self.records {
            let (Kind::Preflight { origin, method, header }, Some(resp)) = (&r.kind, r.response()) else { continue };
            if self.a.is_trusted(origin) {
                continue;
            }
            let reading = prove::preflight_passes(&self.url, origin, method, header, resp);
            if !reading.readable() {
                continue;
            }
            let severity = self.severity_of_read(Severity::High, &reading);
            let mut f = self.finding(Class::PreflightPermissive, severity, origin, &reading);
            let how = if reading.credentialed.is_empty() { "without cookies" } else { "with the visitor's cookies" };
            f.proof = format!(
                "a page on {origin} can make the browser send a {method} to {} {how} and an `{header}` header, in {}",
                self.path,
                engine_list(reading.engines())
            );
            let acam = resp.combined("access-control-allow-methods").unwrap_or_default();
            let acah = resp.combined("access-control-allow-headers").unwrap_or_default();
            let echoed = acam.contains(method.as_str()) && acah.to_ascii_lowercase().contains(header.as_str());
            f.reason = format!(
                "the preflight {}; state-changing calls run on the server whether or not the page may read the answer",
                if echoed { "echoes the requested method and header" } else { "allows the method and header" }
            );
            f.evidence.push(self.exchange(r));
            f.poc =
                poc::page(Class::PreflightPermissive.id(), origin, self.url.as_str(), &Call::Write { method, header });
            out.push(f);
        }
        out
    }

    fn pna(&self) -> Vec<Finding> {
        for r in &self.records {
            let (Kind::Pna { origin }, Some(resp)) = (&r.kind, r.response()) else { continue };
            let granted = resp.combined("access-control-allow-private-network").as_deref() == Some("true");
            if !granted || !(200..300).contains(&resp.status) || self.a.is_trusted(origin) {
                continue;
            }
            // The preflight's CORS check is the same as a response's.
            let reading = prove::read(&self.url, origin, resp);
            if !reading.plain.contains(&Profile::Chromium) {
                continue;
            }
            let reading = Reading { plain: vec![Profile::Chromium], credentialed: Vec::new() };
            let space = self.a.target.space;
            let severity = if space.is_non_public() { Severity::Medium } else { Severity::Info };
            let mut f = self.finding(Class::PnaGranted, severity, origin, &reading);
            f.proof = format!("a page on {origin} gets Chromium's Private Network Access preflight for {} granted: the browser sends it requests from the public internet", self.path);
            f.reason = if space.is_non_public() {
                format!("the target is on a {} address, which Chromium shields from public pages unless the preflight grants access", space.as_str())
            } else {
                "the target is public, where browsers never ask; the same server on a private address would grant any website access".to_owned()
            };
            f.evidence.push(self.exchange(r));
            f.poc = self.poc_read(Class::PnaGranted, origin, &reading, self.url.as_str());
            return vec![f];
        }
        Vec::new()
    }

    fn injection(&self) -> Vec<Finding> {
        let marker = MARKER.to_ascii_lowercase();
        let nonce = self.a.config.nonce.as_str();
        let mut best: Option<(Severity, &Record, &String)> = None;
        for r in &self.records {
            let (Kind::Injection { base, lone_cr }, Some(resp)) = (&r.kind, r.response()) else { continue };
            let line = resp.headers.iter().any(|(n, v)| *n == marker && v.as_slice() == nonce.as_bytes());
            let needle = format!("\r{MARKER}: {nonce}").to_ascii_lowercase();
            let in_value =
                resp.headers.iter().any(|(_, v)| String::from_utf8_lossy(v).to_ascii_lowercase().contains(&needle));
            let severity = if line {
                Severity::High
            } else if in_value && *lone_cr {
                Severity::Medium
            } else {
                continue;
            };
            if best.as_ref().map_or(true, |(s, _, _)| severity > *s) {
                best = Some((severity, r, base));
            }
        }
        let Some((severity, r, base)) = best else { return Vec::new() };
        let resp = r.response().cloned().unwrap_or_default();
        let split = split_at_cr(&resp);
        let reading = prove::read(&self.url, base, &split);
        let mut f = self.finding(Class::HeaderInjection, severity, base, &reading);
        f.proof = format!(
            "the response carries a header line the request chose (`{MARKER}: {nonce}`){}",
            if reading.readable() {
                format!(", in an answer a page on {base} can read in {}", engine_list(reading.engines()))
            } else {
                String::new()
            }
        );
        f.reason = if severity == Severity::High {
            "CRLF in Origin splits the response: whoever can get such a request to the server (through a proxy or a shared cache) chooses response headers for every visitor — Set-Cookie, Content-Type, or Access-Control-Allow-Origin for their own origin".to_owned()
        } else {
            "a lone CR reaches the response: a cache or client that ends header lines at CR sees a header the request chose (Kettle's server-side cache poisoning)".to_owned()
        };
        f.evidence.push(self.exchange(r));
        let port = self.a.target.url.port_or_known_default().unwrap_or(80);
        f.poc = poc::raw_command(
            self.a.target.is_https(),
            &self.a.target.host,
            port,
            &r.probe.request.path,
            &r.probe.request.headers,
        );
        vec![f]
    }

    fn duplicates(&self) -> Vec<Finding> {
        if self.origin_reflects_attacker() {
            return Vec::new();
        }
        let atk = self.attacker.as_str();
        let mut best: Option<(Severity, &Record, Reading, String)> = None;
        for r in &self.records {
            let Some(resp) = r.response() else { continue };
            let acao = resp.acao().unwrap_or_default();
            let (severity, reading, what) = match &r.kind {
                Kind::Duplicate { first, second } if acao == atk => {
                    let reading = prove::read(&self.url, atk, resp);
                    if !reading.readable() {
                        continue;
                    }
                    let sev = if reading.credentialed.is_empty() { Severity::Low } else { Severity::Medium };
                    (sev, reading, format!("with `Origin: {first}` and `Origin: {second}` the server answered for {atk}"))
                }
                Kind::Joined { value } if acao == atk => {
                    let reading = prove::read(&self.url, atk, resp);
                    if !reading.readable() {
                        continue;
                    }
                    let sev = if reading.credentialed.is_empty() { Severity::Low } else { Severity::Medium };
                    (sev, reading, format!("`Origin: {value}` was answered for {atk}"))
                }
                Kind::Joined { value } if acao == *value => {
                    (Severity::Info, Reading::default(), format!("the joined `Origin: {value}` was echoed whole: browsers reject it, and it shows the server accepts a list it did not check"))
                }
                _ => continue,
            };
            if best.as_ref().map_or(true, |(s, _, _, _)| severity > *s) {
                best = Some((severity, r, reading, what));
            }
        }
        let Some((severity, r, reading, what)) = best else { return Vec::new() };
        let mut f = self.finding(Class::DuplicateOrigin, severity, atk, &reading);
        f.proof = if reading.readable() {
            format!(
                "{what}: if a proxy or cache that read the other value hands this answer to a browser, {}",
                self.read_proof(atk, &reading, self.path)
            )
        } else {
            what
        };
        f.reason = "browsers send one Origin; two (or a list) come from a client that is not a browser, and a proxy and the application that read different ones disagree about who is calling".to_owned();
        f.evidence.push(self.exchange(r));
        f.poc = poc::curl(&format!("{}{}", self.a.target.origin, r.probe.request.path), &r.probe.request.headers);
        vec![f]
    }

    /// Whether the attacker's plain origin is readable on this path (then
    /// the duplicate and path tests add nothing).
    fn origin_reflects_attacker(&self) -> bool {
        self.records.iter().any(|r| match (&r.kind, r.response()) {
            (Kind::Origin { origin, .. } | Kind::PathBase { origin }, Some(resp)) if *origin == self.attacker => {
                prove::read(&self.url, origin, resp).readable()
            }
            _ => false,
        })
    }

    fn path_variants(&self) -> Vec<Finding> {
        let Some(baseline) = self.baseline else { return Vec::new() };
        if self.origin_reflects_attacker() || self.a.config.skip.contains(&Family::Paths) {
            return Vec::new();
        }
        let mut best: Option<(&Record, Reading, &str, &str)> = None;
        for r in &self.records {
            let (Kind::PathVariant { variant, what, origin }, Some(resp)) = (&r.kind, r.response()) else { continue };
            if !resp.same_resource(baseline) {
                continue;
            }
            let url = url_of(self.a, variant);
            let reading = prove::read(&url, origin, resp);
            let better = best.as_ref().map_or(true, |(_, b, _, _)| reading.credentialed.len() > b.credentialed.len());
            if reading.readable() && better {
                best = Some((r, reading, variant, what));
            }
        }
        let Some((r, reading, variant, what)) = best else { return Vec::new() };
        let severity = self.severity_of_read(Severity::High, &reading);
        let mut f = self.finding(Class::PathScoped, severity, &self.attacker, &reading);
        f.proof = format!(
            "{} — as {variant} ({what}), which serves the same resource; {} itself refuses that origin",
            self.read_proof(&self.attacker, &reading, self.path),
            self.path
        );
        f.reason = self.read_reason(&reading);
        f.evidence.push(self.exchange(r));
        f.poc =
            self.poc_read(Class::PathScoped, &self.attacker, &reading, &format!("{}{variant}", self.a.target.origin));
        vec![f]
    }
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Whether the server took a percent-family probe: it answered the
/// percent-decoded form, or the userinfo or path form as sent.
fn percent_accepted(origin: &str, resp: &ProbeResponse) -> bool {
    let Some(acao) = resp.acao() else { return false };
    if origin.contains('%') {
        let decoded = percent_decode(origin);
        decoded != origin && acao == decoded
    } else {
        acao == origin
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether responses look cacheable by a shared cache.
fn cache_signals<'r>(responses: impl Iterator<Item = &'r ProbeResponse>) -> bool {
    responses.into_iter().any(|r| {
        let cc = r.combined("cache-control").unwrap_or_default().to_ascii_lowercase();
        cc.contains("public")
            || cc.contains("s-maxage")
            || (cc.contains("max-age") && !cc.contains("private") && !cc.contains("no-store"))
            || ["age", "x-cache", "cf-cache-status", "via"].iter().any(|h| r.combined(h).is_some())
    })
}

/// The response as a client that ends header lines at a lone CR reads it.
fn split_at_cr(resp: &ProbeResponse) -> ProbeResponse {
    let mut out = resp.clone();
    out.headers.clear();
    for (n, v) in &resp.headers {
        let mut parts = v.split(|b| *b == b'\r');
        out.headers.push((n.clone(), parts.next().unwrap_or_default().to_vec()));
        for extra in parts {
            let extra = extra.strip_prefix(b"\n").unwrap_or(extra);
            if let Some(i) = extra.iter().position(|b| *b == b':') {
                let name = String::from_utf8_lossy(&extra[..i]).trim().to_ascii_lowercase();
                out.headers.push((name, extra[i + 1..].trim_ascii().to_vec()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_forms() {
        assert_eq!(percent_decode("https://a.com%60.b.com"), "https://a.com`.b.com");
        assert_eq!(percent_decode("100%"), "100%");
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", "https://a.com`.b.com")]);
        assert!(percent_accepted("https://a.com%60.b.com", &r));
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", "https://a.com%60.b.com")]);
        assert!(!percent_accepted("https://a.com%60.b.com", &r));
        let r = ProbeResponse::new(200, &[("access-control-allow-origin", "https://a.com@b.com")]);
        assert!(percent_accepted("https://a.com@b.com", &r));
    }

    #[test]
    fn lone_cr_splits() {
        let mut r = ProbeResponse::new(200, &[]);
        r.headers.push(("access-control-allow-origin".into(), b"https://a\rX-Crossgate-Probe: 1".to_vec()));
        let s = split_at_cr(&r);
        assert_eq!(s.acao().as_deref(), Some("https://a"));
        assert_eq!(s.combined("x-crossgate-probe").as_deref(), Some("1"));
    }
}
