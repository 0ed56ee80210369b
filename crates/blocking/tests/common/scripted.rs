//! The emulator's scripted server (async) on a small runtime of the test's
//! own, and clients for it.

use std::time::Duration;

use rescue_sso_blocking::proto::Endpoint;
use rescue_sso_blocking::{Client, ProxySettings, Roots};
use rescue_sso_emulator::scripted::{Script, ScriptedServer};
use tokio::runtime::Runtime;

/// The host the scripted answers' ticket URLs point at.
pub const TICKET_HOST: &str = "secure.logmeinrescue.com";

/// A valid answer body for the default operation, ticket on `TICKET_HOST`.
pub const ANSWER: &str = "OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/\
                          DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824";

pub struct Scripted {
    // Declared first so it is dropped (and stopped) before its runtime.
    pub server: ScriptedServer,
    _runtime: Runtime,
}

impl Scripted {
    /// Over TLS, with a fresh CA.
    pub fn tls(script: Script) -> Scripted {
        Scripted::start(script, true)
    }

    /// Over plain TCP.
    pub fn plain(script: Script) -> Scripted {
        Scripted::start(script, false)
    }

    fn start(script: Script, tls: bool) -> Scripted {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(async {
                if tls {
                    ScriptedServer::start(script).await
                } else {
                    ScriptedServer::start_plain(script).await
                }
            })
            .expect("scripted server");
        Scripted {
            server,
            _runtime: runtime,
        }
    }

    /// A client for this server that trusts its CA and gives up after
    /// `timeout`.
    pub fn client(&self, timeout: Duration) -> Client {
        let endpoint = Endpoint::builder(self.server.base_url())
            .allow_loopback_http()
            .allow_ticket_host(TICKET_HOST)
            .build()
            .expect("endpoint");
        let mut builder = Client::builder()
            .endpoint(endpoint)
            .proxy(ProxySettings::none())
            .timeout(timeout);
        if let Some(ca) = self.server.ca_pem() {
            builder = builder.roots(Roots::ExtraOnly).add_root_pem(ca);
        }
        builder.build().expect("client")
    }
}
