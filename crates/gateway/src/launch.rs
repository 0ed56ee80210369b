//! The launch: a same-origin POST (or a bookmarked GET) that asks Rescue
//! for a ticket and answers `303 See Other` to its validated URL.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::Clock as _;
use rescue_sso_client_core::ErrorChain;
use rescue_sso_hyper::ErrorKind;
use rescue_sso_hyper::proto::{Arch, GetDtcLoginTicket, GetLoginTicket, LoginTicket};
use serde::Deserialize;

use crate::app::App;
use crate::config::ConsoleChoice;
use crate::extract::{Identified, NotCrossSite, PeerAddr, RequestId, Site, peer_text};
use crate::identity::{Peer, User};
use crate::ops::audit::Line;
use crate::pages;
use crate::technicians::NoTicket;

#[derive(Debug, Deserialize)]
pub(crate) struct LaunchForm {
    console: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LaunchQuery {
    console: Option<String>,
}

/// `GET /`: who you are, and a button per console.
pub(crate) async fn landing(State(app): State<Arc<App>>, Identified(user): Identified) -> Response {
    pages::landing(&user.name, &app.consoles)
}

/// `POST /launch`.
pub(crate) async fn launch_post(
    State(app): State<Arc<App>>,
    RequestId(id): RequestId,
    PeerAddr(peer): PeerAddr,
    _: NotCrossSite,
    Identified(user): Identified,
    form: Result<Form<LaunchForm>, FormRejection>,
) -> Response {
    match form {
        Ok(Form(form)) => app.launch(&user, &form.console, &id, peer).await,
        Err(_) => app.bad_request(&user, &id, peer),
    }
}

/// `GET /launch?console=…`: a bookmark launches (`Sec-Fetch-Site: none`, or
/// `same-origin`); any other GET, which a page on another site could make,
/// gets the start page instead.
///
/// A `HEAD` (which axum routes here) never launches: it would mint a ticket
/// only to throw it away.
pub(crate) async fn launch_get(
    State(app): State<Arc<App>>,
    RequestId(id): RequestId,
    PeerAddr(peer): PeerAddr,
    method: Method,
    headers: HeaderMap,
    Identified(user): Identified,
    Query(query): Query<LaunchQuery>,
) -> Response {
    let from_user = method == Method::GET
        && matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("none" | "same-origin")
        )
        && Site::of(&headers, app.origin.as_str()) != Site::Foreign;
    match query.console {
        Some(console) if from_user => app.launch(&user, &console, &id, peer).await,
        _ => pages::landing(&user.name, &app.consoles),
    }
}

/// What became of a launch, for the metric, the audit line and the page.
struct Outcome {
    status: StatusCode,
    outcome: &'static str,
    title: &'static str,
    message: &'static str,
}

impl App {
    pub(crate) async fn launch(
        &self,
        user: &User,
        console: &str,
        id: &str,
        peer: Option<Peer>,
    ) -> Response {
        let Some(console) = ConsoleChoice::parse(console).filter(|c| self.consoles.contains(c))
        else {
            return self.bad_request(user, id, peer);
        };
        let audit = |sso_id: Option<&str>,
                     outcome: &'static str,
                     status: StatusCode,
                     rescue_ms: Option<u64>| {
            self.metrics.launch(console.as_str(), outcome);
            self.audit.write(&Line {
                time: Line::now(),
                request_id: id,
                peer: peer_text(peer),
                event: "launch",
                user: Some(&user.name),
                sso_id,
                console: Some(console.as_str()),
                outcome,
                status: status.as_u16(),
                rescue_ms,
            });
        };

        let sso_id = match self.technicians.sso_id(&user.name, &user.groups) {
            Ok(sso_id) => sso_id,
            Err(no) => {
                let (outcome, message) = match no {
                    NoTicket::NoSsoId => (
                        "no_sso_id",
                        "You have no LogMeIn Rescue technician account linked to your sign-in. Ask your administrator to add you.",
                    ),
                    NoTicket::NotInGroup => (
                        "not_in_group",
                        "Your account is not in a group allowed to start LogMeIn Rescue. Ask your administrator if you need it.",
                    ),
                };
                audit(None, outcome, StatusCode::FORBIDDEN, None);
                return pages::error(StatusCode::FORBIDDEN, "No Rescue account", message, id);
            }
        };

        // The allowance is the technician's, whatever spelling of the name
        // the proxy passed (`CORP\\bob`, `Bob@corp`): each mints for one SSO ID.
        if let Err(retry_after) = self.check_rate(sso_id.as_str()) {
            self.metrics.rate_limited.inc();
            audit(
                Some(sso_id.as_str()),
                "rate_limited",
                StatusCode::TOO_MANY_REQUESTS,
                None,
            );
            let mut page = pages::error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many launches",
                "You started LogMeIn Rescue many times in a short while. Wait a little, then try again.",
                id,
            );
            page.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return page;
        }

