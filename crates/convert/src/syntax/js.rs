//! JavaScript object literals read as data: the options object of a
//! middleware (JSON, or the literal subset of JavaScript: strings, template
//! strings without `${…}`, numbers, booleans, `null`/`undefined`, arrays,
//! nested objects and regex literals `/…/flags`). Nothing is executed: an
//! identifier, a call or a function is kept as a value that names itself,
//! so the importer can report its line.

use super::value::Value;

/// A syntax error with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// One `key: value` of the options object, with the line of its key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) line: usize,
    pub(crate) value: Value,
}

/// The options object found in a file, and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Options {
    pub(crate) line: usize,
    pub(crate) entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    /// A template string, and whether it has a `${…}` substitution.
    Template(String, bool),
    Num(f64),
    Regex(String, String),
    Punct(&'static str),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
}

const PUNCTS: [&str; 27] = [
    "...", "=>", "===", "!==", "==", "!=", "&&", "||", "??", "?.", "{", "}", "[", "]", "(", ")", ",", ":", ";", "=",
    ".", "+", "-", "*", "!", "?", "%",
];

fn err(line: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { line, message: message.into() }
}

/// Whether a `/` after this token starts a regex literal (rather than a division).
fn regex_may_follow(prev: Option<&Tok>) -> bool {
    match prev {
        None => true,
        Some(Tok::Punct(p)) => !matches!(*p, ")" | "]" | "}"),
        Some(Tok::Ident(w)) => matches!(w.as_str(), "return" | "typeof" | "case" | "in" | "of" | "new" | "delete"),
        _ => false,
    }
}

fn tokenize(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = line;
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated comment")),
                    Some('*') if chars.get(i + 1) == Some(&'/') => {
                        i += 2;
                        break;
                    }
                    Some(ch) => {
                        line += usize::from(*ch == '\n');
                        i += 1;
                    }
                }
            }
        } else if c == '"' || c == '\'' {
            let (s, next) = string(&chars, i, line)?;
            out.push(Token { tok: Tok::Str(s), line });
            i = next;
        } else if c == '`' {
            let start = line;
            let (mut s, mut subst) = (String::new(), false);
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated template string")),
                    Some('`') => break,
                    Some('\\') => {
                        let (ch, next) = escape(&chars, i, line)?;
                        s.push_str(&ch);
                        i = next;
                        continue;
                    }
                    Some('$') if chars.get(i + 1) == Some(&'{') => subst = true,
                    Some(ch) => {
                        line += usize::from(*ch == '\n');
                        s.push(*ch);
                    }
                }
                i += 1;
            }
            out.push(Token { tok: Tok::Template(s, subst), line: start });
            i += 1;
        } else if c == '/' && regex_may_follow(out.last().map(|t| &t.tok)) {
            let (mut source, mut class) = (String::new(), false);
            i += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => return Err(err(line, "unterminated regular expression literal")),
                    Some('/') if !class => break,
                    Some('\\') => {
                        source.push('\\');
                        match chars.get(i + 1) {
                            Some(ch) if *ch != '\n' => source.push(*ch),
                            _ => return Err(err(line, "unterminated regular expression literal")),
                        }
                        i += 1;
                    }
                    Some(ch) => {
                        class = match ch {
                            '[' => true,
                            ']' => false,
                            _ => class,
                        };
                        source.push(*ch);
                    }
                }
                i += 1;
            }
            i += 1;
            let mut flags = String::new();
            while let Some(ch) = chars.get(i).filter(|ch| ch.is_ascii_alphabetic()) {
                flags.push(*ch);
                i += 1;
            }
            out.push(Token { tok: Tok::Regex(source, flags), line });
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|ch| **ch != '_').collect();
            let n = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok().map(|n| n as f64)
            } else {
                text.parse::<f64>().ok()
            };
            let n = n.ok_or_else(|| err(line, format!("`{text}` is not a number")))?;
            out.push(Token { tok: Tok::Num(n), line });
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            out.push(Token { tok: Tok::Ident(chars[start..i].iter().collect()), line });
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
                Some(p) => {
                    out.push(Token { tok: Tok::Punct(p), line });
                    i += p.len();
                }
                // Operators outside the literal subset (`<`, `|`, …): kept
                // as a punctuator the value reader stops at.
                None => {
                    out.push(Token { tok: Tok::Punct("?"), line });
                    i += 1;
                }
            }
        }
    }
    Ok(out)
}

