//! `rescue-sso demo`: the whole round trip on this machine, no network.
//!
//! Starts the emulator over TLS with a fresh CA, gets DTC tickets through
//! both adapters by POST and by GET, a web-console ticket, redeems one (and
//! shows it is single use), and shows that a wrong password and an unknown
//! company are refused. Each step is timed; the exit code is 0 only when
//! every step behaved as expected.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::Empty;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use rescue_sso_client_core::{FromSettings, ProxySettings, Roots, Settings, TlsSettings, rustls};
use rescue_sso_emulator::{Emulator, EmulatorHandle};
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Request, StatusCode};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, Error as ProtoError, GetDtcLoginTicket, GetLoginTicket, LoginTicket,
    Password, RequestMethod, RescueError, SsoId,
};

use crate::failure::{self, Failure};

const SSO_ID: &str = "123456";
const COMPANY_ID: &str = "654321";
const PASSWORD: &str = "secretPassword";

pub(crate) fn run() -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| failure::software(format!("starting the async runtime: {e}")))?;
    runtime.block_on(demo()).map_err(step_went_wrong)
}

/// The demo's one failure code: a step that did not behave as expected is
/// 70, whatever went wrong in it (a timeout, a refused connection, the
/// wrong answer); the message says which step and what.
fn step_went_wrong(failure: Failure) -> Failure {
    failure::software(failure.message)
}

struct Demo {
    emulator: EmulatorHandle,
    endpoint: Endpoint,
    ca_pem: String,
    steps: usize,
}

async fn demo() -> Result<(), Failure> {
    println!("rescue-sso demo: a local Rescue SSO emulator and both adapters, no network needed\n");
    let started = Instant::now();
    let emulator = Emulator::builder()
        .start()
        .await
        .map_err(|e| step_failed("start the emulator", &e))?;
    let ca_pem = emulator.ca_pem().unwrap_or_default().to_owned();
    let endpoint =
        Endpoint::new(&emulator.base_url()).map_err(|e| step_failed("emulator url", &e))?;
    report(
        started,
        &format!(
            "emulator listening on {} (fresh CA, trusted by this demo only)",
            emulator.base_url()
        ),
    );
    let mut demo = Demo {
        emulator,
        endpoint,
        ca_pem,
        steps: 1,
    };

    let hyper_post: rescue_sso_hyper::Client = demo.client(RequestMethod::Post)?;
    let hyper_get: rescue_sso_hyper::Client = demo.client(RequestMethod::Get)?;
    let first = demo
        .step("hyper    POST getDTCLoginTicket arch=64", async {
            hyper_post
                .dtc_login_ticket(&dtc(PASSWORD, COMPANY_ID)?.arch(Arch::X64))
                .await
                .map_err(Failure::from)
        })
        .await?;
    demo.step("hyper    GET  getDTCLoginTicket", async {
        hyper_get
            .dtc_login_ticket(&dtc(PASSWORD, COMPANY_ID)?)
            .await
            .map_err(Failure::from)
    })
    .await?;
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let client: rescue_sso_blocking::Client = demo.client(method)?;
        let label = match method {
            RequestMethod::Get => "blocking GET  getDTCLoginTicket",
            _ => "blocking POST getDTCLoginTicket",
        };
        demo.step(label, async move {
            tokio::task::spawn_blocking(move || {
                client
                    .dtc_login_ticket(&dtc(PASSWORD, COMPANY_ID)?)
                    .map_err(Failure::from)
            })
            .await
            .map_err(|e| failure::software(format!("blocking task: {e}")))?
        })
        .await?;
    }
    demo.step("hyper    POST getLoginTicket (web console)", async {
        let op = GetLoginTicket::new(sso()?, company(COMPANY_ID)?, password(PASSWORD)?);
        hyper_post
            .web_login_ticket(&op)
            .await
            .map_err(Failure::from)
    })
    .await?;

    let browser = demo.browser()?;
    demo.expect_status(
        "redeem the first ticket, as a browser would",
        &browser,
        &first,
        StatusCode::OK,
    )
    .await?;
    demo.expect_status(
        "redeem it again: tickets are single use",
        &browser,
        &first,
        StatusCode::GONE,
    )
    .await?;
    demo.expect_refusal(
        "wrong master SSO password",
        &hyper_post,
        dtc("wrongPassword", COMPANY_ID)?,
        RescueError::InvalidPassword,
    )
    .await?;
    demo.expect_refusal(
        "unknown company",
        &hyper_post,
        dtc(PASSWORD, "111111")?,
        RescueError::InvalidCompanyId,
    )
    .await?;

    let stats = demo.emulator.stats();
    println!(
        "\nthe emulator saw {} requests over {} connections ({} TLS handshakes): pooled clients reuse connections",
        stats.requests, stats.connections, stats.tls_handshakes
    );
    println!(
        "all {} steps behaved as expected in {} ms",
        demo.steps,
        started.elapsed().as_millis()
    );
    demo.emulator.shutdown().await;
    Ok(())
}

