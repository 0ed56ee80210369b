//! `oidc` mode against a real OpenID provider: npm's `oidc-provider`, run
//! by `node e2e/oidc-provider/op.mjs` (pinned in its package-lock.json), on
//! loopback, with its own login and consent pages, cookies, PKCE checks,
//! RS256 keys and refusal of a code used twice.
//!
//! - In headless Chromium: a technician opens the gateway, signs in at the
//!   provider, consents, lands on the start page, clicks a console and is
//!   at Rescue (the emulator) signed in.
//! - Over HTTP: the provider rotates its signing key and the next sign-in
//!   works (the gateway fetches the new key); a replayed callback is
//!   refused by the provider and ends on the gateway's page.
//!
//! These need node, `npm ci` in e2e/oidc-provider, Chromium and
//! chromedriver: `just e2e` installs them and runs these, and fails (never
//! skips) without them; `cargo test` lists them as ignored. The stand-in
//! provider of `oidc.rs` covers what a real one will not do on demand.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::browser::{Driver, arrive, launch_dtc64, output_dir};
use common::provider::{CLIENT_ID, CLIENT_SECRET};
use common::visitor::Visitor;
use common::{Answer, Harness, PASSWORD, metric, scratch};
use fantoccini::Locator;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_emulator::{Company, Emulator};
use rescue_sso_gateway::Config;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// The folder of the provider's script and its `node_modules`.
fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace")
        .join("e2e/oidc-provider")
}

/// `node op.mjs`, on a free loopback port. Killed when dropped; and as it
/// exits when its stdin closes, it also ends with this process however
/// that ends.
struct RealProvider {
    _child: Child,
    issuer: String,
    signing_kid: String,
    log: Arc<Mutex<String>>,
}

impl RealProvider {
    async fn start() -> RealProvider {
        let dir = provider_dir();
        assert!(
            dir.join("op.mjs").is_file(),
            "{} has no op.mjs",
            dir.display()
        );
        assert!(
            dir.join("node_modules/oidc-provider/package.json")
                .is_file(),
            "npm's oidc-provider is not installed in {}: run `just e2e` (it runs `npm ci` there)",
            dir.display()
        );
        let mut child = match Command::new("node")
            .arg("op.mjs")
            .current_dir(&dir)
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("OP_EXIT_ON_STDIN_CLOSE", "1")
            .env_remove("RP_REDIRECT_URI")
            .env_remove("OP_PORT")
            .env_remove("AUTO_CONSENT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(child) => child,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                panic!("node is not installed: run `just e2e`, which installs it")
            }
            Err(err) => panic!("starting node: {err}"),
        };
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        let logging: JoinHandle<()> = tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf).await {
                sink.lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        let ready: Value = match first {
            Ok(Ok(Some(line))) => serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("op.mjs said {line:?}, not its ready line: {e}")),
            other => {
                let what = match other {
                    Err(_) => "said nothing for 30 s".to_owned(),
                    Ok(Err(err)) => format!("could not be read: {err}"),
                    Ok(_) => "ended".to_owned(),
                };
                // What it said on stderr is why.
                let _ = tokio::time::timeout(Duration::from_secs(5), logging).await;
                panic!(
                    "node op.mjs {what} before it was ready:\n{}",
                    log.lock().expect("lock")
                );
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        RealProvider {
            _child: child,
            issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
            signing_kid: ready["signing_kid"].as_str().expect("kid").to_owned(),
            log,
        }
    }

    /// A request to one of its `/__test/` endpoints; the JSON answer.
    async fn control(&self, method: Method, path: &str, body: &str) -> Value {
        let client: Client<_, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        let response = client.request(request).await.expect("the provider answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}\n{}",
            String::from_utf8_lossy(&body),
            self.log.lock().expect("lock")
        );
        serde_json::from_slice(&body).expect("json")
    }

    /// Registers the gateway's redirect URI with the provider.
    async fn redirect_to(&self, uri: &str) {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("redirect_uri", uri)
            .finish();
        let answer = self.control(Method::POST, "/__test/client", &body).await;
        assert_eq!(answer["redirect_uri"], uri);
    }

    /// How often its discovery, key set and token endpoints were asked.
    async fn hits(&self, endpoint: &str) -> u64 {
        self.control(Method::GET, "/__test/stats", "").await[endpoint]
            .as_u64()
            .expect("a count")
    }
}

