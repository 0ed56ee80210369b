//! Any status and body, decoded as the answer of all three operations:
//! never a panic; a ticket is always a URL on the endpoint's own origin; an
//! auth code is 20 to 512 ASCII letters and digits found in the body; and
//! no error, in its Display, its Debug or anywhere in its source chain,
//! carries the password in any spelling the fuzzer's body could echo it in,
//! nor, for the auth code operation, any 20-character run of the body's
//! letters and digits (a code that almost parsed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Operation, Password,
    RequestAuthCodeSso, SsoId,
};

/// Passwords that exercise the redaction: plain, all capitals (shaped like
/// a refusal word), and with characters every encoding treats specially.
const PASSWORDS: [&str; 3] = ["secretPassword", "ACMESSO2024", "p&ss w0rd<\"é"];

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = err.source();
    while let Some(next) = source {
        text.push_str(&format!(" {next} {next:?}"));
        source = next.source();
    }
    text
}

fuzz_target!(|data: &[u8]| {
    let Some((&[hi, lo, flags], body)) = data.split_first_chunk::<3>() else {
        return;
    };
    let Ok(status) = StatusCode::from_u16(100 + u16::from_be_bytes([hi, lo]) % 900) else {
        return;
    };
    let arch = if flags & 1 == 1 { Arch::X64 } else { Arch::Default };
    let secret = PASSWORDS[usize::from(flags >> 1) % PASSWORDS.len()];
    let (Ok(sso), Ok(password)) = (SsoId::new("123456"), Password::new(secret)) else {
        return;
    };
    let company = CompanyId::from(654_321);
    let mut response = Response::new(Bytes::copy_from_slice(body));
    *response.status_mut() = status;
    let endpoint = Endpoint::default();
    let dtc = GetDtcLoginTicket::new(sso.clone(), company, password.clone()).arch(arch);
    let web = GetLoginTicket::new(sso.clone(), company, password.clone());
    let authcode = RequestAuthCodeSso::new(sso, company, password);
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for result in [dtc.decode(&endpoint, &response), web.decode(&endpoint, &response)] {
        match result {
            Ok(ticket) => assert!(ticket
                .expose_url()
                .to_ascii_lowercase()
                .starts_with("https://secure.logmeinrescue.com/")),
            Err(err) => assert_no_password(&chain(&err), &[secret, encoded.as_str()]),
        }
    }
    match authcode.decode(&endpoint, &response) {
        Ok(code) => {
            let code = code.expose_secret();
            assert!((20..=512).contains(&code.len()));
            assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(body.windows(code.len()).any(|w| w == code.as_bytes()));
        }
        Err(err) => {
            let text = chain(&err);
            assert_no_password(&text, &[secret, encoded.as_str()]);
            // A body that speaks of an auth code never reaches an error's text.
            if body.windows(8).any(|w| w.eq_ignore_ascii_case(b"authcode")) {
                for run in body
                    .split(|b| !b.is_ascii_alphanumeric())
                    .filter(|run| run.len() >= 20)
                {
                    let run = String::from_utf8_lossy(run);
                    assert!(!text.contains(run.as_ref()), "{run:?} in {text:?}");
                }
            }
        }
    }
});

/// No spelling of the password, in any letter case, is in `text`.
fn assert_no_password(text: &str, spellings: &[&str]) {
    let text = text.to_lowercase();
    for spelling in spellings {
        assert!(
            !text.contains(&spelling.to_lowercase()),
            "{spelling:?} in {text:?}"
        );
    }
}
