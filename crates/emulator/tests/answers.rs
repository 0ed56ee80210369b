//! The ticket endpoints answer like Rescue, by GET and by POST, through an
//! independent client over real TLS.

mod common;

use common::{DTC, VENDOR, WEB, client, get, ok_url, post, send};
use http::{Method, StatusCode};
use rescue_sso_emulator::{Company, Emulator};

/// The vendor's company and one whose password needs every escape.
const HARD_PASSWORD: &str = "p&=+%# ü";
const HARD_PASSWORD_ENCODED: &str = "p%26%3D%2B%25%23+%C3%BC";

#[tokio::test]
async fn each_answer_in_order_of_precedence() {
    let e = Emulator::builder()
        .company(Company::default())
        .company(Company::new("777", HARD_PASSWORD).technician("tech@example.com"))
        .company(Company::new("abc", "secretPassword").technician("123456"))
        .start()
        .await
        .expect("start");
    let c = client(e.ca_pem());
    for (form, want) in [
        ("", "MISSINGPARAMETERS"),
        ("ssoid=123456&Password=secretPassword", "MISSINGPARAMETERS"),
        (
            "Password=secretPassword&CompanyID=654321",
            "MISSINGPARAMETERS",
        ),
        ("ssoid=123456&CompanyID=654321", "MISSINGPARAMETERS"),
        (
            "ssoid=123456&Password=&CompanyID=654321",
            "MISSINGPARAMETERS",
        ),
        // Missing parameters are reported before an unknown company.
        ("ssoid=&Password=x&CompanyID=999", "MISSINGPARAMETERS"),
        (
            "ssoid=123456&Password=secretPassword&CompanyID=999",
            "INVALIDCOMPANYID",
        ),
        // Company IDs are numbers: even a configured non-numeric one is unknown.
        (
            "ssoid=123456&Password=secretPassword&CompanyID=abc",
            "INVALIDCOMPANYID",
        ),
        // An unknown company is reported before a wrong password.
        ("ssoid=999&Password=nope&CompanyID=999", "INVALIDCOMPANYID"),
        (
            "ssoid=123456&Password=nope&CompanyID=654321",
            "INVALIDPASSWORD",
        ),
        (
            "ssoid=999&Password=secretPassword&CompanyID=654321",
            "INVALIDPASSWORD",
        ),
        (
            "ssoid=123456&Password=secretPassword&CompanyID=777",
            "INVALIDPASSWORD",
        ),
        // Passwords are case-sensitive.
        (
            "ssoid=123456&Password=SECRETPASSWORD&CompanyID=654321",
            "INVALIDPASSWORD",
        ),
    ] {
        for path in [DTC, WEB] {
            let reply = post(&c, &e, path, form).await;
            assert_eq!(
                (reply.status, reply.body.as_str()),
                (StatusCode::OK, want),
                "{path} {form}"
            );
            assert_eq!(
                reply.content_type.as_deref(),
                Some("text/plain; charset=utf-8")
            );
        }
    }
    assert_eq!(e.stats().tickets_issued, 0);
    e.shutdown().await;
}

#[tokio::test]
async fn a_dtc_ticket_url_on_the_emulators_own_origin() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = ok_url(&post(&c, &e, DTC, VENDOR).await);
    let ticket = url
        .strip_prefix(&format!(
            "{}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=",
            e.base_url()
        ))
        .unwrap_or_else(|| panic!("url shape: {url}"));
    let uuid = uuid::Uuid::try_parse(ticket).expect("a GUID");
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(
        ticket,
        uuid.hyphenated().to_string(),
        "lowercase, hyphenated"
    );

    let again = ok_url(&post(&c, &e, DTC, VENDOR).await);
    assert_ne!(url, again, "every ticket is fresh");
    assert_eq!(e.stats().tickets_issued, 2);
    e.shutdown().await;
}

