//! The pages a person sees: auto-escaped templates, no JavaScript.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::config::ConsoleChoice;

/// The start page: who you are, one button per console.
#[derive(Template)]
#[template(path = "landing.html")]
struct Landing<'a> {
    user: &'a str,
    consoles: Vec<(&'static str, &'static str)>,
}

/// A page that says what went wrong and what to do.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
    request_id: &'a str,
    back: bool,
}

/// After `GET /logout`.
#[derive(Template)]
#[template(path = "signed-out.html")]
struct SignedOut<'a> {
    request_id: &'a str,
}

pub(crate) fn signed_out(request_id: &str) -> Response {
    render(StatusCode::OK, &SignedOut { request_id })
}

/// The stylesheet, served at `/static/gateway.css`.
pub(crate) const STYLESHEET: &str = include_str!("../static/gateway.css");

pub(crate) fn landing(user: &str, consoles: &[ConsoleChoice]) -> Response {
    render(
        StatusCode::OK,
        &Landing {
            user,
            consoles: consoles.iter().map(|c| (c.as_str(), c.label())).collect(),
        },
    )
}

pub(crate) fn error(status: StatusCode, title: &str, message: &str, request_id: &str) -> Response {
    render(
        status,
        &ErrorPage {
            title,
            message,
            status: status.as_u16(),
            request_id,
            back: status != StatusCode::FORBIDDEN,
        },
    )
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // A template that fails to render is a bug; say so without detail.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be rendered",
        )
            .into_response(),
    }
}

pub(crate) async fn stylesheet() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        STYLESHEET,
    )
        .into_response()
}
