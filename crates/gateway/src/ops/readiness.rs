//! `GET /healthz` (the process answers) and `GET /readyz` (it can do its
//! job: the configuration loaded, the JWT keys fetched in that mode, and
//! Rescue's host reachable and trusted over TLS through the same connector
//! a launch uses; never a ticket request).

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::identity::Source;

/// How long a connection check's result is reused: probes come every few
/// seconds, and each would cost Rescue a TLS handshake.
const CHECK_TTL: Duration = Duration::from_secs(5);

/// The last connection check.
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    last: Mutex<Option<(Instant, Result<(), String>)>>,
}

pub(crate) async fn healthz() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

pub(crate) async fn readyz(State(app): State<Arc<App>>) -> Response {
    if let Source::JwtAssertion(mode) = &app.identity
        && mode.keys.current().is_none()
    {
        return not_ready("the jwt verification keys are not loaded");
    }
    if let Source::Oidc(mode) = &app.identity
        && let Err(reason) = mode.ready().await
    {
        return not_ready(reason);
    }
    match app.rescue_reachable().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(reason) => not_ready(&reason),
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("not ready: {reason}\n"),
    )
        .into_response()
}

impl App {
    async fn rescue_reachable(&self) -> Result<(), String> {
        {
            let last = self
                .readiness
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((at, result)) = &*last
                && at.elapsed() < CHECK_TTL
            {
                return result.clone();
            }
        }
        let result = self.rescue.check_connection().await.map_err(|err| {
            format!(
                "rescue is not reachable: {}",
                rescue_sso_client_core::ErrorChain(&err)
            )
        });
        *self
            .readiness
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Instant::now(), result.clone()));
        result
    }
}
