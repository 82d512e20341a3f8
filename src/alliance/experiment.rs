//! Experiments over joint arms of an alliance: each host's cycle length varies independently
//! (Korea annual while Japan stays at five years), the report gives per-host metrics and the
//! patron's totals, with paired differences against a reference joint arm. Determinism, shards
//! and merging work exactly as for single-host experiments.

use super::linked::{AllianceTrial, AllianceWorkspace, TOTALS};
use super::{Alliance, AllianceModel};
use crate::error::Error;
use crate::experiment::{ArmAccumulator, Mergeable, Observer, run_blocks};
use crate::metrics::{METRICS, N_METRICS};
use crate::report::{ArmReport, VERSION, fingerprint_of, from_json, merge_parts, to_json};
use crate::stats::{MetricAccumulator, Paired, PairedSummary, Summary};
use crate::trial::Arm;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The builder of an alliance experiment.
pub struct AllianceExperiment {
    alliance: Alliance,
    arms: Vec<Vec<f64>>,
    reference: usize,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
    observers: Vec<Box<dyn Observer>>,
}

impl fmt::Debug for AllianceExperiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllianceExperiment")
            .field("alliance", &self.alliance.name)
            .field("arms", &self.arms)
            .field("reference", &self.reference)
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .finish()
    }
}

/// What identifies an alliance experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllianceHeader {
    /// Crate version.
    pub negcycle: String,
    /// The full alliance.
    pub alliance: Alliance,
    /// The protocol's name.
    pub protocol: String,
    /// Joint arms: per arm, one cycle length per host (years).
    pub arms: Vec<Vec<f64>>,
    /// Index of the reference arm.
    pub reference_arm: usize,
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Fingerprint of the above.
    pub fingerprint: String,
}

/// The statistics of one joint arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JointArmAccumulator {
    /// Per host: its metrics, paired differences (against the same host in the reference arm)
    /// and histograms.
    pub hosts: Vec<ArmAccumulator>,
    /// The patron's totals, in [`TOTALS`] order.
    pub totals: Vec<MetricAccumulator>,
    /// Paired differences of the totals against the reference arm (empty for it).
    pub totals_paired: Vec<Paired>,
}

/// The mergeable statistics of an alliance experiment (or of a shard of its trials).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllianceAccumulators {
    /// Index of the reference arm.
    pub reference: usize,
    /// Per joint arm.
    pub arms: Vec<JointArmAccumulator>,
}

impl Mergeable for AllianceAccumulators {
    fn merge_from(&mut self, other: &Self) -> Result<(), Error> {
        if self.arms.len() != other.arms.len() || self.reference != other.reference {
            return Err(Error::Merge {
                rule: "the parts have different arms".into(),
            });
        }
        for (a, b) in self.arms.iter_mut().zip(&other.arms) {
            if a.hosts.len() != b.hosts.len() {
                return Err(Error::Merge {
                    rule: "the parts have different hosts".into(),
                });
            }
            for (x, y) in a.hosts.iter_mut().zip(&b.hosts) {
                x.merge_from(y)?;
            }
            for (x, y) in a.totals.iter_mut().zip(&b.totals) {
                x.merge(y)?;
            }
            for (x, y) in a.totals_paired.iter_mut().zip(&b.totals_paired) {
                x.merge(y);
            }
        }
        Ok(())
    }
}

