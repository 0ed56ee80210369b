//! Every error message, word for word, and what each error wraps.

use std::error::Error as _;

use rescue_sso_proto::http::StatusCode;
use rescue_sso_proto::{
    AuthCodeError, EndpointError, Error, Excerpt, Field, InputError, RescueError, TicketUrlError,
    http1,
};

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).expect("status")
}

#[test]
fn error_messages() {
    let page = Excerpt::new(b"<html>Server\r\n\r\nError</html>", &[]);
    let nothing = Excerpt::new(b" \r\n", &[]);
    let cases = [
        (
            Error::Input(InputError::Empty {
                field: Field::SsoId,
            }),
            "invalid input",
        ),
        (
            Error::Endpoint(EndpointError::Malformed),
            "invalid endpoint",
        ),
        (Error::Encode, "the request could not be encoded"),
        (
            Error::Rescue(RescueError::InvalidPassword),
            "rescue refused the request",
        ),
        (
            Error::Redirect {
                status: status(302),
            },
            "unexpected redirect (status 302)",
        ),
        (
            Error::Status {
                status: status(500),
                excerpt: page.clone(),
            },
            "unexpected status 500: \"<html>Server Error</html>\"",
        ),
        (
            Error::Status {
                status: status(502),
                excerpt: nothing.clone(),
            },
            "unexpected status 502",
        ),
        (
            Error::BodyTooLarge { limit: 8192 },
            "response body larger than 8192 bytes",
        ),
        (Error::EmptyBody, "empty response body"),
        (Error::NotUtf8, "response body is not utf-8"),
        (
            Error::Html {
                excerpt: page.clone(),
            },
            "response is an html page, not a rescue answer: \"<html>Server Error</html>\"",
        ),
        (
            Error::Html {
                excerpt: nothing.clone(),
            },
            "response is an html page, not a rescue answer",
        ),
        (
            Error::MissingOkPrefix,
            "response is a url without the ok: prefix",
        ),
        (
            Error::UnexpectedBody {
                excerpt: Excerpt::new(b"Invalid password", &[]),
            },
            "response is not a rescue answer: \"Invalid password\"",
        ),
        (
            Error::UnexpectedBody { excerpt: nothing },
            "response is not a rescue answer",
        ),
        (
            Error::InvalidTicketUrl(TicketUrlError::Host),
            "rescue returned an invalid ticket url",
        ),
        (
            Error::Http1(http1::Error::BareCr),
            "malformed http/1.1 response",
        ),
        (
            Error::InvalidAuthCode(AuthCodeError::Length),
            "rescue returned an invalid auth code answer",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message, "{error:?}");
    }
}

