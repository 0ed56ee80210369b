//! Any status and body, decoded as both operations' answers: never a panic;
//! a success is always a URL on the endpoint's own origin; and no error, in
//! its Display, its Debug or anywhere in its source chain, carries the
//! password in any spelling the fuzzer's body could echo it in.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Operation, Password, SsoId,
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
    let web = GetLoginTicket::new(sso, company, password);
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for result in [dtc.decode(&endpoint, &response), web.decode(&endpoint, &response)] {
        match result {
            Ok(ticket) => assert!(ticket
                .expose_url()
                .to_ascii_lowercase()
                .starts_with("https://secure.logmeinrescue.com/")),
            Err(err) => {
                let text = chain(&err);
                for spelling in [secret, encoded.as_str()] {
                    assert!(
                        !text.to_lowercase().contains(&spelling.to_lowercase()),
                        "{spelling:?} in {text:?}"
                    );
                }
            }
        }
    }
});