impl AllianceAccumulators {
    fn new(model: &AllianceModel, arms: usize, reference: usize) -> Result<Self, Error> {
        let arms = (0..arms)
            .map(|k| {
                let hosts = model
                    .models()
                    .iter()
                    .map(|m| ArmAccumulator::new(m.scenario(), k == reference))
                    .collect::<Result<Vec<_>, Error>>()?;
                Ok(JointArmAccumulator {
                    hosts,
                    totals: vec![MetricAccumulator::new(); TOTALS.len()],
                    totals_paired: if k == reference {
                        Vec::new()
                    } else {
                        vec![Paired::new(); TOTALS.len()]
                    },
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(AllianceAccumulators { reference, arms })
    }

    fn trials(&self) -> u64 {
        self.arms
            .first()
            .and_then(|a| a.totals.first())
            .map_or(0, |m| m.count() + m.rejected())
    }
}

/// Simulates trials `[start, end)` of every joint arm on the same worlds.
fn simulate_block(
    model: &AllianceModel,
    arms: &[Vec<Arm>],
    reference: usize,
    seed: u64,
    start: u64,
    end: u64,
) -> Result<AllianceAccumulators, Error> {
    let mut acc = AllianceAccumulators::new(model, arms.len(), reference)?;
    let mut ws = AllianceWorkspace::default();
    let mut outs = vec![AllianceTrial::default(); arms.len()];
    for trial in start..end {
        for (out, arm) in outs.iter_mut().zip(arms) {
            model.run(arm, seed, trial, &mut ws, out);
        }
        for (k, (joint, out)) in acc.arms.iter_mut().zip(&outs).enumerate() {
            let reference_out = &outs[reference];
            for (h, host_acc) in joint.hosts.iter_mut().enumerate() {
                let values = out.hosts[h].values();
                let months_per_step = 12.0 * model.models()[h].scenario().dt();
                host_acc.push_trial(&values, &out.records[h], months_per_step);
                if k != reference {
                    host_acc.push_paired(&values, &reference_out.hosts[h].values());
                }
            }
            let totals = out.totals.values();
            for (m, &v) in joint.totals.iter_mut().zip(&totals) {
                m.push(v);
            }
            if k != reference {
                let r = reference_out.totals.values();
                for ((p, &x), &y) in joint.totals_paired.iter_mut().zip(&totals).zip(&r) {
                    p.push(x, y);
                }
            }
        }
    }
    Ok(acc)
}

impl AllianceExperiment {
    /// An experiment on `alliance` with one joint arm (every host at its own
    /// `agreement.cycle_years`), 10,000 trials and seed 2019.
    pub fn new(alliance: Alliance) -> AllianceExperiment {
        let arms = vec![
            alliance
                .hosts
                .iter()
                .map(|h| h.agreement.cycle_years)
                .collect(),
        ];
        AllianceExperiment {
            alliance,
            arms,
            reference: 0,
            trials: crate::experiment::DEFAULT_TRIALS,
            seed: crate::experiment::DEFAULT_SEED,
            threads: None,
            observers: Vec::new(),
        }
    }

    /// The joint arms: per arm, one cycle length (years) per host, in the hosts' order.
    pub fn arms(mut self, arms: Vec<Vec<f64>>) -> AllianceExperiment {
        self.arms = arms;
        self
    }

    /// The joint arms as the product of per-host grids: `grids[i]` lists host `i`'s cycle
    /// lengths (the first host varies slowest). E.g. Korea `[1, 5]` and Japan `[5]` give the
    /// arms `[1, 5]` and `[5, 5]`.
    pub fn grid(mut self, grids: &[Vec<f64>]) -> AllianceExperiment {
        let mut arms: Vec<Vec<f64>> = vec![Vec::new()];
        for grid in grids {
            arms = arms
                .iter()
                .flat_map(|prefix| {
                    grid.iter().map(move |&c| {
                        let mut a = prefix.clone();
                        a.push(c);
                        a
                    })
                })
                .collect();
        }
        self.arms = arms;
        self
    }

    /// The reference arm (an index into the arms).
    pub fn reference(mut self, index: usize) -> AllianceExperiment {
        self.reference = index;
        self
    }

    /// Number of trials.
    pub fn trials(mut self, trials: u64) -> AllianceExperiment {
        self.trials = trials;
        self
    }

    /// The seed.
    pub fn seed(mut self, seed: u64) -> AllianceExperiment {
        self.seed = seed;
        self
    }

    /// Worker threads (results do not depend on it).
    pub fn threads(mut self, threads: usize) -> AllianceExperiment {
        self.threads = Some(threads);
        self
    }

    /// Adds an observer, called after each merged block.
    pub fn observer(mut self, observer: impl Observer + 'static) -> AllianceExperiment {
        self.observers.push(Box::new(observer));
        self
    }

    fn prepare(&self) -> Result<(AllianceModel, Vec<Vec<Arm>>, AllianceHeader), Error> {
        let invalid = |field: &str, rule: &str, got: String| Error::InvalidExperiment {
            field: field.into(),
            rule: rule.into(),
            got,
        };
        let model = AllianceModel::new(self.alliance.clone())?;
        if self.arms.is_empty() {
            return Err(invalid(
                "cycles",
                "at least one arm is needed",
                "none".into(),
            ));
        }
        for (i, a) in self.arms.iter().enumerate() {
            if self.arms[..i].contains(a) {
                return Err(invalid(
                    "cycles",
                    "arms must be distinct",
                    format!("{a:?} twice"),
                ));
            }
        }
        if self.reference >= self.arms.len() {
            return Err(invalid(
                "reference",
                "must be the index of an arm",
                self.reference.to_string(),
            ));
        }
        if self.trials == 0 {
            return Err(invalid("trials", "must be >= 1", "0".into()));
        }
        if self.threads == Some(0) {
            return Err(invalid("threads", "must be >= 1", "0".into()));
        }
        let arms = self
            .arms
            .iter()
            .map(|a| model.arms(a))
            .collect::<Result<Vec<_>, _>>()?;
        let protocol = model
            .models()
            .first()
            .map_or(String::new(), |m| m.protocol().name().to_string());
        let mut header = AllianceHeader {
            negcycle: VERSION.to_string(),
            alliance: self.alliance.clone(),
            protocol,
            arms: self.arms.clone(),
            reference_arm: self.reference,
            trials: self.trials,
            seed: self.seed,
            fingerprint: String::new(),
        };
        header.fingerprint = fingerprint_of(&header)?;
        Ok((model, arms, header))
    }

    fn execute(
        &mut self,
        model: &AllianceModel,
        arms: &[Vec<Arm>],
        start: u64,
        end: u64,
    ) -> Result<AllianceAccumulators, Error> {
        let (seed, reference) = (self.seed, self.reference);
        run_blocks(
            self.threads,
            start,
            end,
            &mut self.observers,
            AllianceAccumulators::new(model, arms.len(), reference)?,
            |a, b| simulate_block(model, arms, reference, seed, a, b),
            |_| false,
        )
    }

    /// Runs every trial.
    ///
    /// # Errors
    /// [`Error::Scenario`] for an invalid alliance or cycle length (named by host),
    /// [`Error::InvalidExperiment`] for bad settings.
    pub fn run(mut self) -> Result<AllianceReport, Error> {
        let (model, arms, header) = self.prepare()?;
        let acc = self.execute(&model, &arms, 0, self.trials)?;
        AllianceReport::from_parts(&header, &acc)
    }

    /// Runs shard `index` of `count`; merge the parts with [`AllianceReport::merge`].
    ///
    /// # Errors
    /// As [`AllianceExperiment::run`], and [`Error::InvalidExperiment`] for a bad shard.
    pub fn run_shard(mut self, index: u64, count: u64) -> Result<AlliancePartialReport, Error> {
        let (model, arms, header) = self.prepare()?;
        if count == 0 || index >= count {
            return Err(Error::InvalidExperiment {
                field: "shard".into(),
                rule: "must be I/N with 0 <= I < N".into(),
                got: format!("{index}/{count}"),
            });
        }
        let split = |i: u64| ((u128::from(self.trials) * u128::from(i)) / u128::from(count)) as u64;
        let (start, end) = (split(index), split(index + 1));
        let accumulators = self.execute(&model, &arms, start, end)?;
        Ok(AlliancePartialReport {
            negcycle_alliance_partial: 1,
            header,
            start,
            end,
            accumulators,
        })
    }
}

/// The result of one shard of an alliance experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlliancePartialReport {
    /// Marks the file as an alliance partial report.
    pub negcycle_alliance_partial: u32,
    /// The experiment.
    pub header: AllianceHeader,
    /// First trial.
    pub start: u64,
    /// One past the last trial.
    pub end: u64,
    /// Its statistics.
    pub accumulators: AllianceAccumulators,
}

impl AlliancePartialReport {
    /// As JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        to_json(self, "partial report", false)
    }

    /// Reads one from JSON.
    ///
    /// # Errors
    /// [`Error::Json`] if the text is not an alliance partial report.
    pub fn from_json_str(text: &str, origin: &str) -> Result<AlliancePartialReport, Error> {
        from_json(text, origin)
    }
}

crate::report::impl_part!(AlliancePartialReport, AllianceHeader, AllianceAccumulators);

/// One host in one joint arm of the report: its name and the single-host arm report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostReport {
    /// The host's name.
    pub name: String,
    /// Its metrics, paired differences (against the same host in the reference arm) and
    /// histograms; `cycle_years` is this host's cycle in this arm.
    #[serde(flatten)]
    pub report: ArmReport,
}

/// One joint arm of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllianceArmReport {
    /// Each host's cycle length in this arm, years.
    pub cycle_years: BTreeMap<String, f64>,
    /// The patron's totals.
    pub totals: BTreeMap<String, Summary>,
    /// Paired differences of the totals against the reference arm (empty for it).
    pub totals_vs_reference: BTreeMap<String, PairedSummary>,
    /// Per host, in the alliance's order.
    pub hosts: Vec<HostReport>,
}

