//! Tickets redeem once, on their own path, for their own company, before
//! they expire.

mod common;

use std::time::Duration;

use common::{DTC, VENDOR, WEB, client, get, ok_url, post};
use http::StatusCode;
use rescue_sso_emulator::{Company, Emulator};

#[tokio::test]
async fn a_dtc_ticket_redeems_once() {
    let e = Emulator::builder()
        .company(Company::default())
        .company(Company::new("42", "pw").technician("<b>x</b>"))
        .start()
        .await
        .expect("start");
    let c = client(e.ca_pem());
    let url = ok_url(&post(&c, &e, DTC, &format!("{VENDOR}&arch=64")).await);

    let first = get(&c, &url).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        first.body.contains("123456") && first.body.contains("654321"),
        "{}",
        first.body
    );
    let second = get(&c, &url).await;
    assert_eq!(second.status, StatusCode::GONE);
    assert!(second.body.contains("already been used"), "{}", second.body);
    let stats = e.stats();
    assert_eq!((stats.tickets_issued, stats.tickets_redeemed), (1, 1));

    // The page names the technician without letting markup through.
    let url = ok_url(
        &post(
            &c,
            &e,
            DTC,
            "ssoid=%3Cb%3Ex%3C/b%3E&Password=pw&CompanyID=42",
        )
        .await,
    );
    let page = get(&c, &url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("&lt;b&gt;x&lt;/b&gt;"), "{}", page.body);
    e.shutdown().await;
}

#[tokio::test]
async fn a_web_console_ticket_redeems_once() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = ok_url(&post(&c, &e, WEB, VENDOR).await);
    assert_eq!(get(&c, &url).await.status, StatusCode::OK);
    assert_eq!(get(&c, &url).await.status, StatusCode::GONE);
    e.shutdown().await;
}

#[tokio::test]
async fn names_and_paths_are_case_insensitive_on_redemption_too() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = ok_url(&post(&c, &e, DTC, VENDOR).await);
    let ticket = url.rsplit('=').next().expect("ticket");
    let shouted = format!(
        "{}/TECHCONSOLE/desktopapp/DownloadSso.aspx?CompanyID=654321&TICKET={ticket}",
        e.base_url()
    );
    assert_eq!(get(&c, &shouted).await.status, StatusCode::OK);
    e.shutdown().await;
}

#[tokio::test]
async fn unknown_mismatched_and_misplaced_tickets_fail() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = ok_url(&post(&c, &e, DTC, VENDOR).await);
    let ticket = url.rsplit('=').next().expect("ticket").to_owned();
    let base = e.base_url();

    let unknown = url.replace(&ticket, &uuid::Uuid::new_v4().to_string());
    let page = get(&c, &unknown).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("does not exist"), "{}", page.body);
    let not_a_guid = url.replace(&ticket, "not-a-guid");
    assert_eq!(get(&c, &not_a_guid).await.status, StatusCode::NOT_FOUND);
    let no_ticket = format!("{base}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321");
    assert_eq!(get(&c, &no_ticket).await.status, StatusCode::NOT_FOUND);

    let wrong_company = url.replace("companyid=654321", "companyid=1");
    let page = get(&c, &wrong_company).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("another company"), "{}", page.body);

    // A desktop ticket is unknown to the web console, and the other way round.
    let as_web = format!("{base}/SSO/Login.aspx?Ticket={ticket}");
    assert_eq!(get(&c, &as_web).await.status, StatusCode::NOT_FOUND);
    let web_url = ok_url(&post(&c, &e, WEB, VENDOR).await);
    let web_ticket = web_url.rsplit('=').next().expect("ticket");
    let as_dtc = format!(
        "{base}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket={web_ticket}"
    );
    assert_eq!(get(&c, &as_dtc).await.status, StatusCode::NOT_FOUND);

    // None of the failures used the tickets up.
    assert_eq!(get(&c, &url).await.status, StatusCode::OK);
    assert_eq!(get(&c, &web_url).await.status, StatusCode::OK);
    assert_eq!(e.stats().tickets_redeemed, 2);
    e.shutdown().await;
}

#[tokio::test]
async fn an_expired_ticket_is_gone() {
    let e = Emulator::builder()
        .ticket_ttl(Duration::ZERO)
        .start()
        .await
        .expect("start");
    let c = client(e.ca_pem());
    for path in [DTC, WEB] {
        let url = ok_url(&post(&c, &e, path, VENDOR).await);
        let page = get(&c, &url).await;
        assert_eq!(page.status, StatusCode::GONE, "{path}");
        assert!(page.body.contains("expired"), "{}", page.body);
    }
    assert_eq!(e.stats().tickets_redeemed, 0);
    e.shutdown().await;
}
