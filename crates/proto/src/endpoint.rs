//! Where requests go, and which origins a returned ticket URL may point at.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use http::Uri;
use http::header::HeaderValue;
use http::uri::{Authority, PathAndQuery, Scheme};

use crate::error::EndpointError;

/// The public Rescue service.
pub const DEFAULT_ENDPOINT: &str = "https://secure.logmeinrescue.com";

/// A scheme, host and port, compared the way a browser compares origins:
/// host case-insensitively, port after applying the scheme's default.
#[derive(Clone, PartialEq, Eq)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    fn from_parts(scheme: &Scheme, authority: &Authority) -> Origin {
        let https = *scheme == Scheme::HTTPS;
        Origin {
            https,
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(if https { 443 } else { 80 }),
        }
    }
}

/// The base URL of a Rescue service: scheme, host and optional port.
///
/// Only `https` is accepted, except that a caller may explicitly allow plain
/// `http` for a loopback address (a local emulator in tests). The default is
/// [`DEFAULT_ENDPOINT`].
///
/// ```
/// use rescue_sso_proto::Endpoint;
///
/// let eu: Endpoint = "https://secure.logmeinrescue.eu".parse()?;
/// assert_eq!(eu.host(), "secure.logmeinrescue.eu");
/// assert!("http://secure.logmeinrescue.com".parse::<Endpoint>().is_err());
///
/// let local = Endpoint::builder("http://127.0.0.1:8080").allow_loopback_http().build()?;
/// assert_eq!(local.base_url(), "http://127.0.0.1:8080");
/// # Ok::<(), rescue_sso_proto::EndpointError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    authority: Authority,
    /// The `Host` header, built once: cloning it costs no allocation.
    host_header: HeaderValue,
    origin: Origin,
    ticket_origins: Vec<Origin>,
}

impl Endpoint {
    /// Parses an `https` base URL. Equivalent to `url.parse()`.
    pub fn new(url: &str) -> Result<Self, EndpointError> {
        Endpoint::builder(url).build()
    }

    /// Starts a builder for an endpoint with options.
    pub fn builder(url: &str) -> EndpointBuilder {
        EndpointBuilder {
            url: url.to_owned(),
            allow_loopback_http: false,
            ticket_hosts: Vec::new(),
        }
    }

    /// `https` or, where allowed, `http`.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The authority (`host[:port]`) as sent in the `Host` header.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The host, without port (IPv6 addresses keep their brackets).
    pub fn host(&self) -> &str {
        self.authority.host()
    }

    /// The port, with the scheme's default applied.
    pub fn port(&self) -> u16 {
        self.origin.port
    }

    /// Whether requests are sent over TLS.
    pub fn is_https(&self) -> bool {
        self.origin.https
    }

    /// The base URL, e.g. `https://secure.logmeinrescue.com`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The `Host` header value for requests to this endpoint.
    pub(crate) fn host_header(&self) -> &HeaderValue {
        &self.host_header
    }

    /// Whether a ticket URL with this scheme, host and port may be trusted:
    /// the endpoint's own origin or one the caller allowed. `host` is
    /// compared case-insensitively; `port` is `None` for the scheme's default.
    pub(crate) fn trusts_ticket_parts(&self, https: bool, host: &str, port: Option<u16>) -> bool {
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let matches =
            |o: &Origin| o.https == https && o.port == port && o.host.eq_ignore_ascii_case(host);
        matches(&self.origin) || self.ticket_origins.iter().any(matches)
    }

    /// The absolute URI of `path_and_query` on this endpoint.
    pub(crate) fn uri(&self, path_and_query: PathAndQuery) -> Result<Uri, http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        let authority = Authority::from_static("secure.logmeinrescue.com");
        Endpoint {
            host_header: HeaderValue::from_static("secure.logmeinrescue.com"),
            origin: Origin::from_parts(&Scheme::HTTPS, &authority),
            scheme: Scheme::HTTPS,
            authority,
            ticket_origins: Vec::new(),
        }
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Endpoint::new(s)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Endpoint").field(&self.base_url()).finish()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

/// Options for an [`Endpoint`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EndpointBuilder {
    url: String,
    allow_loopback_http: bool,
    ticket_hosts: Vec<String>,
}

