//! Python source read as data: the top-level statements of a settings
//! module or an app file, with each right-hand side parsed as a literal
//! expression. Nothing is executed; constant folding covers `+` on
//! sequences and strings and arithmetic on integers (`60 * 60 * 24`).

use super::value::Value;

/// One top-level logical line.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    /// 1-based line of its first token.
    pub(crate) line: usize,
    /// Column of its first token: 0 at module level, more inside a block.
    pub(crate) indent: usize,
    pub(crate) kind: StatementKind,
}

#[derive(Clone, Debug)]
pub(crate) enum StatementKind {
    /// `target = value` (also `+=`, with `augmented`).
    Assign { target: Target, value: Value, augmented: bool },
    /// A bare expression, usually a call: `CORS(app, origins=[...])`.
    Expr(Value),
    /// Anything else (`def`, `if`, `import`, `class`, …), with its first word.
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    /// `NAME` or `a.b.NAME`.
    Name(String),
    /// `obj[key]`, e.g. `app.config["CORS_ORIGINS"]`.
    Subscript(String, Value),
    /// Anything else (tuple unpacking, …).
    Other,
}

/// A syntax error with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Str { value: String, fstring: bool, bytes: bool },
    Int(i64),
    Float(f64),
    Op(&'static str),
    Newline,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

const OPS: [&str; 47] = [
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", ">>", "<<", "@=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/",
    "%", "&", "|", "^", "~", "<", ">",
];

fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut depth = 0usize;
    let mut opened_at = 0usize;
    let err = |line, message: String| Err(SyntaxError { line, message });
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            if depth == 0 && !matches!(out.last(), None | Some(Token { tok: Tok::Newline, .. })) {
                out.push(Token { tok: Tok::Newline, line, col: i - line_start });
            }
            i += 1;
            line += 1;
            line_start = i;
            continue;
        }
        if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            line_start = i;
            continue;
        }
        if c == '\\' && chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n') {
            i += 3;
            line += 1;
            line_start = i;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let col = i - line_start;
        let start_line = line;
        // A string, possibly with a prefix.
        let mut j = i;
        while j < chars.len() && j - i < 2 && "rRbBuUfF".contains(chars[j]) {
            j += 1;
        }
        if j < chars.len() && (chars[j] == '\'' || chars[j] == '"') && (j == i || is_prefix(&chars[i..j])) {
            let prefix: String = chars[i..j].iter().collect::<String>().to_ascii_lowercase();
            let raw = prefix.contains('r');
            let q = chars[j];
            let triple = chars.get(j + 1) == Some(&q) && chars.get(j + 2) == Some(&q);
            let mut k = if triple { j + 3 } else { j + 1 };
            let mut value = String::new();
            loop {
                let Some(&ch) = chars.get(k) else {
                    return err(start_line, "a string is never closed".into());
                };
                if ch == '\n' {
                    if !triple {
                        return err(start_line, "a string is never closed on its line".into());
                    }
                    line += 1;
                    line_start = k + 1;
                }
                if ch == q && (!triple || (chars.get(k + 1) == Some(&q) && chars.get(k + 2) == Some(&q))) {
                    k += if triple { 3 } else { 1 };
                    break;
                }
                if ch == '\\' {
                    let Some(&next) = chars.get(k + 1) else {
                        return err(start_line, "a string ends with a backslash".into());
                    };
                    if raw {
                        value.push('\\');
                        value.push(next);
                    } else {
                        match next {
                            'n' => value.push('\n'),
                            't' => value.push('\t'),
                            'r' => value.push('\r'),
                            '0' => value.push('\0'),
                            '\\' => value.push('\\'),
                            '\'' => value.push('\''),
                            '"' => value.push('"'),
                            '\n' => {
                                line += 1;
                                line_start = k + 2;
                            }
                            'x' | 'u' | 'U' => {
                                let n = match next {
                                    'x' => 2,
                                    'u' => 4,
                                    _ => 8,
                                };
                                let hex: String = chars.iter().skip(k + 2).take(n).collect();
                                let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) else {
                                    return err(start_line, format!("a bad `\\{next}` escape in a string"));
                                };
                                value.push(ch);
                                k += n;
                            }
                            // Python keeps unknown escapes as written: "\." is a backslash and a dot.
                            other => {
                                value.push('\\');
                                value.push(other);
                            }
                        }
                    }
                    k += 2;
                    continue;
                }
                value.push(ch);
                k += 1;
            }
            out.push(Token {
                tok: Tok::Str { value, fstring: prefix.contains('f'), bytes: prefix.contains('b') },
                line: start_line,
                col,
            });
            i = k;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut k = i;
            while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                k += 1;
            }
            out.push(Token { tok: Tok::Name(chars[i..k].iter().collect()), line, col });
            i = k;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let mut k = i;
            while k < chars.len()
                && (chars[k].is_ascii_alphanumeric()
                    || chars[k] == '_'
                    || chars[k] == '.'
                    || ((chars[k] == '+' || chars[k] == '-') && matches!(chars[k - 1], 'e' | 'E')))
            {
                k += 1;
            }
            let text: String = chars[i..k].iter().filter(|c| **c != '_').collect();
            let tok = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).map(Tok::Int).ok()
            } else if let Ok(n) = text.parse::<i64>() {
                Some(Tok::Int(n))
            } else {
                text.parse::<f64>().ok().map(Tok::Float)
            };
            let Some(tok) = tok else {
                return err(line, format!("`{text}` is not a number"));
            };
            out.push(Token { tok, line, col });
            i = k;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
            return err(line, format!("unexpected character `{c}`"));
        };
        match *op {
            "(" | "[" | "{" => {
                if depth == 0 {
                    opened_at = line;
                }
                depth += 1;
            }
            ")" | "]" | "}" => {
                if depth == 0 {
                    return err(line, format!("an unmatched `{op}`"));
                }
                depth -= 1;
            }
            _ => {}
        }
        out.push(Token { tok: Tok::Op(op), line, col });
        i += op.len();
    }
    if depth > 0 {
        return err(opened_at, format!("a bracket opened on line {opened_at} is never closed"));
    }
    if !matches!(out.last(), None | Some(Token { tok: Tok::Newline, .. })) {
        out.push(Token { tok: Tok::Newline, line, col: 0 });
    }
    Ok(out)
}

