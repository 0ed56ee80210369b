//! Typed input constructors and both encodings on any three strings: never a
//! panic, and whatever is accepted parses back exactly, as a server would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\u{1f}');
    let (sso, company, password) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let (Ok(sso_id), Ok(company_id), Ok(secret)) =
        (SsoId::new(sso), CompanyId::new(company), Password::new(password))
    else {
        return;
    };
    let op = GetDtcLoginTicket::new(sso_id, company_id, secret).arch(Arch::X64);
    let want = vec![
        ("ssoid".to_owned(), sso.to_owned()),
        ("Password".to_owned(), password.to_owned()),
        ("CompanyID".to_owned(), company_id.to_string()),
        ("arch".to_owned(), "64".to_owned()),
    ];
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let req = op.encode(&Endpoint::default(), method).expect("valid inputs encode");
        let wire = match method {
            RequestMethod::Get => req.uri().query().unwrap_or_default().as_bytes().to_vec(),
            _ => req.body().expose_bytes().to_vec(),
        };
        let got: Vec<(String, String)> = form_urlencoded::parse(&wire).into_owned().collect();
        assert_eq!(got, want);
    }
});
