//! Configuration errors.

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A client setting could not be used. Fix the setting: retrying will not
/// help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A PEM given as extra roots held no certificate.
    #[error("no certificate found in pem data")]
    NoCertificateInPem,
    /// A PEM given as extra roots could not be read.
    #[error("invalid pem data")]
    Pem(#[source] BoxError),
    /// A root certificate was refused (malformed, or not a CA).
    #[error("invalid root certificate")]
    InvalidRoot(#[source] BoxError),
    /// No trusted root at all: only the caller's roots were asked for, and
    /// none were given.
    #[error("no trusted root certificates")]
    NoRoots,
    /// The TLS configuration could not be built (the operating system's
    /// verifier could not start, for one).
    #[error("tls configuration failed")]
    Tls(#[source] BoxError),
    /// A proxy URL (given, or from `HTTPS_PROXY`/`ALL_PROXY`) could not be
    /// used.
    #[error("invalid proxy url: {reason}")]
    InvalidProxy {
        /// What is wrong, without the URL (it may carry credentials).
        reason: &'static str,
    },
}
