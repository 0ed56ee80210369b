//! The client: executes operations over hyper-util's pooled client.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::{CaptureConnection, Connect, capture_connection};
use rescue_sso_client_core::{ErrorChain, ProxyError, TlsError};
use rescue_sso_proto::bytes::{Bytes, BytesMut};
use rescue_sso_proto::http::{Extensions, Request, Response, Version};
use rescue_sso_proto::http1::{self, DEFAULT_MAX_INFORMATIONAL};
use rescue_sso_proto::{
    ANSWER_READ_LIMIT, AuthCode, Endpoint, EndpointError, GetDtcLoginTicket, GetLoginTicket,
    LoginTicket, Operation, RequestAuthCodeSso, RequestMethod, check_answer_head,
};

use crate::builder::ClientBuilder;
use crate::connect::{ConnectTimedOut, Connector, HandshakeClosed, Progress};
use crate::error::Error;

/// hyper-util's own future, whatever the connector: no box of ours on top.
type Sending = hyper_util::client::legacy::ResponseFuture;

/// Any hyper-util client, whatever its connector.
pub(crate) trait Transport: Send + Sync {
    fn send(&self, request: Request<Full<Bytes>>) -> Sending;
}

impl<C> Transport for HyperClient<C, Full<Bytes>>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn send(&self, request: Request<Full<Bytes>>) -> Sending {
        self.request(request)
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
    /// Whether the last answer came over HTTP/2: calls then skip capturing
    /// their connection, which only an HTTP/1.1 failure needs (to tell a
    /// connection closed before its answer from one closed inside it).
    pub(crate) last_h2: std::sync::atomic::AtomicBool,
    /// Set for a caller's own hyper-util client, whose connector may not do
    /// TLS: a plain-http endpoint is then refused at call time.
    pub(crate) foreign_connector: bool,
    /// Our own connector, for [`Client::check_connection`]; `None` for a
    /// caller's client.
    pub(crate) connector: Option<Connector>,
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

    /// Wraps the caller's own hyper-util client, for a custom connector or a
    /// pool shared with other calls. Only with the `hyper-client` feature.
    ///
    /// What the caller takes on: the connector decides TLS, certificate
    /// verification, proxies, name resolution and connect timeouts, and this
    /// crate cannot check what it does. A connector that does not do TLS for
    /// an `https` URI (hyper-util's `HttpConnector` with
    /// `enforce_http(false)`, say) would send the master SSO password in
    /// clear text, and one that skips certificate verification would send it
    /// to whoever answers. Use a connector that does both, such as
    /// hyper-rustls's with `https_only()`. What stays: `timeout` bounds each
    /// whole call, redirects are never followed, answers are capped, and a
    /// plain-`http` endpoint is refused at call time whatever the connector
    /// (plain http is only for our own connector and a loopback emulator).
    #[cfg(feature = "hyper-client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hyper-client")))]
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
            last_h2: std::sync::atomic::AtomicBool::new(false),
            foreign_connector: true,
            connector: None,
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

    /// Asks for a technician's `requestAuthCodeSSO` authentication code
    /// (which replaces their previous one). The same as
    /// [`execute`](Self::execute), as every operation is.
    pub async fn request_auth_code_sso(&self, op: &RequestAuthCodeSso) -> Result<AuthCode, Error> {
        self.execute(op).await
    }

    /// Opens a connection to the endpoint the way a call would (name
    /// resolution, the proxy tunnel, TCP, the TLS handshake with
    /// certificate verification, all within the connect timeout), then
    /// closes it, sending no request: a readiness check that proves Rescue
    /// is reachable and trusted without asking it for anything.
    ///
    /// A client made with `from_hyper_client` cannot tell, and answers
    /// [`ErrorKind::Config`](crate::ErrorKind::Config).
    pub async fn check_connection(&self) -> Result<(), Error> {
        let (connector, uri) = self.own_connector()?;
        // A connection of its own: the warm spare, if any, stays for a call.
        match connector.clone().open_within_timeout(uri).await {
            Ok(stream) => {
                drop(stream);
                Ok(())
            }
            Err(err) => Err(classify_connect(err)),
        }
    }

    /// Our connector and the endpoint's base URI; a client made with
    /// `from_hyper_client` has no connector of ours.
    fn own_connector(&self) -> Result<(&Connector, rescue_sso_proto::http::Uri), Error> {
        let inner = &*self.inner;
        let Some(connector) = &inner.connector else {
            return Err(rescue_sso_proto::Error::Endpoint(EndpointError::NotABase).into());
        };
        let uri = rescue_sso_proto::http::Uri::try_from(inner.endpoint.base_url())
            .map_err(|_| rescue_sso_proto::Error::Endpoint(EndpointError::Malformed))?;
        Ok((connector, uri))
    }

