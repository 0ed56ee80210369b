//! The crate's error type.
//!
//! Every message is lowercase without a trailing period, and none of them ever
//! carries the master SSO password, the encoded request, or a ticket: body
//! excerpts pass through [`Excerpt`], which redacts and truncates them.

use std::fmt;

use http::StatusCode;

use crate::excerpt::Excerpt;
use crate::http1;
use crate::redact::Finder;

/// What an undocumented refusal word that held the password is kept as.
const REDACTED_WORD: &str = "[redacted]";

/// Everything that can go wrong encoding a request or decoding Rescue's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value was rejected before anything was sent.
    Input(InputError),
    /// The endpoint could not be used.
    Endpoint(EndpointError),
    /// The request could not be assembled. Validated inputs always encode, so
    /// this is a bug report, never a hint at the values.
    Encode,
    /// Rescue understood the request and refused it.
    Rescue(RescueError),
    /// The answer was a redirect; redirects are never followed, because the
    /// request carries the master SSO password.
    Redirect {
        /// The 3xx status.
        status: StatusCode,
    },
    /// The answer had a status other than 2xx or 3xx.
    Status {
        /// The status.
        status: StatusCode,
        /// The start of the body, sanitised.
        excerpt: Excerpt,
    },
    /// The body was larger than any answer Rescue gives.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body was empty (or only whitespace).
    EmptyBody,
    /// The body was not valid UTF-8.
    NotUtf8,
    /// The body was an HTML page, typically a proxy's or a load balancer's.
    Html {
        /// The start of the body, sanitised.
        excerpt: Excerpt,
    },
    /// The body was a bare URL without the `OK:` prefix that marks success.
    MissingOkPrefix,
    /// The body was none of Rescue's answers.
    UnexpectedBody {
        /// The start of the body, sanitised.
        excerpt: Excerpt,
    },
    /// Rescue said `OK:` but the URL failed validation, so no browser may be
    /// sent to it.
    InvalidTicketUrl(TicketUrlError),
    /// The HTTP/1.1 response could not be read.
    Http1(http1::Error),
    /// `requestAuthCodeSSO` answered `OK` (or spoke of an auth code) but not
    /// in an accepted form. No part of the answer is kept: it may hold a
    /// code.
    InvalidAuthCode(AuthCodeError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(_) => f.write_str("invalid input"),
            Error::Endpoint(_) => f.write_str("invalid endpoint"),
            Error::Encode => f.write_str("the request could not be encoded"),
            Error::Rescue(_) => f.write_str("rescue refused the request"),
            Error::Redirect { status } => {
                write!(f, "unexpected redirect (status {})", status.as_u16())
            }
            Error::Status { status, excerpt } => {
                write!(f, "unexpected status {}", status.as_u16())?;
                excerpt.fmt_suffix(f)
            }
            Error::BodyTooLarge { limit } => {
                write!(f, "response body larger than {limit} bytes")
            }
            Error::EmptyBody => f.write_str("empty response body"),
            Error::NotUtf8 => f.write_str("response body is not utf-8"),
            Error::Html { excerpt } => {
                f.write_str("response is an html page, not a rescue answer")?;
                excerpt.fmt_suffix(f)
            }
            Error::MissingOkPrefix => f.write_str("response is a url without the ok: prefix"),
            Error::UnexpectedBody { excerpt } => {
                f.write_str("response is not a rescue answer")?;
                excerpt.fmt_suffix(f)
            }
            Error::InvalidTicketUrl(_) => f.write_str("rescue returned an invalid ticket url"),
            Error::Http1(_) => f.write_str("malformed http/1.1 response"),
            Error::InvalidAuthCode(_) => f.write_str("rescue returned an invalid auth code answer"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Input(e) => Some(e),
            Error::Endpoint(e) => Some(e),
            Error::Rescue(e) => Some(e),
            Error::InvalidTicketUrl(e) => Some(e),
            Error::Http1(e) => Some(e),
            Error::InvalidAuthCode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

impl From<EndpointError> for Error {
    fn from(e: EndpointError) -> Self {
        Error::Endpoint(e)
    }
}

impl From<RescueError> for Error {
    fn from(e: RescueError) -> Self {
        Error::Rescue(e)
    }
}

impl From<TicketUrlError> for Error {
    fn from(e: TicketUrlError) -> Self {
        Error::InvalidTicketUrl(e)
    }
}

impl From<http1::Error> for Error {
    fn from(e: http1::Error) -> Self {
        Error::Http1(e)
    }
}

/// Rescue's own refusals: HTTP 200 with one word in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RescueError {
    /// `INVALIDPASSWORD`: the SSO ID does not identify a technician, or the
    /// master SSO password is wrong.
    InvalidPassword,
    /// `INVALIDCOMPANYID`: no such company.
    InvalidCompanyId,
    /// `MISSINGPARAMETERS`: a required parameter was not received.
    MissingParameters,
    /// `ERROR` (`requestAuthCodeSSO`): an unspecified failure on Rescue's
    /// side, such as a timeout; trying again later may work.
    Unspecified,
    /// `INVALID` (`requestAuthCodeSSO`): the SSO ID and master SSO password
    /// do not authenticate.
    Invalid,
    /// `INVALIDPARAM_COMPANY` (`requestAuthCodeSSO`): the company is not
    /// numeric.
    InvalidParamCompany,
    /// Any other upper-case word (an undocumented `INVALIDSSOID` has been
    /// seen); `[redacted]` when the word held the master SSO password.
    Unknown(String),
}

impl RescueError {
    /// The word Rescue answered, e.g. `INVALIDPASSWORD`.
    pub fn word(&self) -> &str {
        match self {
            RescueError::InvalidPassword => "INVALIDPASSWORD",
            RescueError::InvalidCompanyId => "INVALIDCOMPANYID",
            RescueError::MissingParameters => "MISSINGPARAMETERS",
            RescueError::Unspecified => "ERROR",
            RescueError::Invalid => "INVALID",
            RescueError::InvalidParamCompany => "INVALIDPARAM_COMPANY",
            RescueError::Unknown(word) => word,
        }
    }

    /// The refusal `word` means. An undocumented word that holds the
    /// password, in any spelling (a front end echoing the form back, an
    /// all-capitals password), is kept as `[redacted]`.
    pub(crate) fn from_word(word: &str, password: &str) -> Self {
        match word {
            "INVALIDPASSWORD" => RescueError::InvalidPassword,
            "INVALIDCOMPANYID" => RescueError::InvalidCompanyId,
            "MISSINGPARAMETERS" => RescueError::MissingParameters,
            "ERROR" => RescueError::Unspecified,
            "INVALID" => RescueError::Invalid,
            "INVALIDPARAM_COMPANY" => RescueError::InvalidParamCompany,
            other if Finder::new(password).is_some_and(|f| f.is_in(other.as_bytes())) => {
                RescueError::Unknown(REDACTED_WORD.to_owned())
            }
            other => RescueError::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for RescueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The words themselves stay out of messages: a password may be
            // spelled like one. `word()` gives them to code.
            RescueError::InvalidPassword => f.write_str("invalid sso id or master sso password"),
            RescueError::InvalidCompanyId => f.write_str("unknown company id"),
            RescueError::MissingParameters => f.write_str("a required parameter was missing"),
            RescueError::Unspecified => f.write_str("rescue failed on its side; try again later"),
            RescueError::Invalid => f.write_str("invalid sso id or master sso password"),
            RescueError::InvalidParamCompany => f.write_str("the company id is not numeric"),
            RescueError::Unknown(word) => write!(f, "undocumented answer {word}"),
        }
    }
}

impl std::error::Error for RescueError {}

/// Why an answer to `requestAuthCodeSSO` that began with `OK` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthCodeError {
    /// Not `OK`, a space or a line break, `AUTHCODE:`, an optional space,
    /// then the code.
    Malformed,
    /// Nothing after `AUTHCODE:`.
    Empty,
    /// The code has a character other than ASCII letters and digits.
    NotAlphanumeric,
    /// The code is shorter than 20 or longer than 512 characters.
    Length,
    /// The code is the master SSO password (in any letter case): a front
    /// end answering with the request it was sent, not Rescue.
    EchoesPassword,
}

