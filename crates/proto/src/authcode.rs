//! `requestAuthCodeSSO`: an authentication code for a technician who signs
//! in by SSO, which keeps them from being logged out on a timeout and which
//! Rescue's API calls accept.
//!
//! Wire facts, from Rescue's API guide unless marked *inferred*:
//!
//! - `/API/requestAuthCodeSSO.aspx`, GET or POST form, parameters `ssoid`,
//!   `pwd` (the company's master SSO password; the ticket calls name it
//!   `Password`) and `company` (digits).
//! - Success: `OK AUTHCODE: <code>` on one line, as the guide prints it.
//!   *Inferred*: the separator between `OK` and `AUTHCODE:` may also be a
//!   line break (LF or CRLF), and the space after the colon may be missing;
//!   the code is ASCII letters and digits (the guide's sample is 80
//!   lower-case characters), accepted from 20 to 512 characters, case kept.
//!   Exactly these variants are accepted; anything else is refused.
//! - Refusals: `ERROR` (unspecified, such as a timeout on Rescue's side),
//!   `INVALID` (the SSO ID and password do not authenticate),
//!   `INVALIDPARAM_COMPANY` (the company is not numeric).
//! - The code does not expire; it stays valid until a new one is requested.

use std::fmt;

use bytes::Bytes;
use http::Response;
use secrecy::{ExposeSecret, SecretString};

use crate::answer::{self, MAX_ANSWER_BYTES};
use crate::ascii::contains_ignore_case;
use crate::encode::{self, EncodedRequest, RequestMethod};
use crate::endpoint::Endpoint;
use crate::error::{AuthCodeError, Error};
use crate::excerpt::Excerpt;
use crate::input::{CompanyId, Password, SsoId};
use crate::operation::Operation;

/// The shortest code accepted (*inferred*).
pub const MIN_AUTH_CODE_LEN: usize = 20;
/// The longest code accepted (*inferred*).
pub const MAX_AUTH_CODE_LEN: usize = 512;

/// `requestAuthCodeSSO`: an authentication code for the technician `ssoid`
/// of `company`, authenticated by the company's master SSO password.
///
/// Sent to `/API/requestAuthCodeSSO.aspx` with `ssoid`, `pwd` and
/// `company`; answers `OK AUTHCODE: <code>`. Requesting a code invalidates
/// the technician's previous one.
///
/// ```
/// use rescue_sso_proto::{
///     AuthCode, CompanyId, Endpoint, Operation, Password, RequestAuthCodeSso, RequestMethod,
///     SsoId,
/// };
/// use rescue_sso_proto::bytes::Bytes;
///
/// # fn main() -> Result<(), rescue_sso_proto::Error> {
/// let op = RequestAuthCodeSso::new(
///     SsoId::new("123456")?,
///     CompanyId::new("654321")?,
///     Password::new("secretPassword")?,
/// );
/// let endpoint = Endpoint::default();
/// let request = op.encode(&endpoint, RequestMethod::Post)?;
/// assert_eq!(request.uri(), "https://secure.logmeinrescue.com/API/requestAuthCodeSSO.aspx");
/// assert_eq!(
///     request.body().expose_bytes().as_ref(),
///     b"ssoid=123456&pwd=secretPassword&company=654321"
/// );
///
/// let answer = http::Response::new(Bytes::from_static(
///     b"OK AUTHCODE: 4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s",
/// ));
/// let code: AuthCode = op.decode(&endpoint, &answer)?;
/// assert!(code.expose_secret().starts_with("4ahx99bp"));
/// assert!(!format!("{code:?}").contains("4ahx99bp"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RequestAuthCodeSso {
    sso_id: SsoId,
    company_id: CompanyId,
    password: Password,
}

impl RequestAuthCodeSso {
    /// The path the request goes to.
    pub const PATH: &'static str = "/API/requestAuthCodeSSO.aspx";

    /// A request for the technician `sso_id` of `company_id`, authenticated
    /// by the company's master SSO `password`.
    pub fn new(sso_id: SsoId, company_id: CompanyId, password: Password) -> Self {
        RequestAuthCodeSso {
            sso_id,
            company_id,
            password,
        }
    }

    /// The technician's SSO ID.
    pub fn sso_id(&self) -> &SsoId {
        &self.sso_id
    }

