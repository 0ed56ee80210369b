//! `jwt-assertion` mode: a proxy's signed JWT, checked against its JWKS,
//! which a test server publishes and rotates.

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::provider::Signer;
use common::{Harness, metric};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Value, json};

const HEADER: &str = "x-pomerium-jwt-assertion";
const ISSUER: &str = "authenticate.corp.example";
const AUDIENCE: &str = "rescue.corp.example";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn claims(user: &str) -> Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "email": user, "groups": ["rescue-techs"],
        "exp": now() + 300, "iat": now(), "nbf": now() - 5})
}

/// A JWKS endpoint whose keys a test can change, counting its fetches.
struct Jwks {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    hits: Arc<AtomicU64>,
}

impl Jwks {
    async fn start(keys: Vec<Value>) -> Jwks {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().expect("addr")
        );
        let keys = Arc::new(Mutex::new(keys));
        let hits = Arc::new(AtomicU64::new(0));
        let (served, counted) = (Arc::clone(&keys), Arc::clone(&hits));
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let (served, counted) = (Arc::clone(&served), Arc::clone(&counted));
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_| {
                        counted.fetch_add(1, Ordering::SeqCst);
                        let body = json!({"keys": *served.lock().expect("lock")}).to_string();
                        async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body)))) }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
        Jwks { url, keys, hits }
    }

    fn set(&self, keys: Vec<Value>) {
        *self.keys.lock().expect("lock") = keys;
    }

    fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

fn identity(jwks: &Jwks) -> String {
    format!(
        "[identity]\nmode = \"jwt-assertion\"\nheader = \"X-Pomerium-Jwt-Assertion\"\njwks_url = \"{}\"\nalgorithm = \"ES256\"\nissuer = \"{ISSUER}\"\naudience = \"{AUDIENCE}\"\nclaim = \"email\"\ngroups_claim = \"groups\"\n[technicians]\nstrip_domain = true\nallowed_groups = [\"rescue-techs\"]\n",
        jwks.url
    )
}

async fn launch(h: &Harness, token: &str) -> common::Answer {
    let origin = h.url.clone();
    h.send(
        Method::POST,
        "/launch",
        &[
            (HEADER, token),
            ("origin", &origin),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "console=dtc",
    )
    .await
}

#[tokio::test]
async fn a_verified_assertion_launches_as_its_user() {
    let proxy = Signer::es256("k1");
    let jwks = Jwks::start(vec![proxy.jwk()]).await;
    let h = Harness::start(&identity(&jwks)).await;
    let token = proxy.sign(&claims("alice@corp.example"));
    let page = h.send(Method::GET, "/", &[(HEADER, &token)], "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("alice@corp.example"));
    let answer = launch(&h, &token).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let seen = h.audit.lines();
    assert_eq!(
        seen[0]["sso_id"], "alice",
        "strip_domain applied to the claim"
    );
    let ready = h.send(Method::GET, "/readyz", &[], "").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
}

#[tokio::test]
async fn forged_and_stale_assertions_are_401_and_never_reach_rescue() {
    let proxy = Signer::es256("k1");
    let attacker = Signer::es256("k1");
    let jwks = Jwks::start(vec![proxy.jwk()]).await;
    let h = Harness::start(&identity(&jwks)).await;
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let mut expired = claims("alice@corp.example");
    expired["exp"] = json!(now() - 3600);
    let mut wrong_aud = claims("alice@corp.example");
    wrong_aud["aud"] = json!("other-app");
    let mut wrong_iss = claims("alice@corp.example");
    wrong_iss["iss"] = json!("evil.example");
    let hs256_with_public_key = {
        let input = format!(
            "{}.{}",
            b64(&json!({"alg": "HS256", "kid": "k1"})),
            b64(&claims("alice@corp.example"))
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, proxy.jwk().to_string().as_bytes());
        let tag = ring::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    };
    let cases = [
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none"})),
                b64(&claims("alice@corp.example"))
            ),
            "jwt_algorithm",
        ),
        (
            "another key",
            attacker.sign(&claims("alice@corp.example")),
            "jwt_signature",
        ),
        ("expired", proxy.sign(&expired), "jwt_expired"),
        ("another audience", proxy.sign(&wrong_aud), "jwt_audience"),
        ("another issuer", proxy.sign(&wrong_iss), "jwt_issuer"),
        (
            "HS256 with the public key",
            hs256_with_public_key,
            "jwt_algorithm",
        ),
        ("garbage", "not.a.jwt".to_owned(), "jwt_malformed"),
    ];
    for (name, token, reason) in &cases {
        let answer = launch(&h, token).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
        let last = h.audit.lines().pop().expect("audit");
        assert_eq!(last["outcome"], *reason, "{name}");
    }
    let missing = h.send(Method::GET, "/", &[], "").await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.emulator.stats().requests, 0);
    let metrics = h.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "rescue_sso_gateway_identity_refusals_total{reason=\"jwt_algorithm\"}"
        ),
        2
    );
}

