//! `jwt-assertion`: a JWT signed by an identity-aware proxy (Pomerium,
//! Cloudflare Access, Google IAP), checked against the proxy's published
//! keys.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::http::request::Parts;
use axum::http::{HeaderName, Request, Uri};
use rescue_sso_hyper::proto::bytes::Bytes;

use super::{Identify, Peer, Refusal, Repeated, User, single_header, user_name};
use crate::error::{ConfigError, Error};
use crate::jwt::{self, Algorithm, KeySet};
use rescue_sso_client_core::ErrorChain;

/// The most bytes of a JWKS read.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// The shortest time between two refreshes that a token with an unknown
/// `kid` may cause: a key the proxy rotates in is picked up at once, and a
/// flood of forged `kid`s costs the proxy one fetch per interval.
pub(crate) const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// Where the keys come from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    Url(Uri),
    File(PathBuf),
}

/// The proxy's verification keys: loaded at start, refreshed on a schedule
/// and when a token names a key not yet known (such refreshes at most once
/// per [`MIN_REFRESH_INTERVAL`]; the scheduled ones do not count). A failed
/// refresh keeps the keys there were.
#[derive(Debug)]
pub(crate) struct KeyStore {
    source: KeySource,
    algorithm: Algorithm,
    client: rescue_sso_hyper::Client,
    current: RwLock<Option<Arc<KeySet>>>,
    /// The last refresh a token with an unknown `kid` caused.
    last_attempt: Mutex<Option<Instant>>,
}

impl KeyStore {
    pub(crate) fn new(
        source: KeySource,
        algorithm: Algorithm,
        client: rescue_sso_hyper::Client,
    ) -> KeyStore {
        KeyStore {
            source,
            algorithm,
            client,
            current: RwLock::new(None),
            last_attempt: Mutex::new(None),
        }
    }

    /// The keys now, if any have loaded.
    pub(crate) fn current(&self) -> Option<Arc<KeySet>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Loads the keys at start or on `SIGHUP`. A key file that cannot be
    /// used is the configuration's fault and names its key; keys that could
    /// not be fetched from a URL are [`Error::Keys`].
    pub(crate) async fn load(&self) -> Result<usize, Error> {
        self.refresh().await.map_err(|err| match &self.source {
            KeySource::File(path) => Error::Config(ConfigError::Invalid {
                key: "identity.jwks_file".to_owned(),
                reason: format!("{}: {}", path.display(), ErrorChain(&*err)),
            }),
            KeySource::Url(_) => Error::Keys(err),
        })
    }

    /// Loads the keys now.
    pub(crate) async fn refresh(&self) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let json = match &self.source {
            KeySource::File(path) => tokio::fs::read(path).await?,
            KeySource::Url(url) => {
                let request = Request::get(url.clone())
                    .header("accept", "application/json")
                    .body(Bytes::new())?;
                let response = self.client.fetch(request, MAX_JWKS_BYTES).await?;
                if !response.status().is_success() {
                    return Err(format!(
                        "the key set answered status {}",
                        response.status().as_u16()
                    )
                    .into());
                }
                response.into_body().to_vec()
            }
        };
        let keys = KeySet::parse(&json, self.algorithm)?;
        let count = keys.len();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(keys));
        Ok(count)
    }

    /// Verifies `token` by `rules` at `now`: the verified claims, and every
    /// claim it holds.
    ///
    /// Everything but the signature is checked first, without the keys:
    /// only a token that would be accepted but for an unknown `kid` may
    /// make them be fetched again, so one that anybody could forge does not
    /// spend the refresh a key the proxy rotates in needs.
    pub(crate) async fn verify(
        &self,
        rules: &jwt::Rules,
        token: &str,
        now: SystemTime,
    ) -> Result<(jwt::Claims, serde_json::Map<String, serde_json::Value>), Unverified> {
        let token = rules.inspect(token, now).map_err(Unverified::Token)?;
        let keys = self.keys_for(token.kid()).await.ok_or(Unverified::NoKeys)?;
        token.verify(&keys).map_err(Unverified::Token)
    }

    /// The keys to check a token naming `kid` with: the current ones if
    /// they hold it, else freshly loaded ones, rate-limited.
    async fn keys_for(&self, kid: Option<&str>) -> Option<Arc<KeySet>> {
        let current = self.current();
        let known = match (&current, kid) {
            (Some(keys), Some(kid)) => keys.has_kid(kid),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if known {
            return current;
        }
        let due = {
            let mut last = self
                .last_attempt
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let due = last.is_none_or(|at| at.elapsed() >= MIN_REFRESH_INTERVAL);
            if due {
                // Claimed now, so concurrent requests do not all fetch.
                *last = Some(Instant::now());
            }
            due
        };
        if due && let Err(err) = self.refresh().await {
            tracing::warn!(error = %ErrorChain(&*err), "refreshing the jwt keys failed; keeping the old ones");
        }
        self.current().or(current)
    }
}

/// Why [`KeyStore::verify`] did not verify a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unverified {
    /// The token is refused, for this reason.
    Token(jwt::JwtError),
    /// No keys could be had to check it with.
    NoKeys,
}

/// The mode: a JWT in `header`, checked by `rules` against `keys`.
#[derive(Debug)]
pub(crate) struct JwtAssertion {
    pub(crate) header: HeaderName,
    pub(crate) rules: jwt::Rules,
    pub(crate) keys: Arc<KeyStore>,
}

impl Identify for JwtAssertion {
    async fn identify(&self, parts: &Parts, _peer: Option<Peer>) -> Result<User, Refusal> {
        let token = match single_header(&parts.headers, &self.header) {
            Ok(None) => return Err(Refusal::MissingAssertion),
            Ok(Some(one)) => one
                .to_str()
                .map_err(|_| Refusal::Assertion(jwt::JwtError::Malformed))?
                .trim(),
            Err(Repeated) => return Err(Refusal::Assertion(jwt::JwtError::Malformed)),
        };
        let (claims, _) = self
            .keys
            .verify(&self.rules, token, SystemTime::now())
            .await
            .map_err(|failure| match failure {
                Unverified::Token(err) => Refusal::Assertion(err),
                Unverified::NoKeys => Refusal::NoKeys,
            })?;
        let name =
            user_name(claims.user.as_bytes()).ok_or(Refusal::Assertion(jwt::JwtError::NoUser))?;
        Ok(User {
            name,
            groups: claims.groups,
        })
    }
}
