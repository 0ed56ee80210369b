//! A captured `tracing` log of successful and failed calls holds no secret.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{builder, dtc};
use rescue_sso_emulator::{Emulator, Fault};
use rescue_sso_hyper::proto::RequestMethod;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_log_never_holds_the_password_body_or_ticket() {
    let password = "Sup3r$ecret&Pass";
    let e = Emulator::builder()
        .company(rescue_sso_emulator::Company::new("654321", password).technician("123456"))
        .start()
        .await
        .expect("emulator");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut tickets = Vec::new();
    let mut codes = Vec::new();
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let c = builder(&e.base_url(), e.ca_pem())
            .method(method)
            .build()
            .expect("client");
        let t = c.dtc_login_ticket(&dtc(password)).await.expect("ticket");
        tickets.push(t.expose_ticket().to_string());
        // A failure, with a server page echoing the password back.
        e.faults().push_next(Fault::Custom {
            status: 500,
            body: format!("<html>bad Password={password}</html>").into(),
            content_type: None,
        });
        assert!(c.dtc_login_ticket(&dtc(password)).await.is_err());
        // The third operation, whose answer is a long-lived code.
        let op = rescue_sso_hyper::proto::RequestAuthCodeSso::new(
            rescue_sso_hyper::proto::SsoId::new("123456").expect("sso id"),
            rescue_sso_hyper::proto::CompanyId::new("654321").expect("company"),
            rescue_sso_hyper::proto::Password::new(password).expect("password"),
        );
        let code = c.request_auth_code_sso(&op).await.expect("code");
        codes.push(code.expose_secret().to_owned());
    }
    let log = String::from_utf8(captured.0.lock().expect("log lock").clone()).expect("utf-8");
    assert!(log.contains("rescue_sso"), "the span is there: {log}");
    assert!(log.contains("getDTCLoginTicket"));
    assert!(log.contains("requestAuthCodeSSO"));
    // Each client's first call opens a connection, its second reuses it.
    assert!(log.contains("reused=false"), "{log}");
    assert!(log.contains("reused=true"), "{log}");
    for secret in [
        password,
        "Sup3r%24ecret%26Pass",
        "ssoid=",
        tickets[0].as_str(),
        tickets[1].as_str(),
        codes[0].as_str(),
        codes[1].as_str(),
        "pwd=",
    ] {
        assert!(!log.contains(secret), "{secret} leaked: {log}");
    }
    e.shutdown().await;
}