/// The report of an alliance experiment: the single-host report's shape with a `hosts` level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllianceReport {
    /// Crate version.
    pub negcycle: String,
    /// The alliance's name.
    pub scenario: String,
    /// Money unit.
    pub units: String,
    /// Fingerprint of the experiment.
    pub fingerprint: String,
    /// Seed.
    pub seed: u64,
    /// Trials.
    pub trials: u64,
    /// The hosts, in order.
    pub hosts: Vec<String>,
    /// Index of the reference arm.
    pub reference_arm: usize,
    /// The joint arms.
    pub arms: Vec<AllianceArmReport>,
}

impl AllianceReport {
    fn from_parts(header: &AllianceHeader, acc: &AllianceAccumulators) -> Result<Self, Error> {
        let names = header.alliance.host_names();
        let arms = header
            .arms
            .iter()
            .zip(&acc.arms)
            .map(|(cycles, joint)| {
                let hosts = names
                    .iter()
                    .zip(cycles)
                    .zip(&joint.hosts)
                    .map(|((name, &c), a)| HostReport {
                        name: name.clone(),
                        report: ArmReport::from_accumulator(c, a),
                    })
                    .collect();
                AllianceArmReport {
                    cycle_years: names.iter().cloned().zip(cycles.iter().copied()).collect(),
                    totals: TOTALS
                        .iter()
                        .zip(&joint.totals)
                        .map(|((name, ..), m)| (name.to_string(), m.summary()))
                        .collect(),
                    totals_vs_reference: TOTALS
                        .iter()
                        .zip(&joint.totals_paired)
                        .map(|((name, ..), p)| (name.to_string(), p.summary()))
                        .collect(),
                    hosts,
                }
            })
            .collect();
        Ok(AllianceReport {
            negcycle: header.negcycle.clone(),
            scenario: header.alliance.name.clone(),
            units: header.alliance.units.clone(),
            fingerprint: header.fingerprint.clone(),
            seed: header.seed,
            trials: acc.trials(),
            hosts: names,
            reference_arm: header.reference_arm,
            arms,
        })
    }