    /// The company ID.
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }

    /// `f` of the parameters, in the guide's order and spelling.
    fn with_params<R>(&self, f: impl FnOnce(&encode::Params<'_>) -> R) -> R {
        let mut digits = [0u8; 20];
        let digits = self.company_id.write_digits(&mut digits);
        f(&[
            ("ssoid", self.sso_id.as_str()),
            ("pwd", self.password.expose_secret()),
            ("company", digits),
        ])
    }
}

impl Operation for RequestAuthCodeSso {
    type Output = AuthCode;
    const NAME: &'static str = "requestAuthCodeSSO";

    fn encode(&self, endpoint: &Endpoint, method: RequestMethod) -> Result<EncodedRequest, Error> {
        self.with_params(|params| encode::request(endpoint, method, Self::PATH, params))
    }

    fn encode_http1(
        &self,
        endpoint: &Endpoint,
        method: RequestMethod,
        out: &mut crate::http1::RequestBuffer,
    ) -> Result<(), Error> {
        self.with_params(|params| encode::http1_request(endpoint, method, Self::PATH, params, out));
        Ok(())
    }

    fn decode(&self, _endpoint: &Endpoint, response: &Response<Bytes>) -> Result<AuthCode, Error> {
        let password = self.password.expose_secret();
        let speaks_of_a_code = contains_ignore_case(
            response
                .body()
                .get(..MAX_ANSWER_BYTES)
                .unwrap_or(response.body()),
            b"authcode",
        );
        let text = match answer::body_text(response, password) {
            Ok(text) => text,
            // An error page that speaks of a code keeps no excerpt either.
            Err(Error::Status { status, .. }) if speaks_of_a_code => {
                return Err(Error::Status {
                    status,
                    excerpt: Excerpt::new(b"", &[]),
                });
            }
            Err(err) => return Err(err),
        };
        if let Some(rest) = text.strip_prefix("OK") {
            let code = parse(rest).map_err(Error::InvalidAuthCode)?;
            // The answer was trimmed, and so is the password it may echo.
            if code
                .expose_secret()
                .eq_ignore_ascii_case(password.trim_matches(|c: char| c.is_ascii_whitespace()))
            {
                return Err(Error::InvalidAuthCode(AuthCodeError::EchoesPassword));
            }
            return Ok(code);
        }
        // A body that speaks of a code but is not the answer may hold one:
        // it never goes into an excerpt.
        if speaks_of_a_code {
            return Err(Error::InvalidAuthCode(AuthCodeError::Malformed));
        }
        Err(answer::classify(text, password))
    }
}

/// The code after `OK`: a space or a line break, `AUTHCODE:`, an optional
/// space, then the code.
fn parse(rest: &str) -> Result<AuthCode, AuthCodeError> {
    let labelled = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix("\r\n"))
        .or_else(|| rest.strip_prefix('\n'))
        .ok_or(AuthCodeError::Malformed)?;
    let after = labelled
        .strip_prefix("AUTHCODE:")
        .ok_or(AuthCodeError::Malformed)?;
    let code = after.strip_prefix(' ').unwrap_or(after);
    if code.is_empty() {
        return Err(AuthCodeError::Empty);
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AuthCodeError::NotAlphanumeric);
    }
    if !(MIN_AUTH_CODE_LEN..=MAX_AUTH_CODE_LEN).contains(&code.len()) {
        return Err(AuthCodeError::Length);
    }
    Ok(AuthCode(SecretString::from(code)))
}

/// An authentication code Rescue issued for a technician.
///
/// A long-lived bearer credential: it does not expire, and stays valid until
/// a new one is requested. `Debug` redacts it, there is no `Display`, it is
/// zeroized on drop, and it comes out only through
/// [`AuthCode::expose_secret`].
#[derive(Clone)]
pub struct AuthCode(SecretString);

impl AuthCode {
    /// The code, for the API call that needs it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AuthCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthCode([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str =
        "4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi4ahx99bpmn1t8rzq5yk3cdw7fvg2ej6s0l9uoi123456";

    #[test]
    fn every_accepted_spelling_gives_the_code() {
        for text in [
            format!(" AUTHCODE: {CODE}"),
            format!(" AUTHCODE:{CODE}"),
            format!("\nAUTHCODE: {CODE}"),
            format!("\r\nAUTHCODE: {CODE}"),
            format!("\nAUTHCODE:{CODE}"),
        ] {
            assert_eq!(parse(&text).expect(&text).expose_secret(), CODE);
        }
        let upper = CODE.to_ascii_uppercase();
        assert_eq!(
            parse(&format!(" AUTHCODE: {upper}"))
                .expect("case kept")
                .expose_secret(),
            upper
        );
    }