    /// Opens a connection to the endpoint now (name resolution, the proxy
    /// tunnel, TCP and the TLS handshake, within the connect timeout) and
    /// keeps one ready from then on, so that a call needing a new
    /// connection (the first of the day, or one after the pool let an idle
    /// connection go) pays no handshake:
    ///
    /// - the spare waits, watched; the first call that needs a connection to
    ///   the endpoint takes it, and another is opened in its place once that
    ///   call has read its first bytes (the TLS session tickets have arrived
    ///   by then, so the new one resumes);
    /// - a spare the server closes (an idle timeout) is replaced at once,
    ///   resuming the TLS session; after two failures in a row (a spare that
    ///   could not be opened, or one closed within 10 s) the next attempt
    ///   waits 1 s, then 2 s, 4 s… up to 5 minutes;
    /// - no request is ever sent to keep it, so Rescue sees a TLS connection
    ///   and nothing else until a real call.
    ///
    /// Returns the first connection's error (the keeper goes on trying in the
    /// background). It ends when the client and its clones are dropped.
    ///
    /// Needs a Tokio runtime. A client made with `from_hyper_client` has no
    /// connector of ours, and answers
    /// [`ErrorKind::Config`](crate::ErrorKind::Config).
    pub async fn warm_up(&self) -> Result<(), Error> {
        let (connector, uri) = self.own_connector()?;
        connector
            .warm
            .start(connector, uri)
            .await
            .map_err(classify_connect)
    }

    /// Sends any request through this client's connector, for the other
    /// calls an application around Rescue makes (a JWKS, an OpenID
    /// provider), so that it needs no second HTTP stack: the same trust
    /// settings, proxy rules, name resolution, connect timeout and call
    /// deadline, no redirects followed (a 3xx is an answer like any other),
    /// and at most `max_body` bytes of the answer read
    /// ([`proto::Error::BodyTooLarge`](crate::proto::Error::BodyTooLarge)
    /// past it).
    ///
    /// Only `https` URIs, or `http` to a loopback address.
    pub async fn fetch(
        &self,
        request: Request<Bytes>,
        max_body: usize,
    ) -> Result<Response<Bytes>, Error> {
        let inner = &*self.inner;
        let uri = request.uri();
        let https = uri.scheme_str() == Some("https");
        let loopback_http = uri.scheme_str() == Some("http")
            && uri.host().is_some_and(|host| {
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                host.eq_ignore_ascii_case("localhost")
                    || bare
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
        if !(https || loopback_http) {
            return Err(
                rescue_sso_proto::Error::Endpoint(EndpointError::PlainHttpNotAllowed).into(),
            );
        }
        let mut request = request.map(Full::new);
        let captured = capture_connection(&mut request);
        let exchange = async {
            let response = inner
                .transport
                .send(request)
                .await
                .map_err(|err| classify(err, Some(&captured)))?;
            let (parts, body) = response.into_parts();
            let body = read_up_to(body, max_body.saturating_add(1)).await?;
            if body.len() > max_body {
                return Err(rescue_sso_proto::Error::BodyTooLarge { limit: max_body }.into());
            }
            Ok::<_, Error>(Response::from_parts(parts, body))
        };
        tokio::time::timeout(inner.timeout, exchange)
            .await
            .map_err(|_| Error::Timeout)?
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
        if inner.foreign_connector && !inner.endpoint.is_https() {
            return Err(
                rescue_sso_proto::Error::Endpoint(EndpointError::PlainHttpNotAllowed).into(),
            );
        }
        let request = op.encode(&inner.endpoint, inner.method)?;
        tracing::Span::current().record("method", request.method().as_str());
        let mut request = request.into_http().map(|body| Full::new(body.into_bytes()));
        // Two safeguards only HTTP/1.1 needs (hyper reports interim
        // responses, and a failure's place in the answer, only there): after
        // an HTTP/2 answer, the next call skips them. A call that lands on
        // HTTP/1.1 anyway is bounded by its deadline, and turns them back on.
        let h1_likely = !inner.last_h2.load(Ordering::Relaxed);
        let captured = h1_likely.then(|| capture_connection(&mut request));
        let interim = h1_likely.then(|| Interim::watch(&mut request));
        let exchange = async {
            let response = inner
                .transport
                .send(request)
                .await
                .map_err(|err| classify(err, captured.as_ref()))?;
            inner
                .last_h2
                .store(response.version() == Version::HTTP_2, Ordering::Relaxed);
            let (parts, body) = response.into_parts();
            // hyper reads some ambiguous HTTP/1.1 framings leniently (TE with
            // CL, chunked twice); the protocol crate's rules refuse them, as
            // the blocking adapter does, before any body is trusted.
            if parts.version <= Version::HTTP_11 {
                http1::check_framing(parts.version, &parts.headers)
                    .map_err(rescue_sso_proto::Error::Http1)?;
            }
            // What the head alone refuses needs no body.
            check_answer_head(parts.status, &parts.headers)?;
            let body = read_up_to(body, ANSWER_READ_LIMIT).await?;
            Ok::<_, Error>(Response::from_parts(parts, body))
        };
        let response = match &interim {
            Some(interim) => {
                let response = tokio::time::timeout(inner.timeout, interim.guard(exchange))
                    .await
                    .map_err(|_| Error::Timeout)??;
                // They may all have come in one read, with the answer.
                interim.check()?;
                response
            }
            None => tokio::time::timeout(inner.timeout, exchange)
                .await
                .map_err(|_| Error::Timeout)??,
        };
        let reused = response
            .extensions()
            .get::<Progress>()
            .is_some_and(Progress::count_call);
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_ms = elapsed_ms(started),
            reused,
            "response"
        );
        Ok(op.decode(&inner.endpoint, &response)?)
    }
}

/// Counts interim (1xx) responses to one request, and ends the call when
/// there are more than the HTTP/1.1 codec allows: hyper skips them without
/// a limit. One allocation and a waker per call; no channel.
struct Interim(Arc<InterimState>);

#[derive(Default)]
struct InterimState {
    seen: AtomicUsize,
    /// The call's task, to wake when the limit is passed.
    waker: std::sync::Mutex<Option<std::task::Waker>>,
}

impl Interim {
    fn watch<B>(request: &mut Request<B>) -> Interim {
        let state = Arc::new(InterimState::default());
        let seen = Arc::clone(&state);
        hyper::ext::on_informational(request, move |_| {
            if seen.seen.fetch_add(1, Ordering::AcqRel) + 1 > DEFAULT_MAX_INFORMATIONAL
                && let Some(waker) = seen
                    .waker
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take()
            {
                waker.wake();
            }
        });
        Interim(state)
    }

