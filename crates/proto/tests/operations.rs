//! Encoding and decoding both operations, against the vendor page's examples
//! and every failure a caller can match on.

use std::error::Error as _;

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Method, Response, StatusCode, header};
use rescue_sso_proto::{
    Arch, CompanyId, Console, Endpoint, Error, GetDtcLoginTicket, GetLoginTicket, Operation,
    Password, RequestMethod, RescueError, SsoId, TicketUrlError,
};

const VENDOR_URL: &str = "https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824&arch=64";
const TICKET: &str = "4c6f1815-1e0c-43ab-8117-d79b8f523824";

fn dtc(password: &str, arch: Arch) -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new(password).expect("password"),
    )
    .arch(arch)
}

fn web() -> GetLoginTicket {
    GetLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    )
}

fn answer(status: u16, body: &'static [u8]) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(body));
    *response.status_mut() = StatusCode::from_u16(status).expect("status");
    response
}

fn decode_dtc(arch: Arch, status: u16, body: &'static [u8]) -> Result<(), Error> {
    dtc("secretPassword", arch)
        .decode(&Endpoint::default(), &answer(status, body))
        .map(|_| ())
}

#[test]
fn get_matches_the_vendor_example() {
    let req = dtc("secretPassword", Arch::X64)
        .encode(&Endpoint::default(), RequestMethod::Get)
        .expect("encode");
    assert_eq!(req.method(), Method::GET);
    assert_eq!(
        req.uri().to_string(),
        "https://secure.logmeinrescue.com/SSO/GetDTCLoginTicket.aspx?ssoid=123456&Password=secretPassword&CompanyID=654321&arch=64"
    );
    assert!(req.body().is_empty());
    assert_eq!(req.headers()[header::HOST], "secure.logmeinrescue.com");
    assert!(req.headers().get(header::CONTENT_TYPE).is_none());
}

#[test]
fn post_is_the_default_and_keeps_the_password_out_of_the_url() {
    let req = dtc("secretPassword", Arch::Default)
        .encode(&Endpoint::default(), RequestMethod::default())
        .expect("encode");
    assert_eq!(req.method(), Method::POST);
    assert_eq!(
        req.uri().to_string(),
        "https://secure.logmeinrescue.com/SSO/GetDTCLoginTicket.aspx"
    );
    assert_eq!(
        req.body().expose_bytes().as_ref(),
        b"ssoid=123456&Password=secretPassword&CompanyID=654321"
    );
    let h = req.headers();
    assert_eq!(h[header::CONTENT_TYPE], "application/x-www-form-urlencoded");
    assert_eq!(h[header::CONTENT_LENGTH], "53");
    assert_eq!(
        h[header::USER_AGENT],
        concat!("rescue-sso/", env!("CARGO_PKG_VERSION"))
    );
    assert!(!format!("{req:?}").contains("secretPassword"));
}

#[test]
fn every_value_is_percent_encoded() {
    let req = dtc("a&b=c+d%e#f?g h/é🔑", Arch::Default)
        .encode(&Endpoint::default(), RequestMethod::Post)
        .expect("encode");
    assert_eq!(
        std::str::from_utf8(req.body().expose_bytes()).expect("ascii"),
        "ssoid=123456&Password=a%26b%3Dc%2Bd%25e%23f%3Fg+h%2F%C3%A9%F0%9F%94%91&CompanyID=654321"
    );
}

#[test]
fn web_console_goes_to_its_own_path() {
    let endpoint = Endpoint::new("https://secure.logmeinrescue.eu:8443").expect("endpoint");
    let req = web()
        .encode(&endpoint, RequestMethod::Post)
        .expect("encode");
    assert_eq!(
        req.uri().to_string(),
        "https://secure.logmeinrescue.eu:8443/SSO/GetLoginTicket.aspx"
    );
    assert_eq!(req.headers()[header::HOST], "secure.logmeinrescue.eu:8443");
}

#[test]
fn decodes_the_vendor_output() {
    let op = dtc("secretPassword", Arch::X64);
    let response = answer(200, b"OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824&arch=64");
    let ticket = op.decode(&Endpoint::default(), &response).expect("ticket");
    assert_eq!(ticket.expose_url(), VENDOR_URL);
    assert_eq!(ticket.expose_ticket().to_string(), TICKET);
    assert_eq!(ticket.company_id().get(), 654_321);
    assert_eq!(ticket.arch(), Arch::X64);
    assert_eq!(ticket.console(), Console::Desktop);
    let debug = format!("{ticket:?}");
    assert!(
        !debug.contains(TICKET) && !debug.contains("4c6f1815"),
        "{debug}"
    );
}

