//! The configuration file: one TOML document, checked whole before anything
//! starts. Every key is documented in `docs/gateway.md`; a reference file
//! with every key and its default is `docs/gateway.example.toml`.

use std::ffi::OsString;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use rescue_sso_hyper::proto::http::uri::Scheme;
use rescue_sso_hyper::proto::http::{HeaderName, Uri};
use rescue_sso_hyper::proto::{CompanyId, DEFAULT_ENDPOINT, Endpoint, Password};
use serde::Deserialize;
use zeroize::Zeroize;

use crate::error::ConfigError;
use crate::jwt::Algorithm;
use crate::technicians::{MapFile, Rules, Template};

/// The name of the systemd credential that holds the master SSO password.
pub const CREDENTIAL_NAME: &str = "rescue-sso-password";

/// The environment variable that may hold the master SSO password, when no
/// file does.
pub const PASSWORD_ENV: &str = "RESCUE_SSO_PASSWORD";

/// The name of the systemd credential that holds the OpenID client secret,
/// when `identity.client_secret_file` is not set.
pub const CLIENT_SECRET_CREDENTIAL: &str = "rescue-sso-oidc-client-secret";

/// The name of the systemd credential that holds the cookie key, when
/// `identity.cookie_key_file` is not set.
pub const COOKIE_KEY_CREDENTIAL: &str = "rescue-sso-cookie-key";

/// A checked configuration, its secrets loaded. `Debug` and `Display` show
/// every setting with the secrets redacted.
pub struct Config {
    pub(crate) listen: Listen,
    pub(crate) public_url: Option<Origin>,
    pub(crate) tls: Option<TlsFiles>,
    pub(crate) rescue: Rescue,
    pub(crate) identity: Identity,
    pub(crate) technicians: Rules,
    pub(crate) consoles: Vec<ConsoleChoice>,
    pub(crate) per_user: Quota,
    pub(crate) audit: Option<PathBuf>,
    pub(crate) server: Server,
}

/// Where the gateway listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A TCP address (port 0: any free port).
    Tcp(SocketAddr),
    /// A unix socket at this path.
    Unix(PathBuf),
}

impl Listen {
    fn parse(text: &str) -> Result<Listen, ConfigError> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(invalid("listen", "a unix socket needs a path: unix:/run/…"));
            }
            return Ok(Listen::Unix(PathBuf::from(path)));
        }
        text.parse::<SocketAddr>().map(Listen::Tcp).map_err(|_| {
            invalid(
                "listen",
                "expected ADDRESS:PORT with an IP address (127.0.0.1:8080, [::1]:8080), or unix:/path",
            )
        })
    }

    /// Whether this is a TCP address on a loopback interface.
    pub fn is_loopback(&self) -> bool {
        matches!(self, Listen::Tcp(addr) if addr.ip().is_loopback())
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listen::Tcp(addr) => write!(f, "{addr}"),
            Listen::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A scheme, host and port: the gateway's public URL, what browsers see
/// as its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub(crate) https: bool,
    /// `scheme://host[:port]`, lowercase, the default port left out, as a
    /// browser sends it in `Origin`.
    pub(crate) serialized: String,
}

impl Origin {
    /// Parses a public URL: `https://host[:port]` (plain `http` only for a
    /// loopback host), no path, query or user info.
    pub fn parse(text: &str) -> Result<Origin, ConfigError> {
        let key = "public_url";
        let uri: Uri = text
            .parse()
            .map_err(|_| invalid(key, "not a URL: expected https://host[:port]"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(invalid(key, "expected https://host[:port]"));
        };
        if authority.as_str().contains('@')
            || uri.query().is_some()
            || !matches!(uri.path(), "" | "/")
        {
            return Err(invalid(
                key,
                "only scheme, host and port: no path, query or user info",
            ));
        }
        let https = if *scheme == Scheme::HTTPS {
            true
        } else if *scheme == Scheme::HTTP && is_loopback_host(authority.host()) {
            false
        } else {
            return Err(invalid(
                key,
                "must be https (http only for a loopback address)",
            ));
        };
        let host = authority.host().to_ascii_lowercase();
        let default_port = if https { 443 } else { 80 };
        let serialized = match authority.port_u16() {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        };
        Ok(Origin { https, serialized })
    }

    /// The origin of a loopback listener that has no public URL.
    pub(crate) fn of_loopback(addr: SocketAddr) -> Origin {
        Origin {
            https: false,
            serialized: format!("http://{addr}"),
        }
    }

    /// `scheme://host[:port]`.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The certificate chain and key the gateway serves HTTPS with.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    pub(crate) cert_file: PathBuf,
    pub(crate) key_file: PathBuf,
}

/// Where the master SSO password came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PasswordSource {
    File(PathBuf),
    Credential(PathBuf),
    Environment,
    /// Given in code (the demo, a caller's own setup).
    Given,
}

/// How the gateway talks to Rescue.
pub(crate) struct Rescue {
    pub(crate) endpoint: Endpoint,
    pub(crate) company_id: CompanyId,
    pub(crate) password: Password,
    pub(crate) password_source: PasswordSource,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) ca_pem: Option<Vec<u8>>,
    pub(crate) timeout: Duration,
    /// Open a connection to Rescue at start and keep one ready.
    pub(crate) keep_warm: bool,
}

/// Which peers may name the user in a header.
#[derive(Debug, Clone)]
pub(crate) struct TrustedProxies {
    pub(crate) nets: Vec<IpNet>,
    pub(crate) unix: bool,
}

impl TrustedProxies {
    pub(crate) fn trusts_ip(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

/// Where JWT verification keys come from.
#[derive(Debug, Clone)]
pub(crate) enum Jwks {
    Url { url: Uri, refresh: Duration },
    File(PathBuf),
}

/// Who the user is.
#[derive(Debug, Clone)]
pub(crate) enum Identity {
    TrustedHeader {
        header: HeaderName,
        trusted: TrustedProxies,
        groups_header: Option<HeaderName>,
    },
    JwtAssertion {
        header: HeaderName,
        jwks: Jwks,
        algorithm: Algorithm,
        issuer: String,
        audience: String,
        user_claim: String,
        groups_claim: Option<String>,
        leeway: Duration,
    },
    /// The gateway signs the user in itself with an OpenID provider.
    Oidc(Box<Oidc>),
    /// `rescue-sso gateway --demo`: one built-in user, from loopback peers.
    Demo { user: String },
}

/// How the gateway proves itself to the provider's token endpoint.
#[derive(Clone)]
pub(crate) enum ClientAuth {
    /// `client_secret_basic`.
    Secret(secrecy::SecretString),
    /// `private_key_jwt`: an assertion signed with this PKCS#8 key.
    PrivateKey {
        pkcs8: secrecy::SecretSlice<u8>,
        algorithm: Algorithm,
        /// The `kid` the assertion names, if the provider wants one.
        key_id: Option<String>,
    },
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientAuth::Secret(_) => f.write_str("ClientAuth::Secret([redacted])"),
            ClientAuth::PrivateKey { algorithm, .. } => {
                write!(
                    f,
                    "ClientAuth::PrivateKey({}, [redacted])",
                    algorithm.as_str()
                )
            }
        }
    }
}

/// `mode = "oidc"`.
#[derive(Debug, Clone)]
pub(crate) struct Oidc {
    pub(crate) issuer: String,
    /// Entra ID's multi-tenant documents publish `{tenantid}` in their
    /// issuer; this fills it in, and the ID token's `tid` must match.
    pub(crate) tenant_id: Option<String>,
    pub(crate) client_id: String,
    pub(crate) auth: ClientAuth,
    pub(crate) auth_source: PathBuf,
    pub(crate) scopes: Vec<String>,
    pub(crate) algorithm: Algorithm,
    pub(crate) user_claim: String,
    pub(crate) groups_claim: Option<String>,
    pub(crate) leeway: Duration,
    /// `None`: a key made at start (sessions end with the process).
    pub(crate) cookie_key: Option<secrecy::SecretSlice<u8>>,
    pub(crate) cookie_key_file: Option<PathBuf>,
    pub(crate) session_lifetime: Duration,
}

