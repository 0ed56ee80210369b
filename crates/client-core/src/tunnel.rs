//! The `CONNECT` handshake with an HTTP proxy, written once for both
//! adapters: the same request, the same reading of the answer, the same
//! limits, whichever adapter opens the tunnel.

use std::fmt;

use http::StatusCode;
use http::uri::Authority;
use rescue_sso_proto::http1::{self, Decoded, ResponseDecoder};
use zeroize::Zeroize;

use crate::Proxy;

/// Why a proxy did not open a tunnel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The proxy answered `CONNECT` with a status other than 2xx; 407 means
    /// its credentials were missing or refused.
    #[error("proxy answered status {}", .0.as_u16())]
    Status(StatusCode),
    /// The proxy's answer was not valid HTTP/1.1, or broke the codec's
    /// limits.
    #[error("malformed proxy answer")]
    Malformed(#[source] http1::Error),
    /// The proxy closed the connection before it answered.
    #[error("proxy closed the connection")]
    Closed,
}

/// The bytes of a `CONNECT` request, wiped when dropped: they can carry the
/// proxy's credentials.
pub struct ConnectRequest(Vec<u8>);

impl ConnectRequest {
    /// `CONNECT target HTTP/1.1` through `proxy`, with `Host`, our
    /// `User-Agent` and, if configured, `Proxy-Authorization`.
    pub fn new(proxy: &Proxy, target: &Authority) -> ConnectRequest {
        let request = proxy.connect_request(target);
        // Sized exactly, so writing never reallocates and leaves a copy.
        let mut wire = Vec::with_capacity(http1::encoded_len(&request));
        http1::write_request(&request, &mut wire);
        ConnectRequest(wire)
    }

    /// What to write to the proxy.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for ConnectRequest {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectRequest([redacted; {} bytes])", self.0.len())
    }
}

/// Reads the proxy's answer to `CONNECT`.
///
/// Feed it the answer one byte at a time: nothing past the answer's head
/// may be consumed, because it already belongs to the tunnel (the server's
/// first TLS bytes). The head is read with the protocol crate's HTTP/1.1
/// decoder and its default limits; a 2xx answer opens the tunnel whatever
/// its headers say (it has no body), anything else is refused.
#[derive(Debug)]
pub struct TunnelReply {
    decoder: ResponseDecoder,
}

impl Default for TunnelReply {
    fn default() -> Self {
        TunnelReply::new()
    }
}

impl TunnelReply {
    /// A reader for one answer.
    pub fn new() -> TunnelReply {
        // The answer to CONNECT has no body, which is how the decoder reads
        // the answer to HEAD.
        TunnelReply {
            decoder: ResponseDecoder::new().for_head_request(),
        }
    }

    /// Feeds the next byte read from the proxy. `Ok(true)` once the tunnel
    /// is open; `Ok(false)` while the head goes on.
    pub fn feed(&mut self, byte: u8) -> Result<bool, ProxyError> {
        let decoded = self.decoder.feed(&[byte]);
        self.read(decoded)
    }

    /// The proxy closed the connection: the error to report.
    pub fn closed(&mut self) -> ProxyError {
        let finished = self.decoder.finish();
        match self.read(finished) {
            Err(err) => err,
            // A head can only complete on a byte, never on a close.
            Ok(_) => ProxyError::Closed,
        }
    }

    fn read(&mut self, decoded: Result<Decoded, http1::Error>) -> Result<bool, ProxyError> {
        match decoded {
            Ok(Decoded::Complete(complete)) => {
                let status = complete.response.status();
                if status.is_success() {
                    Ok(true)
                } else {
                    Err(ProxyError::Status(status))
                }
            }
            Ok(_) => Ok(false),
            Err(http1::Error::NoResponse | http1::Error::Incomplete) => Err(ProxyError::Closed),
            Err(err) => Err(ProxyError::Malformed(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(answer: &[u8]) -> Result<usize, ProxyError> {
        let mut reply = TunnelReply::new();
        for (i, b) in answer.iter().enumerate() {
            if reply.feed(*b)? {
                return Ok(i + 1);
            }
        }
        Err(reply.closed())
    }

    #[test]
    fn a_2xx_opens_the_tunnel_at_the_end_of_its_head() {
        let answer =
            b"HTTP/1.1 200 Connection established\r\nContent-Length: 5\r\n\r\n\x16\x03\x03";
        assert_eq!(read(answer), Ok(answer.len() - 3));
        assert_eq!(read(b"HTTP/1.0 201 OK\r\n\r\n"), Ok(19));
    }

    #[test]
    fn other_statuses_and_broken_answers_are_refused() {
        assert_eq!(
            read(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
            Err(ProxyError::Status(
                StatusCode::PROXY_AUTHENTICATION_REQUIRED
            ))
        );
        assert_eq!(read(b"HTTP/1.1 200 OK\r\n"), Err(ProxyError::Closed));
        assert_eq!(read(b""), Err(ProxyError::Closed));
        assert!(matches!(
            read(b"SSH-2.0-OpenSSH\r\n\r\n"),
            Err(ProxyError::Malformed(_))
        ));
        let mut huge = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        huge.resize(64 * 1024, b'a');
        assert!(matches!(
            read(&huge),
            Err(ProxyError::Malformed(http1::Error::HeadTooLarge { .. }))
        ));
    }

    #[test]
    fn the_request_is_wiped_and_never_printed() {
        let proxy = Proxy::parse("http://user:s3cret@proxy.corp:3128").expect("proxy");
        let req = ConnectRequest::new(&proxy, &Authority::from_static("rescue.example:443"));
        let text = String::from_utf8_lossy(req.as_bytes()).into_owned();
        assert!(
            text.starts_with("CONNECT rescue.example:443 HTTP/1.1\r\nhost: rescue.example:443\r\n")
        );
        assert!(text.contains("proxy-authorization: Basic "));
        assert!(!format!("{req:?}").contains("Basic"));
    }
}
