//! The CORS check, with Chromium's names for the ways it fails.

use http::HeaderMap;

use crate::error::CorsError;
use crate::headers::get_combined;

/// A failed check: the error and Chromium's `failed_parameter`.
pub(crate) type Failure = (CorsError, String);

/// <https://fetch.spec.whatwg.org/#concept-cors-check>
///
/// `Access-Control-Allow-Origin` against the serialized request origin,
/// then `Access-Control-Allow-Credentials` when credentials are included.
// CHROMIUM: `cors.cc` `CheckAccess`, whose classification of a failure
// names the `CorsError`.
pub(crate) fn cors_check(
    headers: &HeaderMap,
    serialized_origin: &str,
    include_credentials: bool,
) -> Result<(), Failure> {
    // step 1
    let acao = get_combined(headers, "access-control-allow-origin");
    match acao.as_deref() {
        // step 3; with credentials, step 4 fails (Chromium names it).
        Some("*") => {
            if include_credentials {
                return Err((CorsError::WildcardOriginNotAllowed, String::new()));
            }
            return Ok(());
        }
        // step 2
        None => return Err((CorsError::MissingAllowOriginHeader, String::new())),
        // step 4
        Some(v) if v != serialized_origin => {
            let err = if v.contains([' ', ',']) {
                CorsError::MultipleAllowOriginValues
            } else if v == "null" {
                CorsError::AllowOriginMismatch
            } else if !is_valid_gurl(v) {
                CorsError::InvalidAllowOriginValue
            } else {
                CorsError::AllowOriginMismatch
            };
            return Err((err, v.to_owned()));
        }
        Some(_) => {}
    }
    // step 5, then steps 6–8
    if include_credentials {
        let acac = get_combined(headers, "access-control-allow-credentials");
        if acac.as_deref() != Some("true") {
            return Err((CorsError::InvalidAllowCredentials, acac.unwrap_or_default()));
        }
    }
    Ok(())
}

/// An approximation of Chromium's `GURL::is_valid` for the values servers
/// put in `Access-Control-Allow-Origin`: an absolute URL with a scheme, and
/// a host for the special schemes.
fn is_valid_gurl(v: &str) -> bool {
    url::Url::parse(v).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::header_map as h;

    const O: &str = "https://a.test";

    #[test]
    #[allow(clippy::type_complexity)]
    fn cors_check_table() {
        use CorsError::*;
        let cases: &[(&[(&str, &str)], bool, Option<(CorsError, &str)>)] = &[
            (&[("access-control-allow-origin", "*")], false, None),
            (&[("access-control-allow-origin", " * ")], false, None),
            (&[("access-control-allow-origin", "*")], true, Some((WildcardOriginNotAllowed, ""))),
            (&[], false, Some((MissingAllowOriginHeader, ""))),
            (&[("access-control-allow-origin", O)], false, None),
            (
                &[("access-control-allow-origin", "https://a.test/")],
                false,
                Some((AllowOriginMismatch, "https://a.test/")),
            ),
            (
                &[("access-control-allow-origin", "HTTPS://A.TEST")],
                false,
                Some((AllowOriginMismatch, "HTTPS://A.TEST")),
            ),
            (&[("access-control-allow-origin", "null")], false, Some((AllowOriginMismatch, "null"))),
            (&[("access-control-allow-origin", "")], false, Some((InvalidAllowOriginValue, ""))),
            (&[("access-control-allow-origin", "**")], false, Some((InvalidAllowOriginValue, "**"))),
            (
                &[("access-control-allow-origin", O), ("access-control-allow-origin", O)],
                false,
                Some((MultipleAllowOriginValues, "https://a.test, https://a.test")),
            ),
            (&[("access-control-allow-origin", O)], true, Some((InvalidAllowCredentials, ""))),
            (
                &[("access-control-allow-origin", O), ("access-control-allow-credentials", "True")],
                true,
                Some((InvalidAllowCredentials, "True")),
            ),
            (&[("access-control-allow-origin", O), ("access-control-allow-credentials", "true")], true, None),
        ];
        for (headers, cred, want) in cases {
            let got = cors_check(&h(headers), O, *cred).err();
            assert_eq!(got, want.map(|(e, p)| (e, p.to_owned())), "{headers:?} {cred}");
        }
    }
}
