//! Bounded parsing of `Access-Control-Request-Headers`.
//!
//! The header is `1#field-name`
//! (<https://fetch.spec.whatwg.org/#http-new-header-syntax>): names
//! separated by commas with optional whitespace. Browsers send it
//! lower-case, sorted and without spaces, but proxies may split it over
//! several lines or add spaces. The parser accepts all of that within fixed limits, so a hostile header costs
//! a small constant: a 1 MiB value is refused by its length alone, before a
//! byte of it is read.

use http::header::{GetAll, HeaderMap, HeaderValue, ValueIter, ACCESS_CONTROL_REQUEST_HEADERS};

use crate::fetch::{is_http_tab_or_space, is_tchar, trim_http_tab_or_space};

/// The most bytes of `Access-Control-Request-Headers` crossgate reads, over
/// all lines. A browser lists only the page's own non-safelisted header
/// names; 4 KiB is dozens of them.
pub const MAX_ACRH_BYTES: usize = 4096;
/// The most lines of `Access-Control-Request-Headers` accepted.
pub const MAX_ACRH_LINES: usize = 8;
/// The most empty list elements (`a,,b`) accepted; Fetch allows some.
pub const MAX_ACRH_EMPTY_ELEMENTS: usize = 16;

/// Why `Access-Control-Request-Headers` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AcrhProblem {
    /// Longer than [`MAX_ACRH_BYTES`].
    TooLong,
    /// More than [`MAX_ACRH_LINES`] lines.
    TooManyLines,
    /// More than [`MAX_ACRH_EMPTY_ELEMENTS`] empty elements.
    TooManyEmptyElements,
    /// An element is not a header name.
    InvalidName,
}

impl AcrhProblem {
    /// A short description.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            AcrhProblem::TooLong => "longer than 4096 bytes",
            AcrhProblem::TooManyLines => "more than 8 lines",
            AcrhProblem::TooManyEmptyElements => "more than 16 empty list elements",
            AcrhProblem::InvalidName => "an element is not a header name",
        }
    }
}

/// A checked `Access-Control-Request-Headers`: its lines, each known to be a
/// well-formed list within the limits.
///
/// Holds the header map's view of the lines rather than a copy of them, so
/// that it stays small enough to pass around in registers.
#[derive(Debug)]
pub(crate) struct RequestedHeaders<'a> {
    lines: GetAll<'a, HeaderValue>,
    count: usize,
    /// The first line as sent, so that echoing a one-line request needs no
    /// second header-map probe.
    first: Option<&'a HeaderValue>,
    /// How many names were requested (empty elements not counted).
    names: usize,
}

type Lines<'a> = std::iter::Map<ValueIter<'a, HeaderValue>, fn(&'a HeaderValue) -> &'a [u8]>;

impl<'a> RequestedHeaders<'a> {
    /// <https://fetch.spec.whatwg.org/#http-access-control-request-headers>
    ///
    /// Reads every line of the header, within the limits.
    #[inline]
    pub(crate) fn from_headers(headers: &'a HeaderMap) -> Result<Self, AcrhProblem> {
        let lines = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        let mut count = 0;
        let mut total = 0;
        let mut first = None;
        for value in lines.iter() {
            if count == MAX_ACRH_LINES {
                return Err(AcrhProblem::TooManyLines);
            }
            total += value.len();
            if total > MAX_ACRH_BYTES {
                return Err(AcrhProblem::TooLong);
            }
            first.get_or_insert(value);
            count += 1;
        }
        let names = validate(lines.iter().map(HeaderValue::as_bytes))?;
        Ok(RequestedHeaders { lines, count, first, names })
    }

    /// The requested names, as sent (not lower-cased), empty elements skipped.
    pub(crate) fn names(&self) -> Names<'a, Lines<'a>> {
        let as_bytes: fn(&'a HeaderValue) -> &'a [u8] = HeaderValue::as_bytes;
        Names { lines: self.lines.iter().map(as_bytes), rest: &[] }
    }

    /// Whether no name was requested.
    pub(crate) fn is_empty(&self) -> bool {
        self.names == 0
    }

    /// The number of header lines.
    pub(crate) fn line_count(&self) -> usize {
        self.count
    }

    /// The first line's value, if any.
    pub(crate) fn first_line(&self) -> Option<&'a HeaderValue> {
        self.first
    }
}

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1>
///
/// Checks every element in order — the first empty element past the limit
/// or the first element that is not a name is the problem — and counts the
/// names.
///
/// One pass over the bytes per line, with no adaptor chains: this runs on
/// every preflight. Per element: optional whitespace, a run of `tchar`s,
/// optional whitespace, then a comma or the end of the line; anything else
/// means the trimmed element is not a name.
#[inline]
fn validate<'l>(lines: impl Iterator<Item = &'l [u8]>) -> Result<usize, AcrhProblem> {
    let mut empty = 0;
    let mut names = 0;
    for line in lines {
        let mut rest: &[u8] = line;
        loop {
            let element = skip_tab_or_space(rest);
            let name_len = element.iter().position(|&b| !is_tchar(b)).unwrap_or(element.len());
            let after = skip_tab_or_space(&element[name_len..]);
            let last = match after.split_first() {
                None => true,
                Some((b',', tail)) => {
                    rest = tail;
                    false
                }
                Some(_) => return Err(AcrhProblem::InvalidName),
            };
            if name_len == 0 {
                empty += 1;
                if empty > MAX_ACRH_EMPTY_ELEMENTS {
                    return Err(AcrhProblem::TooManyEmptyElements);
                }
            } else {
                names += 1;
            }
            if last {
                break;
            }
        }
    }
    Ok(names)
}

