//! The patron's political cycles (MODEL.md §10.5): the `[patron.regimes]` table.

use serde::{Deserialize, Serialize};

/// Administrations of the patron, each hardline with some probability, and what changes while
/// one is hardline. Times are in years from the start of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Regimes {
    /// Length of an administration, years. Default 4. Must be a positive whole number of steps.
    pub term_years: f64,
    /// Years to the first change of administration. Default: absent, `term_years`. Must be a
    /// positive whole number of steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_change_years: Option<f64>,
    /// `p ∈ [0, 1]`: each administration is hardline independently with this probability.
    /// Default 0 (never; then no change of administration matters: nothing is pending, lock-in
    /// never applies and every number equals the run without regimes).
    pub hardline_probability: f64,
    /// The patron's opening demand `a_P` while hardline, log units (e.g. ln 5 ≈ 1.6, the 2019
    /// demand). Default: absent, unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening: Option<f64>,
    /// The patron's margin `m_P` while hardline, log units. Default: absent, unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// The patron's lapse pressure `ρ_P` while hardline, log units per year. Default: absent,
    /// unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse_pressure: Option<f64>,
    /// If true, when a change of administration falls inside the window of a negotiation that
    /// opens under a non-hardline administration, both sides concede on the clock of a window
    /// that ends at the change (they try to sign before it). Default false.
    pub lock_in: bool,
}

impl Default for Regimes {
    fn default() -> Self {
        Regimes {
            term_years: 4.0,
            first_change_years: None,
            hardline_probability: 0.0,
            opening: None,
            margin: None,
            lapse_pressure: None,
            lock_in: false,
        }
    }
}

impl Regimes {
    /// Years to the first change of administration.
    pub fn first_change(&self) -> f64 {
        self.first_change_years.unwrap_or(self.term_years)
    }
}