/// A console the landing page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleChoice {
    /// The 64-bit Desktop Technician Console.
    Dtc64,
    /// The Desktop Technician Console (Rescue's default architecture).
    Dtc,
    /// The web Technician Console.
    Web,
}

impl ConsoleChoice {
    /// The form value: `dtc64`, `dtc` or `web`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleChoice::Dtc64 => "dtc64",
            ConsoleChoice::Dtc => "dtc",
            ConsoleChoice::Web => "web",
        }
    }

    /// What the button says.
    pub fn label(self) -> &'static str {
        match self {
            ConsoleChoice::Dtc64 => "Desktop Technician Console (64-bit)",
            ConsoleChoice::Dtc => "Desktop Technician Console",
            ConsoleChoice::Web => "Web Technician Console",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<ConsoleChoice> {
        match text {
            "dtc64" => Some(ConsoleChoice::Dtc64),
            "dtc" => Some(ConsoleChoice::Dtc),
            "web" => Some(ConsoleChoice::Web),
            _ => None,
        }
    }
}

/// Launches allowed per user and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    pub(crate) count: u32,
    pub(crate) per: Duration,
}

impl Quota {
    fn parse(text: &str) -> Result<Quota, ConfigError> {
        let key = "limits.per_user";
        let bad = || {
            invalid(
                key,
                "expected N/second, N/minute or N/hour with N at least 1",
            )
        };
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "second" => Duration::from_secs(1),
            "minute" => Duration::from_secs(60),
            "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Quota { count, per })
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "second",
            60 => "minute",
            _ => "hour",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// How the HTTP server guards itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Server {
    pub(crate) header_read_timeout: Duration,
    pub(crate) shutdown_grace: Duration,
}

// ---------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    listen: String,
    public_url: Option<String>,
    tls: Option<RawTls>,
    rescue: RawRescue,
    identity: RawIdentity,
    #[serde(default)]
    technicians: RawTechnicians,
    #[serde(default)]
    launch: RawLaunch,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    audit: RawAudit,
    #[serde(default)]
    server: RawServer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert_file: PathBuf,
    key_file: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRescue {
    endpoint: Option<String>,
    company_id: String,
    password_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    timeout: Option<String>,
    keep_warm: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    mode: String,
    header: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    #[serde(default)]
    allow_any_proxy: bool,
    groups_header: Option<String>,
    jwks_url: Option<String>,
    jwks_file: Option<PathBuf>,
    jwks_refresh: Option<String>,
    algorithm: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    claim: Option<String>,
    groups_claim: Option<String>,
    leeway: Option<String>,
    client_id: Option<String>,
    client_secret_file: Option<PathBuf>,
    client_key_file: Option<PathBuf>,
    scopes: Option<Vec<String>>,
    cookie_key_file: Option<PathBuf>,
    session_lifetime: Option<String>,
    client_key_id: Option<String>,
    tenant_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTechnicians {
    sso_id: Option<String>,
    #[serde(default)]
    strip_domain: bool,
    #[serde(default)]
    lowercase: bool,
    map_file: Option<PathBuf>,
    allowed_groups: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLaunch {
    consoles: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    per_user: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    file: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    header_read_timeout: Option<String>,
    shutdown_grace: Option<String>,
}

/// Defaults, named once: the example file and the docs show these.
pub(crate) mod defaults {
    pub(crate) const RESCUE_TIMEOUT: &str = "10s";
    pub(crate) const HEADER: &str = "Remote-User";
    pub(crate) const JWKS_REFRESH: &str = "5m";
    pub(crate) const LEEWAY: &str = "30s";
    pub(crate) const CLAIM: &str = "email";
    pub(crate) const OIDC_CLAIM: &str = "preferred_username";
    pub(crate) const OIDC_ALGORITHM: &str = "RS256";
    pub(crate) const SESSION_LIFETIME: &str = "8h";
    pub(crate) const SSO_ID: &str = "{user}";
    pub(crate) const PER_USER: &str = "10/minute";
    pub(crate) const HEADER_READ_TIMEOUT: &str = "10s";
    pub(crate) const SHUTDOWN_GRACE: &str = "30s";
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

fn duration(key: &str, text: Option<&str>, default: &str) -> Result<Duration, ConfigError> {
    let value = parse_duration(key, text.unwrap_or(default))?;
    if value.is_zero() {
        return Err(invalid(key, "must be longer than zero"));
    }
    Ok(value)
}

fn parse_duration(key: &str, text: &str) -> Result<Duration, ConfigError> {
    humantime::parse_duration(text).map_err(|_| {
        invalid(
            key,
            format!("{text:?} is not a duration such as \"10s\" or \"5m\""),
        )
    })
}

/// A duration from `least` to `most`, both included (zero allowed if
/// `least` is zero).
fn duration_within(
    key: &str,
    text: Option<&str>,
    default: &str,
    least: Duration,
    most: Duration,
) -> Result<Duration, ConfigError> {
    let value = parse_duration(key, text.unwrap_or(default))?;
    if value < least || value > most {
        return Err(invalid(
            key,
            format!(
                "must be from {} to {}",
                humantime::format_duration(least),
                humantime::format_duration(most)
            ),
        ));
    }
    Ok(value)
}

/// The clock skew allowed on a token's `exp` and `nbf`: a skew, not a
/// lifetime, so at most five minutes.
fn leeway(text: Option<&str>) -> Result<Duration, ConfigError> {
    duration_within(
        "identity.leeway",
        text,
        defaults::LEEWAY,
        Duration::ZERO,
        Duration::from_secs(5 * 60),
    )
}

fn header_name(key: &str, text: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(text.as_bytes())
        .map_err(|_| invalid(key, format!("{text:?} is not a header name")))
}

/// What the configuration may read besides its own file: the environment
/// (for the password and systemd's credentials directory). Injected so tests
/// need not change the process environment.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

impl Config {
    /// Reads and checks the file at `path`; relative paths in it are
    /// relative to its folder. The password comes from `password_file`, else
    /// systemd's `$CREDENTIALS_DIRECTORY/rescue-sso-password`, else
    /// `RESCUE_SSO_PASSWORD`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, base, &|name| std::env::var_os(name))
    }

    /// Checks configuration text; relative paths are relative to `base`.
    pub fn from_toml(text: &str, base: &Path) -> Result<Config, ConfigError> {
        Config::parse(text, base, &|name| std::env::var_os(name))
    }

    pub(crate) fn parse(text: &str, base: &Path, env: Env<'_>) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let resolve = |path: PathBuf| {
            if path.is_absolute() {
                path
            } else {
                base.join(path)
            }
        };

        let listen = Listen::parse(&raw.listen)?;
        let public_url = match raw.public_url.as_deref() {
            Some(url) => Some(Origin::parse(url)?),
            None if listen.is_loopback() => None,
            None => {
                return Err(invalid(
                    "public_url",
                    "required unless the gateway listens on a loopback address",
                ));
            }
        };
        let tls = raw.tls.map(|t| TlsFiles {
            cert_file: resolve(t.cert_file),
            key_file: resolve(t.key_file),
        });
        // Read now, as the password is, so that --check-config fails on
        // them as serving would.
        if let Some(files) = &tls {
            crate::server::acceptor(files).map_err(|err| match err {
                crate::error::Error::Tls(reason) => invalid("tls", reason.to_string()),
                other => invalid("tls", other.to_string()),
            })?;
        }

        let rescue = rescue(raw.rescue, &resolve, env)?;
        let identity = identity(raw.identity, &resolve, env)?;
        let technicians = technicians(raw.technicians, &resolve, &identity)?;

        let consoles = match raw.launch.consoles {
            None => vec![ConsoleChoice::Dtc64, ConsoleChoice::Dtc, ConsoleChoice::Web],
            Some(list) => {
                let mut consoles = Vec::new();
                for name in &list {
                    let console = ConsoleChoice::parse(name).ok_or_else(|| {
                        invalid(
                            "launch.consoles",
                            format!("{name:?}: expected dtc64, dtc or web"),
                        )
                    })?;
                    if !consoles.contains(&console) {
                        consoles.push(console);
                    }
                }
                if consoles.is_empty() {
                    return Err(invalid("launch.consoles", "at least one console"));
                }
                consoles
            }
        };
        let per_user = Quota::parse(raw.limits.per_user.as_deref().unwrap_or(defaults::PER_USER))?;
        let server = Server {
            header_read_timeout: duration(
                "server.header_read_timeout",
                raw.server.header_read_timeout.as_deref(),
                defaults::HEADER_READ_TIMEOUT,
            )?,
            shutdown_grace: duration(
                "server.shutdown_grace",
                raw.server.shutdown_grace.as_deref(),
                defaults::SHUTDOWN_GRACE,
            )?,
        };
        Ok(Config {
            listen,
            public_url,
            tls,
            rescue,
            identity,
            technicians,
            consoles,
            per_user,
            audit: raw.audit.file.map(resolve),
            server,
        })
    }

    /// Where the gateway listens.
    pub fn listen(&self) -> &Listen {
        &self.listen
    }

    /// Listens at `listen` instead of what the file says.
    pub fn set_listen(&mut self, listen: Listen) {
        self.listen = listen;
    }

    /// The demo's configuration: `endpoint` (an emulator that trusts
    /// `ca_pem`), company `654321`, the given password, and one built-in
    /// user, `demo`, accepted from loopback peers only, whose SSO ID is
    /// `123456`.
    pub fn demo(endpoint: Endpoint, ca_pem: Option<Vec<u8>>, password: Password) -> Config {
        let map = MapFile::from_pairs([("demo", "123456")]);
        Config {
            listen: Listen::Tcp(SocketAddr::from(([127, 0, 0, 1], 0))),
            public_url: None,
            tls: None,
            rescue: Rescue {
                endpoint,
                company_id: CompanyId::from(654_321),
                password,
                password_source: PasswordSource::Given,
                ca_file: None,
                ca_pem,
                timeout: Duration::from_secs(10),
                keep_warm: true,
            },
            identity: Identity::Demo {
                user: "demo".to_owned(),
            },
            technicians: Rules::new(Some(Template::user()), false, false, Some(map), None),
            consoles: vec![ConsoleChoice::Dtc64, ConsoleChoice::Dtc, ConsoleChoice::Web],
            per_user: Quota {
                count: 10,
                per: Duration::from_secs(60),
            },
            audit: None,
            server: Server {
                header_read_timeout: Duration::from_secs(10),
                shutdown_grace: Duration::from_secs(30),
            },
        }
    }
}

fn rescue(
    raw: RawRescue,
    resolve: &dyn Fn(PathBuf) -> PathBuf,
    env: Env<'_>,
) -> Result<Rescue, ConfigError> {
    let endpoint_text = raw.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT);
    let endpoint = Endpoint::builder(endpoint_text)
        .allow_loopback_http()
        .build()
        .map_err(|e| invalid("rescue.endpoint", e.to_string()))?;
    let company_id =
        CompanyId::new(&raw.company_id).map_err(|e| invalid("rescue.company_id", e.to_string()))?;
    let timeout = duration(
        "rescue.timeout",
        raw.timeout.as_deref(),
        defaults::RESCUE_TIMEOUT,
    )?;
    let ca_file = raw.ca_file.map(resolve);
    let ca_pem = match &ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?),
        None => None,
    };
    let (password, password_source) = password(raw.password_file.map(resolve), env)?;
    Ok(Rescue {
        endpoint,
        company_id,
        password,
        password_source,
        ca_file,
        ca_pem,
        timeout,
        keep_warm: raw.keep_warm.unwrap_or(true),
    })
}

