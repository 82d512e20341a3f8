//! Reports: the summary of an experiment per arm and metric, partial reports of shards and their
//! merge, and output as a table ([`std::fmt::Display`]), JSON and tidy CSV.
//!
//! # JSON shape (stable)
//! ```text
//! {"negcycle": version, "scenario": name, "units": units, "fingerprint": hex, "seed": n,
//!  "trials": n, "reference_cycle_years": x,
//!  "arms": [{"cycle_years": x,
//!            "metrics": {"<metric>": {"n","mean","sd","se","ci95":[lo,hi],"min","max",
//!                                      "p05","p25","p50","p75","p95"}},
//!            "vs_reference": {"<metric>": {"mean","se","ci95":[lo,hi]}},
//!            "signing_vs_deadline_months": {"edges": [...], "counts": [...]},
//!            "lapse_months_histogram": {"edges": [...], "counts": [...]}}]}
//! ```
//! Metric keys are the names of [`crate::METRICS`] (alphabetical in the JSON); `vs_reference`
//! is empty for the reference arm and holds, per metric, the mean of the per-trial difference
//! `arm − reference` (same trial, same world) with its standard error and 95% CI.
//! `trials` is the number of trials run. Quantiles come from a sketch with relative error at most
//! 0.5% ([`crate::stats::QuantileSketch`]); all other statistics are exact up to the final
//! rounding.

use crate::error::Error;
use crate::experiment::{Accumulators, Mergeable, PrecisionTarget};
use crate::metrics::{METRICS, MetricGroup, metric_index};
use crate::scenario::Scenario;
use crate::stats::{PairedSummary, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub mod escape;
pub mod write;

pub(crate) use escape::csv_field;
pub use write::write_atomic;

/// The crate version written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What identifies an experiment: everything its numbers depend on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Crate version that produced it.
    pub negcycle: String,
    /// The full scenario.
    pub scenario: Scenario,
    /// The protocol's name.
    pub protocol: String,
    /// Arms, cycle lengths in years.
    pub arms: Vec<f64>,
    /// The reference arm.
    pub reference_cycle_years: f64,
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
    pub(crate) fn new(
        scenario: &Scenario,
        protocol: &str,
        arms: &[f64],
        reference: f64,
        trials: u64,
        seed: u64,
        precision: Option<PrecisionTarget>,
    ) -> Result<Header, Error> {
        let mut h = Header {
            negcycle: VERSION.to_string(),
            scenario: scenario.clone(),
            protocol: protocol.to_string(),
            arms: arms.to_vec(),
            reference_cycle_years: reference,
            trials,
            seed,
            precision,
            fingerprint: String::new(),
        };
        h.fingerprint = h.compute_fingerprint()?;
        Ok(h)
    }

    /// Recomputes the fingerprint from the other fields.
    ///
    /// # Errors
    /// [`Error::Internal`] if the header cannot be serialised (it always can).
    pub fn compute_fingerprint(&self) -> Result<String, Error> {
        fingerprint_of(&<PartialReport as Part>::blank(self))
    }
}

/// The fingerprint of a value: 64-bit FNV-1a of its canonical JSON, in hex.
///
/// # Errors
/// [`Error::Internal`] if the value cannot be serialised.
pub(crate) fn fingerprint_of<T: Serialize>(value: &T) -> Result<String, Error> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::Internal(format!("fingerprint: {e}")))?;
    Ok(format!("{:016x}", fnv1a(text.as_bytes())))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The result of one shard: trials `[start, end)` of an experiment, mergeable with the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialReport {
    /// Marks the file as a negcycle partial report.
    pub negcycle_partial: u32,
    /// The experiment.
    pub header: Header,
    /// First trial of this shard.
    pub start: u64,
    /// One past its last trial.
    pub end: u64,
    /// Its statistics.
    pub accumulators: Accumulators,
}

