//! Typed, validated inputs: what a caller may send to Rescue.
//!
//! Each constructor checks its documented rules and returns an
//! [`InputError`] naming the field, never the value.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use crate::error::{Field, InputError};

/// The longest SSO ID accepted, in bytes.
pub const MAX_SSO_ID_BYTES: usize = 256;
/// The longest master SSO password accepted, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The most digits a company ID may have (it must fit a `u64`).
pub const MAX_COMPANY_ID_DIGITS: usize = 19;

fn check_text(value: &str, field: Field, max: usize) -> Result<(), InputError> {
    if value.is_empty() {
        return Err(InputError::Empty { field });
    }
    if value.len() > max {
        return Err(InputError::TooLong { field, max });
    }
    if value.chars().any(char::is_control) {
        return Err(InputError::ControlCharacter { field });
    }
    Ok(())
}

/// A technician's single sign-on ID, sent as `ssoid`.
///
/// Rules: 1 to [`MAX_SSO_ID_BYTES`] bytes of UTF-8, no control characters, no
/// leading or trailing whitespace. Any other Unicode is allowed and
/// percent-encoded on the wire.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SsoId(String);

impl SsoId {
    /// Validates an SSO ID.
    pub fn new(value: impl Into<String>) -> Result<Self, InputError> {
        let value = value.into();
        check_text(&value, Field::SsoId, MAX_SSO_ID_BYTES)?;
        if value.trim() != value {
            return Err(InputError::SurroundingWhitespace {
                field: Field::SsoId,
            });
        }
        Ok(SsoId(value))
    }

    /// The SSO ID as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SsoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SsoId").field(&self.0).finish()
    }
}

impl fmt::Display for SsoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SsoId {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SsoId::new(s)
    }
}

/// A Rescue company ID, sent as `CompanyID`.
///
/// Rules: 1 to [`MAX_COMPANY_ID_DIGITS`] ASCII digits, no sign, no
/// whitespace, fitting a `u64`. Leading zeros are accepted and dropped: the
/// value is a number, and Rescue echoes it back without them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompanyId(u64);

impl CompanyId {
    /// Validates a company ID given as text.
    pub fn new(value: &str) -> Result<Self, InputError> {
        let field = Field::CompanyId;
        if value.is_empty() {
            return Err(InputError::Empty { field });
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::NotDigits { field });
        }
        let digits = value.trim_start_matches('0');
        if digits.len() > MAX_COMPANY_ID_DIGITS {
            return Err(InputError::TooLong {
                field,
                max: MAX_COMPANY_ID_DIGITS,
            });
        }
        // At most 19 ASCII digits always fit a u64, so the error is unreachable;
        // it is mapped rather than unwrapped all the same.
        let id = if digits.is_empty() {
            Ok(0)
        } else {
            digits.parse::<u64>()
        };
        id.map(CompanyId).map_err(|_| InputError::TooLong {
            field,
            max: MAX_COMPANY_ID_DIGITS,
        })
    }

    /// The company ID as a number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// Writes the decimal digits into `buf` without allocating.
    pub(crate) fn write_digits(self, buf: &mut [u8; 20]) -> &str {
        std::str::from_utf8(crate::ascii::decimal(self.0, buf)).unwrap_or("0")
    }
}

impl From<u64> for CompanyId {
    fn from(id: u64) -> Self {
        CompanyId(id)
    }
}

impl fmt::Debug for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CompanyId").field(&self.0).finish()
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for CompanyId {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CompanyId::new(s)
    }
}

/// The company's master SSO password, sent as `Password`.
///
/// A [`secrecy`] secret: there is no `Display`, `Debug` prints a redaction,
/// the memory is zeroized on drop, and the value comes out only through
/// [`Password::expose_secret`].
///
/// Rules: 1 to [`MAX_PASSWORD_BYTES`] bytes of UTF-8 without control
/// characters. Spaces (even surrounding ones) and any Unicode are allowed.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Validates a password. The error names the field, never the value.
    ///
    /// The value is copied into a buffer of exactly its size (which is wiped
    /// on drop) and the `String` it came in is wiped before this returns, so
    /// no copy is left behind by a reallocation.
    pub fn new(value: impl Into<String>) -> Result<Self, InputError> {
        let mut value: String = value.into();
        let checked = check_text(&value, Field::Password, MAX_PASSWORD_BYTES)
            .map(|()| Password(SecretString::new(Box::from(value.as_str()))));
        value.zeroize();
        checked
    }

    /// The password itself. Call this only to put it on the wire.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// Which Desktop Technician Console to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Arch {
    /// Rescue's default console; no `arch` parameter is sent.
    #[default]
    Default,
    /// The 64-bit console; sends `arch=64`.
    X64,
}

