//! Name resolution that a deadline can abandon.
//!
//! The system resolver (`getaddrinfo`) has no timeout of its own, and a
//! resolver that never answers would hold a call, and a process waiting for
//! the thread it runs on, far past any deadline. Each lookup therefore runs
//! on a thread of its own, detached: the caller waits for the answer only
//! until its deadline, then goes on without it. A lookup left behind ends on
//! its own (or never, for a resolver that hangs for good), holds nothing but
//! its own stack, and does not keep the process from exiting.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many lookups of one client run at once. A resolver that
/// never answers leaves one thread behind per call; past this many, calls
/// fail at once instead of piling up threads.
pub const MAX_LOOKUPS_IN_FLIGHT: usize = 32;

/// Resolves a host name to the addresses to try, in order.
///
/// Implement it to resolve names your own way (a fixed table, a DNS client
/// of your choice, a test that never answers). It may block: it runs on a
/// thread of its own, which a call abandons when its deadline passes.
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of `host` (a name, or an IP address without brackets)
    /// with `port` set.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        (host, port).to_socket_addrs().map(Iterator::collect)
    }
}

/// A [`Resolve`] shared by a client's connections, with its lookups bounded
/// in number.
#[derive(Clone)]
pub struct Resolver {
    resolve: Arc<dyn Resolve>,
    in_flight: Arc<AtomicUsize>,
    loopback_only: bool,
}

/// Whether `ip` is this machine's loopback (`127.0.0.0/8`, `::1`, or an
/// IPv4 loopback address mapped into IPv6). `0.0.0.0` is not, though Linux
/// connects it locally: it names no interface, and a name that resolves to
/// it is not a loopback emulator.
fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// For a plain-http destination: a `host` that is an address (with or
/// without brackets) must be loopback, as a [`Resolver::loopback_only`]
/// requires of a name's addresses. Connectors take an address without
/// asking the resolver, so they check it here. A name passes: its
/// addresses are the resolver's to check.
pub fn check_plain_http_address(host: &str) -> io::Result<()> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) if !is_loopback(ip) => Err(not_loopback()),
        _ => Ok(()),
    }
}

/// The error for a plain-http destination outside this machine.
fn not_loopback() -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        "plain http goes to this machine only, and the name resolved to an address that is not loopback",
    )
}

impl Resolver {
    /// The operating system's resolver.
    pub fn system() -> Resolver {
        Resolver::new(SystemResolver)
    }

    /// A resolver of the caller's.
    pub fn new(resolve: impl Resolve) -> Resolver {
        Resolver {
            resolve: Arc::new(resolve),
            in_flight: Arc::new(AtomicUsize::new(0)),
            loopback_only: false,
        }
    }

    /// This resolver, for plain-http destinations: a name resolves only if
    /// every address it has is loopback (`127.0.0.0/8`, `::1`, or IPv4
    /// loopback mapped into IPv6; not `0.0.0.0`); otherwise the lookup
    /// fails with an error of kind `PermissionDenied`, before anything
    /// connects. A
    /// `localhost` that a hosts file or a DNS answer points elsewhere then
    /// cannot carry the password off the machine in clear.
    pub fn loopback_only(&self) -> Resolver {
        Resolver {
            loopback_only: true,
            ..self.clone()
        }
    }

    /// Whether this resolver only lets loopback addresses through.
    pub fn is_loopback_only(&self) -> bool {
        self.loopback_only
    }

    /// Starts looking up `host:port` on a thread of its own and hands the
    /// result to `done` there. Returns at once; an error means no lookup was
    /// started (too many in flight, or no thread to be had), and `done` is
    /// not called.
    pub fn spawn(
        &self,
        host: &str,
        port: u16,
        done: impl FnOnce(io::Result<Vec<SocketAddr>>) + Send + 'static,
    ) -> io::Result<()> {
        let started = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if started >= MAX_LOOKUPS_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(io::Error::other("too many name lookups in flight"));
        }
        let resolve = Arc::clone(&self.resolve);
        let in_flight = Arc::clone(&self.in_flight);
        let loopback_only = self.loopback_only;
        let host = host.to_owned();
        let spawned = std::thread::Builder::new()
            .name("rescue-sso-resolve".to_owned())
            .spawn(move || {
                let result = resolve.resolve(&host, port).and_then(|addrs| {
                    if loopback_only && !addrs.iter().all(|a| is_loopback(a.ip())) {
                        return Err(not_loopback());
                    }
                    Ok(addrs)
                });
                in_flight.fetch_sub(1, Ordering::AcqRel);
                done(result);
            });
        match spawned {
            Ok(_detached) => Ok(()),
            Err(err) => {
                self.in_flight.fetch_sub(1, Ordering::AcqRel);
                Err(err)
            }
        }
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver::system()
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .field("loopback_only", &self.loopback_only)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    struct Never(mpsc::Receiver<()>);

