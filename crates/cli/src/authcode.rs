//! `rescue-sso authcode`: a technician's `requestAuthCodeSSO` code on
//! stdout.

use std::io::Write;

use rescue_sso_proto::{AuthCode, RequestAuthCodeSso};
use serde_json::json;

use crate::args::{AuthCodeArgs, CodeFormat, Transport};
use crate::failure::{self, Failure};
use crate::ticket;

pub(crate) fn run(args: &AuthCodeArgs) -> Result<(), Failure> {
    let (sso_id, company_id, password, target) = ticket::prepare(&args.call)?;
    let op = RequestAuthCodeSso::new(sso_id, company_id, password);
    let code = match args.call.transport {
        Transport::Hyper => ticket::call_hyper(&target, &op)?,
        Transport::Blocking => ticket::call_blocking(&target, &op)?,
    };
    print(args.format, &code)
}

fn print(format: CodeFormat, code: &AuthCode) -> Result<(), Failure> {
    let line = match format {
        CodeFormat::Code => code.expose_secret().to_owned(),
        CodeFormat::Json => json!({ "authcode": code.expose_secret() }).to_string(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| failure::software(format!("writing to stdout: {e}")))
}
