//! Who is asking: one module per mode, behind one trait.
//!
//! An identity is never taken from an unauthenticated source. A header
//! names the user only when the TCP peer is a configured trusted proxy;
//! a signed assertion names them only once its signature and claims check
//! out. `X-Forwarded-For` is never read. Every refusal is a page, a metric
//! and an audit line, and never a call to Rescue.

mod demo;
mod header;
pub(crate) mod jwt;

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::header::AsHeaderName;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};

pub(crate) use demo::Demo;
pub(crate) use header::TrustedHeader;
pub(crate) use jwt::{JwtAssertion, KeyStore};

use crate::jwt::JwtError;

/// The peer a request came from, as the listener saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A TCP peer.
    Tcp(SocketAddr),
    /// A peer on a unix socket.
    Unix,
}

impl Peer {
    /// The peer of a request: our own listener's, or a TCP address that an
    /// embedding application recorded with axum's `ConnectInfo`.
    pub(crate) fn of(parts: &Parts) -> Option<Peer> {
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<Peer>>() {
            return Some(*peer);
        }
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| Peer::Tcp(*addr))
    }
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Tcp(addr) => write!(f, "{addr}"),
            Peer::Unix => f.write_str("unix"),
        }
    }
}

/// Who the user is, as the identity mode established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) groups: Vec<String>,
}

/// Why a request has no user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The listener recorded no peer address (an embedding application
    /// that did not set `ConnectInfo`): nobody can be trusted.
    NoPeer,
    /// A trusted proxy sent no identity header: it is misconfigured, or the
    /// path to the gateway bypasses its authentication.
    MissingHeader,
    /// A peer outside `trusted_proxies` reached the gateway, with or without
    /// the identity header: it went around the proxy.
    UntrustedPeer,
    /// The identity header was repeated, empty, too long or not text.
    BadHeader,
    /// No signed assertion in the request.
    MissingAssertion,
    /// The signed assertion was refused.
    Assertion(JwtError),
    /// The keys to check assertions with could not be had.
    NoKeys,
    /// `oidc`: no session cookie, or one that is expired or not ours.
    NoSession,
    /// `oidc`: a sign-in that did not complete.
    SignIn(crate::oidc::SignInFailure),
}

impl Refusal {
    /// The status the refusal is answered with.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Refusal::UntrustedPeer | Refusal::NoPeer => StatusCode::FORBIDDEN,
            Refusal::NoKeys => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::SignIn(failure) => failure.status(),
            Refusal::NoSession
            | Refusal::MissingHeader
            | Refusal::BadHeader
            | Refusal::MissingAssertion
            | Refusal::Assertion(_) => StatusCode::UNAUTHORIZED,
        }
    }

    /// A short, stable name for metrics and audit lines.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refusal::NoPeer => "no_peer",
            Refusal::MissingHeader => "missing_header",
            Refusal::UntrustedPeer => "untrusted_peer",
            Refusal::BadHeader => "bad_header",
            Refusal::MissingAssertion => "missing_jwt",
            Refusal::Assertion(err) => err.as_str(),
            Refusal::NoKeys => "no_keys",
            Refusal::NoSession => "no_session",
            Refusal::SignIn(failure) => failure.reason(),
        }
    }

    /// What the page tells the person.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Refusal::NoPeer | Refusal::UntrustedPeer => {
                "This gateway only accepts requests through your company's sign-in proxy. Open it at its usual address."
            }
            Refusal::MissingHeader | Refusal::BadHeader => {
                "The sign-in proxy did not say who you are. Sign in again; if this persists, tell your administrator."
            }
            Refusal::MissingAssertion | Refusal::Assertion(_) => {
                "Your sign-in could not be verified, or it has expired. Sign in again."
            }
            Refusal::NoKeys => {
                "The gateway cannot verify sign-ins right now. Try again in a minute; if this persists, tell your administrator."
            }
            Refusal::NoSession => {
                "You are not signed in, or your session has ended. Sign in again from the start page."
            }
            Refusal::SignIn(failure) => failure.message(),
        }
    }
}

/// A way of knowing who the user is.
pub(crate) trait Identify: Send + Sync {
    /// The user `parts` comes from, seen from `peer`.
    fn identify<'a>(
        &'a self,
        parts: &'a Parts,
        peer: Option<Peer>,
    ) -> impl Future<Output = Result<User, Refusal>> + Send + 'a;
}

/// The configured mode.
#[derive(Debug)]
pub(crate) enum Source {
    TrustedHeader(TrustedHeader),
    JwtAssertion(JwtAssertion),
    Oidc(Box<crate::oidc::OidcMode>),
    Demo(Demo),
}

impl Identify for Source {
    async fn identify(&self, parts: &Parts, peer: Option<Peer>) -> Result<User, Refusal> {
        match self {
            Source::TrustedHeader(mode) => mode.identify(parts, peer).await,
            Source::JwtAssertion(mode) => mode.identify(parts, peer).await,
            Source::Oidc(mode) => mode.identify(parts, peer).await,
            Source::Demo(mode) => mode.identify(parts, peer).await,
        }
    }
}

/// A header that came more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Repeated;

/// The value of `name`, which must come at most once: a browser or a proxy
/// sends it once, and judging by either of two copies (a proxy that
/// appends, a client's own next to the proxy's) would let the other through.
pub(crate) fn single_header(
    headers: &HeaderMap,
    name: impl AsHeaderName,
) -> Result<Option<&HeaderValue>, Repeated> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (first, None) => Ok(first),
        (_, Some(_)) => Err(Repeated),
    }
}

/// A user name as a proxy or a token gives it: text, not empty, no comma
/// (HTTP joins a repeated header with one, so `a, b` is two names), at most
/// 256 bytes, trimmed; one line that reads as it is stored: no control
/// characters, no Unicode line or paragraph separator (U+2028, U+2029: a
/// line break to many log readers), no bidirectional override or isolate
/// (U+202A to U+202E, U+2066 to U+2069: text shown in another order than
/// it is).
pub(crate) fn user_name(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    (!text.is_empty()
        && text.len() <= crate::technicians::MAX_USER_BYTES
        && !text.contains(',')
        && !text.chars().any(unsafe_char))
    .then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::user_name;

    #[test]
    fn a_user_name_is_one_line_that_reads_as_it_is_stored() {
        assert_eq!(
            user_name(b" alice@corp.example ").as_deref(),
            Some("alice@corp.example")
        );
        assert_eq!(
            user_name("Zoë Ødegård".as_bytes()).as_deref(),
            Some("Zoë Ødegård")
        );
        assert_eq!(
            user_name("a".repeat(256).as_bytes()).map(|n| n.len()),
            Some(256)
        );
        for bad in [
            "",
            " ",
            "a,b",
            "a\nb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{202e}b",
            "a\u{2066}b",
            "a\u{2069}b",
        ] {
            assert_eq!(user_name(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(user_name(&[b'a', 0xff]), None);
        assert_eq!(user_name("a".repeat(257).as_bytes()), None);
    }
}
