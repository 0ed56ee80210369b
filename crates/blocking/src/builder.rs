//! Building a [`Client`] from the settings the shared builder collects.

use std::sync::Arc;

use rescue_sso_client_core::{FromSettings, Settings};
use rescue_sso_proto::http::uri::Authority;

use crate::client::{Client, Inner};
use crate::connect::{Target, strip_brackets};
use crate::error::Error;
use crate::pool::Pool;

// The names the builder's documentation links to.
#[allow(unused_imports)]
use rescue_sso_client_core::{ProxySettings, Roots};

rescue_sso_client_core::client_builder!(Client, Error);

impl FromSettings for Client {
    type Error = Error;

    fn from_settings(settings: Settings) -> Result<Client, Error> {
        // A plain http endpoint (a loopback emulator) needs no roots, and a
        // machine without a system store can still reach it.
        let tls = if settings.endpoint.is_https() {
            Some(settings.tls.client_config(&[b"http/1.1"])?)
        } else {
            None
        };
        let proxies = settings.proxies()?;
        let host = strip_brackets(settings.endpoint.host()).to_owned();
        let port = settings.endpoint.port();
        let authority: Authority = format!("{}:{port}", settings.endpoint.host())
            .parse()
            .map_err(|_| Error::Protocol(rescue_sso_proto::Error::Encode))?;
        // Plain http goes to this machine only: never through a proxy (which
        // would read the password, and whose loopback is not ours), and only
        // to addresses that are loopback, whatever the name resolves to.
        let proxy = proxies
            .proxy_for(settings.endpoint.scheme(), &host, port)
            .cloned();
        let resolver = if tls.is_some() {
            settings.resolver
        } else {
            settings.resolver.loopback_only()
        };
        let target = Target {
            host,
            port,
            authority,
            tls,
            proxy,
            resolver,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint: settings.endpoint,
                method: settings.method,
                target,
                connect_timeout: settings.connect_timeout,
                timeout: settings.timeout,
                pool: Pool::new(settings.max_idle_per_host, settings.pool_idle_timeout),
            }),
        })
    }
}