impl Demo {
    async fn step<F>(&mut self, label: &str, call: F) -> Result<LoginTicket, Failure>
    where
        F: Future<Output = Result<LoginTicket, Failure>>,
    {
        let started = Instant::now();
        let ticket = call.await.map_err(|f| Failure {
            message: format!("{label}: {}", f.message),
            ..f
        })?;
        self.steps += 1;
        report(started, &format!("{label:<44} -> {}", redacted(&ticket)));
        Ok(ticket)
    }

    async fn expect_status(
        &mut self,
        label: &str,
        browser: &HttpClient<
            hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
            Empty<Bytes>,
        >,
        ticket: &LoginTicket,
        want: StatusCode,
    ) -> Result<(), Failure> {
        let started = Instant::now();
        let request = Request::get(ticket.expose_url())
            .body(Empty::new())
            .map_err(|e| failure::software(format!("{label}: {e}")))?;
        let response = tokio::time::timeout(Duration::from_secs(10), browser.request(request))
            .await
            .map_err(|_| {
                Failure::from_chain("timeout", failure::TEMPFAIL, &Timeout(label.to_owned()))
            })?
            .map_err(|e| Failure::from_chain("unreachable", failure::UNAVAILABLE, &e))?;
        if response.status() != want {
            return Err(failure::software(format!(
                "{label}: expected status {}, got {}",
                want.as_u16(),
                response.status().as_u16()
            )));
        }
        self.steps += 1;
        report(started, &format!("{label:<44} -> {}", response.status()));
        Ok(())
    }

    async fn expect_refusal(
        &mut self,
        label: &str,
        client: &rescue_sso_hyper::Client,
        op: GetDtcLoginTicket,
        want: RescueError,
    ) -> Result<(), Failure> {
        let started = Instant::now();
        match client.dtc_login_ticket(&op).await {
            Err(rescue_sso_hyper::Error::Protocol(ProtoError::Rescue(got))) if got == want => {
                self.steps += 1;
                report(started, &format!("{label:<44} -> refused: {}", got.word()));
                Ok(())
            }
            Err(e) => {
                let f = Failure::from(e);
                Err(failure::software(format!(
                    "{label}: expected {}, got: {}",
                    want.word(),
                    f.message
                )))
            }
            Ok(_) => Err(failure::software(format!(
                "{label}: expected {}, got a ticket",
                want.word()
            ))),
        }
    }

    fn tls(&self) -> Result<Arc<rustls::ClientConfig>, Failure> {
        TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .add_root_pem(self.ca_pem.as_bytes())
            .and_then(|tls| tls.client_config(&[]))
            .map_err(|e| step_failed("trust the emulator's CA", &e))
    }

    /// Either adapter's client, trusting only the emulator's CA.
    fn client<C>(&self, method: RequestMethod) -> Result<C, Failure>
    where
        C: FromSettings,
        Failure: From<C::Error>,
    {
        let mut settings = Settings::default();
        settings.endpoint = self.endpoint.clone();
        settings.method = method;
        settings.tls = TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .add_root_pem(self.ca_pem.as_bytes())
            .map_err(|e| step_failed("trust the emulator's CA", &e))?;
        settings.proxy = Some(ProxySettings::none());
        Ok(C::from_settings(settings)?)
    }

    /// A plain HTTPS client standing in for the technician's browser.
    fn browser(
        &self,
    ) -> Result<
        HttpClient<
            hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
            Empty<Bytes>,
        >,
        Failure,
    > {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*self.tls()?).clone())
            .https_only()
            .enable_http1()
            .build();
        Ok(HttpClient::builder(TokioExecutor::new()).build(connector))
    }
}

#[derive(Debug)]
struct Timeout(String);

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: timed out", self.0)
    }
}

impl std::error::Error for Timeout {}

fn report(started: Instant, what: &str) {
    println!("  [{:>5} ms] {what}", started.elapsed().as_millis());
}

/// The URL with its ticket replaced: even an emulator's ticket is printed
/// the way a real one should be.
fn redacted(ticket: &LoginTicket) -> String {
    ticket
        .expose_url()
        .replace(&ticket.expose_ticket().to_string(), "[redacted]")
}

fn step_failed(what: &str, err: &dyn std::error::Error) -> Failure {
    failure::software(format!("{what}: {}", failure::chain(err)))
}

fn sso() -> Result<SsoId, Failure> {
    SsoId::new(SSO_ID).map_err(|e| step_failed("sso id", &e))
}

fn company(id: &str) -> Result<CompanyId, Failure> {
    CompanyId::new(id).map_err(|e| step_failed("company id", &e))
}

fn password(value: &str) -> Result<Password, Failure> {
    Password::new(value).map_err(|e| step_failed("password", &e))
}

fn dtc(password_value: &str, company_id: &str) -> Result<GetDtcLoginTicket, Failure> {
    Ok(GetDtcLoginTicket::new(
        sso()?,
        company(company_id)?,
        password(password_value)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_that_went_wrong_is_70_whatever_the_cause_and_keeps_its_message() {
        for cause in [
            Failure::from_chain("timeout", failure::TEMPFAIL, &Timeout("redeem".to_owned())),
            failure::software("expected status 410, got 200"),
            Failure::usage("no such option"),
        ] {
            let message = cause.message.clone();
            let failure = step_went_wrong(cause);
            assert_eq!(failure.code, failure::SOFTWARE);
            assert_eq!(failure.message, message);
        }
    }
}
