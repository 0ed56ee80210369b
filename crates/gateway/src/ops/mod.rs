//! What operators see: health and readiness, Prometheus metrics, and the
//! audit log.

pub(crate) mod audit;
pub(crate) mod metrics;
pub(crate) mod readiness;
