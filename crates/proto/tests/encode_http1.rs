//! `Operation::encode_http1`: the same bytes as `http1::write_request` of
//! `Operation::encode`'s request, for every operation, method and input;
//! written into room reserved for exactly them; never shown by `Debug`.

use proptest::prelude::*;
use rescue_sso_proto::http1::{RequestBuffer, encoded_len, write_request};
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, GetLoginTicket, Operation, Password,
    RequestAuthCodeSso, RequestMethod, SsoId,
};

/// The reference: the `http::Request`, then the codec's writer.
fn reference<O: Operation>(op: &O, endpoint: &Endpoint, method: RequestMethod) -> Vec<u8> {
    let request = op.encode(endpoint, method).expect("encode");
    let mut out = Vec::new();
    write_request(request.as_http(), &mut out);
    assert_eq!(out.len(), encoded_len(request.as_http()));
    out
}

fn check<O: Operation>(op: &O, endpoint: &Endpoint) {
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let expected = reference(op, endpoint, method);
        // Fresh: exactly the room it needs.
        let mut fresh = RequestBuffer::new();
        op.encode_http1(endpoint, method, &mut fresh)
            .expect("encode_http1");
        assert_eq!(
            fresh.as_bytes(),
            &expected[..],
            "{}\n{}",
            String::from_utf8_lossy(fresh.as_bytes()),
            String::from_utf8_lossy(&expected)
        );
        // Reused after a longer request: the old one is gone.
        let mut reused = RequestBuffer::with_capacity(4096);
        op.encode_http1(endpoint, method, &mut reused)
            .expect("first");
        op.encode_http1(endpoint, method, &mut reused)
            .expect("second");
        assert_eq!(reused.as_bytes(), &expected[..]);
    }
}

fn inputs(sso: &str, company: u64, password: &str) -> Option<(SsoId, CompanyId, Password)> {
    Some((
        SsoId::new(sso).ok()?,
        CompanyId::from(company),
        Password::new(password).ok()?,
    ))
}

#[test]
fn every_operation_writes_what_the_codec_writes_for_its_request() {
    let (sso, company, password) = inputs("123456", 654_321, "secretPassword").expect("inputs");
    for endpoint in [
        Endpoint::default(),
        "https://rescue.example:8443".parse().expect("endpoint"),
        Endpoint::builder("http://127.0.0.1:9000")
            .allow_loopback_http()
            .build()
            .expect("endpoint"),
    ] {
        check(
            &GetDtcLoginTicket::new(sso.clone(), company, password.clone()),
            &endpoint,
        );
        check(
            &GetDtcLoginTicket::new(sso.clone(), company, password.clone()).arch(Arch::X64),
            &endpoint,
        );
        check(
            &GetLoginTicket::new(sso.clone(), company, password.clone()),
            &endpoint,
        );
        check(
            &RequestAuthCodeSso::new(sso.clone(), company, password.clone()),
            &endpoint,
        );
    }
}

#[test]
fn the_buffer_shows_its_length_only_and_clears_to_nothing() {
    let (sso, company, password) = inputs("123456", 1, "Sup3r$ecret").expect("inputs");
    let mut wire = RequestBuffer::new();
    GetDtcLoginTicket::new(sso, company, password)
        .encode_http1(&Endpoint::default(), RequestMethod::Get, &mut wire)
        .expect("encode");
    assert!(String::from_utf8_lossy(wire.as_bytes()).contains("Password=Sup3r%24ecret"));
    assert_eq!(
        format!("{wire:?}"),
        format!("RequestBuffer({} bytes)", wire.len())
    );
    wire.clear();
    assert!(wire.is_empty());
}

proptest! {
    #[test]
    fn any_inputs_write_the_same_bytes(
        sso in "\\PC{1,40}",
        company in any::<u64>().prop_map(|c| c % 10_000_000_000_000_000_000),
        password in "\\PC{1,60}",
    ) {
        if let Some((sso, company, password)) = inputs(&sso, company, &password) {
            let endpoint = Endpoint::default();
            check(&GetDtcLoginTicket::new(sso.clone(), company, password.clone()).arch(Arch::X64), &endpoint);
            check(&RequestAuthCodeSso::new(sso, company, password), &endpoint);
        }
    }
}
