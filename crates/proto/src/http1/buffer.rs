//! A buffer for HTTP/1.1 requests that carry the master SSO password.

use std::fmt;

use http::Request;
use zeroize::Zeroize;

/// A reusable buffer holding one encoded HTTP/1.1 request, for
/// [`Operation::encode_http1`](crate::Operation::encode_http1): what a stack
/// that only has bytes writes to its socket.
///
/// The request carries the master SSO password, so the buffer is zeroized
/// (its whole capacity) when cleared, before each new request, and when
/// dropped; a request is written into room reserved for its exact length
/// first, so growing the buffer never leaves a copy behind. `Debug` shows
/// the length only.
///
/// ```
/// use rescue_sso_proto::http1::RequestBuffer;
/// use rescue_sso_proto::{CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId};
///
/// # fn main() -> Result<(), rescue_sso_proto::Error> {
/// let op = GetDtcLoginTicket::new(
///     SsoId::new("123456")?,
///     CompanyId::new("654321")?,
///     Password::new("secretPassword")?,
/// );
/// let mut wire = RequestBuffer::new();
/// op.encode_http1(&Endpoint::default(), RequestMethod::Post, &mut wire)?;
/// assert!(wire.as_bytes().starts_with(b"POST /SSO/GetDTCLoginTicket.aspx HTTP/1.1\r\n"));
/// assert_eq!(format!("{wire:?}"), format!("RequestBuffer({} bytes)", wire.len()));
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct RequestBuffer {
    bytes: Vec<u8>,
}

impl RequestBuffer {
    /// An empty buffer.
    pub fn new() -> RequestBuffer {
        RequestBuffer::default()
    }

    /// An empty buffer with room for `capacity` bytes (a ticket request is
    /// about 200).
    pub fn with_capacity(capacity: usize) -> RequestBuffer {
        RequestBuffer {
            bytes: Vec::with_capacity(capacity),
        }
    }

    /// The request, as it goes on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many bytes the request has.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the buffer holds no request.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Zeroizes the buffer, its whole capacity, and empties it.
    pub fn clear(&mut self) {
        self.bytes.zeroize();
    }

    /// Clears the buffer and gives room for exactly `len` more bytes, so
    /// that what is written next never moves.
    pub(crate) fn start(&mut self, len: usize) -> &mut Vec<u8> {
        self.clear();
        if self.bytes.capacity() < len {
            // The old allocation was zeroized above; nothing is copied.
            self.bytes = Vec::with_capacity(len);
        }
        &mut self.bytes
    }

    /// `request`, written by [`write_request`](super::write_request).
    pub(crate) fn write<B: AsRef<[u8]>>(&mut self, request: &Request<B>) {
        let len = super::encoded_len(request);
        super::write_request(request, self.start(len));
    }
}

impl Drop for RequestBuffer {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for RequestBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestBuffer({} bytes)", self.bytes.len())
    }
}