#[test]
fn tolerates_bom_crlf_and_whitespace() {
    let body = b"\xEF\xBB\xBF  OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824\r\n";
    assert_eq!(decode_dtc(Arch::Default, 200, body), Ok(()));
}

#[test]
fn decodes_a_web_console_ticket() {
    let response = answer(
        200,
        b"OK:https://secure.logmeinrescue.com/SSO/Login.aspx?Ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824",
    );
    let ticket = web()
        .decode(&Endpoint::default(), &response)
        .expect("ticket");
    assert_eq!(ticket.console(), Console::Web);
    assert_eq!(ticket.expose_ticket().to_string(), TICKET);
    // A DTC URL is not a web-console ticket.
    let wrong = answer(200, b"OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824");
    assert_eq!(
        web().decode(&Endpoint::default(), &wrong).map(|_| ()),
        Err(Error::InvalidTicketUrl(TicketUrlError::Path))
    );
}

#[test]
fn rescue_refusals_are_typed() {
    let cases: [(&[u8], RescueError); 5] = [
        (b"INVALIDPASSWORD", RescueError::InvalidPassword),
        (b"INVALIDCOMPANYID\r\n", RescueError::InvalidCompanyId),
        (b"MISSINGPARAMETERS", RescueError::MissingParameters),
        (b"INVALIDSSOID", RescueError::Unknown("INVALIDSSOID".into())),
        (
            b"\n NOT_ALLOWED2 \n",
            RescueError::Unknown("NOT_ALLOWED2".into()),
        ),
    ];
    for (body, expected) in cases {
        let response = Response::new(Bytes::from_static(body));
        assert_eq!(
            dtc("secretPassword", Arch::Default)
                .decode(&Endpoint::default(), &response)
                .map(|_| ()),
            Err(Error::Rescue(expected))
        );
    }
}

#[test]
fn each_transport_level_failure_is_its_own_variant() {
    let status = |s: u16| StatusCode::from_u16(s).expect("status");
    assert_eq!(
        decode_dtc(Arch::Default, 302, b"OK:https://evil.example/"),
        Err(Error::Redirect {
            status: status(302)
        })
    );
    assert!(matches!(
        decode_dtc(Arch::Default, 500, b"<html>Server Error</html>"),
        Err(Error::Status { status: s, .. }) if s == status(500)
    ));
    assert!(matches!(
        decode_dtc(Arch::Default, 404, b""),
        Err(Error::Status { .. })
    ));
    assert_eq!(decode_dtc(Arch::Default, 200, b""), Err(Error::EmptyBody));
    assert_eq!(
        decode_dtc(Arch::Default, 200, b" \r\n\t"),
        Err(Error::EmptyBody)
    );
    assert_eq!(
        decode_dtc(Arch::Default, 200, b"OK:\xff"),
        Err(Error::NotUtf8)
    );
    assert!(matches!(
        decode_dtc(
            Arch::Default,
            200,
            b"<!DOCTYPE html><html>Proxy login</html>"
        ),
        Err(Error::Html { .. })
    ));
    assert_eq!(
        decode_dtc(Arch::Default, 200, b"https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824"),
        Err(Error::MissingOkPrefix)
    );
    assert!(matches!(
        decode_dtc(Arch::Default, 200, b"Invalid password, please retry"),
        Err(Error::UnexpectedBody { .. })
    ));
    assert!(matches!(
        decode_dtc(Arch::Default, 200, b"INVALIDPASSWORD\nINVALIDPASSWORD"),
        Err(Error::UnexpectedBody { .. })
    ));
    let big = Response::new(Bytes::from(vec![
        b'A';
        rescue_sso_proto::MAX_ANSWER_BYTES + 1
    ]));
    assert_eq!(
        dtc("secretPassword", Arch::Default)
            .decode(&Endpoint::default(), &big)
            .map(|_| ()),
        Err(Error::BodyTooLarge {
            limit: rescue_sso_proto::MAX_ANSWER_BYTES
        })
    );
}

