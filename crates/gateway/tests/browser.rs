//! The gateway in a real browser: Debian's Chromium, headless, driven over
//! WebDriver by chromedriver, kept off the network.
//!
//! A technician opens the gateway behind a small proxy that sets the
//! identity header, clicks a console button, follows the 303, and lands on
//! the emulator's page that redeems the ticket. A page on another origin
//! that posts the launch form gets nothing: the emulator issues no ticket.
//!
//! These need Chromium and chromedriver installed: `just e2e` installs
//! them and runs these; `cargo test` lists them as ignored.

mod common;

use std::convert::Infallible;

use common::browser::{Driver, arrive, launch_dtc64, output_dir};
use common::{Harness, TRUSTED_HEADER};
use fantoccini::Locator;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rescue_sso_emulator::{Company, Emulator};
use tokio::net::TcpListener;

/// The company's sign-in proxy, as far as the gateway can tell: it forwards
/// every request to the gateway with `Remote-User` set (a header a client
/// sends is dropped), and every answer back unchanged.
async fn identity_proxy(listener: TcpListener, gateway: String, user: &'static str) {
    let client: HttpClient<_, Full<Bytes>> = HttpClient::builder(TokioExecutor::new()).build_http();
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (client, gateway) = (client.clone(), gateway.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let (client, gateway) = (client.clone(), gateway.clone());
                async move {
                    let (mut parts, body) = request.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let path = parts
                        .uri
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_owned();
                    parts.uri = format!("{gateway}{path}").parse().expect("uri");
                    parts.headers.remove("remote-user");
                    parts
                        .headers
                        .insert("remote-user", user.parse().expect("value"));
                    let answer = client
                        .request(Request::from_parts(parts, Full::new(body)))
                        .await
                        .expect("the gateway answers");
                    let (parts, body) = answer.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    Ok::<_, Infallible>(Response::from_parts(parts, Full::new(body)))
                }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}

/// The emulator over plain http (the browser has no reason to trust a test
/// CA), and the gateway behind the identity proxy; the proxy's URL is the
/// gateway's public URL.
async fn setup() -> (Harness, String) {
    let emulator = Emulator::builder()
        .company(Company::new("654321", common::PASSWORD).technician("123456"))
        .plain_http(true)
        .start()
        .await
        .expect("emulator");
    let proxy = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("addr"));
    let dir = common::scratch("browser");
    let password = dir.join("password");
    std::fs::write(&password, common::PASSWORD).expect("password");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\npublic_url = \"{proxy_url}\"\n[rescue]\nendpoint = \"{}\"\ncompany_id = \"654321\"\npassword_file = \"password\"\n{TRUSTED_HEADER}",
        emulator.base_url()
    );
    let config = rescue_sso_gateway::Config::from_toml(&toml, &dir).expect("config");
    let harness = Harness::serve(emulator, config, dir).await;
    tokio::spawn(identity_proxy(proxy, harness.url.clone(), "123456"));
    (harness, proxy_url)
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by `just e2e`"]
async fn a_technician_clicks_a_console_and_lands_signed_in_at_rescue() {
    let (h, proxy_url) = setup().await;
    let driver = Driver::start().await;
    let out = output_dir();
    let browser = driver.browser(&common::scratch("profile")).await;
    let result = async {
        browser.goto(&format!("{proxy_url}/")).await?;
        let user = browser.find(Locator::Css("#user")).await?.text().await?;
        assert_eq!(user, "123456");
        let png = browser.screenshot().await?;
        assert_eq!(png.get(1..4), Some(&b"PNG"[..]));
        std::fs::write(out.join("landing.png"), &png).expect("screenshot");

        let landed = launch_dtc64(&browser, &h.emulator.base_url(), "123456").await?;
        assert!(landed.ends_with("&arch=64"), "{landed}");
        std::fs::write(out.join("redeemed.png"), browser.screenshot().await?).expect("screenshot");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.close().await.expect("close");
    result.expect("the flow");
    let stats = h.emulator.stats();
    assert_eq!((stats.tickets_issued, stats.tickets_redeemed), (1, 1));
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by `just e2e`"]
async fn a_page_on_another_origin_cannot_launch() {
    let (h, proxy_url) = setup().await;
    // The attacker's page, on another origin, with the gateway's own form.
    let evil = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let evil_url = format!("http://{}", evil.local_addr().expect("addr"));
    let html = format!(
        "<!DOCTYPE html><title>Prize</title><form method=\"post\" action=\"{proxy_url}/launch\">\
         <input type=\"hidden\" name=\"console\" value=\"dtc\"><button id=\"win\" type=\"submit\">Win</button></form>"
    );
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = evil.accept().await else {
                continue;
            };
            let html = html.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_| {
                    let html = html.clone();
                    async move {
                        let mut response = Response::new(Full::new(Bytes::from(html)));
                        response
                            .headers_mut()
                            .insert("content-type", "text/html".parse().expect("value"));
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    let driver = Driver::start().await;
    let browser = driver.browser(&common::scratch("profile")).await;
    let result = async {
        browser.goto(&evil_url).await?;
        browser.find(Locator::Css("#win")).await?.click().await?;
        arrive(&browser, &format!("{proxy_url}/launch")).await;
        let page = browser.source().await?;
        assert!(page.contains("Not allowed from another site"), "{page}");
        std::fs::write(
            output_dir().join("cross-site.png"),
            browser.screenshot().await?,
        )
        .expect("screenshot");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.close().await.expect("close");
    result.expect("the flow");
    assert_eq!(h.emulator.stats().tickets_issued, 0, "no ticket was issued");
    assert_eq!(h.emulator.stats().requests, 0);
}
