//! The client: executes operations over hyper-util's pooled client.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::Connect;
use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::{Request, Response, Version};
use rescue_sso_proto::http1;
use rescue_sso_proto::{
    Endpoint, GetDtcLoginTicket, GetLoginTicket, LoginTicket, MAX_ANSWER_BYTES, Operation,
    RequestMethod,
};

use rescue_sso_transport::ErrorChain;

use crate::builder::ClientBuilder;
use crate::connect::{ConnectTimedOut, TunnelFailed};
use crate::error::{BoxError, Error};

type Sending = Pin<
    Box<dyn Future<Output = Result<Response<Incoming>, hyper_util::client::legacy::Error>> + Send>,
>;

/// Any hyper-util client, whatever its connector.
pub(crate) trait Transport: Send + Sync {
    fn send(&self, request: Request<Full<Bytes>>) -> Sending;
}

impl<C> Transport for HyperClient<C, Full<Bytes>>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn send(&self, request: Request<Full<Bytes>>) -> Sending {
        Box::pin(self.request(request))
    }
}

/// An async Rescue SSO client.
///
/// Cheap to clone (the state is shared) and `Send + Sync`: one client serves
/// a whole program, sharing its pooled connections.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) endpoint: Endpoint,
    pub(crate) method: RequestMethod,
    pub(crate) timeout: Duration,
    pub(crate) transport: Box<dyn Transport>,
    /// Connections opened by our own connector; `None` for a caller's client.
    pub(crate) opened: Option<Arc<AtomicU64>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("method", &self.inner.method)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the default settings: the public Rescue endpoint,
    /// `POST`, the operating system's roots, the proxy from the environment.
    pub fn new() -> Result<Client, Error> {
        Client::builder().build()
    }

    /// Wraps the caller's own hyper-util client, for custom connectors or a
    /// shared pool. Its connector decides TLS, proxies and connect timeouts;
    /// `timeout` still bounds each whole call, and redirects are still never
    /// followed (hyper-util's client does not follow them).
    pub fn from_hyper_client<C>(
        client: HyperClient<C, Full<Bytes>>,
        endpoint: Endpoint,
        method: RequestMethod,
        timeout: Duration,
    ) -> Client
    where
        C: Connect + Clone + Send + Sync + 'static,
    {
        Client::from_parts(Inner {
            endpoint,
            method,
            timeout,
            transport: Box::new(client),
            opened: None,
        })
    }

    pub(crate) fn from_parts(inner: Inner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The endpoint every request goes to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Asks for a Desktop Technician Console login ticket.
    pub async fn dtc_login_ticket(&self, op: &GetDtcLoginTicket) -> Result<LoginTicket, Error> {
        self.execute(op).await
    }

    /// Asks for a web console login ticket.
    pub async fn web_login_ticket(&self, op: &GetLoginTicket) -> Result<LoginTicket, Error> {
        self.execute(op).await
    }

    /// Sends `op` and decodes the answer, within the call timeout.
    ///
    /// Redirects are never followed (they are an error): the request carries
    /// the master SSO password.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!(
            "rescue_sso",
            operation = O::NAME,
            host = inner.endpoint.host(),
            method = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = tracing::Instrument::instrument(self.call(op, started), span.clone()).await;
        if let Err(err) = &result {
            let _entered = span.enter();
            tracing::debug!(error = %ErrorChain(err), elapsed_ms = elapsed_ms(started), "call failed");
        }
        result
    }

    async fn call<O: Operation>(&self, op: &O, started: Instant) -> Result<O::Output, Error> {
        let inner = &*self.inner;
        let request = op.encode(&inner.endpoint, inner.method)?;
        tracing::Span::current().record("method", request.method().as_str());
        let request = request.map(|body| Full::new(body.into_bytes()));
        let opened_before = inner.opened.as_ref().map(|o| o.load(Ordering::Relaxed));
        let exchange = async {
            let response = inner.transport.send(request).await.map_err(classify)?;
            let (parts, body) = response.into_parts();
            // hyper reads some ambiguous HTTP/1.1 framings leniently (TE with
            // CL, chunked twice); the protocol crate's rules refuse them, as
            // the blocking adapter does, before any body is trusted.
            if parts.version <= Version::HTTP_11 {
                http1::check_framing(parts.version, &parts.headers)
                    .map_err(rescue_sso_proto::Error::Http1)?;
            }
            let status = parts.status;
            let bytes = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(body_error)?
                .to_bytes();
            Ok::<_, Error>((Response::from_parts(parts, bytes), status))
        };
        let (response, status) = tokio::time::timeout(inner.timeout, exchange)
            .await
            .map_err(|_| Error::Timeout)??;
        let reused = match (&inner.opened, opened_before) {
            (Some(opened), Some(before)) => opened.load(Ordering::Relaxed) == before,
            _ => false,
        };
        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = elapsed_ms(started),
            reused,
            "response"
        );
        Ok(op.decode(&inner.endpoint, &response)?)
    }
}

/// Sorts a failure to get a response into the variant a caller acts on.
fn classify(err: hyper_util::client::legacy::Error) -> Error {
    if err.is_connect() {
        // Timeouts first: a proxy that never answers is a connect timeout,
        // as in the blocking adapter.
        if find::<ConnectTimedOut>(&err).is_some()
            || find::<std::io::Error>(&err)
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return Error::ConnectTimeout;
        }
        if find::<TunnelFailed>(&err).is_some() {
            return Error::Proxy(Box::new(err));
        }
        if find::<rustls::Error>(&err).is_some() {
            return Error::Tls(Box::new(err));
        }
        return Error::Connect(Box::new(err));
    }
    if let Some(hyper_err) = find::<hyper::Error>(&err) {
        if hyper_err.is_parse() || hyper_err.is_parse_status() || hyper_err.is_parse_too_large() {
            return Error::InvalidResponse(Box::new(err));
        }
        // Anything else the server did before a response arrived (closed,
        // reset, an HTTP/2 stream reset) is a connection that ended first;
        // only misuse of hyper itself stays a generic HTTP error.
        if !hyper_err.is_user() {
            return Error::Closed(Box::new(err));
        }
    }
    if find::<rustls::Error>(&err).is_some() {
        return Error::Tls(Box::new(err));
    }
    if find::<std::io::Error>(&err).is_some() {
        return Error::Closed(Box::new(err));
    }
    Error::Http(Box::new(err))
}

fn body_error(err: BoxError) -> Error {
    if err.downcast_ref::<LengthLimitError>().is_some() {
        return Error::Protocol(rescue_sso_proto::Error::BodyTooLarge {
            limit: MAX_ANSWER_BYTES,
        });
    }
    if find_dyn::<hyper::Error>(&*err).is_some_and(hyper::Error::is_parse) {
        return Error::InvalidResponse(err);
    }
    // A body cut short, a reset, or a TLS close without close_notify.
    Error::Incomplete
}

/// The first error of type `T` in `err`'s source chain, `err` included.
fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    find_dyn(err)
}

fn find_dyn<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        // io::Error's source() skips the error it wraps; look inside too.
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if let Some(found) = inner.and_then(|inner| find_dyn::<T>(inner)) {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