fn is_prefix(p: &[char]) -> bool {
    let s: String = p.iter().collect::<String>().to_ascii_lowercase();
    matches!(s.as_str(), "r" | "b" | "u" | "f" | "rb" | "br" | "fr" | "rf")
}

/// Names a dialect knows the literal value of (`default_headers`).
pub(crate) type Known<'a> = &'a dyn Fn(&str) -> Option<Value>;

/// Reads the file's logical lines. Earlier module-level assignments of
/// literals are substituted where later statements name them.
pub(crate) fn parse(src: &str, known: Known<'_>) -> Result<Vec<Statement>, SyntaxError> {
    let tokens = lex(src)?;
    let mut env: Vec<(String, Value)> = Vec::new();
    let mut out = Vec::new();
    for stmt in tokens.split(|t| t.tok == Tok::Newline) {
        // `a = 1; b = 2` holds two statements.
        for part in stmt.split(|t| t.tok == Tok::Op(";")) {
            let Some(first) = part.first() else { continue };
            let (line, indent) = (first.line, first.col);
            let kind = statement(part, &|n: &str| {
                env.iter().rev().find(|(k, _)| k == n).map(|(_, v)| v.clone()).or_else(|| known(n))
            })?;
            if indent == 0 {
                if let StatementKind::Assign { target: Target::Name(n), value, augmented: false } = &kind {
                    if value.not_literal().is_none() {
                        env.push((n.clone(), value.clone()));
                    }
                }
            }
            out.push(Statement { line, indent, kind });
        }
    }
    Ok(out)
}

