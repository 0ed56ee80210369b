//! The emulator answers like Rescue, over real TLS and plain HTTP, driven by
//! an independent client (hyper-util with hyper-rustls).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_emulator::scripted::{After, Script, ScriptedServer};
use rescue_sso_emulator::{Company, Emulator, EmulatorHandle, Fault};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

fn client(ca_pem: Option<&str>) -> Client<Https, Full<Bytes>> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("pem")).expect("root");
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

use rustls_pki_types::pem::PemObject;

struct Reply {
    status: StatusCode,
    version: Version,
    body: String,
}

async fn send(
    c: &Client<Https, Full<Bytes>>,
    method: Method,
    url: &str,
    form: Option<&str>,
) -> Result<Reply, hyper_util::client::legacy::Error> {
    let mut req = Request::builder().method(method).uri(url);
    if form.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let req = req
        .body(Full::new(Bytes::from(form.unwrap_or_default().to_owned())))
        .expect("request");
    let response = c.request(req).await?;
    let status = response.status();
    let version = response.version();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Ok(Reply {
        status,
        version,
        body: String::from_utf8(body.to_vec()).expect("utf-8"),
    })
}

async fn post(c: &Client<Https, Full<Bytes>>, e: &EmulatorHandle, path: &str, form: &str) -> Reply {
    send(
        c,
        Method::POST,
        &format!("{}{path}", e.base_url()),
        Some(form),
    )
    .await
    .expect("answer")
}

async fn get(c: &Client<Https, Full<Bytes>>, url: &str) -> Reply {
    send(c, Method::GET, url, None).await.expect("answer")
}

const DTC: &str = "/SSO/GetDTCLoginTicket.aspx";
const VENDOR: &str = "ssoid=123456&Password=secretPassword&CompanyID=654321";

#[tokio::test]
async fn issues_a_dtc_ticket_that_redeems_once() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let reply = post(&c, &e, DTC, &format!("{VENDOR}&arch=64")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let url = reply
        .body
        .strip_prefix("OK:")
        .expect("OK: prefix")
        .to_owned();
    let prefix = format!(
        "{}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=",
        e.base_url()
    );
    let ticket = url
        .strip_prefix(&prefix)
        .expect("url shape")
        .strip_suffix("&arch=64")
        .expect("arch echoed");
    assert!(uuid::Uuid::try_parse(ticket).is_ok(), "{ticket}");

    let first = get(&c, &url).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("123456") && first.body.contains("654321"));
    assert_eq!(get(&c, &url).await.status, StatusCode::GONE);
    assert_eq!(e.stats().tickets_issued, 1);
    assert_eq!(e.stats().tickets_redeemed, 1);

    let other = url.replace(ticket, &uuid::Uuid::new_v4().to_string());
    assert_eq!(get(&c, &other).await.status, StatusCode::NOT_FOUND);
    e.shutdown().await;
}

#[tokio::test]
async fn redemption_checks_company_kind_and_expiry() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    let url = post(&c, &e, DTC, VENDOR).await.body.replacen("OK:", "", 1);
    assert!(!url.contains("arch"));
    let wrong_company = url.replace("companyid=654321", "companyid=1");
    assert_eq!(get(&c, &wrong_company).await.status, StatusCode::FORBIDDEN);
    let ticket = url.rsplit('=').next().expect("ticket");
    let as_web = format!("{}/SSO/Login.aspx?Ticket={ticket}", e.base_url());
    assert_eq!(get(&c, &as_web).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&c, &url).await.status, StatusCode::OK);

    let web = post(&c, &e, "/SSO/GetLoginTicket.aspx", VENDOR).await.body;
    let web_url = web.strip_prefix("OK:").expect("ok");
    assert!(web_url.starts_with(&format!("{}/SSO/Login.aspx?Ticket=", e.base_url())));
    assert_eq!(get(&c, web_url).await.status, StatusCode::OK);
    e.shutdown().await;

    let expired = Emulator::builder()
        .ticket_ttl(Duration::ZERO)
        .start()
        .await
        .expect("start");
    let c = client(expired.ca_pem());
    let url = post(&c, &expired, DTC, VENDOR)
        .await
        .body
        .replacen("OK:", "", 1);
    let page = get(&c, &url).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("expired"));
    expired.shutdown().await;
}