#[tokio::test]
async fn arch_64_is_echoed_exactly_when_asked() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    for (extra, echoed) in [
        ("&arch=64", true),
        ("&ARCH=64", true),
        ("&arch=32", false),
        ("&arch=", false),
        ("&arch=640", false),
        ("", false),
    ] {
        let url = ok_url(&post(&c, &e, DTC, &format!("{VENDOR}{extra}")).await);
        assert_eq!(url.ends_with("&arch=64"), echoed, "{extra}: {url}");
        assert_eq!(url.matches("arch").count(), usize::from(echoed), "{url}");
    }
    // The web console has no architecture.
    let url = ok_url(&post(&c, &e, WEB, &format!("{VENDOR}&arch=64")).await);
    assert!(
        url.starts_with(&format!("{}/SSO/Login.aspx?Ticket=", e.base_url())),
        "{url}"
    );
    assert!(!url.contains("arch"), "{url}");
    e.shutdown().await;
}

#[tokio::test]
async fn get_with_mixed_case_names_paths_and_escaped_values() {
    let e = Emulator::builder()
        .company(Company::new("777", HARD_PASSWORD).technician("tech@example.com"))
        .start()
        .await
        .expect("start");
    let c = client(e.ca_pem());
    let query = format!("SSOID=tech%40example.com&pAsSwOrD={HARD_PASSWORD_ENCODED}&companyid=777");
    for path in [
        "/SSO/GetDTCLoginTicket.aspx",
        "/sso/getdtcloginticket.ASPX",
        "/SSO/GETLOGINTICKET.aspx",
    ] {
        let reply = get(&c, &format!("{}{path}?{query}", e.base_url())).await;
        ok_url(&reply);
    }
    // The same password by POST, and `+` is a space, not a plus.
    let reply = post(
        &c,
        &e,
        DTC,
        &format!("ssoid=tech%40example.com&Password={HARD_PASSWORD_ENCODED}&CompanyID=777"),
    )
    .await;
    ok_url(&reply);
    let plus = HARD_PASSWORD_ENCODED.replace('+', "%2B");
    let reply = post(
        &c,
        &e,
        DTC,
        &format!("ssoid=tech%40example.com&Password={plus}&CompanyID=777"),
    )
    .await;
    assert_eq!(reply.body, "INVALIDPASSWORD");
    e.shutdown().await;
}

#[tokio::test]
async fn post_reads_the_query_string_too_and_records_a_password_in_the_url() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = format!("{}{DTC}?Password=secretPassword", e.base_url());
    let reply = send(
        &c,
        Method::POST,
        &url,
        Some("ssoid=123456&CompanyID=654321"),
    )
    .await
    .expect("answer");
    ok_url(&reply);
    // The query string wins over the form, as ASP.NET's Request[] does.
    let url = format!("{}{DTC}?password=wrong", e.base_url());
    let reply = send(&c, Method::POST, &url, Some(VENDOR))
        .await
        .expect("answer");
    assert_eq!(reply.body, "INVALIDPASSWORD");
    post(&c, &e, DTC, VENDOR).await;

    let seen = e.requests();
    assert_eq!(seen.len(), 3);
    assert!(seen[0].password_in_url && seen[1].password_in_url);
    assert!(!seen[2].password_in_url, "a form body is not the URL");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, DTC);
    assert_eq!(seen[0].param_names, ["Password", "ssoid", "CompanyID"]);
    assert_eq!(seen[2].param_names, ["ssoid", "Password", "CompanyID"]);
    e.shutdown().await;
}

#[tokio::test]
async fn other_paths_methods_and_oversized_bodies() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let base = e.base_url();
    for (method, path, want) in [
        (Method::GET, "/", StatusCode::NOT_FOUND),
        (
            Method::GET,
            "/SSO/GetDTCLoginTicket.asp",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/SSO/GetDTCLoginTicket.aspx/x",
            StatusCode::NOT_FOUND,
        ),
        (Method::DELETE, "/nope", StatusCode::NOT_FOUND),
        (Method::PUT, DTC, StatusCode::METHOD_NOT_ALLOWED),
        (Method::DELETE, WEB, StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::POST,
            "/SSO/Login.aspx?Ticket=x",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let reply = send(&c, method.clone(), &format!("{base}{path}"), Some(VENDOR))
            .await
            .expect("answer");
        assert_eq!(reply.status, want, "{method} {path}");
    }
    let huge = format!("{VENDOR}&pad={}", "x".repeat(17 * 1024));
    assert_eq!(
        post(&c, &e, DTC, &huge).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let big_but_fine = format!("{VENDOR}&pad={}", "x".repeat(15 * 1024));
    ok_url(&post(&c, &e, DTC, &big_but_fine).await);
    e.shutdown().await;
}