impl PartialReport {
    pub(crate) fn new(header: Header, start: u64, end: u64, acc: Accumulators) -> PartialReport {
        PartialReport {
            negcycle_partial: 1,
            header,
            start,
            end,
            accumulators: acc,
        }
    }

    /// The partial report as JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        to_json(self, "partial report", false)
    }

    /// Reads a partial report from JSON.
    ///
    /// # Errors
    /// [`Error::Json`] if the text is not a partial report.
    pub fn from_json_str(text: &str, origin: &str) -> Result<PartialReport, Error> {
        from_json(text, origin)
    }

    /// Writes the partial report to `path` atomically (temporary file, then rename).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_json_string()?.as_bytes())
    }
}

/// Serialises `value` as compact (`pretty = false`) or pretty JSON.
///
/// # Errors
/// [`Error::Internal`] naming `what` if serialisation fails.
pub(crate) fn to_json<T: Serialize>(value: &T, what: &str, pretty: bool) -> Result<String, Error> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.map_err(|e| Error::Internal(format!("{what}: {e}")))
}

/// Parses JSON text from `origin`.
///
/// # Errors
/// [`Error::Json`] naming the origin.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::Json {
        origin: origin.to_string(),
        message: e.to_string(),
    })
}

/// A shard's result as [`merge_parts`] sees it: an experiment header, a trial range and
/// mergeable statistics.
pub(crate) trait Part {
    /// The experiment header (identical in every part of one experiment).
    type Header: PartialEq + Serialize + Clone;
    /// The statistics.
    type Acc: Mergeable + Clone;
    /// The header.
    fn header(&self) -> &Self::Header;
    /// Its fingerprint as stored.
    fn fingerprint(header: &Self::Header) -> &str;
    /// A copy with the fingerprint blanked, to recompute it.
    fn blank(header: &Self::Header) -> Self::Header;
    /// The experiment's trial count.
    fn trials(header: &Self::Header) -> u64;
    /// The part's trials `[start, end)`.
    fn range(&self) -> (u64, u64);
    /// The part's statistics.
    fn acc(&self) -> &Self::Acc;
    /// Trials its statistics hold.
    fn held(&self) -> u64;
}

/// Checks the parts of one experiment (same header, untampered fingerprint, ranges inside the
/// experiment, statistics holding their ranges, tiling `[0, trials)` exactly) and merges them in
/// trial order.
///
/// # Errors
/// [`Error::Merge`] naming the first problem.
pub(crate) fn merge_parts<P: Part>(parts: &[P]) -> Result<(&P::Header, P::Acc), Error> {
    let merge_err = |rule: String| Error::Merge { rule };
    let first = parts
        .first()
        .ok_or_else(|| merge_err("no partial reports to merge".into()))?;
    let header = first.header();
    let (fingerprint, trials) = (P::fingerprint(header), P::trials(header));
    if fingerprint_of(&P::blank(header))? != fingerprint {
        let (start, end) = first.range();
        return Err(merge_err(format!(
            "part [{start}, {end}): its fingerprint does not match its contents (edited file?)"
        )));
    }
    for p in parts {
        let (start, end) = p.range();
        if p.header() != header {
            return Err(merge_err(format!(
                "part [{start}, {end}) comes from a different experiment (fingerprint {} vs \
                 {fingerprint})",
                P::fingerprint(p.header())
            )));
        }
        if start > end || end > trials {
            return Err(merge_err(format!(
                "part [{start}, {end}) is outside the experiment's {trials} trials"
            )));
        }
        if p.held() != end - start {
            return Err(merge_err(format!(
                "part [{start}, {end}) holds {} trials",
                p.held()
            )));
        }
    }
    let order = covering_order(parts.iter().map(Part::range), trials)?;
    let mut acc = parts[order[0]].acc().clone();
    for &i in &order[1..] {
        acc.merge_from(parts[i].acc())?;
    }
    Ok((header, acc))
}