/// The provider, and the gateway in `oidc` mode in front of the emulator
/// (over plain http: the browser has no reason to trust a test CA).
struct Setup {
    op: RealProvider,
    h: Harness,
}

async fn setup() -> Setup {
    let op = RealProvider::start().await;
    let emulator = Emulator::builder()
        .company(
            Company::new("654321", PASSWORD)
                .technician("123456")
                .technician("alice"),
        )
        .plain_http(true)
        .start()
        .await
        .expect("emulator");
    let dir = scratch("oidc-provider");
    std::fs::write(dir.join("password"), format!("{PASSWORD}\n")).expect("password");
    std::fs::write(dir.join("client-secret"), format!("{CLIENT_SECRET}\n")).expect("secret");
    // RS256, the default; the provider's groups for alice are
    // ["rescue-techs", "staff"].
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n\
         [rescue]\nendpoint = \"{}\"\ncompany_id = \"654321\"\npassword_file = \"password\"\n\
         [identity]\nmode = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\n\
         client_secret_file = \"client-secret\"\ngroups_claim = \"groups\"\n\
         [technicians]\nallowed_groups = [\"rescue-techs\"]\n",
        emulator.base_url(),
        op.issuer
    );
    let config = Config::from_toml(&toml, &dir).expect("config");
    // The provider is up, so the gateway discovers it as it starts; the
    // provider learns the gateway's redirect URI once its port is known.
    let h = Harness::serve(emulator, config, dir).await;
    op.redirect_to(&format!("{}/oidc/callback", h.url)).await;
    let ready = Visitor::default().get(&format!("{}/readyz", h.url)).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    Setup { op, h }
}

impl Visitor {
    /// `GET /` at the gateway, on to the provider, through its login form
    /// (as alice, any password) and its consent page; the URL the provider
    /// sends the browser back to (the callback, not yet visited).
    async fn to_callback(&self, gateway: &str) -> String {
        let start = self.get(&format!("{gateway}/")).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let callback = format!("{gateway}/oidc/callback?");
        let mut at = start.header("location").to_owned();
        let mut pages = Vec::new();
        for _ in 0..12 {
            if at.starts_with(&callback) {
                return at;
            }
            let answer = self.get(&at).await;
            let answer = match answer.status {
                StatusCode::OK => {
                    let (action, fields) = form(
                        &answer.body,
                        &[("login", "alice"), ("password", "anything")],
                    );
                    pages.push(fields.clone());
                    self.request(
                        Method::POST,
                        &absolute(&at, &action),
                        &[("content-type", "application/x-www-form-urlencoded")],
                        &fields,
                    )
                    .await
                }
                _ => answer,
            };
            assert!(
                answer.status.is_redirection(),
                "{at}: {} {}",
                answer.status,
                answer.body
            );
            at = absolute(&at, answer.header("location"));
        }
        panic!("never sent back to the gateway; forms posted: {pages:?}");
    }

    /// A whole sign-in; the callback's answer.
    async fn sign_in(&self, gateway: &str) -> Answer {
        let callback = self.to_callback(gateway).await;
        self.get(&callback).await
    }
}

/// `location` as an absolute URL, relative to the page at `from`.
fn absolute(from: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    assert!(location.starts_with('/'), "a location: {location:?}");
    let origin: String = from.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    format!("{origin}{location}")
}

