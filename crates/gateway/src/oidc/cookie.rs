//! Cookies the browser keeps for the gateway, sealed with AES-256-GCM so
//! that it can neither read nor change them: the login in progress (state,
//! nonce, PKCE verifier) and the session that follows.
//!
//! Each kind has its own key, derived with HKDF-SHA256 from the cookie key,
//! and the cookie's name is the associated data: a flow cookie cannot be
//! passed off as a session. Every sealed value carries its own expiry,
//! checked when opened, whatever `Max-Age` the browser was told.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The login in progress. `__Host-`: only ever set by this origin, over
/// HTTPS, for the whole site, so a sibling subdomain cannot plant one.
pub(crate) const FLOW: &str = "__Host-rescue-sso-flow";
/// The session after a login.
pub(crate) const SESSION: &str = "__Host-rescue-sso-session";

/// The most bytes of a cookie value opened: browsers keep about 4 KiB per
/// cookie, and anything longer was not made here.
const MAX_SEALED: usize = 4096;
const TAG_LEN: usize = 16;

/// Seals and opens the gateway's cookies.
pub(crate) struct Sealer {
    flow: LessSafeKey,
    session: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

struct KeyLen;

impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        AES_256_GCM.key_len()
    }
}

fn derive(secret: &[u8], purpose: &str) -> Option<LessSafeKey> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"rescue-sso-gateway cookies v1").extract(secret);
    let info = [purpose.as_bytes()];
    let okm = prk.expand(&info, KeyLen).ok()?;
    let mut bytes = [0u8; 32];
    okm.fill(&mut bytes).ok()?;
    let key = UnboundKey::new(&AES_256_GCM, &bytes).ok();
    zeroize::Zeroize::zeroize(&mut bytes);
    key.map(LessSafeKey::new)
}

/// What a sealed value holds besides its payload.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    /// Expiry, in seconds since the epoch.
    exp: u64,
    #[serde(rename = "v")]
    value: T,
}

impl Sealer {
    /// Keys derived from `secret` (at least 32 bytes).
    pub(crate) fn new(secret: &[u8]) -> Option<Sealer> {
        Some(Sealer {
            flow: derive(secret, FLOW)?,
            session: derive(secret, SESSION)?,
            rng: SystemRandom::new(),
        })
    }

    /// A sealer with a key of its own, made now: its cookies open only in
    /// this process.
    pub(crate) fn generate() -> Option<Sealer> {
        let mut secret = [0u8; 32];
        SystemRandom::new().fill(&mut secret).ok()?;
        let sealer = Sealer::new(&secret);
        zeroize::Zeroize::zeroize(&mut secret);
        sealer
    }

    fn key(&self, name: &str) -> &LessSafeKey {
        if name == SESSION {
            &self.session
        } else {
            &self.flow
        }
    }

    /// `value`, sealed under cookie `name`, valid for `lifetime` from `now`.
    pub(crate) fn seal<T: Serialize>(
        &self,
        name: &str,
        value: &T,
        now: SystemTime,
        lifetime: Duration,
    ) -> Option<String> {
        let exp = unix(now).checked_add(lifetime.as_secs())?;
        let mut data = serde_json::to_vec(&Envelope { exp, value }).ok()?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).ok()?;
        let sealed = self
            .key(name)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut data,
            )
            .ok();
        sealed?;
        let mut out = Vec::with_capacity(NONCE_LEN + data.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&data);
        zeroize::Zeroize::zeroize(&mut data);
        let text = URL_SAFE_NO_PAD.encode(&out);
        (text.len() <= MAX_SEALED).then_some(text)
    }

    /// The value sealed in `text` under cookie `name`, if it was sealed
    /// here, is intact and has not expired at `now`.
    pub(crate) fn open<T: DeserializeOwned>(
        &self,
        name: &str,
        text: &str,
        now: SystemTime,
    ) -> Option<T> {
        if text.len() > MAX_SEALED {
            return None;
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self
            .key(name)
            .open_in_place(nonce, Aad::from(name.as_bytes()), rest)
            .ok()?;
        let envelope: Envelope<T> = serde_json::from_slice(plain).ok()?;
        zeroize::Zeroize::zeroize(&mut bytes);
        (unix(now) < envelope.exp).then_some(envelope.value)
    }
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Every value the request's `Cookie` headers give `name`, in order.
pub(crate) fn values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// The `Set-Cookie` value that stores `value` for `max_age`.
pub(crate) fn set(name: &str, value: &str, max_age: Duration) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        max_age.as_secs()
    ))
    .ok()
}

/// The `Set-Cookie` value that removes cookie `name`.
pub(crate) fn clear(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    #[test]
    fn a_sealed_value_opens_until_it_expires() {
        let sealer = Sealer::new(&[7u8; 32]).expect("sealer");
        let text = sealer
            .seal(SESSION, &"alice", now(), Duration::from_secs(60))
            .expect("sealed");
        assert!(!text.contains("alice"));
        let open = |at| sealer.open::<String>(SESSION, &text, at);
        assert_eq!(open(now()).as_deref(), Some("alice"));
        assert_eq!(
            open(now() + Duration::from_secs(59)).as_deref(),
            Some("alice")
        );
        assert_eq!(open(now() + Duration::from_secs(60)), None);
    }

    #[test]
    fn a_value_opens_only_under_its_own_name_and_key() {
        let sealer = Sealer::new(&[7u8; 32]).expect("sealer");
        let flow = sealer
            .seal(FLOW, &"x", now(), Duration::from_secs(60))
            .expect("sealed");
        assert_eq!(sealer.open::<String>(SESSION, &flow, now()), None);
        let other = Sealer::new(&[8u8; 32]).expect("sealer");
        assert_eq!(other.open::<String>(FLOW, &flow, now()), None);
        assert_eq!(
            Sealer::generate()
                .expect("sealer")
                .open::<String>(FLOW, &flow, now()),
            None
        );
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let sealer = Sealer::new(&[7u8; 32]).expect("sealer");
        let text = sealer
            .seal(SESSION, &"alice", now(), Duration::from_secs(60))
            .expect("sealed");
        let bytes = URL_SAFE_NO_PAD.decode(&text).expect("base64");
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 1;
            let changed = URL_SAFE_NO_PAD.encode(&changed);
            assert_eq!(sealer.open::<String>(SESSION, &changed, now()), None, "{i}");
        }
        for junk in ["", "a", "!!!!", &"A".repeat(MAX_SEALED + 1)] {
            assert_eq!(sealer.open::<String>(SESSION, junk, now()), None);
        }
    }

    #[test]
    fn cookies_are_found_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-rescue-sso-session=s1"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("__Host-rescue-sso-session=s2;b=2"),
        );
        let found: Vec<&str> = values(&headers, SESSION).collect();
        assert_eq!(found, ["s1", "s2"]);
        let set = set(SESSION, "v", Duration::from_secs(600)).expect("value");
        assert_eq!(
            set.to_str().expect("text"),
            "__Host-rescue-sso-session=v; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600"
        );
    }
}
