//! Calibration by simulated method of moments (MODEL.md §11): parameter recovery on a synthetic
//! record, the sandwich and J formulas on a linear model with a known answer, identification
//! refusals, determinism across thread counts, and Japan's record.
#![cfg(feature = "calibrate")]

use negcycle::Scenario;
use negcycle::calibrate::inference::{chi2_sf, j_statistic, sandwich};
use negcycle::calibrate::{
    FlagPolicy, FreeParam, OptimiserSettings, RecordMoments, Settings, Simulator, calibrate,
};
use negcycle::record::{Agreement, OpeningDemand, Record};
use std::sync::Arc;

/// A record calendar of `n` agreements from 1991 with durations cycling over `pattern`.
fn calendar(n: usize, pattern: &[u32]) -> Record {
    let mut year = 1991;
    let agreements = (0..n)
        .map(|i| {
            let d = pattern[i % pattern.len()];
            let a = Agreement {
                ordinal: i as u32 + 1,
                first_year: year,
                last_year: year + d as i32 - 1,
                duration_years: d,
                signing_lag_months: None,
                negotiation_rounds: None,
                lapsed: None,
                lapse_months: None,
                first_year_amount: None,
                amount_unit: String::new(),
                opening_demand: None,
                flags: String::new(),
            };
            year += d as i32;
            a
        })
        .collect();
    Record {
        origin: "synthetic".into(),
        agreements,
    }
}

/// One simulated replica of `scenario` on `calendar` (seed `seed`), written as a record.
fn synthetic_record(scenario: &Scenario, calendar: &Record, seed: u64) -> Record {
    let data = Arc::new(RecordMoments::from_record(calendar, FlagPolicy::Keep));
    let sim = Simulator::new(Arc::new(calendar.clone()), data, 1, seed, Some(1)).unwrap();
    let outcomes = sim.replica_outcomes(scenario, 0).unwrap();
    let mut r = calendar.clone();
    r.origin = format!("synthetic (seed {seed})");
    let mut previous_amount = None;
    for (a, o) in r.agreements.iter_mut().skip(1).zip(outcomes) {
        let Some(o) = o else {
            previous_amount = None;
            continue;
        };
        a.signing_lag_months = o.lag_months;
        a.lapsed = o.lapsed;
        a.lapse_months = o.lapse_months;
        a.negotiation_rounds = o.rounds.map(|x| x as u32);
        a.first_year_amount = o.log_amount.map(f64::exp);
        a.amount_unit = "units".into();
        // The demand as the record states it: an amount in the previous agreement's unit.
        a.opening_demand = previous_amount
            .zip(o.opening_premium)
            .map(|(paid, p): (f64, f64)| OpeningDemand {
                amount: paid * p.exp(),
                unit: "units".into(),
            });
        previous_amount = a.first_year_amount;
    }
    r
}

fn quick(replicas: u64, starts: usize, max_iters: u64) -> Settings {
    Settings {
        replicas,
        seed: 1,
        threads: Some(2),
        optimiser: OptimiserSettings {
            starts,
            max_iters,
            ..OptimiserSettings::default()
        },
        profiles: false,
        ..Settings::default()
    }
}

/// Synthesizes a record from `truth` on a 60-agreement calendar (seed 777), calibrates the
/// same keys with `settings`, and checks each truth against its reported 95% interval (and,
/// with `max_width`, that each interval is narrower than that share of the bounds' width).
fn recover(truth: &[(&str, f64)], settings: &Settings, max_width: Option<f64>) {
    // The deadline clock (MODEL.md §10.2) with eight formal rounds: lapses happen when the
    // zone is closed, so the moments move with the parameters. The test's own world: the
    // record's calendar with fixed values of what the flagship estimates (its hand-set values
    // before calibration), so that re-estimating the flagship does not change this test.
    let mut base = Scenario::preset("us_rok_sma_history").unwrap();
    for (k, v) in [
        ("protocol.clock", "deadline"),
        ("protocol.rounds", "8"),
        ("support.erosion", "opening_gap"),
        ("terms.residual.drift", "0.02"),
        ("host.margin", "0.04"),
        ("patron.opening", "0.3"),
        ("patron.lapse_pressure", "0.24"),
    ] {
        base = base.with_override(k, v).unwrap();
    }
    let mut true_scenario = base.clone();
    for (k, v) in truth {
        true_scenario = true_scenario.with_override(k, &v.to_string()).unwrap();
    }
    // A long record (60 agreements, ~170 years) so that one synthetic record carries
    // information about the parameters; simulated from a seed that is not the calibration's.
    let cal = calendar(60, &[3, 2, 3, 5, 1]);
    let record = synthetic_record(&true_scenario, &cal, 777);
    let free: Vec<FreeParam> = truth
        .iter()
        .map(|(k, _)| FreeParam::parse(k).unwrap())
        .collect();
    let c = calibrate(&base, &record, &free, settings).unwrap();
    eprintln!("{}", c.table());
    for ((key, truth), e) in truth.iter().zip(&c.estimates) {
        assert_eq!(&e.key, key);
        assert!(e.free, "{e:?}");
        let (lo, hi) = e.ci95.expect("a standard error");
        assert!(
            lo <= *truth && *truth <= hi,
            "{key}: {truth} outside [{lo}, {hi}]"
        );
        if let Some(share) = max_width {
            assert!(
                hi - lo < share * (e.hi - e.lo),
                "{key}: interval too wide to mean much"
            );
        }
    }
    assert_eq!(c.identification.rank, truth.len());
    // Degrees of freedom: M − K, less any moment that is an exact function of another in every
    // replica (here the early share and the mean lead: every early deal is one round early).
    let df = c.df.expect("overidentified");
    assert!(df >= 1 && df <= c.fit.len() - truth.len(), "{df}");
    assert!(c.p_value.is_some_and(|p| p > 0.0 && p <= 1.0));
}