impl fmt::Display for AuthCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthCodeError::Malformed => "the answer is not `OK AUTHCODE: <code>`",
            AuthCodeError::Empty => "the auth code is empty",
            AuthCodeError::NotAlphanumeric => "the auth code is not ascii letters and digits",
            AuthCodeError::Length => "the auth code is not 20 to 512 characters long",
            AuthCodeError::EchoesPassword => {
                "the auth code is the password sent: an echo of the request, not rescue's answer"
            }
        })
    }
}

impl std::error::Error for AuthCodeError {}

/// Which typed input was rejected, and why. Never carries the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// The value was empty.
    Empty {
        /// Which input.
        field: Field,
    },
    /// The value was longer than the documented maximum.
    TooLong {
        /// Which input.
        field: Field,
        /// The maximum, in bytes.
        max: usize,
    },
    /// The value contained a control character.
    ControlCharacter {
        /// Which input.
        field: Field,
    },
    /// The value had leading or trailing whitespace, which Rescue would not
    /// match and which is almost always a copy-and-paste slip.
    SurroundingWhitespace {
        /// Which input.
        field: Field,
    },
    /// A company ID contained something other than ASCII digits.
    NotDigits {
        /// Which input.
        field: Field,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty { field } => write!(f, "{field} is empty"),
            InputError::TooLong { field, max } => {
                write!(f, "{field} is longer than {max} bytes")
            }
            InputError::ControlCharacter { field } => {
                write!(f, "{field} contains a control character")
            }
            InputError::SurroundingWhitespace { field } => {
                write!(f, "{field} has leading or trailing whitespace")
            }
            InputError::NotDigits { field } => {
                write!(f, "{field} must be ascii digits without sign")
            }
        }
    }
}

