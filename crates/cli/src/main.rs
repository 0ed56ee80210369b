//! `rescue-sso`: LogMeIn Rescue single sign-on tickets, a local emulator and
//! a demo, from the command line. See `rescue-sso --help`.
#![forbid(unsafe_code)]

mod args;
mod authcode;
mod browser;
mod demo;
mod emulate;
mod failure;
mod gateway;
mod ticket;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use args::{Cli, CodeFormat, Command, Format};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_exit(&err),
    };
    let (result, json) = match &cli.command {
        Command::Ticket(args) => {
            init_tracing(args.call.verbose);
            (ticket::run(args), args.format == Format::Json)
        }
        Command::AuthCode(args) => {
            init_tracing(args.call.verbose);
            (authcode::run(args), args.format == CodeFormat::Json)
        }
        Command::Emulator(args) => (emulate::run(args), false),
        Command::Demo => (demo::run(), false),
        Command::Gateway(args) => {
            init_tracing(args.verbose);
            (gateway::run(args), false)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if json {
                println!("{}", ticket::json_failure(&failure));
            }
            eprintln!("error: {}", failure.message);
            failure.exit_code()
        }
    }
}

/// Help and version go to stdout with exit 0; any other parse error is one
/// `error: …` line on stderr with exit 2, as scripts expect.
fn clap_exit(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(failure::USAGE)
        }
        _ => {
            let rendered = err.render().to_string();
            let before_usage = rendered.split("\n\nUsage:").next().unwrap_or_default();
            let before_tip = before_usage.split("\n\n  tip:").next().unwrap_or_default();
            let line = before_tip
                .trim_start_matches("error: ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("error: {line}");
            ExitCode::from(failure::USAGE)
        }
    }
}

fn init_tracing(verbose: bool) {
    if !verbose {
        return;
    }
    let filter = tracing_subscriber::EnvFilter::new(
        "rescue_sso=debug,rescue_sso_hyper=debug,rescue_sso_blocking=debug,rescue_sso_gateway=debug,warn",
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
