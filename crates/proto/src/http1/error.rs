//! Why a response could not be decoded.

use std::fmt;

/// Why a response could not be decoded: one variant per rule, so a caller (or
/// a test) can tell hostile framing from a cap from a truncated stream.
///
/// Messages are lowercase without a trailing period and never carry bytes of
/// the response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // The head.
    /// The head was longer than [`Limits::max_head_bytes`](super::Limits).
    HeadTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The head had more header fields than
    /// [`Limits::max_headers`](super::Limits).
    TooManyHeaders {
        /// The cap, in fields.
        limit: usize,
    },
    /// A CR was not followed by LF.
    BareCr,
    /// A header line started with whitespace (obsolete line folding, or
    /// whitespace between the status line and the first field).
    ObsFold,
    /// The status line was malformed, or the code was outside 100-599.
    InvalidStatus,
    /// The HTTP version was not 1.0 or 1.1.
    UnsupportedVersion,
    /// A header field name or value was malformed.
    InvalidHeader,
    /// The server answered 101 Switching Protocols, which a request from this
    /// codec never asks for.
    SwitchingProtocols,
    /// More interim (1xx) responses than
    /// [`Limits::max_informational`](super::Limits).
    TooManyInformational {
        /// The cap, in responses.
        limit: usize,
    },

    // Framing.
    /// A `Content-Length` value was not a plain decimal number (a sign, hex,
    /// inner whitespace, empty, or too large for 64 bits).
    InvalidContentLength,
    /// `Content-Length` values disagreed.
    ConflictingContentLength,
    /// Both `Transfer-Encoding` and `Content-Length` were present, the classic
    /// request-smuggling shape.
    TransferEncodingWithContentLength,
    /// `Transfer-Encoding` on an HTTP/1.0 response, which has no such thing.
    TransferEncodingOnHttp10,
    /// `chunked` was applied more than once.
    RepeatedChunked,
    /// `chunked` was not the last transfer coding.
    ChunkedNotLast,
    /// A transfer coding other than `chunked`, or an empty
    /// `Transfer-Encoding`.
    UnsupportedTransferEncoding,

    // The body.
    /// The body was longer than [`Limits::max_body_bytes`](super::Limits).
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A chunk size did not fit in 64 bits.
    ChunkSizeOverflow,
    /// A chunk-size line did not start with a hexadecimal size, or had
    /// something other than an extension after it.
    InvalidChunkSize,
    /// A chunk extension held a control character.
    InvalidChunkExtension,
    /// A chunk extension was longer than
    /// [`Limits::max_chunk_ext_bytes`](super::Limits).
    ChunkExtensionTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A chunk line or chunk data was not followed by CRLF.
    MissingChunkCrlf,
    /// The trailer section was longer than
    /// [`Limits::max_trailer_bytes`](super::Limits).
    TrailersTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A trailer field was malformed.
    InvalidTrailer,

    // The end of the stream.
    /// The peer closed the connection before sending any byte. On a reused
    /// connection this is the server having timed it out; the request may be
    /// retried on a fresh connection.
    NoResponse,
    /// The peer closed the connection inside a head or a declared body.
    Incomplete,

    // Misuse.
    /// [`feed`](super::ResponseDecoder::feed) or
    /// [`finish`](super::ResponseDecoder::finish) was called after the
    /// response was complete. Use a new decoder for the next response.
    AlreadyComplete,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::HeadTooLarge { limit } => {
                write!(f, "response head larger than {limit} bytes")
            }
            Error::TooManyHeaders { limit } => {
                write!(f, "response head has more than {limit} header fields")
            }
            Error::BareCr => f.write_str("carriage return not followed by line feed"),
            Error::ObsFold => {
                f.write_str("header line starts with whitespace (obsolete line folding)")
            }
            Error::InvalidStatus => f.write_str("invalid status line"),
            Error::UnsupportedVersion => f.write_str("unsupported http version"),
            Error::InvalidHeader => f.write_str("invalid header field"),
            Error::SwitchingProtocols => f.write_str("unexpected 101 switching protocols"),
            Error::TooManyInformational { limit } => {
                write!(f, "more than {limit} interim (1xx) responses")
            }
            Error::InvalidContentLength => f.write_str("invalid content-length"),
            Error::ConflictingContentLength => f.write_str("conflicting content-length values"),
            Error::TransferEncodingWithContentLength => {
                f.write_str("both transfer-encoding and content-length present")
            }
            Error::TransferEncodingOnHttp10 => {
                f.write_str("transfer-encoding on an http/1.0 response")
            }
            Error::RepeatedChunked => f.write_str("chunked transfer coding applied more than once"),
            Error::ChunkedNotLast => f.write_str("chunked is not the last transfer coding"),
            Error::UnsupportedTransferEncoding => f.write_str("unsupported transfer coding"),
            Error::BodyTooLarge { limit } => write!(f, "response body larger than {limit} bytes"),
            Error::ChunkSizeOverflow => f.write_str("chunk size overflows 64 bits"),
            Error::InvalidChunkSize => f.write_str("invalid chunk size line"),
            Error::InvalidChunkExtension => f.write_str("invalid chunk extension"),
            Error::ChunkExtensionTooLarge { limit } => {
                write!(f, "chunk extension larger than {limit} bytes")
            }
            Error::MissingChunkCrlf => f.write_str("chunk line or data not followed by crlf"),
            Error::TrailersTooLarge { limit } => {
                write!(f, "trailer section larger than {limit} bytes")
            }
            Error::InvalidTrailer => f.write_str("invalid trailer field"),
            Error::NoResponse => f.write_str("connection closed before any response byte"),
            Error::Incomplete => f.write_str("connection closed inside a response"),
            Error::AlreadyComplete => f.write_str("the response was already complete"),
        }
    }
}

impl std::error::Error for Error {}