fn string(chars: &[char], start: usize, line: usize) -> Result<(String, usize), SyntaxError> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None | Some('\n') => return Err(err(line, "unterminated string")),
            Some(ch) if *ch == quote => return Ok((s, i + 1)),
            Some('\\') => {
                let (ch, next) = escape(chars, i, line)?;
                s.push_str(&ch);
                i = next;
            }
            Some(ch) => {
                s.push(*ch);
                i += 1;
            }
        }
    }
}

/// The escape at `chars[i] == '\\'`, and the index after it.
fn escape(chars: &[char], i: usize, line: usize) -> Result<(String, usize), SyntaxError> {
    let Some(c) = chars.get(i + 1) else { return Err(err(line, "unterminated string")) };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '0' => Some('\0'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '\n' => return Ok((String::new(), i + 2)),
        'x' | 'u' => None,
        other => Some(*other),
    };
    if let Some(ch) = simple {
        return Ok((ch.to_string(), i + 2));
    }
    let (digits, next): (String, usize) = if *c == 'u' && chars.get(i + 2) == Some(&'{') {
        let end = chars[i + 3..].iter().position(|ch| *ch == '}').map(|p| i + 3 + p);
        let end = end.ok_or_else(|| err(line, "unterminated `\\u{…}` escape"))?;
        (chars[i + 3..end].iter().collect(), end + 1)
    } else {
        let n = if *c == 'x' { 2 } else { 4 };
        let end = (i + 2 + n).min(chars.len());
        (chars[i + 2..end].iter().collect(), end)
    };
    let ch = u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32);
    let ch = ch.ok_or_else(|| err(line, format!("`\\{c}{digits}` is not a valid escape")))?;
    Ok((ch.to_string(), next))
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn line(&self) -> usize {
        self.toks.get(self.pos).or(self.toks.last()).map_or(1, |t| t.line)
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn expect(&mut self, p: &str) -> Result<(), SyntaxError> {
        if self.is(p) {
            self.pos += 1;
            Ok(())
        } else {
            Err(err(self.line(), format!("expected `{p}`, found {}", self.describe())))
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(Tok::Ident(w)) => format!("`{w}`"),
            Some(Tok::Punct(p)) => format!("`{p}`"),
            Some(Tok::Str(s)) => format!("the string {s:?}"),
            Some(Tok::Template(s, _)) => format!("the template `{s}`"),
            Some(Tok::Num(n)) => format!("the number {n}"),
            Some(Tok::Regex(s, f)) => format!("the regex /{s}/{f}"),
        }
    }

    /// Skips an expression that is not a literal, up to the `,`, `}` or `]`
    /// that ends it at depth 0.
    fn skip_expression(&mut self) -> Result<(), SyntaxError> {
        let start = self.line();
        let mut depth = 0usize;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") if depth == 0 => return Ok(()),
                Tok::Punct(")" | "]" | "}") => depth -= 1,
                Tok::Punct("," | ";") if depth == 0 => return Ok(()),
                _ => {}
            }
            self.pos += 1;
        }
        if depth == 0 {
            Ok(())
        } else {
            Err(err(start, "unclosed bracket"))
        }
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        let line = self.line();
        let Some(tok) = self.peek().cloned() else {
            return Err(err(line, "expected a value, found the end of the file"));
        };
        self.pos += 1;
        let v = match tok {
            Tok::Punct("{") => self.object()?.0,
            Tok::Punct("[") => {
                let mut items = Vec::new();
                while !self.is("]") {
                    if self.is("...") {
                        self.skip_expression()?;
                        items.push(Value::Computed("a spread `...` into the array".into()));
                    } else {
                        items.push(self.value()?);
                    }
                    if !self.is("]") {
                        self.expect(",")?;
                    }
                }
                self.pos += 1;
                Value::List(items)
            }
            Tok::Str(s) => Value::Str(s),
            Tok::Template(s, false) => Value::Str(s),
            Tok::Template(_, true) => Value::Computed(format!("line {line}: a template string with `${{…}}`")),
            Tok::Num(n) => number(n),
            Tok::Punct(sign @ ("-" | "+")) if matches!(self.peek(), Some(Tok::Num(_))) => {
                let Some(Tok::Num(n)) = self.peek().cloned() else { unreachable!("checked above") };
                self.pos += 1;
                number(if sign == "-" { -n } else { n })
            }
            Tok::Regex(source, flags) => regex(source, &flags, line)?,
            Tok::Ident(w) => match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" | "undefined" => Value::Null,
                "new" if matches!(self.peek(), Some(Tok::Ident(r)) if r == "RegExp") => self.new_regexp(line)?,
                "function" | "async" => {
                    self.skip_expression()?;
                    Value::Computed(format!("line {line}: a function"))
                }
                _ => {
                    let simple = matches!(self.peek(), Some(Tok::Punct("," | "}" | "]" | ";")) | None);
                    if simple {
                        Value::Name(w)
                    } else {
                        self.skip_expression()?;
                        Value::Computed(format!("line {line}: an expression starting with `{w}`"))
                    }
                }
            },
            Tok::Punct("(") => {
                self.pos -= 1;
                self.skip_expression()?;
                Value::Computed(format!("line {line}: an expression in parentheses (an arrow function?)"))
            }
            other => {
                self.pos -= 1;
                return Err(err(line, format!("expected a value, found {}", describe(&other))));
            }
        };
        match self.peek() {
            Some(Tok::Punct("," | "}" | "]" | ";" | ")")) | None => Ok(v),
            Some(Tok::Punct(_)) => {
                // `"a" + b`, `x || y`, `60 * 60`: an expression, not a literal.
                self.skip_expression()?;
                Ok(Value::Computed(format!("line {line}: an expression, not a literal")))
            }
            Some(_) => Err(err(self.line(), format!("expected `,`, found {}", self.describe()))),
        }
    }

    /// `new RegExp("…", "flags")` with literal strings.
    fn new_regexp(&mut self, line: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        self.expect("(")?;
        let source = self.value()?;
        let flags = if self.is(",") {
            self.pos += 1;
            self.value()?
        } else {
            Value::Str(String::new())
        };
        self.expect(")")?;
        match (source, flags) {
            (Value::Str(s), Value::Str(f)) => regex(s, &f, line),
            _ => Ok(Value::Computed(format!("line {line}: `new RegExp(…)` of a computed string"))),
        }
    }

    /// An object literal after its `{`: its entries, and each key's line.
    fn object(&mut self) -> Result<(Value, Vec<Entry>), SyntaxError> {
        let mut entries = Vec::new();
        while !self.is("}") {
            let line = self.line();
            let key = match self.peek().cloned() {
                Some(Tok::Ident(k) | Tok::Str(k)) => k,
                Some(Tok::Num(n)) => number(n).display(),
                Some(Tok::Punct("...")) => {
                    self.pos += 1;
                    self.skip_expression()?;
                    entries.push(Entry {
                        key: "...".into(),
                        line,
                        value: Value::Computed(format!("line {line}: a spread `...` into the object")),
                    });
                    if !self.is("}") {
                        self.expect(",")?;
                    }
                    continue;
                }
                _ => return Err(err(line, format!("expected a key, found {}", self.describe()))),
            };
            self.pos += 1;
            let value = if self.is(":") {
                self.pos += 1;
                self.value()?
            } else if self.is(",") || self.is("}") {
                // `{ origin }`: shorthand for a variable.
                Value::Name(key.clone())
            } else if self.is("(") {
                // `origin(origin, cb) { … }`: a method.
                self.skip_expression()?;
                Value::Computed(format!("line {line}: a function"))
            } else {
                return Err(err(self.line(), format!("expected `:` after `{key}`, found {}", self.describe())));
            };
            entries.push(Entry { key, line, value });
            if !self.is("}") {
                self.expect(",")?;
            }
        }
        self.pos += 1;
        let dict = entries.iter().map(|e| (Value::Str(e.key.clone()), e.value.clone())).collect();
        Ok((Value::Dict(dict), entries))
    }

    /// The index of `NAME = {` (a `const`/`let`/`var` or an assignment), if any.
    fn definition(&self, name: &str) -> Option<usize> {
        self.toks.windows(3).position(|w| {
            matches!(&w[0].tok, Tok::Ident(n) if n == name)
                && matches!(w[1].tok, Tok::Punct("="))
                && matches!(w[2].tok, Tok::Punct("{"))
        })
    }
}

