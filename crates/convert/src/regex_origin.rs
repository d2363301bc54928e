//! Origin (and path) regular expressions translated into crossgate's
//! grammar, exactly when the regex means the same set of origins browsers
//! can send, or as the closest narrower-or-equal set otherwise — with the
//! origins that differ, each checked against both matchers: the regex by
//! the `regex` crate with the framework's anchoring, crossgate's pattern by
//! the engine itself.

use crossgate_core::{Outcome, Policy, PolicyConfig, RuleConfig};

/// How a framework applies an origin regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchoring {
    /// Python's `re.match`: anchored at the start only (django-cors-headers, flask-cors).
    Start,
    /// The whole value must match: Python's `re.fullmatch` (Starlette), RE2 in Envoy.
    Full,
    /// Anywhere in the value: JavaScript's `RegExp.test` (Express), nginx's `~`.
    Search,
}

impl Anchoring {
    fn describe(self) -> &'static str {
        match self {
            Anchoring::Start => "matched from the start only (`re.match`)",
            Anchoring::Full => "matched whole",
            Anchoring::Search => "matched anywhere in the origin",
        }
    }
}

/// The translation of one regex.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Translation {
    /// The closest crossgate patterns.
    pub(crate) patterns: Vec<String>,
    /// Whether the patterns allow exactly what the regex allows (of the
    /// origins browsers send).
    pub(crate) exact: bool,
    /// Why not, in words.
    pub(crate) reasons: Vec<String>,
    /// Origins that behave differently, checked by both matchers.
    pub(crate) differs: Vec<String>,
    /// Whether the regex matches more than intended because it is not
    /// anchored at its end (or start, for `Search`).
    pub(crate) unanchored: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Lit(char),
    Class(Set),
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, u32, Option<u32>),
    Start,
    End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Set {
    any: bool,
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Set {
    fn contains(&self, c: char) -> bool {
        if self.any {
            return c != '\n';
        }
        self.ranges.iter().any(|&(a, b)| a <= c && c <= b) != self.negated
    }
    fn digits() -> Set {
        Set { any: false, negated: false, ranges: vec![('0', '9')] }
    }
    fn word() -> Set {
        Set { any: false, negated: false, ranges: vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')] }
    }
    fn is_digits(&self) -> bool {
        !self.any && !self.negated && self.ranges == [('0', '9')]
    }
    /// Covers every character of a DNS label (`a-z`, `0-9`, `-`).
    fn covers_label(&self) -> bool {
        ('a'..='z').chain('0'..='9').chain(['-']).all(|c| self.contains(c))
    }
}

struct P<'a> {
    s: &'a [char],
    i: usize,
}

fn parse(src: &str) -> Result<Vec<Vec<Node>>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut p = P { s: &chars, i: 0 };
    let alts = p.alternation()?;
    if p.i < chars.len() {
        return Err(format!("unexpected `{}`", chars[p.i]));
    }
    Ok(alts)
}

