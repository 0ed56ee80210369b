//! The clients every comparison uses, built the same way everywhere: ours,
//! and what a user would otherwise write (raw hyper-util, ureq), with the
//! same TLS roots, sending the identical request.

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rescue_sso_client_core::{ProxySettings, Roots, TlsSettings};
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::Request;
use rescue_sso_proto::{
    CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId,
};

/// A raw hyper-util client over hyper-rustls.
pub type RawClient = HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The emulator's default company: `654321`, `secretPassword`, `123456`.
pub fn op() -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    )
}

/// Where the clients go, and the roots they trust.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The service.
    pub endpoint: Endpoint,
    /// Its CA, the only root any client trusts.
    pub ca_pem: String,
}

impl Clients {
    /// Clients for `endpoint`, trusting `ca_pem` only.
    pub fn new(endpoint: Endpoint, ca_pem: String) -> Clients {
        Clients { endpoint, ca_pem }
    }

    /// `rescue-sso-hyper`.
    pub fn ours_async(&self) -> rescue_sso_hyper::Client {
        rescue_sso_hyper::Client::builder()
            .endpoint(self.endpoint.clone())
            .roots(Roots::ExtraOnly)
            .add_root_pem(&self.ca_pem)
            .proxy(ProxySettings::none())
            .build()
            .expect("client")
    }

    /// What a user would write with hyper-util directly: the same TLS
    /// roots, HTTP/1.1 and HTTP/2 by ALPN, a pooled client.
    pub fn raw_hyper(&self) -> RawClient {
        let tls = TlsSettings::new()
            .roots(Roots::ExtraOnly)
            .add_root_pem(self.ca_pem.as_bytes())
            .and_then(|t| t.client_config(&[]))
            .expect("tls");
        // TCP_NODELAY as any tuned client sets it: with hyper-util's default
        // (Nagle on) each call waits out a delayed ACK, about 40 ms here, and
        // the comparison would measure that instead of the client.
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        HyperClient::builder(TokioExecutor::new()).build(https)
    }

    /// `rescue-sso-blocking`.
    pub fn ours_blocking(&self) -> rescue_sso_blocking::Client {
        rescue_sso_blocking::Client::builder()
            .endpoint(self.endpoint.clone())
            .roots(Roots::ExtraOnly)
            .add_root_pem(&self.ca_pem)
            .proxy(ProxySettings::none())
            .max_idle_per_host(64)
            .build()
            .expect("client")
    }

    /// ureq 3, with the same root.
    pub fn ureq(&self) -> ureq::Agent {
        let cert = ureq::tls::Certificate::from_pem(self.ca_pem.as_bytes()).expect("ca");
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
            .build();
        ureq::Agent::config_builder()
            .tls_config(tls)
            .max_redirects(0)
            .max_idle_connections_per_host(64)
            .build()
            .into()
    }
}

/// The identical request, as hyper wants it.
pub fn raw_request(endpoint: &Endpoint) -> Request<Full<Bytes>> {
    op().encode(endpoint, RequestMethod::Post)
        .expect("encode")
        .into_http()
        .map(|body| Full::new(body.into_bytes()))
}

/// One call through raw hyper-util: the body, unread beyond collecting it.
pub async fn raw_call(client: &RawClient, endpoint: &Endpoint) -> Bytes {
    let response = client
        .request(raw_request(endpoint))
        .await
        .expect("response");
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

/// One call through ureq: the identical request, the body read.
pub fn ureq_call(agent: &ureq::Agent, endpoint: &Endpoint) -> Vec<u8> {
    let request = op()
        .encode(endpoint, RequestMethod::Post)
        .expect("encode")
        .into_http();
    let url = request.uri().to_string();
    let body = request.into_body().into_bytes();
    agent
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", rescue_sso_proto::USER_AGENT_VALUE)
        .send(&body[..])
        .expect("response")
        .into_body()
        .read_to_vec()
        .expect("body")
}
