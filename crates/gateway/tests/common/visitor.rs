//! A browser, as far as cookies and redirects go, for tests over HTTP.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::Answer;

/// A browser, as far as cookies and redirects go: one cookie jar for
/// 127.0.0.1 (browsers do not keep cookies apart by port), each cookie
/// under its name and path (the provider scopes its interaction cookies to
/// the interaction's path).
#[derive(Default)]
pub(crate) struct Visitor {
    jar: Mutex<BTreeMap<(String, String), String>>,
}

impl Visitor {
    /// A cookie's value, whatever its path.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .lock()
            .expect("lock")
            .iter()
            .find(|((n, _), _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .expect("lock")
            .insert((name.to_owned(), "/".to_owned()), value.to_owned());
    }

    pub(crate) async fn request(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let uri: hyper::Uri = url.parse().expect("a url");
        let path = uri.path().to_owned();
        let client: Client<_, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let mut request = Request::builder().method(method).uri(uri);
        let cookies: Vec<String> = self
            .jar
            .lock()
            .expect("lock")
            .iter()
            .filter(|((_, p), _)| {
                path == *p || path.starts_with(&format!("{}/", p.trim_end_matches('/')))
            })
            .map(|((n, _), v)| format!("{n}={v}"))
            .collect();
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = client
            .request(
                request
                    .body(Full::new(Bytes::from(body.to_owned())))
                    .expect("request"),
            )
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let (parts, body) = response.into_parts();
        for set in parts.headers.get_all("set-cookie") {
            let set = set.to_str().expect("text");
            let mut attributes = set.split(';').map(str::trim);
            let (name, value) = attributes
                .next()
                .and_then(|pair| pair.split_once('='))
                .expect("name=value");
            let mut cookie_path = "/".to_owned();
            let mut gone = value.is_empty();
            for attribute in attributes {
                let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
                match key.to_ascii_lowercase().as_str() {
                    "path" => val.clone_into(&mut cookie_path),
                    "max-age" => gone |= val == "0",
                    "expires" => gone |= val.contains("1970"),
                    _ => {}
                }
            }
            let key = (name.to_owned(), cookie_path);
            let mut jar = self.jar.lock().expect("lock");
            if gone {
                jar.remove(&key);
            } else {
                jar.insert(key, value.to_owned());
            }
        }
        let body = body.collect().await.expect("body").to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&self, url: &str) -> Answer {
        self.request(Method::GET, url, &[], "").await
    }
    /// Drops a cookie, whatever its path.
    pub(crate) fn forget(&self, name: &str) {
        self.jar.lock().expect("lock").retain(|(n, _), _| n != name);
    }

    /// `POST /launch` of `console`, from the gateway's own page.
    pub(crate) async fn launch(&self, gateway: &str, console: &str) -> Answer {
        self.request(
            Method::POST,
            &format!("{gateway}/launch"),
            &[
                ("origin", gateway),
                ("sec-fetch-site", "same-origin"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            &format!("console={console}"),
        )
        .await
    }
}
