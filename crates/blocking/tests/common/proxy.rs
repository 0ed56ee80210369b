//! A small CONNECT proxy on std::net threads: checks Proxy-Authorization,
//! then copies bytes both ways.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the proxy saw of one CONNECT request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub target: String,
    pub authorization: Option<String>,
}

pub struct ConnectProxy {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl ConnectProxy {
    /// Starts a proxy that wants `Proxy-Authorization: <expected>`, or none
    /// if `expected` is `None`, and answers 407 otherwise.
    pub fn start(expected: Option<&'static str>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let log = Arc::clone(&log);
                thread::spawn(move || {
                    let _ = serve(client, expected, &log);
                });
            }
        });
        ConnectProxy { addr, seen }
    }

    /// `http://user:pass@127.0.0.1:port` style URL for this proxy.
    pub fn url(&self, userinfo: Option<&str>) -> String {
        match userinfo {
            Some(user) => format!("http://{user}@{}", self.addr),
            None => format!("http://{}", self.addr),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(mut client: TcpStream, expected: Option<&str>, log: &Mutex<Vec<Seen>>) -> io::Result<()> {
    let head = read_head(&mut client)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next(), parts.next().unwrap_or_default().to_owned());
    let authorization = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, value)| value.trim().to_owned());
    log.lock().expect("lock").push(Seen {
        target: target.clone(),
        authorization: authorization.clone(),
    });
    if method != Some("CONNECT") {
        return client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
    }
    if expected.is_some() && authorization.as_deref() != expected {
        client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\
              proxy-authenticate: Basic realm=\"test\"\r\n\
              content-length: 13\r\n\r\nauthenticate!",
        )?;
        return Ok(());
    }
    let upstream = TcpStream::connect(&target)?;
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let (mut up_read, mut client_write) = (upstream.try_clone()?, client.try_clone()?);
    let down = thread::spawn(move || {
        let _ = io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let (mut client_read, mut up_write) = (client, upstream);
    let _ = io::copy(&mut client_read, &mut up_write);
    let _ = up_write.shutdown(Shutdown::Write);
    let _ = down.join();
    Ok(())
}

/// Reads up to and including the empty line, a byte at a time so nothing
/// of the tunnel is consumed.
fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 || head.len() > 8192 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}
