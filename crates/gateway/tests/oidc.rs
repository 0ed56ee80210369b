//! `oidc` mode over HTTP, against a stand-in provider that can be made
//! hostile: wrong `state`, a replayed code, a token for another audience,
//! an expired or forged one, a denied login, a provider that is down or
//! rotates its key; and the Keycloak, Entra ID and Okta examples of
//! docs/gateway.md, each against a provider of that shape.
//!
//! No failure ever reaches Rescue: every test that fails a sign-in checks
//! that the emulator saw no request.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::provider::{CLIENT_ID, CLIENT_SECRET, ClientCheck, Shape, Signer, StandIn, now};
use common::visitor::Visitor;
use common::{Answer, Harness, metric, scratch};
use hyper::StatusCode;
use rescue_sso_gateway::Config;
use serde_json::{Value, json};

impl Visitor {
    /// `GET /` at the gateway, on to the provider, and the URL it sends the
    /// browser back to (the callback, not yet visited).
    async fn to_callback(&self, gateway: &str) -> String {
        let start = self.get(&format!("{gateway}/")).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let at_provider = self.get(start.header("location")).await;
        assert_eq!(
            at_provider.status,
            StatusCode::SEE_OTHER,
            "{}",
            at_provider.body
        );
        at_provider.header("location").to_owned()
    }

    /// A whole sign-in; the callback's answer.
    async fn sign_in(&self, gateway: &str) -> Answer {
        let callback = self.to_callback(gateway).await;
        self.get(&callback).await
    }
}

fn identity(provider: &StandIn, extra: &str) -> String {
    format!(
        "[identity]\nmode = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"client-secret\"\nalgorithm = \"ES256\"\ngroups_claim = \"groups\"\n{extra}",
        provider.issuer()
    )
}

async fn gateway(provider: &StandIn, extra: &str) -> Harness {
    gateway_with(provider, extra, Duration::from_secs(5)).await
}

async fn gateway_with(provider: &StandIn, extra: &str, retry: Duration) -> Harness {
    let emulator = common::emulator().await;
    let dir = scratch("oidc");
    std::fs::write(dir.join("client-secret"), format!("{CLIENT_SECRET}\n")).expect("secret");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{}{}",
        common::rescue_section(&emulator, &dir, "10s"),
        identity(provider, extra)
    );
    let config = Config::from_toml(&toml, &dir).expect("config");
    Harness::serve_with(emulator, config, dir, move |b| b.discovery_retry(retry)).await
}

fn query(url: &str) -> BTreeMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// Rewrites one parameter of a URL's query.
fn with_param(url: &str, key: &str, value: &str) -> String {
    let (base, _) = url.split_once('?').expect("a query");
    let mut q = query(url);
    q.insert(key.to_owned(), value.to_owned());
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q {
        out.append_pair(k, v);
    }
    format!("{base}?{}", out.finish())
}

