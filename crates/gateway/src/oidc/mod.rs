//! `oidc`: the gateway signs the user in itself, as an OpenID Connect
//! relying party, with the authorization code flow.
//!
//! - Discovery from `issuer` (the document must name that issuer exactly),
//!   retried while the provider is down, never more than once per
//!   [`DISCOVERY_RETRY`].
//! - PKCE with S256, `state` and `nonce`, all 256 random bits, kept in a
//!   sealed, `__Host-` flow cookie for ten minutes.
//! - The code is exchanged at the token endpoint through the gateway's own
//!   HTTP client (the same trust settings, timeouts and caps as its calls to
//!   Rescue; redirects are never followed), authenticated with
//!   `client_secret_basic` or `private_key_jwt`.
//! - The ID token is checked: the signature against the provider's keys
//!   (refetched when a token names a key not yet known, so a rotation is
//!   picked up), `iss`, `aud` (only this client), `azp`, `exp`, `nbf`,
//!   `nonce`, and Entra ID's `tid` when a tenant is configured.
//! - The session that follows is another sealed cookie, good for
//!   `session_lifetime`; it holds the user name and only the groups that
//!   `technicians.allowed_groups` asks about.

mod client_key;
pub(crate) mod cookie;

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rescue_sso_hyper::proto::bytes::Bytes;
use ring::rand::{SecureRandom, SystemRandom};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub(crate) use client_key::ClientKey;
use cookie::Sealer;

use crate::app::App;
use crate::config::{ClientAuth, Oidc};
use crate::extract::{PeerAddr, RequestId, peer_text, refuse};
use crate::identity::jwt::{KeySource, KeyStore, Unverified};
use crate::identity::{Identify, Peer, Refusal, User, user_name};
use crate::jwt::{self, JwtError};
use crate::ops::audit::Line;
use crate::pages;

/// The shortest time between two discovery attempts while the provider
/// cannot be reached: a flood of visitors costs it one request per interval.
pub(crate) const DISCOVERY_RETRY: Duration = Duration::from_secs(5);
/// How long a login may take, from the redirect to the provider to the
/// callback.
pub(crate) const FLOW_LIFETIME: Duration = Duration::from_secs(600);
/// The most bytes read of a discovery document or a token response.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// The path the provider sends the browser back to.
pub(crate) const CALLBACK_PATH: &str = "/oidc/callback";

/// Why a sign-in did not complete. Each ends on its own page; none calls
/// Rescue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignInFailure {
    /// The callback came without this browser's flow cookie, or with an
    /// expired one.
    NoFlow,
    /// The callback's `state` is not the one this browser was sent with.
    State,
    /// The provider answered `error=access_denied`.
    Denied,
    /// The provider answered another error, or no code.
    ProviderError,
    /// The callback's `iss` names another issuer (a mix-up attack).
    Issuer,
    /// The token endpoint refused the code: used before, expired, or not
    /// issued for this login.
    CodeRefused,
    /// The token endpoint refused the gateway's own credentials.
    ClientRefused,
    /// The token endpoint answered something that is not a token response.
    BadAnswer,
    /// The ID token was refused.
    Token(JwtError),
    /// The ID token is from another Entra ID tenant.
    Tenant,
    /// The provider cannot be reached, or its keys cannot be had.
    Unavailable,
    /// The gateway could not make or seal a cookie.
    Internal,
}