    /// Merges the shards of one alliance experiment into its report (bit-identical to the
    /// unsharded run).
    ///
    /// # Errors
    /// [`Error::Merge`] for no parts, parts of different experiments, overlaps or gaps.
    pub fn merge(parts: &[AlliancePartialReport]) -> Result<AllianceReport, Error> {
        let (header, acc) = merge_parts(parts)?;
        AllianceReport::from_parts(header, &acc)
    }

    /// The report as pretty JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        to_json(self, "report", true)
    }

    /// Reads a report from JSON.
    ///
    /// # Errors
    /// [`Error::Json`].
    pub fn from_json_str(text: &str, origin: &str) -> Result<AllianceReport, Error> {
        from_json(text, origin)
    }

    /// A host's report in joint arm `arm`.
    ///
    /// # Errors
    /// [`Error::UnknownArm`] / [`Error::InvalidExperiment`] naming the missing arm or host.
    pub fn host(&self, arm: usize, name: &str) -> Result<&ArmReport, Error> {
        let a = self.arms.get(arm).ok_or_else(|| Error::InvalidExperiment {
            field: "arm".into(),
            rule: format!("must be < {}", self.arms.len()),
            got: arm.to_string(),
        })?;
        a.hosts
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.report)
            .ok_or_else(|| Error::InvalidExperiment {
                field: "host".into(),
                rule: format!("must be one of {}", self.hosts.join(", ")),
                got: name.to_string(),
            })
    }

    /// Tidy CSV: one row per arm, level (`totals` or a host) and metric.
    pub fn to_csv_string(&self) -> String {
        use crate::report::escape::csv_field;
        let mut out = String::from(
            "scenario,arm,cycles,level,metric,n,mean,sd,se,ci95_lo,ci95_hi,p05,p50,p95,\
             diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi\n",
        );
        let row = |out: &mut String,
                   k: usize,
                   cycles: &str,
                   level: &str,
                   metric: &str,
                   s: &Summary,
                   d: Option<&PairedSummary>| {
            out.push_str(&format!(
                "{},{k},{},{},{metric},{},{}\n",
                csv_field(&self.scenario),
                csv_field(cycles),
                csv_field(level),
                crate::report::csv_summary(s, false),
                crate::report::csv_paired(d)
            ));
        };
        for (k, arm) in self.arms.iter().enumerate() {
            let cycles = self
                .hosts
                .iter()
                .filter_map(|h| arm.cycle_years.get(h).map(|c| format!("{h}={c}")))
                .collect::<Vec<_>>()
                .join(";");
            for (name, ..) in TOTALS {
                if let Some(s) = arm.totals.get(*name) {
                    row(
                        &mut out,
                        k,
                        &cycles,
                        "totals",
                        name,
                        s,
                        arm.totals_vs_reference.get(*name),
                    );
                }
            }
            for h in &arm.hosts {
                for info in METRICS.iter().take(N_METRICS) {
                    if let Some(s) = h.report.metrics.get(info.name) {
                        let d = h.report.vs_reference.get(info.name);
                        row(&mut out, k, &cycles, &h.name, info.name, s, d);
                    }
                }
            }
        }
        out
    }
}