#[test]
fn rescue_error_messages() {
    for (error, message) in [
        (
            RescueError::InvalidPassword,
            "invalid sso id or master sso password",
        ),
        (RescueError::InvalidCompanyId, "unknown company id"),
        (
            RescueError::MissingParameters,
            "a required parameter was missing",
        ),
        (
            RescueError::Unspecified,
            "rescue failed on its side; try again later",
        ),
        (
            RescueError::Invalid,
            "invalid sso id or master sso password",
        ),
        (
            RescueError::InvalidParamCompany,
            "the company id is not numeric",
        ),
        (
            RescueError::Unknown("INVALIDSSOID".into()),
            "undocumented answer INVALIDSSOID",
        ),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
}

#[test]
fn input_error_messages_name_the_field() {
    for (error, message) in [
        (
            InputError::Empty {
                field: Field::SsoId,
            },
            "sso id is empty",
        ),
        (
            InputError::TooLong {
                field: Field::Password,
                max: 1024,
            },
            "password is longer than 1024 bytes",
        ),
        (
            InputError::ControlCharacter {
                field: Field::Password,
            },
            "password contains a control character",
        ),
        (
            InputError::SurroundingWhitespace {
                field: Field::SsoId,
            },
            "sso id has leading or trailing whitespace",
        ),
        (
            InputError::NotDigits {
                field: Field::CompanyId,
            },
            "company id must be ascii digits without sign",
        ),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
    for (field, name) in [
        (Field::SsoId, "sso id"),
        (Field::CompanyId, "company id"),
        (Field::Password, "password"),
    ] {
        assert_eq!(field.to_string(), name);
    }
}

#[test]
fn endpoint_error_messages() {
    for (error, message) in [
        (
            EndpointError::Malformed,
            "endpoint is not an absolute url with a host",
        ),
        (
            EndpointError::UnsupportedScheme,
            "endpoint scheme must be https",
        ),
        (
            EndpointError::PlainHttpNotAllowed,
            "plain http is only allowed, on request, for a loopback address",
        ),
        (
            EndpointError::NotABase,
            "endpoint must be scheme, host and port only (no path, query, fragment or user info)",
        ),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
}

#[test]
fn ticket_url_error_messages() {
    use TicketUrlError as T;
    for (error, message) in [
        (T::Malformed, "not an absolute url"),
        (T::Scheme, "scheme is not https"),
        (T::UserInfo, "url carries user info"),
        (T::Host, "host or port differ from the endpoint's"),
        (T::Path, "path is not the documented one"),
        (
            T::CompanyId,
            "companyid is missing or differs from the one sent",
        ),
        (T::Ticket, "ticket is missing or not a guid"),
        (T::Arch, "arch does not match the architecture asked for"),
        (
            T::UnexpectedParameter,
            "unexpected or repeated query parameter",
        ),
        (T::Fragment, "url has a fragment"),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
}

#[test]
fn auth_code_error_messages() {
    for (error, message) in [
        (
            AuthCodeError::Malformed,
            "the answer is not `OK AUTHCODE: <code>`",
        ),
        (AuthCodeError::Empty, "the auth code is empty"),
        (
            AuthCodeError::NotAlphanumeric,
            "the auth code is not ascii letters and digits",
        ),
        (
            AuthCodeError::Length,
            "the auth code is not 20 to 512 characters long",
        ),
        (
            AuthCodeError::EchoesPassword,
            "the auth code is the password sent: an echo of the request, not rescue's answer",
        ),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
}

#[test]
fn http1_error_messages() {
    use http1::Error as H;
    for (error, message) in [
        (
            H::HeadTooLarge { limit: 16384 },
            "response head larger than 16384 bytes",
        ),
        (
            H::TooManyHeaders { limit: 64 },
            "response head has more than 64 header fields",
        ),
        (H::BareCr, "carriage return not followed by line feed"),
        (
            H::ObsFold,
            "header line starts with whitespace (obsolete line folding)",
        ),
        (H::InvalidStatus, "invalid status line"),
        (H::UnsupportedVersion, "unsupported http version"),
        (H::InvalidHeader, "invalid header field"),
        (H::SwitchingProtocols, "unexpected 101 switching protocols"),
        (
            H::TooManyInformational { limit: 8 },
            "more than 8 interim (1xx) responses",
        ),
        (H::InvalidContentLength, "invalid content-length"),
        (
            H::ConflictingContentLength,
            "conflicting content-length values",
        ),
        (
            H::TransferEncodingWithContentLength,
            "both transfer-encoding and content-length present",
        ),
        (
            H::TransferEncodingOnHttp10,
            "transfer-encoding on an http/1.0 response",
        ),
        (
            H::RepeatedChunked,
            "chunked transfer coding applied more than once",
        ),
        (H::ChunkedNotLast, "chunked is not the last transfer coding"),
        (
            H::UnsupportedTransferEncoding,
            "unsupported transfer coding",
        ),
        (
            H::BodyTooLarge { limit: 65536 },
            "response body larger than 65536 bytes",
        ),
        (H::ChunkSizeOverflow, "chunk size overflows 64 bits"),
        (H::InvalidChunkSize, "invalid chunk size line"),
        (H::InvalidChunkExtension, "invalid chunk extension"),
        (
            H::ChunkExtensionTooLarge { limit: 1024 },
            "chunk extension larger than 1024 bytes",
        ),
        (
            H::MissingChunkCrlf,
            "chunk line or data not followed by crlf",
        ),
        (
            H::TrailersTooLarge { limit: 4096 },
            "trailer section larger than 4096 bytes",
        ),
        (H::InvalidTrailer, "invalid trailer field"),
        (H::NoResponse, "connection closed before any response byte"),
        (H::Incomplete, "connection closed inside a response"),
        (H::AlreadyComplete, "the response was already complete"),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
        assert!(error.source().is_none());
    }
}

#[test]
fn each_wrapping_error_has_what_it_wraps_as_its_source() {
    let input = InputError::TooLong {
        field: Field::Password,
        max: 1024,
    };
    let source = Error::Input(input).source().map(ToString::to_string);
    assert_eq!(
        source.as_deref(),
        Some("password is longer than 1024 bytes")
    );
    let err = Error::Input(input);
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<InputError>()),
        Some(&input)
    );

    let err = Error::Endpoint(EndpointError::NotABase);
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<EndpointError>()),
        Some(&EndpointError::NotABase)
    );

    let err = Error::Rescue(RescueError::InvalidCompanyId);
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<RescueError>()),
        Some(&RescueError::InvalidCompanyId)
    );

    let err = Error::InvalidTicketUrl(TicketUrlError::Fragment);
    assert_eq!(
        err.source()
            .and_then(|s| s.downcast_ref::<TicketUrlError>()),
        Some(&TicketUrlError::Fragment)
    );

    let err = Error::Http1(http1::Error::Incomplete);
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<http1::Error>()),
        Some(&http1::Error::Incomplete)
    );

    let err = Error::InvalidAuthCode(AuthCodeError::Empty);
    assert_eq!(
        err.source().and_then(|s| s.downcast_ref::<AuthCodeError>()),
        Some(&AuthCodeError::Empty)
    );
}

#[test]
fn errors_that_wrap_nothing_have_no_source() {
    for err in [
        Error::Encode,
        Error::Redirect {
            status: status(301),
        },
        Error::Status {
            status: status(500),
            excerpt: Excerpt::new(b"x", &[]),
        },
        Error::BodyTooLarge { limit: 8192 },
        Error::EmptyBody,
        Error::NotUtf8,
        Error::Html {
            excerpt: Excerpt::new(b"<html>", &[]),
        },
        Error::MissingOkPrefix,
        Error::UnexpectedBody {
            excerpt: Excerpt::new(b"x", &[]),
        },
    ] {
        assert!(err.source().is_none(), "{err:?}");
    }
}
