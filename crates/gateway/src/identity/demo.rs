//! The demo's built-in user, accepted from loopback peers only.

use axum::http::request::Parts;

use super::{Identify, Peer, Refusal, User};

/// `rescue-sso gateway --demo`: every loopback peer is the demo user.
#[derive(Debug)]
pub(crate) struct Demo {
    pub(crate) user: String,
}

impl Identify for Demo {
    async fn identify(&self, _parts: &Parts, peer: Option<Peer>) -> Result<User, Refusal> {
        match peer {
            Some(Peer::Tcp(addr)) if addr.ip().is_loopback() => Ok(User {
                name: self.user.clone(),
                groups: Vec::new(),
            }),
            _ => Err(Refusal::UntrustedPeer),
        }
    }
}
