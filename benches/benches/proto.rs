//! Micro benchmarks of the protocol crate: encoding, decoding, allocations.
//!
//! `cargo bench -p rescue-sso-benches --bench proto`

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use rescue_sso_benches::alloc_count::{self, Counting};
use rescue_sso_benches::{ERROR_ANSWER, OK_ANSWER};
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::Response;
use rescue_sso_proto::http1::RequestBuffer;
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestMethod, SsoId,
};

#[global_allocator]
static ALLOC: Counting = Counting;

fn op() -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    )
    .arch(Arch::X64)
}

fn encode(c: &mut Criterion) {
    let op = op();
    let endpoint = Endpoint::default();
    let mut group = c.benchmark_group("encode");
    for (name, method) in [("post", RequestMethod::Post), ("get", RequestMethod::Get)] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(op.encode(black_box(&endpoint), method)))
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let op = op();
    let endpoint = Endpoint::default();
    let mut group = c.benchmark_group("decode");
    for (name, body) in [("success", OK_ANSWER), ("error", ERROR_ANSWER)] {
        let response = Response::new(Bytes::from_static(body));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(op.decode(black_box(&endpoint), black_box(&response))))
        });
    }
    group.finish();
}

fn encode_decode(c: &mut Criterion) {
    let op = op();
    let endpoint = Endpoint::default();
    let response = Response::new(Bytes::from_static(OK_ANSWER));
    c.bench_function("encode+decode/dtc", |b| {
        b.iter(|| {
            let req = op.encode(&endpoint, RequestMethod::Post);
            black_box(req.is_ok());
            black_box(op.decode(&endpoint, black_box(&response)).is_ok())
        })
    });
    // The fast path of a stack that only has bytes: the request written
    // straight into a reused buffer, no `http::Request`.
    let mut wire = RequestBuffer::with_capacity(256);
    c.bench_function("encode_http1+decode/dtc", |b| {
        b.iter(|| {
            let written = op.encode_http1(&endpoint, RequestMethod::Post, &mut wire);
            black_box(written.is_ok());
            black_box(wire.len());
            black_box(op.decode(&endpoint, black_box(&response)).is_ok())
        })
    });
}

/// Allocations are exact, so they are counted once and printed, not timed.
fn report_allocations() {
    let op = op();
    let endpoint = Endpoint::default();
    let response = Response::new(Bytes::from_static(OK_ANSWER));
    let (_, encode) = alloc_count::count(|| op.encode(&endpoint, RequestMethod::Post));
    let (_, decode) = alloc_count::count(|| op.decode(&endpoint, &response));
    let (_, refused) = alloc_count::count(|| {
        op.decode(&endpoint, &Response::new(Bytes::from_static(ERROR_ANSWER)))
    });
    let mut wire = RequestBuffer::with_capacity(256);
    let (_, http1) =
        alloc_count::count(|| op.encode_http1(&endpoint, RequestMethod::Post, &mut wire));
    println!(
        "allocations: encode(post)={encode} decode(success)={decode} decode(error)={refused} encode+decode={} encode_http1(post, reused buffer)={http1} encode_http1+decode={}",
        encode + decode,
        http1 + decode
    );
}

fn main() {
    report_allocations();
    let mut c = Criterion::default().configure_from_args();
    encode(&mut c);
    decode(&mut c);
    encode_decode(&mut c);
    c.final_summary();
}