#[tokio::test]
async fn a_key_the_proxy_rotates_in_is_picked_up_and_an_unknown_kid_is_refused() {
    let old = Signer::es256("2026-01");
    let jwks = Jwks::start(vec![old.jwk()]).await;
    let h = Harness::start(&identity(&jwks)).await;
    assert_eq!(
        launch(&h, &old.sign(&claims("alice@corp.example")))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let fetched = jwks.hits();

    // The proxy publishes a new key and signs with it: the first token
    // naming it makes the gateway fetch the keys again, and launches go on.
    let new = Signer::es256("2026-02");
    jwks.set(vec![new.jwk(), old.jwk()]);
    let answer = launch(&h, &new.sign(&claims("alice@corp.example"))).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(jwks.hits(), fetched + 1);
    assert_eq!(
        launch(&h, &old.sign(&claims("alice@corp.example")))
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // A kid the proxy never published: refused, never checked against
    // another key, and a flood of them costs the proxy no more fetches
    // (one per interval at most; the last fetch was just now).
    let stranger = Signer::es256("forged");
    for _ in 0..20 {
        let answer = launch(&h, &stranger.sign(&claims("alice@corp.example"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    // Even signed by a published key, an unpublished kid does not verify.
    let mislabelled = old.sign_with_header(
        &json!({"alg": "ES256", "kid": "forged"}),
        &claims("alice@corp.example"),
    );
    assert_eq!(
        launch(&h, &mislabelled).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(jwks.hits(), fetched + 1, "rate-limited refreshes");
    assert_eq!(h.emulator.stats().tickets_issued, 3);
}

/// Only a token the gateway would accept but for its unknown key may make
/// it fetch the keys: a forged token, which anyone can send, used to spend
/// the one refresh allowed per 10 s, and the key the proxy rotated in just
/// then was refused for up to 10 s.
#[tokio::test]
async fn a_forged_token_cannot_hold_back_a_key_the_proxy_rotates_in() {
    let old = Signer::es256("2026-01");
    let jwks = Jwks::start(vec![old.jwk()]).await;
    let h = Harness::start(&identity(&jwks)).await;
    let fetched = jwks.hits();

    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let mut expired = claims("mallory@corp.example");
    expired["exp"] = json!(now() - 3600);
    let mut elsewhere = claims("mallory@corp.example");
    elsewhere["aud"] = json!("another.corp.example");
    let forged = [
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": "x1"})),
            b64(&claims("mallory@corp.example"))
        ),
        format!(
            "{}.{}.AAAA",
            b64(&json!({"alg": "HS256", "kid": "x2"})),
            b64(&claims("mallory@corp.example"))
        ),
        Signer::es256("x3").sign(&expired),
        Signer::es256("x4").sign(&elsewhere),
        "not a token".to_owned(),
    ];
    for token in &forged {
        assert_eq!(launch(&h, token).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(jwks.hits(), fetched, "a forged token fetched the keys");

    let new = Signer::es256("2026-02");
    jwks.set(vec![new.jwk(), old.jwk()]);
    let answer = launch(&h, &new.sign(&claims("alice@corp.example"))).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(jwks.hits(), fetched + 1);
}

#[tokio::test]
async fn a_gateway_whose_keys_cannot_be_had_does_not_start() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let emulator = common::emulator().await;
    let dir = common::scratch("nokeys");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{}[identity]\nmode = \"jwt-assertion\"\nheader = \"X-Pomerium-Jwt-Assertion\"\njwks_url = \"http://127.0.0.1:{closed}/jwks\"\nalgorithm = \"ES256\"\nissuer = \"i\"\naudience = \"a\"\n",
        common::rescue_section(&emulator, &dir, "2s")
    );
    let config = rescue_sso_gateway::Config::from_toml(&toml, &dir).expect("config");
    let err = rescue_sso_gateway::Server::bind(config).await.unwrap_err();
    assert!(matches!(err, rescue_sso_gateway::Error::Keys(_)), "{err:?}");
}
