//! The record's moments (MODEL.md §11): statistics of a record's renegotiations, computed by
//! one function ([`statistics`]) from the record's per-negotiation outcomes and, identically,
//! from each simulated replica's (the defining property of simulated method of moments:
//! McFadden 1989, *Econometrica* 57(5); Gouriéroux, Monfort & Renault 1993, *Journal of Applied
//! Econometrics* 8(S1)).
//!
//! Negotiation `k` (1-based from the second agreement) is the one that produced agreement `k+1`
//! of the record; its deadline is the start of that agreement's first year. The moments, each
//! over the negotiations where the record has the value (flagged rows per [`FlagPolicy`]):
//!
//! | key | definition | unit | record variance | band |
//! |---|---|---|---|---|
//! | `lapse_share` | share of negotiations that passed their deadline (lapse indicator) | share | binomial `p̃(1−p̃)/n`, `p̃ = (x+½)/(n+1)` | Wilson 95% |
//! | `long_lapse_share` | share with a lapse of 12 months or more | share | binomial, as above | Wilson 95% |
//! | `lapse_months` | mean months without an agreement (0 without a lapse) | months | sample variance / n | mean ± 1.96·se, floored at 0 |
//! | `early_share` | share signed before the deadline (early-signing indicator) | share | binomial, as above | Wilson 95% |
//! | `early_lead_months` | mean months signed ahead of the deadline (0 if not early) | months | sample variance / n | mean ± 1.96·se, floored at 0 |
//! | `rounds` | mean formal rounds, where recorded | rounds | sample variance / n | mean ± 1.96·se |
//! | `payment_growth` | log growth of the first-year payment from the first to the last agreement of the record's final run in one currency (SMA: KRW bn, 2005 → 2026) | log units | `k·s²`: `k` log changes between successive agreements, `s²` their sample variance (a random walk's variance) | ± 1.96·se |
//! | `payment_change_sd` | standard deviation of the log change of the first-year payment between successive agreements of that run | log units | `s²/(2(k−1))` (normal theory) | ± 1.96·se, floored at 0 |
//! | `opening_premium` | mean log premium of the patron's opening demand over the payment in force when talks opened, where the record states the demand as an amount in the previous agreement's currency | log units | sample variance / n | mean ± 1.96·se |
//!
//! The `p̃` of the binomial variance keeps a share of 0 or 1 (no lapse of 12 months, say) from
//! getting an infinite weight. The simulated payment of an agreement is its agreed level
//! `X*_s·e^p` at the signing step `s` (the first year's payment when `agreement.indexation`
//! and `agreement.escalator` are 0, as in the SMA presets); log growth is unit-free, so the
//! scenario's currency need not be the record's.
//!
//! The opening premium of the record is `ln(D_k / A_{k−1})`: the demand `D_k` for agreement `k`
//! (its `opening_demand`, [`crate::record::OpeningDemand`]) over the previous agreement's
//! first-year amount `A_{k−1}`, only where the two are in one currency (millions and billions
//! converted; `USD_m_mixed` is not `USD_m`, and a dollar demand against a won payment would need
//! an exchange rate the record does not have). The SMA record gives four: 1993 (260 over 150
//! USD m), 1998 (440 over 330 USD m), 2013 (~1000 over 760 KRW bn) and 2018 (~1400 over 920
//! KRW bn). The simulated one is
//! `O_P − q`: the patron's opening over the status quo, both log premiums over `X*`
//! ([`crate::metrics::NegotiationRecord`]), i.e. the log of the opening demand over the payment
//! in force. The model's payment is flat within a term when `agreement.indexation` and
//! `agreement.escalator` are 0, so its payment in force is the first-year amount; the record's
//! payments rose within terms (1998: 399 against a first year of 330), so against the last
//! year's payment the record's premium would be smaller (about 0.2 instead of 0.38).

use crate::record::Record;
use serde::Serialize;

