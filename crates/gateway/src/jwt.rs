//! Verifying a JWT that an identity-aware proxy signed (Pomerium, Cloudflare
//! Access, Google IAP), on `ring`.
//!
//! Strict by construction: the algorithm is pinned by the configuration and
//! the token's `alg` must name it exactly (so `none`, and `HS256` signed with
//! a public key, fail before any key is looked at); the key is the one whose
//! `kid` the token names, never another (a token without `kid` is accepted
//! only when exactly one key fits); the `crit` header is refused; `exp`,
//! `iss` and `aud` are required and checked, `nbf` checked when present,
//! each a number or a string of the right type, or the token is malformed.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};

/// The longest token accepted, in bytes.
pub(crate) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The one signing algorithm a configuration accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256 (Pomerium, Google IAP).
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 to 8192 bits
    /// (Cloudflare Access).
    Rs256,
    /// Ed25519.
    EdDsa,
}

impl Algorithm {
    /// The name as JWS writes it.
    pub fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "ES256" => Some(Algorithm::Es256),
            "RS256" => Some(Algorithm::Rs256),
            "EdDSA" => Some(Algorithm::EdDsa),
            _ => None,
        }
    }

    /// `ES256`, `RS256` or `EdDSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Rs256 => "RS256",
            Algorithm::EdDsa => "EdDSA",
        }
    }
}

/// Why a token was refused. Never carries the token or a claim's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// Not three base64url parts of JSON, too long, or a claim of the wrong
    /// type.
    Malformed,
    /// The header names another algorithm than the one configured (`none`
    /// and `HS256` included), or a critical extension.
    Algorithm,
    /// No key with the token's `kid` (or, without one, not exactly one key).
    UnknownKey,
    /// The signature does not verify.
    Signature,
    /// `exp` has passed (with the leeway), or is missing.
    Expired,
    /// `nbf` is still ahead (with the leeway).
    NotYetValid,
    /// `iss` is not the configured issuer.
    Issuer,
    /// `aud` does not hold the configured audience.
    Audience,
    /// The user claim is missing, empty or not a string.
    NoUser,
    /// An ID token's `nonce` is not the one the login sent.
    Nonce,
    /// An ID token's `azp` names another client, or is missing where the
    /// token has several audiences.
    AuthorizedParty,
}

impl JwtError {
    /// A short, stable name for metrics and audit lines.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JwtError::Malformed => "jwt_malformed",
            JwtError::Algorithm => "jwt_algorithm",
            JwtError::UnknownKey => "jwt_unknown_key",
            JwtError::Signature => "jwt_signature",
            JwtError::Expired => "jwt_expired",
            JwtError::NotYetValid => "jwt_not_yet_valid",
            JwtError::Issuer => "jwt_issuer",
            JwtError::Audience => "jwt_audience",
            JwtError::NoUser => "jwt_no_user",
            JwtError::Nonce => "jwt_nonce",
            JwtError::AuthorizedParty => "jwt_azp",
        }
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JwtError::Malformed => "the token is malformed",
            JwtError::Algorithm => "the token is not signed with the configured algorithm",
            JwtError::UnknownKey => "the token names no known key",
            JwtError::Signature => "the token's signature does not verify",
            JwtError::Expired => "the token has expired",
            JwtError::NotYetValid => "the token is not valid yet",
            JwtError::Issuer => "the token is from another issuer",
            JwtError::Audience => "the token is for another audience",
            JwtError::NoUser => "the token names no user",
            JwtError::Nonce => "the token answers another login",
            JwtError::AuthorizedParty => "the token was issued to another client",
        })
    }
}

impl std::error::Error for JwtError {}

/// One verification key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The uncompressed point, `0x04 || x || y`.
    P256(Vec<u8>),
    Ed25519(Vec<u8>),
}

