//! A stand-in OpenID provider on loopback, for what a real one will not do
//! on demand: mint an expired token, one for another audience, a forged
//! one, deny a login, go down, or take the shape of Keycloak, Entra ID or
//! Okta (their issuer paths, claims and quirks).
//!
//! It is strict where a provider is: the client must authenticate (a
//! secret, or a signed assertion it verifies), a code is good once, for its
//! own redirect URI and PKCE verifier. The happy path and key rotation are
//! also run against a real provider (`oidc_provider.rs`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

pub(crate) const CLIENT_ID: &str = "rescue-gateway";
pub(crate) const CLIENT_SECRET: &str = "s3cret:with/odd+chars%";

/// The RSA key in `tests/fixtures` (ring cannot make RSA keys).
const RS256_PEM: &str = include_str!("../fixtures/rs256-test-key.pem");

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A provider signing key.
pub(crate) enum Signer {
    Es256(EcdsaKeyPair, String),
    Rs256(RsaKeyPair, String),
}

impl Signer {
    pub(crate) fn es256(kid: &str) -> Signer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("key");
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .expect("pair");
        Signer::Es256(pair, kid.to_owned())
    }

    pub(crate) fn rs256(kid: &str) -> Signer {
        let der: Vec<u8> = STANDARD
            .decode(
                RS256_PEM
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .expect("pem");
        Signer::Rs256(RsaKeyPair::from_pkcs8(&der).expect("rsa"), kid.to_owned())
    }

    pub(crate) fn kid(&self) -> &str {
        match self {
            Signer::Es256(_, kid) | Signer::Rs256(_, kid) => kid,
        }
    }

    fn alg(&self) -> &'static str {
        match self {
            Signer::Es256(..) => "ES256",
            Signer::Rs256(..) => "RS256",
        }
    }

    pub(crate) fn jwk(&self) -> Value {
        match self {
            Signer::Es256(pair, kid) => {
                let point = pair.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                    "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65])})
            }
            Signer::Rs256(pair, kid) => {
                let components: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
                json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                    "n": URL_SAFE_NO_PAD.encode(&components.n), "e": URL_SAFE_NO_PAD.encode(&components.e)})
            }
        }
    }

    /// A JWT of `claims` with the usual header: this key's algorithm and kid.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": self.alg(), "kid": self.kid(), "typ": "JWT"}),
            claims,
        )
    }

    /// A JWT of `claims` under any header, signed by this key.
    pub(crate) fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let sig = match self {
            Signer::Es256(pair, _) => pair
                .sign(&rng, input.as_bytes())
                .expect("sign")
                .as_ref()
                .to_vec(),
            Signer::Rs256(pair, _) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut out,
                )
                .expect("sign");
                out
            }
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
}

/// The provider's shape: where its issuer lives and what its tokens say.
#[derive(Clone)]
pub(crate) struct Shape {
    /// The issuer's path (`""`, `/realms/intranet`, `/oauth2/default`, …).
    pub(crate) path: String,
    /// What the discovery document says the issuer is, `{base}` standing
    /// for `http://127.0.0.1:port`: usually `{base}{path}`; Entra ID's
    /// multi-tenant documents say `…/{tenantid}/v2.0`.
    pub(crate) published_issuer: Option<String>,
    /// The `iss` of its tokens, if not the published issuer.
    pub(crate) token_issuer: Option<String>,
    /// Claims every ID token carries besides the standard ones.
    pub(crate) claims: Value,
    /// Whether the callback carries `iss` (RFC 9207).
    pub(crate) iss_parameter: bool,
}

impl Shape {
    /// A plain provider at the root.
    pub(crate) fn plain() -> Shape {
        Shape {
            path: String::new(),
            published_issuer: None,
            token_issuer: None,
            claims: json!({"preferred_username": "alice", "groups": ["rescue-techs", "staff"]}),
            iss_parameter: true,
        }
    }
}

/// How a client proves itself.
pub(crate) enum ClientCheck {
    Secret(String),
    /// `private_key_jwt` with this P-256 public key (uncompressed point).
    Assertion(Vec<u8>),
}

/// A grant waiting for its code to be exchanged.
struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    used: bool,
}

type Tamper = Box<dyn Fn(&mut Value) + Send + Sync>;

struct State {
    shape: Shape,
    base: String,
    signers: Vec<Signer>,
    /// Signs instead of the published key (a forgery with its `kid`).
    forger: Option<Signer>,
    tamper: Option<Tamper>,
    grants: HashMap<String, Grant>,
    client: ClientCheck,
    deny: bool,
    down: bool,
    redirect_uri: Option<String>,
    last_assertion: Option<Value>,
}

