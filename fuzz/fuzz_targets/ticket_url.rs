//! The URL validator on any text after `OK:https://`, host, user info and
//! port included: whatever it accepts is an https URL on the endpoint's own
//! host and port, without user info, on the documented path, for the company
//! that was asked, with a GUID ticket.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Response, Uri};
use rescue_sso_proto::{CompanyId, Endpoint, GetDtcLoginTicket, Operation, Password, SsoId};

fuzz_target!(|data: &[u8]| {
    let mut body = b"OK:https://".to_vec();
    body.extend_from_slice(data);
    let (Ok(sso), Ok(password)) = (SsoId::new("123456"), Password::new("secretPassword")) else {
        return;
    };
    let op = GetDtcLoginTicket::new(sso, CompanyId::from(654_321), password);
    if let Ok(ticket) = op.decode(&Endpoint::default(), &Response::new(Bytes::from(body))) {
        let uri: Uri = ticket.expose_url().parse().expect("accepted URLs parse");
        assert_eq!(uri.scheme_str(), Some("https"));
        let authority = uri.authority().expect("an authority");
        assert!(!authority.as_str().contains('@'), "user info accepted");
        assert!(authority.host().eq_ignore_ascii_case("secure.logmeinrescue.com"));
        assert!(matches!(authority.port_u16(), None | Some(443)));
        assert!(uri.path().eq_ignore_ascii_case("/TechConsole/DesktopApp/DownloadSSO.aspx"));
        assert!(!ticket.expose_url().contains('#'));
        assert_eq!(ticket.company_id().get(), 654_321);
    }
});
