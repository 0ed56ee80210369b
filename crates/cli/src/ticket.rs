//! `rescue-sso ticket`: one login URL on stdout.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use rescue_sso_client_core::{DEFAULT_CONNECT_TIMEOUT, FromSettings, Settings, TlsSettings};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, LoginTicket, Operation, Password,
    RequestMethod, SsoId,
};
use serde_json::json;

use crate::args::{CallArgs, Console, Format, Method, TicketArgs, Transport};
use crate::browser;
use crate::failure::{self, Failure};

/// Where and how a call goes, validated: what `ticket` and `authcode`
/// share.
pub(crate) struct Target {
    endpoint: Endpoint,
    method: RequestMethod,
    timeout: Duration,
    ca_pem: Option<Vec<u8>>,
}

/// What the ticket command needs, validated.
struct Plan {
    target: Target,
    request: Request,
}

enum Request {
    Desktop(GetDtcLoginTicket),
    Web(GetLoginTicket),
}

pub(crate) fn run(args: &TicketArgs) -> Result<(), Failure> {
    let plan = plan(args)?;
    let ticket = match args.call.transport {
        Transport::Hyper => with_hyper(&plan)?,
        Transport::Blocking => with_blocking(&plan)?,
    };
    print(args.format, &ticket)?;
    // The URL is printed already, so a missing browser is a warning, not a
    // failure of the command.
    if args.open
        && let Err(err) = browser::open(ticket.expose_url())
    {
        eprintln!("warning: could not open a browser: {err}");
    }
    Ok(())
}

fn usage(what: &str, err: &dyn std::error::Error) -> Failure {
    Failure::usage(format!("{what}: {}", failure::chain(err)))
}

/// The options every call takes, checked before anything is sent: the
/// technician, the company, the password, and where and how the call goes.
pub(crate) fn prepare(args: &CallArgs) -> Result<(SsoId, CompanyId, Password, Target), Failure> {
    let sso_id = SsoId::new(args.ssoid.as_str()).map_err(|e| usage("--ssoid", &e))?;
    let company_id = CompanyId::new(&args.company_id).map_err(|e| usage("--company-id", &e))?;
    let password = password(args.password_stdin)?;
    let endpoint = Endpoint::builder(&args.endpoint)
        .allow_loopback_http()
        .build()
        .map_err(|e| usage("--endpoint", &e))?;
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
        return Err(Failure::usage(
            "--timeout: must be a number of seconds above 0 and at most 86400",
        ));
    }
    let ca_pem = match &args.ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Failure::usage(format!("--ca-file {}: {e}", path.display())))?;
            // Checked now, so a bad file is a usage error before any network.
            let _checked = TlsSettings::new()
                .add_root_pem(&pem)
                .map_err(|e| usage(&format!("--ca-file {}", path.display()), &e))?;
            Some(pem)
        }
        None => None,
    };
    let target = Target {
        endpoint,
        method: match args.method {
            Method::Post => RequestMethod::Post,
            Method::Get => RequestMethod::Get,
        },
        timeout: Duration::from_secs_f64(args.timeout),
        ca_pem,
    };
    Ok((sso_id, company_id, password, target))
}

fn plan(args: &TicketArgs) -> Result<Plan, Failure> {
    let (sso_id, company_id, password, target) = prepare(&args.call)?;
    let arch = if args.arch.is_some() {
        Arch::X64
    } else {
        Arch::Default
    };
    let request = match args.console {
        Console::Dtc => {
            Request::Desktop(GetDtcLoginTicket::new(sso_id, company_id, password).arch(arch))
        }
        Console::Web => Request::Web(GetLoginTicket::new(sso_id, company_id, password).arch(arch)),
    };
    Ok(Plan { target, request })
}

/// `--password-stdin`, else `RESCUE_SSO_PASSWORD`, else a prompt on a
/// terminal, else a usage error. Never argv.
pub(crate) fn password(from_stdin: bool) -> Result<Password, Failure> {
    let invalid = |e: rescue_sso_proto::InputError| Failure::usage(format!("password: {e}"));
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("--password-stdin: {e}")))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Password::new(line).map_err(invalid);
    }
    if let Some(value) = std::env::var_os("RESCUE_SSO_PASSWORD") {
        let value = value
            .into_string()
            .map_err(|_| Failure::usage("RESCUE_SSO_PASSWORD is not valid unicode"))?;
        return Password::new(value).map_err(invalid);
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let value = rpassword::prompt_password("Master SSO password: ")
            .map_err(|e| Failure::usage(format!("password prompt: {e}")))?;
        return Password::new(value).map_err(invalid);
    }
    Err(Failure::usage(
        "no password source: use --password-stdin, set RESCUE_SSO_PASSWORD, or run on a terminal",
    ))
}

/// Either adapter's client, configured from the target: the same settings
/// for both.
pub(crate) fn client<C>(plan: &Target) -> Result<C, Failure>
where
    C: FromSettings,
    Failure: From<C::Error>,
{
    let mut settings = Settings::default();
    settings.endpoint = plan.endpoint.clone();
    settings.method = plan.method;
    settings.timeout = plan.timeout;
    settings.connect_timeout = plan.timeout.min(DEFAULT_CONNECT_TIMEOUT);
    if let Some(pem) = &plan.ca_pem {
        settings.tls = settings
            .tls
            .add_root_pem(pem)
            .map_err(|e| Failure::usage(format!("--ca-file: {}", failure::chain(&e))))?;
    }
    Ok(C::from_settings(settings)?)
}

fn with_hyper(plan: &Plan) -> Result<LoginTicket, Failure> {
    match &plan.request {
        Request::Desktop(op) => call_hyper(&plan.target, op),
        Request::Web(op) => call_hyper(&plan.target, op),
    }
}

fn with_blocking(plan: &Plan) -> Result<LoginTicket, Failure> {
    match &plan.request {
        Request::Desktop(op) => call_blocking(&plan.target, op),
        Request::Web(op) => call_blocking(&plan.target, op),
    }
}

/// `op` through the async adapter, on a runtime made for the one call.
pub(crate) fn call_hyper<O: Operation>(target: &Target, op: &O) -> Result<O::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failure::software(format!("starting the async runtime: {e}")))?;
    let output = runtime.block_on(async {
        let client: rescue_sso_hyper::Client = client(target)?;
        Ok(client.execute(op).await?)
    });
    // Whatever the call left running (an idle pooled connection) is not
    // waited for: the command is done once the call is.
    runtime.shutdown_background();
    output
}

/// `op` through the blocking adapter.
pub(crate) fn call_blocking<O: Operation>(target: &Target, op: &O) -> Result<O::Output, Failure> {
    let client: rescue_sso_blocking::Client = client(target)?;
    Ok(client.execute(op)?)
}

fn print(format: Format, ticket: &LoginTicket) -> Result<(), Failure> {
    let line = match format {
        Format::Url => ticket.expose_url().to_owned(),
        Format::Json => json!({
            "url": ticket.expose_url(),
            "company_id": ticket.company_id().get(),
            "ticket": ticket.expose_ticket().to_string(),
            "arch": match ticket.arch() { Arch::X64 => "64", _ => "default" },
            "console": match ticket.console() {
                rescue_sso_proto::Console::Web => "web",
                _ => "dtc",
            },
        })
        .to_string(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| failure::software(format!("writing to stdout: {e}")))
}

/// The JSON object printed on stdout for a failure, with `--format json`.
pub(crate) fn json_failure(failure: &Failure) -> String {
    json!({ "error": { "kind": failure.kind, "message": failure.message } }).to_string()
}