fn statement(toks: &[Token], env: &dyn Fn(&str) -> Option<Value>) -> Result<StatementKind, SyntaxError> {
    let line = toks[0].line;
    if let Tok::Name(w) = &toks[0].tok {
        const KEYWORDS: [&str; 20] = [
            "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "import", "from",
            "return", "pass", "raise", "del", "global", "assert", "async",
        ];
        if KEYWORDS.contains(&w.as_str()) {
            return Ok(StatementKind::Other(w.clone()));
        }
    }
    if toks[0].tok == Tok::Op("@") {
        return Ok(StatementKind::Other("@".into()));
    }
    // The assignment's `=` at bracket depth 0 (annotated `x: T = v` too).
    let mut depth = 0i32;
    let mut split = None;
    for (i, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op(op @ ("=" | "+=")) if depth == 0 => {
                split = Some((i, op == "+="));
                break;
            }
            _ => {}
        }
    }
    let mut p = Parser { toks, pos: 0, env, line };
    match split {
        None => {
            let v = p.tuple_or_expr(toks.len())?;
            Ok(StatementKind::Expr(v))
        }
        Some((at, augmented)) => {
            let target_toks = match toks[..at].iter().position(|t| t.tok == Tok::Op(":")) {
                Some(colon) => &toks[..colon],
                None => &toks[..at],
            };
            let target = target_of(target_toks, env);
            let mut p = Parser { toks: &toks[at + 1..], pos: 0, env, line };
            // Chained `a = b = 1`: read the last value.
            let rest = &toks[at + 1..];
            let mut depth = 0i32;
            let chained = rest.iter().any(|t| {
                match t.tok {
                    Tok::Op("(" | "[" | "{") => depth += 1,
                    Tok::Op(")" | "]" | "}") => depth -= 1,
                    _ => {}
                }
                depth == 0 && t.tok == Tok::Op("=")
            });
            let value =
                if chained { Value::Computed("a chained assignment".into()) } else { p.tuple_or_expr(rest.len())? };
            Ok(StatementKind::Assign { target, value, augmented })
        }
    }
}

fn target_of(toks: &[Token], env: &dyn Fn(&str) -> Option<Value>) -> Target {
    let mut name = String::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].tok {
            Tok::Name(n) if name.is_empty() || name.ends_with('.') => name.push_str(n),
            Tok::Op(".") if !name.is_empty() => name.push('.'),
            Tok::Op("[") if !name.is_empty() && toks.last().map(|t| &t.tok) == Some(&Tok::Op("]")) => {
                let inner = &toks[i + 1..toks.len() - 1];
                let mut p = Parser { toks: inner, pos: 0, env, line: toks[i].line };
                return match p.expr() {
                    Ok(v) if p.pos == inner.len() => Target::Subscript(name, v),
                    _ => Target::Other,
                };
            }
            _ => return Target::Other,
        }
        i += 1;
    }
    if name.is_empty() || name.ends_with('.') {
        Target::Other
    } else {
        Target::Name(name)
    }
}