impl Material {
    fn algorithm(&self) -> Algorithm {
        match self {
            Material::Rsa { .. } => Algorithm::Rs256,
            Material::P256(_) => Algorithm::Es256,
            Material::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    fn verify(&self, message: &[u8], signature_bytes: &[u8]) -> bool {
        match self {
            Material::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    message,
                    signature_bytes,
                )
                .is_ok(),
            Material::P256(point) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, signature_bytes)
                    .is_ok()
            }
            Material::Ed25519(x) => UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(message, signature_bytes)
                .is_ok(),
        }
    }
}

/// The keys of a JWKS usable for one algorithm.
#[derive(Clone)]
pub(crate) struct KeySet {
    algorithm: Algorithm,
    keys: Vec<Key>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self
            .keys
            .iter()
            .map(|k| k.kid.as_deref().unwrap_or("(no kid)"))
            .collect();
        f.debug_struct("KeySet")
            .field("algorithm", &self.algorithm)
            .field("kids", &kids)
            .finish()
    }
}

/// Why a JWKS could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwksError {
    #[error("the key set is not a JSON object with a \"keys\" list")]
    NotAKeySet,
    #[error("the key set has no key for {0}")]
    NoUsableKey(&'static str),
}

impl KeySet {
    /// Parses a JWKS (RFC 7517), keeping the keys usable for `algorithm`:
    /// its key type and curve, not marked for encryption (`use`), with
    /// `verify` among its `key_ops` if it lists them, and without an `alg`
    /// that names another algorithm. Other keys are skipped, not
    /// refused: a JWKS may hold keys for others.
    pub(crate) fn parse(json: &[u8], algorithm: Algorithm) -> Result<KeySet, JwksError> {
        let value: Value = serde_json::from_slice(json).map_err(|_| JwksError::NotAKeySet)?;
        let list = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(JwksError::NotAKeySet)?;
        let keys: Vec<Key> = list
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|jwk| key(jwk, algorithm))
            .collect();
        if keys.is_empty() {
            return Err(JwksError::NoUsableKey(algorithm.as_str()));
        }
        Ok(KeySet { algorithm, keys })
    }

    /// Whether a key with this `kid` is in the set.
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// How many keys the set holds.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

fn key(jwk: &Map<String, Value>, algorithm: Algorithm) -> Option<Key> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let bytes = |name: &str| text(name).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    if text("use").is_some_and(|u| u != "sig") {
        return None;
    }
    // RFC 7517 §4.3: when listed, the operations must include `verify`.
    if let Some(ops) = jwk.get("key_ops")
        && !ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"))
    {
        return None;
    }
    if text("alg").is_some_and(|a| a != algorithm.as_str()) {
        return None;
    }
    let material = match (text("kty")?, text("crv")) {
        ("RSA", _) => {
            let n = bytes("n")?;
            let e = bytes("e")?;
            // Some publishers pad the modulus with a zero byte; ring wants
            // the minimal encoding.
            let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
            Material::Rsa {
                n: n.get(first..).unwrap_or_default().to_vec(),
                e,
            }
        }
        ("EC", Some("P-256")) => {
            let (x, y) = (bytes("x")?, bytes("y")?);
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Material::P256(point)
        }
        ("OKP", Some("Ed25519")) => {
            let x = bytes("x")?;
            if x.len() != 32 {
                return None;
            }
            Material::Ed25519(x)
        }
        _ => return None,
    };
    if material.algorithm() != algorithm {
        return None;
    }
    Some(Key {
        kid: text("kid").map(str::to_owned),
        material,
    })
}

/// Who a verified token says the user is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claims {
    pub(crate) user: String,
    pub(crate) groups: Vec<String>,
}

/// What a token must say to be accepted.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) algorithm: Algorithm,
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) user_claim: String,
    pub(crate) groups_claim: Option<String>,
    pub(crate) leeway: Duration,
}

/// A token whose form, algorithm and claims satisfy the rules, its
/// signature not checked yet: what decides whether a `kid` the keys do not
/// hold is worth fetching them again for. Only [`Inspected::verify`] makes
/// it a verified token.
pub(crate) struct Inspected<'a> {
    algorithm: Algorithm,
    kid: Option<String>,
    signed: &'a str,
    signature: Vec<u8>,
    claims: Claims,
    all: Map<String, Value>,
}

