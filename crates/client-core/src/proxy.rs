//! HTTP proxies: which one a host goes through, and the tunnel request.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::{HOST, HeaderValue, PROXY_AUTHORIZATION, USER_AGENT};
use http::uri::{Authority, Scheme};
use http::{Method, Request, Uri};
use percent_encoding::percent_decode_str;

use crate::error::ConfigError;
use crate::no_proxy::NoProxy;

/// An HTTP proxy that tunnels TLS with `CONNECT`, optionally with Basic
/// authentication. `Debug` never shows the credentials.
#[derive(Clone)]
pub struct Proxy {
    uri: Uri,
    authority: Authority,
    authorization: Option<HeaderValue>,
}

impl Proxy {
    /// Parses `http://[user[:password]@]host[:port]`; a URL without a scheme
    /// is taken as `http`, and the port defaults to 80. User and password may
    /// be percent-encoded. `https://` and SOCKS proxies are not supported.
    pub fn parse(url: &str) -> Result<Proxy, ConfigError> {
        let invalid = |reason| ConfigError::InvalidProxy { reason };
        let url = url.trim();
        let with_scheme = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let uri: Uri = with_scheme
            .parse()
            .map_err(|_| invalid("not a url with a host"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err(invalid("only http:// proxies are supported"));
        }
        let raw = uri
            .authority()
            .ok_or_else(|| invalid("not a url with a host"))?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(invalid("a proxy url has no path or query"));
        }
        let (userinfo, host_port) = match raw.as_str().rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, raw.as_str()),
        };
        let host_port: Authority = host_port
            .parse()
            .map_err(|_| invalid("not a url with a host"))?;
        if host_port.host().is_empty() {
            return Err(invalid("not a url with a host"));
        }
        let authority: Authority = format!(
            "{}:{}",
            host_port.host(),
            host_port.port_u16().unwrap_or(80)
        )
        .parse()
        .map_err(|_| invalid("not a url with a host"))?;
        let authorization = userinfo.map(basic_auth).transpose()?;
        let uri = Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(authority.clone())
            .path_and_query("/")
            .build()
            .map_err(|_| invalid("not a url with a host"))?;
        Ok(Proxy {
            uri,
            authority,
            authorization,
        })
    }

    /// `http://host:port/`, without credentials.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// `host:port` of the proxy.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The `Proxy-Authorization` value (`Basic …`), marked sensitive so HTTP
    /// stacks keep it out of their logs and HPACK tables.
    pub fn authorization(&self) -> Option<&HeaderValue> {
        self.authorization.as_ref()
    }

    /// The `CONNECT target HTTP/1.1` request that opens a tunnel to
    /// `target` (`host:port`), with `Host` and, if configured,
    /// `Proxy-Authorization`. Its `Debug` shows the header as sensitive.
    pub fn connect_request(&self, target: &Authority) -> Request<Bytes> {
        let mut req = Request::new(Bytes::new());
        *req.method_mut() = Method::CONNECT;
        // An authority alone is a valid URI: the authority-form of RFC 9112.
        *req.uri_mut() = Uri::from(target.clone());
        let headers = req.headers_mut();
        if let Ok(host) = HeaderValue::from_str(target.as_str()) {
            headers.insert(HOST, host);
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("rescue-sso/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(auth) = &self.authorization {
            headers.insert(PROXY_AUTHORIZATION, auth.clone());
        }
        req
    }
}

fn basic_auth(userinfo: &str) -> Result<HeaderValue, ConfigError> {
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| ConfigError::InvalidProxy {
                reason: "credentials are not utf-8",
            })
    };
    let token = STANDARD.encode(format!("{}:{}", decode(user)?, decode(password)?));
    let mut value =
        HeaderValue::try_from(format!("Basic {token}")).map_err(|_| ConfigError::InvalidProxy {
            reason: "credentials cannot be sent",
        })?;
    value.set_sensitive(true);
    Ok(value)
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("authority", &self.authority.as_str())
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Which proxy, if any, each host goes through.
///
/// The default is no proxy. [`ProxySettings::from_env`] reads the variables
/// curl reads; an explicit [`ProxySettings::with_proxy`] wins over them.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ProxySettings {
    proxy: Option<Proxy>,
    no_proxy: NoProxy,
}

impl ProxySettings {
    /// No proxy for any host.
    pub fn none() -> Self {
        ProxySettings::default()
    }

