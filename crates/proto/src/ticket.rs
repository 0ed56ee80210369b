//! The validated login ticket, and the checks a URL passes before anyone may
//! send a browser to it.

use std::borrow::Cow;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use crate::ascii::strip_prefix_ignore_case;
use crate::endpoint::Endpoint;
use crate::error::TicketUrlError;
use crate::input::{Arch, CompanyId};

/// Which console a ticket starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Console {
    /// The Desktop Technician Console (`getDTCLoginTicket`).
    Desktop,
    /// The web Technician Console (`getLoginTicket`).
    Web,
}

impl Console {
    /// The documented path of this console's ticket URL.
    pub fn ticket_path(self) -> &'static str {
        match self {
            Console::Desktop => "/TechConsole/DesktopApp/DownloadSSO.aspx",
            Console::Web => "/SSO/Login.aspx",
        }
    }
}

/// A one-time login URL that Rescue issued and this crate validated.
///
/// The URL is a bearer credential: whoever opens it is logged in as the
/// technician. `Debug` therefore redacts the ticket, there is no `Display`,
/// the URL is zeroized on drop, and it comes out only through
/// [`LoginTicket::expose_url`].
#[derive(Clone)]
pub struct LoginTicket {
    console: Console,
    url: SecretString,
    company_id: CompanyId,
    /// The ticket GUID, canonical hyphenated form, as Rescue wrote it.
    ticket: [u8; GUID_LEN],
    arch: Arch,
}

/// A hyphenated GUID's length.
const GUID_LEN: usize = 36;

impl Drop for LoginTicket {
    fn drop(&mut self) {
        self.ticket.zeroize();
    }
}

impl LoginTicket {
    /// The URL to redirect the technician's browser to.
    pub fn expose_url(&self) -> &str {
        self.url.expose_secret()
    }

    /// The ticket GUID, in the canonical hyphenated form
    /// (`8-4-4-4-12` hex digits), as Rescue wrote it. As secret as the URL.
    pub fn expose_ticket(&self) -> &str {
        // Only ASCII hex digits and hyphens are ever stored.
        std::str::from_utf8(&self.ticket).unwrap_or_default()
    }

    /// Which console the URL starts.
    pub fn console(&self) -> Console {
        self.console
    }

    /// The company the ticket was issued for (checked against the one sent).
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }

    /// The console architecture (checked against the one asked for).
    pub fn arch(&self) -> Arch {
        self.arch
    }
}

impl fmt::Debug for LoginTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginTicket")
            .field("console", &self.console)
            .field("company_id", &self.company_id)
            .field("arch", &self.arch)
            .field("url", &"[redacted]")
            .finish()
    }
}

/// What the URL must match: what was asked for, and where it was asked.
pub(crate) struct Expected<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) console: Console,
    pub(crate) company_id: CompanyId,
    pub(crate) arch: Arch,
}

/// Validates `text` (the part after `OK:`) and builds the ticket.
///
/// The URL is taken apart by hand rather than with a general URL parser:
/// everything it accepts must equal something known (the endpoint's scheme,
/// host and port, the documented path, the parameters sent), so any
/// syntax a general parser would tolerate simply fails a comparison.
pub(crate) fn validate(text: &str, expected: &Expected<'_>) -> Result<LoginTicket, TicketUrlError> {
    // Every part of an accepted URL equals something known (the scheme, the
    // endpoint's host, digits, the documented path, the parameter names) or
    // is checked as digits, a GUID or `64` once percent-decoded, so an
    // accepted URL holds no whitespace, control, backslash, non-ASCII byte
    // or `#`: the bytes need screening only to say why a URL is refused.
    // A URL headed for a browser's address bar has none of them; those
    // reasons come first.
    // The URL Rescue sends, spelled as it spells it, takes a short path:
    // compared piece by piece with what it must be, nothing parsed. Any
    // other spelling goes through the general checks, which accept a
    // superset of it.
    if let Some(ticket) = as_expected(text, expected) {
        debug_assert!(structure(text, expected).is_ok());
        return Ok(ticket);
    }
    let checked = structure(text, expected);
    debug_assert!(checked.is_err() || screen(text.as_bytes()) == (0, 0));
    checked.map_err(|err| {
        let (bad, hash) = screen(text.as_bytes());
        if bad != 0 {
            TicketUrlError::Malformed
        } else if hash != 0 {
            TicketUrlError::Fragment
        } else {
            err
        }
    })
}

