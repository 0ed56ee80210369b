//! The HTTP/1.1 response decoder fed any bytes at once, then end of stream:
//! never a panic, and never holding more than its limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::http1::{Decoded, Limits, ResponseDecoder};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default().max_body_bytes(4096).max_head_bytes(2048);
    let bound = 2048 + 4096 + limits.max_trailer_bytes + 2;
    let mut decoder = ResponseDecoder::with_limits(limits);
    let fed = decoder.feed(data);
    assert!(decoder.buffered_len() <= bound);
    if let Ok(Decoded::NeedMore) = fed {
        let _ = decoder.finish();
    }
});
