//! A faithful local LogMeIn Rescue SSO service, for tests, demos and your CI.
//!
//! It answers `/SSO/GetDTCLoginTicket.aspx` and `/SSO/GetLoginTicket.aspx` by
//! GET and by POST the way the documented service does (parameter names and
//! paths case-insensitive, values percent-decoded, `MISSINGPARAMETERS`,
//! `INVALIDCOMPANYID`, `INVALIDPASSWORD`, or `OK:` and a URL with a fresh
//! random GUID ticket, all with HTTP 200), and redeems the tickets it issued
//! at `/TechConsole/DesktopApp/DownloadSSO.aspx` and `/SSO/Login.aspx`: once,
//! before they expire. It speaks HTTP/1.1 and HTTP/2 over TLS with a
//! certificate from a fresh CA made at start (or plain HTTP), counts
//! connections and handshakes so tests can assert reuse, remembers the
//! requests it saw, and injects [`Fault`]s on demand.
//!
//! It never uses the protocol crate: requests are parsed here on their own,
//! so every test through it is a round trip between two implementations.
//!
//! The default company is the vendor page's example: company `654321`, SSO ID
//! `123456`, master SSO password `secretPassword`.
//!
//! ```
//! use rescue_sso_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let emulator = Emulator::builder().start().await?;
//!     assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
//!     assert!(emulator.ca_pem().is_some_and(|pem| pem.contains("BEGIN CERTIFICATE")));
//!     // ... point a client at emulator.base_url(), trusting emulator.ca_pem() ...
//!     emulator.shutdown().await;
//!     Ok::<_, rescue_sso_emulator::Error>(())
//! })?;
//! # Ok(())
//! # }
//! ```
//!
//! Blocking code (and anything without a tokio runtime of its own) uses
//! [`EmulatorBuilder::start_background`], which runs the emulator on a thread
//! and runtime of its own until the returned value is dropped.
//!
//! [`scripted::ScriptedServer`] serves raw byte scripts instead, for tests of
//! how clients handle hostile or broken HTTP.
//!
//! # What is documented and what is inferred
//!
//! Documented by the vendor's API page: the two endpoints, the parameters
//! `ssoid`, `Password`, `CompanyID` and the optional `arch=64` (echoed in the
//! ticket URL), the four answers `OK`, `INVALIDPASSWORD` (an unknown SSO ID or
//! a wrong password), `INVALIDCOMPANYID` and `MISSINGPARAMETERS`, and that GET
//! and POST both work. The vendor's API guide also says the password is the
//! company-wide master SSO password.
//!
//! Inferred, from public clients and from how ASP.NET on IIS behaves:
//!
//! - the success answer is one line, `OK:` and the URL, with no newline;
//! - business errors come with HTTP 200 and a plain-text body;
//! - parameter names and paths are case-insensitive, an empty value counts
//!   as missing, and for a POST the query string is read too (ASP.NET's
//!   `Request[name]` looks in the query string first, then the form);
//! - the order of the checks: missing parameters, then the company, then the
//!   password and SSO ID;
//! - company IDs are numbers, so an ID that is not all ASCII digits is
//!   unknown;
//! - the web console's twin, `/SSO/GetLoginTicket.aspx`, answers
//!   `OK:…/SSO/Login.aspx?Ticket=…` and ignores `arch`.
//!
//! Made up, because the real service does it out of sight: redemption (a
//! small HTML page, `410 Gone` for a used or expired ticket, `404` for an
//! unknown one, `403` when the `companyid` does not match), the ticket
//! lifetime, the 16 KiB cap on request bodies (`413` beyond it), and `405`
//! for other methods.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod background;
mod company;
mod emulator;
mod error;
mod fault;
mod observe;
mod reset;
pub mod scripted;
mod server;
mod service;
mod state;
mod tls;

pub use company::Company;
pub use emulator::{BackgroundEmulator, Emulator, EmulatorBuilder, EmulatorHandle};
pub use error::Error;
pub use fault::{Fault, Faults};
pub use observe::{SeenRequest, Stats};
pub use state::AuthCodeFormat;