#[test]
fn ticket_url_validation() {
    use TicketUrlError as T;
    let base = "https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx";
    let cases: Vec<(Arch, String, Result<(), T>)> = vec![
        (
            Arch::X64,
            format!("{base}?companyid=654321&ticket={TICKET}&arch=64"),
            Ok(()),
        ),
        (
            Arch::Default,
            format!("{base}?ticket={TICKET}&companyid=654321"),
            Ok(()),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=0654321&ticket={TICKET}"),
            Ok(()),
        ),
        (
            Arch::Default,
            format!(
                "https://SECURE.logmeinrescue.com:443/techconsole/desktopapp/downloadsso.aspx?companyid=654321&ticket={TICKET}"
            ),
            Ok(()),
        ),
        (
            Arch::Default,
            format!(
                "http://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::Scheme),
        ),
        (
            Arch::Default,
            format!("javascript://secure.logmeinrescue.com/?companyid=654321&ticket={TICKET}"),
            Err(T::Scheme),
        ),
        (
            Arch::Default,
            format!(
                "https://evil.example/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::Host),
        ),
        (
            Arch::Default,
            format!(
                "https://secure.logmeinrescue.com.evil.example/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::Host),
        ),
        (
            Arch::Default,
            format!(
                "https://secure.logmeinrescue.com:8443/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::Host),
        ),
        (
            Arch::Default,
            format!(
                "https://secure.logmeinrescue.com@evil.example/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::UserInfo),
        ),
        (
            Arch::Default,
            format!(
                "https://secure.logmeinrescue.com/SSO/Login.aspx?companyid=654321&ticket={TICKET}"
            ),
            Err(T::Path),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654322&ticket={TICKET}"),
            Err(T::CompanyId),
        ),
        (
            Arch::Default,
            format!("{base}?ticket={TICKET}"),
            Err(T::CompanyId),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321"),
            Err(T::Ticket),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket=not-a-guid"),
            Err(T::Ticket),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket=4c6f18151e0c43ab8117d79b8f523824"),
            Err(T::Ticket),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET}&arch=64"),
            Err(T::Arch),
        ),
        (
            Arch::X64,
            format!("{base}?companyid=654321&ticket={TICKET}"),
            Err(T::Arch),
        ),
        (
            Arch::X64,
            format!("{base}?companyid=654321&ticket={TICKET}&arch=32"),
            Err(T::Arch),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET}&next=https://evil.example"),
            Err(T::UnexpectedParameter),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET}&ticket={TICKET}"),
            Err(T::UnexpectedParameter),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET}#x"),
            Err(T::Fragment),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET} "),
            Ok(()),
        ),
        (
            Arch::Default,
            format!("{base}?companyid=654321&ticket={TICKET}\tx"),
            Err(T::Malformed),
        ),
        (
            Arch::Default,
            "/TechConsole/DesktopApp/DownloadSSO.aspx".to_owned(),
            Err(T::Malformed),
        ),
    ];
    for (arch, url, expected) in cases {
        let body: &'static [u8] = Box::leak(format!("OK:{url}").into_bytes().into_boxed_slice());
        let got = decode_dtc(arch, 200, body);
        assert_eq!(got, expected.map_err(Error::InvalidTicketUrl), "{url}");
    }
}

#[test]
fn allowed_ticket_hosts_and_loopback_emulators() {
    let body = b"OK:https://tickets.example:8443/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";
    let op = dtc("secretPassword", Arch::Default);
    let plain = Endpoint::default();
    assert_eq!(
        op.decode(&plain, &answer(200, body)).map(|_| ()),
        Err(Error::InvalidTicketUrl(TicketUrlError::Host))
    );
    let allowing = Endpoint::builder("https://secure.logmeinrescue.com")
        .allow_ticket_host("tickets.example:8443")
        .build()
        .expect("endpoint");
    assert!(op.decode(&allowing, &answer(200, body)).is_ok());

    let local = Endpoint::builder("http://127.0.0.1:8080")
        .allow_loopback_http()
        .build()
        .expect("endpoint");
    let local_body = b"OK:http://127.0.0.1:8080/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";
    assert!(op.decode(&local, &answer(200, local_body)).is_ok());
}

#[test]
fn messages_never_carry_the_password_or_ticket() {
    // A hostile server echoing the request back in an error page.
    let op = dtc("s3cr3t P&ss", Arch::Default);
    let echo = b"<html>you sent ssoid=123456&Password=s3cr3t+P%26ss and ticket 4c6f1815-1e0c-43ab-8117-d79b8f523824: s3cr3t P&ss</html>";
    for status in [200, 500] {
        let err = op
            .decode(&Endpoint::default(), &answer(status, echo))
            .expect_err("not a ticket");
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(!text.contains("4c6f1815"), "{text}");
        }
    }
    let debug = format!("{op:?}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
}

