//! YAML (and so JSON) read as data, every document of a stream, through
//! `serde_norway` (the maintained fork of `serde_yaml`, which is deprecated);
//! values are walked by path so that a finding can name `rules[0].filters[1]`.

use serde_norway::{Mapping, Value};

/// A syntax error with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// Every document of a YAML stream (`---`-separated), or JSON.
pub(crate) fn parse(src: &str) -> Result<Vec<Value>, SyntaxError> {
    let mut docs = Vec::new();
    for doc in serde_norway::Deserializer::from_str(src) {
        let v: Value = serde::Deserialize::deserialize(doc)
            .map_err(|e| SyntaxError { line: e.location().map_or(1, |l| l.line()), message: e.to_string() })?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// The value of `key` in a mapping.
pub(crate) fn get<'v>(m: &'v Mapping, key: &str) -> Option<&'v Value> {
    m.get(Value::String(key.to_owned()))
}

/// The keys of a mapping that are strings.
pub(crate) fn keys(m: &Mapping) -> impl Iterator<Item = &str> {
    m.keys().filter_map(Value::as_str)
}

/// Every mapping in `v` (itself included), with its path, depth first.
pub(crate) fn mappings<'v>(v: &'v Value, path: String, out: &mut Vec<(String, &'v Mapping)>) {
    match v {
        Value::Mapping(m) => {
            out.push((path.clone(), m));
            for (k, child) in m {
                let key = k.as_str().map_or_else(|| "?".to_owned(), str::to_owned);
                let p = if path.is_empty() { key } else { format!("{path}.{key}") };
                mappings(child, p, out);
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                mappings(child, format!("{path}[{i}]"), out);
            }
        }
        Value::Tagged(t) => mappings(&t.value, path, out),
        _ => {}
    }
}

/// The name of a value's type, for wrong-type messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A value as YAML would print it, on one line, shortened.
pub(crate) fn display(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => serde_norway::to_string(other).unwrap_or_default().trim().replace('\n', " "),
    };
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(117).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_paths() {
        let docs = parse("a: 1\n---\nb:\n  - c: {d: true}\n").unwrap();
        assert_eq!(docs.len(), 2);
        let mut found = Vec::new();
        mappings(&docs[1], String::new(), &mut found);
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["", "b[0]", "b[0].c"]);
        assert_eq!(parse(r#"{"x": [1, 2]}"#).unwrap().len(), 1);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
    }
}