impl std::error::Error for InputError {}

/// The typed inputs, named in [`InputError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The technician's single sign-on ID (`ssoid`).
    SsoId,
    /// The company ID (`CompanyID`).
    CompanyId,
    /// The master SSO password (`Password`).
    Password,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::SsoId => "sso id",
            Field::CompanyId => "company id",
            Field::Password => "password",
        })
    }
}

/// Why an endpoint was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not a URL with a scheme and a host.
    Malformed,
    /// A scheme other than https (or http where allowed).
    UnsupportedScheme,
    /// Plain http was asked for a host that is not a loopback address, or
    /// without opting in.
    PlainHttpNotAllowed,
    /// The URL had a path other than `/`, a query, a fragment, or user info;
    /// the service paths are fixed, so a base is scheme, host and port only.
    NotABase,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndpointError::Malformed => "endpoint is not an absolute url with a host",
            EndpointError::UnsupportedScheme => "endpoint scheme must be https",
            EndpointError::PlainHttpNotAllowed => {
                "plain http is only allowed, on request, for a loopback address"
            }
            EndpointError::NotABase => {
                "endpoint must be scheme, host and port only (no path, query, fragment or user info)"
            }
        })
    }
}

impl std::error::Error for EndpointError {}

/// Why an `OK:` URL was refused. Never carries the URL or the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TicketUrlError {
    /// Not an absolute URL.
    Malformed,
    /// The scheme was not https (or the endpoint's own scheme for a loopback
    /// emulator).
    Scheme,
    /// The URL carried user info (`user@host`).
    UserInfo,
    /// Host or port differ from the endpoint's and are not on the allow-list.
    Host,
    /// The path is not the documented one for this operation.
    Path,
    /// The `companyid` parameter is missing or differs from the one sent.
    CompanyId,
    /// The ticket parameter is missing, repeated, or not a GUID.
    Ticket,
    /// `arch=64` is present although not asked for, absent although asked
    /// for, or has another value.
    Arch,
    /// A parameter this operation's URL never has, or one given twice.
    UnexpectedParameter,
    /// The URL had a fragment.
    Fragment,
}

impl fmt::Display for TicketUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketUrlError::Malformed => "not an absolute url",
            TicketUrlError::Scheme => "scheme is not https",
            TicketUrlError::UserInfo => "url carries user info",
            TicketUrlError::Host => "host or port differ from the endpoint's",
            TicketUrlError::Path => "path is not the documented one",
            TicketUrlError::CompanyId => "companyid is missing or differs from the one sent",
            TicketUrlError::Ticket => "ticket is missing or not a guid",
            TicketUrlError::Arch => "arch does not match the architecture asked for",
            TicketUrlError::UnexpectedParameter => "unexpected or repeated query parameter",
            TicketUrlError::Fragment => "url has a fragment",
        })
    }
}

impl std::error::Error for TicketUrlError {}
