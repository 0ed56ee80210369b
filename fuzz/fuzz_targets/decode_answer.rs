//! Any status and body, decoded as both operations' answers: never a panic,
//! and a success is always a URL on the endpoint's own origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Operation, Password, SsoId,
};

fuzz_target!(|data: &[u8]| {
    let Some((&[hi, lo, flags], body)) = data.split_first_chunk::<3>() else {
        return;
    };
    let Ok(status) = StatusCode::from_u16(100 + u16::from_be_bytes([hi, lo]) % 900) else {
        return;
    };
    let arch = if flags & 1 == 1 { Arch::X64 } else { Arch::Default };
    let (Ok(sso), Ok(password)) = (SsoId::new("123456"), Password::new("secretPassword")) else {
        return;
    };
    let company = CompanyId::from(654_321);
    let mut response = Response::new(Bytes::copy_from_slice(body));
    *response.status_mut() = status;
    let endpoint = Endpoint::default();
    let dtc = GetDtcLoginTicket::new(sso.clone(), company, password.clone()).arch(arch);
    let web = GetLoginTicket::new(sso, company, password);
    for result in [dtc.decode(&endpoint, &response), web.decode(&endpoint, &response)] {
        match result {
            Ok(ticket) => assert!(ticket
                .expose_url()
                .to_ascii_lowercase()
                .starts_with("https://secure.logmeinrescue.com/")),
            Err(err) => assert!(!err.to_string().contains("secretPassword")),
        }
    }
});