#[test]
fn parameters_are_recovered_within_their_reported_95_percent_intervals() {
    recover(
        &[("patron.lapse_pressure", 0.5), ("patron.opening", 0.6)],
        &quick(100, 2, 80),
        Some(0.5),
    );
}

/// A larger run (S = 400, four starts, three parameters): `cargo test --release --test
/// calibrate -- --ignored`. Coverage only: `patron.opening` and `host.margin` trade off on this
/// synthetic record (condition number ~10²), so their intervals are wide.
#[test]
#[ignore]
fn three_parameters_are_recovered_at_s_400() {
    let mut s = quick(400, 4, 150);
    s.threads = None;
    recover(
        &[
            ("patron.lapse_pressure", 0.5),
            ("patron.opening", 0.6),
            ("host.margin", 0.08),
        ],
        &s,
        None,
    );
}

/// A linear toy: `m̃(θ) = G θ`, moments with covariance `Ω` per record.
#[test]
fn the_sandwich_is_the_efficient_variance_when_the_weights_are_optimal() {
    let g = vec![vec![1.0, 0.0], vec![0.0, 2.0], vec![1.0, 1.0]];
    let omega_diag = [0.5, 2.0, 1.0];
    let omega: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| if i == j { omega_diag[i] } else { 0.0 })
                .collect()
        })
        .collect();
    let w: Vec<f64> = omega_diag.iter().map(|x| 1.0 / x).collect();
    let s = 100;
    let v = sandwich(&g, &w, &omega, s).unwrap();
    // (GᵀΩ⁻¹G)⁻¹ by hand: GᵀΩ⁻¹G = [[2 + 1, 1], [1, 2 + 1]] = [[3, 1], [1, 3]];
    // its inverse is [[3, −1], [−1, 3]] / 8.
    let scale = 1.0 + 1.0 / s as f64;
    let want = [[3.0 / 8.0, -1.0 / 8.0], [-1.0 / 8.0, 3.0 / 8.0]];
    for i in 0..2 {
        for j in 0..2 {
            assert!((v[i][j] - scale * want[i][j]).abs() < 1e-12, "{v:?}");
        }
    }
    // With other weights the sandwich is larger (in the positive-definite order): compare the
    // diagonal.
    let v2 = sandwich(&g, &[1.0, 1.0, 1.0], &omega, s).unwrap();
    assert!(v2[0][0] >= v[0][0] - 1e-12 && v2[1][1] >= v[1][1] - 1e-12);
}

/// A small deterministic normal generator (SplitMix64 + Box–Muller) for the toy's draws.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn draw(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

