//! Bounded parsing of `Access-Control-Request-Headers`.
//!
//! The header is `1#field-name` ([Fetch §3.2.2]): names separated by commas
//! with optional whitespace. Browsers send it lower-case, sorted and without
//! spaces, but proxies may split it over several lines or add spaces. The
//! parser accepts all of that within fixed limits, so a hostile header costs
//! a small constant: a 1 MiB value is refused by its length alone, before a
//! byte of it is read.
//!
//! [Fetch §3.2.2]: https://fetch.spec.whatwg.org/#http-new-header-syntax

use http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_HEADERS};

use crate::fetch::{is_tchar, trim_http_tab_or_space};

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
pub enum AcrhProblem {
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
    pub const fn as_str(self) -> &'static str {
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
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestedHeaders<'a> {
    lines: [&'a [u8]; MAX_ACRH_LINES],
    count: usize,
}

impl<'a> RequestedHeaders<'a> {
    pub(crate) fn from_headers(headers: &'a HeaderMap) -> Result<Self, AcrhProblem> {
        let mut lines: [&[u8]; MAX_ACRH_LINES] = [&[]; MAX_ACRH_LINES];
        let mut count = 0;
        let mut total = 0;
        for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            if count == MAX_ACRH_LINES {
                return Err(AcrhProblem::TooManyLines);
            }
            total += value.len();
            if total > MAX_ACRH_BYTES {
                return Err(AcrhProblem::TooLong);
            }
            lines[count] = value.as_bytes();
            count += 1;
        }
        let parsed = RequestedHeaders { lines, count };
        parsed.validate()?;
        Ok(parsed)
    }

    fn validate(&self) -> Result<(), AcrhProblem> {
        let mut empty = 0;
        for element in self.elements() {
            if element.is_empty() {
                empty += 1;
                if empty > MAX_ACRH_EMPTY_ELEMENTS {
                    return Err(AcrhProblem::TooManyEmptyElements);
                }
            } else if !element.iter().all(|&b| is_tchar(b)) {
                return Err(AcrhProblem::InvalidName);
            }
        }
        Ok(())
    }

    fn elements(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.lines[..self.count]
            .iter()
            .flat_map(|line| line.split(|&b| b == b','))
            .map(trim_http_tab_or_space)
    }

    /// The requested names, as sent (not lower-cased), empty elements skipped.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.elements().filter(|e| !e.is_empty())
    }

    /// Whether no name was requested.
    pub(crate) fn is_empty(&self) -> bool {
        self.names().next().is_none()
    }

    /// The number of header lines.
    pub(crate) fn line_count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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