/// The master SSO password: `password_file`, else systemd's credential,
/// else the environment. Never a value in the configuration file.
fn password(
    file: Option<PathBuf>,
    env: Env<'_>,
) -> Result<(Password, PasswordSource), ConfigError> {
    let credential =
        env("CREDENTIALS_DIRECTORY").map(|dir| PathBuf::from(dir).join(CREDENTIAL_NAME));
    // An error names where the password came from, which is a key of the
    // file only for password_file.
    let credential_label = format!("systemd credential {CREDENTIAL_NAME}");
    let (mut text, source, label) = if let Some(path) = file {
        (
            read_secret("rescue.password_file", &path)?,
            PasswordSource::File(path),
            "rescue.password_file",
        )
    } else if let Some(path) = credential.filter(|p| p.exists()) {
        (
            read_secret(&credential_label, &path)?,
            PasswordSource::Credential(path),
            credential_label.as_str(),
        )
    } else if let Some(value) = env(PASSWORD_ENV) {
        let text = value
            .into_string()
            .map_err(|_| invalid(PASSWORD_ENV, "not valid unicode"))?;
        (text, PasswordSource::Environment, PASSWORD_ENV)
    } else {
        return Err(invalid(
            "rescue.password_file",
            format!(
                "no master SSO password: set password_file, a systemd credential named {CREDENTIAL_NAME}, or {PASSWORD_ENV}"
            ),
        ));
    };
    // One line; the line ending a file usually has is not part of it.
    let end = text.trim_end_matches(['\n', '\r']).len();
    let password = Password::new(text.get(..end).unwrap_or_default())
        .map_err(|e| invalid(label, e.to_string()));
    text.zeroize();
    Ok((password?, source))
}

fn read_secret(key: &str, path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let mut bytes = e.into_bytes();
        bytes.zeroize();
        invalid(key, format!("{} is not UTF-8", path.display()))
    })
}

