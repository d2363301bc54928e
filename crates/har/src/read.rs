//! Reading a HAR file: JSON into the [model](crate::model), with errors that
//! name the entry and the position, and never a panic.

use std::fmt;

use crate::model::{Har, ENTRY_ERROR_PREFIX};

/// Why a file could not be read as HAR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// What is wrong.
    pub kind: ReadErrorKind,
    /// The `log.entries` index of the entry being read, when the error is
    /// inside one.
    pub entry: Option<usize>,
    /// 1-based line and column of the error (0 when not positional).
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// The parser's message.
    pub message: String,
}

/// The kinds of [`ReadError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The file is empty (or only whitespace).
    Empty,
    /// The file ends in the middle of the JSON: a truncated export.
    Truncated,
    /// Not JSON, or JSON of the wrong shape (no `log.entries`, a field of the
    /// wrong type).
    Invalid,
    /// `log.version` is not a HAR 1.x version.
    UnsupportedVersion,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ReadErrorKind::Empty => "the file is empty",
            ReadErrorKind::Truncated => "the file ends too early (a truncated export?)",
            ReadErrorKind::Invalid => "not a HAR file",
            ReadErrorKind::UnsupportedVersion => "unsupported HAR version",
        };
        f.write_str(what)?;
        if let Some(i) = self.entry {
            write!(f, " in entry {i} (log.entries[{i}])")?;
        }
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {}

/// The HAR versions read: 1.1 and 1.2 (the only ones browsers write).
const VERSIONS: [&str; 2] = ["1.1", "1.2"];

/// Parses a HAR file. Bodies are skipped, not kept; a missing
/// `log.version` is read as 1.2.
pub(crate) fn read(bytes: &[u8]) -> Result<Har, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError { kind: ReadErrorKind::Empty, entry: None, line: 0, column: 0, message: String::new() });
    }
    let har: Har = serde_json::from_slice(bytes).map_err(from_json)?;
    if let Some(v) = har.log.version.as_deref() {
        if !VERSIONS.contains(&v) {
            return Err(ReadError {
                kind: ReadErrorKind::UnsupportedVersion,
                entry: None,
                line: 0,
                column: 0,
                message: format!("log.version is \"{v}\"; crossgate reads HAR 1.1 and 1.2"),
            });
        }
    }
    Ok(har)
}

fn from_json(e: serde_json::Error) -> ReadError {
    // serde_json's message ends with " at line L column C", kept apart here.
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let mut message = full.strip_suffix(suffix.as_str()).unwrap_or(&full).to_owned();
    let mut entry = None;
    // `entries[7]: …`, possibly nested once per retry of the same error.
    while let Some(rest) = message.strip_prefix(ENTRY_ERROR_PREFIX) {
        let Some((n, tail)) = rest.split_once("]: ") else { break };
        let Ok(n) = n.parse::<usize>() else { break };
        entry = Some(n);
        message = tail.strip_suffix(suffix.as_str()).unwrap_or(tail).to_owned();
    }
    // An entry's error was re-raised with its index, which loses its
    // category but keeps serde_json's wording.
    let kind = if e.is_eof() || message.starts_with("EOF while parsing") {
        ReadErrorKind::Truncated
    } else {
        ReadErrorKind::Invalid
    };
    ReadError { kind, entry, line: e.line(), column: e.column(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://a.test/"}}]}}"#;

    #[test]
    fn errors_name_the_entry_and_position() {
        let two = r#"{"log":{"version":"1.2","entries":[
{"request":{"method":"GET","url":"https://a.test/"}},
{"request":{"method":"GET","url":5}}]}}"#;
        let cases: &[(&str, ReadErrorKind, Option<usize>, usize)] = &[
            ("", ReadErrorKind::Empty, None, 0),
            ("  \n", ReadErrorKind::Empty, None, 0),
            (&ONE[..60], ReadErrorKind::Truncated, Some(0), 1),
            (&ONE[..20], ReadErrorKind::Truncated, None, 1),
            ("<html>", ReadErrorKind::Invalid, None, 1),
            (r#"{"log":{"version":"1.2"}}"#, ReadErrorKind::Invalid, None, 1),
            (two, ReadErrorKind::Invalid, Some(1), 3),
            (r#"{"log":{"version":"2.0","entries":[]}}"#, ReadErrorKind::UnsupportedVersion, None, 0),
        ];
        for (text, kind, entry, line) in cases {
            let e = read(text.as_bytes()).unwrap_err();
            assert_eq!((e.kind, e.entry, e.line), (*kind, *entry, *line), "{text:?}: {e}");
            assert!(!e.to_string().contains("entries[0]: entries"), "{e}");
        }
        let e = read(two.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("not a HAR file in entry 1 (log.entries[1]) at line 3 column"), "{e}");
    }

    #[test]
    fn reads_a_minimal_file_with_a_bom() {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend_from_slice(ONE.as_bytes());
        let har = read(&bytes).unwrap();
        assert_eq!(har.log.entries.0.len(), 1);
        assert_eq!(har.log.entries.0[0].request.url, "https://a.test/");
    }
}
