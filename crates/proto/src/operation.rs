//! Operations: values that encode their request and decode their answer.

use bytes::Bytes;
use http::Response;

use crate::answer;
use crate::encode::{self, EncodedRequest, RequestMethod};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::input::{Arch, CompanyId, Password, SsoId};
use crate::ticket::{self, Console, Expected, LoginTicket};

/// A request to Rescue that knows how to encode itself and decode its
/// answer. Adapters are generic executors of operations: they send what
/// [`Operation::encode`] built and hand the response, with its body read up
/// to a cap, to [`Operation::decode`].
pub trait Operation {
    /// What a successful answer decodes to.
    type Output;

    /// The operation's name in Rescue's API guide, for logs and spans.
    const NAME: &'static str;

    /// Builds the request for `endpoint`, sending parameters by `method`.
    fn encode(&self, endpoint: &Endpoint, method: RequestMethod) -> Result<EncodedRequest, Error>;

    /// Writes the whole HTTP/1.1 request for `endpoint` into `out` (cleared
    /// first): for a stack that only has bytes, the same bytes
    /// [`http1::write_request`](crate::http1::write_request) writes for
    /// [`Operation::encode`]'s request, without building that request. The
    /// operations of this crate write it directly, with no allocation once
    /// `out` has room; the provided method goes through `encode`.
    fn encode_http1(
        &self,
        endpoint: &Endpoint,
        method: RequestMethod,
        out: &mut crate::http1::RequestBuffer,
    ) -> Result<(), Error> {
        let request = self.encode(endpoint, method)?;
        out.write(request.as_http());
        Ok(())
    }

    /// Decodes the answer to a request that [`Operation::encode`] built for
    /// the same `endpoint`.
    fn decode(
        &self,
        endpoint: &Endpoint,
        response: &Response<Bytes>,
    ) -> Result<Self::Output, Error>;
}

/// The parameters both ticket operations send.
#[derive(Debug, Clone)]
struct TicketParams {
    sso_id: SsoId,
    company_id: CompanyId,
    password: Password,
    arch: Arch,
}

impl TicketParams {
    /// `f` of the parameters, in the documented order and spelling.
    fn with_params<R>(&self, f: impl FnOnce(&encode::Params<'_>) -> R) -> R {
        let mut digits = [0u8; 20];
        let digits = self.company_id.write_digits(&mut digits);
        let (params, count) =
            encode::ticket_params(&self.sso_id, digits, &self.password, self.arch);
        f(params.get(..count).unwrap_or(&params))
    }

    fn encode(
        &self,
        endpoint: &Endpoint,
        method: RequestMethod,
        path: &'static str,
    ) -> Result<EncodedRequest, Error> {
        self.with_params(|params| encode::request(endpoint, method, path, params))
    }

    fn encode_http1(
        &self,
        endpoint: &Endpoint,
        method: RequestMethod,
        path: &'static str,
        out: &mut crate::http1::RequestBuffer,
    ) {
        self.with_params(|params| encode::http1_request(endpoint, method, path, params, out));
    }

    fn decode(
        &self,
        endpoint: &Endpoint,
        response: &Response<Bytes>,
        console: Console,
    ) -> Result<LoginTicket, Error> {
        let text = answer::ok_text(response, self.password.expose_secret())?;
        let expected = Expected {
            endpoint,
            console,
            company_id: self.company_id,
            arch: self.arch,
        };
        Ok(ticket::validate(text, &expected)?)
    }
}

/// The two ticket operations differ only in their path, their name and the
/// console their URL opens; everything else is written once here.
macro_rules! ticket_operation {
    (
        $(#[$doc:meta])*
        $ty:ident, path = $path:literal, name = $name:literal, console = $console:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $ty(TicketParams);

        impl $ty {
            /// The path the request goes to.
            pub const PATH: &'static str = $path;

            /// A request for the technician `sso_id` of `company_id`,
            /// authenticated by the company's master SSO `password`, for the
            /// default console.
            pub fn new(sso_id: SsoId, company_id: CompanyId, password: Password) -> Self {
                $ty(TicketParams {
                    sso_id,
                    company_id,
                    password,
                    arch: Arch::Default,
                })
            }

            /// Asks for a console architecture; [`Arch::X64`] sends
            /// `arch=64`.
            #[must_use]
            pub fn arch(mut self, arch: Arch) -> Self {
                self.0.arch = arch;
                self
            }

            /// The technician's SSO ID.
            pub fn sso_id(&self) -> &SsoId {
                &self.0.sso_id
            }

            /// The company ID.
            pub fn company_id(&self) -> CompanyId {
                self.0.company_id
            }
        }

        impl Operation for $ty {
            type Output = LoginTicket;
            const NAME: &'static str = $name;

            fn encode(
                &self,
                endpoint: &Endpoint,
                method: RequestMethod,
            ) -> Result<EncodedRequest, Error> {
                self.0.encode(endpoint, method, Self::PATH)
            }

            fn encode_http1(
                &self,
                endpoint: &Endpoint,
                method: RequestMethod,
                out: &mut crate::http1::RequestBuffer,
            ) -> Result<(), Error> {
                self.0.encode_http1(endpoint, method, Self::PATH, out);
                Ok(())
            }

            fn decode(
                &self,
                endpoint: &Endpoint,
                response: &Response<Bytes>,
            ) -> Result<LoginTicket, Error> {
                self.0.decode(endpoint, response, $console)
            }
        }
    };
}

ticket_operation! {
    /// `getDTCLoginTicket`: a one-time URL that starts the Desktop Technician
    /// Console for a technician the intranet has already authenticated.
    ///
    /// Sent to `/SSO/GetDTCLoginTicket.aspx`; answers
    /// `OK:https://<host>/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=…&ticket=<GUID>[&arch=64]`.
    GetDtcLoginTicket,
    path = "/SSO/GetDTCLoginTicket.aspx",
    name = "getDTCLoginTicket",
    console = Console::Desktop
}

ticket_operation! {
    /// `getLoginTicket`: the web-console twin of [`GetDtcLoginTicket`], same
    /// parameters.
    ///
    /// Sent to `/SSO/GetLoginTicket.aspx`; answers
    /// `OK:https://<host>/SSO/Login.aspx?Ticket=<GUID>`. An `arch` asked for
    /// is sent, as the parameters are shared, but the web console's URL is
    /// not checked for it.
    GetLoginTicket,
    path = "/SSO/GetLoginTicket.aspx",
    name = "getLoginTicket",
    console = Console::Web
}