impl EndpointBuilder {
    /// Accepts plain `http` when the host is a loopback address
    /// (`127.0.0.0/8`, `::1` or `localhost`). Meant for local emulators; a
    /// non-loopback `http` URL is still refused.
    pub fn allow_loopback_http(mut self) -> Self {
        self.allow_loopback_http = true;
        self
    }

    /// Also trusts ticket URLs on `https://<authority>` (e.g. a regional host
    /// that issues tickets for another). May be called more than once.
    pub fn allow_ticket_host(mut self, authority: impl Into<String>) -> Self {
        self.ticket_hosts.push(authority.into());
        self
    }

    /// Validates the URL and the options.
    pub fn build(self) -> Result<Endpoint, EndpointError> {
        let uri: Uri = self.url.parse().map_err(|_| EndpointError::Malformed)?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(EndpointError::Malformed);
        };
        if authority.host().is_empty() {
            return Err(EndpointError::Malformed);
        }
        if authority.as_str().contains('@')
            || uri.query().is_some()
            || !matches!(uri.path(), "" | "/")
        {
            return Err(EndpointError::NotABase);
        }
        if *scheme == Scheme::HTTP {
            if !self.allow_loopback_http || !is_loopback(authority.host()) {
                return Err(EndpointError::PlainHttpNotAllowed);
            }
        } else if *scheme != Scheme::HTTPS {
            return Err(EndpointError::UnsupportedScheme);
        }
        let ticket_origins = self
            .ticket_hosts
            .iter()
            .map(|host| {
                let authority: Authority = host.parse().map_err(|_| EndpointError::Malformed)?;
                if authority.as_str().contains('@') {
                    return Err(EndpointError::NotABase);
                }
                Ok(Origin::from_parts(&Scheme::HTTPS, &authority))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let host_header =
            HeaderValue::from_str(authority.as_str()).map_err(|_| EndpointError::Malformed)?;
        Ok(Endpoint {
            host_header,
            origin: Origin::from_parts(scheme, authority),
            scheme: scheme.clone(),
            authority: authority.clone(),
            ticket_origins,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_public_service() {
        let e = Endpoint::default();
        assert_eq!(e.base_url(), DEFAULT_ENDPOINT);
        assert_eq!(Endpoint::new(DEFAULT_ENDPOINT), Ok(e));
    }

    #[test]
    fn only_https_unless_loopback_is_allowed() {
        assert_eq!(
            Endpoint::new("http://127.0.0.1:1"),
            Err(EndpointError::PlainHttpNotAllowed)
        );
        assert_eq!(
            Endpoint::builder("http://10.0.0.1")
                .allow_loopback_http()
                .build(),
            Err(EndpointError::PlainHttpNotAllowed)
        );
        for ok in [
            "http://127.0.0.1:1",
            "http://[::1]:8080",
            "http://LOCALHOST",
        ] {
            assert!(
                Endpoint::builder(ok).allow_loopback_http().build().is_ok(),
                "{ok}"
            );
        }
        assert_eq!(
            Endpoint::new("ftp://example.com"),
            Err(EndpointError::UnsupportedScheme)
        );
    }

    #[test]
    fn a_base_is_only_scheme_host_and_port() {
        assert!(Endpoint::new("https://h.example/").is_ok());
        for bad in [
            "https://h.example/SSO",
            "https://h.example/?a=b",
            "https://u:p@h.example",
        ] {
            assert_eq!(Endpoint::new(bad), Err(EndpointError::NotABase), "{bad}");
        }
        for bad in ["", "h.example", "/SSO", "https://"] {
            assert_eq!(Endpoint::new(bad), Err(EndpointError::Malformed), "{bad}");
        }
    }

    #[test]
    fn ticket_origins_compare_like_browsers() {
        let e = Endpoint::builder("https://Secure.Example:443")
            .allow_ticket_host("other.example:8443")
            .build()
            .expect("valid");
        let trusts = |host: &str, port: Option<u16>| e.trusts_ticket_parts(true, host, port);
        assert!(trusts("secure.example", None));
        assert!(trusts("SECURE.EXAMPLE", Some(443)));
        assert!(!trusts("secure.example", Some(444)));
        assert!(trusts("other.example", Some(8443)));
        assert!(!trusts("other.example", None));
        assert!(!e.trusts_ticket_parts(false, "secure.example", Some(443)));
    }
}
