//! A literal value read from Python or JavaScript source, never evaluated
//! beyond constant folding: anything that would need the program to run is
//! kept as [`Value::Computed`] with the reason, so the importer can name it.

/// A value as written in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `None`, `null`, `undefined`.
    Null,
    /// A list, tuple or set (Python) or an array (JavaScript).
    List(Vec<Value>),
    /// A dict or object, in source order.
    Dict(Vec<(Value, Value)>),
    /// `re.compile(...)`, a JavaScript `/.../flags` or `new RegExp(...)`.
    Regex {
        source: String,
        ignore_case: bool,
    },
    /// A call kept unevaluated: `CORS(app, ...)`, `env.list(...)`.
    Call {
        callee: String,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    },
    /// A name that is not a known literal: `app`, `CORSMiddleware`, `settings.X`.
    Name(String),
    /// Something that only running the program could tell, and why.
    Computed(String),
}

impl Value {
    /// Why this value is not a literal, if it is not (searching nested values).
    pub(crate) fn not_literal(&self) -> Option<String> {
        match self {
            Value::Computed(why) => Some(why.clone()),
            Value::Name(n) => Some(format!("it refers to `{n}`")),
            Value::Call { callee, .. } => Some(format!("it calls `{callee}(…)`")),
            Value::List(items) => items.iter().find_map(Value::not_literal),
            Value::Dict(pairs) => pairs.iter().find_map(|(k, v)| k.not_literal().or_else(|| v.not_literal())),
            _ => None,
        }
    }

    /// A short description of the type, for wrong-type messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "None/null",
            Value::List(_) => "a list",
            Value::Dict(_) => "a dict/object",
            Value::Regex { .. } => "a regular expression",
            Value::Call { .. } => "a call",
            Value::Name(_) => "a variable",
            Value::Computed(_) => "a computed value",
        }
    }

    /// The value as the source would print it, shortened.
    pub(crate) fn display(&self) -> String {
        let s = match self {
            Value::Str(s) => format!("{s:?}"),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => "None".into(),
            Value::List(items) => format!("[{}]", items.iter().map(Value::display).collect::<Vec<_>>().join(", ")),
            Value::Dict(pairs) => format!(
                "{{{}}}",
                pairs.iter().map(|(k, v)| format!("{}: {}", k.display(), v.display())).collect::<Vec<_>>().join(", ")
            ),
            Value::Regex { source, .. } => format!("/{source}/"),
            Value::Call { callee, .. } => format!("{callee}(…)"),
            Value::Name(n) => n.clone(),
            Value::Computed(why) => format!("<{why}>"),
        };
        if s.chars().count() > 120 {
            format!("{}…", s.chars().take(117).collect::<String>())
        } else {
            s
        }
    }
}
