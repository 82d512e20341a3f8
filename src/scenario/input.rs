//! One loader for both kinds of input: a single-host [`Scenario`] or an [`Alliance`].
//!
//! A scenario file carries no tag saying which kind it is: an alliance is the file with a
//! top-level `hosts` key (its `[[hosts]]` array), anything else is read as a single scenario
//! (so that a single scenario's errors, such as an unknown key, are reported as before).
//! [`Input::from_path`] reads the file once, through the same hardened reader as
//! [`Scenario::from_path`] and [`Alliance::from_path`] (regular files only, at most
//! [`super::MAX_SCENARIO_BYTES`]), and decides the kind from the text it read.

use super::alliance::SINGLE_HOST_NAME;
use super::load::read_scenario_file;
use super::{Alliance, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A validated input of either kind: one host, or an alliance of several.
///
/// In serde form (JSON, say) an input is adjacently tagged, so that the two kinds never have to
/// be told apart by their keys: `{"kind": "single", "scenario": {…}}` or
/// `{"kind": "alliance", "scenario": {…}}`, the `scenario` being the file form of the
/// [`Scenario`] or [`Alliance`]. Scenario *files* have no tag: read them with
/// [`Input::from_path`] / [`Input::from_toml_str`] and write them with
/// [`Input::to_toml_string`].
///
/// ```
/// use negcycle::Input;
///
/// let sma = Input::preset("us_rok_sma")?;
/// assert_eq!(sma.host_names(), ["host"]);
/// let alliances = Input::preset("us_alliances")?;
/// assert!(alliances.host_names().len() > 1);
/// let json = serde_json::to_string(&sma).expect("serialises");
/// assert!(json.starts_with(r#"{"kind":"single","scenario":{"#));
/// # Ok::<(), negcycle::ScenarioError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "scenario", rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "about 500 against 300 bytes, made once per program: boxing would only make \
              matching `Input::Single(s)` clumsier"
)]
pub enum Input {
    /// One patron and one host (`kind = "single"`).
    Single(Scenario),
    /// One patron and several hosts (`kind = "alliance"`).
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
    /// Reads a `.toml` or `.json` file (chosen by extension, case-insensitive) once, tells an
    /// alliance (a top-level `hosts` key) from a single scenario by its text, and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Io`] naming the path if it is not a regular file after following
    /// symlinks (a directory, FIFO, device or socket: refused before it is opened or read), is
    /// larger than [`super::MAX_SCENARIO_BYTES`], cannot be read or is not UTF-8;
    /// [`ScenarioError::UnknownFormat`] for another extension; and the parse and validation
    /// errors of [`Input::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Input, ScenarioError> {
        let (text, is_toml, shown) = read_scenario_file(path.as_ref())?;
        Input::parse(&text, &shown, is_toml)
    }

    /// Parses TOML of either kind and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Parse`] with line and column (syntax, types, unknown keys, a missing
    /// `name`), or [`ScenarioError::Invalid`] listing every broken rule (a host's keys as
    /// `hosts.NAME.field`).
    pub fn from_toml_str(text: &str) -> Result<Input, ScenarioError> {
        Input::parse(text, "<string>", true)
    }

    /// Parses JSON of either kind and validates.
    ///
    /// # Errors
    /// As [`Input::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Input, ScenarioError> {
        Input::parse(text, "<string>", false)
    }

    fn parse(text: &str, origin: &str, is_toml: bool) -> Result<Input, ScenarioError> {
        if Alliance::is_alliance_text(text, is_toml) {
            Alliance::parse(text, origin, is_toml).map(Input::Alliance)
        } else if is_toml {
            Scenario::parse_toml(text, origin).map(Input::Single)
        } else {
            Scenario::parse_json(text, origin).map(Input::Single)
        }
    }

    /// A built-in preset of either kind: `us_rok_sma`, `wage_round`, `frictionless` (single)
    /// or `us_alliances` (alliance).
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`] listing every preset name ([`Input::presets`]).
    pub fn preset(name: &str) -> Result<Input, ScenarioError> {
        if Scenario::presets().contains(&name) {
            Scenario::preset(name).map(Input::Single)
        } else if Alliance::presets().contains(&name) {
            Alliance::preset(name).map(Input::Alliance)
        } else {
            Err(unknown_preset(name))
        }
    }

    /// The TOML source of a preset of either kind, ready to edit.
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`] listing every preset name.
    pub fn preset_toml(name: &str) -> Result<&'static str, ScenarioError> {
        Scenario::preset_toml(name)
            .or_else(|_| Alliance::preset_toml(name))
            .map_err(|_| unknown_preset(name))
    }

    /// Every preset name: the single-host presets, then the alliances.
    pub fn presets() -> Vec<&'static str> {
        Scenario::presets()
            .into_iter()
            .chain(Alliance::presets())
            .collect()
    }

    /// A copy with one key set by its dotted path, through [`Scenario::with_override`] or
    /// [`Alliance::with_override`] (`hosts.NAME.*`, `linkage.*` and the shared keys).
    ///
    /// # Errors
    /// [`ScenarioError::Override`] naming the key if it does not exist or the value has the
    /// wrong type; [`ScenarioError::Invalid`] if the result breaks a rule.
    pub fn with_override(&self, key: &str, value: &str) -> Result<Input, ScenarioError> {
        match self {
            Input::Single(s) => s.with_override(key, value).map(Input::Single),
            Input::Alliance(a) => a.with_override(key, value).map(Input::Alliance),
        }
    }

    /// Whether this is an alliance.
    pub fn is_alliance(&self) -> bool {
        matches!(self, Input::Alliance(_))
    }

    /// The scenario's or alliance's `name`.
    pub fn name(&self) -> &str {
        match self {
            Input::Single(s) => &s.name,
            Input::Alliance(a) => &a.name,
        }
    }

    /// The unit of every money amount, e.g. `"KRW bn"`.
    pub fn units(&self) -> &str {
        match self {
            Input::Single(s) => &s.units,
            Input::Alliance(a) => &a.units,
        }
    }

    /// Steps per year.
    pub fn steps_per_year(&self) -> u32 {
        match self {
            Input::Single(s) => s.steps_per_year,
            Input::Alliance(a) => a.steps_per_year,
        }
    }

    /// Length of one simulated history, years.
    pub fn horizon_years(&self) -> f64 {
        match self {
            Input::Single(s) => s.horizon_years,
            Input::Alliance(a) => a.horizon_years,
        }
    }

    /// Each host's own `agreement.cycle_years` (one entry for a single scenario).
    pub fn cycle_years(&self) -> Vec<f64> {
        match self {
            Input::Single(s) => vec![s.agreement.cycle_years],
            Input::Alliance(a) => a.hosts.iter().map(|h| h.agreement.cycle_years).collect(),
        }
    }

    /// The hosts' names, in order; a single scenario's one host is `host`, as
    /// [`Alliance::from_scenario`] names it.
    pub fn host_names(&self) -> Vec<String> {
        match self {
            Input::Single(_) => vec![SINGLE_HOST_NAME.to_string()],
            Input::Alliance(a) => a.host_names(),
        }
    }

    /// The input as an alliance: a single scenario becomes the one-host alliance of
    /// [`Alliance::from_scenario`] (same numbers as the scenario itself).
    pub fn to_alliance(&self) -> Alliance {
        match self {
            Input::Single(s) => Alliance::from_scenario(s),
            Input::Alliance(a) => a.clone(),
        }
    }

    /// Checks every rule ([`Scenario::validate`] or [`Alliance::validate`]).
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] listing every violation.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        match self {
            Input::Single(s) => s.validate(),
            Input::Alliance(a) => a.validate(),
        }
    }

    /// The scenario file as TOML, without a tag ([`Input::from_toml_str`] reads it back as the
    /// same kind and an equal value).
    ///
    /// # Errors
    /// Only if a value cannot be represented in TOML (a non-finite number).
    pub fn to_toml_string(&self) -> Result<String, ScenarioError> {
        match self {
            Input::Single(s) => s.to_toml_string(),
            Input::Alliance(a) => a.to_toml_string(),
        }
    }
}

/// The error for a name that is no preset of either kind.
fn unknown_preset(name: &str) -> ScenarioError {
    ScenarioError::UnknownPreset {
        name: name.to_string(),
        available: Input::presets().into_iter().map(str::to_string).collect(),
    }
}
