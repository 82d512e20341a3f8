//! The simulated moments: `S` replicas of the record on its calendar, on common random numbers.
//!
//! The scenario is put on the record's calendar ([`on_calendar`]): step 0 is January of the
//! record's first year, the first agreement is in force at the start, `agreement.schedule` is
//! the durations of agreements 1 … n−1, the last agreement's duration repeats, and the horizon
//! ends with the record's last year. Simulated negotiation `k` is matched to the record's by its
//! deadline step (the start of agreement `k+1`'s first year); a simulated negotiation whose
//! deadline moved (after a lapse longer than a term) or that is censored by the horizon is
//! missing from that replica, and its moments are taken over the negotiations present, as the
//! record's are over the values it has.
//!
//! Replica `r` is trial `r` of seed `seed`: its environment path and every stream of its
//! negotiations are the same for every parameter value (common random numbers), so differences
//! of the simulated moments between parameter values are not Monte Carlo noise, the objective is
//! a deterministic function of the parameters, and numerical derivatives are meaningful (Pakes
//! & Pollard 1989, *Econometrica* 57(5); McFadden 1989). Replicas run on rayon and are combined
//! in replica order, so results are bit-identical for any thread count.

use super::moments::{N_KINDS, Outcome, RecordMoments, statistics, values};
use crate::environment::EnvironmentPath;
use crate::error::Error;
use crate::record::Record;
use crate::scenario::Scenario;
use crate::trial::Model;
use rayon::prelude::*;
use std::sync::Arc;

/// Replicas per parallel task.
const CHUNK: usize = 16;

/// The scenario on the record's calendar (see the module docs).
///
/// # Errors
/// [`Error::Scenario`] if the result breaks a scenario rule (e.g. a duration that is not a
/// whole number of steps).
pub fn on_calendar(scenario: &Scenario, record: &Record) -> Result<Scenario, Error> {
    let mut s = scenario.clone();
    let d = record.durations();
    let (first, last) = match (record.agreements.first(), record.agreements.last()) {
        (Some(f), Some(l)) => (f.first_year, l.last_year),
        _ => {
            return Err(Error::Record {
                origin: record.origin.clone(),
                message: "no agreements".into(),
            });
        }
    };
    s.agreement.schedule = d[..d.len() - 1].to_vec();
    s.agreement.cycle_years = d[d.len() - 1];
    s.horizon_years = f64::from(last - first + 1);
    s.validate()?;
    Ok(s)
}

/// The deadline step of each negotiation of the record (agreements 2, 3, …) on a calendar of
/// `steps_per_year` steps.
pub fn deadlines(record: &Record, steps_per_year: u32) -> Vec<usize> {
    let start = record.agreements.first().map_or(0, |a| a.first_year);
    record
        .agreements
        .iter()
        .skip(1)
        .map(|a| (a.first_year - start).max(0) as usize * steps_per_year as usize)
        .collect()
}

/// The simulated moments at one parameter value.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// Mean over replicas of each moment of the record (in the record's moment order); NaN if
    /// no replica had it.
    pub mean: Vec<f64>,
    /// Monte Carlo standard error of `mean` (sd over replicas / √count).
    pub mc_se: Vec<f64>,
    /// Replicas that had each moment.
    pub count: Vec<u64>,
    /// Each replica's moments (NaN where missing), replica order.
    pub replicas: Vec<Vec<f64>>,
}

