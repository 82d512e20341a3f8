//! What an experiment simulates: one host ([`Scenario`]) or several ([`Alliance`]).

use crate::alliance::Alliance;
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// A single-host scenario or an alliance, as loaded from a file or a preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "scenario", rename_all = "snake_case")]
pub enum Input {
    /// One patron, one host.
    Single(Scenario),
    /// One patron, several hosts.
    Alliance(Alliance),
}

impl From<Scenario> for Input {
    fn from(s: Scenario) -> Input {
        Input::Single(s)
    }
}

impl From<Alliance> for Input {
    fn from(a: Alliance) -> Input {
        Input::Alliance(a)
    }
}

impl Input {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        match self {
            Input::Single(s) => &s.name,
            Input::Alliance(a) => &a.name,
        }
    }

    /// The money unit.
    pub fn units(&self) -> &str {
        match self {
            Input::Single(s) => &s.units,
            Input::Alliance(a) => &a.units,
        }
    }

    /// Steps per year of the time grid.
    pub fn steps_per_year(&self) -> u32 {
        match self {
            Input::Single(s) => s.steps_per_year,
            Input::Alliance(a) => a.steps_per_year,
        }
    }

    /// Length of one history, years.
    pub fn horizon_years(&self) -> f64 {
        match self {
            Input::Single(s) => s.horizon_years,
            Input::Alliance(a) => a.horizon_years,
        }
    }

    /// The hosts' names (`["host"]` for a single scenario).
    pub fn host_names(&self) -> Vec<String> {
        match self {
            Input::Single(_) => vec!["host".to_string()],
            Input::Alliance(a) => a.host_names(),
        }
    }

    /// Each host's own `agreement.cycle_years`.
    pub fn cycle_years(&self) -> Vec<f64> {
        match self {
            Input::Single(s) => vec![s.agreement.cycle_years],
            Input::Alliance(a) => a.hosts.iter().map(|h| h.agreement.cycle_years).collect(),
        }
    }

    /// The same input with `key` set to `value` (a dotted path, as `--set` takes it).
    ///
    /// # Errors
    /// [`ScenarioError`] naming the key.
    pub fn with_override(&self, key: &str, value: &str) -> Result<Input, ScenarioError> {
        Ok(match self {
            Input::Single(s) => Input::Single(s.with_override(key, value)?),
            Input::Alliance(a) => Input::Alliance(a.with_override(key, value)?),
        })
    }
}
