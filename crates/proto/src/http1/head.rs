//! Finding and parsing a response head.
//!
//! [`HeadScanner`] looks at each head byte once, so a head split across any
//! number of feeds costs linear time: it finds the end of the head, rejects a
//! bare CR, obsolete line folding and too many field lines as soon as they
//! arrive, and stops when the status line is complete so that it is checked
//! before any later byte is looked at. That order depends only on byte
//! positions, never on how the head was split across feeds, so the same bytes
//! always give the same error. httparse then parses the head once, when it is
//! whole.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{StatusCode, Version};

use super::Error;

/// What the scanner found in the bytes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scan {
    /// No end of head yet.
    NeedMore,
    /// The status line just ended at this offset (exclusive): check it, then
    /// scan again.
    StatusLine(usize),
    /// The head ends at this offset (exclusive), after its empty line.
    Complete(usize),
}

/// Incremental line scanner over the head buffer.
#[derive(Debug, Clone, Default)]
pub(super) struct HeadScanner {
    /// Offset of the next byte to look at.
    pos: usize,
    /// Offset where the current line started.
    line_start: usize,
    /// Non-empty lines completed (the status line counts).
    lines: usize,
    /// The previous byte was a CR whose LF has not been seen.
    pending_cr: bool,
}

impl HeadScanner {
    /// Scans `buf[self.pos..]`; `buf` only ever grows between calls.
    pub(super) fn scan(&mut self, buf: &[u8], max_headers: usize) -> Result<Scan, Error> {
        let start = self.pos;
        for (offset, &b) in buf.get(start..).unwrap_or_default().iter().enumerate() {
            let i = start.saturating_add(offset);
            self.pos = i.saturating_add(1);
            if self.pending_cr && b != b'\n' {
                return Err(Error::BareCr);
            }
            match b {
                b'\r' => self.pending_cr = true,
                b'\n' => {
                    let cr = usize::from(self.pending_cr);
                    self.pending_cr = false;
                    let empty = i.saturating_sub(cr) == self.line_start;
                    self.line_start = self.pos;
                    if empty {
                        if self.lines == 0 {
                            // httparse skips empty lines before the status line.
                            continue;
                        }
                        return Ok(Scan::Complete(self.pos));
                    }
                    self.lines = self.lines.saturating_add(1);
                    if self.lines == 1 {
                        return Ok(Scan::StatusLine(self.pos));
                    }
                    if self.lines.saturating_sub(1) > max_headers {
                        return Err(Error::TooManyHeaders { limit: max_headers });
                    }
                }
                b' ' | b'\t' if i == self.line_start && self.lines > 0 => {
                    return Err(Error::ObsFold);
                }
                _ => {}
            }
        }
        Ok(Scan::NeedMore)
    }

    /// Header field lines seen so far.
    pub(super) fn header_lines(&self) -> usize {
        self.lines.saturating_sub(1)
    }
}

/// A parsed response head.
#[derive(Debug)]
pub(super) struct Head {
    pub(super) version: Version,
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
}

fn map_httparse(e: httparse::Error) -> Error {
    match e {
        httparse::Error::Version => Error::UnsupportedVersion,
        httparse::Error::Status => Error::InvalidStatus,
        // httparse's `NewLine` (a CR without its LF) never gets here: the
        // scanner has refused every such CR, as `BareCr`, before httparse
        // runs. `TooManyHeaders` neither: the scanner counts field lines
        // first and the slots are sized from that count, so what is left is
        // a line that httparse reads differently; it is still a malformed
        // head.
        _ => Error::InvalidHeader,
    }
}

/// Checks a complete status line on its own, so that a stream that is not
/// HTTP/1.x fails at its first line rather than at the head cap.
pub(super) fn check_status_line(line: &[u8]) -> Result<(), Error> {
    let mut headers: [httparse::Header<'_>; 0] = [];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(line) {
        Ok(_) => {}
        Err(e) => return Err(map_httparse(e)),
    }
    if let Some(code) = response.code {
        status(code)?;
    }
    Ok(())
}

fn status(code: u16) -> Result<StatusCode, Error> {
    if !(100..=599).contains(&code) {
        return Err(Error::InvalidStatus);
    }
    StatusCode::from_u16(code).map_err(|_| Error::InvalidStatus)
}

/// Parses a whole head (`buf` ends with its empty line) that has
/// `header_lines` field lines.
pub(super) fn parse(buf: &[u8], header_lines: usize) -> Result<Head, Error> {
    let mut slots = vec![httparse::EMPTY_HEADER; header_lines];
    let mut response = httparse::Response::new(&mut slots);
    match response.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        // The scanner saw the empty line, so httparse cannot want more.
        Ok(httparse::Status::Partial) => return Err(Error::InvalidStatus),
        Err(e) => return Err(map_httparse(e)),
    }
    let version = match response.version {
        Some(0) => Version::HTTP_10,
        Some(1) => Version::HTTP_11,
        _ => return Err(Error::UnsupportedVersion),
    };
    let status = status(response.code.ok_or(Error::InvalidStatus)?)?;
    let mut headers = HeaderMap::with_capacity(response.headers.len());
    for h in response.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| Error::InvalidHeader)?;
        let value = HeaderValue::from_bytes(h.value).map_err(|_| Error::InvalidHeader)?;
        headers.append(name, value);
    }
    Ok(Head {
        version,
        status,
        headers,
    })
}
