//! Calibration to a record by simulated method of moments (MODEL.md §11; feature `calibrate`).
//!
//! The estimator of McFadden (1989, *Econometrica* 57(5)) and Pakes & Pollard (1989,
//! *Econometrica* 57(5)), in the indirect-inference framing of Gouriéroux, Monfort & Renault
//! (1993, *Journal of Applied Econometrics* 8(S1)), with the method-of-moments inference of
//! Hansen (1982, *Econometrica* 50(4)): the free parameters `θ` minimise the weighted distance
//! between the record's moments and the mean of the same moments over `S` simulated replicas of
//! the record, on common random numbers.
//!
//! ```no_run
//! use negcycle::calibrate::{Settings, calibrate, FreeParam};
//! use negcycle::record::Record;
//! use negcycle::Scenario;
//!
//! let base = Scenario::preset("us_rok_sma_history")?;
//! let free = vec![FreeParam::parse("patron.lapse_pressure")?, FreeParam::parse("patron.opening")?];
//! let c = calibrate(&base, &Record::sma()?, &free, &Settings::default())?;
//! println!("{}", c.table());
//! # Ok::<(), negcycle::Error>(())
//! ```
//!
//! Files, one concept each: `moments.rs` (the record's moments and their variances),
//! `simulate.rs` (replicas on the record's calendar), `objective.rs` (the distance and the free
//! parameters), `optimise.rs` (multi-start Nelder–Mead with a logit/log transform),
//! `inference.rs` (sandwich standard errors, J, identification, profiles), `selection.rs` (the
//! discrete options), `report.rs` (table, JSON, CSV, the calibrated scenario).

pub mod inference;
mod linalg;
pub mod moments;
pub mod objective;
pub mod optimise;
pub mod report;
pub mod selection;
pub mod simulate;

pub use moments::{FlagPolicy, Moment, MomentKind, RecordMoments};
pub use objective::{FreeParam, Objective};
pub use optimise::OptimiserSettings;
pub use report::{Calibration, Estimate, FitRow, Provenance};
pub use selection::{Selection, SelectionRow, select};
pub use simulate::{Simulated, Simulator};

use crate::error::Error;
use crate::record::Record;
use crate::scenario::Scenario;
use inference::{
    IDENTIFICATION_TOL, identification, j_statistic, jacobian, profiles, replica_covariance,
    sandwich,
};
use std::sync::Arc;

/// Default replicas `S`.
pub const DEFAULT_REPLICAS: u64 = 400;
/// The 97.5% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// Everything a calibration needs besides the scenario, the record and the free parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Replicas `S` (MODEL.md §11 asks for at least 200 in a real calibration).
    pub replicas: u64,
    /// The seed of the replicas' common random numbers.
    pub seed: u64,
    /// Threads (`None`: rayon's default). Results do not depend on it.
    pub threads: Option<usize>,
    /// What to do with flagged record rows.
    pub flagged: FlagPolicy,
    /// The optimiser.
    pub optimiser: OptimiserSettings,
    /// Compute the objective profiles (`PROFILE_POINTS` evaluations per parameter).
    pub profiles: bool,
    /// The discrete options applied to the base scenario, as (key, value), for the provenance.
    pub options: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            replicas: DEFAULT_REPLICAS,
            seed: 1,
            threads: None,
            flagged: FlagPolicy::Keep,
            optimiser: OptimiserSettings::default(),
            profiles: true,
            options: Vec::new(),
        }
    }
}

/// The SHA-256 of the record's bytes: the embedded file's, or the file at its origin; if that
/// cannot be read, of the record's canonical text (every parsed field, one row a line).
pub fn record_sha256(record: &Record) -> String {
    let bytes: Vec<u8> = match record.embedded_text() {
        Some(t) => t.as_bytes().to_vec(),
        None => std::fs::read(&record.origin).unwrap_or_else(|_| {
            record
                .agreements
                .iter()
                .map(|a| format!("{a:?}\n"))
                .collect::<String>()
                .into_bytes()
        }),
    };
    crate::report::write::sha256_hex(&bytes)
}

