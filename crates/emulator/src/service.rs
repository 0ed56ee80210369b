//! Answering one request the way Rescue does.
//!
//! Parameters are parsed here with `form_urlencoded`, independently of the
//! protocol crate, so a client test through the emulator is a round trip
//! between two implementations.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use uuid::Uuid;

use crate::SeenRequest;
use crate::fault::Fault;
use crate::reset::ResetSignal;
use crate::state::{AuthCodeFormat, Kind, Redeem, Shared};

/// The largest request body read; ASP.NET's own limits are far larger, but no
/// SSO request comes near this.
const MAX_REQUEST_BODY: usize = 16 * 1024;

/// A response body: whole, or one that announces bytes and never sends them.
pub(crate) enum Body {
    Full(Full<Bytes>),
    Stalled,
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(full) => Pin::new(full).poll_frame(cx),
            // Never ready and never woken: the connection stays open, silent.
            Body::Stalled => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(full) => full.is_end_stream(),
            Body::Stalled => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(full) => full.size_hint(),
            Body::Stalled => SizeHint::with_exact(128),
        }
    }
}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    reset: Arc<ResetSignal>,
    connection: u64,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let fault = shared.faults.take();
    let (parts, body) = request.into_parts();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let path = parts.uri.path().to_owned();
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ));
        }
    };
    let params = Params::parse(
        &query,
        if parts.method == Method::POST && is_form {
            &body
        } else {
            b""
        },
    );
    shared.saw(SeenRequest {
        method: parts.method.clone(),
        path: path.clone(),
        param_names: params.names(),
        password_in_url: form_urlencoded::parse(query.as_bytes())
            .any(|(name, _)| name.eq_ignore_ascii_case("password")),
        http_version: parts.version,
        connection,
    });

    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Stall) => std::future::pending::<()>().await,
        Some(Fault::Reset) => {
            // The connection's task drops the connection; this request never
            // answers.
            reset.raise();
            std::future::pending::<()>().await;
        }
        Some(Fault::StallAfterHeaders) => {
            let mut response = Response::new(Body::Stalled);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return Ok(response);
        }
        Some(Fault::ServerError) => return Ok(server_error()),
        Some(Fault::Answer(body)) => return Ok(answer(&body)),
        Some(Fault::Custom {
            status,
            body,
            content_type,
        }) => {
            let mut response = Response::new(Body::Full(Full::new(body)));
            *response.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                response.headers_mut().insert(CONTENT_TYPE, ct);
            }
            return Ok(response);
        }
        None => {}
    }

    let lower = path.to_ascii_lowercase();
    let response = match lower.as_str() {
        "/sso/getdtcloginticket.aspx" => sso(&shared, &parts.method, &params, Kind::Desktop),
        "/sso/getloginticket.aspx" => sso(&shared, &parts.method, &params, Kind::Web),
        "/techconsole/desktopapp/downloadsso.aspx" => {
            redeem(&shared, &parts.method, &params, Kind::Desktop)
        }
        "/sso/login.aspx" => redeem(&shared, &parts.method, &params, Kind::Web),
        "/api/requestauthcodesso.aspx" => auth_code(&shared, &parts.method, &params),
        _ => text(StatusCode::NOT_FOUND, "not found"),
    };
    Ok(response)
}

