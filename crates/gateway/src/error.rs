//! The gateway's errors: a configuration that cannot be used, or a server
//! that cannot start.

use std::path::PathBuf;

/// The configuration cannot be used. The message names the key and says
/// what is wrong; it never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is not valid TOML, or has a key the gateway does not know.
    #[error("invalid configuration: {0}")]
    Syntax(String),
    /// A key's value cannot be used.
    #[error("{key}: {reason}")]
    Invalid {
        /// The key, as `section.name` (for the password, the environment
        /// variable or systemd credential it came from).
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A file the configuration names could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The gateway could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Rescue client could not be built from the configuration.
    #[error("the rescue client cannot be built")]
    Client(#[source] rescue_sso_hyper::Error),
    /// The listening socket could not be opened.
    #[error("cannot listen on {listen}")]
    Listen {
        /// What the configuration asked for.
        listen: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The gateway's own TLS certificate or key could not be used.
    #[error("cannot serve tls")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The JWT verification keys could not be fetched from `jwks_url`. (A
    /// `jwks_file` that cannot be used is [`Error::Config`], naming the key.)
    #[error("cannot load the jwt verification keys")]
    Keys(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}
