//! The incremental response decoder.

use std::fmt;
use std::mem;

use bytes::Bytes;
use http::Response;
use http::response::Parts;

use super::chunked::{Chunked, Progress};
use super::framing::{self, Framing};
use super::head::{self, HeadScanner, Scan};
use super::{Complete, Decoded, Error, Limits};

/// The most body capacity reserved before any body byte arrives, whatever
/// the `Content-Length` says: room for any real Rescue answer in one
/// allocation, and no more for a server that merely claims a large body.
const INITIAL_BODY_CAPACITY: usize = 4 * 1024;

/// Reads one HTTP/1.x response from bytes fed in any split.
///
/// Feed it what the connection yields with [`feed`](Self::feed) until it
/// returns [`Decoded::Complete`]; when the connection reaches end of stream,
/// call [`finish`](Self::finish), which completes a body delimited by the
/// close or reports [`Error::Incomplete`]. Interim (1xx) responses are skipped.
///
/// Memory is bounded by its [`Limits`] whatever it is fed: see
/// [`buffered_len`](Self::buffered_len). After an error, every call returns
/// the same error; after a complete response, [`Error::AlreadyComplete`]. Use
/// one decoder per response.
pub struct ResponseDecoder {
    limits: Limits,
    head_request: bool,
    truncating: bool,
    state: State,
    /// Head bytes not yet parsed (bounded by `max_head_bytes`).
    head: Vec<u8>,
    scanner: HeadScanner,
    informational: usize,
    received_any: bool,
}

enum State {
    Head,
    Body {
        parts: Box<Parts>,
        body: Vec<u8>,
        kind: BodyKind,
        keep_alive: bool,
    },
    Done,
    Failed(Error),
}

enum BodyKind {
    Empty,
    Length { remaining: u64 },
    Chunked(Chunked),
    Close,
}

impl Default for ResponseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ResponseDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Head => "head",
            State::Body { .. } => "body",
            State::Done => "done",
            State::Failed(_) => "failed",
        };
        f.debug_struct("ResponseDecoder")
            .field("limits", &self.limits)
            .field("head_request", &self.head_request)
            .field("truncating", &self.truncating)
            .field("state", &state)
            .field("buffered_len", &self.buffered_len())
            .finish_non_exhaustive()
    }
}