/// Implements [`Part`] for a partial report with `header` (holding `fingerprint` and `trials`),
/// `start`, `end` and `accumulators` (with a `trials()` count).
macro_rules! impl_part {
    ($part:ty, $header:ty, $acc:ty) => {
        impl $crate::report::Part for $part {
            type Header = $header;
            type Acc = $acc;
            fn header(&self) -> &$header {
                &self.header
            }
            fn fingerprint(header: &$header) -> &str {
                &header.fingerprint
            }
            fn blank(header: &$header) -> $header {
                let mut blank = header.clone();
                blank.fingerprint = String::new();
                blank
            }
            fn trials(header: &$header) -> u64 {
                header.trials
            }
            fn range(&self) -> (u64, u64) {
                (self.start, self.end)
            }
            fn acc(&self) -> &$acc {
                &self.accumulators
            }
            fn held(&self) -> u64 {
                self.accumulators.trials()
            }
        }
    };
}
pub(crate) use impl_part;

impl_part!(PartialReport, Header, Accumulators);

/// Checks that the trial ranges `[start, end)` of the parts tile `[0, trials)` exactly and
/// returns the parts' indices in trial order.
///
/// # Errors
/// [`Error::Merge`] naming the first gap or overlap.
pub(crate) fn covering_order(
    ranges: impl Iterator<Item = (u64, u64)>,
    trials: u64,
) -> Result<Vec<usize>, Error> {
    let ranges: Vec<(u64, u64)> = ranges.collect();
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i]);
    let mut next = 0u64;
    for &i in &order {
        let (start, end) = ranges[i];
        if start > next {
            return Err(Error::Merge {
                rule: format!("gap: trials [{next}, {start}) are missing"),
            });
        }
        if start < next {
            return Err(Error::Merge {
                rule: format!(
                    "overlap: trials [{start}, {}) appear in more than one part",
                    next.min(end)
                ),
            });
        }
        next = end;
    }
    if next != trials {
        return Err(Error::Merge {
            rule: format!("gap: trials [{next}, {trials}) are missing"),
        });
    }
    Ok(order)
}

/// A histogram in the report: `counts[i]` values fell in `[edges[i], edges[i+1])`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramReport {
    /// Bin edges, months.
    pub edges: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<u64>,
}

/// The results of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmReport {
    /// The arm's cycle length, years.
    pub cycle_years: f64,
    /// Summary per metric.
    pub metrics: BTreeMap<String, Summary>,
    /// Paired difference against the reference arm per metric (empty for the reference arm).
    pub vs_reference: BTreeMap<String, PairedSummary>,
    /// Signing time relative to the deadline of completed negotiations, months.
    pub signing_vs_deadline_months: HistogramReport,
    /// Lapse length of completed negotiations, months (first bin: no lapse).
    pub lapse_months_histogram: HistogramReport,
}

impl ArmReport {
    /// The report of one arm with cycle length `cycle_years` from its statistics.
    pub fn from_accumulator(cycle_years: f64, a: &crate::experiment::ArmAccumulator) -> ArmReport {
        ArmReport {
            cycle_years,
            metrics: METRICS
                .iter()
                .zip(&a.metrics)
                .map(|(info, m)| (info.name.to_string(), m.summary()))
                .collect(),
            vs_reference: METRICS
                .iter()
                .zip(&a.paired)
                .map(|(info, p)| (info.name.to_string(), p.summary()))
                .collect(),
            signing_vs_deadline_months: HistogramReport {
                edges: a.signing.edges().to_vec(),
                counts: a.signing.counts().to_vec(),
            },
            lapse_months_histogram: HistogramReport {
                edges: a.lapse.edges().to_vec(),
                counts: a.lapse.counts().to_vec(),
            },
        }
    }

    /// The summary of one metric.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the metric names.
    pub fn metric(&self, name: &str) -> Result<&Summary, Error> {
        self.metrics.get(name).ok_or_else(|| unknown_metric(name))
    }

