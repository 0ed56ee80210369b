//! An intranet handler that logs an already-authenticated technician in to
//! Rescue: the vendor's C# sample, done right.
//!
//! ```sh
//! cargo run -p rescue-sso-hyper --example intranet            # demonstrate and exit
//! cargo run -p rescue-sso-hyper --example intranet -- --serve # keep serving
//! ```
//!
//! It starts the emulator in-process (a real deployment points the client at
//! `https://secure.logmeinrescue.com` and loads the master SSO password from
//! its secret store), serves `GET /rescue` on 127.0.0.1, and answers `302` to a
//! fresh ticket URL, or an error page. Who the user is comes from the
//! `X-Authenticated-User` header here, standing in for your intranet's own
//! authentication (session, Kerberos, OIDC…): never trust a header like that
//! from the open network.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rescue_sso_emulator::Emulator;
use rescue_sso_hyper::proto::{
    Arch, CompanyId, Error as ProtoError, GetDtcLoginTicket, Password, RescueError, SsoId,
};
use rescue_sso_hyper::{Client, Error, ProxySettings, Roots};
use tokio::net::TcpListener;

/// What the intranet knows: the company, its master SSO password, and which
/// of its users are Rescue technicians with which SSO ID.
struct Intranet {
    client: Client,
    company_id: CompanyId,
    password: Password,
    technicians: HashMap<&'static str, SsoId>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    let intranet = Arc::new(Intranet {
        // One client for the whole process: it pools connections.
        client: Client::builder()
            .endpoint(emulator.base_url().parse()?)
            .roots(Roots::ExtraOnly)
            .add_root_pem(emulator.ca_pem().unwrap_or_default())
            .proxy(ProxySettings::none())
            .build()?,
        company_id: CompanyId::new("654321")?,
        password: Password::new("secretPassword")?,
        technicians: HashMap::from([("alice", SsoId::new("123456")?)]),
    });

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/rescue", listener.local_addr()?);
    println!("intranet listening on {url}");
    let server = {
        let intranet = Arc::clone(&intranet);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let intranet = Arc::clone(&intranet);
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&intranet), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
    };

    if std::env::args().any(|a| a == "--serve") {
        println!("try: curl -i -H 'X-Authenticated-User: alice' {url}");
        tokio::signal::ctrl_c().await?;
    } else {
        let browser = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build_http::<Empty<Bytes>>();
        for user in ["alice", "mallory"] {
            let req = Request::get(&url)
                .header("x-authenticated-user", user)
                .body(Empty::new())?;
            let res = browser.request(req).await?;
            let location = res
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| {
                    l.split("ticket=").next().unwrap_or_default().to_owned() + "ticket=[redacted]…"
                });
            let status = res.status();
            let body = res.into_body().collect().await?.to_bytes();
            match location {
                Some(location) => println!("{user}: {status} Location: {location}"),
                None => println!("{user}: {status} {}", String::from_utf8_lossy(&body).trim()),
            }
        }
    }
    server.abort();
    emulator.shutdown().await;
    Ok(())
}

async fn handle(
    intranet: Arc<Intranet>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path() != "/rescue" {
        return Ok(page(StatusCode::NOT_FOUND, "Not found."));
    }
    // 1. Your intranet's authentication decides who this is, and maps the user
    //    to their Rescue SSO ID on the server side.
    let user = req
        .headers()
        .get("x-authenticated-user")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(sso_id) = intranet.technicians.get(user) else {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "You are not a Rescue technician.",
        ));
    };
    // 2. Ask Rescue for a one-time ticket: POST, so the master SSO password
    //    stays out of URLs and logs.
    let op = GetDtcLoginTicket::new(
        sso_id.clone(),
        intranet.company_id,
        intranet.password.clone(),
    )
    .arch(Arch::X64);
    Ok(match intranet.client.dtc_login_ticket(&op).await {
        // 3. Redirect. The URL is a bearer credential: not cached, not logged.
        Ok(ticket) => Response::builder()
            .status(StatusCode::FOUND)
            .header(LOCATION, ticket.expose_url())
            .header(CACHE_CONTROL, "no-store")
            .body(Full::default())
            .unwrap_or_else(|_| page(StatusCode::INTERNAL_SERVER_ERROR, "Could not redirect.")),
        // 4. An error page the technician can act on; the error itself is
        //    safe to log (no password, no ticket in any message).
        Err(err) => {
            eprintln!("rescue sso failed for {user}: {err}");
            error_page(&err)
        }
    })
}

fn error_page(err: &Error) -> Response<Full<Bytes>> {
    match err {
        Error::Protocol(ProtoError::Rescue(
            RescueError::InvalidPassword | RescueError::InvalidCompanyId,
        )) => page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Single sign-on to Rescue is misconfigured; IT has been told.",
        ),
        Error::Protocol(_) => page(
            StatusCode::BAD_GATEWAY,
            "Rescue gave an unexpected answer; please try again.",
        ),
        Error::Timeout | Error::ConnectTimeout => page(
            StatusCode::GATEWAY_TIMEOUT,
            "Rescue did not answer in time; please try again.",
        ),
        _ => page(
            StatusCode::BAD_GATEWAY,
            "Rescue is not reachable; please try again.",
        ),
    }
}

fn page(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from(message.to_owned())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        CONTENT_TYPE,
        "text/plain; charset=utf-8".parse().expect("static header"),
    );
    res
}
