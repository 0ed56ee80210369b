//! The command line, as scripts see it. Option names, defaults and
//! environment variables here are part of the tool's interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// LogMeIn Rescue single sign-on from the command line.
#[derive(Debug, Parser)]
#[command(name = "rescue-sso", version, about, long_about = None)]
#[command(after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

pub(crate) const EXIT_CODES: &str = "\
Exit codes:
   0  a validated ticket URL was printed (demo: every step behaved as expected)
   2  usage error (bad or missing options, no password source)
  65  Rescue answered MISSINGPARAMETERS
  69  the service could not be reached (DNS, refused, reset, TLS failure)
  70  demo: a step did not behave as expected
  75  the call timed out, or Rescue answered ERROR (a failure on its side)
  76  any other answer that is not a valid ticket
  77  Rescue answered INVALIDPASSWORD (or INVALID)
  78  Rescue answered INVALIDCOMPANYID (or INVALIDPARAM_COMPANY)";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Get a one-time login URL and print it on stdout.
    #[command(after_help = EXIT_CODES)]
    Ticket(TicketArgs),
    /// Get a technician's requestAuthCodeSSO authentication code and print
    /// it on stdout (a new code replaces their previous one).
    #[command(name = "authcode", after_help = AUTHCODE_EXIT_CODES)]
    AuthCode(AuthCodeArgs),
    /// Run the local Rescue SSO emulator until SIGINT or SIGTERM.
    Emulator(EmulatorArgs),
    /// Start the emulator in-process and log in through both adapters.
    Demo,
    /// Run the intranet SSO gateway (see docs/gateway.md).
    #[command(after_help = GATEWAY_EXIT_CODES)]
    Gateway(GatewayArgs),
}

pub(crate) const AUTHCODE_EXIT_CODES: &str = "\
Exit codes:
   0  the code was printed
   2  usage error (bad or missing options, no password source)
  65  Rescue answered MISSINGPARAMETERS
  69  the service could not be reached (DNS, refused, reset, TLS failure)
  75  the call timed out, or Rescue answered ERROR (a failure on its side)
  76  any other answer that is not a valid code
  77  Rescue answered INVALID (the SSO ID and password do not authenticate),
      or INVALIDPASSWORD
  78  Rescue answered INVALIDPARAM_COMPANY (or INVALIDCOMPANYID)";

/// Options of `rescue-sso authcode`.
#[derive(Debug, Args)]
pub(crate) struct AuthCodeArgs {
    #[command(flatten)]
    pub(crate) call: CallArgs,

    /// Output: the code alone, or one JSON object.
    #[arg(long, value_enum, default_value_t = CodeFormat::Code)]
    pub(crate) format: CodeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CodeFormat {
    /// The code alone.
    Code,
    /// One JSON object: {"authcode": "…"}.
    Json,
}

pub(crate) const GATEWAY_EXIT_CODES: &str = "\
Exit codes:
   0  stopped by SIGTERM or SIGINT after in-flight launches finished
      (--check-config: the configuration is valid)
   2  usage error
  69  the JWT verification keys could not be fetched from jwks_url at start
  71  the listening socket could not be opened
  78  the configuration is invalid (the reason is on stderr)";

/// Options of `rescue-sso gateway`.
#[derive(Debug, Args)]
pub(crate) struct GatewayArgs {
    /// The configuration file (TOML).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    pub(crate) config: Option<PathBuf>,

    /// Check the configuration, print the effective settings (secrets
    /// redacted) and exit.
    #[arg(long, requires = "config")]
    pub(crate) check_config: bool,

    /// Serve a demo: the embedded emulator, a built-in user accepted from
    /// loopback, no configuration.
    #[arg(long)]
    pub(crate) demo: bool,

    /// Log what happens on stderr (never secrets).
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

/// What every call to Rescue takes: who, with which password, where, how.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The technician's single sign-on ID.
    #[arg(long, env = "RESCUE_SSO_ID", value_name = "ID")]
    pub(crate) ssoid: String,

    /// The company ID (ASCII digits).
    #[arg(long, env = "RESCUE_COMPANY_ID", value_name = "ID")]
    pub(crate) company_id: String,

    /// Read the master SSO password from the first line of stdin.
    /// Otherwise it comes from RESCUE_SSO_PASSWORD, else a prompt on a
    /// terminal. It is never accepted as an argument.
    #[arg(long)]
    pub(crate) password_stdin: bool,

    /// The Rescue service (https; http only for a loopback emulator).
    #[arg(
        long,
        env = "RESCUE_SSO_ENDPOINT",
        value_name = "URL",
        default_value = rescue_sso_proto::DEFAULT_ENDPOINT
    )]
    pub(crate) endpoint: String,

    /// Extra trusted root certificates (PEM), added to the system's.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,

    /// How the parameters are sent; post keeps the password out of URLs.
    #[arg(long, value_enum, default_value_t = Method::Post)]
    pub(crate) method: Method,

    /// Which adapter makes the call.
    #[arg(long, value_enum, default_value_t = Transport::Hyper)]
    pub(crate) transport: Transport,

    /// The whole call, connect included, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub(crate) timeout: f64,

    /// Log what happens on stderr (never secrets).
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

/// Options of `rescue-sso ticket`.
#[derive(Debug, Args)]
pub(crate) struct TicketArgs {
    #[command(flatten)]
    pub(crate) call: CallArgs,

    /// Ask for the 64-bit console (sends arch=64).
    #[arg(long, value_name = "ARCH", value_parser = ["64"])]
    pub(crate) arch: Option<String>,

    /// Which console the ticket starts: dtc (getDTCLoginTicket) or web
    /// (getLoginTicket).
    #[arg(long, value_enum, default_value_t = Console::Dtc)]
    pub(crate) console: Console,

    /// Output: the URL alone, or one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Url)]
    pub(crate) format: Format,

    /// Also open the URL in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
}

/// Options of `rescue-sso emulator`.
#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub(crate) bind: SocketAddr,

    /// A company as ID:PASSWORD:SSOID[,SSOID…] (repeatable). The ID is up
    /// to the first colon, the SSO IDs after the last one, the password is
    /// what lies between. Default: 654321:secretPassword:123456.
    #[arg(long, value_name = "ID:PASSWORD:SSOIDS")]
    pub(crate) company: Vec<String>,

    /// Write the emulator's CA certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "PATH")]
    pub(crate) ca_out: Option<PathBuf>,

    /// How long an issued ticket stays redeemable, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub(crate) ticket_ttl: u64,

    /// Serve plain http instead of https (loopback testing only).
    #[arg(long)]
    pub(crate) plain_http: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Console {
    /// The Desktop Technician Console.
    Dtc,
    /// The web Technician Console.
    Web,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Method {
    /// Form body (the default).
    Post,
    /// Query string: the password ends up in the URL.
    Get,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Transport {
    /// The async adapter (hyper).
    Hyper,
    /// The blocking adapter (std::net).
    Blocking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The URL alone.
    Url,
    /// One JSON object.
    Json,
}
