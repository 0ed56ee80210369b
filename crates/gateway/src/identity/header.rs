//! `trusted-header`: the user name from a header that a trusted proxy sets
//! (Authelia, oauth2-proxy, Traefik forwardAuth, Apache with Kerberos).

use axum::http::HeaderName;
use axum::http::request::Parts;

use super::{Identify, Peer, Refusal, Repeated, User, single_header, user_name};
use crate::config::TrustedProxies;

/// The header names the user only when the TCP peer is a trusted proxy.
#[derive(Debug)]
pub(crate) struct TrustedHeader {
    pub(crate) header: HeaderName,
    pub(crate) trusted: TrustedProxies,
    pub(crate) groups_header: Option<HeaderName>,
}

impl TrustedHeader {
    fn trusts(&self, peer: Peer) -> bool {
        match peer {
            Peer::Tcp(addr) => self.trusted.trusts_ip(addr.ip()),
            Peer::Unix => self.trusted.unix,
        }
    }
}

impl Identify for TrustedHeader {
    async fn identify(&self, parts: &Parts, peer: Option<Peer>) -> Result<User, Refusal> {
        let peer = peer.ok_or(Refusal::NoPeer)?;
        if !self.trusts(peer) {
            // With or without the header: a request that went around the
            // proxy. Logged by the caller, with the peer.
            return Err(Refusal::UntrustedPeer);
        }
        // Two proxies, or one that appends: which one is the user?
        let name = match single_header(&parts.headers, &self.header) {
            Ok(None) => return Err(Refusal::MissingHeader),
            Ok(Some(one)) => user_name(one.as_bytes()).ok_or(Refusal::BadHeader)?,
            Err(Repeated) => return Err(Refusal::BadHeader),
        };
        let groups = match &self.groups_header {
            None => Vec::new(),
            // One line from the proxy, as for the user: a client's own copy
            // next to the proxy's would put the client in its groups.
            Some(header) => match single_header(&parts.headers, header) {
                Ok(None) => Vec::new(),
                Ok(Some(one)) => std::str::from_utf8(one.as_bytes())
                    .map_err(|_| Refusal::BadHeader)?
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect(),
                Err(Repeated) => return Err(Refusal::BadHeader),
            },
        };
        Ok(User { name, groups })
    }
}
