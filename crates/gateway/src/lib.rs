//! A deployable intranet gateway that sends authenticated technicians into
//! LogMeIn Rescue by single sign-on.
//!
//! Every company that uses Rescue's `getDTCLoginTicket` writes, secures and
//! hosts an intranet page that asks for a ticket with the company's master
//! SSO password, which can mint a login for any technician, and redirects
//! the browser. This crate is that page, done carefully: it sits behind the
//! authentication the company already has and knows who the user is from
//!
//! - a header a **trusted proxy** sets (Authelia, oauth2-proxy, Traefik
//!   forwardAuth, Apache with Kerberos), accepted only from the proxy's own
//!   addresses, or
//! - a **signed JWT** from an identity-aware proxy (Pomerium, Cloudflare
//!   Access, Google IAP), verified against the proxy's published keys with
//!   the algorithm pinned, or
//! - its own **OpenID Connect** sign-in (authorization code with PKCE,
//!   `state` and `nonce`; the ID token verified against the provider's
//!   keys), the session kept in a sealed `__Host-` cookie,
//!
//! maps the user to their Rescue SSO ID, and on a same-origin `POST
//! /launch` answers `303 See Other` to the validated ticket URL. Cross-site
//! launches, users without an SSO ID, and users who launch too often are
//! refused with a page, a metric and an audit line, never a call to Rescue.
//!
//! Use it as the `rescue-sso gateway --config FILE` command, or mount
//! [`Gateway::router`] in an axum application of your own. The
//! configuration keys, deployment behind nginx, oauth2-proxy, Authelia and
//! Pomerium or with Keycloak, Entra ID and Okta, the systemd unit, and the
//! operations endpoints are in `docs/gateway.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use rescue_sso_gateway::{Config, Server};
//!
//! let config = Config::load("/etc/rescue-sso/gateway.toml".as_ref())?;
//! let server = Server::bind(config).await?;
//! println!("listening on {}", server.url());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod config;
mod error;
mod extract;
mod first_byte;
mod gateway;
mod identity;
mod idle;
mod jwt;
mod launch;
mod oidc;
mod ops;
mod pages;
mod server;
mod technicians;

pub use config::{
    CLIENT_SECRET_CREDENTIAL, COOKIE_KEY_CREDENTIAL, CREDENTIAL_NAME, Config, ConsoleChoice,
    Listen, Origin, PASSWORD_ENV,
};
pub use error::{ConfigError, Error};
pub use gateway::{Gateway, GatewayBuilder};
pub use identity::Peer;
pub use jwt::Algorithm;
pub use server::{MAX_REQUEST_HEAD_BYTES, MAX_REQUEST_HEADERS, Server};