impl SignInFailure {
    pub(crate) fn status(self) -> StatusCode {
        match self {
            SignInFailure::Denied => StatusCode::FORBIDDEN,
            SignInFailure::Token(_) | SignInFailure::Tenant => StatusCode::UNAUTHORIZED,
            SignInFailure::NoFlow
            | SignInFailure::State
            | SignInFailure::ProviderError
            | SignInFailure::Issuer
            | SignInFailure::CodeRefused => StatusCode::BAD_REQUEST,
            SignInFailure::ClientRefused | SignInFailure::BadAnswer => StatusCode::BAD_GATEWAY,
            SignInFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            SignInFailure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            SignInFailure::NoFlow => "oidc_no_flow",
            SignInFailure::State => "oidc_state",
            SignInFailure::Denied => "oidc_denied",
            SignInFailure::ProviderError => "oidc_error",
            SignInFailure::Issuer => "oidc_issuer",
            SignInFailure::CodeRefused => "oidc_code_refused",
            SignInFailure::ClientRefused => "oidc_client_refused",
            SignInFailure::BadAnswer => "oidc_bad_answer",
            SignInFailure::Token(err) => err.as_str(),
            SignInFailure::Tenant => "oidc_tenant",
            SignInFailure::Unavailable => "oidc_unavailable",
            SignInFailure::Internal => "oidc_internal",
        }
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            SignInFailure::NoFlow => {
                "This sign-in was started too long ago, or in another browser. Start again from the start page."
            }
            SignInFailure::State => {
                "This sign-in is not the one this browser started (perhaps another tab started a newer one). Start again from the start page."
            }
            SignInFailure::Denied => {
                "The sign-in service did not let you in. If you should have access, ask your administrator."
            }
            SignInFailure::ProviderError | SignInFailure::Issuer => {
                "The sign-in service could not sign you in. Start again; if this persists, tell your administrator."
            }
            SignInFailure::CodeRefused => {
                "This sign-in was already used, or has expired. Start again from the start page."
            }
            SignInFailure::ClientRefused => {
                "The sign-in service does not accept this gateway's credentials. Tell your administrator."
            }
            SignInFailure::BadAnswer => {
                "The sign-in service gave an answer this gateway does not understand. Tell your administrator."
            }
            SignInFailure::Token(_) | SignInFailure::Tenant => {
                "Your sign-in could not be verified, or it has expired. Start again from the start page."
            }
            SignInFailure::Unavailable => {
                "The sign-in service cannot be reached right now. Try again in a minute; if this persists, tell your administrator."
            }
            SignInFailure::Internal => {
                "The gateway could not complete the sign-in. Try again; if this persists, tell your administrator."
            }
        }
    }
}

/// What discovery found.
#[derive(Debug)]
pub(crate) struct Provider {
    /// The `iss` its ID tokens carry.
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: Uri,
    /// RFC 9207: the callback must carry `iss`.
    iss_required: bool,
    keys: Arc<KeyStore>,
}

/// The login in progress, sealed in the flow cookie.
#[derive(Serialize, Deserialize)]
struct Flow {
    #[serde(rename = "s")]
    state: String,
    #[serde(rename = "n")]
    nonce: String,
    #[serde(rename = "v")]
    verifier: String,
}

/// The session, sealed in the session cookie.
#[derive(Serialize, Deserialize)]
struct Session {
    #[serde(rename = "u")]
    user: String,
    #[serde(rename = "g", default)]
    groups: Vec<String>,
}

/// The mode.
pub(crate) struct OidcMode {
    settings: Oidc,
    redirect_uri: String,
    client: rescue_sso_hyper::Client,
    sealer: Sealer,
    provider: RwLock<Option<Arc<Provider>>>,
    last_discovery: Mutex<Option<Instant>>,
    /// The groups worth remembering: the only ones the gateway asks about.
    allowed_groups: Option<Vec<String>>,
    retry: Duration,
    rng: SystemRandom,
}

