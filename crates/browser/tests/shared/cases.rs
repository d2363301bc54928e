//! The generated differential cases.

use crossgate_browser::request::{CredentialsMode as C, Initiator, RedirectMode, RequestMode};

use super::model::{Call, Case, Hop, Host, Reply};

struct Gen {
    cases: Vec<Case>,
}

impl Gen {
    fn add(&mut self, name: impl Into<String>, initiator: Initiator, calls: Vec<Call>, hops: Vec<Hop>) {
        let id = self.cases.len();
        self.cases.push(Case { id, name: name.into(), initiator, calls, hops, opaque_page: false });
    }
    /// A case run from a sandboxed iframe (opaque origin).
    fn opaque(&mut self, name: impl Into<String>, initiator: Initiator, call: Call, hops: Vec<Hop>) {
        self.add(name, initiator, vec![call], hops);
        if let Some(c) = self.cases.last_mut() {
            c.opaque_page = true;
        }
    }
    fn fetch(&mut self, name: impl Into<String>, call: Call, hops: Vec<Hop>) {
        self.add(name, Initiator::Fetch, vec![call], hops);
    }
}

fn hop(host: Host, preflight: Reply, actual: Reply) -> Hop {
    Hop { host, preflight: vec![preflight], actual }
}

fn api(actual: Reply) -> Vec<Hop> {
    vec![hop(Host::Api, Reply::new(204).acao("*"), actual)]
}

fn pf(preflight: Reply, actual: Reply) -> Vec<Hop> {
    vec![hop(Host::Api, preflight, actual)]
}

fn ok() -> Reply {
    Reply::new(200)
}

/// Values for `Access-Control-Allow-Origin`, `{origin}` being the page's.
const ACAO_VALUES: &[(&str, &[&str])] = &[
    ("missing", &[]),
    ("exact", &["{origin}"]),
    ("star", &["*"]),
    ("wrong", &["{api}"]),
    ("duplicated", &["{origin}", "{origin}"]),
    ("duplicated-star", &["*", "*"]),
    ("list", &["{origin}, {api}"]),
    ("padded", &["  {origin}\t"]),
    ("padded-star", &[" * "]),
    ("trailing-slash", &["{origin}/"]),
    ("upper-case", &["HTTP://127.0.0.1"]),
    ("null", &["null"]),
    ("empty", &[""]),
    ("double-star", &["**"]),
    ("garbage", &["-"]),
];

const ACAC_VALUES: &[(&str, Option<&str>)] = &[
    ("no-acac", None),
    ("true", Some("true")),
    ("True", Some("True")),
    ("false", Some("false")),
    ("padded-true", Some(" true ")),
];

fn with_acao(mut r: Reply, values: &[&str]) -> Reply {
    for v in values {
        r = r.acao(v);
    }
    r
}

