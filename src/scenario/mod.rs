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

mod alliance;
mod input;
mod load;
mod overrides;
mod presets;
mod regimes;
mod validate;

pub use alliance::{Alliance, HostSpec, Linkage, MAX_HOST_STEPS, MAX_HOSTS, PrecedentRule};
pub use input::Input;
pub use load::MAX_SCENARIO_BYTES;
pub use regimes::Regimes;
pub use validate::{
    MAX_COST_MULTIPLE, MAX_ELASTICITY, MAX_HORIZON_STEPS, MAX_LAPSE_PRESSURE, MAX_LOG_PREMIUM,
    MAX_LOG_RANGE, MAX_RATE, MAX_SCHEDULE, MAX_STEPS_PER_YEAR, MAX_WINDOW_ROUNDS,
};

use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// Durations of successive agreements, years (MODEL.md §10.6): the agreement in force at the
    /// start runs `schedule[0]`, the next `schedule[1]`, …, and after the list `cycle_years`
    /// repeats. Default empty (every agreement runs `cycle_years`). Each entry must be a positive
    /// whole number of steps; at most [`MAX_SCHEDULE`] entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<f64>,
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
            schedule: Vec::new(),
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

/// The relative time a side sees in round `k` of `N` (MODEL.md §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// `t_k = (k+1)/(N+1)`: the Genius/NegMAS convention; the last targets stop short of the
    /// reservations. Default (0.1 behaviour).
    #[default]
    Negmas,
    /// `t_k = (k+1)/N`: each side's last-round target is its reservation, so the window ends in
    /// a deal exactly when the zone of agreement is open.
    Deadline,
}

impl Clock {
    /// Relative time of round `round` (0-based) of `rounds`.
    #[inline]
    pub fn relative_time(self, round: u32, rounds: u32) -> f64 {
        match self {
            Clock::Negmas => f64::from(round + 1) / f64::from(rounds + 1),
            Clock::Deadline => f64::from(round + 1) / f64::from(rounds.max(1)),
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
    /// `N`: formal rounds in a full-length window (MODEL.md §10.1), spread over its steps (round
    /// `k` of a window of `W` steps opening at `τ` is held at step `τ + ⌈(k+1)W/N⌉ − 1`); a
    /// window clipped to `W' < W` steps holds `max(1, round(N·W'/W))` rounds. Default: absent,
    /// the window's steps × `rounds_per_step` (0.1). Cannot be combined with a `rounds_per_step`
    /// other than 1. In [1, [`MAX_WINDOW_ROUNDS`]].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    /// Months between formal meetings during a lapse (MODEL.md §10.1): a lapse agreement is
    /// signed only at a meeting. Default: absent, a meeting every step (0.1; one month at
    /// monthly steps). Must be a positive whole number of steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse_round_months: Option<f64>,
    /// The relative time of round `k` (MODEL.md §10.2). Default `"negmas"`.
    #[serde(skip_serializing_if = "is_default")]
    pub clock: Clock,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        ProtocolConfig {
            kind: ProtocolKind::Alternating,
            opener: Side::Patron,
            rounds_per_step: 1,
            tick: 0.0,
            horizon: BargainingHorizon::Infinite,
            rounds: None,
            lapse_round_months: None,
            clock: Clock::Negmas,
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

/// What a side's opening is relative to (MODEL.md §10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpeningReference {
    /// The terms in force: the patron opens at `q + a_P`, the host at `q − a_H`. Default (0.1).
    #[default]
    StatusQuo,
    /// Today's efficient terms: the patron opens at `a_P`, the host at `−a_H` (premia over fair),
    /// so after a short agreement whose terms barely drifted the demanded increase is small.
    Fair,
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
    /// What the opening `a` is relative to (MODEL.md §10.3). Default `"status_quo"`.
    #[serde(skip_serializing_if = "is_default")]
    pub opening_reference: OpeningReference,
    /// Patron only: political cycles (MODEL.md §10.5). Default: absent (one administration
    /// throughout). Must be absent for the host.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "table_only_option",
        default
    )]
    pub regimes: Option<Regimes>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

/// [`table_only`] for an optional table.
fn table_only_option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    table_only(d).map(Some)
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
            opening_reference: OpeningReference::StatusQuo,
            regimes: None,
        }
    }

    /// The host's defaults: the same as the patron's (a missing key means the same value on
    /// either side).
    pub fn host_default() -> Party {
        Party::patron_default()
    }
}

/// What a negotiation's support erosion is measured on (MODEL.md §10.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Erosion {
    /// `γ_gap·max(0, O_P − O_H)`: the gap between the openings. Default (0.1).
    #[default]
    OpeningGap,
    /// `γ_gap·max(0, O_P − q)`: the increase over what the host pays now, which is what the
    /// host's public hears.
    DemandedIncrease,
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
    /// What `gap_hit` multiplies (MODEL.md §10.4). Default `"opening_gap"`.
    #[serde(skip_serializing_if = "is_default")]
    pub erosion: Erosion,
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
            erosion: Erosion::OpeningGap,
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
    /// The file could not be read, or was refused: not a regular file after following
    /// symlinks (directory, FIFO, device, socket), larger than [`MAX_SCENARIO_BYTES`], or not
    /// UTF-8.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message, or the rule the file breaks.
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

    /// The patron's discount rate (its own, or the scenario's).
    pub fn patron_rate(&self) -> f64 {
        self.patron.discount_rate.unwrap_or(self.discount_rate)
    }

    /// The host's discount rate (its own, or the scenario's).
    pub fn host_rate(&self) -> f64 {
        self.host.discount_rate.unwrap_or(self.discount_rate)
    }
}

fn whole_steps(x: f64) -> Option<u64> {
    if !x.is_finite() || !(-1e-9..=1e15).contains(&x) {
        return None;
    }
    let r = x.round();
    ((x - r).abs() <= 1e-9 * r.max(1.0)).then_some(r as u64)
}