impl std::fmt::Debug for OidcMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcMode")
            .field("issuer", &self.settings.issuer)
            .field("client_id", &self.settings.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Why discovery failed, for the log.
type DiscoveryError = Box<dyn std::error::Error + Send + Sync>;

fn random_token(rng: &SystemRandom) -> Option<String> {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether `url` may be used with an issuer whose URL is `issuer`: https,
/// or http on a loopback address when the issuer is too.
fn endpoint_allowed(url: &Uri, issuer: &Uri) -> bool {
    let loopback = |uri: &Uri| {
        uri.host().is_some_and(|host| {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        })
    };
    url.host().is_some()
        && match url.scheme_str() {
            Some("https") => true,
            Some("http") => {
                loopback(url) && issuer.scheme_str() == Some("http") && loopback(issuer)
            }
            _ => false,
        }
}

impl OidcMode {
    pub(crate) fn new(
        settings: Oidc,
        origin: &str,
        client: rescue_sso_hyper::Client,
        allowed_groups: Option<Vec<String>>,
        retry: Duration,
    ) -> Option<OidcMode> {
        let sealer = match &settings.cookie_key {
            Some(key) => Sealer::new(key.expose_secret())?,
            None => Sealer::generate()?,
        };
        Some(OidcMode {
            redirect_uri: format!("{origin}{CALLBACK_PATH}"),
            settings,
            client,
            sealer,
            provider: RwLock::new(None),
            last_discovery: Mutex::new(None),
            allowed_groups,
            retry,
            rng: SystemRandom::new(),
        })
    }

    /// The redirect URI to register with the provider.
    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The provider, discovered now if it has not been yet (at most once per
    /// [`DISCOVERY_RETRY`]).
    pub(crate) async fn provider(&self) -> Option<Arc<Provider>> {
        if let Some(provider) = self
            .provider
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Some(provider);
        }
        {
            let mut last = self
                .last_discovery
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < self.retry) {
                return None;
            }
            *last = Some(Instant::now());
        }
        self.discover_now().await.ok()
    }

    /// Discovers the provider and loads its keys, whatever the last attempt.
    pub(crate) async fn discover_now(&self) -> Result<Arc<Provider>, DiscoveryError> {
        match self.discover().await {
            Ok(provider) => {
                let provider = Arc::new(provider);
                tracing::info!(issuer = %self.settings.issuer, "discovered the openid provider");
                *self
                    .provider
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&provider));
                Ok(provider)
            }
            Err(err) => {
                tracing::warn!(issuer = %self.settings.issuer, error = %rescue_sso_client_core::ErrorChain(&*err), "openid provider discovery failed; will retry");
                Err(err)
            }
        }
    }

    async fn discover(&self) -> Result<Provider, DiscoveryError> {
        let configured: Uri = self.settings.issuer.parse()?;
        let url: Uri = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        )
        .parse()?;
        let request = Request::get(url)
            .header(header::ACCEPT, "application/json")
            .body(Bytes::new())?;
        let response = self.client.fetch(request, MAX_DOCUMENT_BYTES).await?;
        if response.status() != StatusCode::OK {
            return Err(format!(
                "the discovery document answered status {}",
                response.status().as_u16()
            )
            .into());
        }
        let doc: Map<String, Value> = serde_json::from_slice(response.body())
            .map_err(|e| format!("the discovery document is not a JSON object: {e}"))?;
        let text = |name: &str| -> Result<&str, DiscoveryError> {
            doc.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("the discovery document has no {name}").into())
        };
        let published = text("issuer")?;
        let issuer = if published == self.settings.issuer {
            published.to_owned()
        } else if published.contains("{tenantid}")
            && let Some(tenant) = &self.settings.tenant_id
        {
            published.replace("{tenantid}", tenant)
        } else if published.contains("{tenantid}") {
            return Err(format!(
                "the provider's issuer is the template {published:?}: set identity.tenant_id to your tenant"
            )
            .into());
        } else {
            return Err(format!(
                "the provider says its issuer is {published:?}, not {:?}: set identity.issuer to exactly that",
                self.settings.issuer
            )
            .into());
        };
        let endpoint = |name: &str| -> Result<Uri, DiscoveryError> {
            let uri: Uri = text(name)?
                .parse()
                .map_err(|_| format!("the discovery document's {name} is not a URL"))?;
            if !endpoint_allowed(&uri, &configured) {
                return Err(format!("the discovery document's {name} is not https").into());
            }
            Ok(uri)
        };
        let authorization_endpoint = endpoint("authorization_endpoint")?;
        let token_endpoint = endpoint("token_endpoint")?;
        let jwks_uri = endpoint("jwks_uri")?;
        if let Some(Value::Array(methods)) = doc.get("code_challenge_methods_supported")
            && !methods.iter().any(|m| m.as_str() == Some("S256"))
        {
            return Err("the provider does not support PKCE with S256".into());
        }
        if let Some(Value::Array(algs)) = doc.get("id_token_signing_alg_values_supported")
            && !algs
                .iter()
                .any(|a| a.as_str() == Some(self.settings.algorithm.as_str()))
        {
            tracing::warn!(
                algorithm = self.settings.algorithm.as_str(),
                "the provider does not list identity.algorithm among its ID token algorithms"
            );
        }
        let keys = Arc::new(KeyStore::new(
            KeySource::Url(jwks_uri),
            self.settings.algorithm,
            self.client.clone(),
        ));
        keys.refresh()
            .await
            .map_err(|e| format!("the provider's keys cannot be loaded: {e}"))?;
        Ok(Provider {
            issuer,
            authorization_endpoint: authorization_endpoint.to_string(),
            token_endpoint,
            iss_required: doc
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            keys,
        })
    }

    /// Whether a sign-in could start now.
    pub(crate) async fn ready(&self) -> Result<(), &'static str> {
        match self.provider().await {
            Some(provider) if provider.keys.current().is_some() => Ok(()),
            Some(_) => Err("the openid provider's keys are not loaded"),
            None => Err("the openid provider cannot be reached"),
        }
    }

    /// `303` to the provider, with a fresh flow cookie.
    async fn begin(&self) -> Result<Response, SignInFailure> {
        let provider = self.provider().await.ok_or(SignInFailure::Unavailable)?;
        let flow = Flow {
            state: random_token(&self.rng).ok_or(SignInFailure::Internal)?,
            nonce: random_token(&self.rng).ok_or(SignInFailure::Internal)?,
            verifier: random_token(&self.rng).ok_or(SignInFailure::Internal)?,
        };
        let challenge = URL_SAFE_NO_PAD.encode(ring::digest::digest(
            &ring::digest::SHA256,
            flow.verifier.as_bytes(),
        ));
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.settings.scopes.join(" "))
            .append_pair("state", &flow.state)
            .append_pair("nonce", &flow.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        let separator = if provider.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        let location = format!("{}{separator}{query}", provider.authorization_endpoint);
        let sealed = self
            .sealer
            .seal(cookie::FLOW, &flow, SystemTime::now(), FLOW_LIFETIME)
            .ok_or(SignInFailure::Internal)?;
        let mut response = StatusCode::SEE_OTHER.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::LOCATION,
            HeaderValue::from_str(&location).map_err(|_| SignInFailure::Internal)?,
        );
        headers.insert(
            header::SET_COOKIE,
            cookie::set(cookie::FLOW, &sealed, FLOW_LIFETIME).ok_or(SignInFailure::Internal)?,
        );
        Ok(response)
    }

    /// The callback, up to the user it signs in.
    async fn complete(&self, headers: &HeaderMap, query: &str) -> Result<User, SignInFailure> {
        let now = SystemTime::now();
        let flow: Flow = cookie::values(headers, cookie::FLOW)
            .find_map(|v| self.sealer.open(cookie::FLOW, v, now))
            .ok_or(SignInFailure::NoFlow)?;
        let mut code = None;
        let mut state = None;
        let mut error = None;
        let mut iss = None;
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*key {
                "code" => &mut code,
                "state" => &mut state,
                "error" => &mut error,
                "iss" => &mut iss,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                // A parameter given twice is not an answer from a provider.
                return Err(SignInFailure::ProviderError);
            }
        }
        if !state.is_some_and(|s| same(&s, &flow.state)) {
            return Err(SignInFailure::State);
        }
        let provider = self.provider().await.ok_or(SignInFailure::Unavailable)?;
        match (&iss, provider.iss_required) {
            (Some(iss), _) if *iss != provider.issuer => return Err(SignInFailure::Issuer),
            (None, true) => return Err(SignInFailure::Issuer),
            _ => {}
        }
        if let Some(error) = error {
            let error = oauth_error(&error);
            tracing::info!(error, "the openid provider answered an error");
            return Err(if error == "access_denied" {
                SignInFailure::Denied
            } else {
                SignInFailure::ProviderError
            });
        }
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or(SignInFailure::ProviderError)?;
        let id_token = self.exchange(&provider, &code, &flow.verifier, now).await?;
        self.verify(&provider, &id_token, &flow.nonce, now).await
    }

    /// The code, exchanged for an ID token.
    async fn exchange(
        &self,
        provider: &Provider,
        code: &str,
        verifier: &str,
        now: SystemTime,
    ) -> Result<String, SignInFailure> {
        let request = self.token_request(provider, code, verifier, now)?;
        let response = self
            .client
            .fetch(request, MAX_DOCUMENT_BYTES)
            .await
            .map_err(|err| {
                tracing::warn!(error = %rescue_sso_client_core::ErrorChain(&err), "the token endpoint failed");
                // An answer that arrived and was refused (oversized,
                // malformed) is nonsense from the provider, not an outage.
                if err.kind() == rescue_sso_hyper::ErrorKind::InvalidAnswer {
                    SignInFailure::BadAnswer
                } else {
                    SignInFailure::Unavailable
                }
            })?;
        let status = response.status();
        let json: Option<Map<String, Value>> = serde_json::from_slice(response.body()).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(Value::as_str)
        };
        if status == StatusCode::OK {
            return field("id_token")
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .ok_or(SignInFailure::BadAnswer);
        }
        let error = oauth_error(field("error").unwrap_or(""));
        tracing::warn!(
            status = status.as_u16(),
            error,
            "the token endpoint refused the code"
        );
        Err(match error {
            "invalid_grant" => SignInFailure::CodeRefused,
            "invalid_client" | "unauthorized_client" => SignInFailure::ClientRefused,
            _ if status == StatusCode::UNAUTHORIZED => SignInFailure::ClientRefused,
            _ if status.is_client_error() => SignInFailure::CodeRefused,
            _ if status.is_server_error() => SignInFailure::Unavailable,
            _ => SignInFailure::BadAnswer,
        })
    }

    /// The token request: the code, the verifier, and the client's proof of
    /// who it is. Built apart from the exchange because the form encoder
    /// is not `Send`.
    fn token_request(
        &self,
        provider: &Provider,
        code: &str,
        verifier: &str,
        now: SystemTime,
    ) -> Result<Request<Bytes>, SignInFailure> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("code_verifier", verifier);
        let mut request = Request::post(provider.token_endpoint.clone())
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        match &self.settings.auth {
            ClientAuth::Secret(secret) => {
                // RFC 6749 §2.3.1: each part form-encoded, then base64.
                let encode =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let credentials = zeroize::Zeroizing::new(format!(
                    "{}:{}",
                    encode(&self.settings.client_id),
                    encode(secret.expose_secret())
                ));
                let mut value = HeaderValue::from_str(&format!(
                    "Basic {}",
                    STANDARD.encode(credentials.as_bytes())
                ))
                .map_err(|_| SignInFailure::Internal)?;
                value.set_sensitive(true);
                request = request.header(header::AUTHORIZATION, value);
            }
            ClientAuth::PrivateKey {
                pkcs8,
                algorithm,
                key_id,
            } => {
                let assertion = client_key::assertion(
                    pkcs8.expose_secret(),
                    *algorithm,
                    key_id.as_deref(),
                    &self.settings.client_id,
                    &provider.token_endpoint.to_string(),
                    now,
                )
                .ok_or(SignInFailure::Internal)?;
                form.append_pair("client_id", &self.settings.client_id)
                    .append_pair(
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    )
                    .append_pair("client_assertion", &assertion);
            }
        }
        let body = zeroize::Zeroizing::new(form.finish());
        request
            .body(Bytes::copy_from_slice(body.as_bytes()))
            .map_err(|_| SignInFailure::Internal)
    }

    /// The ID token, checked, and the user it names.
    async fn verify(
        &self,
        provider: &Provider,
        token: &str,
        nonce: &str,
        now: SystemTime,
    ) -> Result<User, SignInFailure> {
        let rules = jwt::Rules {
            algorithm: self.settings.algorithm,
            issuer: provider.issuer.clone(),
            audience: self.settings.client_id.clone(),
            user_claim: self.settings.user_claim.clone(),
            groups_claim: self.settings.groups_claim.clone(),
            leeway: self.settings.leeway,
        };
        let (claims, all) = provider
            .keys
            .verify(&rules, token, now)
            .await
            .map_err(|failure| match failure {
                Unverified::Token(err) => SignInFailure::Token(err),
                Unverified::NoKeys => SignInFailure::Unavailable,
            })?;
        // Only this client: an ID token that also names others is refused
        // (OpenID Connect Core §3.1.3.7, step 3).
        if let Some(Value::Array(list)) = all.get("aud")
            && list
                .iter()
                .any(|a| a.as_str() != Some(self.settings.client_id.as_str()))
        {
            return Err(SignInFailure::Token(JwtError::Audience));
        }
        match all.get("azp") {
            None => {}
            Some(Value::String(azp)) if *azp == self.settings.client_id => {}
            Some(_) => return Err(SignInFailure::Token(JwtError::AuthorizedParty)),
        }
        match all.get("nonce") {
            Some(Value::String(n)) if same(n, nonce) => {}
            _ => return Err(SignInFailure::Token(JwtError::Nonce)),
        }
        if let Some(tenant) = &self.settings.tenant_id
            && all.get("tid").and_then(Value::as_str) != Some(tenant.as_str())
        {
            return Err(SignInFailure::Tenant);
        }
        let name =
            user_name(claims.user.as_bytes()).ok_or(SignInFailure::Token(JwtError::NoUser))?;
        Ok(User {
            name,
            groups: claims.groups,
        })
    }

    /// The session cookie for `user`, holding only the groups that matter.
    fn session_cookie(&self, user: &User) -> Option<HeaderValue> {
        let groups = match &self.allowed_groups {
            Some(allowed) => user
                .groups
                .iter()
                .filter(|g| allowed.contains(g))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let session = Session {
            user: user.name.clone(),
            groups,
        };
        let sealed = self.sealer.seal(
            cookie::SESSION,
            &session,
            SystemTime::now(),
            self.settings.session_lifetime,
        )?;
        cookie::set(cookie::SESSION, &sealed, self.settings.session_lifetime)
    }
}