/// The moments in order (the keys of [`MomentKind::key`]).
pub const MOMENT_KINDS: [MomentKind; 9] = [
    MomentKind::LapseShare,
    MomentKind::LongLapseShare,
    MomentKind::LapseMonths,
    MomentKind::EarlyShare,
    MomentKind::EarlyLeadMonths,
    MomentKind::Rounds,
    MomentKind::PaymentGrowth,
    MomentKind::PaymentChangeSd,
    MomentKind::OpeningPremium,
];

/// A record moment whose standard error is below this share of its value has no spread (its
/// values differ only by rounding) and gets no weight.
pub const NO_SPREAD: f64 = 1e-9;

/// Number of moment kinds.
pub const N_KINDS: usize = MOMENT_KINDS.len();

/// A lapse at least this long, months, counts in `long_lapse_share`.
pub const LONG_LAPSE_MONTHS: f64 = 12.0;

/// One kind of moment (see the module's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentKind {
    /// Share of negotiations that lapsed.
    LapseShare,
    /// Share with a lapse of at least [`LONG_LAPSE_MONTHS`].
    LongLapseShare,
    /// Mean lapse months.
    LapseMonths,
    /// Share signed before the deadline.
    EarlyShare,
    /// Mean months signed ahead of the deadline.
    EarlyLeadMonths,
    /// Mean formal rounds.
    Rounds,
    /// Log growth of the first-year payment over the one-currency run.
    PaymentGrowth,
    /// Standard deviation of the log change between successive agreements.
    PaymentChangeSd,
    /// Mean log premium of the patron's opening demand over the payment in force.
    OpeningPremium,
}

impl MomentKind {
    /// The report key.
    pub fn key(self) -> &'static str {
        match self {
            MomentKind::LapseShare => "lapse_share",
            MomentKind::LongLapseShare => "long_lapse_share",
            MomentKind::LapseMonths => "lapse_months",
            MomentKind::EarlyShare => "early_share",
            MomentKind::EarlyLeadMonths => "early_lead_months",
            MomentKind::Rounds => "rounds",
            MomentKind::PaymentGrowth => "payment_growth",
            MomentKind::PaymentChangeSd => "payment_change_sd",
            MomentKind::OpeningPremium => "opening_premium",
        }
    }

    /// Its unit.
    pub fn unit(self) -> &'static str {
        match self {
            MomentKind::LapseShare | MomentKind::LongLapseShare | MomentKind::EarlyShare => "share",
            MomentKind::LapseMonths | MomentKind::EarlyLeadMonths => "months",
            MomentKind::Rounds => "rounds",
            MomentKind::PaymentGrowth
            | MomentKind::PaymentChangeSd
            | MomentKind::OpeningPremium => "log units",
        }
    }

    /// A short title in words (a chart panel's).
    pub fn title(self) -> &'static str {
        match self {
            MomentKind::LapseShare => "Lapse share",
            MomentKind::LongLapseShare => "Long-lapse share",
            MomentKind::LapseMonths => "Months without an agreement",
            MomentKind::EarlyShare => "Early-signing share",
            MomentKind::EarlyLeadMonths => "Lead of early signings",
            MomentKind::Rounds => "Formal rounds",
            MomentKind::PaymentGrowth => "Payment growth",
            MomentKind::PaymentChangeSd => "Spread of payment changes",
            MomentKind::OpeningPremium => "Opening premium",
        }
    }

    /// The kind whose [`MomentKind::key`] is `key`.
    pub fn from_key(key: &str) -> Option<MomentKind> {
        MOMENT_KINDS.into_iter().find(|k| k.key() == key)
    }

    /// One-line definition.
    pub fn definition(self) -> &'static str {
        match self {
            MomentKind::LapseShare => "share of negotiations that passed their deadline",
            MomentKind::LongLapseShare => "share of negotiations with a lapse of 12+ months",
            MomentKind::LapseMonths => "mean months without an agreement (0 without a lapse)",
            MomentKind::EarlyShare => "share of negotiations signed before the deadline",
            MomentKind::EarlyLeadMonths => "mean months signed ahead of the deadline",
            MomentKind::Rounds => "mean formal rounds, where recorded",
            MomentKind::PaymentGrowth => {
                "log growth of the first-year payment over the one-currency run"
            }
            MomentKind::PaymentChangeSd => {
                "sd of the log change of the first-year payment between agreements"
            }
            MomentKind::OpeningPremium => {
                "mean log premium of the patron's opening demand over the payment in force"
            }
        }
    }

    fn is_share(self) -> bool {
        matches!(
            self,
            MomentKind::LapseShare | MomentKind::LongLapseShare | MomentKind::EarlyShare
        )
    }
}