        let started = Instant::now();
        let result = self.ticket(console, sso_id.clone()).await;
        let elapsed = started.elapsed();
        self.metrics.rescue_latency.observe(elapsed.as_secs_f64());
        let rescue_ms = Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX));
        match result {
            Ok(ticket) => {
                let Ok(mut location) = HeaderValue::from_str(ticket.expose_url()) else {
                    // A validated ticket URL is ASCII; this is unreachable.
                    audit(
                        Some(sso_id.as_str()),
                        "invalid_answer",
                        StatusCode::BAD_GATEWAY,
                        rescue_ms,
                    );
                    return pages::error(
                        StatusCode::BAD_GATEWAY,
                        "Rescue answered oddly",
                        "Tell your administrator.",
                        id,
                    );
                };
                // A bearer credential: kept out of HPACK tables and logs.
                location.set_sensitive(true);
                audit(
                    Some(sso_id.as_str()),
                    "ok",
                    StatusCode::SEE_OTHER,
                    rescue_ms,
                );
                (
                    StatusCode::SEE_OTHER,
                    [
                        (header::LOCATION, location),
                        (
                            header::REFERRER_POLICY,
                            HeaderValue::from_static("no-referrer"),
                        ),
                    ],
                )
                    .into_response()
            }
            Err(err) => {
                let o = outcome(err.kind());
                tracing::warn!(
                    request_id = id,
                    console = console.as_str(),
                    error = %ErrorChain(&err),
                    "rescue gave no ticket"
                );
                audit(Some(sso_id.as_str()), o.outcome, o.status, rescue_ms);
                pages::error(o.status, o.title, o.message, id)
            }
        }
    }

    async fn ticket(
        &self,
        console: ConsoleChoice,
        sso_id: rescue_sso_hyper::proto::SsoId,
    ) -> Result<LoginTicket, rescue_sso_hyper::Error> {
        let password = self.password.clone();
        match console {
            ConsoleChoice::Dtc64 => {
                let op = GetDtcLoginTicket::new(sso_id, self.company_id, password).arch(Arch::X64);
                self.rescue.dtc_login_ticket(&op).await
            }
            ConsoleChoice::Dtc => {
                let op = GetDtcLoginTicket::new(sso_id, self.company_id, password);
                self.rescue.dtc_login_ticket(&op).await
            }
            ConsoleChoice::Web => {
                let op = GetLoginTicket::new(sso_id, self.company_id, password);
                self.rescue.web_login_ticket(&op).await
            }
        }
    }

    /// `Err(seconds to wait)` when the user launched too often.
    fn check_rate(&self, sso_id: &str) -> Result<(), u64> {
        let checked = self
            .limiter
            .check_key(&sso_id.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
            });
        // Forget users whose allowance has filled up again, now and then, so
        // the limiter's memory follows the users active lately.
        if self.limiter.len() > 1024 {
            self.limiter.retain_recent();
        }
        checked
    }

    pub(crate) fn bad_request(&self, user: &User, id: &str, peer: Option<Peer>) -> Response {
        self.metrics.launch("-", "bad_request");
        self.audit.write(&Line {
            time: Line::now(),
            request_id: id,
            peer: peer_text(peer),
            event: "launch",
            user: Some(&user.name),
            sso_id: None,
            console: None,
            outcome: "bad_request",
            status: 400,
            rescue_ms: None,
        });
        pages::error(
            StatusCode::BAD_REQUEST,
            "Unknown console",
            "That console is not offered here. Pick one on the start page.",
            id,
        )
    }
}

/// What a failed ticket call means for the person and for monitoring.
fn outcome(kind: ErrorKind) -> Outcome {
    match kind {
        ErrorKind::Refused => Outcome {
            status: StatusCode::BAD_GATEWAY,
            outcome: "refused",
            title: "Rescue refused the sign-in",
            message: "LogMeIn Rescue did not accept this sign-in: your SSO ID may be unknown to it, or the gateway's settings are wrong. Tell your administrator.",
        },
        ErrorKind::Timeout => Outcome {
            status: StatusCode::GATEWAY_TIMEOUT,
            outcome: "timeout",
            title: "Rescue is too slow",
            message: "LogMeIn Rescue did not answer in time. Try again in a minute; if this persists, tell your administrator.",
        },
        ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Proxy | ErrorKind::Closed => Outcome {
            status: StatusCode::SERVICE_UNAVAILABLE,
            outcome: "unreachable",
            title: "Rescue cannot be reached",
            message: "The gateway cannot reach LogMeIn Rescue right now. Try again in a minute; if this persists, tell your administrator.",
        },
        _ => Outcome {
            status: StatusCode::BAD_GATEWAY,
            outcome: "invalid_answer",
            title: "Rescue answered oddly",
            message: "Something answered in LogMeIn Rescue's place, or gave an answer the gateway cannot use. Tell your administrator.",
        },
    }
}