    /// The paired difference against the reference arm for one metric; `None` for the
    /// reference arm itself.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`] listing the metric names.
    pub fn vs_reference(&self, name: &str) -> Result<Option<&PairedSummary>, Error> {
        if metric_index(name).is_none() {
            return Err(unknown_metric(name));
        }
        Ok(self.vs_reference.get(name))
    }
}

fn unknown_metric(name: &str) -> Error {
    Error::UnknownMetric {
        name: name.to_string(),
        available: METRICS.iter().map(|m| m.name.to_string()).collect(),
    }
}

/// The report of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Crate version that produced it.
    pub negcycle: String,
    /// Scenario name.
    pub scenario: String,
    /// Money unit of the scenario.
    pub units: String,
    /// Fingerprint of the experiment (see [`Header`]).
    pub fingerprint: String,
    /// Seed.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// The reference arm's cycle length, years.
    pub reference_cycle_years: f64,
    /// One entry per arm, in the experiment's order.
    pub arms: Vec<ArmReport>,
}

impl Report {
    pub(crate) fn from_parts(header: Header, acc: Accumulators) -> Result<Report, Error> {
        let trials = acc.trials();
        let arms = header
            .arms
            .iter()
            .zip(&acc.arms)
            .map(|(&cycle_years, a)| ArmReport::from_accumulator(cycle_years, a))
            .collect();
        Ok(Report {
            negcycle: header.negcycle,
            scenario: header.scenario.name.clone(),
            units: header.scenario.units.clone(),
            fingerprint: header.fingerprint,
            seed: header.seed,
            trials,
            reference_cycle_years: header.reference_cycle_years,
            arms,
        })
    }

    /// Merges the partial reports of all shards of one experiment into its full report, which
    /// is bit-identical to the report of the unsharded run.
    ///
    /// # Errors
    /// [`Error::Merge`] if there are no parts, if they come from different experiments
    /// (fingerprints differ or do not match their headers), overlap, or leave a gap.
    pub fn merge(parts: &[PartialReport]) -> Result<Report, Error> {
        let (header, acc) = merge_parts(parts)?;
        Report::from_parts(header.clone(), acc)
    }

    /// The arm with cycle length `cycle_years`.
    ///
    /// # Errors
    /// [`Error::UnknownArm`] listing the arms.
    pub fn arm(&self, cycle_years: f64) -> Result<&ArmReport, Error> {
        self.arms
            .iter()
            .find(|a| a.cycle_years == cycle_years)
            .ok_or_else(|| Error::UnknownArm {
                cycle_years,
                available: self.arms.iter().map(|a| a.cycle_years).collect(),
            })
    }

    /// The arm with the lowest mean of `metric`.
    ///
    /// # Errors
    /// [`Error::UnknownMetric`].
    pub fn best_arm(&self, metric: &str) -> Result<&ArmReport, Error> {
        let mut best: Option<(&ArmReport, f64)> = None;
        for a in &self.arms {
            let m = a.metric(metric)?.mean;
            if best.is_none_or(|(_, b)| m < b) {
                best = Some((a, m));
            }
        }
        best.map(|(a, _)| a).ok_or_else(|| unknown_metric(metric))
    }

    /// The report as pretty JSON (the shape in the module docs).
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json_string(&self) -> Result<String, Error> {
        to_json(self, "report", true)
    }

    /// Reads a report from JSON.
    ///
    /// # Errors
    /// [`Error::Json`] if the text is not a report.
    pub fn from_json_str(text: &str, origin: &str) -> Result<Report, Error> {
        from_json(text, origin)
    }

