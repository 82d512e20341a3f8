//! Validation of a [`Scenario`]: every rule, with its field path, and the caps that keep sums
//! and payments inside `f64`.

use super::{Scenario, ScenarioError, Violation};
use std::fmt;

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

/// Most entries in `agreement.schedule`.
pub const MAX_SCHEDULE: usize = 1000;

/// Largest accepted `steps_per_year` (about one step per hour).
pub const MAX_STEPS_PER_YEAR: u32 = 10_000;
/// Largest accepted number of steps in a horizon.
pub const MAX_HORIZON_STEPS: u64 = 10_000_000;

impl Scenario {
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
        if a.schedule.len() > MAX_SCHEDULE {
            v.push(
                "agreement.schedule",
                &format!("must have at most {MAX_SCHEDULE} entries"),
                a.schedule.len(),
            );
        } else {
            for (i, &years) in a.schedule.iter().enumerate() {
                self.check_cycle(&mut v, &format!("agreement.schedule[{i}]"), years, spy_ok);
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
        if let Some(n) = self.protocol.rounds {
            if n == 0 || u64::from(n) > MAX_WINDOW_ROUNDS {
                v.push(
                    "protocol.rounds",
                    &format!("must be in [1, {MAX_WINDOW_ROUNDS}]"),
                    n,
                );
            }
            if self.protocol.rounds_per_step != 1 {
                v.push(
                    "protocol.rounds",
                    "cannot be combined with protocol.rounds_per_step other than 1 (set one of \
                     the two)",
                    format!("{n} with rounds_per_step {}", self.protocol.rounds_per_step),
                );
            }
        }
        if let Some(months) = self.protocol.lapse_round_months {
            if v.positive("protocol.lapse_round_months", months) && spy_ok {
                match self.months_to_steps(months) {
                    None | Some(0) => v.push(
                        "protocol.lapse_round_months",
                        &format!(
                            "must be a positive whole number of steps ({} months each)",
                            12.0 / f64::from(self.steps_per_year)
                        ),
                        months,
                    ),
                    Some(n) if n > MAX_HORIZON_STEPS => v.push(
                        "protocol.lapse_round_months",
                        &format!("must be at most {MAX_HORIZON_STEPS} steps"),
                        months,
                    ),
                    Some(_) => {}
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
        if self.host.regimes.is_some() {
            v.push(
                "host.regimes",
                "only the patron has political cycles; remove the table",
                "a [host.regimes] table",
            );
        }
        if let Some(r) = &self.patron.regimes {
            for (field, years) in [
                ("patron.regimes.term_years", r.term_years),
                ("patron.regimes.first_change_years", r.first_change()),
            ] {
                self.check_cycle(&mut v, field, years, spy_ok);
            }
            // At most one change of administration may fall inside one negotiation (from its
            // window's opening to the end of its longest lapse): the lapse phase applies one.
            let span = self.agreement.window_months + self.agreement.max_lapse_months;
            if r.term_years.is_finite() && span.is_finite() && r.term_years * 12.0 <= span {
                v.push(
                    "patron.regimes.term_years",
                    "must be longer than agreement.window_months + agreement.max_lapse_months \
                     (at most one change of administration per negotiation)",
                    format!("{} years against {span} months", r.term_years),
                );
            }
            let p = r.hardline_probability;
            if v.finite("patron.regimes.hardline_probability", p) && !(0.0..=1.0).contains(&p) {
                v.push(
                    "patron.regimes.hardline_probability",
                    "must be in [0, 1]",
                    p,
                );
            }
            for (key, x) in [("opening", r.opening), ("margin", r.margin)] {
                if let Some(x) = x {
                    v.bounded(
                        &format!("patron.regimes.{key}"),
                        x,
                        MAX_LOG_PREMIUM,
                        LOG_PREMIUM_REASON,
                    );
                }
            }
            if let Some(x) = r.lapse_pressure {
                v.bounded(
                    "patron.regimes.lapse_pressure",
                    x,
                    MAX_LAPSE_PRESSURE,
                    "log units per year",
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
