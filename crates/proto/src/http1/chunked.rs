//! The chunked transfer coding (RFC 9112 section 7.1), decoded byte by byte
//! so that any split of the input gives the same result.
//!
//! Strict where the RFC allows leniency: every line ends in CRLF, a chunk
//! size is hexadecimal and fits in 64 bits, extensions are skipped but
//! bounded and free of control characters, and trailers are bounded,
//! checked, and dropped: they are never merged into the header map.

use super::{Error, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting the first hex digit of a chunk size.
    SizeStart,
    /// Inside the hex digits.
    Size,
    /// Whitespace after the size, before `;` or CR.
    SizeWs,
    /// Inside extensions, up to CR.
    Ext,
    /// Expecting the LF of a chunk-size line.
    SizeLf,
    /// Inside chunk data; `remaining` counts what is left.
    Data,
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart,
    /// Inside a trailer field line.
    Trailer,
    /// Expecting the LF of a trailer field line.
    TrailerLf,
    /// Expecting the LF of the final empty line.
    EndLf,
    /// The message is complete.
    Done,
}

/// Where a chunked body stands after some input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    /// The body goes on: feed more.
    More,
    /// The body is complete; this many bytes of the input were part of it.
    Done(usize),
    /// The body reached the cap and has more data (truncating only).
    Cut,
}

/// Decoder state for one chunked body.
#[derive(Debug, Clone)]
pub(super) struct Chunked {
    state: State,
    /// Stop at the body cap instead of failing there.
    truncating: bool,
    /// The size being read, then the data left in the current chunk.
    remaining: u64,
    /// Extension bytes of the body so far: each chunk-size line's after its
    /// first `;`, up to its CR (as hyper counts them).
    ext_len: usize,
    /// Trailer field lines, kept only to check them once complete.
    trailer: Vec<u8>,
    /// Trailer field lines seen.
    trailer_lines: usize,
}

impl Chunked {
    pub(super) fn new(truncating: bool) -> Self {
        Chunked {
            state: State::SizeStart,
            truncating,
            remaining: 0,
            ext_len: 0,
            trailer: Vec::new(),
            trailer_lines: 0,
        }
    }

    /// Bytes held for the trailer check.
    pub(super) fn buffered_len(&self) -> usize {
        self.trailer.len()
    }

    /// Decodes from `input`, appending chunk data to `body`. Once the body is
    /// complete, the rest of `input` is not part of this message.
    pub(super) fn decode(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
        limits: &Limits,
    ) -> Result<Progress, Error> {
        let mut used = 0;
        while let Some(rest) = input.get(used..) {
            if self.state == State::Done {
                return Ok(Progress::Done(used));
            }
            let Some(&b) = rest.first() else { break };
            if self.state == State::Data {
                let room = if self.truncating {
                    limits.max_body_bytes.saturating_sub(body.len())
                } else {
                    usize::MAX
                };
                if room == 0 {
                    return Ok(Progress::Cut);
                }
                let take = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(rest.len())
                    .min(room);
                body.extend_from_slice(rest.get(..take).unwrap_or_default());
                used = used.saturating_add(take);
                self.remaining = self
                    .remaining
                    .saturating_sub(u64::try_from(take).unwrap_or(u64::MAX));
                if self.remaining == 0 {
                    self.state = State::DataCr;
                }
                continue;
            }
            self.byte(b, body.len(), limits)?;
            used = used.saturating_add(1);
        }
        Ok(if self.state == State::Done {
            Progress::Done(used)
        } else {
            Progress::More
        })
    }

