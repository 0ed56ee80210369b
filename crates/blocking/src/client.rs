//! The client: executes operations over pooled connections.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rescue_sso_proto::bytes::Bytes;
use rescue_sso_proto::http::Response;
use rescue_sso_proto::{
    AuthCode, Endpoint, GetDtcLoginTicket, GetLoginTicket, LoginTicket, Operation,
    RequestAuthCodeSso, RequestMethod, http1,
};

use rescue_sso_client_core::ErrorChain;

use crate::builder::ClientBuilder;
use crate::connect::{Target, connect};
use crate::deadline::{ConnectDeadline, after};
use crate::error::Error;
use crate::exchange::{Failure, exchange};
use crate::pool::Pool;
use crate::stream::Conn;

/// A blocking Rescue SSO client.
///
/// Cheap to clone (the state is shared) and `Send + Sync`: one client can
/// serve every thread of a program, sharing its idle connections and TLS
/// sessions.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) endpoint: Endpoint,
    pub(crate) method: RequestMethod,
    pub(crate) target: Target,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) pool: Pool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("endpoint", &inner.endpoint)
            .field("method", &inner.method)
            .field("proxy", &inner.target.proxy)
            .field("connect_timeout", &inner.connect_timeout)
            .field("timeout", &inner.timeout)
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

    /// The endpoint every request goes to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Asks for a Desktop Technician Console login ticket.
    pub fn dtc_login_ticket(&self, op: &GetDtcLoginTicket) -> Result<LoginTicket, Error> {
        self.execute(op)
    }

    /// Asks for a web console login ticket.
    pub fn web_login_ticket(&self, op: &GetLoginTicket) -> Result<LoginTicket, Error> {
        self.execute(op)
    }

    /// Asks for a technician's `requestAuthCodeSSO` authentication code
    /// (which replaces their previous one). The same as
    /// [`execute`](Self::execute), as every operation is.
    pub fn request_auth_code_sso(&self, op: &RequestAuthCodeSso) -> Result<AuthCode, Error> {
        self.execute(op)
    }

    /// Sends `op` and decodes the answer, within the call timeout.
    ///
    /// Redirects are never followed (they are an error): the request carries
    /// the master SSO password.
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let inner = &*self.inner;
        let span = tracing::info_span!(
            "rescue_sso",
            operation = O::NAME,
            host = inner.endpoint.host(),
            method = tracing::field::Empty,
        );
        let _entered = span.enter();
        let started = Instant::now();
        let result = self.call(op, started);
        if let Err(err) = &result {
            tracing::debug!(
                error = %ErrorChain(err),
                elapsed_ms = elapsed_ms(started),
                "call failed"
            );
        }
        result
    }

    fn call<O: Operation>(&self, op: &O, started: Instant) -> Result<O::Output, Error> {
        let inner = &*self.inner;
        let deadline = after(inner.timeout);
        // The request's bytes, written straight into a buffer that is wiped
        // when dropped: it carries the master SSO password.
        let mut wire = http1::RequestBuffer::new();
        op.encode_http1(&inner.endpoint, inner.method, &mut wire)?;
        tracing::Span::current().record("method", inner.method.as_str());
        let (response, reused) = self.send(wire.as_bytes(), deadline)?;
        drop(wire);
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_ms = elapsed_ms(started),
            reused,
            "response"
        );
        Ok(op.decode(&inner.endpoint, &response)?)
    }

    /// Sends the encoded request on an idle connection if there is one, and
    /// on a fresh connection if none of it could be written there (the
    /// server had closed it); keeps the connection for later if the
    /// response allows it. A request that reached the server, even in part,
    /// is never sent again.
    fn send(&self, wire: &[u8], deadline: Instant) -> Result<(Response<Bytes>, bool), Error> {
        let inner = &*self.inner;
        if let Some(mut conn) = inner.pool.take() {
            conn.start_exchange(deadline);
            match exchange(&mut conn, wire) {
                Ok(complete) => return Ok((self.keep(conn, complete), true)),
                Err(Failure::Unsent(err)) => {
                    tracing::debug!(error = %err, "idle connection was closed before the request went out, reconnecting");
                }
                Err(Failure::Failed(err)) => return Err(err),
            }
        }
        let connect_deadline = ConnectDeadline::new(inner.connect_timeout, deadline);
        let mut conn = connect(&inner.target, connect_deadline)?;
        conn.start_exchange(deadline);
        let complete = exchange(&mut conn, wire)?;
        Ok((self.keep(conn, complete), false))
    }

    fn keep(&self, conn: Conn, complete: http1::Complete) -> Response<Bytes> {
        let http1::Complete {
            response, reusable, ..
        } = complete;
        if reusable {
            self.inner.pool.put(conn);
        }
        response
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