/// The stand-in, on `127.0.0.1:0`.
#[derive(Clone)]
pub(crate) struct StandIn {
    pub(crate) base: String,
    state: Arc<Mutex<State>>,
    pub(crate) discovery_hits: Arc<AtomicU64>,
    pub(crate) jwks_hits: Arc<AtomicU64>,
    pub(crate) token_hits: Arc<AtomicU64>,
}

impl StandIn {
    pub(crate) async fn start(shape: Shape, signer: Signer) -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let provider = StandIn {
            base: base.clone(),
            state: Arc::new(Mutex::new(State {
                shape,
                base,
                signers: vec![signer],
                forger: None,
                tamper: None,
                grants: HashMap::new(),
                client: ClientCheck::Secret(CLIENT_SECRET.to_owned()),
                deny: false,
                down: false,
                redirect_uri: None,
                last_assertion: None,
            })),
            discovery_hits: Arc::default(),
            jwks_hits: Arc::default(),
            token_hits: Arc::default(),
        };
        let served = provider.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let served = served.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let served = served.clone();
                        async move { Ok::<_, Infallible>(served.answer(request).await) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
        provider
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("lock")
    }

    /// The issuer to configure.
    pub(crate) fn issuer(&self) -> String {
        format!("{}{}", self.base, self.state().shape.path)
    }

    pub(crate) fn set_client(&self, client: ClientCheck) {
        self.state().client = client;
    }

    /// Every ID token from now on passes through `tamper` before signing.
    pub(crate) fn tamper(&self, tamper: impl Fn(&mut Value) + Send + Sync + 'static) {
        self.state().tamper = Some(Box::new(tamper));
    }

    /// Every ID token from now on is signed by a key it does not publish,
    /// under the published key's `kid`.
    pub(crate) fn forge(&self, forger: Signer) {
        self.state().forger = Some(forger);
    }

    /// Logins from now on end with `error=access_denied`.
    pub(crate) fn deny(&self) {
        self.state().deny = true;
    }

    /// Every request from now on is answered 503.
    pub(crate) fn set_down(&self, down: bool) {
        self.state().down = down;
    }

    /// A new signing key, published first; the old ones stay published
    /// unless `only`.
    pub(crate) fn rotate(&self, signer: Signer, only: bool) {
        let mut state = self.state();
        if only {
            state.signers.clear();
        }
        state.signers.insert(0, signer);
    }

    /// The last client assertion the token endpoint accepted, decoded.
    pub(crate) fn last_assertion(&self) -> Option<Value> {
        self.state().last_assertion.clone()
    }

    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let mut state = self.state();
        if parts
            .uri
            .path()
            .ends_with("/.well-known/openid-configuration")
        {
            self.discovery_hits.fetch_add(1, Ordering::SeqCst);
        }
        if state.down {
            return reply(StatusCode::SERVICE_UNAVAILABLE, "down".into(), None);
        }
        let path = parts.uri.path().to_owned();
        let query = parts.uri.query().unwrap_or("").to_owned();
        let shape_path = state.shape.path.clone();
        let base = state.base.clone();
        match path.strip_prefix(&shape_path).unwrap_or(&path) {
            "/.well-known/openid-configuration" if path.starts_with(&shape_path) => {
                let issuer = state
                    .shape
                    .published_issuer
                    .clone()
                    .unwrap_or_else(|| "{base}{path}".to_owned())
                    .replace("{base}", &base)
                    .replace("{path}", &shape_path);
                let doc = json!({
                    "issuer": issuer,
                    "authorization_endpoint": format!("{base}/authorize"),
                    "token_endpoint": format!("{base}/token"),
                    "jwks_uri": format!("{base}/keys"),
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                    "code_challenge_methods_supported": ["S256"],
                    "authorization_response_iss_parameter_supported": state.shape.iss_parameter,
                });
                reply(StatusCode::OK, doc.to_string(), Some("application/json"))
            }
            _ if path == "/keys" => {
                self.jwks_hits.fetch_add(1, Ordering::SeqCst);
                let keys: Vec<Value> = state.signers.iter().map(Signer::jwk).collect();
                reply(
                    StatusCode::OK,
                    json!({ "keys": keys }).to_string(),
                    Some("application/json"),
                )
            }
            _ if path == "/authorize" => authorize(&mut state, &query),
            _ if path == "/token" && parts.method == hyper::Method::POST => {
                self.token_hits.fetch_add(1, Ordering::SeqCst);
                token(&mut state, &parts.headers, &body)
            }
            _ => reply(StatusCode::NOT_FOUND, "not found".into(), None),
        }
    }
}

fn reply(status: StatusCode, body: String, content_type: Option<&str>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Some(ct) = content_type {
        response
            .headers_mut()
            .insert("content-type", ct.parse().expect("value"));
    }
    response
}

