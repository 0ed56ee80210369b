//! Properties of encoding and decoding over arbitrary inputs.

use proptest::prelude::*;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Operation, Password,
    RequestMethod, SsoId,
};

/// Any Unicode text a constructor accepts: no control characters.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        any::<char>().prop_filter("no controls", |c| !c.is_control()),
        1..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn sso_id() -> impl Strategy<Value = String> {
    text(40).prop_filter("no surrounding whitespace", |s| {
        s.trim() == s && !s.is_empty()
    })
}

fn arch() -> impl Strategy<Value = Arch> {
    prop_oneof![Just(Arch::Default), Just(Arch::X64)]
}

/// What an ASP.NET server reads out of a form or query string.
fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn expected(sso: &str, password: &str, company: u64, arch: Arch) -> Vec<(String, String)> {
    let mut params = vec![
        ("ssoid".to_owned(), sso.to_owned()),
        ("Password".to_owned(), password.to_owned()),
        ("CompanyID".to_owned(), company.to_string()),
    ];
    if arch == Arch::X64 {
        params.push(("arch".to_owned(), "64".to_owned()));
    }
    params
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/props.txt"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn post_body_and_get_query_parse_back_exactly(
        sso in sso_id(),
        password in text(64),
        company in 0u64..10_000_000_000,
        arch in arch(),
    ) {
        let op = GetDtcLoginTicket::new(
            SsoId::new(sso.clone()).expect("valid sso id"),
            CompanyId::from(company),
            Password::new(password.clone()).expect("valid password"),
        )
        .arch(arch);
        let endpoint = Endpoint::default();
        let want = expected(&sso, &password, company, arch);

        let post = op.encode(&endpoint, RequestMethod::Post).expect("encode");
        prop_assert_eq!(parse_form(post.body().expose_bytes()), want.clone());
        prop_assert_eq!(post.uri().query(), None);

        let get = op.encode(&endpoint, RequestMethod::Get).expect("encode");
        let query = get.uri().query().unwrap_or_default();
        prop_assert_eq!(parse_form(query.as_bytes()), want);
        prop_assert!(get.body().is_empty());
    }

    #[test]
    fn decoding_arbitrary_answers_never_panics(
        status in 100u16..1000,
        body in proptest::collection::vec(any::<u8>(), 0..512),
        arch in arch(),
    ) {
        let op = GetDtcLoginTicket::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::from(654_321),
            Password::new("secretPassword").expect("password"),
        )
        .arch(arch);
        let mut response = Response::new(Bytes::from(body));
        *response.status_mut() = StatusCode::from_u16(status).expect("status in range");
        let _ = op.decode(&Endpoint::default(), &response);
    }

    #[test]
    fn decoding_ok_lines_never_panics(tail in "\\PC{0,200}") {
        let op = GetLoginTicket::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::from(654_321),
            Password::new("secretPassword").expect("password"),
        );
        let response = Response::new(Bytes::from(format!("OK:{tail}")));
        let _ = op.decode(&Endpoint::default(), &response);
    }

    /// The password and the ticket never reach Debug or an error message,
    /// even when a hostile server echoes them back in any shape.
    #[test]
    fn secrets_never_leak_into_debug_or_errors(
        password in "[a-zA-Z0-9&=+%# ]{12,40}",
        prefix in "\\PC{0,40}",
        suffix in "\\PC{0,40}",
        status in prop_oneof![Just(200u16), Just(403), Just(500)],
        ticket in "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    ) {
        let op = GetDtcLoginTicket::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::from(654_321),
            Password::new(password.clone()).expect("password"),
        );
        let endpoint = Endpoint::default();
        let encoded: String = form_urlencoded::byte_serialize(password.as_bytes()).collect();
        let request = op.encode(&endpoint, RequestMethod::Post).expect("encode");
        let request_debug = format!("{request:?}");
        prop_assert!(!request_debug.contains(&password));
        let op_debug = format!("{op:?}");
        prop_assert!(!op_debug.contains(&password));

        for echo in [
            format!("{prefix}{password}{suffix}"),
            format!("<html>{prefix}Password={encoded}&ticket={ticket}{suffix}</html>"),
            format!("OK:https://evil.example/?ticket={ticket}&p={encoded}"),
            format!("{prefix}{ticket}"),
        ] {
            let mut response = Response::new(Bytes::from(echo));
            *response.status_mut() = StatusCode::from_u16(status).expect("status");
            if let Err(err) = op.decode(&endpoint, &response) {
                for text in [err.to_string(), format!("{err:?}")] {
                    prop_assert!(!text.contains(&password), "{}", text);
                    prop_assert!(!text.contains(&encoded), "{}", text);
                    prop_assert!(!text.contains(&ticket), "{}", text);
                }
            }
        }

        let ok = format!(
            "OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={ticket}"
        );
        let ticket_value = op
            .decode(&endpoint, &Response::new(Bytes::from(ok)))
            .expect("valid ticket");
        let ticket_debug = format!("{ticket_value:?}");
        prop_assert!(!ticket_debug.contains(&ticket));
    }
}