    #[test]
    fn near_misses_are_refused_each_for_its_reason() {
        let long = "a".repeat(MAX_AUTH_CODE_LEN + 1);
        for (text, reason) in [
            (String::new(), AuthCodeError::Malformed),
            (format!("AUTHCODE: {CODE}"), AuthCodeError::Malformed),
            (format!("  AUTHCODE: {CODE}"), AuthCodeError::Malformed),
            (format!("\n\nAUTHCODE: {CODE}"), AuthCodeError::Malformed),
            (format!(" authcode: {CODE}"), AuthCodeError::Malformed),
            (format!(" AUTHCODE {CODE}"), AuthCodeError::Malformed),
            (format!(":AUTHCODE: {CODE}"), AuthCodeError::Malformed),
            (" AUTHCODE:".to_owned(), AuthCodeError::Empty),
            (" AUTHCODE: ".to_owned(), AuthCodeError::Empty),
            (
                format!(" AUTHCODE:  {CODE}"),
                AuthCodeError::NotAlphanumeric,
            ),
            (
                format!(" AUTHCODE: {CODE} x"),
                AuthCodeError::NotAlphanumeric,
            ),
            (
                format!(" AUTHCODE: {CODE}é"),
                AuthCodeError::NotAlphanumeric,
            ),
            (
                format!(" AUTHCODE: {CODE}-"),
                AuthCodeError::NotAlphanumeric,
            ),
            (" AUTHCODE: abc123".to_owned(), AuthCodeError::Length),
            (format!(" AUTHCODE: {long}"), AuthCodeError::Length),
        ] {
            assert_eq!(parse(&text).map(|_| ()).unwrap_err(), reason, "{text:?}");
        }
        assert!(parse(&format!(" AUTHCODE: {}", "a".repeat(MIN_AUTH_CODE_LEN))).is_ok());
        assert!(parse(&format!(" AUTHCODE: {}", "a".repeat(MAX_AUTH_CODE_LEN))).is_ok());
        assert!(parse(&format!(" AUTHCODE: {}", "a".repeat(MIN_AUTH_CODE_LEN - 1))).is_err());
    }

    /// A front end that answers with the request it was sent, in the shape
    /// of a success, would have the master password printed as the code.
    #[test]
    fn a_code_that_is_the_password_is_refused() {
        use crate::input::{CompanyId, SsoId};
        let password = "Abcdefghij0123456789XYZ";
        let op = RequestAuthCodeSso::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::new("654321").expect("company id"),
            Password::new(password).expect("password"),
        );
        // A password with a space at its end, echoed and trimmed.
        let spaced = RequestAuthCodeSso::new(
            SsoId::new("123456").expect("sso id"),
            CompanyId::new("654321").expect("company id"),
            Password::new(format!("{password} ")).expect("password"),
        );
        let answer = |body: String| {
            Response::builder()
                .status(200)
                .body(Bytes::from(body))
                .expect("response")
        };
        for echoed in [password.to_owned(), password.to_ascii_lowercase()] {
            let err = op
                .decode(
                    &Endpoint::default(),
                    &answer(format!("OK AUTHCODE: {echoed}")),
                )
                .map(|_| ())
                .unwrap_err();
            assert_eq!(err, Error::InvalidAuthCode(AuthCodeError::EchoesPassword));
            assert!(!format!("{err} {err:?}").contains(&echoed));
        }
        assert_eq!(
            spaced
                .decode(
                    &Endpoint::default(),
                    &answer(format!("OK AUTHCODE: {password} "))
                )
                .map(|_| ())
                .unwrap_err(),
            Error::InvalidAuthCode(AuthCodeError::EchoesPassword)
        );
        assert!(
            op.decode(
                &Endpoint::default(),
                &answer(format!("OK AUTHCODE: {CODE}"))
            )
            .is_ok()
        );
    }

    #[test]
    fn the_code_never_prints() {
        let code = parse(&format!(" AUTHCODE: {CODE}")).expect("code");
        assert_eq!(format!("{code:?}"), "AuthCode([redacted])");
    }
}
