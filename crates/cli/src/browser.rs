//! `--open`: hand the URL to the desktop's default browser.

use std::io;
use std::process::{Command, Stdio};

/// Runs the platform's opener with `url`. Openers hand the URL to the
/// browser and return at once, so waiting for them costs nothing and lets a
/// failure be reported.
///
/// The URL is a bearer credential and is briefly visible in the opener's
/// argument list to other processes of the same machine; that is the price
/// of `--open`, and why it is opt-in.
pub(crate) fn open(url: &str) -> io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .and_then(|status| {
            if status.success() {
                Ok(())
            } else {
                Err(io::Error::other(format!("the opener exited with {status}")))
            }
        })
}