impl fmt::Display for AllianceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} trials, seed {}; mean ± 95% CI half-width over one simulated history",
            self.scenario, self.units, self.trials, self.seed
        )?;
        let label = |a: &AllianceArmReport| {
            self.hosts
                .iter()
                .filter_map(|h| a.cycle_years.get(h).map(|c| format!("{h} {c}")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (k, a) in self.arms.iter().enumerate() {
            let reference = if k == self.reference_arm {
                " (reference)"
            } else {
                ""
            };
            writeln!(f, "arm {k}{reference}: {}", label(a))?;
        }
        let width = 24usize;
        write!(f, "{:<34}", "")?;
        for k in 0..self.arms.len() {
            write!(f, "{:>width$}", format!("arm {k}"))?;
        }
        writeln!(f)?;
        let cell = |s: &Summary| {
            let half = (s.ci95[1] - s.ci95[0]) / 2.0;
            format!("{:.4} ± {:.2e}", s.mean, half)
        };
        writeln!(f, "patron totals")?;
        for (name, ..) in TOTALS {
            write!(f, "  {name:<32}")?;
            for a in &self.arms {
                write!(
                    f,
                    "{:>width$}",
                    a.totals.get(*name).map_or("-".into(), cell)
                )?;
            }
            writeln!(f)?;
        }
        for (h, host) in self.hosts.iter().enumerate() {
            writeln!(f, "{host}")?;
            for metric in [
                "opening_demand",
                "payments",
                "lapse_months",
                "support_min",
                "joint_loss",
            ] {
                write!(f, "  {metric:<32}")?;
                for a in &self.arms {
                    let s = a.hosts.get(h).and_then(|r| r.report.metrics.get(metric));
                    write!(f, "{:>width$}", s.map_or("-".into(), cell))?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