#[tokio::test]
async fn a_sign_in_lands_on_the_start_page_and_a_launch_reaches_rescue() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let h = gateway(&provider, "").await;
    let visitor = Visitor::default();

    // No session: the start page sends the browser to the provider, with
    // PKCE, state and nonce, and a sealed flow cookie.
    let start = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let to = start.header("location").to_owned();
    assert!(
        to.starts_with(&format!("{}/authorize?", provider.base)),
        "{to}"
    );
    let q = query(&to);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], format!("{}/oidc/callback", h.url));
    assert_eq!(q["scope"], "openid profile email");
    assert_eq!(q["code_challenge_method"], "S256");
    for key in ["state", "nonce", "code_challenge"] {
        assert_eq!(q[key].len(), 43, "{key}: 256 bits, base64url");
    }
    let flow_cookie = start.header("set-cookie").to_owned();
    assert!(
        flow_cookie.starts_with("__Host-rescue-sso-flow=")
            && flow_cookie.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600"),
        "{flow_cookie}"
    );
    let sealed = visitor.cookie("__Host-rescue-sso-flow").expect("flow");
    for secret in [&q["state"], &q["nonce"]] {
        assert!(
            !sealed.contains(secret.as_str()),
            "the flow cookie is sealed"
        );
    }

    let at_provider = visitor.get(&to).await;
    let callback = at_provider.header("location").to_owned();
    let back = visitor.get(&callback).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.header("location"), "/");
    let set: Vec<&str> = back
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("text"))
        .collect();
    assert!(
        set.iter()
            .any(|c| c.starts_with("__Host-rescue-sso-session=")
                && c.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=28800")),
        "{set:?}"
    );
    assert!(
        set.contains(&"__Host-rescue-sso-flow=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"),
        "the flow is spent: {set:?}"
    );
    assert!(visitor.cookie("__Host-rescue-sso-flow").is_none());
    let session = visitor
        .cookie("__Host-rescue-sso-session")
        .expect("session");
    assert!(!session.contains("alice"), "the session cookie is sealed");

    let page = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">alice<"), "{}", page.body);

    let launched = visitor.launch(&h.url, "dtc").await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    assert!(
        launched
            .header("location")
            .starts_with(&h.emulator.base_url())
    );
    assert_eq!(h.emulator.stats().tickets_issued, 1);

    let ready = visitor.get(&format!("{}/readyz", h.url)).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let metrics = h.metrics().await;
    assert_eq!(metric(&metrics, "rescue_sso_gateway_sign_ins_total"), 1);
    let lines = h.audit.lines();
    assert_eq!(lines[0]["event"], "sign_in");
    assert_eq!(lines[0]["user"], "alice");
    assert_eq!(lines[1]["event"], "launch");
    assert_eq!(lines[1]["outcome"], "ok");

    // Signing out forgets the session; the start page signs in again.
    let out = visitor.get(&format!("{}/logout", h.url)).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.body.contains("Signed out"));
    assert!(visitor.cookie("__Host-rescue-sso-session").is_none());
    let again = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    // The old cookie, kept by an attacker, still works until it expires:
    // sessions live in the browser only (docs/gateway.md says so).
    visitor.set_cookie("__Host-rescue-sso-session", &session);
    assert_eq!(
        visitor.get(&format!("{}/", h.url)).await.status,
        StatusCode::OK
    );
}

/// A failed sign-in: its status, its reason in the metrics, no session,
/// and nothing sent to Rescue.
async fn refused(
    h: &Harness,
    visitor: &Visitor,
    answer: &Answer,
    status: StatusCode,
    reason: &str,
) {
    refused_after(h, visitor, answer, status, reason, 0).await;
}

/// As [`refused`], when Rescue had seen `before` requests.
async fn refused_after(
    h: &Harness,
    visitor: &Visitor,
    answer: &Answer,
    status: StatusCode,
    reason: &str,
    before: u64,
) {
    assert_eq!(answer.status, status, "{reason}: {}", answer.body);
    if status != StatusCode::FORBIDDEN {
        assert!(
            answer.body.contains("Back to the start page"),
            "{}",
            answer.body
        );
    }
    assert!(
        visitor.cookie("__Host-rescue-sso-session").is_none(),
        "{reason}: no session"
    );
    let metrics = h.metrics().await;
    assert!(
        metric(
            &metrics,
            &format!("rescue_sso_gateway_identity_refusals_total{{reason=\"{reason}\"}}")
        ) >= 1,
        "{reason}: {metrics}"
    );
    // A launch without a session is refused, not sent on.
    let launch = visitor.launch(&h.url, "dtc").await;
    assert_eq!(launch.status, StatusCode::UNAUTHORIZED, "{}", launch.body);
    assert_eq!(
        h.emulator.stats().requests,
        before,
        "{reason}: rescue was called"
    );
}