impl Identify for OidcMode {
    async fn identify(&self, parts: &Parts, _peer: Option<Peer>) -> Result<User, Refusal> {
        let now = SystemTime::now();
        cookie::values(&parts.headers, cookie::SESSION)
            .find_map(|v| self.sealer.open::<Session>(cookie::SESSION, v, now))
            .map(|session| User {
                name: session.user,
                groups: session.groups,
            })
            .ok_or(Refusal::NoSession)
    }
}

fn mode(app: &App) -> Option<&OidcMode> {
    match &app.identity {
        crate::identity::Source::Oidc(mode) => Some(mode),
        _ => None,
    }
}

/// A page that has no session: a `GET` goes to the provider, anything else
/// is told to sign in.
pub(crate) async fn no_session(
    app: &App,
    method: &Method,
    id: &str,
    peer: Option<Peer>,
) -> Option<Response> {
    let mode = mode(app)?;
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    Some(match mode.begin().await {
        Ok(response) => response,
        Err(failure) => refuse(app, Refusal::SignIn(failure), id, peer),
    })
}

/// `GET /oidc/login`: starts a sign-in.
pub(crate) async fn login(
    State(app): State<Arc<App>>,
    RequestId(id): RequestId,
    PeerAddr(peer): PeerAddr,
) -> Response {
    no_session(&app, &Method::GET, &id, peer)
        .await
        .unwrap_or_else(|| crate::app::not_found_page(&id))
}

