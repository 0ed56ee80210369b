//! The protocol crate wipes every secret it holds when it lets go of it:
//! the encoded requests (by POST and GET, as `http::Request` and in an
//! HTTP/1.1 `RequestBuffer`, reused and grown), the password itself, and the
//! decoded answers (a `LoginTicket`'s URL and ticket, an `AuthCode`). Every
//! heap block freed while the scan is armed, and every one still allocated
//! at its end, is searched for the password (raw and form-encoded), the
//! ticket GUID and the auth code; no block may hold one.
//!
//! The answers are static bytes, so the only heap copies are the crate's
//! own, and each decoded value is boxed so that its inline fields (the
//! ticket's 36 bytes) are heap memory the scan sees when the box is freed.
//!
//! With the same allocator it checks what `encode_http1` promises: no
//! allocation at all once the buffer has room.
//!
//! A test binary of its own (`harness = false`): the scan needs to be the
//! global allocator. The adapters' wipe tests cover a whole call over the
//! network; this one the crate alone, so that a change here fails here.

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::Response;
use rescue_sso_proto::http1::RequestBuffer;
use rescue_sso_proto::{
    Arch, CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, RequestAuthCodeSso,
    RequestMethod, SsoId,
};
use rescue_sso_testkit::scan::{self, ScanningAlloc};

#[global_allocator]
static ALLOC: ScanningAlloc = ScanningAlloc;

const PASSWORD: &str = "Wipe-Me!Pa55/w0rd";
/// Form-encoded, as the request body and a GET query carry it.
const PASSWORD_ENCODED: &str = "Wipe-Me%21Pa55%2Fw0rd";
const TICKET: &str = "9b2f0c4e-7a1d-4e8b-b3c6-5d0e1f2a3b4c";
const TICKET_ANSWER: &[u8] = b"OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=9b2f0c4e-7a1d-4e8b-b3c6-5d0e1f2a3b4c";
const CODE: &str = "q7w3e9r1t5y2u8i4o6p0a1s3d5f7g9h2j4k6l8z0x2c4v6b8n1m3";
const CODE_ANSWER: &[u8] = b"OK AUTHCODE: q7w3e9r1t5y2u8i4o6p0a1s3d5f7g9h2j4k6l8z0x2c4v6b8n1m3";

fn ids() -> (SsoId, CompanyId) {
    (
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
    )
}

fn ticket_op() -> GetDtcLoginTicket {
    let (sso_id, company_id) = ids();
    GetDtcLoginTicket::new(
        sso_id,
        company_id,
        Password::new(PASSWORD).expect("password"),
    )
    .arch(Arch::Default)
}

fn auth_code_op() -> RequestAuthCodeSso {
    let (sso_id, company_id) = ids();
    RequestAuthCodeSso::new(
        sso_id,
        company_id,
        Password::new(PASSWORD).expect("password"),
    )
}

/// Runs `step` with the scan armed; the names of the blocks that still held
/// a secret, with where they were allocated.
fn scanned(step: impl FnOnce()) -> Vec<String> {
    scan::arm(
        [PASSWORD, PASSWORD_ENCODED, TICKET, CODE]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
    );
    step();
    scan::disarm()
        .iter()
        .map(|hit| format!("{hit:?}\n{}", hit.trace()))
        .collect()
}

fn main() {
    // A panic while armed (a mutant that breaks a step) would have every
    // allocation of its unwinding and backtrace recorded with a backtrace
    // of its own: minutes. Stop scanning first, then report as usual.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        drop(scan::disarm());
        report(info);
    }));

    let endpoint = Endpoint::default();
    let mut failures = Vec::new();
    let mut check = |what: &str, step: &dyn Fn()| {
        let hits = scanned(step);
        if hits.is_empty() {
            println!("wipe: {what}: ok");
        } else {
            failures.push(format!(
                "{what}: {} block(s)\n{}",
                hits.len(),
                hits.join("\n")
            ));
        }
    };

    for method in [RequestMethod::Post, RequestMethod::Get] {
        check(&format!("encode a ticket request by {method:?}"), &|| {
            let op = ticket_op();
            let request = op.encode(&endpoint, method).expect("encode");
            let sent = request.into_http();
            // The password is in the query exactly when sent by GET.
            assert_eq!(
                sent.uri().query().is_some(),
                matches!(method, RequestMethod::Get)
            );
            drop(sent);
            drop(op);
        });
        check(
            &format!("encode an auth code request by {method:?}"),
            &|| {
                let op = auth_code_op();
                drop(op.encode(&endpoint, method).expect("encode"));
                drop(op);
            },
        );
        check(
            &format!("encode_http1 by {method:?}, reused and grown"),
            &|| {
                let op = ticket_op();
                // Too small at first: the request needs a new allocation.
                let mut wire = RequestBuffer::with_capacity(8);
                op.encode_http1(&endpoint, method, &mut wire)
                    .expect("encode");
                // Written again over the first one.
                op.encode_http1(&endpoint, method, &mut wire)
                    .expect("encode");
                auth_code_op()
                    .encode_http1(&endpoint, method, &mut wire)
                    .expect("encode");
                assert!(!wire.is_empty());
                drop(wire);
                drop(op);
            },
        );
    }
    check("decode a ticket", &|| {
        let op = ticket_op();
        let answer = Response::new(Bytes::from_static(TICKET_ANSWER));
        let ticket = Box::new(op.decode(&endpoint, &answer).expect("ticket"));
        assert_eq!(ticket.expose_ticket(), TICKET);
        drop(ticket);
        drop(op);
    });
    check("decode an auth code", &|| {
        let op = auth_code_op();
        let answer = Response::new(Bytes::from_static(CODE_ANSWER));
        let code = Box::new(op.decode(&endpoint, &answer).expect("code"));
        assert_eq!(code.expose_secret(), CODE);
        drop(code);
        drop(op);
    });

    for method in [RequestMethod::Post, RequestMethod::Get] {
        let op = ticket_op();
        // Exactly the room one request needs, as the first one leaves it.
        let mut exact = RequestBuffer::new();
        op.encode_http1(&endpoint, method, &mut exact)
            .expect("encode");
        let mut roomy = RequestBuffer::with_capacity(1024);
        scan::arm(Vec::new());
        op.encode_http1(&endpoint, method, &mut exact)
            .expect("encode");
        op.encode_http1(&endpoint, method, &mut roomy)
            .expect("encode");
        let allocated = scan::allocations();
        drop(scan::disarm());
        if allocated == 0 {
            println!("no allocation: encode_http1 by {method:?} into a buffer with room: ok");
        } else {
            failures.push(format!(
                "encode_http1 by {method:?} into buffers with room allocated {allocated} block(s)"
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "blocks still held a secret after it was dropped:\n{}",
        failures.join("\n\n")
    );
}