#[tokio::test]
async fn hostile_callbacks_end_on_a_clear_page() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let h = gateway(&provider, "").await;

    // Another state than the one this browser was sent with (a login CSRF).
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let forged = with_param(&callback, "state", &URL_SAFE_NO_PAD.encode([7u8; 32]));
    let answer = visitor.get(&forged).await;
    refused(&h, &visitor, &answer, StatusCode::BAD_REQUEST, "oidc_state").await;
    assert!(answer.body.contains("not the one this browser started"));

    // A callback in a browser that never started a sign-in.
    let visitor = Visitor::default();
    let other = Visitor::default();
    let callback = other.to_callback(&h.url).await;
    let answer = visitor.get(&callback).await;
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::BAD_REQUEST,
        "oidc_no_flow",
    )
    .await;

    // A flow cookie sealed by someone else (another gateway's key).
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let flow = visitor.cookie("__Host-rescue-sso-flow").expect("flow");
    let mut bytes = URL_SAFE_NO_PAD.decode(&flow).expect("base64");
    bytes[20] ^= 1;
    visitor.set_cookie("__Host-rescue-sso-flow", &URL_SAFE_NO_PAD.encode(&bytes));
    let answer = visitor.get(&callback).await;
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::BAD_REQUEST,
        "oidc_no_flow",
    )
    .await;

    // A replayed code: the same callback, with the same flow cookie, twice.
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let flow = visitor.cookie("__Host-rescue-sso-flow").expect("flow");
    let first = visitor.get(&callback).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let attacker = Visitor::default();
    attacker.set_cookie("__Host-rescue-sso-flow", &flow);
    let answer = attacker.get(&callback).await;
    assert!(answer.body.contains("already used"), "{}", answer.body);
    assert_eq!(h.emulator.stats().requests, 0);
    refused(
        &h,
        &attacker,
        &answer,
        StatusCode::BAD_REQUEST,
        "oidc_code_refused",
    )
    .await;

    // A callback whose `iss` names another provider (a mix-up attack).
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let mixed = with_param(&callback, "iss", "https://evil.example");
    let answer = visitor.get(&mixed).await;
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::BAD_REQUEST,
        "oidc_issuer",
    )
    .await;

    // A callback without its `iss`, from a provider that says it sends one.
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let (base, _) = callback.split_once('?').expect("query");
    let mut q = query(&callback);
    q.remove("iss");
    let mut rebuilt = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q {
        rebuilt.append_pair(k, v);
    }
    let answer = visitor.get(&format!("{base}?{}", rebuilt.finish())).await;
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::BAD_REQUEST,
        "oidc_issuer",
    )
    .await;

    // A parameter given twice.
    let visitor = Visitor::default();
    let callback = visitor.to_callback(&h.url).await;
    let answer = visitor.get(&format!("{callback}&code=another")).await;
    refused(&h, &visitor, &answer, StatusCode::BAD_REQUEST, "oidc_error").await;
}

#[tokio::test]
async fn a_denied_sign_in_is_403_and_the_providers_text_is_not_shown() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    provider.deny();
    let h = gateway(&provider, "").await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert!(!answer.body.contains("555-0100"), "{}", answer.body);
    assert!(answer.body.contains("did not let you in"));
    refused(&h, &visitor, &answer, StatusCode::FORBIDDEN, "oidc_denied").await;
}

#[tokio::test]
async fn id_tokens_that_fail_a_check_are_refused_each_for_its_reason() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let h = gateway(&provider, "").await;
    type Tamper = fn(&mut Value);
    let cases: [(&str, Tamper); 9] = [
        ("jwt_audience", |c| c["aud"] = json!("another-app")),
        ("jwt_audience", |c| {
            c["aud"] = json!([CLIENT_ID, "another-app"])
        }),
        ("jwt_expired", |c| c["exp"] = json!(now() - 3600)),
        ("jwt_not_yet_valid", |c| c["nbf"] = json!(now() + 3600)),
        ("jwt_issuer", |c| c["iss"] = json!("https://evil.example")),
        ("jwt_nonce", |c| c["nonce"] = json!("another-login")),
        ("jwt_nonce", |c| {
            c.as_object_mut().expect("object").remove("nonce");
        }),
        ("jwt_azp", |c| c["azp"] = json!("another-app")),
        ("jwt_no_user", |c| {
            c.as_object_mut()
                .expect("object")
                .remove("preferred_username");
        }),
    ];
    for (reason, tamper) in cases {
        provider.tamper(tamper);
        let visitor = Visitor::default();
        let answer = visitor.sign_in(&h.url).await;
        refused(&h, &visitor, &answer, StatusCode::UNAUTHORIZED, reason).await;
    }
    // Signed by a key the provider does not publish, under its kid.
    provider.tamper(|_| {});
    provider.forge(Signer::es256("k1"));
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::UNAUTHORIZED,
        "jwt_signature",
    )
    .await;
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_page_and_readyz_not_ready_until_it_is_back() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    provider.set_down(true);
    let h = gateway_with(&provider, "", Duration::ZERO).await;
    let visitor = Visitor::default();
    let ready = visitor.get(&format!("{}/readyz", h.url)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.body.contains("openid provider"), "{}", ready.body);
    let page = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.body.contains("cannot be reached right now"),
        "{}",
        page.body
    );

    // Back: discovery is retried, and a sign-in works.
    provider.set_down(false);
    let ready = visitor.get(&format!("{}/readyz", h.url)).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);

    // Down again between the login and the callback: the code cannot be
    // exchanged.
    let callback = visitor.to_callback(&h.url).await;
    provider.set_down(true);
    let answer = visitor.get(&callback).await;
    assert!(answer.body.contains("cannot be reached"), "{}", answer.body);
    refused(
        &h,
        &visitor,
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "oidc_unavailable",
    )
    .await;
}