/// `s` without its leading tabs and spaces.
fn skip_tab_or_space(s: &[u8]) -> &[u8] {
    let n = s.iter().position(|&b| !is_http_tab_or_space(b)).unwrap_or(s.len());
    &s[n..]
}

/// The non-empty elements of the lines, trimmed: what
/// `lines.flat_map(split(',')).map(trim).filter(non-empty)` yields, without
/// the adaptor chain (it runs once per rule on every preflight).
pub(crate) struct Names<'a, L> {
    /// Lines not started yet.
    lines: L,
    /// What is left of the current line.
    rest: &'a [u8],
}

impl<'a, L: Iterator<Item = &'a [u8]>> Iterator for Names<'a, L> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            if self.rest.is_empty() {
                // An exhausted (or empty) line has no non-empty element left.
                self.rest = self.lines.next()?;
                continue;
            }
            let element = match self.rest.iter().position(|&b| b == b',') {
                Some(comma) => {
                    let e = &self.rest[..comma];
                    self.rest = &self.rest[comma + 1..];
                    e
                }
                None => std::mem::take(&mut self.rest),
            };
            let element = trim_http_tab_or_space(element);
            if !element.is_empty() {
                return Some(element);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(lines: &[&'static str]) -> Result<Vec<String>, AcrhProblem> {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(ACCESS_CONTROL_REQUEST_HEADERS, HeaderValue::from_static(l));
        }
        let r = RequestedHeaders::from_headers(&h)?;
        Ok(r.names().map(|n| String::from_utf8(n.to_vec()).unwrap()).collect())
    }

    #[test]
    fn lists() {
        assert_eq!(parse(&["content-type,x-a"]).unwrap(), ["content-type", "x-a"]);
        assert_eq!(parse(&["X-A , x-b", "x-c"]).unwrap(), ["X-A", "x-b", "x-c"]);
        assert_eq!(parse(&["a,,b,"]).unwrap(), ["a", "b"]);
        assert!(parse(&[]).unwrap().is_empty());
    }

    /// The element-by-element definition the single pass must agree with.
    fn reference(lines: &[&[u8]]) -> Result<usize, AcrhProblem> {
        let (mut empty, mut names) = (0, 0);
        for element in lines.iter().flat_map(|l| l.split(|&b| b == b',')).map(trim_http_tab_or_space) {
            if element.is_empty() {
                empty += 1;
                if empty > MAX_ACRH_EMPTY_ELEMENTS {
                    return Err(AcrhProblem::TooManyEmptyElements);
                }
            } else if !element.iter().all(|&b| is_tchar(b)) {
                return Err(AcrhProblem::InvalidName);
            } else {
                names += 1;
            }
        }
        Ok(names)
    }

    #[test]
    fn single_pass_matches_the_definition() {
        // Every string of up to 5 bytes over an alphabet with each class of byte.
        let alphabet = [b'a', b'Z', b'-', b',', b' ', b'\t', b';', 0x01, 0xff];
        let mut cases: Vec<Vec<u8>> = vec![vec![]];
        for _ in 0..5 {
            let next: Vec<Vec<u8>> = cases
                .iter()
                .filter(|c| c.len() == cases.last().unwrap().len())
                .flat_map(|c| alphabet.iter().map(move |&b| [c.clone(), vec![b]].concat()))
                .collect();
            cases.extend(next);
        }
        cases.push(b",".repeat(17));
        cases.push([b",".repeat(16), b";".to_vec()].concat());
        cases.push([b";".to_vec(), b",".repeat(17)].concat());
        for case in &cases {
            for split in [None, Some(case.len() / 2)] {
                let lines: Vec<&[u8]> = match split {
                    None => vec![case],
                    Some(k) => vec![&case[..k], &case[k..]],
                };
                assert_eq!(validate(lines.iter().copied()), reference(&lines), "{lines:?}");
                let expected: Vec<&[u8]> = lines
                    .iter()
                    .flat_map(|l| l.split(|&b| b == b','))
                    .map(trim_http_tab_or_space)
                    .filter(|e| !e.is_empty())
                    .collect();
                let names = Names { lines: lines.iter().copied(), rest: &[] };
                assert_eq!(names.collect::<Vec<_>>(), expected, "{lines:?}");
            }
        }
    }

    #[test]
    fn limits() {
        assert_eq!(parse(&["a b"]), Err(AcrhProblem::InvalidName));
        assert_eq!(parse(&["x-a;y"]), Err(AcrhProblem::InvalidName));
        assert_eq!(parse(&[",,,,,,,,,,,,,,,,,,,,"]), Err(AcrhProblem::TooManyEmptyElements));
        assert_eq!(parse(&["a"; 9]), Err(AcrhProblem::TooManyLines));
        let long: &'static str = Box::leak("a,".repeat(3000).into_boxed_str());
        assert_eq!(parse(&[long]), Err(AcrhProblem::TooLong));
    }
}
