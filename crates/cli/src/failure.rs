//! Every way the tool can fail, as one value with its exit code (sysexits.h),
//! a machine-readable kind and a one-line message without secrets.

use std::error::Error as StdError;
use std::process::ExitCode;

use rescue_sso_client_core::{ErrorKind, TlsError, TlsProblem};
use rescue_sso_proto::{Error as ProtoError, RescueError};

/// A failure ready to report.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: &'static str,
    pub(crate) code: u8,
    pub(crate) message: String,
}

pub(crate) const USAGE: u8 = 2;
pub(crate) const DATAERR: u8 = 65;
pub(crate) const UNAVAILABLE: u8 = 69;
pub(crate) const TEMPFAIL: u8 = 75;
pub(crate) const PROTOCOL: u8 = 76;
pub(crate) const NOPERM: u8 = 77;
pub(crate) const CONFIG: u8 = 78;
pub(crate) const SOFTWARE: u8 = 70;

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            kind: "usage",
            code: USAGE,
            message: message.into(),
        }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }

    /// A failure of `kind` and `code` whose message is `err` and its sources.
    pub(crate) fn from_chain(kind: &'static str, code: u8, err: &dyn StdError) -> Failure {
        Failure {
            kind,
            code,
            message: chain(err),
        }
    }
}

/// `err: source: source…`, each level once. The chain stops at a TLS
/// error, which says what is wrong in plain words: below it is rustls's own
/// error, in a form meant for developers.
pub(crate) fn chain(err: &dyn StdError) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        let text = next.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        if next.is::<TlsError>() {
            break;
        }
        source = next.source();
    }
    message
}

/// The first error of type `T` in `err`'s chain.
fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// What a failed call means for a script, from its kind alone: one table
/// for both adapters. A refusal's word picks its own code.
pub(crate) fn call(
    kind: ErrorKind,
    protocol: Option<&ProtoError>,
    err: &(dyn StdError + 'static),
) -> Failure {
    let (name, code) = match kind {
        ErrorKind::Refused => match protocol {
            Some(ProtoError::Rescue(RescueError::InvalidPassword)) => ("invalid_password", NOPERM),
            Some(ProtoError::Rescue(RescueError::InvalidCompanyId)) => {
                ("invalid_company_id", CONFIG)
            }
            Some(ProtoError::Rescue(RescueError::MissingParameters)) => {
                ("missing_parameters", DATAERR)
            }
            Some(ProtoError::Rescue(RescueError::Invalid)) => ("invalid", NOPERM),
            Some(ProtoError::Rescue(RescueError::InvalidParamCompany)) => {
                ("invalid_param_company", CONFIG)
            }
            // Rescue's own temporary failure: a script may try again, as
            // after a timeout.
            Some(ProtoError::Rescue(RescueError::Unspecified)) => ("rescue_error", TEMPFAIL),
            _ => ("bad_answer", PROTOCOL),
        },
        ErrorKind::Config => ("usage", USAGE),
        ErrorKind::Timeout => ("timeout", TEMPFAIL),
        ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Proxy | ErrorKind::Closed => {
            ("unreachable", UNAVAILABLE)
        }
        _ => ("bad_answer", PROTOCOL),
    };
    let mut failure = Failure::from_chain(name, code, err);
    if let Some(hint) = find::<TlsError>(err).and_then(|tls| tls_hint(tls.problem())) {
        failure.message.push_str("; ");
        failure.message.push_str(hint);
    }
    failure
}

/// What to do about a TLS failure, in the command's own terms.
fn tls_hint(problem: TlsProblem) -> Option<&'static str> {
    Some(match problem {
        TlsProblem::UnknownIssuer => {
            "if the issuer is your company's own CA (or its TLS inspection proxy's), pass it with --ca-file"
        }
        TlsProblem::CaAsServerCertificate => {
            "the server must present a certificate of its own, issued by that CA, not the CA's"
        }
        TlsProblem::Expired => "the server's administrator must renew its certificate",
        TlsProblem::NotYetValid => "check this machine's clock",
        TlsProblem::WrongName => "check the host name in --endpoint",
        _ => return None,
    })
}

impl From<rescue_sso_blocking::Error> for Failure {
    fn from(err: rescue_sso_blocking::Error) -> Failure {
        call(err.kind(), err.protocol(), &err)
    }
}

impl From<rescue_sso_hyper::Error> for Failure {
    fn from(err: rescue_sso_hyper::Error) -> Failure {
        call(err.kind(), err.protocol(), &err)
    }
}

pub(crate) fn software(message: impl Into<String>) -> Failure {
    Failure {
        kind: "internal",
        code: SOFTWARE,
        message: message.into(),
    }
}
