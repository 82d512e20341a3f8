//! The mergeable statistics of a run, named by level: a [`MetricTally`] per metric, a
//! [`HostTally`] per host of an arm, an [`ArmTally`] per arm, and the [`Tally`] of every arm of
//! an experiment (or of one shard of its trials). Every level merges exactly (integer sums and
//! counts), so neither block order, thread count nor sharding changes a bit.

use crate::error::Error;
use crate::metrics::{N_METRICS, NegotiationRecord};
use crate::scenario::Scenario;
use crate::stats::{Histogram, MetricTally, Paired};
use serde::{Deserialize, Serialize};

/// The statistics of one host in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostTally {
    /// One tally per metric, in [`crate::METRICS`] order.
    pub metrics: Vec<MetricTally>,
    /// Paired differences against the same host in the reference arm, per metric (empty for
    /// the reference arm).
    pub paired: Vec<Paired>,
    /// Signing time relative to the deadline of every completed negotiation, months.
    pub signing: Histogram,
    /// Lapse length of every completed negotiation, months (the first bin counts deals without
    /// a lapse).
    pub lapse: Histogram,
}

impl HostTally {
    /// Empty statistics for a host with scenario `scenario`.
    ///
    /// # Errors
    /// [`Error::Stats`] if the histogram edges cannot be built (they always can for a valid
    /// scenario).
    pub fn new(scenario: &Scenario, is_reference: bool) -> Result<HostTally, Error> {
        Ok(HostTally {
            metrics: vec![MetricTally::new(); N_METRICS],
            paired: if is_reference {
                Vec::new()
            } else {
                vec![Paired::new(); N_METRICS]
            },
            signing: Histogram::new(signing_edges(scenario))?,
            lapse: Histogram::new(lapse_edges(scenario))?,
        })
    }

    /// Adds one trial: its metric values and the records of its completed negotiations.
    pub fn push_trial(
        &mut self,
        values: &[f64; N_METRICS],
        records: &[NegotiationRecord],
        months_per_step: f64,
    ) {
        for (m, &v) in self.metrics.iter_mut().zip(values) {
            m.push(v);
        }
        for r in records.iter().filter(|r| r.completed) {
            self.signing.push(r.signing_months);
            self.lapse.push(f64::from(r.lapse_steps) * months_per_step);
        }
    }

    /// Adds the paired differences of one trial against the reference arm's values.
    pub fn push_paired(&mut self, values: &[f64; N_METRICS], reference: &[f64; N_METRICS]) {
        for ((d, &x), &r) in self.paired.iter_mut().zip(values).zip(reference) {
            d.push(x, r);
        }
    }

    fn merge_from(&mut self, other: &HostTally) -> Result<(), Error> {
        for (x, y) in self.metrics.iter_mut().zip(&other.metrics) {
            x.merge(y)?;
        }
        for (x, y) in self.paired.iter_mut().zip(&other.paired) {
            x.merge(y);
        }
        self.signing.merge(&other.signing)?;
        self.lapse.merge(&other.lapse)?;
        Ok(())
    }

    fn same_shape(&self, other: &HostTally) -> bool {
        self.metrics.len() == other.metrics.len()
            && self.paired.len() == other.paired.len()
            && self.signing.edges() == other.signing.edges()
            && self.lapse.edges() == other.lapse.edges()
    }
}

/// The statistics of one arm: per host, and (with several hosts) the patron's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmTally {
    /// Per host, in the hosts' order.
    pub hosts: Vec<HostTally>,
    /// The patron's totals over all hosts, in [`crate::alliance::TOTALS`] order (empty with
    /// one host).
    pub totals: Vec<MetricTally>,
    /// Paired differences of the totals against the reference arm (empty for it, and with one
    /// host).
    pub totals_paired: Vec<Paired>,
}

/// The statistics of every arm of an experiment, or of a shard of its trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Index of the reference arm.
    pub reference: usize,
    /// Per arm, in the experiment's order.
    pub arms: Vec<ArmTally>,
}

