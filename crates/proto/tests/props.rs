//! Properties of encoding and decoding over arbitrary inputs.

use proptest::prelude::*;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    ANSWER_READ_LIMIT, Arch, CompanyId, Endpoint, Error, GetDtcLoginTicket, GetLoginTicket,
    Operation, Password, RequestMethod, SsoId,
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

    /// The password and the ticket never reach Debug or an error message
    /// (sources included), however a hostile server echoes them back: in any
    /// spelling, after any amount of filler, in a body past the cap, at any
    /// status.
    #[test]
    fn secrets_never_leak_into_debug_or_errors(
        password in password(),
        spelling in 0usize..SPELLINGS,
        filler in prop_oneof![Just(0usize), 0usize..64, 4000usize..4200, 8150usize..8200, 8300usize..9000],
        filler_byte in prop_oneof![Just(b' '), Just(b'\n'), Just(b'x'), Just(b'\t')],
        prefix in "\\PC{0,16}",
        suffix in "\\PC{0,16}",
        status in prop_oneof![Just(200u16), Just(403), Just(500), Just(502)],
        ticket in "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    ) {
        let op = GetDtcLoginTicket::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::from(654_321),
            Password::new(password.clone()).expect("password"),
        );
        let endpoint = Endpoint::default();
        let echoed = spell(&password, spelling);
        let forbidden = [password.clone(), echoed.clone(), collapse(&echoed)];
        for method in [RequestMethod::Post, RequestMethod::Get] {
            let request = op.encode(&endpoint, method).expect("encode");
            check_clean(&format!("{request:?}"), &forbidden)?;
        }
        check_clean(&format!("{op:?}"), &forbidden)?;

        let mut filled = vec![filler_byte; filler];
        filled.extend_from_slice(echoed.as_bytes());
        let filled = String::from_utf8_lossy(&filled).into_owned();
        for echo in [
            format!("{prefix}{echoed}{suffix}"),
            echoed.clone(),
            filled.clone(),
            format!("{filled}{suffix}"),
            format!("<html>{prefix}Password={echoed}&ticket={ticket}{suffix}</html>"),
            format!("OK:https://evil.example/?ticket={ticket}&p={echoed}"),
            format!("{prefix}{ticket}"),
        ] {
            let mut response = Response::new(Bytes::from(echo));
            *response.status_mut() = StatusCode::from_u16(status).expect("status");
            if let Err(err) = op.decode(&endpoint, &response) {
                let mut forbidden = forbidden.to_vec();
                forbidden.push(ticket.clone());
                for text in [err.to_string(), format!("{err:?}"), chain(&err)] {
                    check_clean(&text, &forbidden)?;
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

    /// A body cut at the read limit whose last bytes are the start of the
    /// password: the start is not shown either.
    #[test]
    fn the_start_of_the_password_at_the_cut_is_not_shown(
        password in password(),
        keep in 1usize..12,
        status in prop_oneof![Just(403u16), Just(500), Just(502)],
    ) {
        let op = GetDtcLoginTicket::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::from(654_321),
            Password::new(password.clone()).expect("password"),
        );
        let start: String = password.chars().take(keep.min(password.chars().count() - 1)).collect();
        let mut body = " ".repeat(ANSWER_READ_LIMIT - start.len());
        body.push_str(&start);
        body.push_str(&password);
        let mut response = Response::new(Bytes::from(body.into_bytes()).slice(..ANSWER_READ_LIMIT));
        *response.status_mut() = StatusCode::from_u16(status).expect("status");
        let err = op.decode(&Endpoint::default(), &response).expect_err("a refusal");
        let Error::Status { excerpt, .. } = err else {
            return Err(TestCaseError::fail(format!("{err:?}")));
        };
        prop_assert!(
            excerpt.is_empty() || excerpt.as_str() == "[redacted]",
            "{:?} shows the start of {:?}",
            excerpt,
            password
        );
    }
}

/// Passwords a leak test must cover: ordinary ones, all-capitals ones that
/// look like a refusal word, the refusal words themselves, and ones with the
/// characters every encoding treats specially.
fn password() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9&=+%# ]{12,40}",
        "[A-Z][A-Z0-9_]{11,30}",
        Just("ACMESSO2024".to_owned()),
        Just("INVALIDPASSWORD".to_owned()),
        Just("INVALIDCOMPANYID".to_owned()),
        Just("MISSINGPARAMETERS".to_owned()),
        Just("INVALIDSSOID_2024".to_owned()),
        "[a-z<>&\"' ]{4,8}[a-zA-Z0-9]{8,16}",
        "[a-zA-Z0-9]{6,10}[\u{e0}-\u{ff}\u{1f511}]{1,3}[a-zA-Z0-9]{4,8}",
    ]
    .prop_filter("a password is never all whitespace", |p| {
        !p.trim().is_empty()
    })
}

/// How many ways [`spell`] knows.
const SPELLINGS: usize = 10;

/// The password as a server might echo it: raw, in capitals, form-encoded
/// with upper- or lower-case hex, with `%20` for a space, HTML-escaped by
/// name or by number, JSON-escaped, or a mix, character by character.
fn spell(password: &str, how: usize) -> String {
    let form = |c: char, space: &str| -> String {
        if c == ' ' {
            return space.to_owned();
        }
        let mut buf = [0u8; 4];
        form_urlencoded::byte_serialize(c.encode_utf8(&mut buf).as_bytes()).collect()
    };
    let lower_hex = |c: char| {
        let s = form(c, "+");
        if s.starts_with('%') {
            s.to_ascii_lowercase()
        } else {
            s
        }
    };
    let html_named = |c: char| match c {
        '&' => "&amp;".to_owned(),
        '<' => "&lt;".to_owned(),
        '>' => "&gt;".to_owned(),
        '"' => "&quot;".to_owned(),
        '\'' => "&#39;".to_owned(),
        c => c.to_string(),
    };
    let html_number = |c: char| format!("&#{};", u32::from(c));
    let json = |c: char| {
        let mut units = [0u16; 2];
        c.encode_utf16(&mut units)
            .iter()
            .map(|u| format!("\\u{u:04x}"))
            .collect::<String>()
    };
    password
        .chars()
        .enumerate()
        .map(|(i, c)| match how {
            0 => c.to_string(),
            1 => c.to_uppercase().collect(),
            2 => form(c, "+"),
            3 => lower_hex(c),
            4 => form(c, "%20"),
            5 => html_named(c),
            6 => html_number(c),
            7 => json(c),
            8 => match i % 4 {
                0 => c.to_string(),
                1 => lower_hex(c),
                2 => html_named(c),
                _ => html_number(c),
            },
            _ => match i % 3 {
                0 => json(c),
                1 => form(c, "%20"),
                _ => c.to_lowercase().collect(),
            },
        })
        .collect()
}

/// `text` with runs of whitespace as one space, as excerpts print them.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An error and all of its sources, as one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        text.push_str(": ");
        text.push_str(&next.to_string());
        text.push_str(&format!(" {next:?}"));
        source = next.source();
    }
    text
}

fn check_clean(text: &str, forbidden: &[String]) -> Result<(), TestCaseError> {
    for secret in forbidden.iter().filter(|s| s.trim().len() >= 4) {
        prop_assert!(
            !text.contains(secret.as_str()),
            "{:?} in {:?}",
            secret,
            text
        );
        prop_assert!(
            !collapse(text).contains(&collapse(secret)),
            "{:?} in {:?}",
            secret,
            text
        );
    }
    Ok(())
}
