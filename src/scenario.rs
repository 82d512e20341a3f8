//! Scenarios: every parameter of the model, loadable from TOML or JSON, validated with field paths.
//!
//! A [`Scenario`] is plain data (serde). Every key has a default except `name`; unknown keys are
//! rejected so that a typo never falls back to a default silently. [`Scenario::validate`] checks
//! every rule and reports all violations at once, each naming its field path and the rule it
//! breaks (`patron.margin: must be >= 0, got -0.1`).
//!
//! Money amounts are in the scenario's [`Scenario::units`]; rates are per year; premia and margins
//! are log units (0.1 ≈ 10%); month-valued keys are converted to steps with `steps_per_year` and
//! must be a whole number of steps.

mod input;
pub use input::Input;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// Default step count per year (months).
pub const DEFAULT_STEPS_PER_YEAR: u32 = 12;

/// One complete parameter set of the model (MODEL.md, appendix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short identifier, e.g. `"us_rok_sma"`. Required; must not be empty.
    pub name: String,
    /// One-line description. Default: empty.
    #[serde(default)]
    pub description: String,
    /// Unit of every money amount, e.g. `"KRW bn"`. Default: `"units"`.
    #[serde(default = "default_units")]
    pub units: String,
    /// Length of one simulated history, years. Default 30. Must be a whole number of steps.
    #[serde(default = "default_horizon")]
    pub horizon_years: f64,
    /// Steps per year; one step lasts `Δ = 1/steps_per_year` years. Default 12 (months).
    #[serde(default = "default_steps_per_year")]
    pub steps_per_year: u32,
    /// Discount rate for present values, per year (continuous compounding). Default 0.03.
    #[serde(default = "default_discount_rate")]
    pub discount_rate: f64,
    /// `k_rig`: weight of the rigidity cost `k·D²·X*` per year. Default 1.0.
    #[serde(default = "one")]
    pub rigidity_weight: f64,
    /// The efficient-terms process `X*`.
    #[serde(default, deserialize_with = "table_only")]
    pub terms: Terms,
    /// The agreement: cycle length, indexation, calendar, lapse rules.
    #[serde(default, deserialize_with = "table_only")]
    pub agreement: Agreement,
    /// The negotiation protocol used inside the window.
    #[serde(default, deserialize_with = "table_only")]
    pub protocol: ProtocolConfig,
    /// The lapse phase after a missed deadline.
    #[serde(default, deserialize_with = "table_only")]
    pub lapse: LapseConfig,
    /// The party that provides security and receives the contribution (the US in the SMA).
    #[serde(default = "Party::patron_default", deserialize_with = "table_only")]
    pub patron: Party,
    /// The party that pays (South Korea in the SMA).
    #[serde(default = "Party::host_default", deserialize_with = "table_only")]
    pub host: Party,
    /// Host public support and its feedback on the host's ceiling.
    #[serde(default, deserialize_with = "table_only")]
    pub support: Support,
}

/// Deserializes `T` from a table (map) only. serde's derived `Deserialize` for a struct also
/// accepts the positional form (`terms = [5.0]`, JSON `["x"]`), which would bypass the key
/// names; this rejects it.
fn table_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct TableVisitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for TableVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a table")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(TableVisitor(std::marker::PhantomData))
}

fn default_units() -> String {
    "units".to_string()
}
fn default_horizon() -> f64 {
    30.0
}
fn default_steps_per_year() -> u32 {
    DEFAULT_STEPS_PER_YEAR
}
fn default_discount_rate() -> f64 {
    0.03
}
fn one() -> f64 {
    1.0
}

/// The efficient-terms process: `X*_t = initial · exp(I_t + U_t)` (MODEL.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Terms {
    /// `X*_0`, money units per year. Default 1000. Must be > 0.
    pub initial: f64,
    /// The contractible component `I` (CPI, the host's defence budget). Default drift 0.025/yr,
    /// volatility 0.01/√yr.
    #[serde(deserialize_with = "table_only")]
    pub index: Diffusion,
    /// The non-contractible component `U` (threat, politics, exchange rates) with jumps. Default
    /// drift 0.02/yr, volatility 0.06/√yr, 0.2 jumps/yr of N(0, 0.1²).
    #[serde(deserialize_with = "table_only")]
    pub residual: JumpDiffusion,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            initial: 1000.0,
            index: Diffusion {
                drift: 0.025,
                volatility: 0.01,
            },
            residual: JumpDiffusion::default(),
        }
    }
}