/// `text` if it is exactly the URL expected, case aside where URLs ignore
/// case: the endpoint's scheme and authority as configured, the console's
/// path, then `companyid=<the company>&ticket=<GUID>[&arch=64]` (desktop)
/// or `Ticket=<GUID>` (web). `None` for anything else, even if valid.
fn as_expected(text: &str, expected: &Expected<'_>) -> Option<LoginTicket> {
    let take = strip_prefix_ignore_case;
    let scheme: &[u8] = if expected.endpoint.is_https() {
        b"https://"
    } else {
        b"http://"
    };
    let rest = take(text.as_bytes(), scheme)?;
    let rest = take(rest, expected.endpoint.authority().as_str().as_bytes())?;
    let rest = take(rest, expected.console.ticket_path().as_bytes())?;
    let rest = match expected.console {
        Console::Desktop => {
            let rest = take(rest, b"?companyid=")?;
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let (company, rest) = rest.split_at_checked(digits)?;
            // At most 19 digits fit a u64; more go the general way.
            let sent = (1..=19).contains(&digits).then(|| {
                company
                    .iter()
                    .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'))
            })?;
            if sent != expected.company_id.get() {
                return None;
            }
            take(rest, b"&ticket=")?
        }
        Console::Web => take(rest, b"?ticket=")?,
    };
    let (ticket, rest) = rest.split_at_checked(GUID_LEN)?;
    let ticket = guid(ticket)?;
    let done = match (expected.console, expected.arch) {
        (Console::Desktop, Arch::X64) => take(rest, b"&arch=64")?.is_empty(),
        _ => rest.is_empty(),
    };
    done.then(|| LoginTicket {
        console: expected.console,
        url: SecretString::from(text),
        company_id: expected.company_id,
        ticket,
        arch: expected.arch,
    })
}

/// The checks of [`validate`] but the byte screen.
fn structure(text: &str, expected: &Expected<'_>) -> Result<LoginTicket, TicketUrlError> {
    let bytes = text.as_bytes();
    // The scheme: `https://` is the answer every time, so it is checked
    // first; anything else is told apart below.
    let (https, rest) = match bytes.get(..8) {
        Some(head) if head.eq_ignore_ascii_case(b"https://") => (true, text.get(8..).unwrap_or("")),
        _ => other_scheme(text, expected)?,
    };
    let rest_bytes = rest.as_bytes();
    let authority_end = rest_bytes
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(rest_bytes.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    if authority.as_bytes().contains(&b'@') {
        return Err(TicketUrlError::UserInfo);
    }
    let (host, port) = split_host_port(authority).ok_or(TicketUrlError::Malformed)?;
    if !expected.endpoint.trusts_ticket_parts(https, host, port) {
        return Err(TicketUrlError::Host);
    }
    let (path, query) = match path_and_query.as_bytes().iter().position(|&b| b == b'?') {
        Some(at) => (
            path_and_query.get(..at).unwrap_or(""),
            path_and_query.get(at + 1..).unwrap_or(""),
        ),
        None => (path_and_query, ""),
    };
    if !path.eq_ignore_ascii_case(expected.console.ticket_path()) {
        return Err(TicketUrlError::Path);
    }
    let params = QueryParams::parse(query)?;
    let ticket = params
        .ticket
        .as_deref()
        .and_then(|t| guid(t.as_bytes()))
        .ok_or(TicketUrlError::Ticket)?;
    match (expected.console, params.company_id.as_deref()) {
        (_, Some(sent)) if CompanyId::new(sent) == Ok(expected.company_id) => {}
        (Console::Web, None) => {}
        _ => return Err(TicketUrlError::CompanyId),
    }
    match (expected.console, expected.arch, params.arch.as_deref()) {
        (_, Arch::X64, Some("64")) | (_, Arch::Default, None) | (Console::Web, _, None) => {}
        _ => return Err(TicketUrlError::Arch),
    }
    Ok(LoginTicket {
        console: expected.console,
        url: SecretString::from(text),
        company_id: expected.company_id,
        ticket,
        arch: expected.arch,
    })
}

/// Whether `bytes` hold a byte a URL may not (a control, a space, a
/// backslash, anything not ASCII), and whether they hold a `#`: byte-wide
/// reductions without branches, which the compiler vectorises.
fn screen(bytes: &[u8]) -> (u8, u8) {
    bytes.iter().fold((0u8, 0u8), |(bad, hash), &b| {
        (
            bad | u8::from(matches!(b, 0..=b' ' | 0x7f.. | b'\\')),
            hash | u8::from(b == b'#'),
        )
    })
}

/// A URL that does not start with `https://` (in any letter case, so its
/// scheme is not `https`): `http` to a plain-http endpoint, or the error it
/// is.
fn other_scheme<'t>(
    text: &'t str,
    expected: &Expected<'_>,
) -> Result<(bool, &'t str), TicketUrlError> {
    let (scheme, rest) = text.split_once("://").ok_or(TicketUrlError::Malformed)?;
    if scheme.eq_ignore_ascii_case("http") && !expected.endpoint.is_https() {
        Ok((false, rest))
    } else if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        Err(TicketUrlError::Malformed)
    } else {
        Err(TicketUrlError::Scheme)
    }
}