#[test]
fn a_get_request_prints_no_query() {
    let req = dtc("secretPassword", Arch::X64)
        .encode(&Endpoint::default(), RequestMethod::Get)
        .expect("encode");
    let debug = format!("{req:?}");
    assert!(!debug.contains("secretPassword"), "{debug}");
    assert!(debug.contains("/SSO/GetDTCLoginTicket.aspx"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    // The request itself still carries it, for the wire.
    assert!(
        req.into_http()
            .uri()
            .query()
            .is_some_and(|q| q.contains("Password=secretPassword"))
    );
}

#[test]
fn an_undocumented_word_that_is_the_password_is_redacted() {
    // A front end that echoes the form back, with an all-capitals password.
    for (password, body) in [
        ("ACMESSO2024", &b"ACMESSO2024"[..]),
        ("acmesso2024", b"ACMESSO2024"),
        ("ACMESSO2024", b"XACMESSO2024_ECHO"),
    ] {
        let err = dtc(password, Arch::Default)
            .decode(&Endpoint::default(), &answer(200, body))
            .expect_err("a refusal");
        assert_eq!(
            err,
            Error::Rescue(RescueError::Unknown("[redacted]".into()))
        );
        for text in [
            err.to_string(),
            format!("{err:?}"),
            format!("{:?}", err.source()),
        ] {
            assert!(!text.to_ascii_uppercase().contains("ACMESSO2024"), "{text}");
        }
    }
    // A word that merely shares letters with the password is kept.
    let err = dtc("ACMESSO2024", Arch::Default)
        .decode(&Endpoint::default(), &answer(200, b"ACME_LOCKED"))
        .expect_err("a refusal");
    assert_eq!(
        err,
        Error::Rescue(RescueError::Unknown("ACME_LOCKED".into()))
    );
}

#[test]
fn refusal_messages_do_not_quote_the_word() {
    // A password may be spelled like a refusal; the word is for code.
    for (body, word) in [
        (&b"INVALIDPASSWORD"[..], "INVALIDPASSWORD"),
        (b"INVALIDCOMPANYID", "INVALIDCOMPANYID"),
        (b"MISSINGPARAMETERS", "MISSINGPARAMETERS"),
    ] {
        let err = dtc(word, Arch::Default)
            .decode(&Endpoint::default(), &answer(200, body))
            .expect_err("a refusal");
        let Error::Rescue(refusal) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(refusal.word(), word);
        assert!(!refusal.to_string().contains(word), "{refusal}");
        assert!(!format!("{err:?}").contains(word), "{err:?}");
    }
}

#[test]
fn a_page_past_the_cap_keeps_its_status() {
    use rescue_sso_proto::{ANSWER_READ_LIMIT, MAX_ANSWER_BYTES};
    let op = dtc("secretPassword", Arch::Default);
    let decode = |status: u16, len: usize| {
        let mut page = b"<html><h1>502 Bad Gateway</h1>".to_vec();
        page.resize(len, b' ');
        let mut response = Response::new(Bytes::from(page));
        *response.status_mut() = StatusCode::from_u16(status).expect("status");
        op.decode(&Endpoint::default(), &response).map(|_| ())
    };
    match decode(502, ANSWER_READ_LIMIT) {
        Err(Error::Status { status, excerpt }) => {
            assert_eq!(status, 502);
            assert_eq!(excerpt.as_str(), "<html><h1>502 Bad Gateway</h1>");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        decode(200, ANSWER_READ_LIMIT),
        Err(Error::BodyTooLarge {
            limit: MAX_ANSWER_BYTES
        })
    );
    // At the cap exactly, a 200 is read as an answer (an HTML page here).
    assert!(matches!(
        decode(200, MAX_ANSWER_BYTES),
        Err(Error::Html { .. })
    ));
}

/// Decodes `OK:<url>` as the answer to a default-architecture DTC request
/// sent to `endpoint`.
fn decode_url(endpoint: &Endpoint, url: &str) -> Result<(), Error> {
    let response = Response::new(Bytes::from(format!("OK:{url}")));
    dtc("secretPassword", Arch::Default)
        .decode(endpoint, &response)
        .map(|_| ())
}

#[test]
fn each_byte_a_browser_would_not_take_makes_the_url_malformed() {
    let url = |bad: &str| {
        format!(
            "https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?ticket={TICKET}{bad}&companyid=654321"
        )
    };
    assert_eq!(decode_url(&Endpoint::default(), &url("")), Ok(()));
    let malformed = Err(Error::InvalidTicketUrl(TicketUrlError::Malformed));
    for bad in [
        " ", "\u{1}", "\u{1f}", "\u{7f}", "\\", "é", "\u{80}", // each class alone
        "  ", "\u{1}\t", " \u{7f}", "\\\\", "\u{7f}\\", // two in a row
        " x\u{7f}", "#\\", // apart, and before a fragment
    ] {
        assert_eq!(
            decode_url(&Endpoint::default(), &url(bad)),
            malformed,
            "{bad:?}"
        );
    }
    // `~` is a byte a URL may hold: refused for what it breaks, not as
    // malformed.
    assert_eq!(
        decode_url(&Endpoint::default(), &url("~")),
        Err(Error::InvalidTicketUrl(TicketUrlError::Ticket))
    );
    let fragment = Err(Error::InvalidTicketUrl(TicketUrlError::Fragment));
    for hash in ["#", "#x#", "##"] {
        assert_eq!(
            decode_url(&Endpoint::default(), &url(hash)),
            fragment,
            "{hash:?}"
        );
    }
}

#[test]
fn a_scheme_that_is_no_scheme_is_malformed() {
    let path = format!("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}");
    for (scheme, expected) in [
        ("", TicketUrlError::Malformed),
        ("ht_tps", TicketUrlError::Malformed),
        ("ftp", TicketUrlError::Scheme),
        ("web+https", TicketUrlError::Scheme),
    ] {
        assert_eq!(
            decode_url(
                &Endpoint::default(),
                &format!("{scheme}://secure.logmeinrescue.com{path}")
            ),
            Err(Error::InvalidTicketUrl(expected)),
            "{scheme:?}"
        );
    }
}

#[test]
fn a_port_is_one_to_five_ascii_digits() {
    let path = format!("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}");
    for (port, expected) in [
        (":443", Ok(())),
        (":00443", Ok(())),
        ("", Ok(())),
        (":", Err(TicketUrlError::Malformed)),
        (":000443", Err(TicketUrlError::Malformed)),
        (":+443", Err(TicketUrlError::Malformed)),
        (":44a", Err(TicketUrlError::Malformed)),
        (":99999", Err(TicketUrlError::Malformed)),
        (":444", Err(TicketUrlError::Host)),
    ] {
        assert_eq!(
            decode_url(
                &Endpoint::default(),
                &format!("https://secure.logmeinrescue.com{port}{path}")
            ),
            expected.map_err(Error::InvalidTicketUrl),
            "{port:?}"
        );
    }
}

#[test]
fn a_bracketed_ipv6_host_with_or_without_a_port() {
    let path = format!("/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={TICKET}");
    let bare = Endpoint::new("https://[2001:db8::1]").expect("endpoint");
    let with_port = Endpoint::new("https://[2001:db8::1]:8443").expect("endpoint");
    let cases = [
        (&bare, "[2001:db8::1]", Ok(())),
        (&bare, "[2001:DB8::1]:443", Ok(())),
        (&with_port, "[2001:db8::1]:8443", Ok(())),
        (&with_port, "[2001:db8::1]", Err(TicketUrlError::Host)),
        (&bare, "[2001:db8::2]", Err(TicketUrlError::Host)),
        (&bare, "[2001:db8::1]:", Err(TicketUrlError::Malformed)),
        (&bare, "[2001:db8::1]443", Err(TicketUrlError::Malformed)),
        (&bare, "[2001:db8::1", Err(TicketUrlError::Malformed)),
    ];
    for (endpoint, authority, expected) in cases {
        assert_eq!(
            decode_url(endpoint, &format!("https://{authority}{path}")),
            expected.map_err(Error::InvalidTicketUrl),
            "{authority}"
        );
    }
}

#[test]
fn a_parameter_named_like_a_known_one_is_still_unexpected() {
    let base = "https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx";
    for query in [
        format!("companyiX=654321&ticket={TICKET}"),
        format!("companyid=654321&tickeX={TICKET}"),
        format!("companyid=654321&ticket={TICKET}&arcX=64"),
        format!("companyid=654321&ticket={TICKET}&tickets={TICKET}"),
        format!("company=654321&ticket={TICKET}"),
    ] {
        assert_eq!(
            decode_url(&Endpoint::default(), &format!("{base}?{query}")),
            Err(Error::InvalidTicketUrl(TicketUrlError::UnexpectedParameter)),
            "{query}"
        );
    }
}