/// Arithmetic Brownian motion in log space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Diffusion {
    /// `μ`, log units per year. Default 0.
    pub drift: f64,
    /// `σ`, log units per √year. Default 0. Must be >= 0.
    pub volatility: f64,
}

impl Default for Diffusion {
    fn default() -> Self {
        Diffusion {
            drift: 0.0,
            volatility: 0.0,
        }
    }
}

/// Arithmetic Brownian motion in log space plus Bernoulli-per-step normal jumps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JumpDiffusion {
    /// `μ_U`, log units per year. Default 0.02.
    pub drift: f64,
    /// `σ_U`, log units per √year. Default 0.06. Must be >= 0.
    pub volatility: f64,
    /// Jumps per year; a jump happens in a step with probability `jump_rate·Δ`, which must be
    /// <= 1. Default 0.2.
    pub jump_rate: f64,
    /// Mean jump size, log units. Default 0.
    pub jump_mean: f64,
    /// Standard deviation of a jump, log units. Default 0.1. Must be >= 0.
    pub jump_sd: f64,
}

impl Default for JumpDiffusion {
    fn default() -> Self {
        JumpDiffusion {
            drift: 0.02,
            volatility: 0.06,
            jump_rate: 0.2,
            jump_mean: 0.0,
            jump_sd: 0.1,
        }
    }
}

/// The agreement (MODEL.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Agreement {
    /// Agreement duration `L`, years: the treatment variable. Default 5. Must be a positive whole
    /// number of steps. Experiments override it per arm.
    pub cycle_years: f64,
    /// `κ ∈ [0, 1]`: share of index movements passed into the payment. Default 0.
    pub indexation: f64,
    /// `g`: fixed growth of the payment while an agreement runs, per year. Default 0.
    pub escalator: f64,
    /// If true (default, SMA practice) a late agreement still runs to the original calendar;
    /// if false its term starts when it takes effect.
    pub retroactive: bool,
    /// The negotiation window opens this many months before each expiry. Default 12. Whole
    /// number of steps, >= 0; 0 means the terms are set at the deadline itself.
    pub window_months: f64,
    /// Longest lapse before rupture, months. Default 24. Whole number of steps, >= 0.
    pub max_lapse_months: f64,
    /// During a lapse the host pays `lapse_payment ×` the last payment in force. Default 1.0
    /// (status quo continues); 0 stops payments. Must be >= 0.
    pub lapse_payment: f64,
    /// Cost charged at rupture, multiple of the annual `X*`. Default 3.0. Must be >= 0.
    pub rupture_cost: f64,
}

impl Default for Agreement {
    fn default() -> Self {
        Agreement {
            cycle_years: 5.0,
            indexation: 0.0,
            escalator: 0.0,
            retroactive: true,
            window_months: 12.0,
            max_lapse_months: 24.0,
            lapse_payment: 1.0,
            rupture_cost: 3.0,
        }
    }
}

/// Which built-in negotiation protocol runs inside the window (MODEL.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    /// Stacked alternating offers with time-dependent targets (Genius/NegMAS "SAO"). Default.
    Alternating,
    /// Complete information: immediate agreement at the subgame-perfect split.
    CompleteInformation,
}

/// Horizon used by the complete-information split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BargainingHorizon {
    /// Rubinstein (1982) infinite-horizon split. Default.
    Infinite,
    /// Ståhl (1972) split with the window's number of rounds.
    Finite,
}

/// Who makes the first offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The party receiving the contribution.
    Patron,
    /// The paying party.
    Host,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Patron => Side::Host,
            Side::Host => Side::Patron,
        }
    }
}

/// Protocol settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProtocolConfig {
    /// Built-in protocol. Default `"alternating"`.
    pub kind: ProtocolKind,
    /// Who proposes first. Default `"patron"`.
    pub opener: Side,
    /// Rounds of talks per step. Default 1. Must be >= 1.
    pub rounds_per_step: u32,
    /// Price grid, money units per year; every offer is rounded to it in the offerer's favour.
    /// Default 0 (continuous prices). Must be >= 0.
    pub tick: f64,
    /// Complete-information protocol only: Rubinstein (`"infinite"`, default) or Ståhl
    /// (`"finite"`, with the window's rounds).
    pub horizon: BargainingHorizon,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        ProtocolConfig {
            kind: ProtocolKind::Alternating,
            opener: Side::Patron,
            rounds_per_step: 1,
            tick: 0.0,
            horizon: BargainingHorizon::Infinite,
        }
    }
}

/// The lapse model (MODEL.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LapseModel {
    /// Reservations drift toward each other under lapse pressure. Default.
    Drift,
    /// War of attrition: each side gives in at a hazard set by its lapse cost and the stake.
    Attrition,
}