/// A call's positional and keyword arguments.
type Arguments = (Vec<Value>, Vec<(String, Value)>);

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    env: &'a dyn Fn(&str) -> Option<Value>,
    line: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        let line = self.toks.get(self.pos).or(self.toks.last()).map_or(self.line, |t| t.line);
        Err(SyntaxError { line, message: message.into() })
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek()
            == Some(&Tok::Op(match OPS.iter().find(|o| **o == op) {
                Some(o) => o,
                None => return false,
            }))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), SyntaxError> {
        if self.eat(op) {
            Ok(())
        } else {
            self.err(format!("expected `{op}`"))
        }
    }

    /// `a, b` at the top of a right-hand side is a tuple.
    fn tuple_or_expr(&mut self, end: usize) -> Result<Value, SyntaxError> {
        let first = self.expr()?;
        if self.peek() != Some(&Tok::Op(",")) {
            return self.finish(first, end);
        }
        let mut items = vec![first];
        while self.eat(",") {
            if self.pos >= end {
                break;
            }
            items.push(self.expr()?);
        }
        self.finish(Value::List(items), end)
    }

    fn finish(&mut self, v: Value, end: usize) -> Result<Value, SyntaxError> {
        if self.pos < end {
            // `x if c else y`, comparisons, boolean operators: valid Python, not a literal.
            if let Some(Tok::Name(w)) = self.peek() {
                if ["if", "or", "and", "not", "in", "is", "for"].contains(&w.as_str()) {
                    return Ok(Value::Computed(format!("an expression with `{w}`")));
                }
            }
            if let Some(Tok::Op(op)) = self.peek() {
                if ["==", "!=", "<", ">", "<=", ">=", "|", "&", "^", "**", "<<", ">>", "@"].contains(op) {
                    return Ok(Value::Computed(format!("an expression with `{op}`")));
                }
            }
            return self.err("unexpected text after the value");
        }
        Ok(v)
    }

    fn expr(&mut self) -> Result<Value, SyntaxError> {
        if let Some(Tok::Name(w)) = self.peek() {
            if w == "lambda" {
                self.skip_rest_of_expr();
                return Ok(Value::Computed("a lambda".into()));
            }
            if w == "not" {
                self.skip_rest_of_expr();
                return Ok(Value::Computed("an expression with `not`".into()));
            }
        }
        let mut left = self.product()?;
        while let Some(Tok::Op(op @ ("+" | "-"))) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.product()?;
            left = fold(op, left, right);
        }
        // A ternary or comparison after a value: not a literal.
        if let Some(Tok::Name(w)) = self.peek() {
            if ["if", "or", "and", "in", "is", "not"].contains(&w.as_str()) {
                let w = w.clone();
                self.skip_rest_of_expr();
                return Ok(Value::Computed(format!("an expression with `{w}`")));
            }
        }
        Ok(left)
    }

    /// Skips to the next `,` or closing bracket at this depth.
    fn skip_rest_of_expr(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") if depth == 0 => return,
                Tok::Op(")" | "]" | "}") => depth -= 1,
                Tok::Op(",") if depth == 0 => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn product(&mut self) -> Result<Value, SyntaxError> {
        let mut left = self.unary()?;
        while let Some(Tok::Op(op @ ("*" | "/" | "//" | "%"))) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.unary()?;
            left = fold(op, left, right);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Value, SyntaxError> {
        if self.eat("-") {
            return Ok(match self.unary()? {
                Value::Int(n) => Value::Int(n.saturating_neg()),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Computed("a negated expression".into()),
            });
        }
        if self.eat("*") || self.eat("**") {
            self.unary()?;
            return Ok(Value::Computed("an unpacked (`*`/`**`) value".into()));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Value, SyntaxError> {
        let mut v = self.atom()?;
        loop {
            if self.eat(".") {
                let Some(Tok::Name(attr)) = self.peek().cloned() else {
                    return self.err("expected a name after `.`");
                };
                self.pos += 1;
                v = match v {
                    Value::Name(n) => Value::Name(format!("{n}.{attr}")),
                    Value::Str(_) | Value::List(_) | Value::Dict(_) => {
                        Value::Computed(format!("a method call (`.{attr}`) on a literal"))
                    }
                    Value::Computed(w) => Value::Computed(w),
                    other => Value::Computed(format!("`.{attr}` on {}", other.kind())),
                };
            } else if self.eat("(") {
                let (args, kwargs) = self.arguments()?;
                v = call(v, args, kwargs);
            } else if self.eat("[") {
                let mut depth = 0i32;
                while let Some(t) = self.peek() {
                    match t {
                        Tok::Op("(" | "[" | "{") => depth += 1,
                        Tok::Op("]") if depth == 0 => break,
                        Tok::Op(")" | "]" | "}") => depth -= 1,
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.expect("]")?;
                v = Value::Computed(match v {
                    Value::Name(n) => format!("a lookup in `{n}`"),
                    _ => "an index or slice".into(),
                });
            } else {
                return Ok(v);
            }
        }
    }

    fn arguments(&mut self) -> Result<Arguments, SyntaxError> {
        let (mut args, mut kwargs) = (Vec::new(), Vec::new());
        while !self.eat(")") {
            if self.eat("**") {
                let v = self.expr()?;
                kwargs.push(("**".into(), Value::Computed(format!("`**{}`", v.display()))));
            } else if let (Some(Tok::Name(k)), Some(Tok::Op("="))) =
                (self.peek().cloned(), self.toks.get(self.pos + 1).map(|t| &t.tok))
            {
                self.pos += 2;
                let v = self.expr()?;
                kwargs.push((k, v));
            } else {
                let v = self.expr()?;
                if let Some(Tok::Name(w)) = self.peek() {
                    if w == "for" {
                        self.skip_rest_of_expr();
                        args.push(Value::Computed("a generator expression".into()));
                        if !self.eat(",") {
                            self.expect(")")?;
                            break;
                        }
                        continue;
                    }
                }
                args.push(v);
            }
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok((args, kwargs))
    }

    fn atom(&mut self) -> Result<Value, SyntaxError> {
        let Some(tok) = self.peek().cloned() else {
            return self.err("expected a value");
        };
        self.pos += 1;
        match tok {
            Tok::Str { value, fstring, bytes } => {
                let mut s = value;
                let mut computed = fstring;
                let mut b = bytes;
                // Adjacent literals concatenate.
                while let Some(Tok::Str { value, fstring, bytes }) = self.peek().cloned() {
                    s.push_str(&value);
                    computed |= fstring;
                    b |= bytes;
                    self.pos += 1;
                }
                Ok(if computed {
                    Value::Computed("an f-string".into())
                } else if b {
                    Value::Computed("a bytes literal".into())
                } else {
                    Value::Str(s)
                })
            }
            Tok::Int(n) => Ok(Value::Int(n)),
            Tok::Float(f) => Ok(Value::Float(f)),
            Tok::Name(n) => Ok(match n.as_str() {
                "True" => Value::Bool(true),
                "False" => Value::Bool(false),
                "None" => Value::Null,
                _ => (self.env)(&n).unwrap_or(Value::Name(n)),
            }),
            Tok::Op("(") => {
                if self.eat(")") {
                    return Ok(Value::List(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat(")") {
                    return Ok(first);
                }
                if let Some(Tok::Name(w)) = self.peek() {
                    if w == "for" {
                        self.skip_to_close(")")?;
                        return Ok(Value::Computed("a generator expression".into()));
                    }
                }
                let mut items = vec![first];
                while self.eat(",") {
                    if self.eat(")") {
                        return Ok(Value::List(items));
                    }
                    items.push(self.expr()?);
                }
                self.expect(")")?;
                Ok(Value::List(items))
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                while !self.eat("]") {
                    items.push(self.expr()?);
                    if let Some(Tok::Name(w)) = self.peek() {
                        if w == "for" {
                            self.skip_to_close("]")?;
                            return Ok(Value::Computed("a list comprehension".into()));
                        }
                    }
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                Ok(Value::List(items))
            }
            Tok::Op("{") => {
                let mut pairs = Vec::new();
                let mut set = Vec::new();
                while !self.eat("}") {
                    if self.eat("**") {
                        let v = self.expr()?;
                        pairs.push((Value::Computed("`**`".into()), Value::Computed(format!("`**{}`", v.display()))));
                    } else {
                        let k = self.expr()?;
                        if self.eat(":") {
                            pairs.push((k, self.expr()?));
                        } else {
                            set.push(k);
                        }
                    }
                    if let Some(Tok::Name(w)) = self.peek() {
                        if w == "for" {
                            self.skip_to_close("}")?;
                            return Ok(Value::Computed("a comprehension".into()));
                        }
                    }
                    if !self.eat(",") {
                        self.expect("}")?;
                        break;
                    }
                }
                Ok(if set.is_empty() { Value::Dict(pairs) } else { Value::List(set) })
            }
            Tok::Op("...") => Ok(Value::Computed("`...`".into())),
            Tok::Op(op) => {
                self.pos -= 1;
                self.err(format!("unexpected `{op}`"))
            }
            Tok::Newline => self.err("unexpected end of line"),
        }
    }

    fn skip_to_close(&mut self, close: &str) -> Result<(), SyntaxError> {
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(op) if *op == close && depth == 0 => {
                    self.pos += 1;
                    return Ok(());
                }
                Tok::Op(")" | "]" | "}") => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.err(format!("expected `{close}`"))
    }
}

fn call(callee: Value, args: Vec<Value>, kwargs: Vec<(String, Value)>) -> Value {
    let Value::Name(name) = callee else {
        return Value::Computed("a call".into());
    };
    if name == "re.compile" {
        return match args.first() {
            Some(Value::Str(s)) => {
                let flags = args.get(1).or_else(|| kwargs.iter().find(|(k, _)| k == "flags").map(|(_, v)| v));
                let ignore_case =
                    matches!(flags, Some(Value::Name(f)) if f.ends_with(".I") || f.ends_with(".IGNORECASE"));
                Value::Regex { source: s.clone(), ignore_case }
            }
            _ => Value::Computed("`re.compile` of a computed pattern".into()),
        };
    }
    if matches!(name.as_str(), "list" | "tuple" | "set" | "frozenset") && kwargs.is_empty() {
        match args.as_slice() {
            [] => return Value::List(Vec::new()),
            [Value::List(items)] => return Value::List(items.clone()),
            _ => {}
        }
    }
    if name == "dict" && args.is_empty() && kwargs.iter().all(|(k, _)| k != "**") {
        return Value::Dict(kwargs.into_iter().map(|(k, v)| (Value::Str(k), v)).collect());
    }
    Value::Call { callee: name, args, kwargs }
}

fn fold(op: &str, a: Value, b: Value) -> Value {
    match (op, a, b) {
        ("+", Value::List(mut x), Value::List(y)) => {
            x.extend(y);
            Value::List(x)
        }
        ("+", Value::Str(mut x), Value::Str(y)) => {
            x.push_str(&y);
            Value::Str(x)
        }
        (op, Value::Int(x), Value::Int(y)) => match op {
            "+" => Value::Int(x.saturating_add(y)),
            "-" => Value::Int(x.saturating_sub(y)),
            "*" => Value::Int(x.saturating_mul(y)),
            "//" if y != 0 => Value::Int(x.div_euclid(y)),
            _ => Value::Computed(format!("`{op}` on integers")),
        },
        (op, a, b) => {
            let why = a.not_literal().or_else(|| b.not_literal()).unwrap_or_else(|| format!("`{op}` on these values"));
            Value::Computed(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<Value> {
        None
    }

    fn value_of(src: &str) -> Value {
        let stmts = parse(src, &none).unwrap();
        match &stmts.last().unwrap().kind {
            StatementKind::Assign { value, .. } => value.clone(),
            StatementKind::Expr(v) => v.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn literals_and_folding() {
        assert_eq!(value_of("X = ['a', \"b\",]"), Value::List(vec![Value::Str("a".into()), Value::Str("b".into())]));
        assert_eq!(value_of("X = 60 * 60 * 24"), Value::Int(86400));
        assert_eq!(
            value_of("A = ('x',)\nX = A + ('y',)"),
            Value::List(vec![Value::Str("x".into()), Value::Str("y".into())])
        );
        assert_eq!(value_of("X = r'^https://\\w+\\.a\\.com$'"), Value::Str("^https://\\w+\\.a\\.com$".into()));
        assert_eq!(value_of("X = '^https://\\w+\\.a\\.com$'"), Value::Str("^https://\\w+\\.a\\.com$".into()));
        assert_eq!(value_of("X = ('a'\n  'b')"), Value::Str("ab".into()));
        assert_eq!(value_of("X = \"\"\"a\nb\"\"\""), Value::Str("a\nb".into()));
        assert_eq!(value_of("X = re.compile(r'^a$', re.I)"), Value::Regex { source: "^a$".into(), ignore_case: true });
    }

    #[test]
    fn computed_values_are_kept_with_their_reason() {
        assert!(matches!(value_of("X = os.environ['A']"), Value::Computed(w) if w.contains("os.environ")));
        assert!(matches!(value_of("X = f'https://{host}'"), Value::Computed(w) if w == "an f-string"));
        assert!(matches!(value_of("X = [o for o in y]"), Value::Computed(_)));
        assert!(matches!(value_of("X = 'a' if DEBUG else 'b'"), Value::Computed(_)));
        assert!(value_of("X = env.list('A')").not_literal().unwrap().contains("env.list"));
        assert!(value_of("X = BASE + ['a']").not_literal().unwrap().contains("BASE"));
    }

    #[test]
    fn calls_keep_their_keyword_arguments() {
        let v = value_of("CORS(app, origins=['https://a.com'], supports_credentials=True)");
        let Value::Call { kwargs, .. } = &v else { panic!("{v:?}") };
        assert!(kwargs.contains(&("supports_credentials".to_owned(), Value::Bool(true))));
        let stmts = parse("app.config['CORS_ORIGINS'] = 'x'\n", &none).unwrap();
        assert!(
            matches!(&stmts[0].kind, StatementKind::Assign { target: Target::Subscript(n, Value::Str(k)), .. } if n == "app.config" && k == "CORS_ORIGINS")
        );
    }

    #[test]
    fn blocks_and_syntax_errors() {
        let stmts = parse("if DEBUG:\n    CORS_ALLOW_ALL_ORIGINS = True\n", &none).unwrap();
        assert_eq!(stmts[1].indent, 4);
        assert_eq!(parse("X = [1, 2\n", &none).unwrap_err().line, 1);
        assert!(parse("X = 'abc\n", &none).is_err());
        assert!(parse("X = )", &none).is_err());
    }
}