#[tokio::test]
async fn answers_every_documented_word() {
    let e = Emulator::builder()
        .company(Company::default())
        .company(Company::new("777", "p&=+%# ü").technician("tech@example.com"))
        .start()
        .await
        .expect("start");
    let c = client(e.ca_pem());
    for (form, want) in [
        ("ssoid=123456&Password=secretPassword", "MISSINGPARAMETERS"),
        (
            "ssoid=123456&Password=&CompanyID=654321",
            "MISSINGPARAMETERS",
        ),
        (
            "ssoid=123456&Password=secretPassword&CompanyID=999",
            "INVALIDCOMPANYID",
        ),
        (
            "ssoid=123456&Password=secretPassword&CompanyID=abc",
            "INVALIDCOMPANYID",
        ),
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
    ] {
        let reply = post(&c, &e, DTC, form).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, want),
            "{form}"
        );
    }
    // Percent-decoded values, case-insensitive names and path, GET.
    let url = format!(
        "{}/sso/getdtcloginticket.ASPX?SSOID=tech%40example.com&password=p%26%3D%2B%25%23+%C3%BC&companyid=777",
        e.base_url()
    );
    let reply = get(&c, &url).await;
    assert!(reply.body.starts_with("OK:"), "{}", reply.body);
    let seen = e.requests();
    assert!(
        seen.last()
            .is_some_and(|r| r.password_in_url && r.method == Method::GET)
    );
    assert!(
        seen.first()
            .is_some_and(|r| !r.password_in_url && r.param_names == ["ssoid", "Password"])
    );
    assert_eq!(
        get(&c, &format!("{}/nope", e.base_url())).await.status,
        StatusCode::NOT_FOUND
    );
    e.shutdown().await;
}

#[tokio::test]
async fn faults_and_connection_counters() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    e.faults().push_next(Fault::ServerError);
    let reply = post(&c, &e, DTC, VENDOR).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("<html>"));
    e.faults().push_next(Fault::Custom {
        status: 200,
        body: Bytes::from_static(b"INVALIDSSOID"),
        content_type: None,
    });
    assert_eq!(post(&c, &e, DTC, VENDOR).await.body, "INVALIDSSOID");
    e.faults()
        .push_next(Fault::Delay(Duration::from_millis(50)));
    assert!(post(&c, &e, DTC, VENDOR).await.body.starts_with("OK:"));
    // One pooled client, one connection and one handshake for all of it.
    let stats = e.stats();
    assert_eq!(
        (stats.connections, stats.tls_handshakes, stats.requests),
        (1, 1, 3)
    );

    e.faults().push_next(Fault::Reset);
    let reset = send(
        &c,
        Method::POST,
        &format!("{}{DTC}", e.base_url()),
        Some(VENDOR),
    )
    .await;
    assert!(reset.is_err(), "a reset connection gives no response");

    e.faults().push_next(Fault::StallAfterHeaders);
    let req = Request::post(format!("{}{DTC}", e.base_url()))
        .body(Full::new(Bytes::from(VENDOR)))
        .expect("req");
    let response = c.request(req).await.expect("headers arrive");
    assert_eq!(response.status(), StatusCode::OK);
    let body =
        tokio::time::timeout(Duration::from_millis(200), response.into_body().collect()).await;
    assert!(body.is_err(), "the body never comes");
    e.shutdown().await;
}

#[tokio::test]
async fn http2_by_alpn_and_plain_http() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    assert_eq!(post(&c, &e, DTC, VENDOR).await.version, Version::HTTP_2);
    e.shutdown().await;

    let plain = Emulator::builder()
        .plain_http(true)
        .start()
        .await
        .expect("start");
    assert!(plain.base_url().starts_with("http://127.0.0.1:"));
    assert!(plain.ca_pem().is_none());
    let reply = post(&client(None), &plain, DTC, VENDOR).await;
    assert!(reply.body.starts_with(&format!("OK:{}/", plain.base_url())));
    assert_eq!(plain.stats().tls_handshakes, 0);
    plain.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_waits_for_in_flight_requests() {
    let e = Emulator::builder().start().await.expect("start");
    let c = client(e.ca_pem());
    e.faults()
        .set_all(Some(Fault::Delay(Duration::from_millis(300))));
    let url = format!("{}{DTC}", e.base_url());
    let in_flight = tokio::spawn({
        let c = c.clone();
        async move { send(&c, Method::POST, &url, Some(VENDOR)).await }
    });
    // Wait until the emulator has the request, then shut down under it.
    while e.stats().requests == 0 {
        tokio::task::yield_now().await;
    }
    e.shutdown().await;
    let reply = in_flight
        .await
        .expect("task")
        .expect("answered before shutdown finished");
    assert!(reply.body.starts_with("OK:"));
}

#[test]
fn background_emulator_serves_blocking_code() {
    let e = Emulator::builder().start_background().expect("start");
    assert!(e.base_url().starts_with("https://"));
    let addr = e.local_addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    e.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped listening"
    );
}

#[tokio::test]
async fn scripted_server_plays_its_script() {
    let raw = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nINVALIDPASSWORD";
    let s = ScriptedServer::start(Script::new(raw, After::Close))
        .await
        .expect("start");
    let c = client(s.ca_pem());
    let reply = send(
        &c,
        Method::POST,
        &format!("{}{DTC}", s.base_url()),
        Some(VENDOR),
    )
    .await
    .expect("answer");
    assert_eq!(reply.body, "INVALIDPASSWORD");
    assert_eq!(s.connections(), 1);
}