fn identity(
    raw: RawIdentity,
    resolve: &dyn Fn(PathBuf) -> PathBuf,
    env: Env<'_>,
) -> Result<Identity, ConfigError> {
    let only_for = |key: &str, present: bool, mode: &str| {
        if present {
            Err(invalid(
                &format!("identity.{key}"),
                format!("only for mode = \"{mode}\""),
            ))
        } else {
            Ok(())
        }
    };
    match raw.mode.as_str() {
        "trusted-header" => {
            for (key, present) in [
                ("jwks_url", raw.jwks_url.is_some()),
                ("jwks_file", raw.jwks_file.is_some()),
                ("jwks_refresh", raw.jwks_refresh.is_some()),
                ("algorithm", raw.algorithm.is_some()),
                ("issuer", raw.issuer.is_some()),
                ("audience", raw.audience.is_some()),
                ("claim", raw.claim.is_some()),
                ("groups_claim", raw.groups_claim.is_some()),
                ("leeway", raw.leeway.is_some()),
            ] {
                only_for(key, present, "jwt-assertion")?;
            }
            reject_oidc_keys(&raw)?;
            let header = header_name(
                "identity.header",
                raw.header.as_deref().unwrap_or(defaults::HEADER),
            )?;
            let list = raw.trusted_proxies.ok_or_else(|| {
                invalid(
                    "identity.trusted_proxies",
                    "required: the addresses (CIDRs, or \"unix\") of the proxies allowed to name the user",
                )
            })?;
            let trusted = trusted_proxies(&list, raw.allow_any_proxy)?;
            let groups_header = raw
                .groups_header
                .as_deref()
                .map(|h| header_name("identity.groups_header", h))
                .transpose()?;
            Ok(Identity::TrustedHeader {
                header,
                trusted,
                groups_header,
            })
        }
        "jwt-assertion" => {
            only_for(
                "trusted_proxies",
                raw.trusted_proxies.is_some(),
                "trusted-header",
            )?;
            only_for(
                "groups_header",
                raw.groups_header.is_some(),
                "trusted-header",
            )?;
            only_for("allow_any_proxy", raw.allow_any_proxy, "trusted-header")?;
            reject_oidc_keys(&raw)?;
            let header = header_name(
                "identity.header",
                raw.header.as_deref().ok_or_else(|| {
                    invalid(
                        "identity.header",
                        "required: the header the proxy puts its JWT in (X-Pomerium-Jwt-Assertion, Cf-Access-Jwt-Assertion, X-Goog-Iap-Jwt-Assertion)",
                    )
                })?,
            )?;
            let jwks = match (raw.jwks_url, raw.jwks_file) {
                (Some(url), None) => {
                    let uri: Uri = url
                        .parse()
                        .map_err(|_| invalid("identity.jwks_url", "not a URL"))?;
                    let https = uri.scheme() == Some(&Scheme::HTTPS);
                    let loopback_http = uri.scheme() == Some(&Scheme::HTTP)
                        && uri.host().is_some_and(is_loopback_host);
                    if !(https || loopback_http) {
                        return Err(invalid(
                            "identity.jwks_url",
                            "must be https (http only for a loopback address)",
                        ));
                    }
                    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
                        return Err(invalid(
                            "identity.jwks_url",
                            "must not hold a user name or password (they would not be sent)",
                        ));
                    }
                    Jwks::Url {
                        url: uri,
                        // No shorter than the least interval between the
                        // refreshes an unknown kid causes; at least daily.
                        refresh: duration_within(
                            "identity.jwks_refresh",
                            raw.jwks_refresh.as_deref(),
                            defaults::JWKS_REFRESH,
                            crate::identity::jwt::MIN_REFRESH_INTERVAL,
                            Duration::from_secs(24 * 60 * 60),
                        )?,
                    }
                }
                (None, Some(file)) => {
                    only_for(
                        "jwks_refresh",
                        raw.jwks_refresh.is_some(),
                        "jwt-assertion with jwks_url",
                    )?;
                    Jwks::File(resolve(file))
                }
                _ => {
                    return Err(invalid(
                        "identity.jwks_url",
                        "exactly one of jwks_url and jwks_file",
                    ));
                }
            };
            let algorithm = match raw.algorithm.as_deref() {
                Some(name) => Algorithm::parse(name).ok_or_else(|| {
                    invalid(
                        "identity.algorithm",
                        format!("{name:?}: expected ES256, RS256 or EdDSA"),
                    )
                })?,
                None => {
                    return Err(invalid(
                        "identity.algorithm",
                        "required: the one algorithm the proxy signs with (ES256, RS256 or EdDSA)",
                    ));
                }
            };
            // A key file is read now, as the password is, so that
            // --check-config fails on it as serving would.
            if let Jwks::File(path) = &jwks {
                let unusable = |reason: String| {
                    invalid(
                        "identity.jwks_file",
                        format!("{}: {reason}", path.display()),
                    )
                };
                let bytes = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
                crate::jwt::KeySet::parse(&bytes, algorithm)
                    .map_err(|e| unusable(e.to_string()))?;
            }
            let required = |key: &str, value: Option<String>| {
                value
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| invalid(&format!("identity.{key}"), "required"))
            };
            Ok(Identity::JwtAssertion {
                header,
                jwks,
                algorithm,
                issuer: required("issuer", raw.issuer)?,
                audience: required("audience", raw.audience)?,
                user_claim: raw.claim.unwrap_or_else(|| defaults::CLAIM.to_owned()),
                groups_claim: raw.groups_claim,
                leeway: leeway(raw.leeway.as_deref())?,
            })
        }
        "oidc" => oidc(raw, resolve, env).map(|o| Identity::Oidc(Box::new(o))),
        other => Err(invalid(
            "identity.mode",
            format!("{other:?}: expected \"trusted-header\", \"jwt-assertion\" or \"oidc\""),
        )),
    }
}

fn reject_oidc_keys(raw: &RawIdentity) -> Result<(), ConfigError> {
    for (key, present) in [
        ("client_id", raw.client_id.is_some()),
        ("client_secret_file", raw.client_secret_file.is_some()),
        ("client_key_file", raw.client_key_file.is_some()),
        ("scopes", raw.scopes.is_some()),
        ("cookie_key_file", raw.cookie_key_file.is_some()),
        ("session_lifetime", raw.session_lifetime.is_some()),
        ("client_key_id", raw.client_key_id.is_some()),
        ("tenant_id", raw.tenant_id.is_some()),
    ] {
        if present {
            return Err(invalid(
                &format!("identity.{key}"),
                "only for mode = \"oidc\"",
            ));
        }
    }
    Ok(())
}

fn oidc(
    raw: RawIdentity,
    resolve: &dyn Fn(PathBuf) -> PathBuf,
    env: Env<'_>,
) -> Result<Oidc, ConfigError> {
    for (key, present) in [
        ("header", raw.header.is_some()),
        ("trusted_proxies", raw.trusted_proxies.is_some()),
        ("allow_any_proxy", raw.allow_any_proxy),
        ("groups_header", raw.groups_header.is_some()),
        ("jwks_url", raw.jwks_url.is_some()),
        ("jwks_file", raw.jwks_file.is_some()),
        ("jwks_refresh", raw.jwks_refresh.is_some()),
        ("audience", raw.audience.is_some()),
    ] {
        if present {
            return Err(invalid(
                &format!("identity.{key}"),
                "not for mode = \"oidc\" (the provider's discovery document says where its keys are; the audience is client_id)",
            ));
        }
    }
    let issuer = raw
        .issuer
        .filter(|i| !i.is_empty())
        .ok_or_else(|| invalid("identity.issuer", "required: the provider's issuer URL"))?;
    let uri: Uri = issuer
        .parse()
        .map_err(|_| invalid("identity.issuer", "not a URL"))?;
    let https = uri.scheme() == Some(&Scheme::HTTPS);
    let loopback_http =
        uri.scheme() == Some(&Scheme::HTTP) && uri.host().is_some_and(is_loopback_host);
    if !(https || loopback_http) || uri.host().is_none() || uri.query().is_some() {
        return Err(invalid(
            "identity.issuer",
            "must be an https URL without a query (http only for a loopback address)",
        ));
    }
    let client_id = raw.client_id.filter(|c| !c.is_empty()).ok_or_else(|| {
        invalid(
            "identity.client_id",
            "required: the gateway's client id at the provider",
        )
    })?;
    let algorithm_name = raw.algorithm.as_deref().unwrap_or(defaults::OIDC_ALGORITHM);
    let algorithm = Algorithm::parse(algorithm_name).ok_or_else(|| {
        invalid(
            "identity.algorithm",
            format!("{algorithm_name:?}: expected RS256, ES256 or EdDSA"),
        )
    })?;
    let credential = |name: &str| {
        env("CREDENTIALS_DIRECTORY")
            .map(|dir| PathBuf::from(dir).join(name))
            .filter(|path| path.exists())
    };
    let secret_file = raw.client_secret_file.map(resolve).or_else(|| {
        raw.client_key_file
            .is_none()
            .then(|| credential(CLIENT_SECRET_CREDENTIAL))
            .flatten()
    });
    let (auth, auth_source) = match (secret_file, raw.client_key_file) {
        (Some(path), None) => {
            let mut text = read_secret("identity.client_secret_file", &path)?;
            let end = text.trim_end_matches(['\n', '\r']).len();
            let secret = text.get(..end).unwrap_or_default().to_owned();
            text.zeroize();
            if secret.is_empty() {
                return Err(invalid(
                    "identity.client_secret_file",
                    format!("{} is empty", path.display()),
                ));
            }
            (ClientAuth::Secret(secret.into()), path)
        }
        (None, Some(path)) => {
            let path = resolve(path);
            let mut key = crate::oidc::ClientKey::load(&path)?;
            (
                ClientAuth::PrivateKey {
                    pkcs8: std::mem::take(&mut key.pkcs8).into(),
                    algorithm: key.algorithm,
                    key_id: raw.client_key_id,
                },
                path,
            )
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                "identity.client_key_file",
                "give client_secret_file or client_key_file, not both",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "identity.client_secret_file",
                format!(
                    "required (or client_key_file, or a systemd credential named {CLIENT_SECRET_CREDENTIAL})"
                ),
            ));
        }
    };
    let mut scopes = raw.scopes.unwrap_or_else(|| {
        vec![
            "openid".to_owned(),
            "profile".to_owned(),
            "email".to_owned(),
        ]
    });
    if !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".to_owned());
    }
    if scopes.iter().any(|s| {
        s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    }) {
        return Err(invalid(
            "identity.scopes",
            "each scope is one word of printable ASCII",
        ));
    }
    let cookie_key_file = raw
        .cookie_key_file
        .map(resolve)
        .or_else(|| credential(COOKIE_KEY_CREDENTIAL));
    let cookie_key = match &cookie_key_file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            if bytes.len() < 32 {
                return Err(invalid(
                    "identity.cookie_key_file",
                    format!(
                        "{} must hold at least 32 bytes (make one with: head -c 32 /dev/urandom > file)",
                        path.display()
                    ),
                ));
            }
            Some(bytes.into())
        }
        None => None,
    };
    let session_lifetime = duration(
        "identity.session_lifetime",
        raw.session_lifetime.as_deref(),
        defaults::SESSION_LIFETIME,
    )?;
    if session_lifetime < Duration::from_secs(60)
        || session_lifetime > Duration::from_secs(7 * 86_400)
    {
        return Err(invalid(
            "identity.session_lifetime",
            "between 1 minute and 7 days",
        ));
    }
    let tenant_id = match raw.tenant_id {
        Some(t)
            if t.is_empty()
                || !t
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
        {
            return Err(invalid(
                "identity.tenant_id",
                "a tenant id: letters, digits, '-' and '.'",
            ));
        }
        other => other,
    };
    Ok(Oidc {
        issuer,
        tenant_id,
        client_id,
        auth,
        auth_source,
        scopes,
        algorithm,
        user_claim: raw.claim.unwrap_or_else(|| defaults::OIDC_CLAIM.to_owned()),
        groups_claim: raw.groups_claim,
        leeway: leeway(raw.leeway.as_deref())?,
        cookie_key,
        cookie_key_file,
        session_lifetime,
    })
}