/// Lapse-phase settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LapseConfig {
    /// Default `"drift"`.
    pub model: LapseModel,
    /// `η`: how strongly longer agreements raise the stakes (Fearon 1998). Default 1. Must be >= 0.
    pub stakes_elasticity: f64,
}

impl Default for LapseConfig {
    fn default() -> Self {
        LapseConfig {
            model: LapseModel::Drift,
            stakes_elasticity: 1.0,
        }
    }
}

/// One party's parameters (MODEL.md §4). The patron and the host have the same keys; only the
/// host may have a `margin_trend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Party {
    /// `m`: how far past fair the party would still go, log units. Default 0.05. Must be >= 0.
    pub margin: f64,
    /// Standard deviation of the private shock to the reservation, drawn once per negotiation,
    /// log units. Default 0.08. Must be >= 0.
    pub private_sd: f64,
    /// `a`: opening demand as a log premium over the status quo (the patron asks `q + a`, the host
    /// offers `q − a`). Default 0.3. Must be >= 0.
    pub opening: f64,
    /// `e`: concession exponent of the time-dependent tactic; > 1 Boulware, 1 linear, < 1
    /// Conceder. Default 3. Must be > 0.
    pub concession_exponent: f64,
    /// `ρ`: how fast the reservation moves toward the other side during a lapse, log units per
    /// year of lapse (scaled by the stakes factor). Default 0.24. Must be >= 0.
    pub lapse_pressure: f64,
    /// Cost of opening a negotiation, fraction of the annual `X*`. Default 0.005. Must be >= 0.
    pub negotiation_cost: f64,
    /// Cost of one round of talks, fraction of the annual `X*`. Default 0.001. Must be >= 0.
    pub round_cost: f64,
    /// Cost of a lapse, fraction of the annual `X*` per year of lapse. Default 0.6. Must be >= 0.
    pub lapse_cost: f64,
    /// `r_i`: the party's impatience, per year; absent means the scenario's `discount_rate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<f64>,
    /// Host only: fall of the host's ceiling per year of the horizon (growing self-reliance),
    /// log units per year. Default 0. Must be 0 for the patron.
    #[serde(skip_serializing_if = "is_zero")]
    pub margin_trend: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Default for Party {
    fn default() -> Self {
        Party::patron_default()
    }
}

impl Party {
    /// The patron's defaults.
    pub fn patron_default() -> Party {
        Party {
            margin: 0.05,
            private_sd: 0.08,
            opening: 0.3,
            concession_exponent: 3.0,
            lapse_pressure: 0.24,
            negotiation_cost: 0.005,
            round_cost: 0.001,
            lapse_cost: 0.6,
            discount_rate: None,
            margin_trend: 0.0,
        }
    }

    /// The host's defaults: the same as the patron's (a missing key means the same value on
    /// either side).
    pub fn host_default() -> Party {
        Party::patron_default()
    }
}

/// Host public support (MODEL.md §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Support {
    /// `S_0 ∈ [0, 1]`. Default 0.75.
    pub initial: f64,
    /// `S̄ ∈ [0, 1]`, the level support relaxes to. Default 0.75.
    pub baseline: f64,
    /// Half-life of the relaxation, years. Default 3. Must be > 0.
    pub half_life_years: f64,
    /// `γ_gap`: support lost per log unit of the opening gap `O_P − O_H`. Default 0.1. >= 0.
    pub gap_hit: f64,
    /// `γ_lapse`: support lost per year of lapse. Default 0.2. >= 0.
    pub lapse_hit: f64,
    /// `θ`: how much the host's ceiling moves per unit of support above baseline, log units.
    /// Default 0.5. >= 0.
    pub sensitivity: f64,
}

impl Default for Support {
    fn default() -> Self {
        Support {
            initial: 0.75,
            baseline: 0.75,
            half_life_years: 3.0,
            gap_hit: 0.1,
            lapse_hit: 0.2,
            sensitivity: 0.5,
        }
    }
}

/// One broken rule: the field path, the rule, and the offending value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Dotted path of the field, e.g. `patron.margin`.
    pub field: String,
    /// The rule, e.g. `must be >= 0`.
    pub rule: String,
    /// The value that breaks it, as written.
    pub got: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}, got {}", self.field, self.rule, self.got)
    }
}

