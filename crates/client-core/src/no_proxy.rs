//! `NO_PROXY` matching, as curl does it.

use std::net::IpAddr;

#[derive(Debug, Clone, Default)]
pub(crate) struct NoProxy {
    all: bool,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Domain { name: String, port: Option<u16> },
    Ip { addr: IpAddr, prefix: u8 },
}

impl NoProxy {
    pub(crate) fn parse(list: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if raw == "*" {
                out.all = true;
                continue;
            }
            if let Some(entry) = parse_ip(raw) {
                out.entries.push(entry);
                continue;
            }
            let (name, port) = match raw.rsplit_once(':') {
                Some((name, port)) => match port.parse::<u16>() {
                    Ok(port) => (name, Some(port)),
                    Err(_) => (raw, None),
                },
                None => (raw, None),
            };
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            if !name.is_empty() {
                out.entries.push(Entry::Domain {
                    name: name.to_ascii_lowercase(),
                    port,
                });
            }
        }
        out
    }

    pub(crate) fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host_lower = host.to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            Entry::Domain { name, port: p } => {
                p.is_none_or(|p| p == port)
                    && (host_lower == *name
                        || host_lower
                            .strip_suffix(name.as_str())
                            .is_some_and(|rest| rest.ends_with('.')))
            }
            Entry::Ip { addr, prefix } => ip.is_some_and(|ip| in_prefix(ip, *addr, *prefix)),
        })
    }
}

fn parse_ip(raw: &str) -> Option<Entry> {
    let (addr, prefix) = match raw.split_once('/') {
        Some((addr, bits)) => (addr, Some(bits.parse::<u8>().ok()?)),
        None => (raw, None),
    };
    let addr: IpAddr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some(Entry::Ip { addr, prefix })
}

fn in_prefix(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_rules() {
        let n = NoProxy::parse("example.com, .corp.net,10.0.0.0/8, ::1, api.host:8443,*.wild.org");
        assert!(n.matches("example.com", 443));
        assert!(n.matches("WWW.Example.com", 443));
        assert!(!n.matches("notexample.com", 443));
        assert!(n.matches("a.corp.net", 443));
        assert!(n.matches("corp.net", 443));
        assert!(n.matches("10.1.2.3", 443));
        assert!(!n.matches("11.1.2.3", 443));
        assert!(n.matches("[::1]", 443));
        assert!(n.matches("api.host", 8443));
        assert!(!n.matches("api.host", 443));
        assert!(n.matches("x.wild.org", 443));
        assert!(!NoProxy::parse("").matches("example.com", 443));
        assert!(NoProxy::parse(" * ").matches("anything", 1));
        assert!(NoProxy::parse("0.0.0.0/0").matches("192.168.1.1", 1));
    }
}
