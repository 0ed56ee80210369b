//! An idle deadline for a connection, whatever its protocol: the connection
//! is let go once no request has been in flight on it for a while.
//!
//! hyper's HTTP/1.1 server has one (`header_read_timeout` also bounds the
//! wait for the next request); its HTTP/2 server has none: a client that
//! answers the server's PINGs, or sends its own, and never makes a request
//! would hold its descriptor for as long as it liked. [`Counted`] counts the
//! requests in flight on one connection and notes when the last one ended;
//! [`Activity::idle`] completes once that count has stayed at zero for the
//! deadline, and the server then shuts the connection down gracefully
//! (HTTP/2's GOAWAY, or HTTP/1.1's close).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// The requests in flight on one connection, and since when it has had none.
#[derive(Clone, Copy, Debug)]
struct State {
    in_flight: usize,
    since: Instant,
}

/// One connection's activity: [`Counted`] reports to it, [`Activity::idle`]
/// watches it.
#[derive(Debug)]
pub(crate) struct Activity {
    state: watch::Receiver<State>,
}

impl Activity {
    /// A connection that starts now, with no request in flight, and the
    /// service wrapper that counts its requests.
    pub(crate) fn new<S>(service: S) -> (Activity, Counted<S>) {
        let (report, state) = watch::channel(State {
            in_flight: 0,
            since: Instant::now(),
        });
        (
            Activity { state },
            Counted {
                inner: service,
                report: Arc::new(report),
            },
        )
    }

    /// Completes once no request has been in flight for `after`. Pending
    /// forever once the connection's service is gone (the connection is
    /// ending by itself then).
    pub(crate) async fn idle(&mut self, after: Duration) {
        loop {
            let now = *self.state.borrow_and_update();
            let changed = if now.in_flight == 0 {
                tokio::select! {
                    () = tokio::time::sleep_until(now.since + after) => return,
                    changed = self.state.changed() => changed,
                }
            } else {
                self.state.changed().await
            };
            if changed.is_err() {
                return std::future::pending().await;
            }
        }
    }
}

/// A service that reports the requests in flight to its connection's
/// [`Activity`]. A request counts from the call until its response future
/// completes or is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Counted<S> {
    inner: S,
    report: Arc<watch::Sender<State>>,
}

impl<S, R> hyper::service::Service<R> for Counted<S>
where
    S: hyper::service::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = InFlight<S::Future>;

    fn call(&self, request: R) -> Self::Future {
        // Only the transitions to and from none in flight wake the deadline.
        self.report.send_if_modified(|state| {
            state.in_flight += 1;
            state.in_flight == 1
        });
        InFlight {
            inner: self.inner.call(request),
            guard: Guard(Arc::clone(&self.report)),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's response future, counted while it lives.
    #[derive(Debug)]
    pub(crate) struct InFlight<F> {
        #[pin]
        inner: F,
        guard: Guard,
    }
}

impl<F: Future> Future for InFlight<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

/// Ends a request's count when its future goes.
#[derive(Debug)]
struct Guard(Arc<watch::Sender<State>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.send_if_modified(|state| {
            state.in_flight = state.in_flight.saturating_sub(1);
            if state.in_flight == 0 {
                state.since = Instant::now();
                true
            } else {
                false
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    use hyper::service::Service as _;

    /// A service whose responses come when the test says.
    #[derive(Clone)]
    struct Held(Arc<tokio::sync::Notify>);

    impl hyper::service::Service<()> for Held {
        type Response = ();
        type Error = Infallible;
        type Future = Pin<Box<dyn Future<Output = Result<(), Infallible>> + Send>>;

        fn call(&self, (): ()) -> Self::Future {
            let release = Arc::clone(&self.0);
            Box::pin(async move {
                release.notified().await;
                Ok(())
            })
        }
    }

    /// Whether `idle` has completed by now, without waiting.
    async fn idle_now(activity: &mut Activity, after: Duration) -> bool {
        tokio::time::timeout(Duration::ZERO, activity.idle(after))
            .await
            .is_ok()
    }

    #[tokio::test(start_paused = true)]
    async fn idle_counts_from_the_end_of_the_last_request_and_never_during_one() {
        let after = Duration::from_secs(10);
        let release = Arc::new(tokio::sync::Notify::new());
        let (mut activity, service) = Activity::new(Held(Arc::clone(&release)));

        // A connection that never makes a request is idle from its start.
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!idle_now(&mut activity, after).await);

        // A request in flight, however long, keeps it.
        let mut request = tokio::spawn(service.call(()));
        tokio::task::yield_now().await;
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(!idle_now(&mut activity, after).await);

        // Its end starts the count again.
        release.notify_one();
        (&mut request).await.expect("task").expect("answer");
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!idle_now(&mut activity, after).await);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(idle_now(&mut activity, after).await);

        // A response future dropped unfinished (its client went away) ends
        // its count too.
        let dropped = service.call(());
        assert!(!idle_now(&mut activity, after).await);
        drop(dropped);
        tokio::time::advance(after).await;
        assert!(idle_now(&mut activity, after).await);
    }
}
