//! What an answer to `requestAuthCodeSSO` with a status other than 2xx keeps
//! for its message: the page's excerpt, unless the page speaks of an auth
//! code, which may then be in it.

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, StatusCode};
use rescue_sso_proto::{
    CompanyId, Endpoint, Error, Operation, Password, RequestAuthCodeSso, SsoId,
};

fn decode(status: StatusCode, body: &'static str) -> Error {
    let op = RequestAuthCodeSso::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    );
    let mut response = Response::new(Bytes::from_static(body.as_bytes()));
    *response.status_mut() = status;
    op.decode(&Endpoint::default(), &response)
        .expect_err("not an answer")
}

#[test]
fn an_error_page_keeps_its_excerpt() {
    let err = decode(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
    assert!(
        matches!(&err, Error::Status { status, excerpt }
            if *status == 503 && excerpt.as_str() == "Service Unavailable"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "unexpected status 503: \"Service Unavailable\""
    );
}

#[test]
fn an_error_page_that_speaks_of_a_code_keeps_nothing() {
    let err = decode(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<html>AuthCode 4ahx99bpmn1t8rzq5yk3 could not be stored</html>",
    );
    assert!(
        matches!(&err, Error::Status { status, excerpt }
            if *status == 500 && excerpt.is_empty()),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "unexpected status 500");
}
