//! The default uncertainty set of each preset: the parameters its calibration does not
//! estimate, each with a range and the reason for it, and, for the flagship, the estimated
//! ones over their 95% confidence intervals (documented in `EXPLORE.md`). An alliance's host
//! keys are `hosts.NAME.party.*` and `hosts.NAME.support.*`, as `--set` takes them.

use super::uncertainty::Uncertainty;

/// The default uncertainties of preset `name` (`None` for an unknown preset).
pub fn default_uncertainties(name: &str) -> Option<Vec<Uncertainty>> {
    match name {
        "us_rok_sma" | "us_rok_sma_history" => Some(vec![
            Uncertainty::uniform("support.sensitivity", 0.0, 1.0).because(
                "θ, how far low support lowers Seoul's ceiling, is not estimated: from none to \
                 twice the assumed 0.5",
            ),
            Uncertainty::uniform("support.gap_hit", 0.0, 0.3).because(
                "support lost per log unit of opening gap: polls around 2019 bound it only \
                 loosely (0 to three times 0.1)",
            ),
            Uncertainty::uniform("support.lapse_hit", 0.0, 0.6).because(
                "support lost per year of lapse: one lapse (2020) cannot pin it (0 to three \
                 times 0.2)",
            ),
            Uncertainty::log_uniform("support.half_life_years", 1.0, 10.0).because(
                "how fast opinion recovers is unknown: one to ten years around the assumed three",
            ),
            Uncertainty::log_uniform("rigidity_weight", 0.25, 4.0).because(
                "k_rig, the cost of terms that drift from fair, is a modelling assumption: a \
                 quarter to four times 1",
            ),
            Uncertainty::uniform("lapse.stakes_elasticity", 0.0, 2.0).because(
                "Fearon's stakes effect: from no effect of the deal's length on standoffs to \
                 twice the assumed elasticity",
            ),
            Uncertainty::uniform("patron.lapse_cost", 0.2, 1.2).because(
                "the US cost of a lapse (readiness, alliance damage) per year, in X*: the 2020 \
                 furloughs are one observation",
            ),
            Uncertainty::uniform("host.lapse_cost", 0.2, 1.2)
                .because("Seoul's cost of a lapse per year, in X*: as for the patron"),
            Uncertainty::log_uniform("patron.negotiation_cost", 0.001, 0.02).because(
                "staff and political capital per negotiation: unmeasured, a fifth to four \
                 times 0.5% of a year's contribution",
            ),
            Uncertainty::log_uniform("host.negotiation_cost", 0.001, 0.02)
                .because("as for the patron"),
            Uncertainty::uniform("host.margin_trend", 0.0, 0.01).because(
                "operational-control transfer and self-reliance: Seoul's ceiling falls by 0 to \
                 1% of X* a year",
            ),
            Uncertainty::uniform("patron.opening", 0.25, 0.51).because(
                "estimated from the record, 0.376 (SE 0.067): its 95% confidence interval",
            ),
            Uncertainty::uniform("host.margin", 0.07, 0.26).because(
                "estimated from the record, 0.161 (SE 0.049): its 95% confidence interval",
            ),
            Uncertainty::uniform("terms.residual.drift", -0.023, 0.043).because(
                "estimated from the record, 0.0101 per year (SE 0.0166): its 95% confidence \
                 interval",
            ),
            Uncertainty::log_uniform("patron.lapse_pressure", 0.005, 1.0).because(
                "estimated near its lower bound but not identified (SE 0.66): the record holds \
                 one long lapse; from the calibration's lower bound to 1 a year (each lapse \
                 month moving the floor 8%)",
            ),
            Uncertainty::log_uniform("host.lapse_pressure", 0.005, 1.0).because(
                "Seoul's movement per year of lapse is not identified either: the same range",
            ),
            Uncertainty::uniform("patron.margin", 0.0, 0.15).because(
                "the US floor below fair: the record cannot tell it from Seoul's margin (a \
                 calibration with both has condition number 3.5e3), so from none to about \
                 Seoul's estimated margin",
            ),
            Uncertainty::uniform("patron.private_sd", 0.02, 0.2).because(
                "how uncertain the US bottom line is to Seoul: not identified by the record; a \
                 quarter to two and a half times the assumed 8%",
            ),
            Uncertainty::uniform("host.private_sd", 0.02, 0.2)
                .because("as for the patron: Seoul's bottom line, unseen by Washington"),
            Uncertainty::uniform("patron.regimes.hardline_probability", 0.0, 0.5).because(
                "the patron's regimes (MODEL.md §10.5): the share of four-year administrations \
                 that bargain as in 2019–20, one of the last eight terms observed, from none to \
                 one in two",
            ),
            Uncertainty::uniform("patron.regimes.opening", 0.3, 1.6).because(
                "what a hardline administration demands: from a routine +30% to the five-fold \
                 demand of 2019–20 (ln 5 ≈ 1.6)",
            ),
        ]),
        "wage_round" => Some(vec![
            Uncertainty::log_uniform("rigidity_weight", 0.25, 4.0)
                .because("the cost of wages that drift from fair is a modelling assumption"),
            Uncertainty::uniform("lapse.stakes_elasticity", 0.0, 2.0)
                .because("whether longer agreements lengthen stand-offs is not estimated"),
            Uncertainty::uniform("support.sensitivity", 0.0, 0.3)
                .because("how far low trust lowers the firm's offer: 0 to three times 0.1"),
            Uncertainty::uniform("patron.opening", 0.02, 0.15)
                .because("unions' opening demands range from modest to militant"),
            Uncertainty::uniform("host.margin", 0.0, 0.04)
                .because("management's room below the fair raise is private"),
        ]),
        "us_alliances" => Some(vec![
            Uncertainty::log_uniform("rigidity_weight", 0.25, 4.0).because(
                "k_rig, the cost of terms that drift from fair, is a modelling assumption: a \
                 quarter to four times 1",
            ),
            Uncertainty::uniform("lapse.stakes_elasticity", 0.0, 2.0)
                .because("Fearon's stakes effect: from none to twice the assumed elasticity"),
            Uncertainty::uniform("patron.lapse_cost", 0.2, 1.2).because(
                "the US cost of a lapse per year, in X*, as in us_rok_sma: one observed lapse \
                 (2020) cannot pin it",
            ),
            Uncertainty::uniform("patron.opening", 0.1, 0.5).because(
                "a routine administration's opening demand over the status quo, as in \
                 us_rok_sma: +10% to +50%",
            ),
            Uncertainty::uniform("linkage.leverage", 0.0, 1.0).because(
                "the article's leverage is a claim, not a measurement: from none to the whole of \
                 the largest recent increase won elsewhere added to the opening (assumed half)",
            ),
            Uncertainty::uniform("linkage.benchmarking", 0.0, 0.5).because(
                "how far an ally's ceiling moves toward what the others pay: from not at all to \
                 half the way (assumed a fifth)",
            ),
            Uncertainty::uniform("linkage.correlation", 0.0, 0.6).because(
                "how far one threat environment moves the allies' fair terms together: from \
                 independent to twice the assumed 0.3",
            ),
            Uncertainty::uniform("hosts.korea.party.margin", 0.01, 0.1).because(
                "Seoul's room below its ceiling is private: a quarter to 2.5 times the assumed \
                 4% of X*",
            ),
            Uncertainty::uniform("hosts.japan.party.margin", 0.01, 0.1).because(
                "Tokyo's quiet settlements show room, not how much: a fifth to twice the \
                 assumed 5% of X*",
            ),
            Uncertainty::uniform("hosts.nato.party.margin", 0.01, 0.06).because(
                "the room of 30 governments' aggregate bottom line: a third to twice the \
                 assumed 3% of X*",
            ),
            Uncertainty::uniform("hosts.korea.support.sensitivity", 0.0, 1.0).because(
                "θ, how far low support lowers Seoul's ceiling, as in us_rok_sma: from none to \
                 twice 0.5",
            ),
        ]),
        "frictionless" => Some(vec![
            Uncertainty::uniform("terms.index.volatility", 0.0, 0.05)
                .because("σ_I: volatility of the contractible index"),
            Uncertainty::uniform("terms.residual.volatility", 0.0, 0.1)
                .because("σ_U: volatility of what no contract can index"),
            Uncertainty::uniform("agreement.indexation", 0.0, 1.0)
                .because("κ: the share of the index the agreement follows"),
        ]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::uncertainty::check_set;
    use crate::scenario::Input;

    #[test]
    fn every_default_is_valid_for_its_preset() {
        for name in [
            "us_rok_sma",
            "us_rok_sma_history",
            "wage_round",
            "frictionless",
            "us_alliances",
        ] {
            let set = default_uncertainties(name).unwrap();
            check_set(&set, &Input::preset(name).unwrap()).unwrap();
            assert!(set.iter().all(|u| !u.reason.is_empty()));
        }
        assert!(default_uncertainties("no_such_preset").is_none());
    }
}
