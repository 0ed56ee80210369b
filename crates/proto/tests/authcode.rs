//! `requestAuthCodeSSO` through the public API: the request as the guide
//! describes it, its answers (documented and inferred spellings), every
//! refusal, near-misses refused, and the code kept out of every message.

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Method, Response, StatusCode};
use rescue_sso_proto::{
    AuthCodeError, CompanyId, Endpoint, Error, Operation, Password, RequestAuthCodeSso,
    RequestMethod, RescueError, SsoId,
};

const PASSWORD: &str = "secretPassword";
/// 80 lower-case letters and digits, the shape of the guide's sample.
const CODE: &str =
    "4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi1234";

fn op(password: &str) -> RequestAuthCodeSso {
    RequestAuthCodeSso::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new(password).expect("password"),
    )
}

fn answer(body: &str) -> Response<Bytes> {
    Response::new(Bytes::from(body.to_owned()))
}

fn decode(body: &str) -> Result<String, Error> {
    op(PASSWORD)
        .decode(&Endpoint::default(), &answer(body))
        .map(|code| code.expose_secret().to_owned())
}

#[test]
fn the_request_is_the_guides() {
    let endpoint = Endpoint::default();
    let post = op(PASSWORD)
        .encode(&endpoint, RequestMethod::Post)
        .expect("post");
    assert_eq!(post.method(), Method::POST);
    assert_eq!(
        post.uri(),
        "https://secure.logmeinrescue.com/API/requestAuthCodeSSO.aspx"
    );
    assert_eq!(
        post.body().expose_bytes().as_ref(),
        b"ssoid=123456&pwd=secretPassword&company=654321"
    );
    assert_eq!(
        post.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(!format!("{post:?}").contains(PASSWORD));

    let get = op("p&w=d")
        .encode(&endpoint, RequestMethod::Get)
        .expect("get");
    assert_eq!(get.method(), Method::GET);
    assert_eq!(
        get.uri().path_and_query().map(|p| p.as_str()),
        Some("/API/requestAuthCodeSSO.aspx?ssoid=123456&pwd=p%26w%3Dd&company=654321")
    );
    assert!(get.body().is_empty());
    assert!(!format!("{get:?}").contains("p%26w"));
    assert_eq!(
        <RequestAuthCodeSso as Operation>::NAME,
        "requestAuthCodeSSO"
    );
}

#[test]
fn the_documented_answer_and_each_inferred_spelling_give_the_code() {
    for body in [
        // The guide.
        format!("OK AUTHCODE: {CODE}"),
        // Inferred: a line break instead of the space, no space after the
        // colon, and the line ending a server adds.
        format!("OK\nAUTHCODE: {CODE}"),
        format!("OK\r\nAUTHCODE: {CODE}"),
        format!("OK AUTHCODE:{CODE}"),
        format!("OK\r\nAUTHCODE:{CODE}\r\n"),
        format!("\u{feff}OK AUTHCODE: {CODE}"),
    ] {
        assert_eq!(decode(&body).expect(&body), CODE, "{body:?}");
    }
}

#[test]
fn every_refusal_is_typed() {
    for (word, refusal) in [
        ("ERROR", RescueError::Unspecified),
        ("INVALID", RescueError::Invalid),
        ("INVALIDPARAM_COMPANY", RescueError::InvalidParamCompany),
    ] {
        let err = decode(&format!("{word}\r\n")).unwrap_err();
        assert_eq!(err, Error::Rescue(refusal.clone()), "{word}");
        assert_eq!(refusal.word(), word);
        // The word stays out of the message; code reads it with word().
        assert!(!err.to_string().contains(word), "{err}");
    }
    // The ticket operations' words decode the same way here.
    assert_eq!(
        decode("MISSINGPARAMETERS").unwrap_err(),
        Error::Rescue(RescueError::MissingParameters)
    );
}

#[test]
fn near_misses_are_refused_and_keep_no_part_of_the_answer() {
    let long = "a".repeat(513);
    let cases = [
        ("OK".to_owned(), AuthCodeError::Malformed),
        (format!("AUTHCODE: {CODE}"), AuthCodeError::Malformed),
        (format!("OK  AUTHCODE: {CODE}"), AuthCodeError::Malformed),
        (format!("OKAUTHCODE: {CODE}"), AuthCodeError::Malformed),
        (format!("OK\n\nAUTHCODE: {CODE}"), AuthCodeError::Malformed),
        (format!("OK authcode: {CODE}"), AuthCodeError::Malformed),
        (format!("OK: {CODE}"), AuthCodeError::Malformed),
        (format!("ok AUTHCODE: {CODE}"), AuthCodeError::Malformed),
        (format!("Your AUTHCODE is {CODE}"), AuthCodeError::Malformed),
        (
            format!("<p>OK AUTHCODE: {CODE}</p>"),
            AuthCodeError::Malformed,
        ),
        ("OK AUTHCODE:".to_owned(), AuthCodeError::Empty),
        (
            format!("OK AUTHCODE: {CODE} {CODE}"),
            AuthCodeError::NotAlphanumeric,
        ),
        (
            format!("OK AUTHCODE: {CODE}é"),
            AuthCodeError::NotAlphanumeric,
        ),
        (
            format!("OK AUTHCODE: {CODE}_x"),
            AuthCodeError::NotAlphanumeric,
        ),
        ("OK AUTHCODE: abc123".to_owned(), AuthCodeError::Length),
        (format!("OK AUTHCODE: {long}"), AuthCodeError::Length),
    ];
    for (body, reason) in cases {
        let err = decode(&body).unwrap_err();
        assert_eq!(err, Error::InvalidAuthCode(reason), "{body:?}");
        for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
            assert!(!shown.contains(&CODE[..20]), "{shown}");
        }
    }
}

#[test]
fn other_answers_are_the_errors_they_are() {
    assert_eq!(decode("").unwrap_err(), Error::EmptyBody);
    assert!(matches!(
        decode("<html><body>Maintenance</body></html>").unwrap_err(),
        Error::Html { .. }
    ));
    assert!(matches!(
        decode("Something else entirely").unwrap_err(),
        Error::UnexpectedBody { .. }
    ));
    let mut down = answer("Service Unavailable");
    *down.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    assert!(matches!(
        op(PASSWORD)
            .decode(&Endpoint::default(), &down)
            .unwrap_err(),
        Error::Status { .. }
    ));
    // An error page that speaks of a code keeps no excerpt.
    let mut page = answer(&format!("<html>authcode {CODE} failed</html>"));
    *page.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let err = op(PASSWORD)
        .decode(&Endpoint::default(), &page)
        .unwrap_err();
    assert!(matches!(err, Error::Status { .. }));
    assert!(!format!("{err:?}{err}").contains(&CODE[..20]), "{err:?}");
    // A server echoing the password sees it redacted.
    let err = decode(&format!("Bad pwd {PASSWORD}")).unwrap_err();
    assert!(!format!("{err:?}{err}").contains(PASSWORD));
}

#[test]
fn the_code_never_prints() {
    let code = op(PASSWORD)
        .decode(
            &Endpoint::default(),
            &answer(&format!("OK AUTHCODE: {CODE}")),
        )
        .expect("code");
    assert_eq!(format!("{code:?}"), "AuthCode([redacted])");
    assert_eq!(format!("{:?}", code.clone()), "AuthCode([redacted])");
}
