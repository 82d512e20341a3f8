//! The alliance scenario: one patron and several hosts ([`Alliance`], [`HostSpec`],
//! [`Linkage`]), its defaults, validation, loading, presets and overrides. The simulation of an
//! alliance is in [`crate::alliance`].

use super::load::{json_error, read_scenario_file, toml_error};
use super::presets::find_preset;
use super::{
    Agreement, LapseConfig, MAX_STEPS_PER_YEAR, Party, ProtocolConfig, Scenario, ScenarioError,
    Support, Terms, Violation,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a precedent is (MODEL.md §10.7): the measure of another host's agreement that the
/// patron's leverage adds to its opening demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecedentRule {
    /// `Δ_j = p_j − q_j`: the increase over the status quo that host `j` agreed. Default (0.1).
    #[default]
    Increase,
    /// `Δ_j = p_j`: the premium over the efficient terms that host `j` agreed (a cost-share
    /// benchmark: "that ally pays this much above fair, so should you").
    Premium,
}

/// How the hosts' negotiations and worlds are linked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Linkage {
    /// `ρ ∈ [0, 1]`: correlation of the hosts' efficient-term shocks (a common component).
    /// Default 0.
    pub correlation: f64,
    /// `λ >= 0`: share of the largest recent increase obtained from another host that the
    /// patron adds to its opening demand. Default 0 (no leverage). At most 20.
    pub leverage: f64,
    /// `P`, years: how long an agreement serves as a precedent. Default 3. Must be > 0.
    pub precedent_years: f64,
    /// `β ∈ [0, 1]`: how far a host's ceiling moves toward the others' agreed premia. Default 0.
    pub benchmarking: f64,
    /// What a precedent measures (MODEL.md §10.7). Default `"increase"`.
    #[serde(skip_serializing_if = "is_increase")]
    pub precedent: PrecedentRule,
}

fn is_increase(r: &PrecedentRule) -> bool {
    *r == PrecedentRule::Increase
}

impl Default for Linkage {
    fn default() -> Self {
        Linkage {
            correlation: 0.0,
            leverage: 0.0,
            precedent_years: 3.0,
            benchmarking: 0.0,
            precedent: PrecedentRule::Increase,
        }
    }
}

/// One host of an alliance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    /// Short identifier (letters, digits, `_` or `-`), unique in the alliance; used in override
    /// paths (`hosts.japan.agreement.cycle_years`) and reports.
    pub name: String,
    /// Years left on the first agreement at the start of the history; 0 (default) means a full
    /// term (`agreement.cycle_years`). Must be a whole number of steps.
    #[serde(default)]
    pub phase_years: f64,
    /// The host's efficient terms.
    #[serde(default)]
    pub terms: Terms,
    /// The host's agreement (cycle length, indexation, calendar, lapse rules).
    #[serde(default)]
    pub agreement: Agreement,
    /// The host's bargaining parameters (the keys of a single scenario's `[host]`).
    #[serde(default = "Party::host_default")]
    pub party: Party,
    /// The host's public support.
    #[serde(default)]
    pub support: Support,
}

/// A scenario with one patron and several hosts. The keys outside `[[hosts]]` are those of a
/// single [`Scenario`] and are shared by every host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alliance {
    /// Identifier. Required.
    pub name: String,
    /// One line.
    #[serde(default)]
    pub description: String,
    /// Unit of every money amount (common to all hosts).
    #[serde(default = "default_units")]
    pub units: String,
    /// Years per history. Default 30.
    #[serde(default = "default_horizon")]
    pub horizon_years: f64,
    /// Steps per year. Default 12.
    #[serde(default = "default_steps")]
    pub steps_per_year: u32,
    /// Discount rate for present values, per year. Default 0.03.
    #[serde(default = "default_rate")]
    pub discount_rate: f64,
    /// `k_rig`. Default 1.
    #[serde(default = "default_one")]
    pub rigidity_weight: f64,
    /// The protocol, shared.
    #[serde(default)]
    pub protocol: ProtocolConfig,
    /// The lapse model, shared.
    #[serde(default)]
    pub lapse: LapseConfig,
    /// The patron's parameters, shared across its negotiations.
    #[serde(default = "Party::patron_default")]
    pub patron: Party,
    /// How the negotiations are linked.
    #[serde(default)]
    pub linkage: Linkage,
    /// The hosts, at least one.
    pub hosts: Vec<HostSpec>,
}

