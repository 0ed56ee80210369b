//! Debian's Chromium, headless, driven over WebDriver by chromedriver, kept
//! off the network; and every process of it gone when a test ends, whether
//! it passed or not.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client as Browser, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// Where the screenshots go.
pub(crate) fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("output dir");
    dir
}

/// chromedriver on a free loopback port, stopped when dropped.
pub(crate) struct Driver {
    _child: Child,
    url: String,
}

impl Driver {
    pub(crate) async fn start() -> Driver {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "Chromium and chromedriver are not installed: run `just e2e`, which installs them"
        );
        let mut child = Command::new(CHROMEDRIVER)
            .args(["--port=0", "--allowed-ips=127.0.0.1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let port = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.expect("a line") {
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    return rest.trim_end_matches('.').parse::<u16>().expect("a port");
                }
            }
            panic!("chromedriver ended before it said its port");
        })
        .await
        .expect("chromedriver started");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Driver {
            _child: child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A headless Chromium that contacts nothing off this machine, with its
    /// own profile in `profile` (a folder no other browser uses).
    pub(crate) async fn browser(&self, profile: &Path) -> Chromium {
        let args = json!([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--metrics-recording-only",
            "--password-store=basic",
            "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying",
            // Every name resolves to nothing but loopback, and anything
            // that is not loopback goes to a proxy that is not there.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost",
            "--window-size=1024,768",
            format!("--user-data-dir={}", profile.display()),
        ]);
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".to_owned(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        // Whatever happens next, the browser started with this profile is
        // killed when this is dropped.
        let mut chromium = Chromium {
            client: None,
            profile: profile.to_owned(),
        };
        chromium.client = Some(builder.connect(&self.url).await.expect("a browser session"));
        chromium
    }
}

/// A WebDriver session with its Chromium. When dropped, every process whose
/// command line names its profile folder is killed, and the folder removed:
/// chromedriver quits the browser only when the session is closed, and
/// when a test fails before that, or chromedriver itself is killed, the
/// browser and its helpers stayed behind.
pub(crate) struct Chromium {
    client: Option<Browser>,
    profile: PathBuf,
}

impl Deref for Chromium {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        self.client.as_ref().expect("a session")
    }
}

impl Chromium {
    /// Ends the WebDriver session (chromedriver then quits the browser).
    pub(crate) async fn close(&self) -> Result<(), fantoccini::error::CmdError> {
        self.client.clone().expect("a session").close().await
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // Chromium passes `--user-data-dir=PROFILE` to every process it
        // starts (its crash handlers, which have not, end with it). Matched
        // up to the end of the argument, so that `…-profile-1-3` does not
        // also kill the browser of `…-profile-1-31`.
        let pattern = format!(
            "--user-data-dir={}( |$)",
            regex_escape(&self.profile.display().to_string())
        );
        match std::process::Command::new("pkill")
            .args(["-KILL", "-f", "--", &pattern])
            .status()
        {
            // 0: killed some, 1: none were left.
            Ok(status) if matches!(status.code(), Some(0 | 1)) => {}
            Ok(status) => eprintln!("pkill {pattern}: {status}"),
            Err(err) => eprintln!("pkill {pattern}: {err} (is procps installed?)"),
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `text` as an extended regular expression matching only itself.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Waits for the browser to be at a URL that starts with `prefix`.
pub(crate) async fn arrive(browser: &Browser, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = browser.current_url().await.expect("url").to_string();
        if url.starts_with(prefix) {
            return url;
        }
        if Instant::now() >= deadline {
            let page = browser.source().await.unwrap_or_default();
            panic!("stuck at {url}, waiting for {prefix}: {page}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the landing page's 64-bit console button and waits to land at
/// the emulator's console download, where the page says `technician` of
/// company 654321 is logged in; the URL landed at.
pub(crate) async fn launch_dtc64(
    browser: &Browser,
    rescue: &str,
    technician: &str,
) -> Result<String, fantoccini::error::CmdError> {
    browser
        .find(fantoccini::Locator::Css("#launch-dtc64"))
        .await?
        .click()
        .await?;
    let landed = arrive(browser, rescue).await;
    assert!(
        landed.contains("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket="),
        "{landed}"
    );
    let page = browser.source().await?;
    assert!(
        page.contains(&format!(
            "Logged in as technician {technician} of company 654321"
        )),
        "{page}"
    );
    Ok(landed)
}