#[tokio::test]
async fn discovery_is_not_retried_more_often_than_asked() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    provider.set_down(true);
    let h = gateway_with(&provider, "", Duration::from_secs(3600)).await;
    let visitor = Visitor::default();
    for _ in 0..20 {
        assert_eq!(
            visitor.get(&format!("{}/", h.url)).await.status,
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
    // One at start, one for the first visitor; then none for an hour.
    assert_eq!(
        provider
            .discovery_hits
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}

#[tokio::test]
async fn a_rotated_signing_key_is_fetched_when_a_token_names_it() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let h = gateway(&provider, "").await;
    let hits = || provider.jwks_hits.load(std::sync::atomic::Ordering::SeqCst);
    let visitor = Visitor::default();
    assert_eq!(visitor.sign_in(&h.url).await.status, StatusCode::SEE_OTHER);
    assert_eq!(hits(), 1, "loaded once, at discovery");

    provider.rotate(Signer::es256("k2"), true);
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(hits(), 2, "fetched again for the new kid");
    let visitor = Visitor::default();
    assert_eq!(visitor.sign_in(&h.url).await.status, StatusCode::SEE_OTHER);
    assert_eq!(hits(), 2, "and kept");
}

#[tokio::test]
async fn a_tampered_or_foreign_session_cookie_is_no_session() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let h = gateway(&provider, "").await;
    let other = gateway(&provider, "").await;
    let visitor = Visitor::default();
    assert_eq!(
        visitor.sign_in(&other.url).await.status,
        StatusCode::SEE_OTHER
    );
    // A session from another gateway with its own key opens nothing here.
    let page = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "to the provider");
    let session = visitor
        .cookie("__Host-rescue-sso-session")
        .expect("session");
    let mut bytes = URL_SAFE_NO_PAD.decode(&session).expect("base64");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    visitor.set_cookie("__Host-rescue-sso-session", &URL_SAFE_NO_PAD.encode(&bytes));
    let launch = visitor.launch(&other.url, "dtc").await;
    assert_eq!(launch.status, StatusCode::UNAUTHORIZED, "{}", launch.body);
    assert!(launch.body.contains("not signed in"));
    assert_eq!(other.emulator.stats().requests, 0);
    assert_eq!(h.emulator.stats().requests, 0);
}

#[tokio::test]
async fn replicas_sharing_a_cookie_key_accept_each_others_sessions() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let key = scratch("cookie-key").join("cookie-key");
    std::fs::write(&key, [42u8; 32]).expect("key");
    let extra = format!("cookie_key_file = \"{}\"\n", key.display());
    let one = gateway(&provider, &extra).await;
    let two = gateway(&provider, &extra).await;
    let visitor = Visitor::default();
    assert_eq!(
        visitor.sign_in(&one.url).await.status,
        StatusCode::SEE_OTHER
    );
    let page = visitor.get(&format!("{}/", two.url)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(">alice<"));
}

#[tokio::test]
async fn groups_gate_the_launch_and_a_long_list_still_fits_the_cookie() {
    let mut shape = Shape::plain();
    // Entra ID sends up to 200 group ids; with the names of the groups that
    // matter, far more than a cookie holds.
    let mut groups: Vec<String> = (0..300)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    groups.push("rescue-techs".to_owned());
    shape.claims = json!({"preferred_username": "alice", "groups": groups});
    let provider = StandIn::start(shape, Signer::es256("k1")).await;
    let h = gateway(
        &provider,
        "[technicians]\nallowed_groups = [\"rescue-techs\"]\n",
    )
    .await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(
        visitor
            .cookie("__Host-rescue-sso-session")
            .expect("session")
            .len()
            < 1024
    );
    assert_eq!(
        visitor.launch(&h.url, "dtc").await.status,
        StatusCode::SEE_OTHER
    );

    // Someone in none of the groups signs in, and may not launch.
    provider.tamper(|c| c["groups"] = json!(["staff"]));
    let visitor = Visitor::default();
    assert_eq!(visitor.sign_in(&h.url).await.status, StatusCode::SEE_OTHER);
    let launch = visitor.launch(&h.url, "dtc").await;
    assert_eq!(launch.status, StatusCode::FORBIDDEN, "{}", launch.body);
    assert_eq!(h.emulator.stats().tickets_issued, 1);
}

