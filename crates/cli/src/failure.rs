//! Every way the tool can fail, as one value with its exit code (sysexits.h),
//! a machine-readable kind and a one-line message without secrets.

use std::error::Error as StdError;
use std::process::ExitCode;

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

/// `err: source: source…`, each level once.
pub(crate) fn chain(err: &dyn StdError) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        let text = next.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = next.source();
    }
    message
}

/// What the protocol crate's errors mean for a script.
pub(crate) fn protocol(err: &ProtoError, outer: &dyn StdError) -> Failure {
    let (kind, code) = match err {
        ProtoError::Rescue(RescueError::InvalidPassword) => ("invalid_password", NOPERM),
        ProtoError::Rescue(RescueError::InvalidCompanyId) => ("invalid_company_id", CONFIG),
        ProtoError::Rescue(RescueError::MissingParameters) => ("missing_parameters", DATAERR),
        ProtoError::Input(_) | ProtoError::Endpoint(_) => ("usage", USAGE),
        _ => ("bad_answer", PROTOCOL),
    };
    Failure::from_chain(kind, code, outer)
}

/// Maps an adapter's error: both adapters share their variant names, so
/// one table serves both.
macro_rules! adapter_failure {
    ($err:expr, $module:ident) => {{
        use $module::Error as E;
        let err = $err;
        let (kind, code) = match &err {
            E::Protocol(inner) => return protocol(inner, &err),
            E::Config(_) => ("usage", USAGE),
            E::ConnectTimeout | E::Timeout => ("timeout", TEMPFAIL),
            E::Incomplete => ("bad_answer", PROTOCOL),
            _ => ("unreachable", UNAVAILABLE),
        };
        Failure::from_chain(kind, code, &err)
    }};
}

impl From<rescue_sso_blocking::Error> for Failure {
    fn from(err: rescue_sso_blocking::Error) -> Failure {
        adapter_failure!(err, rescue_sso_blocking)
    }
}

impl From<rescue_sso_hyper::Error> for Failure {
    fn from(err: rescue_sso_hyper::Error) -> Failure {
        // hyper parses HTTP itself; the blocking adapter reports the same
        // thing as a protocol error from the proto crate's codec.
        if let rescue_sso_hyper::Error::InvalidResponse(_) = err {
            return Failure::from_chain("bad_answer", PROTOCOL, &err);
        }
        adapter_failure!(err, rescue_sso_hyper)
    }
}

pub(crate) fn software(message: impl Into<String>) -> Failure {
    Failure {
        kind: "internal",
        code: SOFTWARE,
        message: message.into(),
    }
}