/// What is done with the record's flagged rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagPolicy {
    /// Kept with full weight in every moment they enter (the default: the SMA flags concern
    /// signing days and amounts, not whether a deal lapsed).
    #[default]
    Keep,
    /// Left out of every moment.
    Exclude,
}

/// What one negotiation did (recorded or simulated); `None` where unknown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Outcome {
    /// Whether it lapsed.
    pub lapsed: Option<bool>,
    /// Months without an agreement (0 without a lapse).
    pub lapse_months: Option<f64>,
    /// Signing relative to the deadline, months (negative: early).
    pub lag_months: Option<f64>,
    /// Formal rounds.
    pub rounds: Option<f64>,
    /// Log of the agreement's first-year payment (any fixed unit).
    pub log_amount: Option<f64>,
    /// Log of the patron's opening demand over the payment in force when talks opened.
    pub opening_premium: Option<f64>,
}

/// Which of a negotiation's values enter the moments (from the record and the flag policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mask {
    /// Lapse indicator and lapse months.
    pub lapse: bool,
    /// Early indicator and lead.
    pub early: bool,
    /// Rounds.
    pub rounds: bool,
    /// Part of the one-currency payment run.
    pub amount: bool,
    /// The opening premium.
    pub opening: bool,
}

/// One moment of the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// Its kind.
    pub kind: MomentKind,
    /// Its key.
    pub key: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// The record's value.
    pub value: f64,
    /// The record's sampling variance of it (the module's table).
    pub variance: f64,
    /// The weight `1 / variance`.
    pub weight: f64,
    /// The record's 95% band.
    pub band: (f64, f64),
    /// Observations it is computed from (negotiations, or payment changes).
    pub n: usize,
    /// The record's ordinals that enter it.
    pub rows: Vec<u32>,
}

/// What was done with one flagged row of the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedRow {
    /// The row's ordinal.
    pub ordinal: u32,
    /// The flag, verbatim.
    pub flags: String,
    /// What was done.
    pub action: String,
}

/// A record's moments and the masks that say which simulated values enter each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordMoments {
    /// The moments with data, in [`MOMENT_KINDS`] order.
    pub moments: Vec<Moment>,
    /// Per negotiation (agreements 2, 3, …): which values enter.
    #[serde(skip)]
    pub masks: Vec<Mask>,
    /// Each flagged row and what was done with it.
    pub flagged: Vec<FlaggedRow>,
    /// The flag policy.
    pub policy: FlagPolicy,
}

/// The values entering each moment kind, from per-negotiation outcomes under masks (missing
/// outcomes, such as a simulated deadline that never came, are skipped).
pub fn values(outcomes: &[Option<Outcome>], masks: &[Mask]) -> [Vec<f64>; N_KINDS] {
    let mut v: [Vec<f64>; N_KINDS] = Default::default();
    let mut run: Vec<Option<f64>> = Vec::new();
    for (o, m) in outcomes.iter().zip(masks) {
        if m.amount {
            run.push(o.and_then(|o| o.log_amount));
        }
        let Some(o) = o else { continue };
        if m.lapse {
            if let (Some(l), Some(months)) = (o.lapsed, o.lapse_months) {
                v[0].push(f64::from(u8::from(l)));
                v[1].push(f64::from(u8::from(l && months >= LONG_LAPSE_MONTHS)));
                v[2].push(if l { months } else { 0.0 });
            }
        }
        if m.early {
            if let Some(lag) = o.lag_months {
                v[3].push(f64::from(u8::from(lag < 0.0)));
                v[4].push((-lag).max(0.0));
            }
        }
        if m.rounds {
            if let Some(r) = o.rounds {
                v[5].push(r);
            }
        }
        if m.opening {
            if let Some(p) = o.opening_premium {
                v[8].push(p);
            }
        }
    }
    // Log changes between successive agreements of the run, all present.
    if run.len() >= 2 && run.iter().all(Option::is_some) {
        let logs: Vec<f64> = run.iter().flatten().copied().collect();
        let changes: Vec<f64> = logs.windows(2).map(|w| w[1] - w[0]).collect();
        v[6] = changes.clone();
        if changes.len() >= 2 {
            v[7] = changes;
        }
    }
    v
}