    fn too_many(&self) -> bool {
        self.0.seen.load(Ordering::Acquire) > DEFAULT_MAX_INFORMATIONAL
    }

    /// `exchange`, ended with an error as soon as too many interim responses
    /// have come.
    async fn guard<T>(&self, exchange: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let mut exchange = std::pin::pin!(exchange);
        std::future::poll_fn(|cx| {
            if self.too_many() {
                return std::task::Poll::Ready(Err(too_many_interim()));
            }
            if let std::task::Poll::Ready(answer) = exchange.as_mut().poll(cx) {
                return std::task::Poll::Ready(answer);
            }
            {
                let mut waker = self
                    .0
                    .waker
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
            }
            // The limit may have been passed while the waker was stored.
            if self.too_many() {
                return std::task::Poll::Ready(Err(too_many_interim()));
            }
            std::task::Poll::Pending
        })
        .await
    }

    fn check(&self) -> Result<(), Error> {
        if self.too_many() {
            return Err(too_many_interim());
        }
        Ok(())
    }
}

fn too_many_interim() -> Error {
    rescue_sso_proto::Error::Http1(http1::Error::TooManyInformational {
        limit: DEFAULT_MAX_INFORMATIONAL,
    })
    .into()
}

/// Reads at most `limit` bytes of the body ([`ANSWER_READ_LIMIT`] for an
/// answer: what decoding needs to tell one over the cap). A longer body is
/// not read further (the connection is then dropped, not reused).
async fn read_up_to(mut body: Incoming, limit: usize) -> Result<Bytes, Error> {
    // The usual answer is one frame: keep it as it came, without a copy.
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut len = 0usize;
    while len < limit {
        let Some(frame) = body.frame().await else {
            break;
        };
        let Ok(data) = frame.map_err(body_error)?.into_data() else {
            continue;
        };
        let data = data.slice(..data.len().min(limit - len));
        len += data.len();
        match (&mut first, &mut joined) {
            (None, None) => first = Some(data),
            (Some(head), None) => {
                let mut buf = BytesMut::with_capacity(head.len() + data.len());
                buf.extend_from_slice(head);
                buf.extend_from_slice(&data);
                first = None;
                joined = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&data),
        }
    }
    Ok(match (first, joined) {
        (_, Some(buf)) => buf.freeze(),
        (Some(one), None) => one,
        (None, None) => Bytes::new(),
    })
}

/// The connection a request went out on, as our connector described it;
/// `None` before a connection was had, or for a caller's own connector.
fn progress(captured: Option<&CaptureConnection>) -> Option<Progress> {
    let connected = captured?.connection_metadata();
    let mut extensions = Extensions::new();
    connected.as_ref()?.get_extras(&mut extensions);
    extensions.get::<Progress>().cloned()
}

/// Sorts a failure to get a response into the variant a caller acts on, as
/// the blocking adapter sorts the same failure.
fn classify(err: hyper_util::client::legacy::Error, captured: Option<&CaptureConnection>) -> Error {
    if err.is_connect() {
        if find::<ConnectTimedOut>(&err).is_some() {
            return Error::ConnectTimeout;
        }
        if let Some(proxy) = find::<ProxyError>(&err) {
            return Error::Proxy(proxy.clone());
        }
        if let Some(tls) = find::<TlsError>(&err) {
            return Error::Tls(tls.clone());
        }
        if find::<HandshakeClosed>(&err).is_some() {
            return Error::Closed(Box::new(err));
        }
        return Error::Connect(Box::new(err));
    }
    if let Some(tls) = find::<rustls::Error>(&err) {
        return Error::Tls(TlsError::from_rustls(tls.clone()));
    }
    if is_refused_answer(&err) {
        return Error::InvalidResponse(Box::new(err));
    }
    // Closed, reset, a TLS close without close_notify: before or inside
    // the answer, by whether any byte of it had arrived.
    if progress(captured).is_some_and(|p| p.answer_started()) {
        return Error::Incomplete(Box::new(err));
    }
    Error::Closed(Box::new(err))
}

/// Sorts a failure of our own connector, as `classify` does for one that
/// came through hyper-util.
fn classify_connect(err: crate::error::BoxError) -> Error {
    if find::<ConnectTimedOut>(&*err).is_some() {
        return Error::ConnectTimeout;
    }
    if let Some(proxy) = find::<ProxyError>(&*err) {
        return Error::Proxy(proxy.clone());
    }
    if let Some(tls) = find::<TlsError>(&*err) {
        return Error::Tls(tls.clone());
    }
    if find::<HandshakeClosed>(&*err).is_some() {
        return Error::Closed(err);
    }
    Error::Connect(err)
}

fn body_error(err: hyper::Error) -> Error {
    if let Some(tls) = find::<rustls::Error>(&err) {
        return Error::Tls(TlsError::from_rustls(tls.clone()));
    }
    if is_refused_answer(&err) {
        return Error::InvalidResponse(Box::new(err));
    }
    // hyper's HTTP/1.1 body decoder reports framing it refuses (a bad chunk
    // size or line end, extensions or trailers past its limits) as invalid
    // data or input; a body cut short is an unexpected end instead. (TLS
    // failures are invalid data too: they are sorted out above, first.)
    if find::<std::io::Error>(&err).is_some_and(|io| {
        matches!(
            io.kind(),
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
        )
    }) {
        return Error::InvalidResponse(Box::new(err));
    }
    // A body cut short, a reset, or a TLS close without close_notify.
    Error::Incomplete(Box::new(err))
}

/// Whether the server sent something this client refuses to read, rather
/// than going away: a malformed or oversized HTTP/1.1 head, or an HTTP/2
/// frame, header block or length that broke the protocol (which h2 answers
/// with a reset or GOAWAY of its own).
fn is_refused_answer(err: &(dyn StdError + 'static)) -> bool {
    if let Some(h2) = find::<h2::Error>(err) {
        let broken = matches!(
            h2.reason(),
            Some(
                h2::Reason::PROTOCOL_ERROR
                    | h2::Reason::COMPRESSION_ERROR
                    | h2::Reason::FRAME_SIZE_ERROR
                    | h2::Reason::FLOW_CONTROL_ERROR
            )
        );
        return broken && !h2.is_remote();
    }
    find::<hyper::Error>(err)
        .is_some_and(|e| e.is_parse() || e.is_parse_status() || e.is_parse_too_large())
}

/// The first error of type `T` in `err`'s source chain, `err` included.
fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        // io::Error's source() skips the error it wraps; look inside too.
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if let Some(found) = inner.and_then(|inner| find::<T>(inner)) {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
