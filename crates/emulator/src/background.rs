//! A runtime on a thread of its own, for servers that blocking code starts.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::oneshot;

use crate::Error;

/// What to run on the background runtime when asked to stop gracefully.
pub(crate) type OnStop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The thread; dropping it stops the runtime at once, which ends every task.
#[derive(Debug)]
pub(crate) struct Background {
    /// `true` asks for the graceful stop first.
    stop: Option<oneshot::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Starts a runtime on a new thread, runs `start` on it and returns what
    /// it made once it is ready.
    pub(crate) fn start<T, F, Fut>(name: &str, start: F) -> Result<(T, Background), Error>
    where
        T: Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(T, OnStop), Error>>,
    {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<bool>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(Error::Runtime(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match start().await {
                        Ok((value, on_stop)) => {
                            if ready_tx.send(Ok(value)).is_err() {
                                return;
                            }
                            // A dropped sender is a drop, not a graceful stop.
                            if stop_rx.await.unwrap_or(false) {
                                on_stop.await;
                            }
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(Error::Runtime)?;
        let value = ready_rx
            .recv()
            .map_err(|_| Error::Runtime(std::io::Error::other("the background thread exited")))??;
        Ok((
            value,
            Background {
                stop: Some(stop_tx),
                thread: Some(thread),
            },
        ))
    }

    /// Stops, gracefully or not, and waits for the thread.
    pub(crate) fn stop(&mut self, graceful: bool) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(graceful);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop(false);
    }
}
