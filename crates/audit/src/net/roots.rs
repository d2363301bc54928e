//! The certificates a client trusts: the Mozilla root store (webpki-roots)
//! and the PEM file given as `--cacert`.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

/// The Mozilla root store plus every certificate in `cacert`.
///
/// # Errors
///
/// `cacert` cannot be read, holds an invalid certificate, or none.
pub fn root_store(cacert: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = cacert {
        let certs =
            CertificateDer::pem_file_iter(path).map_err(|e| format!("cannot read --cacert {}: {e}", path.display()))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| format!("--cacert {}: {e}", path.display()))?;
            roots.add(cert).map_err(|e| format!("--cacert {}: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("--cacert {}: no certificate found", path.display()));
        }
    }
    Ok(roots)
}