    /// One byte of framing (anything but chunk data).
    fn byte(&mut self, b: u8, body_len: usize, limits: &Limits) -> Result<(), Error> {
        self.state = match (self.state, b) {
            (State::SizeStart, _) => {
                self.remaining = u64::from(hex(b).ok_or(Error::InvalidChunkSize)?);
                State::Size
            }
            (State::Size, _) => match hex(b) {
                Some(digit) => {
                    self.remaining = self
                        .remaining
                        .checked_mul(16)
                        .and_then(|n| n.checked_add(u64::from(digit)))
                        .ok_or(Error::ChunkSizeOverflow)?;
                    State::Size
                }
                None => {
                    // The size is known: refuse it now rather than after
                    // buffering up to the cap (a truncating decoder stops
                    // at the cap instead).
                    if !self.truncating {
                        self.check_body_cap(body_len, limits)?;
                    }
                    match b {
                        b' ' | b'\t' => State::SizeWs,
                        b';' => State::Ext,
                        b'\r' => State::SizeLf,
                        b'\n' => return Err(Error::MissingChunkCrlf),
                        _ => return Err(Error::InvalidChunkSize),
                    }
                }
            },
            (State::SizeWs, b' ' | b'\t') => State::SizeWs,
            (State::SizeWs, b';') => State::Ext,
            (State::SizeWs, b'\r') => State::SizeLf,
            (State::SizeWs, b'\n') => return Err(Error::MissingChunkCrlf),
            (State::SizeWs, _) => return Err(Error::InvalidChunkSize),
            (State::Ext, b'\r') => State::SizeLf,
            (State::Ext, b'\n') => return Err(Error::MissingChunkCrlf),
            (State::Ext, _) if is_control(b) => return Err(Error::InvalidChunkExtension),
            (State::Ext, _) => self.extension(limits)?,
            (State::SizeLf, b'\n') if self.remaining == 0 => State::TrailerStart,
            (State::SizeLf, b'\n') => State::Data,
            (State::SizeLf, _) => return Err(Error::BareCr),
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataCr, _) => return Err(Error::MissingChunkCrlf),
            (State::DataLf, b'\n') => State::SizeStart,
            (State::DataLf, _) => return Err(Error::MissingChunkCrlf),
            (State::TrailerStart, b'\r') => State::EndLf,
            (State::TrailerStart, b'\n') => return Err(Error::MissingChunkCrlf),
            (State::TrailerStart, b' ' | b'\t') => return Err(Error::ObsFold),
            (State::TrailerStart, _) => {
                self.trailer_lines = self.trailer_lines.saturating_add(1);
                if self.trailer_lines > limits.max_headers {
                    return Err(Error::TooManyHeaders {
                        limit: limits.max_headers,
                    });
                }
                self.push_trailer(b, limits)?;
                State::Trailer
            }
            (State::Trailer, b'\n') => return Err(Error::MissingChunkCrlf),
            (State::Trailer, _) => {
                self.push_trailer(b, limits)?;
                if b == b'\r' {
                    State::TrailerLf
                } else {
                    State::Trailer
                }
            }
            (State::TrailerLf, b'\n') => {
                self.push_trailer(b, limits)?;
                State::TrailerStart
            }
            (State::TrailerLf, _) => return Err(Error::BareCr),
            (State::EndLf, b'\n') => {
                self.check_trailer()?;
                State::Done
            }
            (State::EndLf, _) => return Err(Error::BareCr),
            // `decode` handles these without calling here.
            (State::Data | State::Done, _) => self.state,
        };
        Ok(())
    }

    /// Counts one extension byte.
    fn extension(&mut self, limits: &Limits) -> Result<State, Error> {
        self.ext_len = self.ext_len.saturating_add(1);
        if self.ext_len > limits.max_chunk_ext_bytes {
            return Err(Error::ChunkExtensionTooLarge {
                limit: limits.max_chunk_ext_bytes,
            });
        }
        Ok(State::Ext)
    }

    fn check_body_cap(&self, body_len: usize, limits: &Limits) -> Result<(), Error> {
        let total = u64::try_from(body_len)
            .ok()
            .and_then(|len| len.checked_add(self.remaining));
        let limit = u64::try_from(limits.max_body_bytes).unwrap_or(u64::MAX);
        match total {
            Some(total) if total <= limit => Ok(()),
            _ => Err(Error::BodyTooLarge {
                limit: limits.max_body_bytes,
            }),
        }
    }

    fn push_trailer(&mut self, b: u8, limits: &Limits) -> Result<(), Error> {
        if self.trailer.len() >= limits.max_trailer_bytes {
            return Err(Error::TrailersTooLarge {
                limit: limits.max_trailer_bytes,
            });
        }
        self.trailer.push(b);
        Ok(())
    }

    /// Trailer fields must be well-formed fields even though they are dropped:
    /// a malformed one means the framing is not what it claims to be.
    fn check_trailer(&mut self) -> Result<(), Error> {
        if self.trailer.is_empty() {
            return Ok(());
        }
        self.trailer.extend_from_slice(b"\r\n");
        let mut slots = vec![httparse::EMPTY_HEADER; self.trailer_lines];
        let parsed = httparse::parse_headers(&self.trailer, &mut slots);
        let ok =
            matches!(parsed, Ok(httparse::Status::Complete((n, _))) if n == self.trailer.len());
        self.trailer = Vec::new();
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidTrailer)
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Control characters other than HTAB, which no extension may contain.
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}