/// A P-256 client key as a PKCS#8 PEM, and its public point.
fn client_key() -> (String, Vec<u8>) {
    use ring::signature::{self, EcdsaKeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .expect("key");
    let pair = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .expect("pair");
    let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    (
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        ),
        pair.public_key().as_ref().to_vec(),
    )
}

#[tokio::test]
async fn private_key_jwt_proves_the_client_without_a_shared_secret() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    let (pem, public) = client_key();
    provider.set_client(ClientCheck::Assertion(public));
    let emulator = common::emulator().await;
    let dir = scratch("oidc-pkjwt");
    std::fs::write(dir.join("client-key.pem"), pem).expect("key");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{}[identity]\nmode = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_key_file = \"client-key.pem\"\nclient_key_id = \"gw-1\"\nalgorithm = \"ES256\"\n",
        common::rescue_section(&emulator, &dir, "10s"),
        provider.issuer()
    );
    let config = Config::from_toml(&toml, &dir).expect("config");
    assert!(!format!("{config:?}").contains("PRIVATE"));
    let h = Harness::serve(emulator, config, dir).await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let assertion = provider.last_assertion().expect("an assertion");
    assert_eq!(assertion["aud"], format!("{}/token", provider.base));

    // A key the provider does not know is refused as the client's fault.
    let (_, stranger) = client_key();
    provider.set_client(ClientCheck::Assertion(stranger));
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert!(
        answer.body.contains("does not accept this gateway"),
        "{}",
        answer.body
    );
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn a_wrong_client_secret_is_the_gateways_fault_not_the_users() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    provider.set_client(ClientCheck::Secret("another".to_owned()));
    let h = gateway(&provider, "").await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
    assert!(!answer.body.contains(CLIENT_SECRET));
    assert!(!h.audit.text().contains(CLIENT_SECRET));
}

/// A token endpoint that answers past the size cap answered nonsense (502),
/// it is not unreachable (503); Rescue is never asked.
#[tokio::test]
async fn an_oversized_token_answer_is_502() {
    let provider = StandIn::start(Shape::plain(), Signer::es256("k1")).await;
    provider.tamper(|claims| claims["padding"] = Value::String("x".repeat(80 * 1024)));
    let h = gateway(&provider, "").await;
    let answer = Visitor::default().sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
    assert_eq!(h.emulator.stats().requests, 0);
}

/// The `[identity]` and `[technicians]` sections of the docs/gateway.md
/// example whose issuer starts with `issuer_prefix`, pointed at `provider`.
fn documented(issuer_prefix: &str, provider: &StandIn) -> String {
    let doc = include_str!("../../../docs/gateway.md");
    let block = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains(&format!("issuer = \"{issuer_prefix}")))
        .unwrap_or_else(|| panic!("docs/gateway.md has an example for {issuer_prefix}"));
    let mut keep = false;
    let mut out = String::new();
    for line in block.lines() {
        if line.starts_with('[') {
            keep = line == "[identity]" || line == "[technicians]";
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    let host = issuer_prefix
        .split('/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    out.replace(&host, &provider.base)
        .replace("/etc/rescue-sso/", "")
}

async fn documented_gateway(issuer_prefix: &str, provider: &StandIn, client_id: &str) -> Harness {
    let emulator = common::emulator().await;
    let dir = scratch("oidc-doc");
    std::fs::write(dir.join("client-secret"), format!("{CLIENT_SECRET}\n")).expect("secret");
    std::fs::write(dir.join("cookie-key"), [9u8; 32]).expect("key");
    let identity = documented(issuer_prefix, provider).replace(client_id, CLIENT_ID);
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{}{identity}",
        common::rescue_section(&emulator, &dir, "10s"),
    );
    let config = Config::from_toml(&toml, &dir).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    Harness::serve(emulator, config, dir).await
}

#[tokio::test]
async fn the_keycloak_example_signs_in_against_a_keycloak_shaped_provider() {
    let shape = Shape {
        path: "/realms/intranet".to_owned(),
        published_issuer: None,
        token_issuer: None,
        // Keycloak: azp is the client, groups by a Group Membership mapper
        // without full paths, typ ID, a session id.
        claims: json!({"azp": CLIENT_ID, "typ": "ID", "sid": "5e1c5a2f", "session_state": "5e1c5a2f",
            "preferred_username": "alice", "email": "alice@corp.example", "email_verified": true,
            "groups": ["rescue-technicians", "staff"], "acr": "1", "at_hash": "x"}),
        iss_parameter: true,
    };
    let provider = StandIn::start(shape, Signer::rs256("kc-rsa")).await;
    let h = documented_gateway(
        "https://keycloak.corp.example/realms/intranet",
        &provider,
        "rescue-sso",
    )
    .await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        visitor.launch(&h.url, "dtc").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.audit.lines()[1]["sso_id"], "alice");
}