#[test]
fn j_is_chi_square_with_m_minus_k_degrees_of_freedom_on_the_linear_toy() {
    // m̂ = Gθ₀ + e, m̃(θ) = Gθ + ē_S (S replicas of the same noise): the estimator is weighted
    // least squares with diagonal (not optimal: Ω has correlation) weights.
    let g = vec![
        vec![1.0, 0.0],
        vec![0.0, 1.0],
        vec![1.0, 1.0],
        vec![1.0, -1.0],
    ];
    let sd = [1.0, 0.5, 2.0, 1.0];
    // Ω = D C D with an equicorrelation of 0.3 through a common factor.
    let rho: f64 = 0.3;
    let omega: Vec<Vec<f64>> = (0..4)
        .map(|i| {
            (0..4)
                .map(|j| sd[i] * sd[j] * if i == j { 1.0 } else { rho })
                .collect()
        })
        .collect();
    let w: Vec<f64> = sd.iter().map(|s| 1.0 / (s * s)).collect();
    let s_rep = 20u64;
    let mut rng = Normal(5);
    let noise = |rng: &mut Normal| -> Vec<f64> {
        let f = rng.draw();
        sd.iter()
            .map(|s| s * (rho.sqrt() * f + (1.0 - rho).sqrt() * rng.draw()))
            .collect()
    };
    let theta0 = [1.0, -0.5];
    let draws = 4000;
    let (mut sum_j, mut rejected) = (0.0, 0);
    for _ in 0..draws {
        let e = noise(&mut rng);
        let mut ebar = [0.0; 4];
        for _ in 0..s_rep {
            for (a, b) in ebar.iter_mut().zip(noise(&mut rng)) {
                *a += b / s_rep as f64;
            }
        }
        // y = m̂ − ē_S = G θ + (e − ē_S); θ̂ = (GᵀWG)⁻¹GᵀW y.
        let y: Vec<f64> = (0..4)
            .map(|i| g[i][0] * theta0[0] + g[i][1] * theta0[1] + e[i] - ebar[i])
            .collect();
        let mut h = [[0.0; 2]; 2];
        let mut b = [0.0; 2];
        for i in 0..4 {
            for a in 0..2 {
                b[a] += g[i][a] * w[i] * y[i];
                for c in 0..2 {
                    h[a][c] += g[i][a] * w[i] * g[i][c];
                }
            }
        }
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        let th = [
            (h[1][1] * b[0] - h[0][1] * b[1]) / det,
            (h[0][0] * b[1] - h[1][0] * b[0]) / det,
        ];
        let gap: Vec<f64> = (0..4)
            .map(|i| y[i] - g[i][0] * th[0] - g[i][1] * th[1])
            .collect();
        let (j, df) = j_statistic(&gap, &g, &w, &omega, s_rep).unwrap();
        assert_eq!(df, 2);
        sum_j += j;
        if chi2_sf(j, df) < 0.05 {
            rejected += 1;
        }
    }
    // E[J] = df = 2 and Var = 4 under χ²₂: 4 Monte Carlo SE = 4·√(4/4000) ≈ 0.13.
    let mean_j = sum_j / draws as f64;
    assert!(
        (mean_j - 2.0).abs() < 4.0 * (4.0f64 / draws as f64).sqrt(),
        "{mean_j}"
    );
    // Size 5%: 4 SE = 4·√(0.05·0.95/4000) ≈ 0.014.
    let size = rejected as f64 / draws as f64;
    assert!(
        (size - 0.05).abs() < 4.0 * (0.05f64 * 0.95 / draws as f64).sqrt(),
        "{size}"
    );
}

#[test]
fn a_parameter_the_record_cannot_see_is_held_fixed_with_the_reason() {
    let base = Scenario::preset("us_rok_sma_history").unwrap();
    let record = Record::sma().unwrap();
    // rigidity_weight only prices mismatch in the metrics: no moment moves with it.
    let free = vec![
        FreeParam::parse("patron.lapse_pressure").unwrap(),
        FreeParam::parse("rigidity_weight=0:5").unwrap(),
    ];
    let c = calibrate(&base, &record, &free, &quick(40, 1, 30)).unwrap();
    let rw = &c.estimates[1];
    assert!(!rw.free && rw.se.is_none(), "{rw:?}");
    assert!(
        rw.status.starts_with("fixed: not identified"),
        "{}",
        rw.status
    );
    assert_eq!(rw.value, 1.0);
    assert!(c.estimates[0].free);
    assert!(c.table().contains("fixed: not identified"));
    #[cfg(feature = "plot")]
    fit_chart_is_well_formed(c);
}

/// The fit chart of `c`: one panel per moment titled in words, well-formed, no non-finite
/// number; a hostile scenario name is escaped, and a moment no replica had (no mean, no range)
/// is left out of its panel, not drawn as NaN.
#[cfg(feature = "plot")]
fn fit_chart_is_well_formed(mut c: negcycle::calibrate::Calibration) {
    use negcycle::calibrate::MomentKind;
    use negcycle::plot::calibration_fit_svg;
    let check = |svg: &str| {
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "non-finite");
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    };
    let svg = calibration_fit_svg(&c).unwrap();
    check(&svg);
    for row in &c.fit {
        let kind = MomentKind::from_key(&row.moment).unwrap();
        assert!(svg.contains(kind.title()), "{}", row.moment);
    }
    assert!(svg.contains("inside the record") || svg.contains("outside the record"));
    c.scenario = "<b>&\"x".into();
    c.fit[0].simulated = f64::NAN;
    c.fit[0].replica_range = None;
    let svg = calibration_fit_svg(&c).unwrap();
    check(&svg);
    assert!(svg.contains("&lt;b&gt;&amp;"), "the name is escaped");
}

