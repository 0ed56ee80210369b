//! The HTTP/1.1 response decoder fed in fuzzer-chosen pieces gives exactly
//! what it gives when fed the same bytes whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::http1::{Decoded, Error, ResponseDecoder};

/// What a caller can observe of a decode: the response's parts and
/// reusability, or the error.
fn outcome(pieces: &mut dyn Iterator<Item = &[u8]>) -> Result<Option<String>, Error> {
    let mut decoder = ResponseDecoder::new();
    for piece in pieces {
        if let Decoded::Complete(done) = decoder.feed(piece)? {
            return Ok(Some(describe(&done)));
        }
    }
    match decoder.finish()? {
        Decoded::Complete(done) => Ok(Some(describe(&done))),
        _ => Ok(None),
    }
}

fn describe(done: &rescue_sso_proto::http1::Complete) -> String {
    let r = &done.response;
    format!("{:?} {:?} {:?} {:?} {}", r.status(), r.version(), r.headers(), r.body(), done.reusable)
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, bytes)) = data.split_first() else {
        return;
    };
    let whole = outcome(&mut std::iter::once(bytes));
    // Piece sizes from the seed: 1 to 16 bytes, cycling.
    let mut sizes = (0usize..).map(|i| 1 + (usize::from(seed).wrapping_mul(31).wrapping_add(i * 7) % 16));
    let mut rest = bytes;
    let mut pieces = std::iter::from_fn(|| {
        if rest.is_empty() {
            return None;
        }
        let n = sizes.next().unwrap_or(1).min(rest.len());
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    });
    let split = outcome(&mut pieces);
    // Bytes after a complete response make it non-reusable whichever way it
    // was fed, but the whole feed sees them with the message and a split feed
    // may stop before them: compare everything but that flag then.
    match (&whole, &split) {
        (Ok(Some(w)), Ok(Some(s))) => {
            assert_eq!(w.rsplit_once(' ').map(|p| p.0), s.rsplit_once(' ').map(|p| p.0))
        }
        _ => assert_eq!(whole, split),
    }
});