/// The statistic of each kind from its values (`None` without values): means, the sum of the
/// log changes (growth), or their sample standard deviation.
pub fn statistics(values: &[Vec<f64>; N_KINDS]) -> [Option<f64>; N_KINDS] {
    let mut out = [None; N_KINDS];
    for (i, kind) in MOMENT_KINDS.iter().enumerate() {
        let v = &values[i];
        if v.is_empty() {
            continue;
        }
        out[i] = Some(match kind {
            MomentKind::PaymentGrowth => v.iter().sum(),
            MomentKind::PaymentChangeSd => sample_variance(v).sqrt(),
            _ => mean(v),
        });
    }
    out
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample variance (divisor n − 1; 0 for fewer than two values).
pub fn sample_variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
}

/// The Wilson score interval at 95% for `x` successes in `n`.
pub fn wilson95(x: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054;
    let p = x / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

/// The record's per-negotiation outcomes (agreements 2, 3, …).
pub fn record_outcomes(record: &Record) -> Vec<Outcome> {
    record
        .agreements
        .windows(2)
        .map(|w| {
            let (previous, a) = (&w[0], &w[1]);
            let opening_premium = a.opening_demand.as_ref().and_then(|d| {
                let demand = d.in_unit(&previous.amount_unit)?;
                previous.first_year_amount.map(|paid| (demand / paid).ln())
            });
            Outcome {
                lapsed: a.lapsed,
                lapse_months: a.lapse_months,
                lag_months: a.signing_lag_months,
                rounds: a.negotiation_rounds.map(f64::from),
                log_amount: a.first_year_amount.map(f64::ln),
                opening_premium,
            }
        })
        .collect()
}

impl RecordMoments {
    /// The moments of `record` under `policy`.
    ///
    /// The payment run is the longest final run of negotiated agreements (2, 3, …) that all
    /// have a first-year amount in the last agreement's unit (SMA: agreements 6–12, KRW bn).
    pub fn from_record(record: &Record, policy: FlagPolicy) -> RecordMoments {
        let negotiated = &record.agreements[1.min(record.agreements.len())..];
        let unit = negotiated
            .last()
            .filter(|a| a.first_year_amount.is_some())
            .map(|a| a.amount_unit.clone());
        let mut in_run = vec![false; negotiated.len()];
        if let Some(unit) = &unit {
            for (i, a) in negotiated.iter().enumerate().rev() {
                if a.first_year_amount.is_some() && &a.amount_unit == unit {
                    in_run[i] = true;
                } else {
                    break;
                }
            }
        }
        let excluded = |a: &crate::record::Agreement| {
            policy == FlagPolicy::Exclude && !a.flags.trim().is_empty()
        };
        let recorded = record_outcomes(record);
        let masks: Vec<Mask> = negotiated
            .iter()
            .zip(&in_run)
            .zip(&recorded)
            .map(|((a, &run), o)| {
                let keep = !excluded(a);
                Mask {
                    lapse: keep && a.lapsed.is_some() && a.lapse_months.is_some(),
                    early: keep && a.signing_lag_months.is_some(),
                    rounds: keep && a.negotiation_rounds.is_some(),
                    amount: keep && run,
                    opening: keep && o.opening_premium.is_some(),
                }
            })
            .collect();
        let outcomes: Vec<Option<Outcome>> = recorded.into_iter().map(Some).collect();
        let vals = values(&outcomes, &masks);
        let stats = statistics(&vals);
        let rows_of = |pick: fn(&Mask) -> bool| -> Vec<u32> {
            negotiated
                .iter()
                .zip(&masks)
                .filter(|(_, m)| pick(m))
                .map(|(a, _)| a.ordinal)
                .collect()
        };
        let mut moments = Vec::new();
        for (i, &kind) in MOMENT_KINDS.iter().enumerate() {
            let Some(value) = stats[i] else { continue };
            let v = &vals[i];
            let n = v.len() as f64;
            let (variance, band) = if kind.is_share() {
                let x: f64 = v.iter().sum();
                let p = (x + 0.5) / (n + 1.0);
                (p * (1.0 - p) / n, wilson95(x, n))
            } else {
                let var = match kind {
                    MomentKind::PaymentGrowth => n * sample_variance(v),
                    MomentKind::PaymentChangeSd => sample_variance(v) / (2.0 * (n - 1.0)),
                    _ => sample_variance(v) / n,
                };
                let h = 1.959_963_984_540_054 * var.sqrt();
                let floor = !matches!(
                    kind,
                    MomentKind::PaymentGrowth | MomentKind::Rounds | MomentKind::OpeningPremium
                );
                let lo = value - h;
                (var, (if floor { lo.max(0.0) } else { lo }, value + h))
            };
            // A moment with no spread in the record (every value equal, up to the rounding of
            // the arithmetic that made them: a standard error below 1e-9 of the value) gets no
            // weight: it would otherwise dominate without measuring anything.
            let weight = if variance.sqrt() > NO_SPREAD * value.abs() && variance > 0.0 {
                1.0 / variance
            } else {
                0.0
            };
            let rows = match kind {
                MomentKind::LapseShare | MomentKind::LongLapseShare | MomentKind::LapseMonths => {
                    rows_of(|m| m.lapse)
                }
                MomentKind::EarlyShare | MomentKind::EarlyLeadMonths => rows_of(|m| m.early),
                MomentKind::Rounds => rows_of(|m| m.rounds),
                MomentKind::OpeningPremium => rows_of(|m| m.opening),
                MomentKind::PaymentGrowth | MomentKind::PaymentChangeSd => rows_of(|m| m.amount),
            };
            moments.push(Moment {
                kind,
                key: kind.key(),
                unit: kind.unit(),
                value,
                variance,
                weight,
                band,
                n: v.len(),
                rows,
            });
        }
        let flagged = record
            .agreements
            .iter()
            .filter(|a| !a.flags.trim().is_empty())
            .map(|a| {
                let action = if a.ordinal == 1 {
                    "not a negotiation of the record (the agreement in force at the start): \
                     enters no moment"
                        .to_string()
                } else if policy == FlagPolicy::Exclude {
                    "excluded from every moment (flag policy exclude)".to_string()
                } else {
                    let used: Vec<&str> = moments
                        .iter()
                        .filter(|m| m.rows.contains(&a.ordinal))
                        .map(|m| m.key)
                        .collect();
                    if used.is_empty() {
                        "kept, but enters no moment (no value the moments use)".to_string()
                    } else {
                        format!("kept with full weight in {}", used.join(", "))
                    }
                };
                FlaggedRow {
                    ordinal: a.ordinal,
                    flags: a.flags.clone(),
                    action,
                }
            })
            .collect();
        RecordMoments {
            moments,
            masks,
            flagged,
            policy,
        }
    }

    /// The kinds present, in order.
    pub fn kinds(&self) -> Vec<MomentKind> {
        self.moments.iter().map(|m| m.kind).collect()
    }

    /// The moment of `key`, if the record has it.
    pub fn get(&self, key: &str) -> Option<&Moment> {
        self.moments.iter().find(|m| m.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sma_moments_are_the_records_figures() {
        let r = Record::sma().unwrap();
        let m = RecordMoments::from_record(&r, FlagPolicy::Keep);
        let get = |k: &str| m.get(k).unwrap();
        assert_eq!(m.moments.len(), 9);
        let lapse = get("lapse_share");
        assert_eq!((lapse.value, lapse.n), (6.0 / 11.0, 11));
        assert!((lapse.variance - (6.5 / 12.0) * (5.5 / 12.0) / 11.0).abs() < 1e-15);
        assert_eq!(get("long_lapse_share").value, 1.0 / 11.0);
        assert!((get("lapse_months").value - 26.8 / 11.0).abs() < 1e-12);
        assert_eq!(get("early_share").value, 5.0 / 11.0);
        assert!((get("early_lead_months").value - 17.7 / 11.0).abs() < 1e-12);
        let rounds = get("rounds");
        assert_eq!((rounds.value, rounds.n), (58.0 / 7.0, 7));
        let g = get("payment_growth");
        assert!((g.value - (1519.2f64 / 680.4).ln()).abs() < 1e-12);
        assert_eq!((g.n, g.rows.clone()), (6, vec![6, 7, 8, 9, 10, 11, 12]));
        // The four demands stated in the previous agreement's currency.
        let o = get("opening_premium");
        assert_eq!(o.rows, vec![2, 4, 9, 10]);
        let premiums = [
            (260.0f64 / 150.0).ln(),
            (440.0f64 / 330.0).ln(),
            (1000.0f64 / 760.0).ln(),
            (1400.0f64 / 920.0).ln(),
        ];
        let mean = premiums.iter().sum::<f64>() / 4.0;
        assert!((o.value - mean).abs() < 1e-12, "{o:?}");
        assert!((o.variance - sample_variance(&premiums) / 4.0).abs() < 1e-15);
        // Every band holds its value.
        for x in &m.moments {
            assert!(x.band.0 <= x.value && x.value <= x.band.1, "{x:?}");
            assert!(x.weight > 0.0, "{x:?}");
        }
        // Every flagged row is accounted for.
        assert_eq!(m.flagged.len(), 8);
        assert!(m.flagged[0].action.contains("enters no moment"));
        let a11 = m.flagged.iter().find(|f| f.ordinal == 11).unwrap();
        assert!(a11.action.contains("lapse_share"), "{a11:?}");
    }

    #[test]
    fn excluding_flagged_rows_drops_them_from_every_moment() {
        let r = Record::sma().unwrap();
        let m = RecordMoments::from_record(&r, FlagPolicy::Exclude);
        let lapse = m.get("lapse_share").unwrap();
        assert_eq!(lapse.rows, vec![3, 8, 9, 10]);
        assert!(
            m.flagged
                .iter()
                .skip(1)
                .all(|f| f.action.contains("excluded"))
        );
    }

    #[test]
    fn a_moment_whose_values_differ_only_by_rounding_gets_no_weight() {
        // Every stated demand is e^0.6 times the payment in force, computed in floating point:
        // the premia agree to the last few bits, and that is no spread to weigh.
        let mut r = Record::sma().unwrap();
        let mut previous = None;
        for a in r.agreements.iter_mut() {
            a.opening_demand = previous.map(|paid: f64| crate::record::OpeningDemand {
                amount: paid * 0.6f64.exp(),
                unit: a.amount_unit.clone(),
            });
            previous = a.first_year_amount;
        }
        let m = RecordMoments::from_record(&r, FlagPolicy::Keep);
        let o = m.get("opening_premium").unwrap();
        assert!((o.value - 0.6).abs() < 1e-12, "{o:?}");
        assert!(o.variance < 1e-28, "{o:?}");
        assert_eq!(o.weight, 0.0, "{o:?}");
        // The record's own premia do have a spread and keep their weight.
        let sma = RecordMoments::from_record(&Record::sma().unwrap(), FlagPolicy::Keep);
        assert!(sma.get("opening_premium").unwrap().weight > 0.0);
    }

    #[test]
    fn japans_record_gives_its_lapse_moments_only() {
        let r = Record::japan_hns().unwrap();
        let m = RecordMoments::from_record(&r, FlagPolicy::Keep);
        let keys: Vec<&str> = m.moments.iter().map(|x| x.key).collect();
        assert_eq!(keys, ["lapse_share", "long_lapse_share", "lapse_months"]);
        assert_eq!(m.get("lapse_share").unwrap().value, 1.0 / 8.0);
        // No lapse of 12 months: a share of 0 with a finite weight.
        let long = m.get("long_lapse_share").unwrap();
        assert_eq!(long.value, 0.0);
        assert!(long.weight.is_finite() && long.weight > 0.0);
    }
}