fn default_units() -> String {
    Scenario::with_name("x").units
}
fn default_horizon() -> f64 {
    Scenario::with_name("x").horizon_years
}
fn default_steps() -> u32 {
    Scenario::with_name("x").steps_per_year
}
fn default_rate() -> f64 {
    Scenario::with_name("x").discount_rate
}
fn default_one() -> f64 {
    1.0
}

/// Largest accepted number of hosts in an alliance.
///
/// Memory grows with the hosts: each worker thread holds every host's environment path (see
/// [`MAX_HOST_STEPS`]) and, per joint arm, every host's metric accumulators (moments, quantile
/// sketches and histograms for each metric), so a 10,000-host alliance aborted the process at
/// 3.5 GB. The largest real alliance, NATO, has 32 members; 64 leaves room for hypothetical
/// ones. Beyond the cap [`Alliance::validate`] checks only the first `MAX_HOSTS` hosts' keys.
pub const MAX_HOSTS: usize = 64;

/// Largest accepted number of hosts times horizon steps (`hosts.len() × horizon_years ×
/// steps_per_year`), host-steps.
///
/// Per worker thread a trial keeps, for each host and step, the five `f64` of its
/// environment path (index, `ln X*`, `X*`, index factor, mismatch base: 40 bytes) and, for the
/// whole alliance, the two `f64` of the common shock per step (16 bytes): at most
/// `(40 + 16) B × 16·10^6 = 896 MB`, under 1 GiB, per worker. (The hosts' models add four `f64`
/// per host and step, 512 MB at the cap, shared by all workers.) The cap allows one host at the
/// single-scenario limit of 10^7 steps, or 64 hosts over 250,000 steps (30 years at 8,333 steps
/// a year); the `us_alliances` preset uses 3 × 360.
pub const MAX_HOST_STEPS: u64 = 16_000_000;

/// The name of the one host of [`Alliance::from_scenario`].
pub(crate) const SINGLE_HOST_NAME: &str = "host";

const PRESETS: &[(&str, &str)] = &[(
    "us_alliances",
    include_str!("../../scenarios/us_alliances.toml"),
)];

impl Alliance {
    /// The one-host alliance of a single scenario (host name `host`, no linkage): it gives the
    /// same numbers as the scenario itself.
    pub fn from_scenario(s: &Scenario) -> Alliance {
        Alliance {
            name: s.name.clone(),
            description: s.description.clone(),
            units: s.units.clone(),
            horizon_years: s.horizon_years,
            steps_per_year: s.steps_per_year,
            discount_rate: s.discount_rate,
            rigidity_weight: s.rigidity_weight,
            protocol: s.protocol.clone(),
            lapse: s.lapse.clone(),
            patron: s.patron.clone(),
            linkage: Linkage::default(),
            hosts: vec![HostSpec {
                name: SINGLE_HOST_NAME.to_string(),
                phase_years: 0.0,
                terms: s.terms.clone(),
                agreement: s.agreement.clone(),
                party: s.host.clone(),
                support: s.support.clone(),
            }],
        }
    }

    /// Host `i` seen as a single scenario (shared keys plus the host's own).
    ///
    /// # Panics
    /// Never: an index out of range gives the last host (callers iterate over `hosts`).
    pub fn host_scenario(&self, i: usize) -> Scenario {
        let h = &self.hosts[i.min(self.hosts.len().saturating_sub(1))];
        Scenario {
            name: format!("{}/{}", self.name, h.name),
            description: self.description.clone(),
            units: self.units.clone(),
            horizon_years: self.horizon_years,
            steps_per_year: self.steps_per_year,
            discount_rate: self.discount_rate,
            rigidity_weight: self.rigidity_weight,
            terms: h.terms.clone(),
            agreement: h.agreement.clone(),
            protocol: self.protocol.clone(),
            lapse: self.lapse.clone(),
            patron: self.patron.clone(),
            host: h.party.clone(),
            support: h.support.clone(),
        }
    }

