//! A client independent of the project's adapters (hyper-util's pooled
//! client with hyper-rustls), trusting a given CA.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_emulator::EmulatorHandle;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

pub type Https = hyper_rustls::HttpsConnector<HttpConnector>;
pub type HttpClient = Client<Https, Full<Bytes>>;

pub const DTC: &str = "/SSO/GetDTCLoginTicket.aspx";
pub const WEB: &str = "/SSO/GetLoginTicket.aspx";
pub const VENDOR: &str = "ssoid=123456&Password=secretPassword&CompanyID=654321";

pub fn tls_config(ca_pem: Option<&str>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("pem")).expect("root");
        }
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// HTTP/2 when the server offers it by ALPN, HTTP/1.1 otherwise.
pub fn client(ca_pem: Option<&str>) -> HttpClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(ca_pem))
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// HTTP/1.1 only.
pub fn client_http1(ca_pem: Option<&str>) -> HttpClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(ca_pem))
        .https_or_http()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub version: Version,
    pub content_type: Option<String>,
    pub body: String,
}

pub async fn send(
    c: &HttpClient,
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
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Ok(Reply {
        status,
        version,
        content_type,
        body: String::from_utf8(body.to_vec()).expect("utf-8"),
    })
}

pub async fn post(c: &HttpClient, e: &EmulatorHandle, path: &str, form: &str) -> Reply {
    send(
        c,
        Method::POST,
        &format!("{}{path}", e.base_url()),
        Some(form),
    )
    .await
    .expect("answer")
}

pub async fn get(c: &HttpClient, url: &str) -> Reply {
    send(c, Method::GET, url, None).await.expect("answer")
}

/// The URL of an `OK:` answer.
pub fn ok_url(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK);
    reply
        .body
        .strip_prefix("OK:")
        .unwrap_or_else(|| panic!("not OK: {:?}", reply.body))
        .to_owned()
}
