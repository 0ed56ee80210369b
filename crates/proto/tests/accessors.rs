//! The public accessors and the answer's size limits, with the values a
//! caller sees.

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use rescue_sso_proto::{
    CompanyId, Endpoint, EndpointError, Error, GetDtcLoginTicket, Operation, Password,
    RequestMethod, SsoId, check_answer_head,
};

const FORM: &[u8] = b"ssoid=123456&Password=secretPassword&CompanyID=654321";

fn op() -> GetDtcLoginTicket {
    GetDtcLoginTicket::new(
        SsoId::new("123456").expect("sso id"),
        CompanyId::new("654321").expect("company id"),
        Password::new("secretPassword").expect("password"),
    )
}

#[test]
fn endpoint_host_port_and_display() {
    let cases = [
        (
            "https://secure.logmeinrescue.eu",
            "secure.logmeinrescue.eu",
            443,
            "https://secure.logmeinrescue.eu",
        ),
        (
            "https://Rescue.Example:8443/",
            "Rescue.Example",
            8443,
            "https://Rescue.Example:8443",
        ),
        ("https://[::1]:9443", "[::1]", 9443, "https://[::1]:9443"),
    ];
    for (url, host, port, display) in cases {
        let endpoint: Endpoint = url.parse().expect("endpoint");
        assert_eq!(endpoint.host(), host, "{url}");
        assert_eq!(endpoint.port(), port, "{url}");
        assert_eq!(endpoint.to_string(), display, "{url}");
    }
    let local = Endpoint::builder("http://127.0.0.1")
        .allow_loopback_http()
        .build()
        .expect("endpoint");
    assert_eq!(local.host(), "127.0.0.1");
    assert_eq!(local.port(), 80);
    assert_eq!(local.to_string(), "http://127.0.0.1");
}

#[test]
fn endpoint_from_str_refuses_what_new_refuses() {
    assert_eq!(
        "http://secure.logmeinrescue.com".parse::<Endpoint>(),
        Err(EndpointError::PlainHttpNotAllowed)
    );
    assert_eq!(
        "ftp://secure.logmeinrescue.com".parse::<Endpoint>(),
        Err(EndpointError::UnsupportedScheme)
    );
    assert_eq!(
        "https://secure.logmeinrescue.com/SSO".parse::<Endpoint>(),
        Err(EndpointError::NotABase)
    );
}

#[test]
fn request_body_of_a_post() {
    let req = op()
        .encode(&Endpoint::default(), RequestMethod::Post)
        .expect("encode");
    let body = req.body();
    assert_eq!(body.len(), 53);
    assert_eq!(body.len(), FORM.len());
    assert!(!body.is_empty());
    assert_eq!(body.as_ref(), FORM);
    assert_eq!(req.into_http().into_body().into_bytes(), Bytes::from(FORM));
}

#[test]
fn request_body_of_a_get_is_empty() {
    let req = op()
        .encode(&Endpoint::default(), RequestMethod::Get)
        .expect("encode");
    let body = req.body();
    assert_eq!(body.len(), 0);
    assert!(body.is_empty());
    assert_eq!(body.as_ref(), b"");
}

#[test]
fn encoded_request_as_http() {
    let req = op()
        .encode(&Endpoint::default(), RequestMethod::Post)
        .expect("encode");
    let http = req.as_http();
    assert_eq!(http.method(), "POST");
    assert_eq!(
        http.uri(),
        "https://secure.logmeinrescue.com/SSO/GetDTCLoginTicket.aspx"
    );
    assert_eq!(http.headers()[header::CONTENT_LENGTH], "53");
    assert_eq!(http.body().as_ref(), FORM);
}

#[test]
fn sso_id_and_company_id_display() {
    assert_eq!(SsoId::new("Zoë 🔧").expect("sso id").to_string(), "Zoë 🔧");
    assert_eq!(
        CompanyId::new("00654321").expect("company id").to_string(),
        "654321"
    );
    assert_eq!(CompanyId::from(0).to_string(), "0");
}

fn head(status: u16, content_lengths: &[&'static str]) -> Result<(), Error> {
    let mut headers = HeaderMap::new();
    for value in content_lengths {
        headers.append(header::CONTENT_LENGTH, HeaderValue::from_static(value));
    }
    check_answer_head(StatusCode::from_u16(status).expect("status"), &headers)
}

#[test]
fn answer_head_redirects_are_refused() {
    for status in [300, 301, 302, 303, 307, 308] {
        assert_eq!(
            head(status, &[]),
            Err(Error::Redirect {
                status: StatusCode::from_u16(status).expect("status")
            }),
            "{status}"
        );
    }
}

#[test]
fn answer_head_content_length_up_to_8192_bytes() {
    let too_large = Err(Error::BodyTooLarge { limit: 8192 });
    assert_eq!(head(200, &[]), Ok(()));
    assert_eq!(head(200, &["0"]), Ok(()));
    assert_eq!(head(200, &["100"]), Ok(()));
    assert_eq!(head(200, &["8192"]), Ok(()));
    assert_eq!(head(200, &["8193"]), too_large);
    assert_eq!(head(204, &["8193"]), too_large);
    // The largest of several announced lengths counts.
    assert_eq!(head(200, &["100", "8193"]), too_large);
    // Not a number: the head alone cannot tell.
    assert_eq!(head(200, &["lots"]), Ok(()));
    // A non-2xx answer's body is still read, for its excerpt.
    assert_eq!(head(500, &["9000"]), Ok(()));
    assert_eq!(head(404, &["8193"]), Ok(()));
}

#[test]
fn an_answer_of_8192_bytes_is_read_and_one_of_8193_is_too_large() {
    // `<html>`, spaces, and an `x` as the body's last byte.
    let decode = |len: usize| {
        let mut page = b"<html>".to_vec();
        page.resize(len - 1, b' ');
        page.push(b'x');
        assert_eq!(page.len(), len);
        op().decode(&Endpoint::default(), &Response::new(Bytes::from(page)))
    };
    assert!(matches!(decode(8192), Err(Error::Html { excerpt }) if excerpt.as_str() == "<html> x"));
    assert_eq!(
        decode(8193).map(|_| ()),
        Err(Error::BodyTooLarge { limit: 8192 })
    );
}

#[test]
fn request_method_names() {
    assert_eq!(RequestMethod::Post.as_str(), "POST");
    assert_eq!(RequestMethod::Get.as_str(), "GET");
    // Each the method of the request it encodes.
    for method in [RequestMethod::Post, RequestMethod::Get] {
        let request = op().encode(&Endpoint::default(), method).expect("encode");
        assert_eq!(request.method().as_str(), method.as_str());
    }
}