impl Tally {
    /// Empty statistics: one arm per entry of `arms`, each with the scenarios of its hosts,
    /// paired against arm `reference`; totals are kept when there are several hosts.
    ///
    /// # Errors
    /// [`Error::Stats`] if histogram edges cannot be built.
    pub fn new(arms: &[Vec<&Scenario>], reference: usize) -> Result<Tally, Error> {
        let arms = arms
            .iter()
            .enumerate()
            .map(|(k, hosts)| {
                let is_ref = k == reference;
                let n_totals = if hosts.len() > 1 {
                    crate::alliance::TOTALS.len()
                } else {
                    0
                };
                Ok(ArmTally {
                    hosts: hosts
                        .iter()
                        .map(|s| HostTally::new(s, is_ref))
                        .collect::<Result<Vec<_>, Error>>()?,
                    totals: vec![MetricTally::new(); n_totals],
                    totals_paired: if is_ref {
                        Vec::new()
                    } else {
                        vec![Paired::new(); n_totals]
                    },
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Tally { reference, arms })
    }

    /// Whether `other` has exactly this tally's shape (arms, reference, hosts, metrics, paired
    /// entries, histogram edges).
    pub fn same_shape(&self, other: &Tally) -> bool {
        self.reference == other.reference
            && self.arms.len() == other.arms.len()
            && self.arms.iter().zip(&other.arms).all(|(a, b)| {
                a.hosts.len() == b.hosts.len()
                    && a.totals.len() == b.totals.len()
                    && a.totals_paired.len() == b.totals_paired.len()
                    && a.hosts.iter().zip(&b.hosts).all(|(x, y)| x.same_shape(y))
            })
    }

    /// Adds `other` (a later block or shard of the same experiment).
    ///
    /// # Errors
    /// [`Error::Merge`] if the two have different shapes; [`Error::Stats`] if their summaries
    /// were built with different settings.
    pub fn merge_from(&mut self, other: &Tally) -> Result<(), Error> {
        if !self.same_shape(other) {
            return Err(Error::Merge {
                rule: "the parts have different arms, hosts or histograms".into(),
            });
        }
        for (a, b) in self.arms.iter_mut().zip(&other.arms) {
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

    /// Trials absorbed so far (accepted plus rejected values of the first metric).
    pub fn trials(&self) -> u64 {
        self.arms
            .first()
            .and_then(|a| a.hosts.first())
            .and_then(|h| h.metrics.first())
            .map_or(0, |m| m.count() + m.rejected())
    }

    /// Every metric tally with its field path (`tally.arms[K].hosts[H].metrics.NAME`, and
    /// `tally.arms[K].totals.NAME` for an alliance's totals).
    pub(crate) fn metric_tallies(&self) -> impl Iterator<Item = (String, &MetricTally)> + '_ {
        self.arms.iter().enumerate().flat_map(|(k, arm)| {
            let hosts = arm.hosts.iter().enumerate().flat_map(move |(h, host)| {
                crate::METRICS
                    .iter()
                    .zip(&host.metrics)
                    .map(move |(info, m)| {
                        (
                            format!("tally.arms[{k}].hosts[{h}].metrics.{}", info.name),
                            m,
                        )
                    })
            });
            let totals = crate::alliance::TOTALS
                .iter()
                .zip(&arm.totals)
                .map(move |((name, ..), m)| (format!("tally.arms[{k}].totals.{name}"), m));
            hosts.chain(totals)
        })
    }

    /// Every paired-difference tally with its field path (`tally.arms[K].hosts[H].paired.NAME`,
    /// `tally.arms[K].totals_paired.NAME`).
    pub(crate) fn paired_tallies(&self) -> impl Iterator<Item = (String, &Paired)> + '_ {
        self.arms.iter().enumerate().flat_map(|(k, arm)| {
            let hosts = arm.hosts.iter().enumerate().flat_map(move |(h, host)| {
                crate::METRICS
                    .iter()
                    .zip(&host.paired)
                    .map(move |(info, p)| {
                        (
                            format!("tally.arms[{k}].hosts[{h}].paired.{}", info.name),
                            p,
                        )
                    })
            });
            let totals = crate::alliance::TOTALS
                .iter()
                .zip(&arm.totals_paired)
                .map(move |((name, ..), p)| (format!("tally.arms[{k}].totals_paired.{name}"), p));
            hosts.chain(totals)
        })
    }

    /// Checks that no value was dropped: every tally holds exactly `trials` accepted values.
    ///
    /// # Errors
    /// [`Error::Overflow`] naming the first tally with a rejected value (NaN, ±∞ or beyond
    /// [`crate::stats::MAX_ABS_VALUE`]), [`Error::Merge`] for a count that differs.
    pub fn check_complete(&self, trials: u64) -> Result<(), Error> {
        let metrics = self
            .metric_tallies()
            .map(|(place, m)| (place, m.count(), m.rejected()));
        let paired = self
            .paired_tallies()
            .map(|(place, p)| (place, p.count(), p.rejected()));
        for (place, count, rejected) in metrics.chain(paired) {
            if rejected > 0 {
                return Err(Error::Overflow {
                    place,
                    rejected,
                    limit: crate::stats::MAX_ABS_VALUE,
                });
            }
            if count != trials {
                return Err(Error::Merge {
                    rule: format!("{place}: holds {count} values for {trials} trials"),
                });
            }
        }
        Ok(())
    }

    /// Whether `metric`'s standard error is at most `target·|mean|` for every host of every arm.
    pub(crate) fn precise_enough(&self, metric: usize, target: f64) -> bool {
        self.arms.iter().flat_map(|a| &a.hosts).all(|h| {
            let m = h.metrics[metric].moments();
            m.count() >= 2 && m.standard_error() <= target * m.mean().abs()
        })
    }
}

/// Histogram edges for signing times: from the window's opening to the longest lapse, in bins of
/// one step (at least a month; at most 240 bins).
fn signing_edges(s: &Scenario) -> Vec<f64> {
    let step_months = 12.0 / f64::from(s.steps_per_year);
    let lo = -s.agreement.window_months;
    let hi = s.agreement.max_lapse_months + step_months;
    edges(lo, hi, step_months)
}

fn lapse_edges(s: &Scenario) -> Vec<f64> {
    let step_months = 12.0 / f64::from(s.steps_per_year);
    edges(0.0, s.agreement.max_lapse_months + step_months, step_months)
}

fn edges(lo: f64, hi: f64, step_months: f64) -> Vec<f64> {
    let mut width = step_months.max(1.0);
    while (hi - lo) / width > 240.0 {
        width *= 2.0;
    }
    let bins = (((hi - lo) / width).ceil() as usize).max(1);
    (0..=bins).map(|i| lo + i as f64 * width).collect()
}
