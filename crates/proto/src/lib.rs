//! Sans-IO protocol for LogMeIn Rescue single sign-on.
//!
//! A company intranet that has already authenticated a technician asks
//! Rescue for a one-time login ticket on their behalf (`getDTCLoginTicket`,
//! or `getLoginTicket` for the web console) and redirects the technician's
//! browser to the URL it gets back. This crate is everything about that
//! exchange that does not touch a socket:
//!
//! - typed, validated inputs: [`SsoId`], [`CompanyId`], [`Password`] (a
//!   secret that never prints), [`Arch`];
//! - an [`Endpoint`] that is `https` only (plain `http` solely for a
//!   loopback emulator, on request);
//! - [`Operation`]s that encode an [`http::Request`] and decode the
//!   [`http::Response`] into a [`LoginTicket`] whose URL has been validated
//!   (scheme, host, path, company, GUID ticket, architecture) before anyone
//!   may send a browser to it, or into a typed [`Error`];
//! - a third operation, [`RequestAuthCodeSso`] (`requestAuthCodeSSO`), whose
//!   answer is an [`AuthCode`]: a long-lived bearer credential that never
//!   prints;
//! - [`http1`]: a strict, bounded, incremental HTTP/1.1 codec for stacks that
//!   only have a byte stream.
//!
//! Out of scope: sockets, TLS, DNS, proxies' I/O, clocks, retries. Those live
//! in the adapters (`rescue-sso-hyper`, `rescue-sso-blocking`) or in your own
//! stack. There is no clock, randomness or I/O in this crate; a lint enforces
//! it.
//!
//! # How an adapter drives this crate
//!
//! 1. Build an operation from typed inputs.
//! 2. [`Operation::encode`] it for an [`Endpoint`] and a [`RequestMethod`]
//!    (POST by default: the master SSO password stays out of URLs).
//! 3. Send the request: an [`EncodedRequest`] whose `Debug` shows no value
//!    (the body, and for GET the query, carry the password); take the
//!    `http::Request` with [`EncodedRequest::into_http`]. Never follow
//!    redirects.
//! 4. Read at most [`ANSWER_READ_LIMIT`] bytes of the response body (one more
//!    than [`MAX_ANSWER_BYTES`], so decoding can tell a body over the cap) and
//!    hand the response to [`Operation::decode`].
//!
//! ```
//! use rescue_sso_proto::{
//!     Arch, CompanyId, Endpoint, Error, GetDtcLoginTicket, Operation, Password,
//!     RequestMethod, RescueError, SsoId,
//! };
//! use rescue_sso_proto::bytes::Bytes;
//!
//! # fn main() -> Result<(), Error> {
//! let op = GetDtcLoginTicket::new(
//!     SsoId::new("123456")?,
//!     CompanyId::new("654321")?,
//!     Password::new("secretPassword")?,
//! )
//! .arch(Arch::X64);
//! let endpoint = Endpoint::default();
//!
//! let request = op.encode(&endpoint, RequestMethod::Post)?;
//! assert_eq!(request.uri(), "https://secure.logmeinrescue.com/SSO/GetDTCLoginTicket.aspx");
//! assert_eq!(
//!     request.body().expose_bytes().as_ref(),
//!     b"ssoid=123456&Password=secretPassword&CompanyID=654321&arch=64"
//! );
//! assert!(!format!("{request:?}").contains("secretPassword"));
//!
//! // What Rescue answers, as the adapter read it off the wire.
//! let response = http::Response::new(Bytes::from_static(
//!     b"OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx\
//!       ?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824&arch=64\r\n",
//! ));
//! let ticket = op.decode(&endpoint, &response)?;
//! assert!(ticket.expose_url().starts_with("https://secure.logmeinrescue.com/"));
//! assert!(!format!("{ticket:?}").contains("4c6f1815"));
//!
//! let refused = http::Response::new(Bytes::from_static(b"INVALIDPASSWORD"));
//! assert_eq!(
//!     op.decode(&endpoint, &refused).unwrap_err(),
//!     Error::Rescue(RescueError::InvalidPassword)
//! );
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod answer;
mod ascii;
mod authcode;
mod encode;
mod endpoint;
mod error;
mod excerpt;
pub mod http1;
mod input;
mod operation;
mod redact;
mod ticket;

pub use bytes;
pub use http;

pub use answer::{ANSWER_READ_LIMIT, MAX_ANSWER_BYTES, check_answer_head};
pub use authcode::{AuthCode, MAX_AUTH_CODE_LEN, MIN_AUTH_CODE_LEN, RequestAuthCodeSso};
pub use encode::{EncodedRequest, RequestBody, RequestMethod, USER_AGENT_VALUE};
pub use endpoint::{DEFAULT_ENDPOINT, Endpoint, EndpointBuilder};
pub use error::{
    AuthCodeError, EndpointError, Error, Field, InputError, RescueError, TicketUrlError,
};
pub use excerpt::{Excerpt, MAX_EXCERPT_CHARS};
pub use input::{
    Arch, CompanyId, MAX_COMPANY_ID_DIGITS, MAX_PASSWORD_BYTES, MAX_SSO_ID_BYTES, Password, SsoId,
};
pub use operation::{GetDtcLoginTicket, GetLoginTicket, Operation};
pub use ticket::{Console, LoginTicket};