    /// Writes the JSON report to `path` atomically (temporary file, then rename).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_json_string()?.as_bytes())
    }

    /// The report as tidy CSV: one row per arm and metric, with the summary statistics and the
    /// paired difference against the reference arm (empty for the reference arm).
    pub fn to_csv_string(&self) -> String {
        let mut out = String::from(
            "scenario,cycle_years,reference_cycle_years,metric,group,unit,n,mean,sd,se,ci95_lo,ci95_hi,\
             min,max,p05,p25,p50,p75,p95,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi\n",
        );
        for arm in &self.arms {
            for info in METRICS {
                let Some(s) = arm.metrics.get(info.name) else {
                    continue;
                };
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    csv_field(&self.scenario),
                    arm.cycle_years,
                    self.reference_cycle_years,
                    info.name,
                    csv_field(info.group.label()),
                    csv_field(info.unit),
                    csv_summary(s, true),
                    csv_paired(arm.vs_reference.get(info.name))
                ));
            }
        }
        out
    }

    /// Writes the CSV report to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_atomic(path.as_ref(), self.to_csv_string().as_bytes())
    }
}

/// A summary's CSV columns: `n,mean,sd,se,ci95_lo,ci95_hi`, then `min,max,p05,p25,p50,p75,p95`
/// (`all_quantiles`) or `p05,p50,p95`.
pub(crate) fn csv_summary(s: &Summary, all_quantiles: bool) -> String {
    let head = format!(
        "{},{},{},{},{},{}",
        s.n, s.mean, s.sd, s.se, s.ci95[0], s.ci95[1]
    );
    if all_quantiles {
        format!(
            "{head},{},{},{},{},{},{},{}",
            s.min, s.max, s.p05, s.p25, s.p50, s.p75, s.p95
        )
    } else {
        format!("{head},{},{},{}", s.p05, s.p50, s.p95)
    }
}

/// A paired difference's CSV columns `diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi` (empty for
/// the reference arm).
pub(crate) fn csv_paired(d: Option<&PairedSummary>) -> String {
    d.map_or_else(
        || ",,,".to_string(),
        |d| format!("{},{},{},{}", d.mean, d.se, d.ci95[0], d.ci95[1]),
    )
}

/// `digits` significant digits, without exponent for ordinary magnitudes.
fn sig(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        let d = (digits - 1).max(0) as usize;
        return format!("{x:.d$e}");
    }
    let decimals = (digits - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// `"1 year"`, `"2.5 years"`.
pub fn years_label(c: f64) -> String {
    if c == 1.0 {
        "1 year".into()
    } else {
        format!("{c} years")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} trials, seed {}; mean ± 95% CI half-width over one simulated history",
            self.scenario, self.units, self.trials, self.seed,
        )?;
        let best = self
            .best_arm("joint_loss")
            .map(|a| a.cycle_years)
            .unwrap_or(f64::NAN);
        let width = 22usize;
        write!(f, "{:<24}", "cycle")?;
        for a in &self.arms {
            let mut label = years_label(a.cycle_years);
            if a.cycle_years == self.reference_cycle_years {
                label.push_str(" (ref)");
            }
            write!(f, "{label:>width$}")?;
        }
        writeln!(f)?;
        for group in [
            MetricGroup::Friction,
            MetricGroup::Uncertainty,
            MetricGroup::AgreementCost,
            MetricGroup::Support,
        ] {
            writeln!(f, "{}", group.label())?;
            for info in METRICS.iter().filter(|m| m.group == group) {
                write!(f, "  {:<22}", info.name)?;
                for a in &self.arms {
                    let cell = match a.metrics.get(info.name) {
                        Some(s) => {
                            let half = (s.ci95[1] - s.ci95[0]) / 2.0;
                            let mark = if info.name == "joint_loss" && a.cycle_years == best {
                                " *"
                            } else {
                                "  "
                            };
                            format!("{} ± {}{mark}", sig(s.mean, 4), sig(half, 2))
                        }
                        None => "-".into(),
                    };
                    write!(f, "{cell:>width$}")?;
                }
                writeln!(f)?;
            }
        }
        writeln!(
            f,
            "* lowest joint loss. Money in {}, present values; lapse in months; shares of steps.",
            self.units
        )
    }
}