    /// `HTTPS_PROXY` (or `https_proxy`), else `ALL_PROXY` (or `all_proxy`),
    /// with `NO_PROXY` (or `no_proxy`) as the exceptions. Empty variables
    /// count as unset; a set but unusable proxy URL is an error rather than a
    /// silent direct connection.
    pub fn from_env() -> Result<Self, ConfigError> {
        ProxySettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`ProxySettings::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let first = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| lookup(n))
                .find(|v| !v.trim().is_empty())
        };
        let proxy = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
            .map(|url| Proxy::parse(&url))
            .transpose()?;
        let no_proxy = first(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
        Ok(ProxySettings {
            proxy,
            no_proxy: NoProxy::parse(&no_proxy),
        })
    }

    /// Sends every host not excepted by `NO_PROXY` through `proxy`.
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Replaces the exceptions with `list`, in `NO_PROXY` syntax: comma
    /// separated hosts, domain suffixes (`example.com` and `.example.com` both
    /// cover subdomains), IP addresses, CIDR ranges, optional `:port`, or `*`.
    pub fn with_no_proxy(mut self, list: &str) -> Self {
        self.no_proxy = NoProxy::parse(list);
        self
    }

    /// The proxy for a `scheme` connection to `host:port`, or `None` to
    /// connect directly. Plain `http` is never proxied: the proxy would read
    /// the password in clear, and its loopback is not ours.
    pub fn proxy_for(&self, scheme: &Scheme, host: &str, port: u16) -> Option<&Proxy> {
        if *scheme != Scheme::HTTPS {
            return None;
        }
        let proxy = self.proxy.as_ref()?;
        (!self.no_proxy.matches(host, port)).then_some(proxy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_credentials_and_defaults() {
        let p = Proxy::parse("http://us%40er:p%3Ass@proxy.corp:3128").expect("proxy");
        assert_eq!(p.authority().as_str(), "proxy.corp:3128");
        assert_eq!(p.uri(), "http://proxy.corp:3128/");
        // base64("us@er:p:ss")
        assert_eq!(
            p.authorization().map(|v| v.to_str().unwrap_or_default()),
            Some("Basic dXNAZXI6cDpzcw==")
        );
        assert!(p.authorization().is_some_and(HeaderValue::is_sensitive));
        assert!(!format!("{p:?}").contains("dXNA"));
        let bare = Proxy::parse("proxy.corp").expect("proxy");
        assert_eq!(bare.authority().as_str(), "proxy.corp:80");
        assert!(bare.authorization().is_none());
    }

    #[test]
    fn refuses_what_it_cannot_speak() {
        for bad in [
            "https://proxy:443",
            "socks5://proxy:1080",
            "http://",
            "http://p/x",
        ] {
            assert!(
                matches!(Proxy::parse(bad), Err(ConfigError::InvalidProxy { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn connect_request_carries_target_and_auth() {
        let p = Proxy::parse("http://u:p@proxy:8080").expect("proxy");
        let target = Authority::from_static("secure.logmeinrescue.com:443");
        let req = p.connect_request(&target);
        assert_eq!(req.method(), Method::CONNECT);
        assert_eq!(req.uri().to_string(), "secure.logmeinrescue.com:443");
        assert_eq!(req.headers()[HOST], "secure.logmeinrescue.com:443");
        assert_eq!(req.headers()[PROXY_AUTHORIZATION], "Basic dTpw");
    }

    #[test]
    fn env_lookup_order_and_no_proxy() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let s = ProxySettings::from_lookup(env(&[
            ("HTTPS_PROXY", ""),
            ("https_proxy", "http://a:1"),
            ("ALL_PROXY", "http://b:2"),
            ("NO_PROXY", "localhost, .corp"),
        ]))
        .expect("settings");
        assert_eq!(
            s.proxy_for(&Scheme::HTTPS, "secure.logmeinrescue.com", 443)
                .map(|p| p.authority().as_str()),
            Some("a:1")
        );
        assert!(s.proxy_for(&Scheme::HTTPS, "x.corp", 443).is_none());
        assert!(s.proxy_for(&Scheme::HTTPS, "localhost", 443).is_none());
        let none = ProxySettings::from_lookup(env(&[])).expect("settings");
        assert!(
            none.proxy_for(&Scheme::HTTPS, "secure.logmeinrescue.com", 443)
                .is_none()
        );
        assert!(ProxySettings::from_lookup(env(&[("ALL_PROXY", "socks5://x")])).is_err());
    }

    #[test]
    fn plain_http_is_never_proxied() {
        let s = ProxySettings::none().with_proxy(Proxy::parse("http://proxy:3128").expect("proxy"));
        assert!(s.proxy_for(&Scheme::HTTPS, "127.0.0.1", 8080).is_some());
        assert!(s.proxy_for(&Scheme::HTTP, "127.0.0.1", 8080).is_none());
        assert!(s.proxy_for(&Scheme::HTTP, "localhost", 80).is_none());
    }
}