    /// The index of the host called `name`.
    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.hosts.iter().position(|h| h.name == name)
    }

    /// Checks every rule and reports all violations, with field paths such as
    /// `hosts.japan.party.margin` for a host's keys. An alliance of more than [`MAX_HOSTS`]
    /// hosts breaks the `hosts` rule, and only its first [`MAX_HOSTS`] hosts are checked
    /// further (so that checking stays quick whatever the file holds).
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] listing every violation.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut out: Vec<Violation> = Vec::new();
        let mut push = |field: &str, rule: &str, got: String| {
            let v = Violation {
                field: field.to_string(),
                rule: rule.to_string(),
                got,
            };
            if !out.contains(&v) {
                out.push(v);
            }
        };
        if self.hosts.is_empty() {
            push("hosts", "at least one host is needed", "none".into());
        }
        if self.hosts.len() > MAX_HOSTS {
            push(
                "hosts",
                &format!(
                    "at most {MAX_HOSTS} hosts (MAX_HOSTS: memory per worker grows with hosts × \
                     horizon steps; the largest real alliance has 32 members)"
                ),
                format!("{} hosts", self.hosts.len()),
            );
        }
        let spy_ok = (1..=MAX_STEPS_PER_YEAR).contains(&self.steps_per_year);
        let mut shared = Scenario::with_name(&self.name);
        shared.steps_per_year = self.steps_per_year;
        if let Some(steps) = shared.years_to_steps(self.horizon_years).filter(|_| spy_ok) {
            let hosts = self.hosts.len() as u64;
            let host_steps = hosts.saturating_mul(steps);
            if host_steps > MAX_HOST_STEPS {
                push(
                    "horizon_years",
                    &format!(
                        "horizon steps times hosts must be at most {MAX_HOST_STEPS} (MAX_HOST_STEPS: \
                         each worker holds 56 bytes per host and step; shorten horizon_years, \
                         lower steps_per_year or use fewer hosts)"
                    ),
                    format!("{steps} steps × {hosts} hosts = {host_steps}"),
                );
            }
        }
        let l = &self.linkage;
        for (field, x) in [
            ("linkage.correlation", l.correlation),
            ("linkage.benchmarking", l.benchmarking),
        ] {
            if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
                push(field, "must be in [0, 1]", x.to_string());
            }
        }
        if !(l.leverage.is_finite() && (0.0..=20.0).contains(&l.leverage)) {
            push(
                "linkage.leverage",
                "must be in [0, 20]",
                l.leverage.to_string(),
            );
        }
        if !(l.precedent_years.is_finite() && l.precedent_years > 0.0) {
            push(
                "linkage.precedent_years",
                "must be > 0",
                l.precedent_years.to_string(),
            );
        }
        for (i, h) in self.hosts.iter().enumerate().take(MAX_HOSTS) {
            let valid_name = !h.name.is_empty()
                && h.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                push(
                    &format!("hosts[{i}].name"),
                    "must be letters, digits, _ or - (and not empty)",
                    format!("{:?}", h.name),
                );
            }
            if self.hosts[..i].iter().any(|o| o.name == h.name) {
                push(
                    &format!("hosts[{i}].name"),
                    "must be unique",
                    format!("{:?} again", h.name),
                );
            }
            let prefix = format!("hosts.{}.", h.name);
            let scenario = self.host_scenario(i);
            if let Err(ScenarioError::Invalid(vs)) = scenario.validate() {
                for v in vs {
                    let field = host_field(&prefix, &v.field);
                    push(&field, &v.rule, v.got);
                }
            }
            let phase = h.phase_years;
            let phase_ok = phase.is_finite()
                && phase >= 0.0
                && (phase == 0.0 || scenario.years_to_steps(phase).is_some_and(|n| n > 0));
            if !phase_ok {
                push(
                    &format!("{prefix}phase_years"),
                    "must be 0 or a positive whole number of steps",
                    phase.to_string(),
                );
            }
        }
        if out.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(out))
        }
    }

    /// Parses TOML and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Parse`] (syntax, types, unknown keys, missing `name` or `hosts`) or
    /// [`ScenarioError::Invalid`].
    pub fn from_toml_str(text: &str) -> Result<Alliance, ScenarioError> {
        Self::parse(text, "<string>", true)
    }

    /// Parses JSON and validates.
    ///
    /// # Errors
    /// As [`Alliance::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Alliance, ScenarioError> {
        Self::parse(text, "<string>", false)
    }

    /// Reads a `.toml` or `.json` alliance file and validates.
    ///
    /// # Errors
    /// [`ScenarioError::Io`] (as for [`Scenario::from_path`]: regular files of at most
    /// [`super::MAX_SCENARIO_BYTES`] only), [`ScenarioError::UnknownFormat`], and the parse and
    /// validation errors of [`Alliance::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Alliance, ScenarioError> {
        let (text, is_toml, shown) = read_scenario_file(path.as_ref())?;
        Self::parse(&text, &shown, is_toml)
    }

    /// Whether a scenario text (TOML or JSON) describes an alliance (has a `hosts` key).
    pub fn is_alliance_text(text: &str, is_toml: bool) -> bool {
        if is_toml {
            text.parse::<toml::Table>()
                .is_ok_and(|t| t.contains_key("hosts"))
        } else {
            serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get("hosts").is_some())
        }
    }

    pub(super) fn parse(
        text: &str,
        origin: &str,
        is_toml: bool,
    ) -> Result<Alliance, ScenarioError> {
        let alliance: Alliance = if is_toml {
            toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?
        } else {
            serde_json::from_str(text).map_err(|e| json_error(origin, &e).with_text(text))?
        };
        alliance.validate()?;
        Ok(alliance)
    }

    /// A built-in alliance preset (`us_alliances`).
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`] listing the available names.
    pub fn preset(name: &str) -> Result<Alliance, ScenarioError> {
        let text = Self::preset_toml(name)?;
        Self::parse(text, &format!("preset {name}"), true)
    }

    /// The TOML source of an alliance preset.
    ///
    /// # Errors
    /// [`ScenarioError::UnknownPreset`].
    pub fn preset_toml(name: &str) -> Result<&'static str, ScenarioError> {
        find_preset(PRESETS, name)
    }

    /// The names of the alliance presets.
    pub fn presets() -> Vec<&'static str> {
        PRESETS.iter().map(|(n, _)| *n).collect()
    }

    /// A copy with one key set by its dotted path: shared keys as for a [`Scenario`]
    /// (`patron.opening`, `linkage.leverage`) and a host's keys through its name
    /// (`hosts.japan.agreement.cycle_years`, `hosts.korea.party.margin`).
    ///
    /// # Errors
    /// [`ScenarioError::Override`] naming the key if the host or the key does not exist or the
    /// value has the wrong type; [`ScenarioError::Invalid`] if the result breaks a rule.
    pub fn with_override(&self, key: &str, value: &str) -> Result<Alliance, ScenarioError> {
        let err = |message: String| ScenarioError::Override {
            key: key.to_string(),
            message,
        };
        let mut out = self.clone();
        if let Some(rest) = key.strip_prefix("hosts.") {
            let (name, sub) = rest
                .split_once('.')
                .ok_or_else(|| err("expected hosts.NAME.key".into()))?;
            let i = self.host_index(name).ok_or_else(|| {
                err(format!(
                    "no host named {name:?}; hosts: {}",
                    self.host_names().join(", ")
                ))
            })?;
            // A host's keys are a single scenario's terms/agreement/host/support keys.
            let mapped = if let Some(k) = sub.strip_prefix("party.") {
                format!("host.{k}")
            } else {
                sub.to_string()
            };
            if sub == "phase_years" {
                let years: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| err(format!("expected a number, got {value:?}")))?;
                out.hosts[i].phase_years = years;
            } else if ["terms.", "agreement.", "host.", "support."]
                .iter()
                .any(|p| mapped.starts_with(p))
            {
                let prefix = format!("hosts.{name}.");
                let s = self
                    .host_scenario(i)
                    .with_override(&mapped, value)
                    .map_err(|e| match relabel(e, key) {
                        // The host's own view names its fields `host.margin`: name them as the
                        // alliance does (`hosts.japan.party.margin`).
                        ScenarioError::Invalid(vs) => ScenarioError::Invalid(
                            vs.into_iter()
                                .map(|v| Violation {
                                    field: host_field(&prefix, &v.field),
                                    ..v
                                })
                                .collect(),
                        ),
                        other => other,
                    })?;
                let h = &mut out.hosts[i];
                h.terms = s.terms;
                h.agreement = s.agreement;
                h.party = s.host;
                h.support = s.support;
            } else {
                return Err(err(
                    "a host's keys are phase_years, terms.*, agreement.*, party.*, support.*"
                        .into(),
                ));
            }
        } else if key == "linkage.precedent" {
            out.linkage.precedent = match value.trim().trim_matches('"') {
                "increase" => PrecedentRule::Increase,
                "premium" => PrecedentRule::Premium,
                other => {
                    return Err(err(format!(
                        "expected \"increase\" or \"premium\", got {other:?}"
                    )));
                }
            };
        } else if let Some(k) = key.strip_prefix("linkage.") {
            let x: f64 = value
                .trim()
                .parse()
                .map_err(|_| err(format!("expected a number, got {value:?}")))?;
            match k {
                "correlation" => out.linkage.correlation = x,
                "leverage" => out.linkage.leverage = x,
                "precedent_years" => out.linkage.precedent_years = x,
                "benchmarking" => out.linkage.benchmarking = x,
                _ => {
                    return Err(err(
                        "no such key; linkage keys: correlation, leverage, precedent_years, \
                         benchmarking, precedent"
                            .into(),
                    ));
                }
            }
        } else {
            // A shared key: apply it through the first host's scenario view.
            let s = self
                .host_scenario(0)
                .with_override(key, value)
                .map_err(|e| relabel(e, key))?;
            if key.starts_with("terms.")
                || key.starts_with("agreement.")
                || key.starts_with("host.")
                || key.starts_with("support.")
            {
                let suggested = key
                    .strip_prefix("host.")
                    .map_or_else(|| key.to_string(), |k| format!("party.{k}"));
                return Err(err(format!(
                    "a host's key: write hosts.NAME.{suggested} (hosts: {})",
                    self.host_names().join(", ")
                )));
            }
            out.units = s.units;
            out.description = s.description;
            out.horizon_years = s.horizon_years;
            out.steps_per_year = s.steps_per_year;
            out.discount_rate = s.discount_rate;
            out.rigidity_weight = s.rigidity_weight;
            out.protocol = s.protocol;
            out.lapse = s.lapse;
            out.patron = s.patron;
        }
        out.validate()?;
        Ok(out)
    }

    /// The hosts' names, in order.
    pub fn host_names(&self) -> Vec<String> {
        self.hosts.iter().map(|h| h.name.clone()).collect()
    }

    /// The alliance as TOML.
    ///
    /// # Errors
    /// Only if a value cannot be represented in TOML.
    pub fn to_toml_string(&self) -> Result<String, ScenarioError> {
        super::load::to_toml(self, &self.name)
    }
}

/// Maps a single-scenario field path of host view `prefix` to the alliance's path.
fn host_field(prefix: &str, field: &str) -> String {
    if let Some(k) = field.strip_prefix("host.") {
        format!("{prefix}party.{k}")
    } else if ["terms", "agreement", "support"]
        .iter()
        .any(|p| field == *p || field.starts_with(&format!("{p}.")))
    {
        format!("{prefix}{field}")
    } else {
        field.to_string()
    }
}

/// Re-labels an override error with the key as the user wrote it.
fn relabel(e: ScenarioError, key: &str) -> ScenarioError {
    match e {
        ScenarioError::Override { message, .. } => ScenarioError::Override {
            key: key.to_string(),
            message,
        },
        other => other,
    }
}
