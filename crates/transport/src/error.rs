//! Configuration errors.

/// A transport setting could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// A PEM file held no certificate.
    #[error("no certificate found in pem data")]
    NoCertificateInPem,
    /// A PEM file could not be read.
    #[error("invalid pem data")]
    Pem(#[source] rustls::pki_types::pem::Error),
    /// A root certificate was rejected by rustls.
    #[error("invalid root certificate")]
    InvalidRoot(#[source] rustls::Error),
    /// No trusted root at all: the operating system's store was empty or
    /// unreadable and no extra roots were given.
    #[error("no trusted root certificates (the system store is empty or unreadable)")]
    NoRoots,
    /// The TLS configuration could not be built.
    #[error("tls configuration failed")]
    Tls(#[source] rustls::Error),
    /// A proxy URL could not be used.
    #[error("invalid proxy url: {reason}")]
    InvalidProxy {
        /// What is wrong, without the URL (it may carry credentials).
        reason: &'static str,
    },
}