/// Without the token: it is a bearer credential until it expires.
impl fmt::Debug for Inspected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspected")
            .field("kid", &self.kid)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl Inspected<'_> {
    /// The key id its header names.
    pub(crate) fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Checks the signature with the key its `kid` names (or, without one,
    /// the only key there is): the verified claims, and every claim the
    /// token holds, for checks beyond the rules (an ID token's `nonce`).
    pub(crate) fn verify(self, keys: &KeySet) -> Result<(Claims, Map<String, Value>), JwtError> {
        if keys.algorithm != self.algorithm {
            return Err(JwtError::UnknownKey);
        }
        let key = match &self.kid {
            Some(kid) => keys
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid.as_str()))
                .ok_or(JwtError::UnknownKey)?,
            None => match keys.keys.as_slice() {
                [only] => only,
                _ => return Err(JwtError::UnknownKey),
            },
        };
        if !key.material.verify(self.signed.as_bytes(), &self.signature) {
            return Err(JwtError::Signature);
        }
        Ok((self.claims, self.all))
    }
}

fn decode_part(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part).ok()
}

impl Rules {
    /// Verifies `token` against `keys` at time `now` (the gateway itself
    /// inspects first, to decide on fetching keys, then verifies).
    #[cfg(test)]
    pub(crate) fn verify(
        &self,
        token: &str,
        keys: &KeySet,
        now: SystemTime,
    ) -> Result<Claims, JwtError> {
        self.verify_all(token, keys, now).map(|(claims, _)| claims)
    }

    /// As [`Rules::verify`], and every claim the token holds, for checks
    /// beyond these rules (an ID token's `nonce` and `azp`).
    #[cfg(test)]
    pub(crate) fn verify_all(
        &self,
        token: &str,
        keys: &KeySet,
        now: SystemTime,
    ) -> Result<(Claims, Map<String, Value>), JwtError> {
        self.inspect(token, now)?.verify(keys)
    }

