//! Tokens, the grammar of methods and header names.

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>
///
/// Whether `b` is a `tchar`.
#[inline]
pub const fn is_tchar(b: u8) -> bool {
    // A table: request headers are checked byte by byte on every preflight,
    // and one load beats the chain of range comparisons `matches!` becomes.
    TCHAR[b as usize]
}

const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = matches!(i as u8,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
            | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        i += 1;
    }
    table
};

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>
///
/// Whether `s` is a `token`: one or more `tchar`s.
#[inline]
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}
