//! What identifies an experiment: its input, variants, arms, trials and seed, and the
//! fingerprint of all of them.

use crate::error::Error;
use crate::scenario::Input;
use serde::{Deserialize, Serialize};

/// The crate version written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A variant as reports record it: its name, overrides and the protocol it negotiated with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantInfo {
    /// The name.
    pub name: String,
    /// `[key, value]` pairs, in the order applied.
    pub overrides: Vec<[String; 2]>,
    /// The protocol's name.
    pub protocol: String,
}

/// One arm as reports record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmInfo {
    /// The label: `VARIANT/CYCLE` for one host, `VARIANT/HOST=CYCLE,HOST=CYCLE` for several.
    pub label: String,
    /// The variant's name.
    pub variant: String,
    /// Cycle length per host (one entry for a single host), years; for a schedule arm the cycle
    /// that repeats after the schedule.
    pub cycle_years: Vec<f64>,
    /// A schedule arm's agreement lengths, years (MODEL.md §10.6); absent for a cycle arm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<f64>>,
}

impl ArmInfo {
    /// The schedule arm `name` of variant `variant` (one host): agreements of `schedule` years,
    /// then `cycle_years` repeatedly. Its label is `VARIANT/NAME`.
    pub fn schedule(variant: &str, name: &str, schedule: &[f64], cycle_years: f64) -> ArmInfo {
        ArmInfo {
            label: format!("{variant}/{name}"),
            variant: variant.to_string(),
            cycle_years: vec![cycle_years],
            schedule: Some(schedule.to_vec()),
        }
    }

    /// The arm of variant `variant` with `cycle_years[i]` for host `hosts[i]`.
    pub fn new(variant: &str, hosts: &[String], cycle_years: &[f64]) -> ArmInfo {
        ArmInfo {
            label: arm_label(variant, hosts, cycle_years),
            variant: variant.to_string(),
            cycle_years: cycle_years.to_vec(),
            schedule: None,
        }
    }
}

/// The label of an arm (see [`ArmInfo::label`]).
pub fn arm_label(variant: &str, hosts: &[String], cycle_years: &[f64]) -> String {
    if hosts.len() <= 1 {
        let c = cycle_years.first().copied().unwrap_or(f64::NAN);
        format!("{variant}/{c}")
    } else {
        let parts: Vec<String> = hosts
            .iter()
            .zip(cycle_years)
            .map(|(h, c)| format!("{h}={c}"))
            .collect();
        format!("{variant}/{}", parts.join(","))
    }
}

/// `label` as a full arm label: a bare `CYCLE` (no `/`) means the arm of variant `first`.
pub fn full_label(label: &str, first: &str) -> String {
    if label.contains('/') {
        label.to_string()
    } else {
        format!("{first}/{label}")
    }
}

/// A stopping rule: run until `metric`'s standard error is at most `relative_se` times the
/// absolute value of its mean for every host of every arm, or until `max_trials`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrecisionTarget {
    /// Metric key.
    pub metric: String,
    /// Target relative standard error (e.g. 0.01 for 1%).
    pub relative_se: f64,
    /// Trial cap.
    pub max_trials: u64,
}

/// What identifies an experiment: everything its numbers depend on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Crate version that produced it.
    pub negcycle: String,
    /// The base scenario or alliance (before any variant's overrides).
    pub input: Input,
    /// The hosts' names (`["host"]` for a single scenario).
    pub hosts: Vec<String>,
    /// The variants, in order.
    pub variants: Vec<VariantInfo>,
    /// The arms, in order (variant-major).
    pub arms: Vec<ArmInfo>,
    /// Index of the reference arm for paired differences.
    pub reference: usize,
    /// Trials planned (the cap, with a precision target).
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Optional stopping rule.
    pub precision: Option<PrecisionTarget>,
    /// Hex fingerprint of all of the above (64-bit FNV-1a of its canonical JSON; identifies,
    /// does not authenticate).
    pub fingerprint: String,
}

impl Header {
    /// Fills in the fingerprint.
    ///
    /// # Errors
    /// [`Error::Internal`] if the header cannot be serialised (it always can).
    pub fn sealed(mut self) -> Result<Header, Error> {
        self.fingerprint = self.compute_fingerprint()?;
        Ok(self)
    }

    /// Recomputes the fingerprint from the other fields.
    ///
    /// # Errors
    /// [`Error::Internal`] if the header cannot be serialised (it always can).
    pub fn compute_fingerprint(&self) -> Result<String, Error> {
        let mut blank = self.clone();
        blank.fingerprint = String::new();
        let text = serde_json::to_string(&blank)
            .map_err(|e| Error::Internal(format!("fingerprint: {e}")))?;
        Ok(format!("{:016x}", fnv1a(text.as_bytes())))
    }

    /// The reference arm.
    pub fn reference_arm(&self) -> Option<&ArmInfo> {
        self.arms.get(self.reference)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
