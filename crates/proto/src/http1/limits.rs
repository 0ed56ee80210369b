//! Caps on what a [`ResponseDecoder`](super::ResponseDecoder) holds.

/// Default cap on the bytes of one response head (status line and header
/// fields, up to and including the empty line).
pub const DEFAULT_MAX_HEAD_BYTES: usize = 16 * 1024;

/// Default cap on the number of header fields in one response head.
pub const DEFAULT_MAX_HEADERS: usize = 64;

/// Default cap on a decoded body. A Rescue answer is under 1 KiB; anything
/// near this size is not a Rescue answer.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Default cap on the chunk extension bytes of one body.
pub const DEFAULT_MAX_CHUNK_EXT_BYTES: usize = 1024;

/// Default cap on the trailer field lines after the last chunk.
pub const DEFAULT_MAX_TRAILER_BYTES: usize = 4 * 1024;

/// Default cap on the number of interim (1xx) responses skipped before the
/// final one.
pub const DEFAULT_MAX_INFORMATIONAL: usize = 8;

/// Caps that bound what a [`ResponseDecoder`](super::ResponseDecoder) reads
/// and holds.
///
/// The decoder never holds more than `max_head_bytes + max_body_bytes +
/// max_trailer_bytes` plus a small constant, whatever it is fed, and reports a
/// cap as soon as the input crosses it: a `Content-Length` above
/// `max_body_bytes` fails at the head, before any body byte is read.
///
/// Fields are readable; build a value with [`Limits::default`] and the
/// setters of the same names:
///
/// ```
/// use rescue_sso_proto::http1::Limits;
///
/// let limits = Limits::default().max_body_bytes(4096).max_informational(0);
/// assert_eq!(limits.max_body_bytes, 4096);
/// assert_eq!(limits.max_headers, rescue_sso_proto::http1::DEFAULT_MAX_HEADERS);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes of one response head, the final empty line included.
    pub max_head_bytes: usize,
    /// Header fields in one response head, and trailer fields after a
    /// chunked body.
    pub max_headers: usize,
    /// Bytes of the decoded body (after removing chunk framing).
    pub max_body_bytes: usize,
    /// Chunk extension bytes of one body, all its chunk-size lines
    /// together: on each line, what follows its first `;` up to the CRLF.
    pub max_chunk_ext_bytes: usize,
    /// Bytes of trailer field lines, their CRLFs included, the final empty
    /// line not. (Their number is capped by `max_headers`.)
    pub max_trailer_bytes: usize,
    /// Interim (1xx) responses skipped before the final one.
    pub max_informational: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
            max_headers: DEFAULT_MAX_HEADERS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_chunk_ext_bytes: DEFAULT_MAX_CHUNK_EXT_BYTES,
            max_trailer_bytes: DEFAULT_MAX_TRAILER_BYTES,
            max_informational: DEFAULT_MAX_INFORMATIONAL,
        }
    }
}

impl Limits {
    /// Sets the cap on the bytes of one response head.
    #[must_use]
    pub fn max_head_bytes(mut self, bytes: usize) -> Self {
        self.max_head_bytes = bytes;
        self
    }

    /// Sets the cap on the number of header fields in one response head.
    #[must_use]
    pub fn max_headers(mut self, count: usize) -> Self {
        self.max_headers = count;
        self
    }

    /// Sets the cap on the decoded body.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets the cap on the chunk extension bytes of one body.
    #[must_use]
    pub fn max_chunk_ext_bytes(mut self, bytes: usize) -> Self {
        self.max_chunk_ext_bytes = bytes;
        self
    }

    /// Sets the cap on the trailer field lines.
    #[must_use]
    pub fn max_trailer_bytes(mut self, bytes: usize) -> Self {
        self.max_trailer_bytes = bytes;
        self
    }

    /// Sets the cap on interim (1xx) responses skipped.
    #[must_use]
    pub fn max_informational(mut self, count: usize) -> Self {
        self.max_informational = count;
        self
    }
}
