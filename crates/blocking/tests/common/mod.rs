//! Shared test helpers: an emulator on a background runtime and clients
//! that trust its CA.
#![allow(dead_code, unreachable_pub)]

pub mod proxy;
pub mod scripted;

use std::time::Duration;

use rescue_sso_blocking::proto::{
    CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Password, SsoId,
};
use rescue_sso_blocking::{Client, ClientBuilder, ProxySettings, Roots};
use rescue_sso_emulator::{BackgroundEmulator, Company, Emulator};

pub const COMPANY: &str = "654321";
pub const TECHNICIAN: &str = "123456";
pub const PASSWORD: &str = "secretPassword";

/// The vendor page's example company, over TLS.
pub fn emulator() -> BackgroundEmulator {
    Emulator::builder()
        .company(Company::new(COMPANY, PASSWORD).technician(TECHNICIAN))
        .start_background()
        .expect("emulator starts")
}

/// A builder for `emulator`: trusts only its CA, ignores proxy variables,
/// and gives up quickly.
pub fn builder_for(emulator: &BackgroundEmulator) -> ClientBuilder {
    let endpoint = Endpoint::new(&emulator.base_url()).expect("endpoint");
    Client::builder()
        .endpoint(endpoint)
        .roots(Roots::ExtraOnly)
        .add_root_pem(emulator.ca_pem().expect("tls emulator has a ca"))
        .proxy(ProxySettings::none())
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(2))
}

pub fn client_for(emulator: &BackgroundEmulator) -> Client {
    builder_for(emulator).build().expect("client")
}

pub fn dtc(password: &str) -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new(TECHNICIAN).expect("sso id"),
        CompanyId::new(COMPANY).expect("company id"),
        Password::new(password).expect("password"),
    )
}

pub fn web(password: &str) -> GetLoginTicket {
    GetLoginTicket::new(
        SsoId::new(TECHNICIAN).expect("sso id"),
        CompanyId::new(COMPANY).expect("company id"),
        Password::new(password).expect("password"),
    )
}