fn trusted_proxies(list: &[String], allow_any: bool) -> Result<TrustedProxies, ConfigError> {
    let key = "identity.trusted_proxies";
    if list.is_empty() {
        return Err(invalid(key, "at least one CIDR, or \"unix\""));
    }
    let mut trusted = TrustedProxies {
        nets: Vec::new(),
        unix: false,
    };
    for entry in list {
        if entry == "unix" {
            trusted.unix = true;
            continue;
        }
        let net = entry
            .parse::<IpNet>()
            .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                invalid(
                    key,
                    format!("{entry:?} is not a CIDR, an address, or \"unix\""),
                )
            })?;
        if net.prefix_len() == 0 && !allow_any {
            return Err(invalid(
                key,
                format!(
                    "{entry} trusts every address to name the user; set allow_any_proxy = true if the network really guarantees that only the proxy reaches the gateway"
                ),
            ));
        }
        trusted.nets.push(net.trunc());
    }
    Ok(trusted)
}

fn technicians(
    raw: RawTechnicians,
    resolve: &dyn Fn(PathBuf) -> PathBuf,
    identity: &Identity,
) -> Result<Rules, ConfigError> {
    let template = Template::parse_option(raw.sso_id.as_deref().unwrap_or(defaults::SSO_ID))
        .map_err(|reason| invalid("technicians.sso_id", reason))?;
    if template.is_none() && raw.map_file.is_none() {
        return Err(invalid(
            "technicians.sso_id",
            "an empty template leaves only the map file's users, and there is no map_file",
        ));
    }
    let map = match raw.map_file {
        Some(path) => {
            let path = resolve(path);
            Some(MapFile::load(&path, raw.strip_domain, raw.lowercase)?)
        }
        None => None,
    };
    let allowed_groups = match raw.allowed_groups {
        Some(groups) if groups.is_empty() => {
            return Err(invalid(
                "technicians.allowed_groups",
                "at least one group, or leave it out",
            ));
        }
        Some(groups) => {
            let has_groups = match identity {
                Identity::TrustedHeader { groups_header, .. } => groups_header.is_some(),
                Identity::JwtAssertion { groups_claim, .. } => groups_claim.is_some(),
                Identity::Oidc(oidc) => oidc.groups_claim.is_some(),
                Identity::Demo { .. } => false,
            };
            if !has_groups {
                return Err(invalid(
                    "technicians.allowed_groups",
                    "needs identity.groups_header (trusted-header) or identity.groups_claim (jwt-assertion, oidc)",
                ));
            }
            Some(groups)
        }
        None => None,
    };
    Ok(Rules::new(
        template,
        raw.strip_domain,
        raw.lowercase,
        map,
        allowed_groups,
    ))
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The effective settings, as TOML, secrets redacted: what
/// `rescue-sso gateway --check-config` prints.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = |s: &str| format!("{s:?}");
        writeln!(f, "listen = {}", q(&self.listen.to_string()))?;
        match &self.public_url {
            Some(url) => writeln!(f, "public_url = {}", q(url.as_str()))?,
            None => writeln!(f, "# public_url: the bound loopback address")?,
        }
        if let Some(tls) = &self.tls {
            writeln!(f, "\n[tls]")?;
            writeln!(f, "cert_file = {}", q(&tls.cert_file.display().to_string()))?;
            writeln!(f, "key_file = {}", q(&tls.key_file.display().to_string()))?;
        }
        let r = &self.rescue;
        writeln!(f, "\n[rescue]")?;
        writeln!(f, "endpoint = {}", q(&r.endpoint.to_string()))?;
        writeln!(f, "company_id = {}", q(&r.company_id.to_string()))?;
        let source = match &r.password_source {
            PasswordSource::File(path) => format!("from {}", path.display()),
            PasswordSource::Credential(path) => {
                format!("from the systemd credential {}", path.display())
            }
            PasswordSource::Environment => format!("from {PASSWORD_ENV}"),
            PasswordSource::Given => "given in code".to_owned(),
        };
        writeln!(f, "# password: [redacted], {source}")?;
        if let Some(ca) = &r.ca_file {
            writeln!(f, "ca_file = {}", q(&ca.display().to_string()))?;
        }
        writeln!(
            f,
            "timeout = {}",
            q(&humantime::format_duration(r.timeout).to_string())
        )?;
        writeln!(f, "keep_warm = {}", r.keep_warm)?;
        writeln!(f, "\n[identity]")?;
        match &self.identity {
            Identity::TrustedHeader {
                header,
                trusted,
                groups_header,
            } => {
                writeln!(f, "mode = \"trusted-header\"")?;
                writeln!(f, "header = {}", q(header.as_str()))?;
                let mut list: Vec<String> = trusted.nets.iter().map(ToString::to_string).collect();
                if trusted.unix {
                    list.push("unix".to_owned());
                }
                writeln!(f, "trusted_proxies = {list:?}")?;
                // Only allow_any_proxy lets a /0 through; say so, so that
                // what is printed is a valid file.
                if trusted.nets.iter().any(|net| net.prefix_len() == 0) {
                    writeln!(f, "allow_any_proxy = true")?;
                }
                if let Some(g) = groups_header {
                    writeln!(f, "groups_header = {}", q(g.as_str()))?;
                }
            }
            Identity::JwtAssertion {
                header,
                jwks,
                algorithm,
                issuer,
                audience,
                user_claim,
                groups_claim,
                leeway,
            } => {
                writeln!(f, "mode = \"jwt-assertion\"")?;
                writeln!(f, "header = {}", q(header.as_str()))?;
                match jwks {
                    Jwks::Url { url, refresh } => {
                        writeln!(f, "jwks_url = {}", q(&url.to_string()))?;
                        writeln!(
                            f,
                            "jwks_refresh = {}",
                            q(&humantime::format_duration(*refresh).to_string())
                        )?;
                    }
                    Jwks::File(path) => {
                        writeln!(f, "jwks_file = {}", q(&path.display().to_string()))?
                    }
                }
                writeln!(f, "algorithm = {}", q(algorithm.as_str()))?;
                writeln!(f, "issuer = {}", q(issuer))?;
                writeln!(f, "audience = {}", q(audience))?;
                writeln!(f, "claim = {}", q(user_claim))?;
                if let Some(g) = groups_claim {
                    writeln!(f, "groups_claim = {}", q(g))?;
                }
                writeln!(
                    f,
                    "leeway = {}",
                    q(&humantime::format_duration(*leeway).to_string())
                )?;
            }
            Identity::Oidc(o) => {
                writeln!(f, "mode = \"oidc\"")?;
                writeln!(f, "issuer = {}", q(&o.issuer))?;
                if let Some(t) = &o.tenant_id {
                    writeln!(f, "tenant_id = {}", q(t))?;
                }
                writeln!(f, "client_id = {}", q(&o.client_id))?;
                match &o.auth {
                    ClientAuth::Secret(_) => writeln!(
                        f,
                        "# client secret: [redacted], from {}",
                        o.auth_source.display()
                    )?,
                    ClientAuth::PrivateKey {
                        algorithm, key_id, ..
                    } => {
                        writeln!(
                            f,
                            "client_key_file = {}",
                            q(&o.auth_source.display().to_string())
                        )?;
                        writeln!(f, "# client key: {}, [redacted]", algorithm.as_str())?;
                        if let Some(kid) = key_id {
                            writeln!(f, "client_key_id = {}", q(kid))?;
                        }
                    }
                }
                writeln!(f, "scopes = {:?}", o.scopes)?;
                writeln!(f, "algorithm = {}", q(o.algorithm.as_str()))?;
                writeln!(f, "claim = {}", q(&o.user_claim))?;
                if let Some(g) = &o.groups_claim {
                    writeln!(f, "groups_claim = {}", q(g))?;
                }
                writeln!(
                    f,
                    "leeway = {}",
                    q(&humantime::format_duration(o.leeway).to_string())
                )?;
                match &o.cookie_key_file {
                    Some(path) => writeln!(f, "# cookie key: [redacted], from {}", path.display())?,
                    None => writeln!(
                        f,
                        "# cookie key: made at start (sessions end when the gateway restarts)"
                    )?,
                }
                writeln!(
                    f,
                    "session_lifetime = {}",
                    q(&humantime::format_duration(o.session_lifetime).to_string())
                )?;
            }
            Identity::Demo { user } => {
                writeln!(
                    f,
                    "# mode: the demo's built-in user {user:?}, from loopback peers only"
                )?;
            }
        }
        writeln!(f, "\n[technicians]")?;
        write!(f, "{}", self.technicians)?;
        writeln!(f, "\n[launch]")?;
        let consoles: Vec<&str> = self.consoles.iter().map(|c| c.as_str()).collect();
        writeln!(f, "consoles = {consoles:?}")?;
        writeln!(f, "\n[limits]")?;
        writeln!(f, "per_user = {}", q(&self.per_user.to_string()))?;
        writeln!(f, "\n[audit]")?;
        match &self.audit {
            Some(path) => writeln!(f, "file = {}", q(&path.display().to_string()))?,
            None => writeln!(f, "# file: standard output")?,
        }
        writeln!(f, "\n[server]")?;
        writeln!(
            f,
            "header_read_timeout = {}",
            q(&humantime::format_duration(self.server.header_read_timeout).to_string())
        )?;
        writeln!(
            f,
            "shutdown_grace = {}",
            q(&humantime::format_duration(self.server.shutdown_grace).to_string())
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const EXAMPLE: &str = include_str!("../../../docs/gateway.example.toml");
    const SECRET: &str = "Example-Master-Pa55";

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).map(OsString::from)
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            Path::new("/nonexistent"),
            &env(&[(PASSWORD_ENV, SECRET)]),
        )
    }

    fn error(text: &str) -> String {
        parse(text).map(|_| ()).unwrap_err().to_string()
    }

    const MINIMAL: &str = "listen = \"127.0.0.1:0\"\n[rescue]\ncompany_id = \"1\"\n[identity]\nmode = \"trusted-header\"\ntrusted_proxies = [\"127.0.0.1\"]\n";

    #[test]
    fn the_example_file_is_valid_and_shows_its_defaults() {
        let config = parse(EXAMPLE).expect("the example parses");
        let shown = config.to_string();
        assert!(
            shown.contains("public_url = \"https://rescue.intranet.example\""),
            "{shown}"
        );
        assert!(shown.contains("per_user = \"10/minute\""), "{shown}");
        assert!(
            shown.contains("trusted_proxies = [\"127.0.0.1/32\", \"::1/128\"]"),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("# password: [redacted], from {PASSWORD_ENV}")),
            "{shown}"
        );
        assert!(!shown.contains(SECRET));
        assert!(!format!("{config:?}").contains(SECRET));
        // The effective settings are themselves a valid file.
        assert!(parse(&shown).is_ok(), "{shown}");
    }

    /// Every `toml` block of docs/gateway.md, with its files made up in a
    /// scratch folder standing for `/etc/rescue-sso`.
    #[test]
    fn the_deployment_examples_in_docs_gateway_md_are_valid() {
        let doc = include_str!("../../../docs/gateway.md");
        let dir = std::env::temp_dir().join(format!("rescue-sso-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("password"), "from-a-file\n").expect("write");
        std::fs::write(dir.join("client-secret"), "a-client-secret\n").expect("write");
        std::fs::write(dir.join("cookie-key"), [1u8; 32]).expect("write");
        std::fs::write(
            dir.join("technicians.csv"),
            "alice,alice.tech\nCORP\\bob,1002\n",
        )
        .expect("write");
        let blocks: Vec<&str> = doc
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .collect();
        assert!(blocks.len() >= 4, "one per identity mode and proxy");
        let mut modes = Vec::new();
        for block in blocks {
            let text = block.replace("/etc/rescue-sso/", &format!("{}/", dir.display()));
            let config = parse(&text).unwrap_or_else(|e| panic!("{e}\n{block}"));
            modes.push(match config.identity {
                Identity::TrustedHeader { .. } => "trusted-header",
                Identity::JwtAssertion { .. } => "jwt-assertion",
                Identity::Oidc(_) => "oidc",
                Identity::Demo { .. } => "demo",
            });
        }
        for mode in ["trusted-header", "jwt-assertion", "oidc"] {
            assert!(modes.contains(&mode), "an example of {mode}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn defaults_fill_a_minimal_file() {
        let config = parse(MINIMAL).expect("minimal");
        assert_eq!(
            config.per_user,
            Quota {
                count: 10,
                per: Duration::from_secs(60)
            }
        );
        assert_eq!(config.consoles.len(), 3);
        assert_eq!(config.rescue.timeout, Duration::from_secs(10));
        assert_eq!(config.rescue.endpoint.to_string(), DEFAULT_ENDPOINT);
        assert!(
            matches!(&config.identity, Identity::TrustedHeader { header, .. } if header == "remote-user")
        );
    }

    #[test]
    fn who_may_name_the_user_is_never_assumed() {
        let without = MINIMAL.replace("trusted_proxies = [\"127.0.0.1\"]\n", "");
        assert!(error(&without).contains("identity.trusted_proxies: required"));
        for any in ["0.0.0.0/0", "::/0"] {
            let text = MINIMAL.replace("[\"127.0.0.1\"]", &format!("[\"{any}\"]"));
            assert!(error(&text).contains("allow_any_proxy"), "{any}");
            let allowed = text.replace("[identity]\n", "[identity]\nallow_any_proxy = true\n");
            // The effective settings, as --check-config prints them, say so
            // too, and are themselves a valid file.
            let shown = parse(&allowed).expect(any).to_string();
            assert!(shown.contains("allow_any_proxy = true"), "{shown}");
            assert!(parse(&shown).is_ok(), "{shown}");
        }
        let unix = MINIMAL.replace("[\"127.0.0.1\"]", "[\"unix\", \"10.1.2.0/24\"]");
        let config = parse(&unix).expect("unix");
        let Identity::TrustedHeader { trusted, .. } = &config.identity else {
            panic!("mode");
        };
        assert!(trusted.unix);
        assert!(trusted.trusts_ip("10.1.2.9".parse().expect("ip")));
        assert!(
            trusted.trusts_ip("::ffff:10.1.2.9".parse().expect("ip")),
            "IPv4-mapped"
        );
        assert!(!trusted.trusts_ip("10.1.3.9".parse().expect("ip")));
        assert!(error(&MINIMAL.replace("[\"127.0.0.1\"]", "[]")).contains("at least one"));
        assert!(
            error(&MINIMAL.replace("[\"127.0.0.1\"]", "[\"proxy.corp\"]")).contains("not a CIDR")
        );
    }

    #[test]
    fn the_public_url_is_https_and_required_off_loopback() {
        let public = MINIMAL.replace("127.0.0.1:0", "0.0.0.0:8080");
        assert!(error(&public).contains("public_url: required"));
        let http = public.replace("[rescue]", "public_url = \"http://gw.example\"\n[rescue]");
        assert!(error(&http).contains("must be https"));
        for bad in [
            "https://gw.example/path",
            "https://u@gw.example",
            "https://gw.example/?q",
            "gw.example",
        ] {
            let text = public.replace("[rescue]", &format!("public_url = \"{bad}\"\n[rescue]"));
            assert!(parse(&text).is_err(), "{bad}");
        }
        let ok = public.replace(
            "[rescue]",
            "public_url = \"https://GW.example:443/\"\n[rescue]",
        );
        assert_eq!(
            parse(&ok).expect("ok").public_url.map(|o| o.serialized),
            Some("https://gw.example".to_owned())
        );
        assert_eq!(
            Origin::parse("https://gw.example:8443")
                .expect("port")
                .as_str(),
            "https://gw.example:8443"
        );
        assert!(Origin::parse("http://127.0.0.1:8080").is_ok());
    }

    #[test]
    fn jwt_mode_needs_its_keys_algorithm_issuer_and_audience() {
        let jwt = "listen = \"127.0.0.1:0\"\n[rescue]\ncompany_id = \"1\"\n[identity]\nmode = \"jwt-assertion\"\nheader = \"Cf-Access-Jwt-Assertion\"\njwks_url = \"https://team.cloudflareaccess.com/cdn-cgi/access/certs\"\nalgorithm = \"RS256\"\nissuer = \"https://team.cloudflareaccess.com\"\naudience = \"aud-tag\"\n";
        let config = parse(jwt).expect("jwt");
        assert!(matches!(
            &config.identity,
            Identity::JwtAssertion { algorithm: Algorithm::Rs256, user_claim, .. } if user_claim == "email"
        ));
        for (from, to, says) in [
            (
                "algorithm = \"RS256\"\n",
                "",
                "identity.algorithm: required",
            ),
            (
                "algorithm = \"RS256\"",
                "algorithm = \"HS256\"",
                "expected ES256, RS256 or EdDSA",
            ),
            (
                "algorithm = \"RS256\"",
                "algorithm = \"none\"",
                "expected ES256, RS256 or EdDSA",
            ),
            (
                "issuer = \"https://team.cloudflareaccess.com\"\n",
                "",
                "identity.issuer: required",
            ),
            (
                "audience = \"aud-tag\"\n",
                "",
                "identity.audience: required",
            ),
            (
                "https://team.cloudflareaccess.com/cdn-cgi",
                "http://team.cloudflareaccess.com/cdn-cgi",
                "must be https",
            ),
            (
                "jwks_url",
                "jwks_file = \"k.json\"\njwks_url",
                "exactly one",
            ),
            (
                "header = \"Cf-Access-Jwt-Assertion\"\n",
                "",
                "identity.header: required",
            ),
            (
                "mode = \"jwt-assertion\"\n",
                "mode = \"jwt-assertion\"\ntrusted_proxies = [\"127.0.0.1\"]\n",
                "only for mode = \"trusted-header\"",
            ),
            // A skew, not a lifetime: a token that expired days ago is not
            // to be let in by a typo.
            (
                "audience = \"aud-tag\"\n",
                "audience = \"aud-tag\"\nleeway = \"100000d\"\n",
                "identity.leeway: must be from 0s to 5m",
            ),
            // The proxy's key server is not to be fetched in a loop.
            (
                "audience = \"aud-tag\"\n",
                "audience = \"aud-tag\"\njwks_refresh = \"1ms\"\n",
                "identity.jwks_refresh: must be from 10s to 1day",
            ),
            // Credentials in the URL would never be sent, and would show.
            (
                "https://team.cloudflareaccess.com/cdn-cgi",
                "https://user:secret@team.cloudflareaccess.com/cdn-cgi",
                "identity.jwks_url: must not hold a user name or password",
            ),
            // A key file is read as the configuration is, so --check-config
            // fails on it as serving would.
            (
                "jwks_url = \"https://team.cloudflareaccess.com/cdn-cgi/access/certs\"",
                "jwks_file = \"keys.json\"",
                "identity.jwks_file: /nonexistent/keys.json: ",
            ),
        ] {
            let text = jwt.replace(from, to);
            assert!(
                error(&text).contains(says),
                "{from} -> {to}: {}",
                error(&text)
            );
        }
        for fine in [
            "leeway = \"0s\"",
            "leeway = \"5m\"",
            "jwks_refresh = \"10s\"",
        ] {
            let text = jwt.replace(
                "audience = \"aud-tag\"\n",
                &format!("audience = \"aud-tag\"\n{fine}\n"),
            );
            assert!(parse(&text).is_ok(), "{fine}: {}", error(&text));
        }
        assert!(
            error(&MINIMAL.replace("[identity]\n", "[identity]\nissuer = \"x\"\n"))
                .contains("only for mode = \"jwt-assertion\"")
        );
        assert!(
            error(&MINIMAL.replace(
                "trusted-header\"\ntrusted_proxies = [\"127.0.0.1\"]",
                "oidc\""
            ))
            .contains("identity.issuer: required")
        );
        assert!(error(&MINIMAL.replace("trusted-header", "magic")).contains("expected"));
    }

    /// `mode = "oidc"`: what it needs, what it refuses, and that neither
    /// the client secret nor the cookie key ever shows.
    #[test]
    fn oidc_mode_is_checked_and_its_secrets_never_show() {
        let dir =
            std::env::temp_dir().join(format!("rescue-sso-oidc-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("secret"), "Client-S3cret-Value\n").expect("write");
        std::fs::write(dir.join("short-key"), [1u8; 16]).expect("write");
        std::fs::write(
            dir.join("cookie-key"),
            b"Cookie-Key-Material-0123456789abcdef",
        )
        .expect("write");
        let base =
            "listen = \"127.0.0.1:0\"\n[rescue]\ncompany_id = \"1\"\n[identity]\nmode = \"oidc\"\n";
        let good = "issuer = \"https://idp.example/realms/x\"\nclient_id = \"gw\"\nclient_secret_file = \"secret\"\n";
        let parse_in = |text: &str| {
            Config::parse(
                &format!("{base}{text}"),
                &dir,
                &env(&[(PASSWORD_ENV, SECRET)]),
            )
        };
        let error_in = |text: &str| parse_in(text).map(|_| ()).unwrap_err().to_string();

        let config = parse_in(&format!("{good}cookie_key_file = \"cookie-key\"\n")).expect("valid");
        let Identity::Oidc(oidc) = &config.identity else {
            panic!("oidc")
        };
        assert_eq!(oidc.user_claim, "preferred_username");
        assert_eq!(oidc.algorithm, Algorithm::Rs256);
        assert_eq!(oidc.scopes, ["openid", "profile", "email"]);
        assert_eq!(oidc.session_lifetime, Duration::from_secs(8 * 3600));
        for shown in [config.to_string(), format!("{config:?}")] {
            assert!(!shown.contains("Client-S3cret"), "{shown}");
            assert!(!shown.contains("Cookie-Key-Material"), "{shown}");
        }

        for (text, says) in [
            (
                "client_id = \"gw\"\nclient_secret_file = \"secret\"\n",
                "identity.issuer: required",
            ),
            (
                &good.replace("https://idp.example", "http://idp.example")[..],
                "must be an https URL",
            ),
            (
                &good.replace("https://idp.example/realms/x", "https://idp.example/?x=1")[..],
                "without a query",
            ),
            (
                &good.replace("client_id = \"gw\"\n", "")[..],
                "identity.client_id: required",
            ),
            (
                &good.replace("client_secret_file = \"secret\"\n", "")[..],
                "identity.client_secret_file: required",
            ),
            (
                &format!("{good}client_key_file = \"secret\"\n")[..],
                "not both",
            ),
            (
                &format!("{good}cookie_key_file = \"short-key\"\n")[..],
                "at least 32 bytes",
            ),
            (
                &format!("{good}session_lifetime = \"30s\"\n")[..],
                "between 1 minute and 7 days",
            ),
            (
                &format!("{good}session_lifetime = \"30d\"\n")[..],
                "between 1 minute and 7 days",
            ),
            (
                &format!("{good}tenant_id = \"a/b\"\n")[..],
                "identity.tenant_id",
            ),
            (
                &format!("{good}scopes = [\"openid email\"]\n")[..],
                "one word",
            ),
            (
                &format!("{good}algorithm = \"HS256\"\n")[..],
                "expected RS256",
            ),
            (
                &format!("{good}audience = \"x\"\n")[..],
                "not for mode = \"oidc\"",
            ),
            (
                &format!("{good}trusted_proxies = [\"127.0.0.1\"]\n")[..],
                "not for mode = \"oidc\"",
            ),
        ] {
            let got = error_in(text);
            assert!(got.contains(says), "{text}: {got}");
        }
        // Keys of oidc are refused in the other modes.
        assert!(
            error(&format!("{MINIMAL}client_id = \"x\"\n")).contains("only for mode = \"oidc\"")
        );
        // openid is always asked for.
        let config = parse_in(&format!("{good}scopes = [\"profile\"]\n")).expect("valid");
        let Identity::Oidc(oidc) = &config.identity else {
            panic!("oidc")
        };
        assert_eq!(oidc.scopes, ["openid", "profile"]);
        // The secret as a systemd credential.
        let credentials = dir.join("creds");
        std::fs::create_dir_all(&credentials).expect("dir");
        std::fs::write(credentials.join(CLIENT_SECRET_CREDENTIAL), "from-systemd\n")
            .expect("write");
        let config = Config::parse(
            &format!("{base}issuer = \"https://idp.example\"\nclient_id = \"gw\"\n"),
            &dir,
            &env(&[
                (PASSWORD_ENV, SECRET),
                (
                    "CREDENTIALS_DIRECTORY",
                    credentials.to_str().expect("utf-8"),
                ),
            ]),
        )
        .expect("valid");
        let Identity::Oidc(oidc) = &config.identity else {
            panic!("oidc")
        };
        assert_eq!(oidc.auth_source, credentials.join(CLIENT_SECRET_CREDENTIAL));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn values_are_checked() {
        for (from, to, says) in [
            (
                "[rescue]\n",
                "[rescue]\ntimeout = \"soon\"\n",
                "rescue.timeout",
            ),
            (
                "[rescue]\n",
                "[rescue]\ntimeout = \"0s\"\n",
                "longer than zero",
            ),
            (
                "company_id = \"1\"",
                "company_id = \"12a\"",
                "rescue.company_id",
            ),
            (
                "[rescue]\n",
                "[rescue]\nendpoint = \"http://rescue.example\"\n",
                "rescue.endpoint",
            ),
            (
                "listen = \"127.0.0.1:0\"",
                "listen = \"localhost:80\"",
                "listen",
            ),
            ("listen = \"127.0.0.1:0\"", "listen = \"unix:\"", "listen"),
            // The TLS files are read with the configuration, so that
            // --check-config fails on them as serving would.
            (
                "listen = \"127.0.0.1:0\"\n",
                "listen = \"127.0.0.1:0\"\n[tls]\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n",
                "tls: /nonexistent/cert.pem: ",
            ),
        ] {
            let text = MINIMAL.replace(from, to);
            assert!(error(&text).contains(says), "{to}: {}", error(&text));
        }
        for (limit, ok) in [
            ("3/second", true),
            ("1/hour", true),
            ("0/minute", false),
            ("5/day", false),
            ("five/minute", false),
        ] {
            let text = format!("{MINIMAL}[limits]\nper_user = \"{limit}\"\n");
            assert_eq!(parse(&text).is_ok(), ok, "{limit}");
        }
        for (consoles, ok) in [
            ("[\"web\"]", true),
            ("[\"dtc64\", \"dtc64\"]", true),
            ("[]", false),
            ("[\"mac\"]", false),
        ] {
            let text = format!("{MINIMAL}[launch]\nconsoles = {consoles}\n");
            assert_eq!(parse(&text).is_ok(), ok, "{consoles}");
        }
        for template in ["\"{user}@corp\"", "\"x-{user}\""] {
            assert!(parse(&format!("{MINIMAL}[technicians]\nsso_id = {template}\n")).is_ok());
        }
        assert!(error(&format!("{MINIMAL}[technicians]\nsso_id = \"\"\n")).contains("no map_file"));
        assert!(
            error(&format!(
                "{MINIMAL}[technicians]\nallowed_groups = [\"a\"]\n"
            ))
            .contains("needs identity.groups_header")
        );
        assert!(error(&format!("{MINIMAL}surprise = 1\n")).contains("unknown field"));
    }

    #[test]
    fn the_password_comes_from_a_file_a_credential_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("rescue-sso-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("password");
        std::fs::write(&file, "from-the-file\r\n").expect("write");
        let credentials = dir.join("creds");
        std::fs::create_dir_all(&credentials).expect("dir");
        std::fs::write(credentials.join(CREDENTIAL_NAME), "from-systemd\n").expect("write");
        let with_file = MINIMAL.replace(
            "[rescue]\n",
            &format!("[rescue]\npassword_file = \"{}\"\n", file.display()),
        );
        let all = env(&[
            (
                "CREDENTIALS_DIRECTORY",
                credentials.to_str().expect("utf-8"),
            ),
            (PASSWORD_ENV, "from-env"),
        ]);
        let got = |text: &str, env: &dyn Fn(&str) -> Option<OsString>| {
            Config::parse(text, &dir, env).map(|c| c.rescue.password.expose_secret().to_owned())
        };
        assert_eq!(got(&with_file, &all).expect("file"), "from-the-file");
        assert_eq!(got(MINIMAL, &all).expect("credential"), "from-systemd");
        assert_eq!(
            got(MINIMAL, &env(&[(PASSWORD_ENV, "from-env")])).expect("env"),
            "from-env"
        );
        let none = got(MINIMAL, &env(&[])).unwrap_err().to_string();
        assert!(none.contains("no master SSO password"), "{none}");
        std::fs::write(&file, "bad\u{1}value").expect("write");
        let bad = got(&with_file, &all).unwrap_err().to_string();
        assert!(
            !bad.contains("bad"),
            "the error never shows the value: {bad}"
        );
        assert!(bad.starts_with("rescue.password_file: "), "{bad}");

        // A password that cannot be used names where it came from, which
        // is not always a key of the file.
        std::fs::write(credentials.join(CREDENTIAL_NAME), "bad\u{1}value\n").expect("write");
        let bad = got(MINIMAL, &all).unwrap_err().to_string();
        assert!(
            bad.starts_with(&format!("systemd credential {CREDENTIAL_NAME}: ")),
            "{bad}"
        );
        assert!(!bad.contains("bad"), "{bad}");
        let bad = got(MINIMAL, &env(&[(PASSWORD_ENV, "bad\u{1}value")]))
            .unwrap_err()
            .to_string();
        assert!(bad.starts_with(&format!("{PASSWORD_ENV}: ")), "{bad}");
        assert!(!bad.contains("bad"), "{bad}");
        std::fs::write(credentials.join(CREDENTIAL_NAME), b"\xff\xfe\n").expect("write");
        let bad = got(MINIMAL, &all).unwrap_err().to_string();
        assert!(
            bad.starts_with(&format!("systemd credential {CREDENTIAL_NAME}: ")),
            "{bad}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