/// `GET /oidc/callback`: the provider sends the browser back here.
pub(crate) async fn callback(
    State(app): State<Arc<App>>,
    RequestId(id): RequestId,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(mode) = mode(&app) else {
        return crate::app::not_found_page(&id);
    };
    let result = mode
        .complete(&headers, query.as_deref().unwrap_or(""))
        .await;
    let mut response = match result {
        Ok(user) => match mode.session_cookie(&user) {
            Some(session) => {
                app.metrics.sign_in();
                app.audit.write(&Line {
                    time: Line::now(),
                    request_id: &id,
                    peer: peer_text(peer),
                    event: "sign_in",
                    user: Some(&user.name),
                    sso_id: None,
                    console: None,
                    outcome: "ok",
                    status: 303,
                    rescue_ms: None,
                });
                tracing::info!(user = %user.name, request_id = %id, "signed in");
                let mut response = StatusCode::SEE_OTHER.into_response();
                response
                    .headers_mut()
                    .insert(header::LOCATION, HeaderValue::from_static("/"));
                response.headers_mut().append(header::SET_COOKIE, session);
                response
            }
            None => refuse(&app, Refusal::SignIn(SignInFailure::Internal), &id, peer),
        },
        Err(failure) => refuse(&app, Refusal::SignIn(failure), &id, peer),
    };
    // The flow is spent, whatever happened.
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie::clear(cookie::FLOW));
    response
}

