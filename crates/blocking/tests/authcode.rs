//! `requestAuthCodeSSO` through the blocking adapter against the emulator:
//! the adapter has nothing of its own for it; the generic call carries it.

mod common;

use common::{PASSWORD, builder_for, client_for};
use rescue_sso_blocking::ErrorKind;
use rescue_sso_blocking::proto::{
    AuthCodeError, CompanyId, Error as ProtoError, Password, RequestAuthCodeSso, RequestMethod,
    RescueError, SsoId,
};
use rescue_sso_emulator::{AuthCodeFormat, Company, Emulator, EmulatorBuilder, Fault};

/// The emulator's company 654321, with technician 123456.
fn emulator() -> EmulatorBuilder {
    Emulator::builder().company(Company::new("654321", PASSWORD).technician("123456"))
}

fn op(sso_id: &str, password: &str) -> RequestAuthCodeSso {
    RequestAuthCodeSso::new(
        SsoId::new(sso_id).expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new(password).expect("password"),
    )
}

#[test]
fn a_code_in_each_spelling_by_post_and_get_and_a_new_one_replaces_the_old() {
    for format in [
        AuthCodeFormat::Documented,
        AuthCodeFormat::LineFeed,
        AuthCodeFormat::CrLf,
        AuthCodeFormat::NoSpace,
    ] {
        let e = emulator()
            .auth_code_format(format)
            .start_background()
            .expect("emulator");
        let post = client_for(&e);
        let first = post
            .request_auth_code_sso(&op("123456", PASSWORD))
            .expect("code");
        assert_eq!(first.expose_secret().len(), 80, "{format:?}");
        assert!(e.auth_code_valid(first.expose_secret()));

        let get = builder_for(&e)
            .method(RequestMethod::Get)
            .build()
            .expect("client");
        let second = get.execute(&op("123456", PASSWORD)).expect("code");
        assert_ne!(second.expose_secret(), first.expose_secret());
        assert!(e.auth_code_valid(second.expose_secret()));
        assert!(!e.auth_code_valid(first.expose_secret()), "replaced");

        let seen = e.requests();
        assert_eq!(seen[0].path, "/API/requestAuthCodeSSO.aspx");
        assert_eq!(seen[0].param_names, ["ssoid", "pwd", "company"]);
        assert!(!seen[0].password_in_url);
        assert!(seen[1].param_names.contains(&"pwd".to_owned()));
    }
}

#[test]
fn every_refusal_is_typed_and_refused() {
    let e = emulator().start_background().expect("emulator");
    let client = client_for(&e);
    for (op, expected) in [
        (op("123456", "wrong"), RescueError::Invalid),
        (op("999999", PASSWORD), RescueError::Invalid),
    ] {
        let err = client.request_auth_code_sso(&op).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Refused);
        assert_eq!(err.protocol(), Some(&ProtoError::Rescue(expected)));
    }
    for (word, expected) in [
        ("INVALIDPARAM_COMPANY", RescueError::InvalidParamCompany),
        ("ERROR", RescueError::Unspecified),
    ] {
        e.faults().push_next(Fault::Answer(word.to_owned()));
        let err = client
            .request_auth_code_sso(&op("123456", PASSWORD))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Refused, "{word}");
        assert_eq!(err.protocol(), Some(&ProtoError::Rescue(expected)));
    }
}

#[test]
fn a_near_miss_is_an_invalid_answer_that_shows_no_code() {
    let e = emulator().start_background().expect("emulator");
    let client = client_for(&e);
    let almost = "OK AUTHCODE: 4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s 0l9uoi";
    e.faults().push_next(Fault::Answer(almost.to_owned()));
    let err = client
        .request_auth_code_sso(&op("123456", PASSWORD))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAnswer);
    assert_eq!(
        err.protocol(),
        Some(&ProtoError::InvalidAuthCode(AuthCodeError::NotAlphanumeric))
    );
    let shown = format!("{err} {err:?} {}", rescue_sso_testkit::error_chain(&err));
    assert!(!shown.contains("4ahx99bp"), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}
