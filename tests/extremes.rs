//! Extreme but valid scenarios: each either runs with finite results or is rejected by
//! validation with a reason naming the field.

use negcycle::prelude::*;

enum Expect {
    Runs,
    Rejected(&'static str),
}

fn case(name: &str, edit: impl Fn(&mut Scenario), cycles: &[f64], expect: Expect) {
    let mut s = Scenario::preset("us_rok_sma").unwrap();
    edit(&mut s);
    let result = Experiment::new(s)
        .cycle_years(cycles.iter().copied())
        .trials(20)
        .seed(1)
        .run();
    match (expect, result) {
        (Expect::Runs, Ok(report)) => {
            assert_eq!(report.trials, 20, "{name}");
            for arm in &report.arms {
                for host in &arm.hosts {
                    assert_eq!(host.metrics.len(), METRICS.len(), "{name}");
                    for row in &host.metrics {
                        let metric = &row.metric;
                        // No value was dropped: every metric summarises every trial.
                        assert_eq!(row.n, 20, "{name}: {} {metric}", arm.label);
                        for x in [row.mean, row.sd, row.min, row.max, row.p50] {
                            assert!(x.is_finite(), "{name}: {} {metric} = {x}", arm.label);
                        }
                    }
                }
            }
            let json = report.to_json_string().unwrap();
            assert!(!json.contains("NaN") && !json.contains("inf"), "{name}");
        }
        (Expect::Runs, Err(e)) => panic!("{name}: rejected: {e}"),
        (Expect::Rejected(field), Err(e)) => {
            let text = e.to_string();
            assert!(text.contains(field), "{name}: {text}");
        }
        (Expect::Rejected(field), Ok(_)) => panic!("{name}: accepted, expected {field} error"),
    }
}

#[test]
fn extreme_scenarios_run_finite_or_are_rejected_with_a_reason() {
    case(
        "one-step horizon",
        |s| s.horizon_years = 1.0 / 12.0,
        &[1.0 / 12.0, 1.0],
        Expect::Runs,
    );
    case(
        "200-year horizon",
        |s| s.horizon_years = 200.0,
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "cycle longer than the horizon",
        |_| {},
        &[40.0, 100.0],
        Expect::Runs,
    );
    case(
        "volatility 5",
        |s| s.terms.residual.volatility = 5.0,
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "volatility 5 over 200 years",
        |s| {
            s.terms.residual.volatility = 5.0;
            s.horizon_years = 200.0;
        },
        &[1.0],
        Expect::Rejected("terms.residual.volatility"),
    );
    case(
        "100 jumps a year with monthly steps",
        |s| s.terms.residual.jump_rate = 100.0,
        &[1.0],
        Expect::Rejected("terms.residual.jump_rate: must be <= steps_per_year"),
    );
    case(
        "100 jumps a year with daily steps",
        |s| {
            s.steps_per_year = 360;
            s.terms.residual.jump_rate = 100.0;
            s.terms.residual.jump_sd = 0.01;
        },
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "zero margins",
        |s| {
            s.patron.margin = 0.0;
            s.host.margin = 0.0;
        },
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "no private noise",
        |s| {
            s.patron.private_sd = 0.0;
            s.host.private_sd = 0.0;
        },
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "private noise 10",
        |s| {
            s.patron.private_sd = 10.0;
            s.host.private_sd = 10.0;
        },
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "private noise 100",
        |s| s.patron.private_sd = 100.0,
        &[1.0],
        Expect::Rejected("patron.private_sd: must be <= 20"),
    );
    case(
        "10,000 steps per year",
        |s| {
            s.steps_per_year = 10_000;
            s.horizon_years = 12.0;
        },
        &[1.0, 5.0],
        Expect::Runs,
    );
    case(
        "an opening demand of e^1000",
        |s| s.patron.opening = 1000.0,
        &[1.0],
        Expect::Rejected("patron.opening: must be <= 20"),
    );
    case(
        "payments that would overflow",
        |s| s.terms.initial = 1e300,
        &[1.0],
        Expect::Rejected("terms.initial"),
    );
    case(
        "lapse payments of 1e300 times the last payment",
        |s| s.agreement.lapse_payment = 1e300,
        &[1.0],
        Expect::Rejected("agreement.lapse_payment: must be <= 1000"),
    );
}
