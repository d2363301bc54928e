//! nginx configuration read as data: directives (a name, its arguments and
//! an optional `{ … }` block), with the line of each. The syntax is nginx's
//! (`ngx_conf_file.c`): words separated by whitespace, `;` ending a simple
//! directive, `{`/`}` around a block, `#` starting a comment at the start
//! of a word, and `"…"`/`'…'` quoting with backslash escapes.

/// A syntax error with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// One directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Directive {
    pub(crate) name: String,
    pub(crate) args: Vec<String>,
    pub(crate) line: usize,
    /// The directives of its `{ … }` block, if it has one.
    pub(crate) block: Option<Vec<Directive>>,
}

impl Directive {
    /// The directives of its block (none for a simple directive).
    pub(crate) fn children(&self) -> &[Directive] {
        self.block.as_deref().unwrap_or(&[])
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Semi,
    Open,
    Close,
}

fn err(line: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { line, message: message.into() }
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let (mut i, mut line) = (0, 1);
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ';' => {
                out.push((Tok::Semi, line));
                i += 1;
            }
            '{' => {
                out.push((Tok::Open, line));
                i += 1;
            }
            '}' => {
                out.push((Tok::Close, line));
                i += 1;
            }
            '"' | '\'' => {
                let start = line;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "unterminated quoted string")),
                        Some(q) if *q == c => break,
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some('"') => s.push('"'),
                                Some('\'') => s.push('\''),
                                Some('\\') => s.push('\\'),
                                Some('t') => s.push('\t'),
                                Some('r') => s.push('\r'),
                                Some('n') => s.push('\n'),
                                Some(other) => {
                                    s.push('\\');
                                    s.push(*other);
                                }
                                None => return Err(err(start, "unterminated quoted string")),
                            }
                            i += 1;
                        }
                        Some(ch) => {
                            line += usize::from(*ch == '\n');
                            s.push(*ch);
                        }
                    }
                    i += 1;
                }
                i += 1;
                if chars.get(i).is_some_and(|n| !n.is_whitespace() && !matches!(n, ';' | '{' | '}' | ')')) {
                    return Err(err(line, format!("unexpected \"{}\" after a quoted string", chars[i])));
                }
                out.push((Tok::Word(s), start));
            }
            _ => {
                let mut s = String::new();
                while let Some(&ch) = chars.get(i) {
                    if ch.is_whitespace() || matches!(ch, ';' | '{' | '}') {
                        // `${name}` is a variable, not a block.
                        if ch == '{' && s.ends_with('$') {
                            let end = chars[i..].iter().position(|c| *c == '}');
                            let end = end.ok_or_else(|| err(line, "unterminated `${`"))?;
                            s.extend(&chars[i..=i + end]);
                            i += end + 1;
                            continue;
                        }
                        break;
                    }
                    if ch == '\\' && i + 1 < chars.len() {
                        s.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    s.push(ch);
                    i += 1;
                }
                out.push((Tok::Word(s), line));
            }
        }
    }
    Ok(out)
}

/// Parses a configuration file (or a part of one: a `server` block, a
/// site file, the body of a `location`) into its directives.
pub(crate) fn parse(src: &str) -> Result<Vec<Directive>, SyntaxError> {
    let toks = tokenize(src)?;
    let mut pos = 0;
    let out = block(&toks, &mut pos, None)?;
    Ok(out)
}

fn block(toks: &[(Tok, usize)], pos: &mut usize, opened: Option<usize>) -> Result<Vec<Directive>, SyntaxError> {
    let mut out = Vec::new();
    loop {
        let Some((tok, line)) = toks.get(*pos) else {
            return match opened {
                Some(l) => Err(err(l, "this `{` is never closed")),
                None => Ok(out),
            };
        };
        *pos += 1;
        let name = match tok {
            Tok::Close if opened.is_some() => return Ok(out),
            Tok::Close => return Err(err(*line, "unexpected `}`")),
            Tok::Semi => return Err(err(*line, "unexpected `;`")),
            Tok::Open => return Err(err(*line, "unexpected `{` (a block needs a directive name)")),
            Tok::Word(w) => w.clone(),
        };
        let mut args = Vec::new();
        loop {
            match toks.get(*pos) {
                None => return Err(err(*line, format!("`{name}` has no ending `;` or block"))),
                Some((Tok::Word(w), _)) => args.push(w.clone()),
                Some((Tok::Semi, _)) => {
                    *pos += 1;
                    out.push(Directive { name, args, line: *line, block: None });
                    break;
                }
                Some((Tok::Open, l)) => {
                    *pos += 1;
                    let children = block(toks, pos, Some(*l))?;
                    out.push(Directive { name, args, line: *line, block: Some(children) });
                    break;
                }
                Some((Tok::Close, l)) => return Err(err(*l, format!("`{name}` has no ending `;`"))),
            }
            *pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_blocks_quotes_and_comments() {
        let src = "map $http_origin $cors { # origins\n  default \"\";\n  \"~^https://(.+\\.)?example\\.com$\" $http_origin;\n}\nserver {\n  listen 80;\n  location /api/ {\n    if ($request_method = 'OPTIONS') { return 204; }\n    add_header 'Access-Control-Allow-Origin' \"$cors\" always;\n  }\n}\n";
        let d = parse(src).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].name.as_str(), d[0].args.clone()), ("map", vec!["$http_origin".to_owned(), "$cors".into()]));
        let map = d[0].children();
        assert_eq!(map[0].args, [""]);
        assert_eq!(map[1].name, "~^https://(.+\\.)?example\\.com$");
        assert_eq!(map[1].line, 3);
        let location = &d[1].children()[1];
        assert_eq!((location.name.as_str(), location.line), ("location", 7));
        let iff = &location.children()[0];
        // As in nginx, a `)` right after a quoted string is a word of its own.
        assert_eq!(iff.args, ["($request_method", "=", "OPTIONS", ")"]);
        assert_eq!(iff.children()[0].args, ["204"]);
        let add = &location.children()[1];
        assert_eq!(add.args, ["Access-Control-Allow-Origin", "$cors", "always"]);
        assert_eq!(add.line, 9);
    }

    #[test]
    fn variables_in_braces_are_words() {
        let d = parse("add_header X ${scheme}://a;").unwrap();
        assert_eq!(d[0].args, ["X", "${scheme}://a"]);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        for (src, line, word) in [
            ("server {\n  listen 80;\n", 1, "never closed"),
            ("listen 80;\n}\n", 2, "unexpected `}`"),
            ("server {\n add_header A b\n}", 3, "no ending `;`"),
            ("add_header 'A\n b;", 1, "unterminated"),
            ("add_header \"A\"b;", 1, "after a quoted string"),
            ("\n;", 2, "unexpected `;`"),
            ("listen 80", 1, "no ending"),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!(e.line, line, "{src:?}: {e:?}");
            assert!(e.message.contains(word), "{src:?}: {e:?} should say {word:?}");
        }
    }
}
