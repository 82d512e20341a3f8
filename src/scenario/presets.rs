//! The built-in single-host presets (`scenarios/*.toml`, embedded with `include_str!`).

use super::{Scenario, ScenarioError};

/// The built-in presets: (name, TOML text).
const PRESETS: &[(&str, &str)] = &[
    (
        "us_rok_sma",
        include_str!("../../scenarios/us_rok_sma.toml"),
    ),
    (
        "us_rok_sma_history",
        include_str!("../../scenarios/us_rok_sma_history.toml"),
    ),
    (
        "wage_round",
        include_str!("../../scenarios/wage_round.toml"),
    ),
    (
        "frictionless",
        include_str!("../../scenarios/frictionless.toml"),
    ),
];

impl Scenario {
    /// A built-in preset by name (`us_rok_sma`, `us_rok_sma_history`, `wage_round`,
    /// `frictionless`).
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`] listing the available names.
    pub fn preset(name: &str) -> Result<Scenario, ScenarioError> {
        let text = Self::preset_toml(name)?;
        Self::parse_toml(text, &format!("preset {name}"))
    }

    /// The TOML source of a preset, ready to edit.
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`] listing the available names.
    pub fn preset_toml(name: &str) -> Result<&'static str, ScenarioError> {
        find_preset(PRESETS, name)
    }

    /// The names of the built-in presets.
    pub fn presets() -> Vec<&'static str> {
        PRESETS.iter().map(|(n, _)| *n).collect()
    }
}

/// The TOML text of preset `name` in `presets`.
pub(crate) fn find_preset(
    presets: &[(&str, &'static str)],
    name: &str,
) -> Result<&'static str, ScenarioError> {
    presets
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| ScenarioError::UnknownPreset {
            name: name.to_string(),
            available: presets.iter().map(|(n, _)| n.to_string()).collect(),
        })
}