fn describe(t: &Tok) -> String {
    Parser { toks: vec![Token { tok: t.clone(), line: 0 }], pos: 0 }.describe()
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::Int(n as i64)
    } else {
        Value::Float(n)
    }
}

/// A regex literal: `g` and `y` make `RegExp.prototype.test` stateful (it
/// starts at `lastIndex`, which each match moves), so whether an origin
/// matches depends on the one tested before it.
fn regex(source: String, flags: &str, line: usize) -> Result<Value, SyntaxError> {
    if let Some(bad) = flags.chars().find(|c| !"dgimsuvy".contains(*c)) {
        return Err(err(line, format!("`{bad}` is not a regular expression flag")));
    }
    if flags.contains('g') || flags.contains('y') {
        return Ok(Value::Computed(format!(
            "line {line}: /{source}/{flags}: the `g` and `y` flags make `test` start where the last match ended, so the answer depends on the origin tested before"
        )));
    }
    Ok(Value::Regex { source, ignore_case: flags.contains('i') })
}

/// Finds and reads the options object: the whole file (JSON or an object
/// literal), the argument of `cors(…)` (through a variable defined as an
/// object literal in the file), or the first `NAME = { … }`. `Ok(None)`:
/// no options object and no `cors(` call; an empty object stands for `cors()`.
pub(crate) fn parse_options(src: &str, call: &str) -> Result<Option<Options>, SyntaxError> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0 };
    if p.is("{") {
        let line = p.line();
        p.pos += 1;
        let (_, entries) = p.object()?;
        if p.is(";") {
            p.pos += 1;
        }
        if p.peek().is_some() {
            return Err(err(p.line(), format!("expected the end of the options object, found {}", p.describe())));
        }
        return Ok(Some(Options { line, entries }));
    }
    let at_call = p
        .toks
        .windows(2)
        .position(|w| matches!(&w[0].tok, Tok::Ident(n) if n == call) && matches!(w[1].tok, Tok::Punct("(")));
    let start = match at_call {
        Some(i) => {
            let line = p.toks[i].line;
            p.pos = i + 2;
            match p.peek().cloned() {
                Some(Tok::Punct(")")) => return Ok(Some(Options { line, entries: Vec::new() })),
                Some(Tok::Punct("{")) => Some(p.pos),
                Some(Tok::Ident(name)) if matches!(p.toks.get(p.pos + 1).map(|t| &t.tok), Some(Tok::Punct(")"))) => {
                    match p.definition(&name) {
                        Some(d) => Some(d + 2),
                        None => {
                            let value = Value::Name(name);
                            return Ok(Some(Options { line, entries: vec![Entry { key: "...".into(), line, value }] }));
                        }
                    }
                }
                _ => {
                    let value =
                        Value::Computed(format!("line {line}: `{call}(…)` of something other than an object literal"));
                    return Ok(Some(Options { line, entries: vec![Entry { key: "...".into(), line, value }] }));
                }
            }
        }
        None => p
            .toks
            .windows(2)
            .position(|w| matches!(w[0].tok, Tok::Punct("=")) && matches!(w[1].tok, Tok::Punct("{")))
            .map(|i| i + 1),
    };
    let Some(start) = start else { return Ok(None) };
    p.pos = start;
    let line = p.line();
    p.expect("{")?;
    let (_, entries) = p.object()?;
    Ok(Some(Options { line, entries }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(src: &str) -> Vec<(String, usize, Value)> {
        let o = parse_options(src, "cors").unwrap().unwrap();
        o.entries.into_iter().map(|e| (e.key, e.line, e.value)).collect()
    }

    #[test]
    fn literals_of_every_kind() {
        let src = "{\n  origin: [\"https://a.com\", /\\.b\\.com$/i, 'x'],\n  'maxAge': 600, // ten minutes\n  credentials: true,\n  /* off */ preflightContinue: false,\n  methods: `GET,POST`,\n  n: -1.5, u: undefined, nested: { a: [1, 2,], },\n}\n";
        let e = entries(src);
        assert_eq!(e[0].0, "origin");
        assert_eq!(e[0].1, 2);
        assert_eq!(
            e[0].2,
            Value::List(vec![
                Value::Str("https://a.com".into()),
                Value::Regex { source: "\\.b\\.com$".into(), ignore_case: true },
                Value::Str("x".into())
            ])
        );
        assert_eq!((e[1].0.as_str(), e[1].1, &e[1].2), ("maxAge", 3, &Value::Int(600)));
        assert_eq!(e[2].2, Value::Bool(true));
        assert_eq!((e[3].0.as_str(), e[3].1), ("preflightContinue", 5));
        assert_eq!(e[4].2, Value::Str("GET,POST".into()));
        assert_eq!(e[5].2, Value::Float(-1.5));
        assert_eq!(e[6].2, Value::Null);
        assert!(matches!(&e[7].2, Value::Dict(d) if d.len() == 1));
    }

    #[test]
    fn json_reads_as_is() {
        let e = entries(r#"{"origin": "https://a.com", "credentials": true, "maxAge": 86400}"#);
        assert_eq!(e.len(), 3);
        assert_eq!(e[2].2, Value::Int(86400));
    }

    #[test]
    fn code_is_named_not_run() {
        let src = "const allowed = ['https://a.com'];\nconst corsOptions = {\n  origin: allowed,\n  methods: process.env.METHODS,\n  maxAge: 60 * 60,\n  exposedHeaders: `x-${a}`,\n  credentials(req) { return true },\n  optionsSuccessStatus: function () { return 200 },\n  allowedHeaders: (h) => h,\n};\napp.use(cors(corsOptions));\n";
        let e = entries(src);
        assert_eq!(e[0].2, Value::Name("allowed".into()));
        for (i, why) in [
            (1, "expression starting with `process`"),
            (2, "an expression"),
            (3, "template"),
            (4, "function"),
            (5, "function"),
            (6, "parentheses"),
        ] {
            let Value::Computed(s) = &e[i].2 else { panic!("{:?} is not computed", e[i]) };
            assert!(s.contains(why), "{s:?} should say {why:?}");
            assert!(s.contains(&format!("line {}", e[i].1)), "{s:?} names its line");
        }
    }

    #[test]
    fn stateful_regex_flags_are_named() {
        let e = entries("{ origin: /example\\.com$/g }");
        assert!(matches!(&e[0].2, Value::Computed(s) if s.contains("`g`")));
        let e = entries("{ origin: new RegExp('^https://a\\\\.com$', 'i') }");
        assert_eq!(e[0].2, Value::Regex { source: "^https://a\\.com$".into(), ignore_case: true });
    }

    #[test]
    fn where_the_options_are() {
        assert_eq!(parse_options("app.use(cors())", "cors").unwrap().unwrap().entries, vec![]);
        let e = entries("const cors = require('cors');\napp.use(cors({ origin: 'https://a.com' }));");
        assert_eq!((e[0].1, &e[0].2), (2, &Value::Str("https://a.com".into())));
        let e = entries("module.exports = {\n origin: true };");
        assert_eq!(e[0].2, Value::Bool(true));
        assert_eq!(parse_options("const x = 1 / 2;", "cors").unwrap(), None);
        let e = entries("app.use(cors(opts));");
        assert!(matches!(&e[0].2, Value::Name(n) if n.starts_with("opts")));
    }

    #[test]
    fn syntax_errors_name_their_line() {
        for (src, line, word) in [
            ("{\n origin: 'a\n}", 2, "unterminated string"),
            ("{\n origin: ['a' 'b'] }", 2, "expected `,`"),
            ("{ origin: 1 } trailing", 1, "end of the options object"),
            ("{\n\n origin: /a/q }", 3, "not a regular expression flag"),
            ("{ origin: /abc\n }", 1, "unterminated regular"),
            ("{ origin ", 1, "expected"),
            ("{ /* never closed", 1, "unterminated comment"),
            ("{ 'a': '\\u{zz}' }", 1, "not a valid escape"),
            ("{\n origin: [ }", 2, "expected a value"),
        ] {
            let e = parse_options(src, "cors").unwrap_err();
            assert_eq!(e.line, line, "{src:?}: {e:?}");
            assert!(e.message.contains(word), "{src:?}: {e:?} should say {word:?}");
        }
    }
}
