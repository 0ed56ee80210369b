//! Shared helpers: clients aimed at the emulator, trusting only its CA.
#![allow(dead_code)]

use std::time::Duration;

use rescue_sso_emulator::EmulatorHandle;
use rescue_sso_hyper::proto::{CompanyId, GetDtcLoginTicket, GetLoginTicket, Password, SsoId};
use rescue_sso_hyper::{Client, ClientBuilder, ProxySettings, Roots};

pub(crate) const PASSWORD: &str = "secretPassword";

pub(crate) fn dtc(password: &str) -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new(password).expect("password"),
    )
}

pub(crate) fn web(password: &str) -> GetLoginTicket {
    GetLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new(password).expect("password"),
    )
}

/// A builder for `base_url` that trusts only `ca_pem`, with no proxy from
/// the environment.
pub(crate) fn builder(base_url: &str, ca_pem: Option<&str>) -> ClientBuilder {
    let mut b = Client::builder()
        .endpoint(base_url.parse().expect("endpoint"))
        .roots(Roots::ExtraOnly)
        .proxy(ProxySettings::none())
        .timeout(Duration::from_secs(5));
    if let Some(pem) = ca_pem {
        b = b.add_root_pem(pem);
    }
    b
}

pub(crate) fn client(e: &EmulatorHandle) -> Client {
    builder(&e.base_url(), e.ca_pem()).build().expect("client")
}
