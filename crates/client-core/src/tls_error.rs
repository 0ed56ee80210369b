//! TLS handshake failures, said so a person can act on them.

use std::fmt;

use rustls::{CertificateError, Error as RustlsError, OtherError};

/// What was wrong with a TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The server's certificate does not lead to a trusted root: its issuer
    /// is unknown, or is known by name but did not sign it (another CA of
    /// the same name). A private CA, or a TLS-inspecting proxy whose CA this
    /// client does not trust: trust that CA (an extra root), if it is the
    /// company's own.
    UnknownIssuer,
    /// The server presented a CA certificate as its own certificate.
    CaAsServerCertificate,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is not valid yet (or this machine's clock
    /// is behind).
    NotYetValid,
    /// The server's certificate is not valid for the host name asked for.
    WrongName,
    /// The server's certificate has been revoked.
    Revoked,
    /// The server's certificate is otherwise unacceptable: a bad signature,
    /// the wrong purpose, an unsupported algorithm, malformed.
    BadCertificate,
    /// The server and this client share no TLS version or cipher suite, or
    /// the server broke the protocol.
    Incompatible,
    /// The server ended the handshake with an alert.
    Alert,
    /// Anything else.
    Other,
}

/// A TLS handshake that failed, with what was wrong in words a person can
/// act on; rustls's own error is the [`source`](std::error::Error::source).
#[derive(Debug, Clone)]
pub struct TlsError {
    problem: TlsProblem,
    source: RustlsError,
}

impl TlsError {
    /// Reads what went wrong out of a rustls error.
    #[doc(hidden)]
    pub fn from_rustls(source: RustlsError) -> TlsError {
        TlsError {
            problem: problem(&source),
            source,
        }
    }

    /// What was wrong.
    pub fn problem(&self) -> TlsProblem {
        self.problem
    }
}

fn problem(err: &RustlsError) -> TlsProblem {
    match err {
        RustlsError::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                TlsProblem::UnknownIssuer
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::WrongName
            }
            CertificateError::Revoked => TlsProblem::Revoked,
            CertificateError::Other(OtherError(inner)) => {
                match inner.downcast_ref::<webpki::Error>() {
                    Some(webpki::Error::CaUsedAsEndEntity) => TlsProblem::CaAsServerCertificate,
                    _ => TlsProblem::BadCertificate,
                }
            }
            _ => TlsProblem::BadCertificate,
        },
        RustlsError::NoCertificatesPresented => TlsProblem::BadCertificate,
        RustlsError::PeerIncompatible(_)
        | RustlsError::PeerMisbehaved(_)
        | RustlsError::InvalidMessage(_)
        | RustlsError::InappropriateMessage { .. }
        | RustlsError::InappropriateHandshakeMessage { .. } => TlsProblem::Incompatible,
        RustlsError::AlertReceived(_) => TlsProblem::Alert,
        _ => TlsProblem::Other,
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.problem {
            TlsProblem::UnknownIssuer => {
                "the server's certificate is not issued by a trusted authority (unknown issuer)"
            }
            TlsProblem::CaAsServerCertificate => {
                "the server presented a ca certificate as its own certificate"
            }
            TlsProblem::Expired => "the server's certificate has expired",
            TlsProblem::NotYetValid => {
                "the server's certificate is not valid yet (or this machine's clock is behind)"
            }
            TlsProblem::WrongName => "the server's certificate is not valid for this host name",
            TlsProblem::Revoked => "the server's certificate has been revoked",
            TlsProblem::BadCertificate => "the server's certificate is not acceptable",
            TlsProblem::Incompatible => {
                "the server speaks no tls version or cipher suite this client accepts"
            }
            TlsProblem::Alert => "the server ended the tls handshake with an alert",
            TlsProblem::Other => "the tls handshake failed",
        })
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn each_certificate_problem_reads_plainly() {
        let cases = [
            (
                RustlsError::InvalidCertificate(CertificateError::UnknownIssuer),
                TlsProblem::UnknownIssuer,
                "unknown issuer",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
                    webpki::Error::CaUsedAsEndEntity,
                )))),
                TlsProblem::CaAsServerCertificate,
                "ca certificate as its own",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::Expired),
                TlsProblem::Expired,
                "expired",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::NotValidForName),
                TlsProblem::WrongName,
                "not valid for this host name",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::NotValidYet),
                TlsProblem::NotYetValid,
                "not valid yet",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::Revoked),
                TlsProblem::Revoked,
                "revoked",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::BadSignature),
                TlsProblem::UnknownIssuer,
                "not issued by a trusted authority",
            ),
            (
                RustlsError::InvalidCertificate(CertificateError::InvalidPurpose),
                TlsProblem::BadCertificate,
                "not acceptable",
            ),
            (
                RustlsError::AlertReceived(rustls::AlertDescription::HandshakeFailure),
                TlsProblem::Alert,
                "alert",
            ),
            (
                RustlsError::General("x".into()),
                TlsProblem::Other,
                "tls handshake failed",
            ),
        ];
        for (err, want, words) in cases {
            let tls = TlsError::from_rustls(err);
            assert_eq!(tls.problem(), want);
            assert!(tls.to_string().contains(words), "{tls}");
            assert!(!tls.to_string().contains("Other("), "{tls}");
            assert!(std::error::Error::source(&tls).is_some());
        }
    }
}
