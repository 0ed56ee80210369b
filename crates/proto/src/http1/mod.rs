//! A strict, bounded, incremental HTTP/1.1 client codec, for stacks that only
//! have a byte stream (the blocking adapter, embedded users, a caller's own
//! TLS socket).
//!
//! - [`write_request`] puts an [`http::Request`] on the wire.
//! - [`ResponseDecoder`] reads the response back from bytes fed in any split
//!   and yields an [`http::Response<Bytes>`](http::Response) plus whether the
//!   connection may be reused.
//!
//! It does not trust the server. httparse reads the head; framing follows
//! RFC 9112 (`Content-Length`, `chunked`, or until close), and every form of
//! framing that two parsers could read differently is an [`Error`] rather
//! than a guess: signed, hex, repeated-but-different or overflowing
//! `Content-Length`, `Transfer-Encoding` together with `Content-Length`,
//! `chunked` repeated or not last, `Transfer-Encoding` on HTTP/1.0, bare CR,
//! obsolete line folding, chunk sizes that overflow. Interim (1xx) responses
//! are skipped, a bounded number of them; 101 is an error; 204, 304 and the
//! answer to `HEAD` have no body. Trailers are checked, bounded and dropped.
//!
//! Memory is bounded by [`Limits`], whatever the server sends: the decoder
//! holds at most the head, the body and the trailer section, each capped, and
//! reports a cap as soon as the input crosses it.
//!
//! Out of scope: sockets, TLS, timeouts (the adapter owns them), request
//! bodies other than a byte slice, content codings, pipelining, upgrades.
//!
//! # The feed loop an adapter writes
//!
//! ```
//! use std::io::Read;
//!
//! use rescue_sso_proto::http1::{self, Decoded, ResponseDecoder};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The adapter's connection; here, bytes in memory.
//! let mut conn: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n\
//!     HTTP/1.1 200 OK\r\n\
//!     Content-Type: text/plain\r\n\
//!     Transfer-Encoding: chunked\r\n\
//!     \r\n\
//!     3\r\nOK:\r\n5;ext=1\r\nhttps\r\n0\r\n\r\n";
//!
//! let request = http::Request::post("https://secure.logmeinrescue.com/SSO/GetDTCLoginTicket.aspx")
//!     .body(&b"ssoid=123456"[..])?;
//! let mut wire = Vec::new();
//! http1::write_request(&request, &mut wire);
//! // conn.write_all(&wire)?;
//!
//! let mut decoder = ResponseDecoder::new();
//! let mut buf = [0u8; 7]; // any size; small here to show the splits
//! let complete = loop {
//!     let n = conn.read(&mut buf)?;
//!     let decoded = if n == 0 {
//!         decoder.finish()? // end of stream
//!     } else {
//!         decoder.feed(&buf[..n])?
//!     };
//!     if let Decoded::Complete(complete) = decoded {
//!         break complete;
//!     }
//! };
//!
//! assert_eq!(complete.response.status(), 200);
//! assert_eq!(complete.response.body().as_ref(), b"OK:https");
//! // HTTP/1.1, framed, nothing after it: the connection can carry the next
//! // request (with a new decoder).
//! assert!(complete.reusable);
//! # Ok(())
//! # }
//! ```

use std::fmt;

use bytes::Bytes;

mod buffer;
mod chunked;
mod decode;
mod error;
mod framing;
mod head;
mod limits;
mod write;

#[cfg(test)]
mod tests;

pub use buffer::RequestBuffer;
pub use decode::ResponseDecoder;
pub use error::Error;
pub use framing::check_framing;
pub use limits::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CHUNK_EXT_BYTES, DEFAULT_MAX_HEAD_BYTES,
    DEFAULT_MAX_HEADERS, DEFAULT_MAX_INFORMATIONAL, DEFAULT_MAX_TRAILER_BYTES, Limits,
};
pub use write::{encoded_len, write_request};

/// What a call to [`ResponseDecoder::feed`] or [`ResponseDecoder::finish`]
/// produced.
#[derive(Debug)]
#[non_exhaustive]
pub enum Decoded {
    /// The response is not complete yet: read more and feed it.
    NeedMore,
    /// The final response, whole.
    Complete(Complete),
}

/// A whole response and what it allows the connection to do next.
#[non_exhaustive]
pub struct Complete {
    /// The final response (interim 1xx responses are not kept). The body has
    /// its chunk framing removed; trailers are dropped.
    pub response: http::Response<Bytes>,
    /// Whether the connection may carry another request: only when the
    /// response is HTTP/1.1, has no `Connection: close`, its body was framed
    /// by length or chunks (or it had none), it was read whole, and no bytes
    /// followed it.
    pub reusable: bool,
    /// Whether the body was cut at [`Limits::max_body_bytes`] by a
    /// [truncating](ResponseDecoder::truncating) decoder: the response had
    /// more body than that, and the rest was not read.
    pub truncated: bool,
}

impl fmt::Debug for Complete {
    /// Prints the status, version, header names and body length; never
    /// header values or body bytes, which can carry tickets and cookies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Names<'a>(&'a http::HeaderMap);
        impl fmt::Debug for Names<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.keys()).finish()
            }
        }
        f.debug_struct("Complete")
            .field("status", &self.response.status())
            .field("version", &self.response.version())
            .field("headers", &Names(self.response.headers()))
            .field("body_len", &self.response.body().len())
            .field("reusable", &self.reusable)
            .field("truncated", &self.truncated)
            .finish()
    }
}