#[test]
fn more_free_parameters_than_moments_are_refused() {
    // Japan's record has three moments (lapse share, long-lapse share, lapse months).
    let base = Scenario::preset("us_rok_sma_history").unwrap();
    let record = Record::japan_hns().unwrap();
    let free: Vec<FreeParam> = [
        "patron.lapse_pressure",
        "host.lapse_pressure",
        "patron.opening",
        "patron.private_sd",
    ]
    .iter()
    .map(|k| FreeParam::parse(k).unwrap())
    .collect();
    let e = calibrate(&base, &record, &free, &quick(30, 1, 10))
        .unwrap_err()
        .to_string();
    assert!(e.contains("the record has 3 moments"), "{e}");
    let e = calibrate(
        &base,
        &record,
        &[FreeParam::parse("patron.nonsense=0:1").unwrap()],
        &quick(30, 1, 10),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("free: must be a numeric key"), "{e}");
}

#[test]
fn same_inputs_give_the_same_bytes_on_one_and_two_threads() {
    let base = Scenario::preset("us_rok_sma_history").unwrap();
    let record = Record::sma().unwrap();
    let free = vec![
        FreeParam::parse("patron.lapse_pressure").unwrap(),
        FreeParam::parse("patron.opening").unwrap(),
    ];
    let mut one = quick(40, 2, 15);
    one.threads = Some(1);
    one.profiles = true;
    let mut two = one.clone();
    two.threads = Some(2);
    let a = calibrate(&base, &record, &free, &one).unwrap();
    let b = calibrate(&base, &record, &free, &two).unwrap();
    assert_eq!(a.to_json_string().unwrap(), b.to_json_string().unwrap());
    assert_eq!(a.to_csv_string(), b.to_csv_string());
    assert_eq!(a.scenario_toml().unwrap(), b.scenario_toml().unwrap());
    // The calibrated scenario reads back, with the estimates in it.
    let toml = a.scenario_toml().unwrap();
    let s = Scenario::from_toml_str(&toml).unwrap();
    assert_eq!(s.patron.lapse_pressure, a.estimates[0].value);
    assert!(toml.contains(&a.provenance.record_sha256));
    assert_eq!(a.profiles.len(), 2);
}

#[test]
fn japans_record_validates_and_replays_on_its_calendar() {
    let record = Record::japan_hns().unwrap();
    let base = Scenario::preset("us_rok_sma_history").unwrap();
    let data = Arc::new(RecordMoments::from_record(&record, FlagPolicy::Keep));
    let sim = Simulator::new(Arc::new(record.clone()), data, 50, 3, Some(1)).unwrap();
    let m = sim.simulate(&base).unwrap();
    assert_eq!(m.mean.len(), 3);
    assert!(m.mean.iter().all(|x| x.is_finite()), "{m:?}");
    assert!(m.count.iter().all(|&c| c == 50));
}

#[cfg(feature = "cli")]
#[test]
fn the_command_writes_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::Builder::new()
        .prefix("negcycle-calibrate-")
        .tempdir()
        .unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_negcycle"))
            .args([
                "calibrate",
                "--free",
                "patron.lapse_pressure,host.margin",
                "--set",
                "protocol.clock=deadline",
                "--replicas",
                "30",
                "--starts",
                "2",
                "--max-iters",
                "10",
                "--seed",
                "1",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let files: Vec<Vec<u8>> = [
            "calibration.json",
            "calibration.csv",
            "calibrated.toml",
            "manifest.json",
            #[cfg(feature = "plot")]
            "calibration_fit.svg",
        ]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
        outputs.push((run.stdout, files));
    }
    assert_eq!(outputs[0], outputs[1]);
    let table = String::from_utf8_lossy(&outputs[0].0).to_string();
    assert!(table.contains("patron.lapse_pressure") && table.contains("inside band"));
    // Bad input names the option and the rule, exit status 2.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_negcycle"))
        .args([
            "calibrate",
            "--free",
            "patron.margin=1:0",
            "--replicas",
            "5",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("--free: bounds must have LO < HI"), "{err}");
}

#[test]
fn japans_file_loads_from_its_path_and_a_bad_copy_names_row_and_column() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/japan_hns_history.csv");
    let r = Record::from_path(&path).unwrap();
    assert_eq!(
        r,
        Record {
            origin: r.origin.clone(),
            ..Record::japan_hns().unwrap()
        }
    );
    let dir = tempfile::Builder::new()
        .prefix("negcycle-record-")
        .tempdir()
        .unwrap();
    let bad = dir.path().join("japan.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &bad,
        text.replacen("8,2021,2021,1,no,0,", "8,2021,2021,1,no,-1,", 1),
    )
    .unwrap();
    let e = Record::from_path(&bad).unwrap_err().to_string();
    assert!(
        e.contains("japan.csv") && e.contains("row 9, column lapse_months"),
        "{e}"
    );
}
