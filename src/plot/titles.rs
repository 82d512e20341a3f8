//! Chart titles in words for the metric keys (the keys stay in the tables, CSV and JSON).

use crate::metrics::{METRICS, MetricInfo};

/// The title of a host metric or of one of the patron's totals, in words; the key itself for a
/// key this table does not know.
pub(crate) fn metric_title(key: &str) -> &str {
    match key {
        "negotiations" => "Negotiations opened",
        "rounds" => "Rounds of talks",
        "lapses" => "Deadlines missed",
        "lapse_months" => "Months without an agreement",
        "negotiation_share" => "Time spent negotiating",
        "ruptured" => "Histories that end in rupture",
        "opening_demand" => "Patron's opening demand",
        "transaction_cost" => "Cost of negotiating",
        "lapse_cost" => "Cost of lapses",
        "unsettled_share" => "Next year's payment not yet agreed",
        "mismatch" => "Mismatch of terms",
        "mean_premium" => "Host's premium over fair terms",
        "payment_volatility" => "Volatility of payments",
        "rigidity_cost" => "Cost of rigid terms",
        "payments" => "Host payments",
        "payments_vs_fair" => "Payments relative to fair terms",
        "joint_loss" => "Joint loss",
        "support_final" => "Host public support at the end",
        "support_min" => "Lowest host public support",
        "hardline_share" => "Talks opened under a hardline administration",
        "signed_before_change" => "Deals signed before a change of administration",
        "negotiations_per_year" => "Negotiations per year",
        "talks_share" => "Time with talks open",
        "ruptures" => "Ruptures",
        other => other,
    }
}

/// The metric's entry in [`METRICS`], if it is a host metric.
pub(super) fn host_metric(key: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.name == key)
}

/// The (unit, definition) of one of the patron's totals over all hosts.
pub(super) fn total_metric(key: &str) -> Option<(&'static str, &'static str)> {
    crate::alliance::TOTALS
        .iter()
        .find(|(name, ..)| *name == key)
        .map(|&(_, unit, definition)| (unit, definition))
}