    /// Everything but the signature: the token's form, its header (`alg`
    /// exactly the pinned one, no `crit`, `kid` a string if present) and its
    /// claims. Cheap, and needs no key: a token that fails here is refused
    /// without looking at the keys, let alone fetching them.
    pub(crate) fn inspect<'a>(
        &self,
        token: &'a str,
        now: SystemTime,
    ) -> Result<Inspected<'a>, JwtError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwtError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header = decode_part(header_b64).ok_or(JwtError::Malformed)?;
        let header: Map<String, Value> =
            serde_json::from_slice(&header).map_err(|_| JwtError::Malformed)?;
        match header.get("alg").and_then(Value::as_str) {
            Some(alg) if alg == self.algorithm.as_str() => {}
            Some(_) => return Err(JwtError::Algorithm),
            None => return Err(JwtError::Malformed),
        }
        if header.contains_key("crit") {
            return Err(JwtError::Algorithm);
        }
        let kid = match header.get("kid") {
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(JwtError::Malformed),
            None => None,
        };
        let signature = decode_part(signature_b64).ok_or(JwtError::Malformed)?;
        let signed = token
            .get(..header_b64.len() + 1 + payload_b64.len())
            .ok_or(JwtError::Malformed)?;
        let payload = decode_part(payload_b64).ok_or(JwtError::Malformed)?;
        let all: Map<String, Value> =
            serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed)?;
        let claims = self.check(&all, now)?;
        Ok(Inspected {
            algorithm: self.algorithm,
            kid,
            signed,
            signature,
            claims,
            all,
        })
    }

    fn check(&self, claims: &Map<String, Value>, now: SystemTime) -> Result<Claims, JwtError> {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| JwtError::Expired)?
            .as_secs_f64();
        let leeway = self.leeway.as_secs_f64();
        let number = |name: &str| match claims.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_f64().map(Some).ok_or(JwtError::Malformed),
            Some(_) => Err(JwtError::Malformed),
        };
        let exp = number("exp")?.ok_or(JwtError::Expired)?;
        if now >= exp + leeway {
            return Err(JwtError::Expired);
        }
        if let Some(nbf) = number("nbf")?
            && now + leeway < nbf
        {
            return Err(JwtError::NotYetValid);
        }
        match claims.get("iss") {
            Some(Value::String(iss)) if *iss == self.issuer => {}
            Some(Value::String(_)) | None => return Err(JwtError::Issuer),
            Some(_) => return Err(JwtError::Malformed),
        }
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => *aud == self.audience,
            Some(Value::Array(list)) => {
                if list.iter().any(|a| !a.is_string()) {
                    return Err(JwtError::Malformed);
                }
                list.iter()
                    .any(|a| a.as_str() == Some(self.audience.as_str()))
            }
            None => false,
            Some(_) => return Err(JwtError::Malformed),
        };
        if !audience_ok {
            return Err(JwtError::Audience);
        }
        let user = match claims.get(&self.user_claim) {
            Some(Value::String(user)) if !user.is_empty() => user.clone(),
            _ => return Err(JwtError::NoUser),
        };
        let groups = match self.groups_claim.as_ref().and_then(|name| claims.get(name)) {
            None => Vec::new(),
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .map(|g| g.as_str().map(str::to_owned).ok_or(JwtError::Malformed))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(JwtError::Malformed),
        };
        Ok(Claims { user, groups })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};
    use serde_json::json;

    use super::*;

    /// A test signer: an ES256 key pair and its JWK.
    pub(crate) struct Signer {
        pair: EcdsaKeyPair,
        pub(crate) kid: String,
    }

    impl Signer {
        pub(crate) fn new(kid: &str) -> Signer {
            let rng = SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .expect("key");
            let pair = EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                pkcs8.as_ref(),
                &rng,
            )
            .expect("pair");
            Signer {
                pair,
                kid: kid.to_owned(),
            }
        }

        pub(crate) fn jwk(&self) -> Value {
            let point = self.pair.public_key().as_ref();
            json!({
                "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
                "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            })
        }

        pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let sig = self
                .pair
                .sign(&SystemRandom::new(), signing_input.as_bytes())
                .expect("sign");
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
        }

        pub(crate) fn token(&self, claims: &Value) -> String {
            self.sign(
                &json!({"alg": "ES256", "kid": self.kid, "typ": "JWT"}),
                claims,
            )
        }
    }

    pub(crate) fn set(jwks: &[Value]) -> Vec<u8> {
        json!({ "keys": jwks }).to_string().into_bytes()
    }

    fn rules() -> Rules {
        Rules {
            algorithm: Algorithm::Es256,
            issuer: "https://proxy.example".to_owned(),
            audience: "rescue-gateway".to_owned(),
            user_claim: "email".to_owned(),
            groups_claim: Some("groups".to_owned()),
            leeway: Duration::from_secs(30),
        }
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn claims() -> Value {
        json!({
            "iss": "https://proxy.example", "aud": ["rescue-gateway"], "email": "alice@corp.example",
            "groups": ["techs", "staff"], "exp": 1_800_000_300, "nbf": 1_799_999_990, "iat": 1_799_999_990,
        })
    }

    #[test]
    fn a_good_token_verifies() {
        let signer = Signer::new("k1");
        let keys = KeySet::parse(&set(&[signer.jwk()]), Algorithm::Es256).expect("keys");
        let got = rules()
            .verify(&signer.token(&claims()), &keys, now())
            .expect("valid");
        assert_eq!(got.user, "alice@corp.example");
        assert_eq!(got.groups, ["techs", "staff"]);
    }

    #[test]
    fn forged_tokens_are_refused_each_for_its_reason() {
        let signer = Signer::new("k1");
        let other = Signer::new("k1");
        let keys = KeySet::parse(&set(&[signer.jwk()]), Algorithm::Es256).expect("keys");
        let r = rules();
        let mut expired = claims();
        expired["exp"] = json!(1_799_999_900);
        let mut early = claims();
        early["nbf"] = json!(1_800_000_100);
        let mut wrong_iss = claims();
        wrong_iss["iss"] = json!("https://evil.example");
        let mut wrong_aud = claims();
        wrong_aud["aud"] = json!("someone-else");
        let mut no_exp = claims();
        no_exp.as_object_mut().expect("object").remove("exp");
        let mut string_exp = claims();
        string_exp["exp"] = json!("1800000300");
        let mut no_user = claims();
        no_user["email"] = json!("");
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": "k1"})),
            b64(&claims())
        );
        // HS256 "signed" with the public key's bytes as the HMAC secret.
        let hs256 = {
            let input = format!(
                "{}.{}",
                b64(&json!({"alg": "HS256", "kid": "k1"})),
                b64(&claims())
            );
            let jwk = signer.jwk().to_string();
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, jwk.as_bytes());
            let tag = ring::hmac::sign(&key, input.as_bytes());
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
        };
        // One bit of the signature flipped (rewriting its last characters
        // left it unchanged one time in 256: ECDSA signatures are random).
        let tampered = {
            let token = signer.token(&claims());
            let (signed, signature) = token.rsplit_once('.').expect("three parts");
            let mut signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
            signature[10] ^= 1;
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&signature))
        };
        let unknown_kid = signer.sign(&json!({"alg": "ES256", "kid": "k2"}), &claims());
        let cases = [
            (other.token(&claims()), JwtError::Signature),
            (tampered, JwtError::Signature),
            (signer.token(&expired), JwtError::Expired),
            (signer.token(&no_exp), JwtError::Expired),
            (signer.token(&early), JwtError::NotYetValid),
            (signer.token(&wrong_iss), JwtError::Issuer),
            (signer.token(&wrong_aud), JwtError::Audience),
            (signer.token(&string_exp), JwtError::Malformed),
            (signer.token(&no_user), JwtError::NoUser),
            (none, JwtError::Algorithm),
            (hs256, JwtError::Algorithm),
            (unknown_kid, JwtError::UnknownKey),
            (
                signer.sign(
                    &json!({"alg": "ES256", "kid": "k1", "crit": ["exp"]}),
                    &claims(),
                ),
                JwtError::Algorithm,
            ),
            ("a.b".to_owned(), JwtError::Malformed),
            ("a.b.c.d".to_owned(), JwtError::Malformed),
            ("!!.!!.!!".to_owned(), JwtError::Malformed),
            ("x".repeat(MAX_TOKEN_BYTES + 1), JwtError::Malformed),
        ];
        for (token, want) in cases {
            assert_eq!(r.verify(&token, &keys, now()), Err(want), "{want:?}");
        }
    }

    #[test]
    fn the_leeway_applies_both_ways() {
        let signer = Signer::new("k1");
        let keys = KeySet::parse(&set(&[signer.jwk()]), Algorithm::Es256).expect("keys");
        let mut c = claims();
        c["exp"] = json!(1_799_999_980);
        assert!(
            rules().verify(&signer.token(&c), &keys, now()).is_ok(),
            "within 30 s"
        );
        c["exp"] = json!(1_799_999_970);
        assert_eq!(
            rules().verify(&signer.token(&c), &keys, now()),
            Err(JwtError::Expired)
        );
    }

    #[test]
    fn an_unknown_kid_never_falls_back_and_no_kid_needs_one_key() {
        let a = Signer::new("a");
        let b = Signer::new("b");
        let both = KeySet::parse(&set(&[a.jwk(), b.jwk()]), Algorithm::Es256).expect("keys");
        let no_kid = a.sign(&json!({"alg": "ES256"}), &claims());
        assert_eq!(
            rules().verify(&no_kid, &both, now()),
            Err(JwtError::UnknownKey)
        );
        let one = KeySet::parse(&set(&[a.jwk()]), Algorithm::Es256).expect("keys");
        assert!(rules().verify(&no_kid, &one, now()).is_ok());
        assert!(rules().verify(&b.token(&claims()), &both, now()).is_ok());
        assert_eq!(
            rules()
                .inspect(&b.token(&claims()), now())
                .expect("inspected")
                .kid(),
            Some("b")
        );
    }

    /// docs/gateway.md: a key id published twice uses the first key under it.
    #[test]
    fn a_kid_published_twice_names_its_first_key() {
        let (first, second) = (Signer::new("k"), Signer::new("k"));
        let keys =
            KeySet::parse(&set(&[first.jwk(), second.jwk()]), Algorithm::Es256).expect("keys");
        assert!(
            rules()
                .verify(&first.token(&claims()), &keys, now())
                .is_ok()
        );
        assert_eq!(
            rules().verify(&second.token(&claims()), &keys, now()),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn key_sets_keep_only_keys_for_the_algorithm() {
        let es = Signer::new("es");
        let rsa = json!({"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"});
        let enc = {
            let mut k = Signer::new("enc").jwk();
            k["use"] = json!("enc");
            k
        };
        // RFC 7517 §4.3: `key_ops`, when present, must allow `verify`.
        let ops = |kid: &str, ops: Value| {
            let mut k = Signer::new(kid).jwk();
            k["key_ops"] = ops;
            k
        };
        let keys = KeySet::parse(
            &set(&[
                es.jwk(),
                rsa,
                enc,
                ops("wrap", json!(["encrypt", "wrapKey"])),
                ops("none", json!([])),
                ops("odd", json!("verify")),
                ops("both", json!(["sign", "verify"])),
            ]),
            Algorithm::Es256,
        )
        .expect("keys");
        assert_eq!(keys.len(), 2);
        assert!(keys.has_kid("es"));
        assert!(keys.has_kid("both"));
        assert_eq!(
            KeySet::parse(&set(&[es.jwk()]), Algorithm::Rs256).unwrap_err(),
            JwksError::NoUsableKey("RS256")
        );
        assert_eq!(
            KeySet::parse(b"[]", Algorithm::Es256).unwrap_err(),
            JwksError::NotAKeySet
        );
    }

    #[test]
    fn rs256_tokens_verify_and_a_padded_modulus_is_read() {
        use rustls_pki_types::PrivateKeyDer;
        use rustls_pki_types::pem::PemObject;
        let pem = include_str!("../tests/fixtures/rs256-test-key.pem");
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).expect("pem");
        let pair = signature::RsaKeyPair::from_pkcs8(der.secret_der()).expect("rsa key");
        let components: RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
        let (n, e) = (components.n, components.e);
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": "r"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims().to_string())
        );
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .expect("sign");
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
        let mut r = rules();
        r.algorithm = Algorithm::Rs256;
        // Some publishers pad the modulus with a zero byte.
        let mut padded = vec![0u8];
        padded.extend_from_slice(&n);
        let n_again = n.clone();
        for modulus in [n, padded] {
            let jwk = json!({"kty": "RSA", "kid": "r", "alg": "RS256",
                "n": URL_SAFE_NO_PAD.encode(&modulus), "e": URL_SAFE_NO_PAD.encode(&e)});
            let keys = KeySet::parse(&set(&[jwk]), Algorithm::Rs256).expect("keys");
            assert!(r.verify(&token, &keys, now()).is_ok());
        }
        let mut forged = token.clone();
        forged.replace_range(forged.len() - 4.., "AAAA");
        let jwk = json!({"kty": "RSA", "kid": "r", "n": URL_SAFE_NO_PAD.encode(&n_again),
            "e": URL_SAFE_NO_PAD.encode(&e)});
        let keys = KeySet::parse(&set(&[jwk]), Algorithm::Rs256).expect("keys");
        assert_eq!(r.verify(&forged, &keys, now()), Err(JwtError::Signature));
    }

    #[test]
    fn ed25519_tokens_verify() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed",
            "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())});
        let keys = KeySet::parse(&set(&[jwk]), Algorithm::EdDsa).expect("keys");
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "kid": "ed"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims().to_string())
        );
        let token = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(pair.sign(input.as_bytes()).as_ref())
        );
        let mut r = rules();
        r.algorithm = Algorithm::EdDsa;
        assert!(r.verify(&token, &keys, now()).is_ok());
    }
}
