//! Byte-literal fixtures, one rule per test, each asserting the exact result.

use super::{Complete, Decoded, Error, Limits, ResponseDecoder};

mod body;
mod chunked;
mod head;
mod informational;
mod limits;
mod reuse;
mod transfer;
mod truncate;
mod write;

/// Feeds `bytes` whole, then ends the stream if more was wanted.
fn decode_with(decoder: &mut ResponseDecoder, bytes: &[u8]) -> Result<Complete, Error> {
    match decoder.feed(bytes)? {
        Decoded::Complete(c) => Ok(c),
        Decoded::NeedMore => match decoder.finish()? {
            Decoded::Complete(c) => Ok(c),
            Decoded::NeedMore => Err(Error::Incomplete),
        },
    }
}

fn decode(bytes: &[u8]) -> Result<Complete, Error> {
    decode_with(&mut ResponseDecoder::new(), bytes)
}

fn decode_limited(limits: Limits, bytes: &[u8]) -> Result<Complete, Error> {
    decode_with(&mut ResponseDecoder::with_limits(limits), bytes)
}

/// The error `feed` itself returns, without ending the stream: proves an error
/// is found as the bytes arrive, not at EOF.
fn feed_err(limits: Limits, bytes: &[u8]) -> Error {
    match ResponseDecoder::with_limits(limits).feed(bytes) {
        Err(e) => e,
        Ok(d) => panic!("expected an error, got {d:?}"),
    }
}

/// Feeds `bytes` one byte at a time; `Ok(None)` if the stream never completed.
fn feed_bytewise(decoder: &mut ResponseDecoder, bytes: &[u8]) -> Result<Option<Complete>, Error> {
    for b in bytes {
        if let Decoded::Complete(c) = decoder.feed(std::slice::from_ref(b))? {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

fn body(c: &Complete) -> &[u8] {
    c.response.body().as_ref()
}
