//! A gateway built from a configuration: its router, ready to mount in an
//! application of your own or to serve with [`crate::Server`].

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use rescue_sso_hyper::{Client, DEFAULT_CONNECT_TIMEOUT};

use crate::app::{self, App};
use crate::config::{Config, Identity, Jwks, Listen, Origin};
use crate::error::{ConfigError, Error};
use crate::identity::{Demo, JwtAssertion, KeyStore, Source, TrustedHeader};
use crate::jwt;
use crate::oidc::OidcMode;
use crate::ops::audit::Audit;
use crate::ops::metrics::Metrics;
use crate::ops::readiness::Readiness;

/// A configured gateway. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use rescue_sso_gateway::{Config, Gateway};
///
/// let config = Config::load("/etc/rescue-sso/gateway.toml".as_ref())?;
/// let gateway = Gateway::builder(config).build().await?;
/// // Mount it in your own axum application; the peer address must come
/// // with each request, for trusted-header mode to know who is asking.
/// let app = axum::Router::new().merge(gateway.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Gateway {
    app: Arc<App>,
    keys: Option<(Arc<KeyStore>, Option<Duration>)>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("origin", &self.app.origin.as_str())
            .finish_non_exhaustive()
    }
}

/// Options for building a [`Gateway`].
#[must_use]
pub struct GatewayBuilder {
    config: Config,
    bound: Option<SocketAddr>,
    audit: Option<Box<dyn Write + Send>>,
    served_over_tls: bool,
    discovery_retry: Duration,
}

impl std::fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

impl GatewayBuilder {
    /// The address the listener got: the gateway's origin when it listens
    /// on loopback without a `public_url` (a port 0 is only known once
    /// bound).
    pub fn bound_address(mut self, addr: SocketAddr) -> Self {
        self.bound = Some(addr);
        self
    }

    /// Writes the audit log here instead of where the configuration says.
    pub fn audit_to(mut self, sink: impl Write + Send + 'static) -> Self {
        self.audit = Some(Box::new(sink));
        self
    }

    /// In `oidc` mode, the shortest time between two attempts to discover
    /// a provider that could not be reached (default 5 s): sign-ins and
    /// `/readyz` retry no more often than this.
    pub fn discovery_retry(mut self, every: Duration) -> Self {
        self.discovery_retry = every;
        self
    }

    /// Says the gateway itself serves HTTPS (it then sends HSTS).
    pub(crate) fn served_over_tls(mut self, yes: bool) -> Self {
        self.served_over_tls = yes;
        self
    }

    /// Builds the Rescue client, loads the JWT keys in that mode (failing if
    /// they cannot be had), and opens the audit log.
    pub async fn build(self) -> Result<Gateway, Error> {
        let config = self.config;
        let origin = match (&config.public_url, self.bound, &config.listen) {
            (Some(origin), _, _) => origin.clone(),
            (None, Some(addr), _) => Origin::of_loopback(addr),
            (None, None, Listen::Tcp(addr)) if addr.port() != 0 => Origin::of_loopback(*addr),
            (None, None, _) => {
                return Err(ConfigError::Invalid {
                    key: "public_url".to_owned(),
                    reason: "required, or the bound address of a loopback listener".to_owned(),
                }
                .into());
            }
        };
        let rescue = client(&config).map_err(Error::Client)?;
        // Before serving: the first launch then finds the connection open.
        // It takes one handshake, or the connect timeout at worst; if Rescue
        // cannot be reached the gateway starts anyway, and the keeper goes
        // on trying in the background.
        if config.rescue.keep_warm
            && let Err(err) = rescue.warm_up().await
        {
            tracing::warn!(
                error = %rescue_sso_client_core::ErrorChain(&err),
                "cannot open a connection to rescue yet; will keep trying"
            );
        }
        let (identity, keys) = match &config.identity {
            Identity::TrustedHeader {
                header,
                trusted,
                groups_header,
            } => (
                Source::TrustedHeader(TrustedHeader {
                    header: header.clone(),
                    trusted: trusted.clone(),
                    groups_header: groups_header.clone(),
                }),
                None,
            ),
            Identity::Demo { user } => (Source::Demo(Demo { user: user.clone() }), None),
            Identity::Oidc(settings) => {
                let mode = OidcMode::new(
                    (**settings).clone(),
                    origin.as_str(),
                    client(&config).map_err(Error::Client)?,
                    config.technicians.allowed_groups().map(<[String]>::to_vec),
                    self.discovery_retry,
                )
                .ok_or(Error::Random)?;
                // A provider that is down now is retried on demand; until
                // then `/readyz` says not ready and sign-ins say why.
                let _ = mode.discover_now().await;
                tracing::info!(
                    redirect_uri = mode.redirect_uri(),
                    "register this redirect URI with the provider"
                );
                (Source::Oidc(Box::new(mode)), None)
            }
            Identity::JwtAssertion {
                header,
                jwks,
                algorithm,
                issuer,
                audience,
                user_claim,
                groups_claim,
                leeway,
            } => {
                let (source, refresh) = match jwks {
                    Jwks::Url { url, refresh } => (
                        crate::identity::jwt::KeySource::Url(url.clone()),
                        Some(*refresh),
                    ),
                    Jwks::File(path) => (crate::identity::jwt::KeySource::File(path.clone()), None),
                };
                let store = Arc::new(KeyStore::new(
                    source,
                    *algorithm,
                    client(&config).map_err(Error::Client)?,
                ));
                store.load().await?;
                (
                    Source::JwtAssertion(JwtAssertion {
                        header: header.clone(),
                        rules: jwt::Rules {
                            algorithm: *algorithm,
                            issuer: issuer.clone(),
                            audience: audience.clone(),
                            user_claim: user_claim.clone(),
                            groups_claim: groups_claim.clone(),
                            leeway: *leeway,
                        },
                        keys: Arc::clone(&store),
                    }),
                    Some((store, refresh)),
                )
            }
        };
        let audit = match self.audit {
            Some(sink) => Audit::to(sink),
            None => Audit::open(config.audit.as_deref()).map_err(|source| {
                Error::Config(ConfigError::Read {
                    path: config.audit.clone().unwrap_or_default(),
                    source,
                })
            })?,
        };
        let app = App {
            origin,
            consoles: config.consoles.clone(),
            identity,
            technicians: config.technicians.clone(),
            rescue,
            endpoint: config.rescue.endpoint.clone(),
            company_id: config.rescue.company_id,
            password: config.rescue.password.clone(),
            limiter: App::limiter(config.per_user),
            metrics: Metrics::new(),
            audit,
            readiness: Readiness::default(),
            // Room for Rescue's own deadline, and a little for the rest.
            request_timeout: config.rescue.timeout + Duration::from_secs(5),
            served_over_tls: self.served_over_tls,
        };
        Ok(Gateway {
            app: Arc::new(app),
            keys,
        })
    }
}

