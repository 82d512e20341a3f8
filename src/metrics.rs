//! What one trial reports (MODEL.md §7): [`TrialMetrics`], the one table of metric names
//! ([`METRICS`]), and the per-negotiation [`NegotiationRecord`].
//!
//! Counts and present values are totals over the horizon of one history; shares are fractions of
//! steps; money is in the scenario's units, present values at the scenario's `discount_rate`,
//! continuously compounded to the start of each step.

use serde::{Deserialize, Serialize};

/// Which question a metric answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricGroup {
    /// How much haggling: talks, rounds, lapses, ruptures, transaction costs.
    Friction,
    /// How unsettled and mismatched the terms are.
    Uncertainty,
    /// What the agreements cost.
    AgreementCost,
    /// Public support in the host.
    Support,
    /// The patron's administrations (MODEL.md §10.5).
    Politics,
}

impl MetricGroup {
    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            MetricGroup::Friction => "friction",
            MetricGroup::Uncertainty => "uncertainty",
            MetricGroup::AgreementCost => "agreement cost",
            MetricGroup::Support => "support",
            MetricGroup::Politics => "politics",
        }
    }
}

/// Description of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricInfo {
    /// The report key.
    pub name: &'static str,
    /// Its group.
    pub group: MetricGroup,
    /// Its unit.
    pub unit: &'static str,
    /// What it measures.
    pub definition: &'static str,
}

macro_rules! metrics {
    ($( $field:ident, $group:ident, $unit:expr, $def:expr; )*) => {
        /// Every metric of one trial (one history of one arm). Field names are the report keys.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
        pub struct TrialMetrics {
            $( #[doc = concat!($def, " (", $unit, ").")] pub $field: f64, )*
        }

        /// The table of metrics in report order: name, group, unit, definition.
        pub const METRICS: &[MetricInfo] = &[
            $( MetricInfo { name: stringify!($field), group: MetricGroup::$group, unit: $unit,
                            definition: $def }, )*
        ];

        /// Number of metrics.
        pub const N_METRICS: usize = METRICS.len();

        impl TrialMetrics {
            /// The values in [`METRICS`] order.
            pub fn values(&self) -> [f64; N_METRICS] {
                [ $( self.$field, )* ]
            }
        }
    };
}

metrics! {
    negotiations, Friction, "count", "Negotiations opened within the horizon";
    rounds, Friction, "count", "Formal rounds of talks held: window rounds plus lapse meetings";
    lapses, Friction, "count", "Negotiations that passed their deadline without agreement";
    lapse_months, Friction, "months", "Months without an agreement in force (before any rupture)";
    negotiation_share, Friction, "share of steps", "Share of steps with talks open, lapses included";
    ruptured, Friction, "0/1", "Whether the relationship ruptured (no agreement within max_lapse_months)";
    opening_demand, Friction, "log units", "Mean over negotiations of the patron's opening demand over the status quo, O_P − q";
    transaction_cost, Friction, "money (PV)", "Negotiation and round costs of both sides";
    lapse_cost, Friction, "money (PV)", "Lapse costs of both sides";
    unsettled_share, Uncertainty, "share of steps", "Share of steps whose payment 12 months ahead was not yet agreed";
    mismatch, Uncertainty, "log units squared", "Mean of D² over steps with an agreement in force";
    mean_premium, Uncertainty, "log units", "Mean of D = ln X − ln X* over steps in force (positive: the host overpays)";
    payment_volatility, Uncertainty, "log units", "Standard deviation of year-over-year log changes of annual payments";
    rigidity_cost, Uncertainty, "money (PV)", "Rigidity cost k_rig·D²·X* per year over steps in force";
    payments, AgreementCost, "money (PV)", "Host payments";
    payments_vs_fair, AgreementCost, "ratio", "PV of payments over PV of X* over the steps before any rupture";
    joint_loss, AgreementCost, "money (PV)", "Transaction + lapse + rigidity + rupture costs";
    support_final, Support, "level 0 to 1", "Host public support at the end of the horizon";
    support_min, Support, "level 0 to 1", "Lowest host public support over the horizon";
    hardline_share, Politics, "share of negotiations", "Share of negotiations opened under a hardline patron administration";
    signed_before_change, Politics, "share of negotiations", "Share of negotiations with a change of administration inside their window that were signed before it (0 if none)";
}

/// Looks a metric up by its report key.
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// One negotiation of one history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NegotiationRecord {
    /// Step at which the window opened.
    pub opening_step: usize,
    /// The deadline step (expiry of the agreement in force).
    pub deadline_step: usize,
    /// Signing time relative to the deadline, months (negative: early; 0: at the deadline; `j`
    /// months after `j` lapse months). For a rupture: the lapse length, `max_lapse_months`.
    pub signing_months: f64,
    /// The agreed log premium over `X*` at signing; `None` after a rupture.
    pub premium: Option<f64>,
    /// Formal rounds of talks: rounds held in the window plus lapse meetings.
    pub rounds: u32,
    /// Lapse steps endured.
    pub lapse_steps: u32,
    /// Whether it ended in rupture.
    pub ruptured: bool,
    /// Opening gap `O_P − O_H`, log units.
    pub opening_gap: f64,
    /// The status quo `q = ln(X_τ/X*_τ)` at the opening, log units.
    pub status_quo: f64,
    /// The patron's opening `O_P`, log premium over `X*`.
    pub patron_opening: f64,
    /// Whether its conclusion (signing or rupture) happened inside the horizon; records that did
    /// not are censored and left out of the report's histograms.
    pub completed: bool,
}
