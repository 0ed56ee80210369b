//! Extractors that refuse by themselves, so no handler can forget to check:
//! who the user is, and whether a launch comes from the gateway's own page.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::app::App;
use crate::identity::{Identify, Peer, Refusal, User, single_header};
use crate::ops::audit::Line;
use crate::pages;

/// The request's id, given by the gateway's outermost layer.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId("-".to_owned())))
    }
}

/// The peer the request came from, if the listener recorded one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddr(pub(crate) Option<Peer>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(PeerAddr(Peer::of(parts)))
    }
}

pub(crate) fn peer_text(peer: Option<Peer>) -> String {
    peer.map_or_else(|| "-".to_owned(), |p| p.to_string())
}

/// The user the configured identity mode names; anything else is answered
/// with the refusal's page, counted, and written to the audit log.
#[derive(Debug, Clone)]
pub(crate) struct Identified(pub(crate) User);

impl FromRequestParts<Arc<App>> for Identified {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let peer = Peer::of(parts);
        match app.identity.identify(parts, peer).await {
            Ok(user) => Ok(Identified(user)),
            Err(refusal) => {
                let id = request_id(parts);
                if refusal == Refusal::NoSession
                    && let Some(to_provider) =
                        crate::oidc::no_session(app, &parts.method, &id, peer).await
                {
                    return Err(to_provider);
                }
                Err(refuse(app, refusal, &id, peer))
            }
        }
    }
}

fn request_id(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map_or_else(|| "-".to_owned(), |r| r.0.clone())
}

pub(crate) fn refuse(app: &App, refusal: Refusal, id: &str, peer: Option<Peer>) -> Response {
    let status = refusal.status();
    app.metrics.refusal(refusal.reason());
    tracing::warn!(peer = %peer_text(peer), reason = refusal.reason(), request_id = id, "identity refused");
    app.audit.write(&Line::refusal(
        id,
        peer_text(peer),
        refusal.reason(),
        status.as_u16(),
    ));
    let title = if status == StatusCode::FORBIDDEN {
        "Not allowed here"
    } else if status.is_server_error() {
        "Not available right now"
    } else {
        "Please sign in again"
    };
    pages::error(status, title, refusal.message(), id)
}

/// Where a request says it comes from, as browsers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// The gateway's own page.
    SameOrigin,
    /// Typed or bookmarked (`Sec-Fetch-Site: none`).
    User,
    /// No browser said anything: not a browser, so no cross-site forgery.
    Unknown,
    /// Another site: another origin, `Origin: null`, or
    /// `Sec-Fetch-Site: same-site` / `cross-site`.
    Foreign,
}

impl Site {
    pub(crate) fn of(headers: &HeaderMap, origin: &str) -> Site {
        // Two copies of either are someone's doing, not a browser's.
        let (Ok(fetch_site), Ok(sent_origin)) = (
            single_header(headers, "sec-fetch-site"),
            single_header(headers, axum::http::header::ORIGIN),
        ) else {
            return Site::Foreign;
        };
        let fetch_site = fetch_site.map(|v| v.to_str().unwrap_or("cross-site"));
        let sent_origin = sent_origin.map(|v| v.to_str().unwrap_or("null"));
        if let Some(sent) = sent_origin
            && !sent.eq_ignore_ascii_case(origin)
        {
            return Site::Foreign;
        }
        match fetch_site {
            Some("same-origin") => Site::SameOrigin,
            Some("none") => Site::User,
            Some(_) => Site::Foreign,
            None if sent_origin.is_some() => Site::SameOrigin,
            None => Site::Unknown,
        }
    }
}

/// A launch posted from the gateway's own page (or by a client that is no
/// browser); a cross-site one is refused with 403 before anything else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotCrossSite;

impl FromRequestParts<Arc<App>> for NotCrossSite {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        if Site::of(&parts.headers, app.origin.as_str()) != Site::Foreign {
            return Ok(NotCrossSite);
        }
        let id = request_id(parts);
        let peer = Peer::of(parts);
        app.metrics.launch("-", "cross_site");
        tracing::warn!(peer = %peer_text(peer), request_id = %id, "cross-site launch refused");
        app.audit
            .write(&Line::refusal(&id, peer_text(peer), "cross_site", 403));
        Err(pages::error(
            StatusCode::FORBIDDEN,
            "Not allowed from another site",
            "A page on another site tried to start LogMeIn Rescue in your name. Start it from this gateway's own page.",
            &id,
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn site(pairs: &[(&'static str, &'static str)]) -> Site {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        Site::of(&headers, "https://gw.example")
    }

    #[test]
    fn what_counts_as_cross_site() {
        assert_eq!(site(&[]), Site::Unknown);
        assert_eq!(site(&[("origin", "https://gw.example")]), Site::SameOrigin);
        assert_eq!(
            site(&[
                ("origin", "https://gw.example"),
                ("sec-fetch-site", "same-origin")
            ]),
            Site::SameOrigin
        );
        assert_eq!(site(&[("sec-fetch-site", "none")]), Site::User);
        for cross in [
            &[("origin", "https://evil.example")][..],
            &[("origin", "null")],
            &[("origin", "https://gw.example:8443")],
            &[("origin", "http://gw.example")],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site")],
            &[
                ("origin", "https://gw.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            assert_eq!(site(cross), Site::Foreign, "{cross:?}");
        }
    }
}