/// `GET /logout`: forgets the session in this browser.
pub(crate) async fn logout(RequestId(id): RequestId) -> Response {
    let mut response = pages::signed_out(&id);
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, cookie::clear(cookie::SESSION));
    headers.append(header::SET_COOKIE, cookie::clear(cookie::FLOW));
    response
}

/// An OAuth error code as logged: one of those RFC 6749 and OpenID Connect
/// Core define, or `other`. Never the text itself, which a provider (or a
/// front end echoing the request) could fill with the client secret or the
/// `Authorization` header it was sent.
fn oauth_error(text: &str) -> &'static str {
    const KNOWN: [&str; 17] = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "unsupported_response_type",
        "invalid_scope",
        "access_denied",
        "server_error",
        "temporarily_unavailable",
        "interaction_required",
        "login_required",
        "account_selection_required",
        "consent_required",
        "invalid_request_uri",
        "invalid_request_object",
        "request_not_supported",
    ];
    KNOWN
        .into_iter()
        .find(|&known| known == text)
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::oauth_error;

    #[test]
    fn a_providers_error_is_logged_only_as_a_known_code() {
        assert_eq!(oauth_error("invalid_grant"), "invalid_grant");
        assert_eq!(oauth_error("access_denied"), "access_denied");
        for echoed in [
            "TopSecretClient-XYZ123",
            "Basic cmVzY3VlLWdhdGV3YXk6VG9wU2VjcmV0",
            "invalid_grant ",
            "",
        ] {
            assert_eq!(oauth_error(echoed), "other", "{echoed}");
        }
    }

    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_with_a_loopback_issuer() {
        let uri = |s: &str| s.parse::<Uri>().expect("uri");
        let https_issuer = uri("https://idp.example/realms/x");
        let local_issuer = uri("http://127.0.0.1:8080");
        assert!(endpoint_allowed(
            &uri("https://idp.example/token"),
            &https_issuer
        ));
        assert!(!endpoint_allowed(
            &uri("http://idp.example/token"),
            &https_issuer
        ));
        assert!(!endpoint_allowed(
            &uri("http://127.0.0.1/token"),
            &https_issuer
        ));
        assert!(endpoint_allowed(
            &uri("http://127.0.0.1:9/token"),
            &local_issuer
        ));
        assert!(!endpoint_allowed(
            &uri("http://10.0.0.1/token"),
            &local_issuer
        ));
        assert!(!endpoint_allowed(&uri("/token"), &local_issuer));
        assert!(!endpoint_allowed(
            &uri("ftp://idp.example/x"),
            &https_issuer
        ));
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