    impl Resolve for std::sync::Mutex<Never> {
        fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
            // Blocks until the test ends (the sender is dropped).
            let guard = self.lock().map_err(|_| io::Error::other("poisoned"))?;
            let _ = guard.0.recv();
            Err(io::Error::other("never"))
        }
    }

    /// Resolves every name to the addresses it was made with.
    struct Fixed(Vec<SocketAddr>);

    impl Resolve for Fixed {
        fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
            Ok(self.0.clone())
        }
    }

    fn lookup(resolver: &Resolver) -> io::Result<Vec<SocketAddr>> {
        let (tx, rx) = mpsc::channel();
        resolver
            .spawn("localhost", 80, move |r| {
                let _ = tx.send(r);
            })
            .expect("spawn");
        rx.recv_timeout(Duration::from_secs(5)).expect("answer")
    }

    #[test]
    fn a_plain_http_address_must_be_loopback() {
        for ok in [
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
            "::1",
            "::ffff:127.0.0.1",
            "localhost",
        ] {
            assert!(check_plain_http_address(ok).is_ok(), "{ok}");
        }
        for refused in ["0.0.0.0", "192.0.2.2", "[::]", "::ffff:192.0.2.2"] {
            let err = check_plain_http_address(refused).expect_err(refused);
            assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{refused}");
        }
    }

    #[test]
    fn a_loopback_only_resolver_lets_no_other_address_through() {
        let addr = |text: &str| text.parse::<SocketAddr>().expect("address");
        let local = vec![
            addr("127.0.0.1:80"),
            addr("[::1]:80"),
            addr("127.8.9.10:80"),
        ];
        let mapped = vec![addr("[::ffff:127.0.0.1]:80")];
        assert_eq!(
            lookup(&Resolver::new(Fixed(local.clone())).loopback_only()).ok(),
            Some(local)
        );
        assert_eq!(
            lookup(&Resolver::new(Fixed(mapped.clone())).loopback_only()).ok(),
            Some(mapped)
        );
        for elsewhere in [
            vec![addr("192.0.2.2:80")],
            vec![addr("127.0.0.1:80"), addr("192.0.2.2:80")],
            vec![addr("0.0.0.0:80")],
            vec![addr("[::]:80")],
            vec![addr("[::ffff:192.0.2.2]:80")],
        ] {
            let err = lookup(&Resolver::new(Fixed(elsewhere.clone())).loopback_only())
                .expect_err("refused");
            assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{elsewhere:?}");
            // Without the restriction, the same answer goes through.
            assert!(lookup(&Resolver::new(Fixed(elsewhere))).is_ok());
        }
    }

    #[test]
    fn the_system_resolver_resolves_literals_without_the_network() {
        let (tx, rx) = mpsc::channel();
        Resolver::system()
            .spawn("127.0.0.1", 8443, move |r| {
                let _ = tx.send(r.map_err(|e| e.to_string()));
            })
            .expect("spawn");
        let addrs = rx.recv_timeout(Duration::from_secs(5)).expect("answer");
        assert_eq!(addrs, Ok(vec![SocketAddr::from(([127, 0, 0, 1], 8443))]));
    }

    #[test]
    fn lookups_in_flight_are_bounded() {
        let (_hold, released) = mpsc::channel::<()>();
        let resolver = Resolver::new(std::sync::Mutex::new(Never(released)));
        let mut refused = 0;
        for _ in 0..MAX_LOOKUPS_IN_FLIGHT + 5 {
            if resolver.spawn("example.invalid", 443, |_| {}).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 5);
    }
}