impl Arch {
    /// The value of the `arch` parameter, if one is sent.
    pub fn param(self) -> Option<&'static str> {
        match self {
            Arch::Default => None,
            Arch::X64 => Some("64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_id_rules() {
        assert_eq!(CompanyId::new("654321").map(CompanyId::get), Ok(654_321));
        assert_eq!(CompanyId::new("00042").map(CompanyId::get), Ok(42));
        assert_eq!(CompanyId::new("0").map(CompanyId::get), Ok(0));
        let field = Field::CompanyId;
        assert_eq!(CompanyId::new(""), Err(InputError::Empty { field }));
        for bad in ["+5", "-1", "0x5", "5 5", " 5", "١٢٣", "12a"] {
            assert_eq!(
                CompanyId::new(bad),
                Err(InputError::NotDigits { field }),
                "{bad}"
            );
        }
        assert_eq!(
            CompanyId::new("99999999999999999999"),
            Err(InputError::TooLong { field, max: 19 })
        );
        assert_eq!(
            CompanyId::new("18446744073709551615").map(CompanyId::get),
            Err(InputError::TooLong { field, max: 19 })
        );
        assert_eq!(
            CompanyId::new("9999999999999999999").map(CompanyId::get),
            Ok(9_999_999_999_999_999_999)
        );
    }

    #[test]
    fn company_id_digits_match_display() {
        for n in [0, 7, 10, 654_321, u64::MAX] {
            let mut buf = [0u8; 20];
            assert_eq!(CompanyId(n).write_digits(&mut buf), n.to_string());
        }
    }

    #[test]
    fn sso_id_rules() {
        assert!(SsoId::new("123456").is_ok());
        assert!(SsoId::new("tech@example.com").is_ok());
        assert!(SsoId::new("Zoë 🔧").is_ok());
        let field = Field::SsoId;
        assert_eq!(SsoId::new(""), Err(InputError::Empty { field }));
        assert_eq!(
            SsoId::new("a\nb"),
            Err(InputError::ControlCharacter { field })
        );
        assert_eq!(
            SsoId::new(" a"),
            Err(InputError::SurroundingWhitespace { field })
        );
        assert_eq!(
            SsoId::new("x".repeat(257)),
            Err(InputError::TooLong { field, max: 256 })
        );
    }

    #[test]
    fn lengths_up_to_the_maximum_are_accepted() {
        assert_eq!(
            SsoId::new("x".repeat(256)).map(|s| s.as_str().len()),
            Ok(256)
        );
        let field = Field::Password;
        assert_eq!(
            Password::new("p".repeat(1024)).map(|p| p.expose_secret().len()),
            Ok(1024)
        );
        assert_eq!(
            Password::new("p".repeat(1025)).err(),
            Some(InputError::TooLong { field, max: 1024 })
        );
        // The maximum counts bytes, not characters.
        assert_eq!(
            SsoId::new("é".repeat(129)),
            Err(InputError::TooLong {
                field: Field::SsoId,
                max: 256
            })
        );
    }

    #[test]
    fn password_rules_and_redaction() {
        let field = Field::Password;
        assert_eq!(Password::new("").err(), Some(InputError::Empty { field }));
        assert_eq!(
            Password::new("a\u{0}b").err(),
            Some(InputError::ControlCharacter { field })
        );
        let err = Password::new("hunter2\r\n").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("password contains a control character")
        );
        let p = Password::new(" p&=+%# ü🔑 ").expect("valid password");
        assert_eq!(p.expose_secret(), " p&=+%# ü🔑 ");
        assert_eq!(format!("{p:?}"), "Password([redacted])");
    }
}