const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

fn entra_shape() -> Shape {
    Shape {
        path: "/organizations/v2.0".to_owned(),
        // The multi-tenant document publishes a template.
        published_issuer: Some("{base}/{tenantid}/v2.0".to_owned()),
        token_issuer: Some(format!("{{base}}/{TENANT}/v2.0")),
        claims: json!({"ver": "2.0", "tid": TENANT, "oid": "00000000-0000-0000-66f3-3332eca7ea81",
            "preferred_username": "alice@corp.example", "name": "Alice",
            "groups": ["7d5a0c43-9a0e-4b5e-9b5a-2f6c1f2d3e4f"], "uti": "x", "rh": "y"}),
        // Entra does not send `iss` on the callback.
        iss_parameter: false,
    }
}

#[tokio::test]
async fn the_entra_example_signs_in_against_an_entra_shaped_provider() {
    let provider = StandIn::start(entra_shape(), Signer::rs256("entra-rsa")).await;
    let h = documented_gateway(
        "https://login.microsoftonline.com/organizations/v2.0",
        &provider,
        "6731de76-14a6-49ae-97bc-6eba6914391e",
    )
    .await;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        visitor.launch(&h.url, "dtc").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.audit.lines()[1]["sso_id"], "alice", "the domain stripped");

    // A token from another tenant, signed by the same (common) keys.
    provider.tamper(|c| {
        c["tid"] = json!("72f988bf-86f1-41af-91ab-2d7cd011db47");
    });
    let before = h.emulator.stats().requests;
    let visitor = Visitor::default();
    let answer = visitor.sign_in(&h.url).await;
    refused_after(
        &h,
        &visitor,
        &answer,
        StatusCode::UNAUTHORIZED,
        "oidc_tenant",
        before,
    )
    .await;
}

#[tokio::test]
async fn the_okta_example_signs_in_against_an_okta_shaped_provider() {
    let shape = Shape {
        path: "/oauth2/default".to_owned(),
        published_issuer: None,
        token_issuer: None,
        claims: json!({"ver": 1, "jti": "ID.x", "amr": ["pwd"], "idp": "00o1", "auth_time": now(),
            "preferred_username": "alice@corp.example", "name": "Alice",
            "groups": ["Everyone", "Rescue Technicians"]}),
        iss_parameter: false,
    };
    let provider = StandIn::start(shape, Signer::rs256("okta-rsa")).await;
    let h = documented_gateway(
        "https://corp.okta.com/oauth2/default",
        &provider,
        "0oa1b2c3d4e5f6g7h8i9",
    )
    .await;
    let visitor = Visitor::default();
    let start = visitor.get(&format!("{}/", h.url)).await;
    assert!(
        query(start.header("location"))["scope"].contains("groups"),
        "Okta needs the groups scope"
    );
    let answer = visitor.sign_in(&h.url).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        visitor.launch(&h.url, "dtc").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_discovery_document_for_another_issuer_is_refused() {
    let mut shape = Shape::plain();
    shape.published_issuer = Some("https://evil.example".to_owned());
    let provider = StandIn::start(shape, Signer::es256("k1")).await;
    let h = gateway_with(&provider, "", Duration::ZERO).await;
    let visitor = Visitor::default();
    let ready = visitor.get(&format!("{}/readyz", h.url)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let page = visitor.get(&format!("{}/", h.url)).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        provider.jwks_hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "its keys are never loaded"
    );
}