/// Calibrates the free parameters of `base` to `record` (see the module docs and MODEL.md §11).
///
/// Before optimising, the Jacobian at the starting values (the base scenario's) is checked:
/// a parameter whose scaled column norm is below [`inference::IDENTIFICATION_TOL`] is refused
/// as free, held at its base value and listed with the reason. If more free parameters remain
/// than the record has moments, the calibration is refused.
///
/// # Errors
/// [`Error::InvalidExperiment`] naming `free` for an unknown, duplicate or non-numeric key;
/// [`Error::Refused`] when the record has too few moments for the free parameters;
/// [`Error::Scenario`] if the base scenario cannot be put on the record's calendar.
pub fn calibrate(
    base: &Scenario,
    record: &Record,
    free: &[FreeParam],
    settings: &Settings,
) -> Result<Calibration, Error> {
    let start_time = std::time::Instant::now();
    let bad_free = |rule: String, got: &str| Error::InvalidExperiment {
        field: "free".into(),
        rule,
        got: got.to_string(),
    };
    if free.is_empty() {
        return Err(bad_free("at least one free parameter".into(), "none"));
    }
    let mut theta0 = Vec::new();
    for (i, p) in free.iter().enumerate() {
        if free[..i].iter().any(|q| q.key == p.key) {
            return Err(bad_free("each key at most once".into(), &p.key));
        }
        let v = p.value_in(base).ok_or_else(|| {
            bad_free(
                "must be a numeric key of the scenario (e.g. patron.margin)".into(),
                &p.key,
            )
        })?;
        // The key must also accept a value (scenario_at checks the schema and the rules).
        objective::scenario_at(base, std::slice::from_ref(p), &[v])
            .map_err(|e| bad_free(format!("cannot be set: {e}"), &p.key))?;
        theta0.push(v);
    }
    simulate::on_calendar(base, record)?;
    let data = Arc::new(RecordMoments::from_record(record, settings.flagged));
    let m = data.moments.len();
    let simulator = Simulator::new(
        Arc::new(record.clone()),
        data.clone(),
        settings.replicas,
        settings.seed,
        settings.threads,
    )?;
    // Starting values inside the bounds.
    let inside: Vec<f64> = free
        .iter()
        .zip(&theta0)
        .map(|(p, &t)| optimise::to_theta(p, optimise::to_u(p, t)))
        .collect();
    let full = Objective {
        base: base.clone(),
        free: free.to_vec(),
        simulator: simulator.clone(),
    };
    // Identification at the start.
    let w: Vec<f64> = data.moments.iter().map(|x| x.weight).collect();
    let (g0, _) = jacobian(&full, &inside)?;
    let id0 = identification(&g0, &w, free, &inside);
    let mut kept = Vec::new();
    let mut fixed = Vec::new();
    for (j, p) in free.iter().enumerate() {
        if id0.column_norms[j] < IDENTIFICATION_TOL {
            fixed.push((
                j,
                format!(
                    "not identified by the record: across its range [{}, {}] it moves the \
                     moments by {:.3} record standard deviations (first order, at the start), \
                     below {IDENTIFICATION_TOL}; held at its base value",
                    p.lo, p.hi, id0.column_norms[j]
                ),
            ));
        } else {
            kept.push(j);
        }
    }
    if kept.is_empty() {
        return Err(Error::Refused {
            what: "calibration".into(),
            rule: format!(
                "no free parameter is identified by the record ({})",
                fixed
                    .iter()
                    .map(|(j, _)| free[*j].key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if kept.len() > m {
        return Err(Error::Refused {
            what: "calibration".into(),
            rule: format!(
                "{} identified free parameters but the record has {m} moments: at most {m} \
                 can be estimated",
                kept.len()
            ),
        });
    }
    // The base with the fixed parameters at their start values.
    let fixed_base = objective::scenario_at(
        base,
        &fixed
            .iter()
            .map(|(j, _)| free[*j].clone())
            .collect::<Vec<_>>(),
        &fixed.iter().map(|(j, _)| theta0[*j]).collect::<Vec<_>>(),
    )?;
    let est_free: Vec<FreeParam> = kept.iter().map(|&j| free[j].clone()).collect();
    let est_start: Vec<f64> = kept.iter().map(|&j| inside[j]).collect();
    let obj = Objective {
        base: fixed_base,
        free: est_free.clone(),
        simulator,
    };
    let from = optimise::starts(&est_free, &est_start, settings.optimiser.starts);
    let results = optimise::minimise(&obj, &from, &settings.optimiser)?;
    let b = optimise::best(&results);
    let theta = results[b].theta.clone();
    let (q, sim) = obj.evaluate(&theta)?;
    let (g, steps) = jacobian(&obj, &theta)?;
    let record_variance: Vec<f64> = data.moments.iter().map(|d| d.variance).collect();
    let (omega, omega_from_record) =
        inference::conservative_covariance(&replica_covariance(&sim.replicas, m), &record_variance);
    let gap: Vec<f64> = data
        .moments
        .iter()
        .zip(&sim.mean)
        .map(|(d, s)| d.value - s)
        .collect();
    // In the parameters' widths (unit-free), so that singularity means what the rank says;
    // J does not depend on the columns' scale.
    let gs = inference::scale_columns(&g, &est_free, &theta);
    let widths: Vec<f64> = est_free
        .iter()
        .zip(&theta)
        .map(|(p, &t)| inference::width(p, t))
        .collect();
    let v = sandwich(&gs, &w, &omega, settings.replicas).map(|vs| {
        vs.iter()
            .enumerate()
            .map(|(a, row)| {
                row.iter()
                    .enumerate()
                    .map(|(b, x)| x * widths[a] * widths[b])
                    .collect::<Vec<f64>>()
            })
            .collect::<Vec<_>>()
    });
    let j = j_statistic(&gap, &gs, &w, &omega, settings.replicas);
    let ident = identification(&g, &w, &est_free, &theta);
    let profs = if settings.profiles {
        profiles(&obj, &theta)
    } else {
        Vec::new()
    };
    let mut estimates = Vec::new();
    for (i, p) in free.iter().enumerate() {
        if let Some(k) = kept.iter().position(|&x| x == i) {
            let se = v.as_ref().map(|v| v[k][k].max(0.0).sqrt());
            let at_bound = {
                let wdt = inference::width(p, theta[k]);
                theta[k] - p.lo < 1e-3 * wdt || (p.hi.is_finite() && p.hi - theta[k] < 1e-3 * wdt)
            };
            let status = if se.is_none() {
                "free; not identified jointly at the estimate (GᵀWG singular): no standard error"
                    .to_string()
            } else if at_bound {
                "free; at a bound: the normal interval is not valid there".to_string()
            } else {
                "free".to_string()
            };
            estimates.push(Estimate {
                key: p.key.clone(),
                value: theta[k],
                se,
                ci95: se.map(|s| (theta[k] - Z95 * s, theta[k] + Z95 * s)),
                lo: p.lo,
                hi: p.hi,
                start: theta0[i],
                free: true,
                status,
                jacobian_step: Some(steps[k]),
            });
        } else {
            let reason = fixed
                .iter()
                .find(|(x, _)| *x == i)
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            estimates.push(Estimate {
                key: p.key.clone(),
                value: theta0[i],
                se: None,
                ci95: None,
                lo: p.lo,
                hi: p.hi,
                start: theta0[i],
                free: false,
                status: format!("fixed: {reason}"),
                jacobian_step: None,
            });
        }
    }
    let fit = data
        .moments
        .iter()
        .enumerate()
        .map(|(i, d)| FitRow {
            moment: d.key.to_string(),
            unit: d.unit.to_string(),
            record: d.value,
            band: d.band,
            weight: d.weight,
            simulated: sim.mean[i],
            mc_se: sim.mc_se[i],
            replica_range: inference::central_range95(&sim.replicas, i),
            replicas_with_it: sim.count[i],
            inside_band: sim.mean[i] >= d.band.0 && sim.mean[i] <= d.band.1,
            variance_source: if omega_from_record[i] {
                "record"
            } else {
                "replicas"
            },
        })
        .collect();
    let calibrated = objective::scenario_at(&obj.base, &est_free, &theta)?;
    let provenance = Provenance {
        negcycle: crate::report::VERSION.to_string(),
        record: record.origin.clone(),
        record_sha256: record_sha256(record),
        seed: settings.seed,
        replicas: settings.replicas,
        starts: settings.optimiser.starts,
        max_iters: settings.optimiser.max_iters,
        flagged: settings.flagged,
        options: settings.options.clone(),
        free: free.iter().map(|p| p.key.clone()).collect(),
    };
    let evaluations = results.iter().map(|r| r.evaluations).sum();
    Ok(Calibration {
        scenario: base.name.clone(),
        estimates,
        fit,
        objective: q,
        j: j.map(|(x, _)| x),
        df: j.map(|(_, d)| d),
        p_value: j.map(|(x, d)| inference::chi2_sf(x, d)),
        identification: ident,
        starts: results,
        best_start: b,
        profiles: profs,
        flagged: data.flagged.clone(),
        provenance,
        calibrated,
        evaluations,
        seconds: start_time.elapsed().as_secs_f64(),
    })
}
