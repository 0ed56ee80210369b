//! Which certificates to trust, as a rustls `ClientConfig`.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::ConfigError;

/// Which certificates to trust, before extra PEM roots are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Roots {
    /// The operating system's own verifier (`rustls-platform-verifier`):
    /// its trust store, with the roots an enterprise installs there (a
    /// corporate TLS inspection CA among them), its policy, and revocation
    /// checks where the system makes them. The default, as in current
    /// reqwest.
    #[default]
    Platform,
    /// The Mozilla roots bundled at build time (webpki-roots), whatever the
    /// machine trusts.
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
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, ConfigError> {
        let before = self.extra.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            self.extra
                .push(cert.map_err(|e| ConfigError::Pem(Box::new(e)))?);
        }
        if self.extra.len() == before {
            return Err(ConfigError::NoCertificateInPem);
        }
        Ok(self)
    }

    /// Builds a client configuration with the `ring` provider, TLS 1.2 and
    /// 1.3, and the given ALPN protocols (e.g. `[b"h2", b"http/1.1"]`).
    pub fn client_config(&self, alpn: &[&[u8]]) -> Result<Arc<rustls::ClientConfig>, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::Tls(Box::new(e)))?;
        let builder = match self.roots {
            Roots::Platform => {
                let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.extra.iter().cloned(),
                    provider,
                )
                .map_err(|e| ConfigError::Tls(Box::new(e)))?;
                // A verifier of our choosing, not a disabled one: this is
                // rustls's only way to plug the operating system's in.
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
            }
            Roots::Webpki | Roots::ExtraOnly => {
                let mut store = RootCertStore::empty();
                if self.roots == Roots::Webpki {
                    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                }
                for cert in &self.extra {
                    store
                        .add(cert.clone())
                        .map_err(|e| ConfigError::InvalidRoot(Box::new(e)))?;
                }
                if store.is_empty() {
                    return Err(ConfigError::NoRoots);
                }
                builder.with_root_certificates(store)
            }
        };
        let mut config = builder.with_no_client_auth();
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
        assert!(matches!(err, ConfigError::NoCertificateInPem), "{err:?}");
    }

    #[test]
    fn extra_only_without_roots_is_an_error() {
        let err = TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .client_config(&[])
            .unwrap_err();
        assert!(matches!(err, ConfigError::NoRoots), "{err:?}");
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
