//! What the client logs: the call's shape, never a secret.

mod common;

use std::io;
use std::sync::{Arc, Mutex};

use rescue_sso_blocking::proto::RequestMethod;
use tracing_subscriber::fmt::MakeWriter;

use common::{PASSWORD, builder_for, dtc, emulator};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn the_trace_log_holds_no_secret() {
    let emu = emulator();
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();

    let (tickets, codes) = tracing::subscriber::with_default(subscriber, || {
        let mut tickets = Vec::new();
        let mut codes = Vec::new();
        for method in [RequestMethod::Post, RequestMethod::Get] {
            let client = builder_for(&emu).method(method).build().expect("client");
            tickets.push(client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket"));
            tickets.push(client.dtc_login_ticket(&dtc(PASSWORD)).expect("ticket"));
            // A refusal is logged too.
            assert!(client.dtc_login_ticket(&dtc("wrongPassword")).is_err());
            // And the third operation, whose answer is a long-lived code.
            let op = rescue_sso_blocking::proto::RequestAuthCodeSso::new(
                rescue_sso_blocking::proto::SsoId::new("123456").expect("sso id"),
                rescue_sso_blocking::proto::CompanyId::new("654321").expect("company"),
                rescue_sso_blocking::proto::Password::new(PASSWORD).expect("password"),
            );
            codes.push(client.request_auth_code_sso(&op).expect("code"));
        }
        (tickets, codes)
    });

    let text = String::from_utf8(log.0.lock().expect("lock").clone()).expect("utf-8");
    // The log says what happened...
    assert!(text.contains("rescue_sso"), "{text}");
    assert!(text.contains("operation=\"getDTCLoginTicket\""), "{text}");
    assert!(text.contains("method=\"GET\""), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("reused=true"), "{text}");
    assert!(
        text.contains("invalid sso id or master sso password"),
        "{text}"
    );
    // ...and nothing that would let a reader of it log in.
    for secret in [PASSWORD, "wrongPassword", "Password=", "ssoid="] {
        assert!(!text.contains(secret), "{secret} in:\n{text}");
    }
    assert!(text.contains("requestAuthCodeSSO"), "{text}");
    for code in &codes {
        assert!(
            !text.contains(code.expose_secret()),
            "auth code in:\n{text}"
        );
        assert!(!text.contains("pwd="), "{text}");
    }
    for ticket in &tickets {
        assert!(
            !text.contains(&ticket.expose_ticket().to_string()),
            "ticket in:\n{text}"
        );
    }
}