impl P<'_> {
    fn alternation(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alts = vec![self.sequence()?];
        while self.s.get(self.i) == Some(&'|') {
            self.i += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut seq = Vec::new();
        while let Some(&c) = self.s.get(self.i) {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantifier(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn quantifier(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.s.get(self.i) {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                let close = self.s[self.i..].iter().position(|&c| c == '}').ok_or("a `{` is never closed")?;
                let body: String = self.s[self.i + 1..self.i + close].iter().collect();
                let (a, b) = match body.split_once(',') {
                    None => (body.trim().parse().ok(), Some(body.trim().parse().ok())),
                    Some((a, b)) if b.trim().is_empty() => (a.trim().parse().ok(), None),
                    Some((a, b)) => (a.trim().parse().ok(), Some(b.trim().parse().ok())),
                };
                let (Some(a), max) = (a, b) else { return Err(format!("a bad repetition `{{{body}}}`")) };
                let max = match max {
                    None => None,
                    Some(Some(m)) => Some(m),
                    Some(None) => return Err(format!("a bad repetition `{{{body}}}`")),
                };
                self.i += close;
                (a, max)
            }
            _ => return Ok(atom),
        };
        self.i += 1;
        // Lazy and possessive suffixes change nothing about the set matched.
        if matches!(self.s.get(self.i), Some('?' | '+')) {
            self.i += 1;
        }
        if matches!(atom, Node::Start | Node::End) {
            return Err("a quantified anchor".into());
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    fn atom(&mut self) -> Result<Node, String> {
        let c = self.s[self.i];
        self.i += 1;
        Ok(match c {
            '^' => Node::Start,
            '$' => Node::End,
            '.' => Node::Class(Set { any: true, negated: false, ranges: vec![] }),
            '(' => {
                if self.s.get(self.i) == Some(&'?') {
                    match self.s.get(self.i + 1) {
                        Some(':') => self.i += 2,
                        Some('P') if self.s.get(self.i + 2) == Some(&'<') => {
                            let close = self.s[self.i..].iter().position(|&c| c == '>').ok_or("bad group name")?;
                            self.i += close + 1;
                        }
                        Some('<') if !matches!(self.s.get(self.i + 2), Some('=' | '!')) => {
                            let close = self.s[self.i..].iter().position(|&c| c == '>').ok_or("bad group name")?;
                            self.i += close + 1;
                        }
                        _ => return Err("lookarounds and inline flags are not translated".into()),
                    }
                }
                let alts = self.alternation()?;
                if self.s.get(self.i) != Some(&')') {
                    return Err("a `(` is never closed".into());
                }
                self.i += 1;
                Node::Group(alts)
            }
            '[' => Node::Class(self.class()?),
            '\\' => {
                let Some(&e) = self.s.get(self.i) else { return Err("a trailing backslash".into()) };
                self.i += 1;
                match e {
                    'd' => Node::Class(Set::digits()),
                    'w' => Node::Class(Set::word()),
                    'A' => Node::Start,
                    'Z' | 'z' => Node::End,
                    'D' | 'W' | 's' | 'S' | 'b' | 'B' => return Err(format!("`\\{e}` is not translated")),
                    c if c.is_ascii_digit() => return Err("a backreference".into()),
                    c => Node::Lit(c),
                }
            }
            '*' | '+' | '?' | '{' => return Err(format!("a `{c}` with nothing to repeat")),
            c => Node::Lit(c),
        })
    }

    fn class(&mut self) -> Result<Set, String> {
        let mut set = Set { any: false, negated: false, ranges: Vec::new() };
        if self.s.get(self.i) == Some(&'^') {
            set.negated = true;
            self.i += 1;
        }
        let mut first = true;
        loop {
            let Some(&c) = self.s.get(self.i) else { return Err("a `[` is never closed".into()) };
            self.i += 1;
            if c == ']' && !first {
                return Ok(set);
            }
            first = false;
            let lo = if c == '\\' {
                let Some(&e) = self.s.get(self.i) else { return Err("a trailing backslash".into()) };
                self.i += 1;
                match e {
                    'd' => {
                        set.ranges.push(('0', '9'));
                        continue;
                    }
                    'w' => {
                        set.ranges.extend(Set::word().ranges);
                        continue;
                    }
                    's' | 'S' | 'D' | 'W' => return Err(format!("`\\{e}` in a class is not translated")),
                    e => e,
                }
            } else {
                c
            };
            if self.s.get(self.i) == Some(&'-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                let hi = self.s[self.i + 1];
                self.i += 2;
                let hi = if hi == '\\' {
                    let h = *self.s.get(self.i).ok_or("a trailing backslash")?;
                    self.i += 1;
                    h
                } else {
                    hi
                };
                set.ranges.push((lo, hi));
            } else {
                set.ranges.push((lo, lo));
            }
        }
    }
}

/// A linear piece of a regex after alternations and optional parts are
/// spelled out.
#[derive(Clone, Debug, PartialEq)]
enum Atom {
    Lit(char),
    Class(Set, u32, Option<u32>),
    /// A repeated group of literal-and-class atoms, e.g. `([a-z0-9-]+\.)+`.
    GroupRep(Vec<Atom>, u32),
    Start,
    End,
}

const MAX_VARIANTS: usize = 64;

fn expand_seq(seq: &[Node]) -> Result<Vec<Vec<Atom>>, String> {
    let mut out: Vec<Vec<Atom>> = vec![Vec::new()];
    for node in seq {
        let options = expand_node(node)?;
        let mut next = Vec::new();
        for prefix in &out {
            for o in &options {
                let mut v = prefix.clone();
                v.extend(o.iter().cloned());
                next.push(v);
            }
        }
        if next.len() > MAX_VARIANTS {
            return Err("too many alternatives to spell out".into());
        }
        out = next;
    }
    Ok(out)
}

fn expand_node(node: &Node) -> Result<Vec<Vec<Atom>>, String> {
    Ok(match node {
        Node::Lit(c) => vec![vec![Atom::Lit(*c)]],
        Node::Class(s) => vec![vec![Atom::Class(s.clone(), 1, Some(1))]],
        Node::Start => vec![vec![Atom::Start]],
        Node::End => vec![vec![Atom::End]],
        Node::Group(alts) => {
            let mut v = Vec::new();
            for a in alts {
                v.extend(expand_seq(a)?);
            }
            v
        }
        Node::Repeat(inner, min, max) => match (&**inner, *min, *max) {
            (inner, 1, Some(1)) => expand_node(inner)?,
            (Node::Class(s), min, max) => vec![vec![Atom::Class(s.clone(), min, max)]],
            (inner, 0, Some(1)) => {
                let mut v = vec![Vec::new()];
                v.extend(expand_node(inner)?);
                v
            }
            (Node::Lit(c), min, max) => {
                vec![vec![Atom::Class(Set { any: false, negated: false, ranges: vec![(*c, *c)] }, min, max)]]
            }
            (Node::Group(_), min, None) => {
                let body = expand_node(inner)?;
                let [body] = body.as_slice() else {
                    return Err("a repeated group with alternatives".into());
                };
                if body.iter().any(|a| matches!(a, Atom::GroupRep(..) | Atom::Start | Atom::End)) {
                    return Err("a nested repetition".into());
                }
                let rep = vec![Atom::GroupRep(body.clone(), min.max(1))];
                if min == 0 {
                    vec![Vec::new(), rep]
                } else {
                    vec![rep]
                }
            }
            _ => return Err("a bounded repetition of a group".into()),
        },
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Sub {
    None,
    /// `([a-z0-9-]+\.)+` or `.*\.`: one or more labels — crossgate's `*.`.
    AnyLabels,
    /// `[a-z0-9-]+\.`: exactly one label.
    OneLabel,
    /// `.*` straight before the domain: `evilexample.com` matches too.
    NoDot,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Port {
    None,
    Exact(String),
    /// `:\d+`: a port is required.
    Digits,
}

#[derive(Clone, Debug)]
struct Shape {
    scheme: Option<String>,
    sub: Sub,
    host: String,
    port: Port,
    exact: bool,
    reasons: Vec<String>,
}

fn classify(seq: &[Atom], anchoring: Anchoring, ignore_case: bool) -> Result<Shape, String> {
    let mut atoms: Vec<Atom> = seq.to_vec();
    let mut start = anchoring != Anchoring::Search;
    let mut end = anchoring == Anchoring::Full;
    let mut reasons = Vec::new();
    if atoms.first() == Some(&Atom::Start) {
        atoms.remove(0);
        start = true;
    }
    if atoms.last() == Some(&Atom::End) {
        atoms.pop();
        end = true;
    }
    if atoms.iter().any(|a| matches!(a, Atom::Start | Atom::End)) {
        return Err("an anchor in the middle".into());
    }
    // A trailing `.*` means "anything after": the same as no end anchor.
    while matches!(atoms.last(), Some(Atom::Class(s, 0, None)) if s.any) {
        atoms.pop();
        end = false;
    }
    let lower = |c: char| if ignore_case { c.to_ascii_lowercase() } else { c };
    let mut i = 0;
    // The scheme, when written.
    let text: String = atoms.iter().map_while(|a| if let Atom::Lit(c) = a { Some(lower(*c)) } else { None }).collect();
    let scheme = match text.find("://") {
        Some(at) => {
            let s = text[..at].to_owned();
            i = at + 3;
            if s != "http" && s != "https" {
                return Err(format!("the scheme `{s}` is not one browsers send tuple origins for"));
            }
            Some(s)
        }
        None => {
            if !start {
                reasons.push("it names no scheme, so any scheme matches".into());
            }
            None
        }
    };
    let _ = start;
    let mut exact = true;
    // The subdomain part.
    let mut sub = Sub::None;
    match (atoms.get(i), atoms.get(i + 1)) {
        (Some(Atom::Class(s, _, None)), Some(Atom::Lit('.'))) if s.any || s.contains('.') => {
            sub = Sub::AnyLabels;
            i += 2;
        }
        (Some(Atom::Class(s, m, None)), Some(Atom::Lit('.'))) if *m >= 1 => {
            sub = Sub::OneLabel;
            if !s.covers_label() {
                reasons.push("its label class leaves out characters of host names (`-` or digits)".into());
            }
            exact = false;
            reasons.push("it allows exactly one subdomain label; crossgate's `*.` allows one or more".into());
            i += 2;
        }
        (Some(Atom::GroupRep(body, _)), _) => {
            let label = matches!(body.as_slice(), [Atom::Class(s, m, None), Atom::Lit('.')] if *m >= 1 && !s.contains('.') && s.covers_label());
            let labelish = matches!(body.as_slice(), [Atom::Class(_, m, None), Atom::Lit('.')] if *m >= 1);
            if !labelish {
                return Err("a repeated group that is not `(label\\.)+`".into());
            }
            if !label {
                exact = false;
                reasons.push("its label class leaves out characters of host names (`-` or digits)".into());
            }
            sub = Sub::AnyLabels;
            i += 1;
        }
        (Some(Atom::Class(s, _, None)), Some(Atom::Lit(_))) if s.any || s.contains('.') => {
            sub = Sub::NoDot;
            exact = false;
            reasons.push("a wildcard runs straight into the domain, so `evil` + the domain matches too".into());
            i += 1;
        }
        _ => {}
    }
    // The host.
    let mut host = String::new();
    while let Some(a) = atoms.get(i) {
        match a {
            Atom::Lit(':') => break,
            Atom::Lit(c) if c.is_ascii_alphanumeric() || *c == '-' || *c == '.' || *c == '_' => host.push(lower(*c)),
            Atom::Class(s, 1, Some(1)) if s.any => {
                host.push('.');
                exact = false;
                reasons.push("an unescaped `.` matches any character, not only a dot".into());
            }
            _ => return Err("a wildcard inside the host name".into()),
        }
        i += 1;
    }
    if host.is_empty() || host.starts_with('.') || host.ends_with('.') {
        return Err("no fixed host name".into());
    }
    // The port.
    let mut port = Port::None;
    if atoms.get(i) == Some(&Atom::Lit(':')) {
        i += 1;
        let digits: String =
            atoms[i..].iter().map_while(|a| if let Atom::Lit(c @ '0'..='9') = a { Some(*c) } else { None }).collect();
        if !digits.is_empty() {
            i += digits.len();
            port = Port::Exact(digits);
        } else if let Some(Atom::Class(s, min, max)) = atoms.get(i) {
            if !s.is_digits() || *min == 0 {
                return Err("a port pattern other than digits".into());
            }
            if !(*min == 1 && max.map_or(true, |m| m >= 5)) {
                exact = false;
                reasons.push("it allows only ports of some lengths".into());
            }
            port = Port::Digits;
            i += 1;
        } else {
            return Err("a port pattern other than digits".into());
        }
    }
    if i < atoms.len() {
        return Err("something after the host and port".into());
    }
    if !end {
        exact = false;
        reasons.push("it has no `$`, so longer origins (`….evil.com`) match too".into());
    }
    Ok(Shape { scheme, sub, host, port, exact, reasons })
}

/// Translates an origin regex.
pub(crate) fn translate(source: &str, ignore_case: bool, anchoring: Anchoring) -> Result<Translation, String> {
    let alts = parse(source)?;
    let mut seqs = Vec::new();
    for a in &alts {
        seqs.extend(expand_seq(a)?);
        if seqs.len() > MAX_VARIANTS {
            return Err("too many alternatives to spell out".into());
        }
    }
    let mut shapes = Vec::new();
    for s in &seqs {
        shapes.push(classify(s, anchoring, ignore_case)?);
    }
    let mut t = Translation { exact: true, ..Default::default() };
    let ends_open = source.ends_with(".*") || (!source.ends_with('$') && anchoring != Anchoring::Full);
    t.unanchored = ends_open || (anchoring == Anchoring::Search && !source.starts_with('^'));
    for sh in &shapes {
        let schemes: Vec<String> = match &sh.scheme {
            Some(s) => vec![s.clone()],
            None => vec!["https".into()],
        };
        if sh.scheme.is_none() {
            t.exact = false;
        }
        let mut exact = sh.exact;
        let port = match &sh.port {
            Port::None => String::new(),
            Port::Exact(p) => format!(":{p}"),
            Port::Digits => {
                // `:*` also matches no port at all; exact only if the regex has that variant too.
                let also_bare = shapes
                    .iter()
                    .any(|o| o.scheme == sh.scheme && o.sub == sh.sub && o.host == sh.host && o.port == Port::None);
                if !also_bare {
                    exact = false;
                    t.reasons.push("it requires a port; crossgate's `:*` also allows the origin without one".into());
                }
                ":*".into()
            }
        };
        for scheme in schemes {
            let mut push = |p: String| {
                if !t.patterns.contains(&p) {
                    t.patterns.push(p);
                }
            };
            match sh.sub {
                Sub::None => push(format!("{scheme}://{}{port}", sh.host)),
                Sub::AnyLabels | Sub::OneLabel => push(format!("{scheme}://*.{}{port}", sh.host)),
                Sub::NoDot => {
                    push(format!("{scheme}://{}{port}", sh.host));
                    push(format!("{scheme}://*.{}{port}", sh.host));
                }
            }
        }
        if !exact {
            t.exact = false;
        }
        for r in &sh.reasons {
            if !t.reasons.contains(r) {
                t.reasons.push(r.clone());
            }
        }
    }
    // A `Port::Digits` shape merged with its bare twin: drop the bare one.
    let starred: Vec<String> = t.patterns.iter().filter_map(|p| p.strip_suffix(":*").map(str::to_owned)).collect();
    t.patterns.retain(|p| !starred.contains(p));
    // Check with both matchers.
    let probes = probes(&shapes);
    let re = compile(source, ignore_case, anchoring).map_err(|e| format!("not a valid regular expression: {e}"))?;
    for origin in probes {
        let by_regex = re.is_match(&origin);
        let by_crossgate = crossgate_allows(&t.patterns, &origin);
        if by_regex != by_crossgate {
            let line = if by_regex {
                format!("{origin}: the regex allows it, crossgate's patterns do not")
            } else {
                format!("{origin}: crossgate's patterns allow it, the regex does not")
            };
            if !t.differs.contains(&line) {
                t.differs.push(line);
            }
            t.exact = false;
        }
    }
    if !t.exact && t.reasons.is_empty() {
        t.reasons.push(format!("it is {}", anchoring.describe()));
    }
    Ok(t)
}

/// The regex as the framework runs it.
pub(crate) fn compile(source: &str, ignore_case: bool, anchoring: Anchoring) -> Result<regex::Regex, regex::Error> {
    let flags = if ignore_case { "(?i)" } else { "" };
    let pattern = match anchoring {
        Anchoring::Start => format!("{flags}^(?:{source})"),
        Anchoring::Full => format!("{flags}^(?:{source})$"),
        Anchoring::Search => format!("{flags}(?:{source})"),
    };
    // Python's `$` also matches before a final newline; origins have none.
    regex::Regex::new(&pattern)
}

fn probes(shapes: &[Shape]) -> Vec<String> {
    let mut out = Vec::new();
    for sh in shapes {
        let schemes: Vec<&str> = match sh.scheme.as_deref() {
            Some("http") => vec!["http", "https"],
            _ => vec!["https", "http"],
        };
        let h = &sh.host;
        let mut hosts = vec![
            h.clone(),
            format!("app.{h}"),
            format!("a.b.{h}"),
            format!("my-app.{h}"),
            format!("app2.{h}"),
            format!("evil{h}"),
            format!("evil-{h}"),
            format!("{h}.evil.example"),
            format!("{h}x"),
            format!("app.{h}.evil.example"),
        ];
        if let Some((first, rest)) = h.split_once('.') {
            hosts.push(format!("{first}x{rest}"));
        }
        for scheme in &schemes {
            for host in &hosts {
                for port in ["", ":8443", ":3000", ":1"] {
                    out.push(format!("{scheme}://{host}{port}"));
                }
            }
        }
        if let Port::Exact(p) = &sh.port {
            out.push(format!("{}://{h}:{p}0", schemes[0]));
        }
    }
    out.push("null".into());
    out.sort();
    out.dedup();
    out
}

/// Whether crossgate's engine allows `origin` under these patterns.
pub(crate) fn crossgate_allows(patterns: &[String], origin: &str) -> bool {
    let Ok(built) = Policy::new(PolicyConfig::new(RuleConfig::new(patterns.iter().cloned()))) else {
        return false;
    };
    let mut headers = http::HeaderMap::new();
    let Ok(value) = http::HeaderValue::from_str(origin) else { return false };
    headers.insert(http::header::ORIGIN, value);
    let decision = built.policy.evaluate(&http::Method::GET, "/", &headers);
    let allowed = matches!(decision.outcome(), Outcome::Allowed { .. });
    allowed
}

/// A path regex translated into path scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathTranslation {
    /// `None`: every path.
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) exact: bool,
    pub(crate) differs: Vec<String>,
}

/// Translates a path regex (`CORS_URLS_REGEX`, flask-cors `resources`).
pub(crate) fn translate_path(source: &str, anchoring: Anchoring) -> Result<PathTranslation, String> {
    let alts = parse(source)?;
    let mut seqs = Vec::new();
    for a in &alts {
        seqs.extend(expand_seq(a)?);
    }
    let mut scopes: Vec<String> = Vec::new();
    let mut all = false;
    let mut literals = Vec::new();
    for seq in &seqs {
        let mut atoms = seq.clone();
        let mut end = anchoring == Anchoring::Full;
        if atoms.first() == Some(&Atom::Start) {
            atoms.remove(0);
        }
        if atoms.last() == Some(&Atom::End) {
            atoms.pop();
            end = true;
        }
        // Trailing "anything" (`.*`, or flask's `/*`): a prefix.
        let mut open = !end;
        while let Some(Atom::Class(s, 0, None)) = atoms.last() {
            if s.any || s.ranges == [('/', '/')] {
                atoms.pop();
                open = true;
            } else {
                break;
            }
        }
        let lit: Option<String> = atoms.iter().map(|a| if let Atom::Lit(c) = a { Some(*c) } else { None }).collect();
        let Some(lit) = lit else { return Err("a wildcard inside the path".into()) };
        if lit.is_empty() || lit == "/" && open {
            all = true;
            continue;
        }
        if !lit.starts_with('/') {
            return Err("a path that does not start with `/`".into());
        }
        literals.push(lit.clone());
        let scope = if open {
            let base = lit.trim_end_matches('/');
            if base.is_empty() {
                all = true;
                continue;
            }
            format!("{base}/*")
        } else {
            lit
        };
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let mut t = PathTranslation { scopes: if all { None } else { Some(scopes) }, exact: true, differs: Vec::new() };
    let re = compile(source, false, anchoring).map_err(|e| format!("not a valid regular expression: {e}"))?;
    let mut probes: Vec<String> = vec!["/".into(), "/other".into()];
    for l in &literals {
        let base = l.trim_end_matches('/');
        for p in [base.to_owned(), format!("{base}/"), format!("{base}/x"), format!("{base}x"), format!("{base}s/x")] {
            probes.push(p);
        }
    }
    for path in probes {
        let by_regex = re.is_match(&path);
        let by_scope = match &t.scopes {
            None => true,
            Some(scopes) => scopes.iter().any(|s| scope_matches(s, &path)),
        };
        if by_regex != by_scope {
            t.exact = false;
            t.differs.push(if by_regex {
                format!("{path}: the regex covers it, crossgate's scope does not")
            } else {
                format!("{path}: crossgate's scope covers it, the regex does not")
            });
        }
    }
    Ok(t)
}

/// crossgate's path scope semantics (`/exact`, `/prefix/*`).
pub(crate) fn scope_matches(scope: &str, path: &str) -> bool {
    match scope.strip_suffix("/*") {
        Some(p) => path.starts_with(p) && (path.len() == p.len() || path.as_bytes()[p.len()] == b'/'),
        None => scope == path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: &str, a: Anchoring) -> Translation {
        translate(src, false, a).unwrap()
    }

    #[test]
    fn exact_shapes_translate_exactly() {
        let x = t(r"^https://(.*\.)?example\.com$", Anchoring::Start);
        assert!(x.exact, "{x:?}");
        assert_eq!(x.patterns, ["https://example.com", "https://*.example.com"]);
        let x = t(r"^https://([a-z0-9-]+\.)+example\.com$", Anchoring::Start);
        assert!(x.exact, "{x:?}");
        assert_eq!(x.patterns, ["https://*.example.com"]);
        let x = t(r"^http://localhost(:\d+)?$", Anchoring::Start);
        assert!(x.exact, "{x:?}");
        assert_eq!(x.patterns, ["http://localhost:*"]);
        let x = t(r"https?://(app|admin)\.example\.com", Anchoring::Full);
        assert!(x.exact, "{x:?}");
        assert_eq!(x.patterns.len(), 4);
    }

    #[test]
    fn unanchored_and_loose_shapes_list_what_differs() {
        let x = t(r"^https://.*example\.com$", Anchoring::Start);
        assert!(!x.exact);
        assert!(
            x.differs.iter().any(|d| d.starts_with("https://evilexample.com: the regex allows")),
            "{:?}",
            x.differs
        );
        let x = t(r"^https://example\.com", Anchoring::Start);
        assert!(!x.exact && x.unanchored);
        assert!(x.differs.iter().any(|d| d.starts_with("https://example.com.evil.example:")), "{:?}", x.differs);
        let x = t(r"example\.com$", Anchoring::Search);
        assert!(!x.exact);
        assert!(x.differs.iter().any(|d| d.starts_with("https://evilexample.com:")), "{:?}", x.differs);
        let x = t(r"^https://\w+\.example\.com$", Anchoring::Start);
        assert!(!x.exact);
        assert!(x.differs.iter().any(|d| d.starts_with("https://a.b.example.com: crossgate")), "{:?}", x.differs);
        let x = t(r"^https://app.example\.com$", Anchoring::Start);
        assert!(x.differs.iter().any(|d| d.starts_with("https://appxexample.com: the regex")), "{:?}", x.differs);
    }

    #[test]
    fn untranslatable_regexes_say_why() {
        assert!(translate(r"^https://(?=x).*$", false, Anchoring::Start).is_err());
        assert!(translate(r"^https://a[0-9]b\.com$", false, Anchoring::Start).is_err());
        assert!(translate(r"^ftp://a\.com$", false, Anchoring::Start).is_err());
    }

    #[test]
    fn path_regexes() {
        let p = translate_path(r"^/api/.*$", Anchoring::Start).unwrap();
        assert_eq!(p.scopes, Some(vec!["/api/*".into()]));
        assert!(p.differs.iter().any(|d| d.starts_with("/api: crossgate")), "{p:?}");
        let p = translate_path(r"/api/*", Anchoring::Start).unwrap();
        assert!(p.differs.iter().any(|d| d.starts_with("/apix: the regex")), "{p:?}");
        assert_eq!(translate_path(r"^.*$", Anchoring::Start).unwrap().scopes, None);
        let p = translate_path(r"^/health$", Anchoring::Start).unwrap();
        assert!(p.exact && p.scopes == Some(vec!["/health".into()]));
    }
}