fn redirect(location: &str) -> Response<Full<Bytes>> {
    let mut response = reply(StatusCode::SEE_OTHER, String::new(), None);
    response
        .headers_mut()
        .insert("location", location.parse().expect("location"));
    response
}

fn params(text: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(text).into_owned().collect()
}

fn token_issuer(state: &State) -> String {
    state
        .shape
        .token_issuer
        .clone()
        .unwrap_or_else(|| {
            state
                .shape
                .published_issuer
                .clone()
                .unwrap_or_else(|| "{base}{path}".to_owned())
        })
        .replace("{base}", &state.base)
        .replace("{path}", &state.shape.path)
}

/// The user has signed in (and consented): back to the client with a code.
fn authorize(state: &mut State, query: &str) -> Response<Full<Bytes>> {
    let q = params(query.as_bytes());
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != CLIENT_ID
        || get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("state").is_empty()
        || get("nonce").is_empty()
        || !get("scope").split(' ').any(|s| s == "openid")
    {
        return reply(StatusCode::BAD_REQUEST, format!("bad request: {q:?}"), None);
    }
    let redirect_uri = get("redirect_uri");
    if state
        .redirect_uri
        .as_ref()
        .is_some_and(|r| *r != redirect_uri)
    {
        return reply(StatusCode::BAD_REQUEST, "redirect_uri".into(), None);
    }
    let iss = token_issuer(state);
    let mut back = form_urlencoded::Serializer::new(String::new());
    if state.deny {
        back.append_pair("error", "access_denied")
            .append_pair("error_description", "Call 555-0100 to claim your prize");
    } else {
        let code = URL_SAFE_NO_PAD.encode(uuid_like());
        state.grants.insert(
            code.clone(),
            Grant {
                nonce: get("nonce"),
                challenge: get("code_challenge"),
                redirect_uri: redirect_uri.clone(),
                used: false,
            },
        );
        back.append_pair("code", &code);
    }
    back.append_pair("state", &get("state"));
    if state.shape.iss_parameter {
        back.append_pair("iss", &iss);
    }
    redirect(&format!("{redirect_uri}?{}", back.finish()))
}

fn uuid_like() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut bytes).expect("random");
    bytes
}

fn token_error(status: StatusCode, error: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        json!({ "error": error }).to_string(),
        Some("application/json"),
    )
}

/// The code, exchanged for an ID token.
fn token(state: &mut State, headers: &hyper::HeaderMap, body: &[u8]) -> Response<Full<Bytes>> {
    let form = params(body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let token_endpoint = format!("{}/token", state.base);
    let client_ok = match &state.client {
        ClientCheck::Secret(secret) => {
            let expected = format!(
                "Basic {}",
                STANDARD.encode(format!(
                    "{}:{}",
                    form_urlencoded::byte_serialize(CLIENT_ID.as_bytes()).collect::<String>(),
                    form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
                ))
            );
            headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&*expected)
        }
        ClientCheck::Assertion(point) => {
            let assertion = get("client_assertion");
            get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                && get("client_id") == CLIENT_ID
                && verify_es256(point, &assertion).is_some_and(|claims| {
                    let ok = claims["iss"] == CLIENT_ID
                        && claims["sub"] == CLIENT_ID
                        && claims["aud"] == token_endpoint.as_str()
                        && claims["exp"].as_u64().is_some_and(|exp| exp > now())
                        && claims["jti"].is_string();
                    state.last_assertion = Some(claims);
                    ok
                })
        }
    };
    if !client_ok {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if get("grant_type") != "authorization_code" {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let Some(grant) = state.grants.get_mut(&get("code")) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let challenge = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        get("code_verifier").as_bytes(),
    ));
    if grant.used || grant.redirect_uri != get("redirect_uri") || grant.challenge != challenge {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    grant.used = true;
    let nonce = grant.nonce.clone();
    let mut claims = json!({
        "iss": token_issuer(state),
        "sub": "248289761001",
        "aud": CLIENT_ID,
        "exp": now() + 300,
        "iat": now(),
        "nonce": nonce,
    });
    if let (Some(map), Some(extra)) = (claims.as_object_mut(), state.shape.claims.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    if let Some(tamper) = &state.tamper {
        tamper(&mut claims);
    }
    let id_token = match &state.forger {
        Some(forger) => forger.sign(&claims),
        None => state.signers[0].sign(&claims),
    };
    reply(
        StatusCode::OK,
        json!({"access_token": "opaque", "token_type": "Bearer", "expires_in": 300, "id_token": id_token})
            .to_string(),
        Some("application/json"),
    )
}

fn verify_es256(point: &[u8], token: &str) -> Option<Value> {
    let (input, sig) = token.rsplit_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
        .verify(input.as_bytes(), &sig)
        .ok()?;
    let payload = input.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