/// The first form of an HTML page: its action, and its fields filled in
/// (hidden ones as they are, the others from `values`), URL-encoded.
fn form(html: &str, values: &[(&str, &str)]) -> (String, String) {
    let start = html
        .find("<form")
        .unwrap_or_else(|| panic!("a page without a form: {html}"));
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[start..end];
    let tag = |text: &str| text.split_once('>').map_or(text, |(t, _)| t).to_owned();
    let action = attribute(&tag(form), "action")
        .expect("an action")
        .replace("&amp;", "&");
    let mut out = form_urlencoded::Serializer::new(String::new());
    for input in form.split("<input").skip(1).map(tag) {
        let Some(name) = attribute(&input, "name") else {
            continue;
        };
        match attribute(&input, "type").as_deref() {
            Some("hidden") => {
                out.append_pair(&name, &attribute(&input, "value").unwrap_or_default());
            }
            _ => {
                let value = values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("nothing to type into {name}"))
                    .1;
                out.append_pair(&name, value);
            }
        }
    }
    (action, out.finish())
}

/// The value of `name="…"` in a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let (_, rest) = tag.split_once(&format!(" {name}=\""))?;
    rest.split_once('"').map(|(value, _)| value.to_owned())
}

#[tokio::test]
#[ignore = "needs node and npm oidc-provider (e2e/oidc-provider); run by `just e2e`"]
async fn a_technician_signs_in_at_a_real_provider_in_chromium_and_lands_at_rescue() {
    let Setup { op, h } = setup().await;
    let driver = Driver::start().await;
    let out = output_dir();
    let browser = driver.browser(&scratch("profile")).await;
    let gateway = format!("{}/", h.url);
    let result = async {
        // No session: off to the provider's login form.
        browser.goto(&gateway).await?;
        let login = arrive(&browser, &format!("{}/interaction/", op.issuer)).await;
        let page = browser.source().await?;
        assert!(page.contains("Sign-in"), "{page}");
        assert!(
            !page.contains("googleapis"),
            "nothing off this machine: {page}"
        );
        browser
            .find(Locator::Css("input[name=login]"))
            .await?
            .send_keys("alice")
            .await?;
        browser
            .find(Locator::Css("input[name=password]"))
            .await?
            .send_keys("anything")
            .await?;
        std::fs::write(out.join("oidc-login.png"), browser.screenshot().await?)
            .expect("screenshot");
        browser
            .find(Locator::Css("form button[type=submit]"))
            .await?
            .click()
            .await?;

        // Its consent page, if it asks, then back at the gateway.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = browser.current_url().await?.to_string();
            if url.starts_with(&gateway) {
                break;
            }
            if url.starts_with(&format!("{}/interaction/", op.issuer)) && url != login {
                let consent = browser
                    .find(Locator::Css("form input[name=prompt][value=consent]"))
                    .await;
                if consent.is_ok() {
                    std::fs::write(out.join("oidc-consent.png"), browser.screenshot().await?)
                        .expect("screenshot");
                    browser
                        .find(Locator::Css("form button[type=submit]"))
                        .await?
                        .click()
                        .await?;
                    arrive(&browser, &gateway).await;
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "stuck at {url}: {}",
                browser.source().await.unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // The start page, signed in: Chromium kept the gateway's
        // `__Host-` cookie, `Secure` on http://127.0.0.1.
        let user = browser.wait().for_element(Locator::Css("#user")).await?;
        assert_eq!(user.text().await?, "alice");
        let cookies = browser.get_all_cookies().await?;
        let names: Vec<&str> = cookies.iter().map(|c| c.name()).collect();
        assert!(
            names.contains(&"__Host-rescue-sso-session"),
            "the session cookie is kept: {names:?}"
        );
        assert!(
            !names.contains(&"__Host-rescue-sso-flow"),
            "the flow cookie is spent: {names:?}"
        );
        std::fs::write(out.join("oidc-landing.png"), browser.screenshot().await?)
            .expect("screenshot");

        launch_dtc64(&browser, &h.emulator.base_url(), "alice").await?;
        std::fs::write(out.join("oidc-redeemed.png"), browser.screenshot().await?)
            .expect("screenshot");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.close().await.expect("close");
    result.expect("the flow");
    let stats = h.emulator.stats();
    assert_eq!((stats.tickets_issued, stats.tickets_redeemed), (1, 1));
    let lines = h.audit.lines();
    assert_eq!(lines[0]["event"], "sign_in");
    assert_eq!(lines[0]["user"], "alice");
    assert_eq!(lines[1]["event"], "launch");
    assert_eq!(lines[1]["outcome"], "ok");
    assert_eq!(op.hits("token").await, 1);
}

/// `visitor` signs in at the provider and lands on the gateway's page as
/// alice.
async fn signs_in_as_alice(visitor: &Visitor, gateway: &str) {
    let answer = visitor.sign_in(gateway).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.header("location"), "/");
    let page = visitor.get(&format!("{gateway}/")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(">alice<"), "{}", page.body);
}

#[tokio::test]
#[ignore = "needs node and npm oidc-provider (e2e/oidc-provider); run by `just e2e`"]
async fn a_real_providers_key_rotation_is_picked_up() {
    let Setup { op, h } = setup().await;
    let first = Visitor::default();
    signs_in_as_alice(&first, &h.url).await;
    assert_eq!(op.hits("jwks").await, 1, "loaded once, at discovery");

    // A new key signs, and the old one is no longer published.
    let rotated = op.control(Method::POST, "/__test/rotate?only=1", "").await;
    let kid = rotated["signing_kid"].as_str().expect("kid");
    assert_ne!(kid, op.signing_kid);
    assert_eq!(rotated["kids"], serde_json::json!([kid]));

    signs_in_as_alice(&Visitor::default(), &h.url).await;
    assert_eq!(op.hits("jwks").await, 2, "fetched again for the new kid");

    // The new key is kept; the first session is the gateway's own and
    // does not depend on the provider's keys.
    let third = Visitor::default();
    assert_eq!(third.sign_in(&h.url).await.status, StatusCode::SEE_OTHER);
    assert_eq!(op.hits("jwks").await, 2, "and kept");
    assert_eq!(
        first.get(&format!("{}/", h.url)).await.status,
        StatusCode::OK
    );
    let metrics = h.metrics().await;
    assert_eq!(metric(&metrics, "rescue_sso_gateway_sign_ins_total"), 3);
    assert_eq!(h.emulator.stats().requests, 0);
}

#[tokio::test]
#[ignore = "needs node and npm oidc-provider (e2e/oidc-provider); run by `just e2e`"]
async fn a_replayed_code_is_refused_by_the_real_provider() {
    let Setup { op, h } = setup().await;
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let flow = visitor.cookie("__Host-rescue-sso-flow").expect("flow");
    let first = visitor.get(&callback).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(visitor.cookie("__Host-rescue-sso-session").is_some());

    // The same callback and flow cookie again (an attacker who saw both):
    // the gateway asks the provider, which refuses the used code.
    let attacker = Visitor::default();
    attacker.set_cookie("__Host-rescue-sso-flow", &flow);
    let answer = attacker.get(&callback).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains("already used"), "{}", answer.body);
    assert!(
        answer.body.contains("Back to the start page"),
        "{}",
        answer.body
    );
    assert!(attacker.cookie("__Host-rescue-sso-session").is_none());
    assert_eq!(op.hits("token").await, 2, "the provider was asked twice");
    let metrics = h.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "rescue_sso_gateway_identity_refusals_total{reason=\"oidc_code_refused\"}"
        ),
        1,
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "rescue_sso_gateway_sign_ins_total"), 1);
    let launch = attacker.launch(&h.url, "dtc").await;
    assert_eq!(launch.status, StatusCode::UNAUTHORIZED, "{}", launch.body);
    assert_eq!(h.emulator.stats().requests, 0, "rescue was not called");
}