/// `host[:port]`, with IPv6 literals in brackets. `None` if malformed.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.as_bytes().iter().position(|&b| b == b':') {
            Some(at) => (
                authority.get(..at).unwrap_or(""),
                Some(authority.get(at + 1..).unwrap_or("")),
            ),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// Only the canonical hyphenated form: Rescue writes it that way, and a
/// looser parse would accept URLs no real ticket has.
fn guid(text: &[u8]) -> Option<[u8; GUID_LEN]> {
    let bytes: [u8; GUID_LEN] = text.try_into().ok()?;
    uuid::Uuid::try_parse_ascii(&bytes).ok()?;
    Some(bytes)
}

#[derive(Default)]
struct QueryParams<'a> {
    company_id: Option<Cow<'a, str>>,
    ticket: Option<Cow<'a, str>>,
    arch: Option<Cow<'a, str>>,
}

impl<'a> QueryParams<'a> {
    /// Splits `name=value` pairs by hand: names must be spelled out (an
    /// encoded name is an unexpected parameter), and values are
    /// percent-decoded, strictly as UTF-8, only when they contain `%`. A `+`
    /// is left alone: no value of a ticket URL may contain a space, so the
    /// checks after this refuse it either way.
    fn parse(query: &'a str) -> Result<Self, TicketUrlError> {
        let mut params = QueryParams::default();
        let mut rest = query;
        while !rest.is_empty() {
            let bytes = rest.as_bytes();
            let end = bytes.iter().position(|&b| b == b'&').unwrap_or(bytes.len());
            let pair = rest.get(..end).unwrap_or("");
            rest = rest.get(end + 1..).unwrap_or("");
            if pair.is_empty() {
                continue;
            }
            let (name, raw) = match pair.as_bytes().iter().position(|&b| b == b'=') {
                Some(at) => (
                    pair.get(..at).unwrap_or(""),
                    pair.get(at + 1..).unwrap_or(""),
                ),
                None => (pair, ""),
            };
            let slot = match name.len() {
                9 if name.eq_ignore_ascii_case("companyid") => &mut params.company_id,
                6 if name.eq_ignore_ascii_case("ticket") => &mut params.ticket,
                4 if name.eq_ignore_ascii_case("arch") => &mut params.arch,
                _ => return Err(TicketUrlError::UnexpectedParameter),
            };
            let value = if raw.as_bytes().contains(&b'%') {
                percent_encoding::percent_decode_str(raw)
                    .decode_utf8()
                    .map_err(|_| TicketUrlError::Malformed)?
            } else {
                Cow::Borrowed(raw)
            };
            if slot.replace(value).is_some() {
                return Err(TicketUrlError::UnexpectedParameter);
            }
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str = "4c6f1815-1e0c-43ab-8117-d79b8f523824";
    const DTC_PATH: &str = "/TechConsole/DesktopApp/DownloadSSO.aspx";

    fn expected(endpoint: &Endpoint, console: Console, arch: Arch) -> Expected<'_> {
        Expected {
            endpoint,
            console,
            company_id: CompanyId::from(654_321),
            arch,
        }
    }

    /// The short path's answer, and that the general checks agree with it.
    fn short(text: &str, expected: &Expected<'_>) -> Option<String> {
        let ticket = as_expected(text, expected)?;
        assert!(structure(text, expected).is_ok(), "{text}");
        Some(ticket.expose_ticket().to_owned())
    }

    #[test]
    fn the_url_rescue_sends_takes_the_short_path() {
        let endpoint = Endpoint::default();
        let host = "https://secure.logmeinrescue.com";
        let dtc = expected(&endpoint, Console::Desktop, Arch::Default);
        let url = format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}");
        assert_eq!(short(&url, &dtc).as_deref(), Some(TICKET));
        // The company as a number, with a leading zero.
        let url = format!("{host}{DTC_PATH}?companyid=0654321&ticket={TICKET}");
        assert_eq!(short(&url, &dtc).as_deref(), Some(TICKET));
        // Case aside where URLs ignore case.
        let url = format!(
            "HTTPS://Secure.LogMeInRescue.com/techconsole/desktopapp/downloadsso.aspx?COMPANYID=654321&TICKET={TICKET}"
        );
        assert_eq!(short(&url, &dtc).as_deref(), Some(TICKET));
        let x64 = expected(&endpoint, Console::Desktop, Arch::X64);
        let url = format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}&arch=64");
        assert_eq!(short(&url, &x64).as_deref(), Some(TICKET));
        let web = expected(&endpoint, Console::Web, Arch::Default);
        let url = format!("{host}/SSO/Login.aspx?Ticket={TICKET}");
        assert_eq!(short(&url, &web).as_deref(), Some(TICKET));

