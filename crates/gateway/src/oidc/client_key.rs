//! `private_key_jwt` (RFC 7523, OpenID Connect Core §9): the gateway proves
//! itself to the token endpoint with a short JWT signed by its own key,
//! so no shared secret exists at all.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::json;
use zeroize::Zeroize;

use crate::error::ConfigError;
use crate::jwt::Algorithm;

/// How long an assertion is good for: it is used at once.
const ASSERTION_LIFETIME_SECS: u64 = 60;

/// A PKCS#8 private key, and the algorithm it signs with.
pub(crate) struct ClientKey {
    pub(crate) pkcs8: Vec<u8>,
    pub(crate) algorithm: Algorithm,
}

impl Drop for ClientKey {
    fn drop(&mut self) {
        self.pkcs8.zeroize();
    }
}

impl ClientKey {
    /// Reads a PEM `PRIVATE KEY` (PKCS#8): RSA of 2048 bits or more,
    /// ECDSA P-256, or Ed25519.
    pub(crate) fn load(path: &Path) -> Result<ClientKey, ConfigError> {
        let key = "identity.client_key_file";
        let der = PrivateKeyDer::from_pem_file(path).map_err(|e| ConfigError::Invalid {
            key: key.to_owned(),
            reason: format!("{}: {e}", path.display()),
        })?;
        let PrivateKeyDer::Pkcs8(pkcs8) = der else {
            return Err(ConfigError::Invalid {
                key: key.to_owned(),
                reason: format!(
                    "{}: expected a PKCS#8 \"PRIVATE KEY\" (convert with: openssl pkcs8 -topk8 -nocrypt)",
                    path.display()
                ),
            });
        };
        let bytes = pkcs8.secret_pkcs8_der().to_vec();
        let algorithm = algorithm_of(&bytes).ok_or_else(|| ConfigError::Invalid {
            key: key.to_owned(),
            reason: format!(
                "{}: not an RSA (2048 bits or more), P-256 or Ed25519 key",
                path.display()
            ),
        })?;
        Ok(ClientKey {
            pkcs8: bytes,
            algorithm,
        })
    }
}

fn algorithm_of(pkcs8: &[u8]) -> Option<Algorithm> {
    if Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).is_ok() {
        return Some(Algorithm::EdDsa);
    }
    if EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8,
        &SystemRandom::new(),
    )
    .is_ok()
    {
        return Some(Algorithm::Es256);
    }
    RsaKeyPair::from_pkcs8(pkcs8)
        .is_ok()
        .then_some(Algorithm::Rs256)
}

/// The client assertion for one token request: `iss` and `sub` the client,
/// `aud` the token endpoint, a fresh `jti`, a minute to live.
pub(crate) fn assertion(
    pkcs8: &[u8],
    algorithm: Algorithm,
    key_id: Option<&str>,
    client_id: &str,
    token_endpoint: &str,
    now: SystemTime,
) -> Option<String> {
    let rng = SystemRandom::new();
    let mut jti = [0u8; 16];
    rng.fill(&mut jti).ok()?;
    let iat = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let mut header = json!({ "alg": algorithm.as_str(), "typ": "JWT" });
    if let Some(kid) = key_id {
        header["kid"] = json!(kid);
    }
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": token_endpoint,
        "jti": URL_SAFE_NO_PAD.encode(jti),
        "iat": iat,
        "exp": iat + ASSERTION_LIFETIME_SECS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let message = signing_input.as_bytes();
    let signature = match algorithm {
        Algorithm::EdDsa => Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .ok()?
            .sign(message)
            .as_ref()
            .to_vec(),
        Algorithm::Es256 => {
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
                .ok()?
                .sign(&rng, message)
                .ok()?
                .as_ref()
                .to_vec()
        }
        Algorithm::Rs256 => {
            let pair = RsaKeyPair::from_pkcs8(pkcs8).ok()?;
            let mut out = vec![0u8; pair.public().modulus_len()];
            pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                .ok()?;
            out
        }
    };
    Some(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::jwt::{KeySet, Rules};

    #[test]
    fn an_assertion_verifies_with_the_public_key_and_says_who_and_for_whom() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("key");
        assert_eq!(algorithm_of(pkcs8.as_ref()), Some(Algorithm::Es256));
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .expect("pair");
        use ring::signature::KeyPair as _;
        let point = pair.public_key().as_ref();
        let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "k1",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..])});
        let keys = KeySet::parse(
            json!({"keys": [jwk]}).to_string().as_bytes(),
            Algorithm::Es256,
        )
        .expect("keys");
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let token = assertion(
            pkcs8.as_ref(),
            Algorithm::Es256,
            Some("k1"),
            "gateway",
            "https://idp.example/token",
            now,
        )
        .expect("signed");
        let rules = Rules {
            algorithm: Algorithm::Es256,
            issuer: "gateway".to_owned(),
            audience: "https://idp.example/token".to_owned(),
            user_claim: "sub".to_owned(),
            groups_claim: None,
            leeway: Duration::ZERO,
        };
        let (claims, all) = rules.verify_all(&token, &keys, now).expect("valid");
        assert_eq!(claims.user, "gateway");
        assert_eq!(all["exp"], json!(1_800_000_060u64));
        assert!(all["jti"].as_str().is_some_and(|j| j.len() >= 22));
        let again = assertion(
            pkcs8.as_ref(),
            Algorithm::Es256,
            None,
            "gateway",
            "https://idp.example/token",
            now,
        )
        .expect("signed");
        assert_ne!(again, token, "each assertion has its own jti");
    }

    #[test]
    fn ed25519_keys_are_recognised() {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("key");
        assert_eq!(algorithm_of(pkcs8.as_ref()), Some(Algorithm::EdDsa));
        assert!(algorithm_of(b"not a key").is_none());
    }
}