/// The Rescue client the configuration describes (also used for the JWT
/// keys, with the same trust settings).
fn client(config: &Config) -> Result<Client, rescue_sso_hyper::Error> {
    let mut builder = Client::builder()
        .endpoint(config.rescue.endpoint.clone())
        .timeout(config.rescue.timeout)
        .connect_timeout(config.rescue.timeout.min(DEFAULT_CONNECT_TIMEOUT));
    if let Some(pem) = &config.rescue.ca_pem {
        builder = builder.add_root_pem(pem);
    }
    builder.build()
}

impl Gateway {
    /// Starts building a gateway from a checked configuration.
    pub fn builder(config: Config) -> GatewayBuilder {
        GatewayBuilder {
            config,
            bound: None,
            audit: None,
            served_over_tls: false,
            discovery_retry: crate::oidc::DISCOVERY_RETRY,
        }
    }

    /// The router: `/`, `/launch`, `/healthz`, `/readyz`, `/metrics` and the
    /// stylesheet, with every layer (request ids, security headers, the
    /// body limit, the request timeout) in place.
    ///
    /// Trusted-header mode needs each request's peer address: serve it with
    /// [`crate::Server`], or with axum's
    /// `into_make_service_with_connect_info::<SocketAddr>()`. Without one,
    /// every request is refused.
    pub fn router(&self) -> Router {
        app::router(Arc::clone(&self.app))
    }

    /// The gateway's origin: its `public_url`, or its loopback address.
    pub fn origin(&self) -> &str {
        self.app.origin.as_str()
    }

    /// Reads the technicians' map file (and a JWT key file) again, as
    /// `SIGHUP` does. On an error the old ones stay, and the error says why.
    pub async fn reload(&self) -> Result<(), Error> {
        self.app.technicians.reload()?;
        if let Some((keys, None)) = &self.keys {
            keys.load().await?;
        }
        Ok(())
    }

    /// Refreshes the JWT keys on their schedule, for as long as the returned
    /// task runs (nothing to do in other modes).
    pub(crate) fn spawn_key_refresh(&self) -> Option<tokio::task::JoinHandle<()>> {
        let (keys, Some(every)) = self.keys.clone()? else {
            return None;
        };
        Some(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                if let Err(err) = keys.refresh().await {
                    tracing::warn!(error = %rescue_sso_client_core::ErrorChain(&*err), "refreshing the jwt keys failed; keeping the old ones");
                }
            }
        }))
    }

    /// The metrics, as `/metrics` serves them.
    pub fn metrics_text(&self) -> String {
        self.app.metrics.encode()
    }
}