/// Parameters as ASP.NET's `Request[name]` sees them: names compared
/// case-insensitively, the query string before the form, the first value of
/// a name wins.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str, form: &[u8]) -> Params {
        Params(
            form_urlencoded::parse(query.as_bytes())
                .chain(form_urlencoded::parse(form))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn present(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    fn names(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }
}

fn sso(shared: &Shared, method: &Method, params: &Params, kind: Kind) -> Response<Body> {
    if method != Method::GET && method != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let (Some(sso_id), Some(password), Some(company_id)) = (
        params.present("ssoid"),
        params.present("password"),
        params.present("companyid"),
    ) else {
        return answer("MISSINGPARAMETERS");
    };
    let Some(company) = shared
        .company(company_id)
        .filter(|_| company_id.bytes().all(|b| b.is_ascii_digit()))
    else {
        return answer("INVALIDCOMPANYID");
    };
    if company.password != password || !company.technicians.iter().any(|t| t == sso_id) {
        return answer("INVALIDPASSWORD");
    }
    let ticket = shared.issue(kind, &company.id, sso_id);
    let url = match kind {
        Kind::Desktop => {
            let arch = if params.get("arch") == Some("64") {
                "&arch=64"
            } else {
                ""
            };
            format!(
                "{}/TechConsole/DesktopApp/DownloadSSO.aspx?companyid={}&ticket={ticket}{arch}",
                shared.base_url, company.id
            )
        }
        Kind::Web => format!("{}/SSO/Login.aspx?Ticket={ticket}", shared.base_url),
    };
    answer(&format!("OK:{url}"))
}

/// `requestAuthCodeSSO`: `ssoid`, `pwd`, `company`. A company that is not
/// numeric (or missing) is `INVALIDPARAM_COMPANY`; anything that does not
/// authenticate is `INVALID`.
fn auth_code(shared: &Shared, method: &Method, params: &Params) -> Response<Body> {
    if method != Method::GET && method != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let Some(company_id) = params
        .present("company")
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
    else {
        return answer("INVALIDPARAM_COMPANY");
    };
    let (Some(sso_id), Some(password)) = (params.present("ssoid"), params.present("pwd")) else {
        return answer("INVALID");
    };
    let Some(company) = shared.company(company_id) else {
        return answer("INVALID");
    };
    if company.password != password || !company.technicians.iter().any(|t| t == sso_id) {
        return answer("INVALID");
    }
    let code = shared.issue_auth_code(&company.id, sso_id);
    answer(&match shared.auth_code_format {
        AuthCodeFormat::Documented => format!("OK AUTHCODE: {code}"),
        AuthCodeFormat::LineFeed => format!("OK\nAUTHCODE: {code}"),
        AuthCodeFormat::CrLf => format!("OK\r\nAUTHCODE: {code}"),
        AuthCodeFormat::NoSpace => format!("OK AUTHCODE:{code}"),
    })
}

fn redeem(shared: &Shared, method: &Method, params: &Params, kind: Kind) -> Response<Body> {
    if method != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let Some(ticket) = params.get("ticket").and_then(|t| Uuid::try_parse(t).ok()) else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown ticket",
            "This login ticket does not exist.",
        );
    };
    let company = match kind {
        Kind::Desktop => Some(params.get("companyid").unwrap_or_default()),
        Kind::Web => params.get("companyid"),
    };
    match shared.redeem(kind, ticket, company) {
        Ok(who) => page(
            StatusCode::OK,
            "Technician Console",
            &format!("Logged in as technician {}.", escape(&who)),
        ),
        Err(Redeem::Unknown) => page(
            StatusCode::NOT_FOUND,
            "Unknown ticket",
            "This login ticket does not exist.",
        ),
        Err(Redeem::CompanyMismatch) => page(
            StatusCode::FORBIDDEN,
            "Wrong company",
            "This login ticket was issued for another company.",
        ),
        Err(Redeem::Used) => page(
            StatusCode::GONE,
            "Ticket used",
            "This login ticket has already been used.",
        ),
        Err(Redeem::Expired) => page(
            StatusCode::GONE,
            "Ticket expired",
            "This login ticket has expired.",
        ),
    }
}

/// Rescue's answers: HTTP 200, one line of plain text, no trailing newline.
fn answer(body: &str) -> Response<Body> {
    let mut response = text(StatusCode::OK, body);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("private"));
    response
}

fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Body::Full(Full::new(Bytes::from(body.to_owned()))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn page(status: StatusCode, title: &str, message: &str) -> Response<Body> {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{message}</p></body></html>\n"
    );
    let mut response = Response::new(Body::Full(Full::new(Bytes::from(html))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn server_error() -> Response<Body> {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Server Error in '/' Application.",
        "Runtime Error. An application error occurred on the server.",
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_decoded() {
        let p = Params::parse(
            "SSOID=a%40b&x=1",
            b"PassWord=p%26%3D%2B%25%23+%C3%BC&companyId=7",
        );
        assert_eq!(p.get("ssoid"), Some("a@b"));
        assert_eq!(p.get("password"), Some("p&=+%# \u{fc}"));
        assert_eq!(p.get("CompanyID"), Some("7"));
        assert_eq!(p.names(), ["SSOID", "x", "PassWord", "companyId"]);
    }

    #[test]
    fn the_query_string_wins_over_the_form_and_empty_is_absent() {
        let p = Params::parse("ssoid=query&Password=", b"ssoid=form&password=secret");
        assert_eq!(p.get("ssoid"), Some("query"));
        // ASP.NET's Request[] returns the first source that has the name,
        // even when its value is empty.
        assert_eq!(p.present("password"), None);
        assert_eq!(p.present("companyid"), None);
    }

    #[test]
    fn pages_escape_what_they_echo() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
