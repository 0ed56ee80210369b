//! Why an emulator or a scripted server could not start.

/// The emulator (or a scripted server) could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("could not listen")]
    Bind(#[source] std::io::Error),
    /// The certificate could not be generated.
    #[error("could not generate a certificate")]
    Certificate(#[source] rcgen::Error),
    /// The supplied certificate chain or key could not be read.
    #[error("invalid certificate chain or private key pem")]
    Key,
    /// The TLS configuration was refused.
    #[error("tls configuration failed")]
    Tls(#[source] rustls::Error),
    /// The background thread or its runtime could not start.
    #[error("could not start the background runtime")]
    Runtime(#[source] std::io::Error),
}