        let local = Endpoint::builder("http://127.0.0.1:8080")
            .allow_loopback_http()
            .build()
            .expect("endpoint");
        let dtc = expected(&local, Console::Desktop, Arch::Default);
        let url = format!("http://127.0.0.1:8080{DTC_PATH}?companyid=654321&ticket={TICKET}");
        assert_eq!(short(&url, &dtc).as_deref(), Some(TICKET));
    }

    #[test]
    fn any_other_spelling_goes_the_general_way() {
        let endpoint = Endpoint::default();
        let host = "https://secure.logmeinrescue.com";
        let dtc = expected(&endpoint, Console::Desktop, Arch::Default);
        let x64 = expected(&endpoint, Console::Desktop, Arch::X64);
        for (url, expected) in [
            // Valid, but not as Rescue spells it.
            (
                format!("{host}:443{DTC_PATH}?companyid=654321&ticket={TICKET}"),
                &dtc,
            ),
            (
                format!("{host}{DTC_PATH}?ticket={TICKET}&companyid=654321"),
                &dtc,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=00000000000000654321&ticket={TICKET}"),
                &dtc,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}&"),
                &dtc,
            ),
            (
                format!(
                    "{host}{DTC_PATH}?companyid=654321&ticket=%34c6f1815-1e0c-43ab-8117-d79b8f523824"
                ),
                &dtc,
            ),
            // Not valid at all.
            (
                format!("{host}{DTC_PATH}?companyid=654322&ticket={TICKET}"),
                &dtc,
            ),
            (format!("{host}{DTC_PATH}?companyid=&ticket={TICKET}"), &dtc),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}&arch=64"),
                &dtc,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}"),
                &x64,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}&arch=32"),
                &x64,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={}", &TICKET[..35]),
                &dtc,
            ),
            (
                format!("{host}{DTC_PATH}?companyid=654321&ticket={TICKET}0"),
                &dtc,
            ),
            (
                format!(
                    "{host}{DTC_PATH}?companyid=654321&ticket={}",
                    TICKET.replace('-', "x")
                ),
                &dtc,
            ),
            (
                format!("{host}/SSO/Login.aspx?companyid=654321&ticket={TICKET}"),
                &dtc,
            ),
            (
                format!("https://evil.example{DTC_PATH}?companyid=654321&ticket={TICKET}"),
                &dtc,
            ),
            (
                format!(
                    "http://secure.logmeinrescue.com{DTC_PATH}?companyid=654321&ticket={TICKET}"
                ),
                &dtc,
            ),
        ] {
            assert!(as_expected(&url, expected).is_none(), "{url}");
        }
    }
}
