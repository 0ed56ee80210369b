//! `rescue-sso emulator`: the local Rescue SSO service, until a signal.

use std::io::Write;
use std::time::Duration;

use rescue_sso_emulator::{Company, Emulator};

use crate::args::EmulatorArgs;
use crate::failure::{self, Failure};

pub(crate) fn run(args: &EmulatorArgs) -> Result<(), Failure> {
    let mut builder = Emulator::builder()
        .bind(args.bind)
        .ticket_ttl(Duration::from_secs(args.ticket_ttl))
        .plain_http(args.plain_http);
    for spec in &args.company {
        builder = builder.company(company(spec)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| failure::software(format!("starting the async runtime: {e}")))?;
    runtime.block_on(async {
        let handle = builder
            .start()
            .await
            .map_err(|e| Failure::from_chain("unreachable", failure::UNAVAILABLE, &e))?;
        if let Some(path) = &args.ca_out {
            let pem = handle.ca_pem().unwrap_or_default();
            std::fs::write(path, pem)
                .map_err(|e| Failure::usage(format!("--ca-out {}: {e}", path.display())))?;
        }
        // The first line is the contract scripts wait for: printed only once
        // the listener accepts connections.
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", handle.base_url())
            .and_then(|()| out.flush())
            .map_err(|e| failure::software(format!("writing to stdout: {e}")))?;
        drop(out);
        shutdown_signal().await;
        handle.shutdown().await;
        Ok(())
    })
}

/// `ID:PASSWORD:SSOID[,SSOID…]`: the ID up to the first colon, the SSO IDs
/// after the last, the password in between (so it may contain colons).
fn company(spec: &str) -> Result<Company, Failure> {
    let bad = || {
        Failure::usage(format!(
            "--company: expected ID:PASSWORD:SSOID[,SSOID...], got {} fields",
            spec.split(':').count()
        ))
    };
    let (id, rest) = spec.split_once(':').ok_or_else(bad)?;
    let (password, sso_ids) = rest.rsplit_once(':').ok_or_else(bad)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::usage(
            "--company: the company ID must be ASCII digits",
        ));
    }
    if password.is_empty() || sso_ids.split(',').any(str::is_empty) {
        return Err(Failure::usage(
            "--company: password and SSO IDs must not be empty",
        ));
    }
    Ok(sso_ids
        .split(',')
        .fold(Company::new(id, password), Company::technician))
}

#[cfg(unix)]
pub(crate) async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
pub(crate) async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_spec_allows_colons_in_the_password() {
        assert!(company("654321:pa:ss:123456,789").is_ok());
        for bad in [
            "654321",
            "654321:pw",
            "abc:pw:1",
            ":pw:1",
            "1::2",
            "1:pw:",
            "1:pw:a,,b",
        ] {
            assert!(company(bad).is_err(), "{bad}");
        }
    }
}