/// Everything that can go wrong reading or checking a scenario.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not valid TOML/JSON for a scenario (syntax, wrong type, unknown key, missing
    /// `name`). `line` and `column` are 1-based when known.
    #[error("{origin}: {format} error{}: {message}", location(*.line, *.column))]
    Parse {
        /// Where the text came from (a path, or `<string>`).
        origin: String,
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// The scenario parsed but breaks one or more rules; all are listed.
    #[error("invalid scenario:\n  {}", .0.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n  "))]
    Invalid(Vec<Violation>),
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The file name ends in neither `.toml` nor `.json`.
    #[error("{path}: unknown scenario format (expected a .toml or .json file)")]
    UnknownFormat {
        /// The path as given.
        path: String,
    },
    /// A dotted-path override (`--set key=value`) names no key or gives a value of the wrong
    /// type.
    #[error("{key}: {message}")]
    Override {
        /// The dotted key as given.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// No preset has this name.
    #[error("unknown preset {name:?}; available: {}", available.join(", "))]
    UnknownPreset {
        /// The name asked for.
        name: String,
        /// The preset names.
        available: Vec<String>,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

/// The built-in presets: (name, TOML text).
const PRESETS: &[(&str, &str)] = &[
    ("us_rok_sma", include_str!("../scenarios/us_rok_sma.toml")),
    ("wage_round", include_str!("../scenarios/wage_round.toml")),
    (
        "frictionless",
        include_str!("../scenarios/frictionless.toml"),
    ),
];

/// Largest accepted margin, private noise or opening, log units (`e^20 ≈ 5·10^8` times the fair
/// terms): beyond it payments could overflow `f64`.
pub const MAX_LOG_PREMIUM: f64 = 20.0;
const LOG_PREMIUM_REASON: &str = "log units; e^20 is 5e8 times the fair terms";
/// Largest accepted cost, payment multiple or rigidity weight (multiples of the annual `X*`).
pub const MAX_COST_MULTIPLE: f64 = 1000.0;
const COST_REASON: &str = "a multiple of the annual X*; larger values would overflow sums";
/// Largest accepted discount rate, per year.
pub const MAX_RATE: f64 = 100.0;
const RATE_REASON: &str = "per year";
/// Largest accepted stakes elasticity `η`.
pub const MAX_ELASTICITY: f64 = 10.0;
/// Largest accepted lapse pressure, log units per year.
pub const MAX_LAPSE_PRESSURE: f64 = 100.0;
/// Largest accepted rounds in one window.
pub const MAX_WINDOW_ROUNDS: u64 = 100_000;
/// Largest accepted scale of `ln X*` over the horizon ([`Scenario::log_range`]): with premia
/// bounded by [`MAX_LOG_PREMIUM`], payments then stay below `e^600`, far inside `f64`.
pub const MAX_LOG_RANGE: f64 = 400.0;

/// Largest accepted `steps_per_year` (about one step per hour).
pub const MAX_STEPS_PER_YEAR: u32 = 10_000;
/// Largest accepted number of steps in a horizon.
pub const MAX_HORIZON_STEPS: u64 = 10_000_000;

impl Scenario {
    /// A scenario with every default and the given name.
    pub fn with_name(name: &str) -> Scenario {
        Scenario {
            name: name.to_string(),
            description: String::new(),
            units: default_units(),
            horizon_years: default_horizon(),
            steps_per_year: DEFAULT_STEPS_PER_YEAR,
            discount_rate: default_discount_rate(),
            rigidity_weight: 1.0,
            terms: Terms::default(),
            agreement: Agreement::default(),
            protocol: ProtocolConfig::default(),
            lapse: LapseConfig::default(),
            patron: Party::patron_default(),
            host: Party::host_default(),
            support: Support::default(),
        }
    }

    /// Parses TOML and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Parse`] with line and column for syntax errors, wrong types, unknown keys
    /// or a missing `name`; [`ScenarioError::Invalid`] listing every broken rule.
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        Self::parse_toml(text, "<string>")
    }

    /// Parses JSON and validates.
    ///
    /// # Errors
    /// As [`Scenario::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Scenario, ScenarioError> {
        Self::parse_json(text, "<string>")
    }

    /// Reads a `.toml` or `.json` file (chosen by extension, case-insensitive) and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Io`] if the file cannot be read or is not UTF-8,
    /// [`ScenarioError::UnknownFormat`] for another extension, and the parse/validation errors of
    /// [`Scenario::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let (text, is_toml, shown) = read_scenario_file(path.as_ref())?;
        if is_toml {
            Self::parse_toml(&text, &shown)
        } else {
            Self::parse_json(&text, &shown)
        }
    }

    fn parse_toml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::de::Deserializer::parse(text)
            .and_then(table_only)
            .map_err(|e| toml_error(text, origin, &e))?;
        scenario.validate()?;
        Ok(scenario)
    }

    fn parse_json(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let scenario: Result<Scenario, serde_json::Error> =
            table_only(&mut de).and_then(|s| de.end().map(|()| s));
        let scenario = scenario.map_err(|e| json_error(origin, &e).with_text(text))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as TOML text (parsing it back gives an equal scenario).
    ///
    /// # Errors
    /// Only if a value cannot be represented in TOML (a non-finite number).
    pub fn to_toml_string(&self) -> Result<String, ScenarioError> {
        toml::to_string(self).map_err(|e| ScenarioError::Parse {
            origin: self.name.clone(),
            format: "TOML",
            message: e.to_string(),
            line: None,
            column: None,
        })
    }

    /// The scenario as pretty JSON text (parsing it back gives an equal scenario).
    ///
    /// # Errors
    /// Only if serialisation fails (it does not for a validated scenario).
    pub fn to_json_string(&self) -> Result<String, ScenarioError> {
        serde_json::to_string_pretty(self).map_err(|e| ScenarioError::Parse {
            origin: self.name.clone(),
            format: "JSON",
            message: e.to_string(),
            line: None,
            column: None,
        })
    }

    /// A built-in preset by name (`us_rok_sma`, `wage_round`, `frictionless`).
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

    /// Step length `Δ`, years.
    pub fn dt(&self) -> f64 {
        1.0 / f64::from(self.steps_per_year.max(1))
    }

    /// Number of steps in the horizon (valid scenarios only: a whole number).
    pub fn horizon_steps(&self) -> usize {
        (self.horizon_years * f64::from(self.steps_per_year)).round() as usize
    }

    /// Converts years to a whole number of steps, if it is one (within 1e-9 steps).
    pub fn years_to_steps(&self, years: f64) -> Option<u64> {
        whole_steps(years * f64::from(self.steps_per_year))
    }

    /// Converts months to a whole number of steps, if it is one.
    pub fn months_to_steps(&self, months: f64) -> Option<u64> {
        whole_steps(months * f64::from(self.steps_per_year) / 12.0)
    }

    /// A bound on how far `ln X*` can move over the horizon: `|ln initial|` plus the absolute
    /// drift (jumps included) plus 10 standard deviations of the accumulated shocks. A path
    /// exceeds it with probability below 1e-20. `None` if an input is not finite.
    pub fn log_range(&self) -> Option<f64> {
        let t = &self.terms;
        let r = &t.residual;
        let years = self.horizon_years;
        let drift = (t.index.drift.abs() + r.drift.abs() + r.jump_rate * r.jump_mean.abs()) * years;
        let variance = (t.index.volatility.powi(2)
            + r.volatility.powi(2)
            + r.jump_rate * (r.jump_sd.powi(2) + r.jump_mean.powi(2)))
            * years;
        let range = t.initial.ln().abs() + drift + 10.0 * variance.sqrt();
        range.is_finite().then_some(range)
    }

    /// The key that contributes most to [`Scenario::log_range`], to name in an error.
    fn log_range_culprit(&self) -> String {
        let t = &self.terms;
        let r = &t.residual;
        let y = self.horizon_years;
        let sd = |x: f64| 10.0 * (x * y).sqrt();
        let parts = [
            ("terms.initial", t.initial.ln().abs()),
            ("terms.index.drift", t.index.drift.abs() * y),
            ("terms.residual.drift", r.drift.abs() * y),
            ("terms.index.volatility", sd(t.index.volatility.powi(2))),
            ("terms.residual.volatility", sd(r.volatility.powi(2))),
            (
                "terms.residual.jump_sd",
                sd(r.jump_rate * r.jump_sd.powi(2)),
            ),
            (
                "terms.residual.jump_mean",
                r.jump_rate * r.jump_mean.abs() * y + sd(r.jump_rate * r.jump_mean.powi(2)),
            ),
        ];
        let mut best = ("terms", f64::NEG_INFINITY);
        for (name, x) in parts {
            let x = if x.is_nan() { f64::INFINITY } else { x };
            if x > best.1 {
                best = (name, x);
            }
        }
        best.0.to_string()
    }

    /// The patron's discount rate (its own, or the scenario's).
    pub fn patron_rate(&self) -> f64 {
        self.patron.discount_rate.unwrap_or(self.discount_rate)
    }

    /// The host's discount rate (its own, or the scenario's).
    pub fn host_rate(&self) -> f64 {
        self.host.discount_rate.unwrap_or(self.discount_rate)
    }

    /// Checks every rule and returns all violations at once.
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] with one [`Violation`] per broken rule.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut v = Checker::default();
        if self.name.trim().is_empty() {
            v.push("name", "must not be empty", format!("{:?}", self.name));
        }
        let spy_ok = self.steps_per_year >= 1 && self.steps_per_year <= MAX_STEPS_PER_YEAR;
        if !spy_ok {
            v.push(
                "steps_per_year",
                &format!("must be in [1, {MAX_STEPS_PER_YEAR}]"),
                self.steps_per_year,
            );
        }
        if v.positive("horizon_years", self.horizon_years) && spy_ok {
            match self.years_to_steps(self.horizon_years) {
                None | Some(0) => v.push(
                    "horizon_years",
                    "must be a positive whole number of steps (a multiple of 1/steps_per_year)",
                    self.horizon_years,
                ),
                Some(n) if n > MAX_HORIZON_STEPS => v.push(
                    "horizon_years",
                    &format!("must be at most {MAX_HORIZON_STEPS} steps long"),
                    self.horizon_years,
                ),
                Some(_) => {}
            }
        }
        v.bounded("discount_rate", self.discount_rate, MAX_RATE, RATE_REASON);
        v.bounded(
            "rigidity_weight",
            self.rigidity_weight,
            MAX_COST_MULTIPLE,
            COST_REASON,
        );

        let t = &self.terms;
        let before_terms = v.violations.len();
        v.positive("terms.initial", t.initial);
        v.finite("terms.index.drift", t.index.drift);
        v.non_negative("terms.index.volatility", t.index.volatility);
        v.finite("terms.residual.drift", t.residual.drift);
        v.non_negative("terms.residual.volatility", t.residual.volatility);
        if v.non_negative("terms.residual.jump_rate", t.residual.jump_rate)
            && spy_ok
            && t.residual.jump_rate * self.dt() > 1.0
        {
            v.push(
                "terms.residual.jump_rate",
                &format!(
                    "must be <= steps_per_year ({}): a step has at most one jump",
                    self.steps_per_year
                ),
                t.residual.jump_rate,
            );
        }
        v.finite("terms.residual.jump_mean", t.residual.jump_mean);
        v.non_negative("terms.residual.jump_sd", t.residual.jump_sd);
        // The range rule only applies when every terms key passed its own rule.
        let inputs_finite = v.violations.len() == before_terms && self.horizon_years.is_finite();
        if inputs_finite {
            let range = self.log_range();
            if range.is_none_or(|x| x > MAX_LOG_RANGE) {
                v.push(
                    &self.log_range_culprit(),
                    &format!(
                        "the efficient terms would leave the range of f64 over the horizon \
                         (|ln initial| + drift + 10 sd of ln X* must be <= {MAX_LOG_RANGE}, \
                         see Scenario::log_range)"
                    ),
                    range.map_or("a range of infinity".to_string(), |x| {
                        format!("a range of {x:.0}")
                    }),
                );
            }
        }

        let a = &self.agreement;
        self.check_cycle(&mut v, "agreement.cycle_years", a.cycle_years, spy_ok);
        if v.finite("agreement.indexation", a.indexation) && !(0.0..=1.0).contains(&a.indexation) {
            v.push("agreement.indexation", "must be in [0, 1]", a.indexation);
        }
        if v.finite("agreement.escalator", a.escalator)
            && self.horizon_years.is_finite()
            && a.escalator.abs() * self.horizon_years > MAX_LOG_PREMIUM
        {
            v.push(
                "agreement.escalator",
                &format!(
                    "times horizon_years must stay within ±{MAX_LOG_PREMIUM} ({LOG_PREMIUM_REASON})"
                ),
                a.escalator,
            );
        }
        for (field, months) in [
            ("agreement.window_months", a.window_months),
            ("agreement.max_lapse_months", a.max_lapse_months),
        ] {
            if v.non_negative(field, months) && spy_ok && self.months_to_steps(months).is_none() {
                v.push(
                    field,
                    &format!(
                        "must be a whole number of steps ({} months each)",
                        12.0 / f64::from(self.steps_per_year)
                    ),
                    months,
                );
            }
        }
        v.bounded(
            "agreement.lapse_payment",
            a.lapse_payment,
            MAX_COST_MULTIPLE,
            COST_REASON,
        );
        v.bounded(
            "agreement.rupture_cost",
            a.rupture_cost,
            MAX_COST_MULTIPLE,
            COST_REASON,
        );

        if self.protocol.rounds_per_step == 0 || self.protocol.rounds_per_step > 1000 {
            v.push(
                "protocol.rounds_per_step",
                "must be in [1, 1000]",
                self.protocol.rounds_per_step,
            );
        }
        if v.non_negative("protocol.tick", self.protocol.tick)
            && self.terms.initial.is_finite()
            && self.terms.initial > 0.0
            && self.protocol.tick > MAX_COST_MULTIPLE * self.terms.initial
        {
            v.push(
                "protocol.tick",
                &format!("must be <= {MAX_COST_MULTIPLE} times terms.initial"),
                self.protocol.tick,
            );
        }
        if spy_ok {
            if let Some(w) = self.months_to_steps(self.agreement.window_months) {
                let rounds = w.max(1) * u64::from(self.protocol.rounds_per_step);
                if rounds > MAX_WINDOW_ROUNDS {
                    v.push(
                        "protocol.rounds_per_step",
                        &format!(
                            "times the window's steps must be at most {MAX_WINDOW_ROUNDS} rounds"
                        ),
                        format!("{} ({rounds} rounds)", self.protocol.rounds_per_step),
                    );
                }
            }
        }
        v.bounded(
            "lapse.stakes_elasticity",
            self.lapse.stakes_elasticity,
            MAX_ELASTICITY,
            "an exponent",
        );

        for (side, p) in [("patron", &self.patron), ("host", &self.host)] {
            let f = |k: &str| format!("{side}.{k}");
            for (key, x) in [
                ("margin", p.margin),
                ("private_sd", p.private_sd),
                ("opening", p.opening),
            ] {
                v.bounded(&f(key), x, MAX_LOG_PREMIUM, LOG_PREMIUM_REASON);
            }
            v.positive(&f("concession_exponent"), p.concession_exponent);
            v.bounded(
                &f("lapse_pressure"),
                p.lapse_pressure,
                MAX_LAPSE_PRESSURE,
                "log units per year",
            );
            v.bounded(
                &f("negotiation_cost"),
                p.negotiation_cost,
                MAX_COST_MULTIPLE,
                COST_REASON,
            );
            v.bounded(
                &f("round_cost"),
                p.round_cost,
                MAX_COST_MULTIPLE,
                COST_REASON,
            );
            v.bounded(
                &f("lapse_cost"),
                p.lapse_cost,
                MAX_COST_MULTIPLE,
                COST_REASON,
            );
            if let Some(r) = p.discount_rate {
                v.bounded(&f("discount_rate"), r, MAX_RATE, RATE_REASON);
            }
            if v.finite(&f("margin_trend"), p.margin_trend)
                && self.horizon_years.is_finite()
                && p.margin_trend.abs() * self.horizon_years > MAX_LOG_PREMIUM
            {
                v.push(
                    &f("margin_trend"),
                    &format!(
                        "times horizon_years must stay within ±{MAX_LOG_PREMIUM} ({LOG_PREMIUM_REASON})"
                    ),
                    p.margin_trend,
                );
            }
        }
        if self.patron.margin_trend.is_finite() && self.patron.margin_trend != 0.0 {
            v.push(
                "patron.margin_trend",
                "only the host has a margin trend; must be 0",
                self.patron.margin_trend,
            );
        }

        let s = &self.support;
        for (field, x) in [
            ("support.initial", s.initial),
            ("support.baseline", s.baseline),
        ] {
            if v.finite(field, x) && !(0.0..=1.0).contains(&x) {
                v.push(field, "must be in [0, 1]", x);
            }
        }
        v.positive("support.half_life_years", s.half_life_years);
        v.non_negative("support.gap_hit", s.gap_hit);
        v.non_negative("support.lapse_hit", s.lapse_hit);
        v.bounded(
            "support.sensitivity",
            s.sensitivity,
            MAX_LOG_PREMIUM,
            LOG_PREMIUM_REASON,
        );

        v.finish()
    }

    /// Checks that `years` is a valid cycle length for this scenario (positive, finite, a whole
    /// number of steps).
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] naming `field`.
    pub fn check_cycle_years(&self, field: &str, years: f64) -> Result<(), ScenarioError> {
        let mut v = Checker::default();
        self.check_cycle(&mut v, field, years, true);
        v.finish()
    }

    fn check_cycle(&self, v: &mut Checker, field: &str, years: f64, spy_ok: bool) {
        if v.positive(field, years) && spy_ok {
            match self.years_to_steps(years) {
                None | Some(0) => v.push(
                    field,
                    &format!(
                        "must be a positive whole number of steps (a multiple of 1/{} year)",
                        self.steps_per_year
                    ),
                    years,
                ),
                Some(n) if n > MAX_HORIZON_STEPS => v.push(
                    field,
                    &format!("must be at most {MAX_HORIZON_STEPS} steps long"),
                    years,
                ),
                Some(_) => {}
            }
        }
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

/// Reads a scenario file: its text, whether it is TOML (else JSON, by extension), and the path
/// as shown in messages.
pub(crate) fn read_scenario_file(path: &Path) -> Result<(String, bool, String), ScenarioError> {
    let shown = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let is_toml = match ext.as_deref() {
        Some("toml") => true,
        Some("json") => false,
        _ => return Err(ScenarioError::UnknownFormat { path: shown }),
    };
    let bytes = std::fs::read(path).map_err(|e| ScenarioError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ScenarioError::Io {
        path: shown.clone(),
        message: format!(
            "not valid UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok((text, is_toml, shown))
}

/// A TOML parse error of `text` as a [`ScenarioError::Parse`] with line, column and snippet.
pub(crate) fn toml_error(text: &str, origin: &str, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_column(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ScenarioError::Parse {
        origin: origin.to_string(),
        format: "TOML",
        message: with_snippet(e.message().trim(), text, line, column),
        line,
        column,
    }
}

/// A JSON parse error as a [`ScenarioError::Parse`] with line and column (the snippet is added
/// by [`ScenarioError::with_text`]).
pub(crate) fn json_error(origin: &str, e: &serde_json::Error) -> ScenarioError {
    let known = e.line() > 0;
    // serde_json reports column 0 before the first character of a line; columns are 1-based.
    let (line, column) = (
        known.then_some(e.line()),
        known.then_some(e.column().max(1)),
    );
    let full = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let bare = full.strip_suffix(&at).unwrap_or(&full);
    ScenarioError::Parse {
        origin: origin.to_string(),
        format: "JSON",
        message: bare.to_string(),
        line,
        column,
    }
}

impl ScenarioError {
    /// Adds the snippet of `text` around the error's position to a parse message.
    pub(crate) fn with_text(self, text: &str) -> ScenarioError {
        match self {
            ScenarioError::Parse {
                origin,
                format,
                message,
                line,
                column,
            } => ScenarioError::Parse {
                message: with_snippet(&message, text, line, column),
                origin,
                format,
                line,
                column,
            },
            other => other,
        }
    }
}

fn whole_steps(x: f64) -> Option<u64> {
    if !x.is_finite() || !(-1e-9..=1e15).contains(&x) {
        return None;
    }
    let r = x.round();
    ((x - r).abs() <= 1e-9 * r.max(1.0)).then_some(r as u64)
}

/// Appends the source text around the error (`horizon_years = "thirty"`), so that a type error,
/// whose parser message names no key, still shows which field it is about.
fn with_snippet(message: &str, text: &str, line: Option<usize>, column: Option<usize>) -> String {
    let (Some(line), Some(column)) = (line, column) else {
        return message.to_string();
    };
    let Some(src) = text.lines().nth(line.saturating_sub(1)) else {
        return message.to_string();
    };
    let chars: Vec<char> = src.chars().collect();
    let end = (column + 20).min(chars.len());
    let start = column.saturating_sub(41).min(end);
    let snippet: String = chars[start..end].iter().collect();
    let snippet = snippet.trim();
    if snippet.is_empty() {
        message.to_string()
    } else {
        format!("{message} (near `{snippet}`)")
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Collects violations.
#[derive(Default)]
struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    fn push(&mut self, field: &str, rule: &str, got: impl fmt::Display) {
        self.violations.push(Violation {
            field: field.to_string(),
            rule: rule.to_string(),
            got: got.to_string(),
        });
    }

    /// True if finite; records a violation otherwise.
    fn finite(&mut self, field: &str, x: f64) -> bool {
        if x.is_finite() {
            true
        } else {
            self.push(field, "must be a finite number", x);
            false
        }
    }

    fn non_negative(&mut self, field: &str, x: f64) -> bool {
        if !self.finite(field, x) {
            return false;
        }
        if x < 0.0 {
            self.push(field, "must be >= 0", x);
            return false;
        }
        true
    }

    /// Finite, >= 0 and <= `max`.
    fn bounded(&mut self, field: &str, x: f64, max: f64, why: &str) -> bool {
        if !self.non_negative(field, x) {
            return false;
        }
        if x > max {
            self.push(field, &format!("must be <= {max} ({why})"), x);
            return false;
        }
        true
    }

    fn positive(&mut self, field: &str, x: f64) -> bool {
        if !self.finite(field, x) {
            return false;
        }
        if x <= 0.0 {
            self.push(field, "must be > 0", x);
            return false;
        }
        true
    }

    fn finish(self) -> Result<(), ScenarioError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(self.violations))
        }
    }
}
