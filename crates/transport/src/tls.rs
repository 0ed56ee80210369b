//! Which certificates to trust, as a rustls `ClientConfig`.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::TransportError;

/// Where the trusted roots come from, before extra PEM roots are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Roots {
    /// The operating system's store: what corporate TLS inspection and
    /// company-managed roots need. The default.
    #[default]
    Platform,
    /// The Mozilla roots bundled at build time (webpki-roots).
    Webpki,
    /// Only the roots added with [`TlsSettings::add_root_pem`] (tests, or a
    /// private deployment with its own CA).
    ExtraOnly,
}

/// TLS trust settings. Certificate verification is always on.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct TlsSettings {
    roots: Roots,
    extra: Vec<CertificateDer<'static>>,
}

impl TlsSettings {
    /// The operating system's roots and nothing else.
    pub fn new() -> Self {
        TlsSettings::default()
    }

    /// Chooses the base set of roots.
    pub fn roots(mut self, roots: Roots) -> Self {
        self.roots = roots;
        self
    }

    /// Adds every certificate in `pem` as a trusted root, on top of the base
    /// set. Fails if `pem` holds no certificate.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let before = self.extra.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            self.extra.push(cert.map_err(TransportError::Pem)?);
        }
        if self.extra.len() == before {
            return Err(TransportError::NoCertificateInPem);
        }
        Ok(self)
    }

    /// Builds a client configuration with the `ring` provider, TLS 1.2 and
    /// 1.3, and the given ALPN protocols (e.g. `[b"h2", b"http/1.1"]`).
    pub fn client_config(
        &self,
        alpn: &[&[u8]],
    ) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        let mut store = RootCertStore::empty();
        match self.roots {
            Roots::Platform => {
                // Unreadable entries are skipped, as browsers do; an empty
                // result is reported below unless extra roots make up for it.
                let found = rustls_native_certs::load_native_certs();
                let _ = store.add_parsable_certificates(found.certs);
            }
            Roots::Webpki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Roots::ExtraOnly => {}
        }
        for cert in &self.extra {
            store
                .add(cert.clone())
                .map_err(TransportError::InvalidRoot)?;
        }
        if store.is_empty() {
            return Err(TransportError::NoRoots);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TransportError::Tls)?
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_certificate_is_an_error() {
        let err = TlsSettings::new()
            .add_root_pem(b"not pem at all")
            .unwrap_err();
        assert!(matches!(err, TransportError::NoCertificateInPem), "{err:?}");
    }

    #[test]
    fn extra_only_without_roots_is_an_error() {
        let err = TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .client_config(&[])
            .unwrap_err();
        assert!(matches!(err, TransportError::NoRoots), "{err:?}");
    }

    #[test]
    fn webpki_roots_build_with_alpn() {
        let config = TlsSettings::new()
            .roots(Roots::Webpki)
            .client_config(&[b"h2", b"http/1.1"])
            .expect("config");
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
