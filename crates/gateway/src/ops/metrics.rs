//! Prometheus metrics, in an explicit registry the gateway owns (no
//! globals), so tests read the counters they assert on.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// A launch, by console and outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct LaunchLabels {
    pub(crate) console: &'static str,
    pub(crate) outcome: &'static str,
}

/// An identity refusal, by reason.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RefusalLabels {
    pub(crate) reason: &'static str,
}

/// The gateway's metrics. No label ever holds a user name, an SSO ID or a
/// ticket.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    pub(crate) launches: Family<LaunchLabels, Counter>,
    pub(crate) rescue_latency: Histogram,
    pub(crate) refusals: Family<RefusalLabels, Counter>,
    pub(crate) request_refusals: Family<RefusalLabels, Counter>,
    pub(crate) rate_limited: Counter,
    pub(crate) sign_ins: Counter,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("rescue_sso_gateway");
        let launches = Family::<LaunchLabels, Counter>::default();
        registry.register(
            "launches",
            "Launches by console and outcome (ok, refused, invalid_answer, unreachable, timeout, no_sso_id, not_in_group, cross_site, rate_limited, bad_request)",
            launches.clone(),
        );
        // From a few milliseconds (a warm connection nearby) to the deadline.
        let rescue_latency =
            Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]);
        registry.register_with_unit(
            "rescue_latency",
            "Time Rescue took to answer a ticket request",
            Unit::Seconds,
            rescue_latency.clone(),
        );
        let refusals = Family::<RefusalLabels, Counter>::default();
        registry.register(
            "identity_refusals",
            "Requests refused because they carried no acceptable identity, by reason",
            refusals.clone(),
        );
        let request_refusals = Family::<RefusalLabels, Counter>::default();
        registry.register(
            "request_refusals",
            "Requests refused before any identity check: too many header fields, or too slow to arrive",
            request_refusals.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited",
            "Launches refused because the user launched too often",
            rate_limited.clone(),
        );
        let sign_ins = Counter::default();
        registry.register(
            "sign_ins",
            "Completed OpenID Connect sign-ins (failures are identity_refusals)",
            sign_ins.clone(),
        );
        Metrics {
            sign_ins,
            registry,
            launches,
            rescue_latency,
            refusals,
            request_refusals,
            rate_limited,
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    pub(crate) fn launch(&self, console: &'static str, outcome: &'static str) {
        self.launches
            .get_or_create(&LaunchLabels { console, outcome })
            .inc();
    }

    pub(crate) fn sign_in(&self) {
        self.sign_ins.inc();
    }

    pub(crate) fn request_refusal(&self, reason: &'static str) {
        self.request_refusals
            .get_or_create(&RefusalLabels { reason })
            .inc();
    }

    pub(crate) fn refusal(&self, reason: &'static str) {
        self.refusals.get_or_create(&RefusalLabels { reason }).inc();
    }
}