pub fn generate() -> Vec<Case> {
    let mut g = Gen { cases: Vec::new() };
    let creds = [("omit", C::Omit), ("same-origin", C::SameOrigin), ("include", C::Include)];

    // Simple requests: every ACAO answer, every credentials mode.
    for (an, av) in ACAO_VALUES {
        for (cn, c) in creds {
            g.fetch(format!("simple GET, ACAO {an}, credentials {cn}"), Call::get().cred(c), api(with_acao(ok(), av)));
        }
    }
    // Credentialed: ACAC answers.
    for (acn, acv) in ACAC_VALUES {
        for (an, av) in [("exact", &["{origin}"][..]), ("star", &["*"][..])] {
            let mut r = with_acao(ok(), av);
            if let Some(v) = acv {
                r = r.h("access-control-allow-credentials", v);
            }
            g.fetch(format!("include, ACAO {an}, ACAC {acn}"), Call::get().cred(C::Include), api(r.clone()));
            g.fetch(format!("omit, ACAO {an}, ACAC {acn}"), Call::get().cred(C::Omit), api(r));
        }
    }
    // XHR, with and without withCredentials.
    for (an, av) in [
        ("missing", &[][..]),
        ("exact", &["{origin}"][..]),
        ("star", &["*"][..]),
        ("wrong", &["{api}"][..]),
        ("duplicated", &["{origin}", "{origin}"][..]),
    ] {
        for (cn, c) in [("false", C::SameOrigin), ("true", C::Include)] {
            let r = with_acao(ok(), av);
            g.add(format!("XHR withCredentials={cn}, ACAO {an}"), Initiator::Xhr, vec![Call::get().cred(c)], api(r));
        }
    }
    // Methods: safelisted ones need no ACAM; the others need an exact, case-sensitive entry.
    let methods = ["GET", "post", "PUT", "delete", "patch", "PATCH", "chicken", "OPTIONS"];
    let acams: &[(&str, Option<&str>)] = &[
        ("none", None),
        ("PUT, DELETE", Some("PUT, DELETE")),
        ("PATCH", Some("PATCH")),
        ("patch", Some("patch")),
        ("*", Some("*")),
        ("chicken, OPTIONS", Some("chicken, OPTIONS")),
    ];
    for m in methods {
        for (acn, acv) in acams {
            let mut p = Reply::new(204).acao("{origin}");
            if let Some(v) = acv {
                p = p.h("access-control-allow-methods", v);
            }
            let body = if matches!(m, "GET") { None } else { Some("x") };
            let mut call = Call::get().method(m);
            if let Some(b) = body {
                call = call.body(b);
            }
            g.fetch(format!("method {m}, ACAM {acn}"), call, pf(p, ok().acao("{origin}")));
        }
    }
    // ACAM * and credentials; invalid ACAM.
    for (cn, c) in [("omit", C::Omit), ("include", C::Include)] {
        let p = Reply::new(200)
            .acao("{origin}")
            .h("access-control-allow-credentials", "true")
            .h("access-control-allow-methods", "*");
        let a = ok().acao("{origin}").h("access-control-allow-credentials", "true");
        g.fetch(format!("PUT with ACAM * and credentials {cn}"), Call::get().method("PUT").cred(c), pf(p, a));
    }
    for v in ["Bad value", "PUT;", "PUT,,DELETE", "(PUT)"] {
        let p = Reply::new(204).acao("*").h("access-control-allow-methods", v);
        g.fetch(format!("PUT with ACAM '{v}'"), Call::get().method("PUT"), pf(p.clone(), ok().acao("*")));
        g.fetch(
            format!("GET+x-a with ACAM '{v}'"),
            Call::get().h("x-a", "1"),
            pf(p.h("access-control-allow-headers", "x-a"), ok().acao("*")),
        );
    }
    // Request headers: safelisted values and unsafe ones.
    let long = "a".repeat(128);
    let too_long = "a".repeat(129);
    let hundred = "b".repeat(100);
    let headers: Vec<(&str, String)> = vec![
        ("accept", "application/json".into()),
        ("accept", "\"".into()),
        ("accept", long.clone()),
        ("accept", too_long),
        ("accept-language", "en-US,en;q=0.9".into()),
        ("accept-language", "nn_NO".into()),
        ("content-language", "@".into()),
        ("content-language", "de-DE".into()),
        ("content-type", "text/plain".into()),
        ("content-type", "text/plain;garbage".into()),
        ("content-type", "Text/Plain; charset=utf-8".into()),
        ("content-type", "multipart/form-data; boundary=x".into()),
        ("content-type", "application/x-www-form-urlencoded".into()),
        ("content-type", "application/json".into()),
        ("content-type", "text/html".into()),
        ("content-type", "text /plain".into()),
        ("content-type", "text/plain,x/x".into()),
        ("range", "bytes=0-".into()),
        ("range", "bytes=100-200".into()),
        ("range", "bytes=-500".into()),
        ("range", "bytes=1-2,3-4".into()),
        ("range", "bytes = 1-2".into()),
        ("range", "bytes=5-1".into()),
        ("x-custom", "1".into()),
        ("X-Mixed-Case", "1".into()),
        ("authorization", "Bearer t".into()),
        ("user-agent", "crossgate".into()),
        ("cookie", "a=b".into()),
        ("x-http-method-override", "TRACE".into()),
    ];
    for (n, v) in &headers {
        let short: String = v.chars().take(24).collect();
        for (acn, ach) in [("no ACAH", None), ("ACAH lists it", Some(*n)), ("ACAH *", Some("*"))] {
            let mut p = Reply::new(204).acao("*");
            if let Some(h) = ach {
                p = p.h("access-control-allow-headers", h);
            }
            let method = if *n == "content-type" { "POST" } else { "GET" };
            let mut call = Call::get().method(method).h(n, v);
            if method == "POST" {
                call = call.body("x");
            }
            g.fetch(format!("{n}: {short} ({}), {acn}", v.len()), call, pf(p, ok().acao("*")));
        }
    }
    // Combined values: two 100-byte Accept values become one 202-byte value.
    g.fetch(
        "two 100-byte accept values",
        Call::get().h("accept", &hundred).h("accept", &hundred),
        pf(Reply::new(204).acao("*"), ok().acao("*")),
    );
    g.fetch(
        "four 128-byte safelisted values",
        Call::get()
            .method("POST")
            .body("x")
            .h("accept", &long)
            .h("accept-language", &long)
            .h("content-language", &long)
            .h("content-type", "text/plain"),
        pf(Reply::new(204).acao("*"), ok().acao("*")),
    );
    // Several unsafe headers: ACRH is sorted, lower-case, comma-joined. When
    // several are missing from ACAH, Chromium names the first in sorted
    // order (the page sets them unsorted here).
    for (acn, ach) in [
        ("all", "X-B, x-a, content-type"),
        ("missing x-b", "x-a, content-type"),
        ("missing x-a and x-b", "content-type"),
        ("missing all three", "x-c"),
        ("star", "*"),
        ("list with empties", " , x-a,, x-b ,content-type,"),
        ("invalid", "x-a x-b"),
    ] {
        let p = Reply::new(204).acao("*").h("access-control-allow-headers", ach);
        let call =
            Call::get().method("POST").body("{}").h("X-B", "2").h("x-a", "1").h("content-type", "application/json");
        g.fetch(format!("three unsafe headers, ACAH {acn}"), call, pf(p, ok().acao("*")));
    }
    // Wildcards with credentials: `*` is literal; authorization is never covered.
    for (cn, c) in [("omit", C::Omit), ("include", C::Include)] {
        for (acn, ach) in [("*", "*"), ("*, authorization", "*, Authorization"), ("x-a", "x-a")] {
            let p = Reply::new(204)
                .acao("{origin}")
                .h("access-control-allow-credentials", "true")
                .h("access-control-allow-headers", ach);
            let a = ok().acao("{origin}").h("access-control-allow-credentials", "true");
            g.fetch(
                format!("x-a + authorization, ACAH {acn}, credentials {cn}"),
                Call::get().h("x-a", "1").h("authorization", "Basic x").cred(c),
                pf(p.clone(), a.clone()),
            );
            g.fetch(format!("x-a, ACAH {acn}, credentials {cn}"), Call::get().h("x-a", "1").cred(c), pf(p, a));
        }
    }
    // Preflight ACAO and status, in Chromium's order.
    for status in [200u16, 204, 206, 299, 301, 302, 303, 307, 308, 300, 304, 400, 403, 404, 500, 503] {
        for (an, av) in [("star", &["*"][..]), ("missing", &[][..]), ("wrong", &["{api}"][..])] {
            let mut p = with_acao(Reply::new(status), av);
            if matches!(status, 301 | 302 | 303 | 307 | 308) && an == "star" {
                p = p.h("location", "{hop0}");
            }
            g.fetch(format!("preflight status {status}, ACAO {an}"), Call::get().method("PUT"), pf(p, ok().acao("*")));
        }
    }
    g.fetch("preflight 302 without Location", Call::get().method("PUT"), pf(Reply::new(302).acao("*"), ok().acao("*")));
    // Preflight credentials checks.
    for (acn, acv) in ACAC_VALUES {
        let mut p = Reply::new(204).acao("{origin}").h("access-control-allow-methods", "PUT");
        if let Some(v) = acv {
            p = p.h("access-control-allow-credentials", v);
        }
        g.fetch(
            format!("credentialed preflight, ACAC {acn}"),
            Call::get().method("PUT").cred(C::Include),
            pf(p, ok().acao("{origin}").h("access-control-allow-credentials", "true")),
        );
    }
    g.fetch(
        "credentialed preflight, ACAO *",
        Call::get().method("PUT").cred(C::Include),
        pf(Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"), ok()),
    );
    // Repeated header lines are combined before parsing.
    g.fetch(
        "credentialed, ACAC sent twice",
        Call::get().cred(C::Include),
        api(ok()
            .acao("{origin}")
            .h("access-control-allow-credentials", "true")
            .h("access-control-allow-credentials", "true")),
    );
    g.fetch(
        "PUT, ACAM split over two lines",
        Call::get().method("PUT"),
        pf(
            Reply::new(204).acao("*").h("access-control-allow-methods", "GET").h("access-control-allow-methods", "PUT"),
            ok().acao("*"),
        ),
    );
    g.fetch(
        "x-a + x-b, ACAH split over two lines",
        Call::get().h("x-a", "1").h("x-b", "1"),
        pf(
            Reply::new(204).acao("*").h("access-control-allow-headers", "x-a").h("access-control-allow-headers", "X-B"),
            ok().acao("*"),
        ),
    );
    g.fetch(
        "ACEH split over two lines",
        Call::get(),
        api(ok()
            .acao("*")
            .h("x-a", "1")
            .h("x-b", "2")
            .h("access-control-expose-headers", "x-a")
            .h("access-control-expose-headers", "x-b")),
    );
    // Preflight passes, actual response fails.
    for (an, av) in [("missing", &[][..]), ("wrong", &["{api}"][..]), ("star", &["*"][..])] {
        let p = Reply::new(204).acao("*").h("access-control-allow-methods", "PUT");
        g.fetch(format!("preflight ok, actual ACAO {an}"), Call::get().method("PUT"), pf(p, with_acao(ok(), av)));
    }
    // Exposed headers.
    let resp = |aceh: Option<&str>| {
        let mut r = ok()
            .acao("{origin}")
            .h("access-control-allow-credentials", "true")
            .h("x-a", "1")
            .h("x-b", "2")
            .h("set-cookie", "s=1")
            .h("cache-control", "no-store")
            .h("x-a", "3");
        if let Some(v) = aceh {
            r = r.h("access-control-expose-headers", v);
        }
        r
    };
    for aceh in [
        None,
        Some("x-a"),
        Some("X-A, x-b"),
        Some("*"),
        Some("x-a, b c"),
        Some("set-cookie, x-b"),
        Some(" , x-b,"),
        Some("date"),
    ] {
        for (cn, c) in [("omit", C::Omit), ("include", C::Include)] {
            g.fetch(format!("ACEH {aceh:?}, credentials {cn}"), Call::get().cred(c), api(resp(aceh)));
        }
        g.add(format!("XHR ACEH {aceh:?}"), Initiator::Xhr, vec![Call::get()], api(resp(aceh)));
    }
    // Same-origin: no CORS; every header but Set-Cookie is readable.
    let same = |actual: Reply| vec![hop(Host::Page, Reply::new(404), actual)];
    g.fetch("same-origin GET, no CORS headers", Call::get(), same(ok().h("x-a", "1").h("set-cookie", "s=1")));
    g.fetch("same-origin PUT with custom header, no preflight", Call::get().method("PUT").h("x-a", "1"), same(ok()));
    g.fetch(
        "mode same-origin to a cross-origin URL",
        Call { mode: Some(RequestMode::SameOrigin), ..Call::get() },
        api(ok().acao("*")),
    );
    g.fetch(
        "mode no-cors cross-origin",
        Call { mode: Some(RequestMode::NoCors), ..Call::get() },
        api(ok().h("x-a", "1")),
    );
    g.fetch(
        "mode no-cors with redirect error",
        Call { mode: Some(RequestMode::NoCors), redirect: RedirectMode::Error, ..Call::get() },
        api(ok()),
    );
    // Redirects.
    let redirect_to = |n: usize| Reply::new(302).h("location", &format!("{{hop{n}}}"));
    let r = |host: Host, actual: Reply| hop(host, Reply::new(204).acao("*"), actual);
    g.fetch(
        "cross 302 (ACAO *) -> same cross origin",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api, ok().acao("{origin}"))],
    );
    g.fetch("cross 302 without ACAO", Call::get(), vec![r(Host::Api, redirect_to(1)), r(Host::Api, ok().acao("*"))]);
    g.fetch(
        "cross 302 -> other origin, final ACAO origin (tainted)",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api2, ok().acao("{origin}"))],
    );
    g.fetch(
        "cross 302 -> other origin, final ACAO null",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api2, ok().acao("null"))],
    );
    g.fetch(
        "cross 302 -> other origin, final ACAO *",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api2, ok().acao("*"))],
    );
    g.fetch(
        "cross 302 -> 127.0.0.1:Q, final ACAO *",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api3, ok().acao("*"))],
    );
    g.fetch(
        "cross 302 -> page origin, final ACAO origin (tainted)",
        Call::get(),
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Page, ok().acao("{origin}"))],
    );
    g.fetch(
        "same-origin 302 -> cross, no CORS on first hop",
        Call::get(),
        vec![r(Host::Page, redirect_to(1)), r(Host::Api, ok().acao("{origin}"))],
    );
    g.fetch(
        "same-origin 302 -> cross without ACAO",
        Call::get(),
        vec![r(Host::Page, redirect_to(1)), r(Host::Api, ok())],
    );
    g.fetch(
        "cross 302 -> URL with credentials",
        Call::get(),
        vec![r(Host::Api, Reply::new(302).acao("*").h("location", "{credhop1}")), r(Host::Api, ok().acao("*"))],
    );
    g.fetch(
        "same-origin 302 -> cross URL with credentials",
        Call::get(),
        vec![r(Host::Page, Reply::new(302).h("location", "{credhop1}")), r(Host::Api, ok().acao("*"))],
    );
    g.fetch(
        "redirect mode error",
        Call { redirect: RedirectMode::Error, ..Call::get() },
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api, ok().acao("*"))],
    );
    g.fetch(
        "redirect mode manual",
        Call { redirect: RedirectMode::Manual, ..Call::get() },
        vec![r(Host::Api, redirect_to(1).acao("*")), r(Host::Api, ok().acao("*"))],
    );
    g.fetch(
        "PUT preflighted, 307 -> new preflight",
        Call::get().method("PUT").body("x"),
        vec![
            r(Host::Api, Reply::new(307).acao("*").h("location", "{hop1}")),
            hop(Host::Api2, Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"), ok().acao("*")),
        ],
    );
    g.fetch(
        "PUT preflighted, 307 -> second preflight fails",
        Call::get().method("PUT").body("x"),
        vec![
            hop(
                Host::Api,
                Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"),
                Reply::new(307).acao("*").h("location", "{hop1}"),
            ),
            hop(Host::Api2, Reply::new(204).acao("*"), ok().acao("*")),
        ],
    );
    g.fetch(
        "POST+x-a, 303 -> GET still needs x-a preflight",
        Call::get().method("POST").body("x").h("x-a", "1"),
        vec![
            hop(
                Host::Api,
                Reply::new(204).acao("*").h("access-control-allow-headers", "x-a"),
                Reply::new(303).acao("*").h("location", "{hop1}"),
            ),
            hop(Host::Api, Reply::new(204).acao("*").h("access-control-allow-headers", "x-a"), ok().acao("*")),
        ],
    );
    g.fetch(
        "PUT 301 keeps method",
        Call::get().method("PUT").body("x"),
        vec![
            hop(
                Host::Api,
                Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"),
                Reply::new(301).acao("*").h("location", "{hop1}"),
            ),
            hop(Host::Api, Reply::new(204).acao("*"), ok().acao("*")),
        ],
    );
    g.fetch(
        "credentialed redirect tainted, final ACAO null + ACAC",
        Call::get().cred(C::Include),
        vec![
            r(Host::Api, redirect_to(1).acao("{origin}").h("access-control-allow-credentials", "true")),
            r(Host::Api2, ok().acao("null").h("access-control-allow-credentials", "true")),
        ],
    );
    g.fetch(
        "preflight after taint sends Origin null",
        Call::get().method("PUT"),
        vec![
            hop(
                Host::Api,
                Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"),
                Reply::new(307).acao("*").h("location", "{hop1}"),
            ),
            hop(Host::Api2, Reply::new(204).acao("{origin}").h("access-control-allow-methods", "PUT"), ok().acao("*")),
        ],
    );
    g.fetch(
        "mode no-cors, cross 302 -> page origin stays opaque",
        Call { mode: Some(RequestMode::NoCors), ..Call::get() },
        vec![r(Host::Api, redirect_to(1)), r(Host::Page, ok().h("x-a", "1"))],
    );
    g.fetch(
        "mode no-cors, same-origin 302 -> cross",
        Call { mode: Some(RequestMode::NoCors), ..Call::get() },
        vec![r(Host::Page, redirect_to(1)), r(Host::Api, ok().h("x-a", "1"))],
    );
    g.fetch(
        "mode same-origin, same-origin URL redirected cross-origin",
        Call { mode: Some(RequestMode::SameOrigin), ..Call::get() },
        vec![r(Host::Page, redirect_to(1)), r(Host::Api, ok().acao("*"))],
    );
    // XHR preflights and upload listeners (the use-CORS-preflight flag).
    for (name, call, p) in [
        ("XHR PUT, preflight without ACAM", Call::get().method("PUT").body("x"), Reply::new(204).acao("*")),
        ("XHR PUT, preflight 500", Call::get().method("PUT").body("x"), Reply::new(500).acao("*")),
        (
            "XHR x-a, preflight ACAH x-a",
            Call::get().h("x-a", "1"),
            Reply::new(204).acao("*").h("access-control-allow-headers", "x-a"),
        ),
        (
            "XHR credentialed PUT, preflight ACAO *",
            Call::get().method("PUT").body("x").cred(C::Include),
            Reply::new(204).acao("*").h("access-control-allow-methods", "PUT"),
        ),
        (
            "XHR POST with upload listener, preflight ok",
            Call { upload: true, ..Call::get().method("POST").body("x") },
            Reply::new(204).acao("*"),
        ),
        (
            "XHR POST with upload listener, preflight without ACAO",
            Call { upload: true, ..Call::get().method("POST").body("x") },
            Reply::new(204),
        ),
        ("XHR GET with upload listener (no body)", Call { upload: true, ..Call::get() }, Reply::new(204)),
        ("XHR GET with a body (ignored)", Call::get().body("x"), Reply::new(204)),
        ("XHR GET with a body and an upload listener", Call { upload: true, ..Call::get().body("x") }, Reply::new(204)),
        (
            "XHR POST with a blob body",
            Call { body_kind: "blob:application/json", ..Call::get().method("POST").body("x") },
            Reply::new(204).acao("*"),
        ),
    ] {
        g.add(name, Initiator::Xhr, vec![call], pf(p, ok().acao("*")));
    }
    // Preflight cache sequences (one URL per case).
    let put = || Call::get().method("PUT");
    let pfa = |max_age: Option<&str>| {
        let mut p = Reply::new(204)
            .acao("{origin}")
            .h("access-control-allow-methods", "PUT")
            .h("access-control-allow-headers", "x-a");
        if let Some(m) = max_age {
            p = p.h("access-control-max-age", m);
        }
        p
    };
    let seq = |p: Vec<Reply>| vec![Hop { host: Host::Api, preflight: p, actual: ok().acao("{origin}") }];
    for (ma, name) in [
        (None, "default"),
        (Some("0"), "0"),
        (Some("-1"), "-1"),
        (Some("600"), "600"),
        (Some("1.5"), "1.5"),
        (Some("abc"), "abc"),
        (Some("99999"), "99999"),
    ] {
        g.add(format!("cache: max-age {name}, two PUTs"), Initiator::Fetch, vec![put(), put()], seq(vec![pfa(ma)]));
    }
    for (ma, name) in [
        (" 60 ", "padded 60"),
        ("+60", "+60"),
        ("60, 60", "duplicated"),
        ("0x10", "hex"),
        ("1e3", "exponent"),
        ("99999999999999999999", "overflowing"),
    ] {
        g.add(
            format!("cache: max-age {name}, two PUTs"),
            Initiator::Fetch,
            vec![put(), put()],
            seq(vec![pfa(Some(ma))]),
        );
    }
    g.add("cache: max-age 1, wait 2.5 s", Initiator::Fetch, vec![put(), put().delay(2500)], seq(vec![pfa(Some("1"))]));
    g.add(
        "cache: default 5 s expires after 6 s",
        Initiator::Fetch,
        vec![put(), put().delay(6000)],
        seq(vec![pfa(None)]),
    );
    g.add(
        "cache: max-age 10 survives 2.5 s",
        Initiator::Fetch,
        vec![put(), put().delay(2500)],
        seq(vec![pfa(Some("10"))]),
    );
    let pfh = |h: &str| {
        Reply::new(204)
            .acao("{origin}")
            .h("access-control-allow-methods", "PUT")
            .h("access-control-allow-headers", h)
            .h("access-control-max-age", "60")
    };
    g.add(
        "cache: A then B then A (entry replaced)",
        Initiator::Fetch,
        vec![put().h("x-a", "1"), put().h("x-b", "1"), put().h("x-a", "1")],
        seq(vec![pfh("x-a"), pfh("x-b"), pfh("x-a")]),
    );
    g.add(
        "cache: header values do not matter",
        Initiator::Fetch,
        vec![put().h("x-a", "1"), put().h("x-a", "2")],
        seq(vec![pfh("x-a")]),
    );
    g.add(
        "cache: method not in entry",
        Initiator::Fetch,
        vec![put(), Call::get().method("DELETE")],
        seq(vec![pfh("x-a"), pfh("x-a").h("access-control-allow-methods", "DELETE")]),
    );
    let pfc = || {
        Reply::new(204)
            .acao("{origin}")
            .h("access-control-allow-credentials", "true")
            .h("access-control-allow-methods", "PUT")
            .h("access-control-max-age", "60")
    };
    let credseq = vec![Hop {
        host: Host::Api,
        preflight: vec![pfc()],
        actual: ok().acao("{origin}").h("access-control-allow-credentials", "true"),
    }];
    g.add(
        "cache: credentialed entry serves omit",
        Initiator::Fetch,
        vec![put().cred(C::Include), put().cred(C::Omit)],
        credseq.clone(),
    );
    g.add(
        "cache: omit entry does not serve include",
        Initiator::Fetch,
        vec![put().cred(C::Omit), put().cred(C::Include)],
        credseq,
    );
    g.add(
        "cache: failed preflight then success",
        Initiator::Fetch,
        vec![put(), put()],
        seq(vec![Reply::new(500).acao("{origin}"), pfa(Some("60"))]),
    );
    // fetch's cache mode also governs the preflight cache.
    let cached = |c: &'static str| Call { cache: Some(c), ..put() };
    for (name, calls) in [
        ("no-store twice", vec![cached("no-store"), cached("no-store")]),
        ("no-store then default", vec![cached("no-store"), put()]),
        ("reload then default", vec![cached("reload"), put()]),
        ("default then no-cache", vec![put(), cached("no-cache")]),
        ("default then force-cache", vec![put(), cached("force-cache")]),
    ] {
        g.add(format!("cache mode: {name}"), Initiator::Fetch, calls, seq(vec![pfa(Some("60"))]));
    }
    // Bodies imply a Content-Type (or none).
    for kind in
        ["text", "params", "form", "bytes", "blob:", "blob:application/json", "blob:text/plain", "blob:image/png"]
    {
        let call = Call { body_kind: kind, ..Call::get().method("POST").body("x") };
        g.fetch(
            format!("POST with a {kind} body, no ACAH"),
            call.clone(),
            pf(Reply::new(204).acao("*"), ok().acao("*")),
        );
        g.fetch(
            format!("POST with a {kind} body and an explicit text/plain"),
            call.h("content-type", "text/plain"),
            pf(Reply::new(204).acao("*"), ok().acao("*")),
        );
    }
    g.fetch(
        "TypeError: no-cors stream body",
        Call { body_kind: "stream", mode: Some(RequestMode::NoCors), ..Call::get().method("POST").body("x") },
        api(ok().acao("*")),
    );
    // A stream body sets the use-CORS-preflight flag: a POST without unsafe
    // headers is preflighted all the same.
    g.fetch(
        "stream body forces a preflight",
        Call { body_kind: "stream", ..Call::get().method("POST").body("x") },
        pf(Reply::new(204).acao("*"), ok().acao("*")),
    );
    g.fetch(
        "stream body, preflight without ACAO",
        Call { body_kind: "stream", ..Call::get().method("POST").body("x") },
        pf(Reply::new(204), ok().acao("*")),
    );
    // Queries and fragments: the fragment is never sent and the preflight
    // cache is keyed by the URL.
    let sfx = |c: Call, s: &'static str| Call { suffix: s, ..c };
    g.fetch("GET with a fragment, no ACAO", sfx(Call::get(), "#frag"), api(ok()));
    g.fetch(
        "PUT with a query and a fragment, preflight fails",
        sfx(put(), "?a=1&b=%20#frag"),
        pf(Reply::new(204).acao("*"), ok().acao("*")),
    );
    g.add(
        "cache: fragments share an entry",
        Initiator::Fetch,
        vec![sfx(put(), "#one"), sfx(put(), "#two")],
        seq(vec![pfa(Some("60"))]),
    );
    // Chromium does not cache preflights for URLs of 1024 bytes or more.
    const LONG_QUERY: &str = concat!("?q=", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    g.add(
        "cache: a URL over 1024 bytes is never cached",
        Initiator::Fetch,
        vec![sfx(put(), LONG_QUERY), sfx(put(), LONG_QUERY)],
        seq(vec![pfa(Some("60"))]),
    );
    g.add(
        "cache: a URL just under 1024 bytes is cached",
        Initiator::Fetch,
        vec![sfx(put(), &LONG_QUERY[..900]), sfx(put(), &LONG_QUERY[..900])],
        seq(vec![pfa(Some("60"))]),
    );
    g.add(
        "cache: queries do not share an entry",
        Initiator::Fetch,
        vec![sfx(put(), "?one"), sfx(put(), "?two")],
        seq(vec![pfa(Some("60"))]),
    );
    // Elements.
    for (init, name) in [(Initiator::Image, "img"), (Initiator::Script, "script")] {
        for (co, cname) in
            [(None, "no crossorigin"), (Some("anonymous"), "crossorigin"), (Some("use-credentials"), "use-credentials")]
        {
            for (an, av) in [("missing", &[][..]), ("star", &["*"][..]), ("exact+acac", &["{origin}"][..])] {
                let mut a = with_acao(ok(), av);
                if an == "exact+acac" {
                    a = a.h("access-control-allow-credentials", "true");
                }
                g.add(
                    format!("<{name}> {cname}, ACAO {an}"),
                    init,
                    vec![Call { crossorigin: co, ..Call::get() }],
                    api(a),
                );
            }
        }
    }
    for (init, name, cos) in [
        (Initiator::ModuleScript, "module script", &[None, Some("use-credentials")][..]),
        (Initiator::Stylesheet, "stylesheet", &[None, Some("anonymous"), Some("use-credentials")][..]),
        (Initiator::Font, "font", &[None][..]),
        (Initiator::Video, "video", &[None, Some("anonymous"), Some("use-credentials")][..]),
    ] {
        for co in cos {
            for (an, av) in [
                ("missing", &[][..]),
                ("star", &["*"][..]),
                ("wrong", &["{api}"][..]),
                ("exact+acac", &["{origin}"][..]),
            ] {
                let mut a = with_acao(ok(), av);
                if an == "exact+acac" {
                    a = a.h("access-control-allow-credentials", "true");
                }
                g.add(
                    format!("{name} crossorigin={co:?}, ACAO {an}"),
                    init,
                    vec![Call { crossorigin: *co, ..Call::get() }],
                    api(a),
                );
            }
        }
    }
    // TypeErrors thrown before anything is sent.
    for (name, call) in [
        ("forbidden method CONNECT", Call::get().method("CONNECT")),
        ("forbidden method track", Call::get().method("track")),
        ("invalid method", Call::get().method("GET POST")),
        ("GET with a body", Call::get().body("x")),
        ("HEAD with a body", Call::get().method("HEAD").body("x")),
        ("no-cors PUT", Call { mode: Some(RequestMode::NoCors), ..Call::get().method("PUT").body("x") }),
        ("invalid header name", Call::get().h("bad name", "1")),
        ("invalid header value", Call::get().h("x-a", "a\nb")),
        ("URL with credentials", Call { userinfo: true, ..Call::get() }),
    ] {
        g.fetch(format!("TypeError: {name}"), call, api(ok().acao("*")));
    }
    for (name, call) in [
        ("forbidden method TRACE", Call::get().method("TRACE")),
        ("invalid method", Call::get().method("GET POST")),
        ("invalid header name", Call::get().h("bad name", "1")),
        ("invalid header value", Call::get().h("x-a", "a\nb")),
    ] {
        g.add(format!("XHR exception: {name}"), Initiator::Xhr, vec![call], api(ok().acao("*")));
    }
    g.add(
        "XHR strips credentials from the URL",
        Initiator::Xhr,
        vec![Call { userinfo: true, ..Call::get() }],
        api(ok().acao("*")),
    );
    // From an opaque origin (a sandboxed iframe): Origin is `null`, only
    // `null` or `*` grant access, and even the page's own server is cross-origin.
    for (an, av) in [
        ("null", &["null"][..]),
        ("star", &["*"][..]),
        ("page origin", &["{origin}"][..]),
        ("missing", &[][..]),
        ("null twice", &["null", "null"][..]),
    ] {
        g.opaque(
            format!("opaque origin, GET, ACAO {an}"),
            Initiator::Fetch,
            Call::get(),
            api(with_acao(ok().h("x-a", "1").h("access-control-expose-headers", "x-a"), av)),
        );
        g.opaque(format!("opaque origin, XHR, ACAO {an}"), Initiator::Xhr, Call::get(), api(with_acao(ok(), av)));
    }
    g.opaque(
        "opaque origin, include, ACAO null + ACAC",
        Initiator::Fetch,
        Call::get().cred(C::Include),
        api(ok().acao("null").h("access-control-allow-credentials", "true")),
    );
    g.opaque("opaque origin, include, ACAO *", Initiator::Fetch, Call::get().cred(C::Include), api(ok().acao("*")));
    g.opaque(
        "opaque origin, PUT, preflight ACAO null",
        Initiator::Fetch,
        Call::get().method("PUT"),
        pf(Reply::new(204).acao("null").h("access-control-allow-methods", "PUT"), ok().acao("null")),
    );
    g.opaque(
        "opaque origin, PUT, preflight ACAO page origin",
        Initiator::Fetch,
        Call::get().method("PUT"),
        pf(Reply::new(204).acao("{origin}").h("access-control-allow-methods", "PUT"), ok().acao("null")),
    );
    g.opaque(
        "opaque origin, page's own server, no CORS headers",
        Initiator::Fetch,
        Call::get(),
        vec![hop(Host::Page, Reply::new(204), ok())],
    );
    g.opaque(
        "opaque origin, page's own server, ACAO null",
        Initiator::Fetch,
        Call::get(),
        vec![hop(Host::Page, Reply::new(204), ok().acao("null"))],
    );
    g.cases
}
