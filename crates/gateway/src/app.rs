//! The router, built in one function a reader can scan top to bottom:
//! routes, then the middleware stack, then the state.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::{DefaultKeyedRateLimiter, Quota as GovernorQuota, RateLimiter};
use rescue_sso_hyper::proto::{CompanyId, Endpoint, Password};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{ConsoleChoice, Origin, Quota};
use crate::extract::{PeerAddr, RequestId, peer_text};
use crate::identity::{Peer, Source};
use crate::ops::audit::{Audit, Line};
use crate::ops::metrics::Metrics;
use crate::ops::readiness::Readiness;
use crate::technicians::Rules;
use crate::{launch, oidc, ops, pages};

/// The largest request body accepted: a launch form is a few dozen bytes.
pub(crate) const MAX_REQUEST_BODY: usize = 16 * 1024;

/// Everything a request may need, shared by all of them.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) origin: Origin,
    pub(crate) consoles: Vec<ConsoleChoice>,
    pub(crate) identity: Source,
    pub(crate) technicians: Rules,
    pub(crate) rescue: rescue_sso_hyper::Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) company_id: CompanyId,
    pub(crate) password: Password,
    pub(crate) limiter: DefaultKeyedRateLimiter<String>,
    pub(crate) metrics: Metrics,
    pub(crate) audit: Audit,
    pub(crate) readiness: Readiness,
    pub(crate) request_timeout: Duration,
    pub(crate) served_over_tls: bool,
}

impl App {
    pub(crate) fn limiter(quota: Quota) -> DefaultKeyedRateLimiter<String> {
        let per_one = quota.per / quota.count;
        let burst = std::num::NonZeroU32::new(quota.count).unwrap_or(std::num::NonZeroU32::MIN);
        let quota = GovernorQuota::with_period(per_one)
            .unwrap_or_else(|| GovernorQuota::per_hour(burst))
            .allow_burst(burst);
        RateLimiter::keyed(quota)
    }
}

/// The router: the pages, the launch, the operators' endpoints, and the
/// layers every response passes through.
pub(crate) fn router(app: Arc<App>) -> Router {
    let headers = SecurityHeaders::for_app(&app);
    let mut routes = Router::new();
    if matches!(app.identity, Source::Oidc(_)) {
        routes = routes
            .route("/oidc/login", get(oidc::login))
            .route(oidc::CALLBACK_PATH, get(oidc::callback))
            .route("/logout", get(oidc::logout));
    }
    routes
        .route("/", get(launch::landing))
        .route("/launch", get(launch::launch_get).post(launch::launch_post))
        .route("/healthz", get(ops::readiness::healthz))
        .route("/readyz", get(ops::readiness::readyz))
        .route("/metrics", get(metrics))
        .route("/static/gateway.css", get(pages::stylesheet))
        .fallback(not_found)
        .layer(
            ServiceBuilder::new()
                // Every response, refusals and timeouts included, carries
                // the security headers.
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    headers.csp,
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                // `same-origin`, not `no-referrer`: under `no-referrer` a
                // browser sends `Origin: null` with the page's own form,
                // which the launch must refuse as cross-site. The launch's
                // 303 sets `no-referrer` itself, so Rescue never sees the
                // gateway's URL.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::STRICT_TRANSPORT_SECURITY,
                    headers.hsts,
                ))
                .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
                .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY)),
        )
        // Outermost, so every response gets one.
        .layer(middleware::from_fn(request_id))
        .with_state(app)
}

/// The response headers that hold for every page.
struct SecurityHeaders {
    csp: HeaderValue,
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    fn for_app(app: &App) -> SecurityHeaders {
        // No script at all; styles from here only; forms post here, and the
        // launch's 303 leads to Rescue, which form-action also governs.
        let csp = format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' {}; \
             frame-ancestors 'none'; base-uri 'none'",
            app.endpoint.base_url()
        );
        let hsts = (app.served_over_tls || app.origin.https)
            .then(|| HeaderValue::from_static("max-age=31536000"));
        SecurityHeaders {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
            hsts,
        }
    }
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an id of its own (one a client sends is ignored: it
/// would let it write the audit log's keys), and returns it in
/// `x-request-id`.
async fn request_id(mut request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    request.headers_mut().remove(&X_REQUEST_ID);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response
}

/// The checks every request passes before its handler, inside the security
/// headers: the number of header fields (HTTP/1.1's parser counts them;
/// HTTP/2's framing bounds only their size), and the whole request's
/// deadline, which a client that stalls its body would otherwise hold
/// open. Each refusal is a page, a metric and an audit line.
async fn guard(
    State(app): State<Arc<App>>,
    RequestId(id): RequestId,
    PeerAddr(peer): PeerAddr,
    request: Request,
    next: Next,
) -> Response {
    if request.headers().len() > crate::server::MAX_REQUEST_HEADERS {
        return refuse_request(
            &app,
            &id,
            peer,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too_many_fields",
            "Your browser sent more header fields than the gateway accepts.",
        );
    }
    match tokio::time::timeout(app.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refuse_request(
            &app,
            &id,
            peer,
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "Your request took too long to complete. Try again.",
        ),
    }
}

fn refuse_request(
    app: &App,
    id: &str,
    peer: Option<Peer>,
    status: StatusCode,
    reason: &'static str,
    message: &str,
) -> Response {
    app.metrics.request_refusal(reason);
    tracing::warn!(peer = %peer_text(peer), reason, request_id = id, "request refused");
    app.audit
        .write(&Line::refusal(id, peer_text(peer), reason, status.as_u16()));
    pages::error(status, "Request refused", message, id)
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        app.metrics.encode(),
    )
        .into_response()
}

async fn not_found(RequestId(id): RequestId) -> Response {
    not_found_page(&id)
}

pub(crate) fn not_found_page(id: &str) -> Response {
    pages::error(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing at this address.",
        id,
    )
}