/// Runs `S` replicas of the record.
#[derive(Debug, Clone)]
pub struct Simulator {
    record: Arc<Record>,
    data: Arc<RecordMoments>,
    replicas: u64,
    seed: u64,
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Simulator {
    /// `replicas` replicas of `record` (moments `data`) from `seed`, on `threads` threads
    /// (`None`: rayon's global pool).
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] for 0 replicas or 0 threads; [`Error::Internal`] if the
    /// thread pool cannot be built.
    pub fn new(
        record: Arc<Record>,
        data: Arc<RecordMoments>,
        replicas: u64,
        seed: u64,
        threads: Option<usize>,
    ) -> Result<Simulator, Error> {
        if replicas == 0 {
            return Err(Error::InvalidExperiment {
                field: "replicas".into(),
                rule: "must be at least 1".into(),
                got: "0".into(),
            });
        }
        let pool = match threads {
            Some(0) => {
                return Err(Error::InvalidExperiment {
                    field: "threads".into(),
                    rule: "must be at least 1".into(),
                    got: "0".into(),
                });
            }
            Some(n) => Some(Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| Error::Internal(format!("thread pool: {e}")))?,
            )),
            None => None,
        };
        Ok(Simulator {
            record,
            data,
            replicas,
            seed,
            pool,
        })
    }

    /// Replicas `S`.
    pub fn replicas(&self) -> u64 {
        self.replicas
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The record.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The record's moments.
    pub fn data(&self) -> &RecordMoments {
        &self.data
    }

    /// One replica's per-negotiation outcomes (for tests and for synthetic records).
    ///
    /// # Errors
    /// As [`Simulator::simulate`].
    pub fn replica_outcomes(
        &self,
        scenario: &Scenario,
        replica: u64,
    ) -> Result<Vec<Option<Outcome>>, Error> {
        let s = on_calendar(scenario, &self.record)?;
        let model = Model::new(s.clone())?;
        let arm = model.arm(s.agreement.cycle_years)?;
        let dl = deadlines(&self.record, s.steps_per_year);
        let mut path = EnvironmentPath::new();
        let mut recs = Vec::new();
        Ok(outcomes(
            &model, &arm, &dl, &mut path, &mut recs, self.seed, replica,
        ))
    }

    /// The simulated moments of `scenario` (put on the record's calendar first).
    ///
    /// # Errors
    /// [`Error::Scenario`] if the scenario on the calendar is invalid.
    pub fn simulate(&self, scenario: &Scenario) -> Result<Simulated, Error> {
        let s = on_calendar(scenario, &self.record)?;
        let model = Model::new(s.clone())?;
        let arm = model.arm(s.agreement.cycle_years)?;
        let dl = deadlines(&self.record, s.steps_per_year);
        let kinds = self.data.kinds();
        let idx: Vec<usize> = kinds
            .iter()
            .filter_map(|k| super::moments::MOMENT_KINDS.iter().position(|x| x == k))
            .collect();
        let masks = &self.data.masks;
        let seed = self.seed;
        let chunks: Vec<(u64, u64)> = (0..self.replicas)
            .step_by(CHUNK)
            .map(|a| (a, (a + CHUNK as u64).min(self.replicas)))
            .collect();
        let work = || -> Vec<Vec<f64>> {
            chunks
                .par_iter()
                .map(|&(a, b)| {
                    let mut path = EnvironmentPath::new();
                    let mut recs = Vec::new();
                    (a..b)
                        .map(|r| {
                            let o = outcomes(&model, &arm, &dl, &mut path, &mut recs, seed, r);
                            let st: [Option<f64>; N_KINDS] = statistics(&values(&o, masks));
                            idx.iter().map(|&i| st[i].unwrap_or(f64::NAN)).collect()
                        })
                        .collect::<Vec<Vec<f64>>>()
                })
                .collect::<Vec<_>>()
                .into_iter()
                .flatten()
                .collect()
        };
        let replicas = match &self.pool {
            Some(p) => p.install(work),
            None => work(),
        };
        let m = idx.len();
        let (mut mean, mut mc_se, mut count) = (vec![0.0; m], vec![0.0; m], vec![0u64; m]);
        for j in 0..m {
            let vals: Vec<f64> = replicas
                .iter()
                .map(|r| r[j])
                .filter(|x| x.is_finite())
                .collect();
            count[j] = vals.len() as u64;
            if vals.is_empty() {
                mean[j] = f64::NAN;
                mc_se[j] = f64::NAN;
                continue;
            }
            let n = vals.len() as f64;
            mean[j] = vals.iter().sum::<f64>() / n;
            mc_se[j] = (super::moments::sample_variance(&vals) / n).sqrt();
        }
        Ok(Simulated {
            mean,
            mc_se,
            count,
            replicas,
        })
    }
}

/// One replica's outcome per negotiation of the record, matched by deadline step.
fn outcomes(
    model: &Model,
    arm: &crate::trial::Arm,
    deadlines: &[usize],
    path: &mut EnvironmentPath,
    recs: &mut Vec<crate::metrics::NegotiationRecord>,
    seed: u64,
    replica: u64,
) -> Vec<Option<Outcome>> {
    let s = model.scenario();
    path.generate(s, seed, replica);
    model.run(arm, path, seed, replica, recs);
    let months_per_step = 12.0 / f64::from(s.steps_per_year);
    let last = path.steps().saturating_sub(1);
    let mut out = vec![None; deadlines.len()];
    for r in recs.iter().filter(|r| r.completed) {
        let Some(k) = deadlines.iter().position(|&d| d == r.deadline_step) else {
            continue;
        };
        let lapse_months = f64::from(r.lapse_steps) * months_per_step;
        let sign = (r.deadline_step as f64 + r.signing_months / months_per_step)
            .floor()
            .clamp(0.0, last as f64) as usize;
        out[k] = Some(Outcome {
            lapsed: Some(r.lapse_steps > 0),
            lapse_months: Some(lapse_months),
            lag_months: Some(r.signing_months),
            rounds: Some(f64::from(r.rounds)),
            log_amount: r.premium.map(|p| path.log_fair(sign) + p),
            opening_premium: Some(r.patron_opening - r.status_quo),
        });
    }
    out
}