impl ResponseDecoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        ResponseDecoder {
            limits,
            head_request: false,
            truncating: false,
            state: State::Head,
            head: Vec::new(),
            scanner: HeadScanner::default(),
            informational: 0,
            received_any: false,
        }
    }

    /// Decodes the answer to a `HEAD` request: it has no body whatever its
    /// `Content-Length` or `Transfer-Encoding` say.
    #[must_use]
    pub fn for_head_request(mut self) -> Self {
        self.head_request = true;
        self
    }

    /// Cuts a body that is longer than [`Limits::max_body_bytes`] there,
    /// instead of failing with [`Error::BodyTooLarge`]: the response
    /// completes with the first `max_body_bytes` bytes of its body and
    /// [`Complete::truncated`] set, and the connection is not reusable.
    ///
    /// For callers that need the status and the start of an oversized
    /// answer (a proxy's error page) more than they need all of it. Nothing
    /// past the cap is read.
    #[must_use]
    pub fn truncating(mut self) -> Self {
        self.truncating = true;
        self
    }

    /// The limits this decoder enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The final response's head (status, version, headers) once it has
    /// been read and while its body is being read; `None` before, and once
    /// the response is complete. Lets a caller refuse an answer by its head
    /// without waiting for a body it would not accept.
    pub fn head(&self) -> Option<&Parts> {
        match &self.state {
            State::Body { parts, .. } => Some(parts),
            _ => None,
        }
    }

    /// Bytes the decoder holds right now: the unparsed head, the body so far
    /// and the trailer section being checked. Never more than
    /// `max_head_bytes + max_body_bytes + max_trailer_bytes + 2`.
    pub fn buffered_len(&self) -> usize {
        let body = match &self.state {
            State::Body { body, kind, .. } => {
                let trailer = match kind {
                    BodyKind::Chunked(c) => c.buffered_len(),
                    _ => 0,
                };
                body.len().saturating_add(trailer)
            }
            _ => 0,
        };
        self.head.len().saturating_add(body)
    }

    /// Feeds the next bytes read from the connection.
    ///
    /// Returns [`Decoded::NeedMore`] until a whole response has been read,
    /// then [`Decoded::Complete`]. Bytes after the end of the response are
    /// not part of it; their presence makes the connection not reusable
    /// ([`Complete::reusable`] is `false`), because they can only be a
    /// misbehaving server's and would poison the next response.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Decoded, Error> {
        match &self.state {
            State::Failed(e) => return Err(e.clone()),
            State::Done => return Err(Error::AlreadyComplete),
            State::Head | State::Body { .. } => {}
        }
        if !bytes.is_empty() {
            self.received_any = true;
        }
        let result = self.advance(bytes);
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        result
    }

    /// Tells the decoder the peer closed the connection (end of stream).
    ///
    /// Completes a response whose body runs until the close (never
    /// reusable). Anywhere else in a response this is [`Error::Incomplete`],
    /// and before any byte at all [`Error::NoResponse`].
    pub fn finish(&mut self) -> Result<Decoded, Error> {
        let result = match &self.state {
            State::Failed(e) => return Err(e.clone()),
            State::Done => return Err(Error::AlreadyComplete),
            State::Head if !self.received_any => Err(Error::NoResponse),
            State::Body {
                kind: BodyKind::Close,
                ..
            } => self.complete(false, false),
            State::Head | State::Body { .. } => Err(Error::Incomplete),
        };
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        result
    }

    fn fail(&mut self, e: Error) {
        self.state = State::Failed(e);
        self.head = Vec::new();
    }

    fn advance(&mut self, input: &[u8]) -> Result<Decoded, Error> {
        if let State::Body { .. } = self.state {
            return match self.body(input)? {
                Progress::Done(used) => self.complete(used < input.len(), false),
                Progress::Cut => self.complete(true, true),
                Progress::More => Ok(Decoded::NeedMore),
            };
        }
        let mut rest = input;
        loop {
            // Take no more than the head cap allows; the rest waits in `rest`.
            let room = self.limits.max_head_bytes.saturating_sub(self.head.len());
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.head.extend_from_slice(now);
            rest = later;

            let scanned = loop {
                match self.scanner.scan(&self.head, self.limits.max_headers)? {
                    Scan::StatusLine(line_end) => {
                        head::check_status_line(self.head.get(..line_end).unwrap_or_default())?;
                    }
                    other => break other,
                }
            };
            let end = match scanned {
                Scan::Complete(end) => end,
                Scan::StatusLine(_) | Scan::NeedMore => {
                    if self.head.len() >= self.limits.max_head_bytes {
                        return Err(Error::HeadTooLarge {
                            limit: self.limits.max_head_bytes,
                        });
                    }
                    return Ok(Decoded::NeedMore);
                }
            };
            let parsed = head::parse(
                self.head.get(..end).unwrap_or_default(),
                self.scanner.header_lines(),
            )?;
            // What follows the head belongs to the body or the next head.
            let leftover = self.head.split_off(end.min(self.head.len()));
            self.head = Vec::new();
            self.scanner = HeadScanner::default();

            if parsed.status.is_informational() {
                if parsed.status == http::StatusCode::SWITCHING_PROTOCOLS {
                    return Err(Error::SwitchingProtocols);
                }
                self.informational = self.informational.saturating_add(1);
                if self.informational > self.limits.max_informational {
                    return Err(Error::TooManyInformational {
                        limit: self.limits.max_informational,
                    });
                }
                self.head = leftover;
                continue;
            }

            let framing =
                framing::framing(&parsed, self.head_request, self.truncating, &self.limits)?;
            let keep_alive = framing::keep_alive(&parsed);
            let (kind, body) = match framing {
                Framing::Empty => (BodyKind::Empty, Vec::new()),
                Framing::Length(n) => (
                    BodyKind::Length { remaining: n },
                    // The server chose `n`: reserve no more than a typical
                    // answer up front, and grow as the bytes really arrive.
                    Vec::with_capacity(
                        usize::try_from(n)
                            .unwrap_or(usize::MAX)
                            .min(self.limits.max_body_bytes)
                            .min(INITIAL_BODY_CAPACITY),
                    ),
                ),
                Framing::Chunked => (BodyKind::Chunked(Chunked::new(self.truncating)), Vec::new()),
                Framing::Close => (BodyKind::Close, Vec::new()),
            };
            let mut response = Response::new(());
            *response.status_mut() = parsed.status;
            *response.version_mut() = parsed.version;
            *response.headers_mut() = parsed.headers;
            let (parts, ()) = response.into_parts();
            self.state = State::Body {
                parts: Box::new(parts),
                body,
                kind,
                keep_alive,
            };

            match self.body(&leftover)? {
                Progress::Done(used) => {
                    let extra = used < leftover.len() || !rest.is_empty();
                    return self.complete(extra, false);
                }
                Progress::Cut => return self.complete(true, true),
                Progress::More => {}
            }
            return match self.body(rest)? {
                Progress::Done(used) => self.complete(used < rest.len(), false),
                Progress::Cut => self.complete(true, true),
                Progress::More => Ok(Decoded::NeedMore),
            };
        }
    }

    /// Runs body bytes through the framing.
    fn body(&mut self, input: &[u8]) -> Result<Progress, Error> {
        let truncating = self.truncating;
        let limits = self.limits;
        let State::Body { body, kind, .. } = &mut self.state else {
            return Ok(Progress::More);
        };
        // What may still be appended: the cap, for a truncating decoder.
        let room = if truncating {
            limits.max_body_bytes.saturating_sub(body.len())
        } else {
            usize::MAX
        };
        match kind {
            BodyKind::Empty => Ok(Progress::Done(0)),
            BodyKind::Length { remaining } => {
                let take = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len())
                    .min(room);
                body.extend_from_slice(input.get(..take).unwrap_or_default());
                *remaining = remaining.saturating_sub(u64::try_from(take).unwrap_or(u64::MAX));
                Ok(if *remaining == 0 {
                    Progress::Done(take)
                } else if take == room {
                    Progress::Cut
                } else {
                    Progress::More
                })
            }
            BodyKind::Chunked(chunked) => chunked.decode(input, body, &limits),
            BodyKind::Close => {
                if input.len() > room {
                    body.extend_from_slice(input.get(..room).unwrap_or_default());
                    return Ok(Progress::Cut);
                }
                if body.len().saturating_add(input.len()) > limits.max_body_bytes {
                    return Err(Error::BodyTooLarge {
                        limit: limits.max_body_bytes,
                    });
                }
                body.extend_from_slice(input);
                Ok(Progress::More)
            }
        }
    }

    /// Hands out the response read so far; `extra_bytes` says whether input
    /// followed it, `truncated` whether its body was cut at the cap.
    fn complete(&mut self, extra_bytes: bool, truncated: bool) -> Result<Decoded, Error> {
        let State::Body {
            parts,
            body,
            kind,
            keep_alive,
        } = mem::replace(&mut self.state, State::Done)
        else {
            // Callers only get here from the body state.
            return Err(Error::AlreadyComplete);
        };
        let framed = !matches!(kind, BodyKind::Close);
        Ok(Decoded::Complete(Complete {
            response: Response::from_parts(*parts, Bytes::from(body)),
            reusable: keep_alive && framed && !extra_bytes && !truncated,
            truncated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body room reserved once a head with `Content-Length: n` is read.
    fn reserved(n: usize) -> usize {
        let mut decoder = ResponseDecoder::new();
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n");
        assert!(matches!(
            decoder.feed(head.as_bytes()),
            Ok(Decoded::NeedMore)
        ));
        match &decoder.state {
            State::Body { body, .. } => body.capacity(),
            _ => panic!("not reading the body"),
        }
    }

    #[test]
    fn a_typical_answer_gets_its_room_at_once_a_claimed_large_one_no_more_than_4_kib() {
        assert!(reserved(3_000) >= 3_000);
        assert!(reserved(4_096) >= 4_096);
        // Within the 8 KiB cap, but only claimed: room grows as bytes come.
        assert_eq!(reserved(8_000), 4_096);
    }
}
