//! Scenario files: presets, the MODEL.md appendix, defaults, validation with field paths, parse
//! errors with locations, file loading, and robustness against garbage input.

mod common;

use common::TempDir;
use negcycle::scenario::{
    Agreement, BargainingHorizon, Diffusion, JumpDiffusion, LapseConfig, LapseModel, Party,
    ProtocolConfig, ProtocolKind, Scenario, ScenarioError, Side, Support, Violation,
};

/// The scenario file of MODEL.md's appendix, verbatim.
const APPENDIX_TOML: &str = r#"name = "us_rok_sma"
description = "US–South Korea cost sharing, calibrated loosely to the 1991–2030 agreements"
units = "KRW bn"
horizon_years = 30
steps_per_year = 12
discount_rate = 0.03
rigidity_weight = 1.0          # k_rig

[terms]                        # efficient terms X*
initial = 1038.9
index    = { drift = 0.025, volatility = 0.01 }
residual = { drift = 0.02, volatility = 0.06, jump_rate = 0.2, jump_mean = 0.0, jump_sd = 0.1 }

[agreement]
cycle_years = 5.0              # the default arm; experiments override it
indexation = 0.0               # κ
escalator = 0.0                # g, per year
retroactive = true
window_months = 12
max_lapse_months = 24
lapse_payment = 1.0
rupture_cost = 3.0             # multiple of annual X*

[protocol]
kind = "alternating"           # or "complete_information"
opener = "patron"
rounds_per_step = 1
tick = 0.0                     # 0: continuous prices

[lapse]
model = "drift"                # or "attrition"
stakes_elasticity = 1.0        # η

[patron]
margin = 0.05
private_sd = 0.08
opening = 0.3
concession_exponent = 3.0
lapse_pressure = 0.24
negotiation_cost = 0.005
round_cost = 0.001
lapse_cost = 0.6
discount_rate = 0.03

[host]                         # same keys as patron, plus:
margin_trend = 0.0

[support]
initial = 0.75
baseline = 0.75
half_life_years = 3.0
gap_hit = 0.1                  # γ_gap
lapse_hit = 0.2                # γ_lapse, per year of lapse
sensitivity = 0.5              # θ
"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn violations(result: Result<Scenario, ScenarioError>, context: &str) -> Vec<Violation> {
    match result {
        Err(ScenarioError::Invalid(v)) => v,
        other => panic!("{context}: expected ScenarioError::Invalid, got {other:?}"),
    }
}

/// Tiny deterministic generator (xorshift64*) for garbage inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 56) as u8).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Presets
// ---------------------------------------------------------------------------------------------

#[test]
fn presets_load_validate_and_round_trip() {
    let names = Scenario::presets();
    assert!(names.len() >= 3, "presets: {names:?}");
    for expected in ["us_rok_sma", "wage_round", "frictionless"] {
        assert!(
            names.contains(&expected),
            "missing preset {expected}: {names:?}"
        );
    }
    for name in names {
        let s = Scenario::preset(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        assert_eq!(s.name, name, "preset {name} has the name of its key");
        s.validate()
            .unwrap_or_else(|e| panic!("preset {name} validates: {e}"));

        // The TOML source parses to the same scenario.
        let source = Scenario::preset_toml(name).expect("preset_toml");
        assert_eq!(
            Scenario::from_toml_str(source).unwrap(),
            s,
            "{name}: source"
        );

        let toml = s.to_toml_string().unwrap();
        let back = Scenario::from_toml_str(&toml)
            .unwrap_or_else(|e| panic!("{name}: TOML round trip: {e}\n{toml}"));
        assert_eq!(back, s, "{name}: TOML round trip\n{toml}");

        let json = s.to_json_string().unwrap();
        let back = Scenario::from_json_str(&json)
            .unwrap_or_else(|e| panic!("{name}: JSON round trip: {e}\n{json}"));
        assert_eq!(back, s, "{name}: JSON round trip\n{json}");

        // Cross-format: TOML text -> scenario -> JSON text -> scenario.
        let via = Scenario::from_json_str(&back.to_json_string().unwrap()).unwrap();
        assert_eq!(
            Scenario::from_toml_str(&via.to_toml_string().unwrap()).unwrap(),
            s
        );
    }
}

#[test]
fn preset_specifics() {
    let sma = Scenario::preset("us_rok_sma").unwrap();
    assert_eq!(sma.units, "KRW bn");
    assert_eq!(sma.terms.initial, 1038.9);
    assert_eq!(sma.agreement.cycle_years, 5.0);
    assert_eq!(sma.host.opening, 0.05);

    let wage = Scenario::preset("wage_round").unwrap();
    assert_eq!(wage.agreement.cycle_years, 1.0);
    assert_eq!(wage.protocol.rounds_per_step, 2);
    assert_eq!(wage.patron.discount_rate, Some(0.05));
    assert_eq!(wage.patron_rate(), 0.05);
    assert_eq!(wage.host.discount_rate, None);
    assert_eq!(wage.host_rate(), wage.discount_rate);

    let fr = Scenario::preset("frictionless").unwrap();
    assert_eq!(fr.protocol.kind, ProtocolKind::CompleteInformation);
    assert_eq!(fr.agreement.window_months, 0.0);
    assert_eq!(fr.terms.residual.jump_rate, 0.0);
    assert_eq!(fr.patron.private_sd, 0.0);
    assert_eq!(fr.host.margin, 0.0);
}

#[test]
fn unknown_preset_lists_available_names() {
    let err = Scenario::preset("nope").unwrap_err();
    match &err {
        ScenarioError::UnknownPreset { name, available } => {
            assert_eq!(name, "nope");
            let expected: Vec<String> = Scenario::presets().iter().map(|s| s.to_string()).collect();
            assert_eq!(available, &expected);
        }
        other => panic!("expected UnknownPreset, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("\"nope\""), "{shown}");
    for name in Scenario::presets() {
        assert!(shown.contains(name), "{shown} lists {name}");
    }
    assert!(matches!(
        Scenario::preset_toml("nope"),
        Err(ScenarioError::UnknownPreset { .. })
    ));
    // Names are exact: no case folding, no trimming.
    assert!(Scenario::preset("US_ROK_SMA").is_err());
    assert!(Scenario::preset(" us_rok_sma").is_err());
    assert!(Scenario::preset("").is_err());
}

// ---------------------------------------------------------------------------------------------
// 2. The appendix file and defaults
// ---------------------------------------------------------------------------------------------

#[test]
fn appendix_toml_parses_to_expected_struct() {
    let s = Scenario::from_toml_str(APPENDIX_TOML).unwrap_or_else(|e| panic!("{e}"));

    // Spot checks, field by field.
    assert_eq!(s.name, "us_rok_sma");
    assert_eq!(
        s.description,
        "US–South Korea cost sharing, calibrated loosely to the 1991–2030 agreements"
    );
    assert_eq!(s.units, "KRW bn");
    assert_eq!(s.horizon_years, 30.0); // an integer in the file, an f64 in the struct
    assert_eq!(s.steps_per_year, 12);
    assert_eq!(s.horizon_steps(), 360);
    assert_eq!(s.discount_rate, 0.03);
    assert_eq!(s.rigidity_weight, 1.0);
    assert_eq!(s.terms.initial, 1038.9);
    assert_eq!(
        s.terms.index,
        Diffusion {
            drift: 0.025,
            volatility: 0.01
        }
    );
    assert_eq!(
        s.terms.residual,
        JumpDiffusion {
            drift: 0.02,
            volatility: 0.06,
            jump_rate: 0.2,
            jump_mean: 0.0,
            jump_sd: 0.1
        }
    );
    assert_eq!(
        s.agreement,
        Agreement {
            cycle_years: 5.0,
            indexation: 0.0,
            escalator: 0.0,
            retroactive: true,
            window_months: 12.0,
            max_lapse_months: 24.0,
            lapse_payment: 1.0,
            rupture_cost: 3.0,
            schedule: Vec::new(),
        }
    );
    assert_eq!(s.months_to_steps(s.agreement.window_months), Some(12));
    assert_eq!(s.years_to_steps(s.agreement.cycle_years), Some(60));
    assert_eq!(
        s.protocol,
        ProtocolConfig {
            kind: ProtocolKind::Alternating,
            opener: Side::Patron,
            rounds_per_step: 1,
            tick: 0.0,
            horizon: BargainingHorizon::Infinite,
            rounds: None,
            lapse_round_months: None,
            clock: negcycle::scenario::Clock::Negmas,
        }
    );
    assert_eq!(
        s.lapse,
        LapseConfig {
            model: LapseModel::Drift,
            stakes_elasticity: 1.0
        }
    );
    assert_eq!(
        s.patron,
        Party {
            margin: 0.05,
            private_sd: 0.08,
            opening: 0.3,
            concession_exponent: 3.0,
            lapse_pressure: 0.24,
            negotiation_cost: 0.005,
            round_cost: 0.001,
            lapse_cost: 0.6,
            discount_rate: Some(0.03),
            margin_trend: 0.0,
            opening_reference: negcycle::scenario::OpeningReference::StatusQuo,
            regimes: None,
        }
    );
    // `[host]` only sets margin_trend: everything else is the default.
    assert_eq!(s.host, Party::host_default());
    assert_eq!(s.host.discount_rate, None);
    assert_eq!(s.patron_rate(), 0.03);
    assert_eq!(s.host_rate(), 0.03);
    assert_eq!(
        s.support,
        Support {
            initial: 0.75,
            baseline: 0.75,
            half_life_years: 3.0,
            gap_hit: 0.1,
            lapse_hit: 0.2,
            sensitivity: 0.5,
            erosion: negcycle::scenario::Erosion::OpeningGap,
        }
    );

    // The whole struct: with_name + the non-default values of the appendix.
    let mut expected = Scenario::with_name("us_rok_sma");
    expected.description =
        "US–South Korea cost sharing, calibrated loosely to the 1991–2030 agreements".into();
    expected.units = "KRW bn".into();
    expected.terms.initial = 1038.9;
    expected.patron.discount_rate = Some(0.03);
    assert_eq!(s, expected);

    // The same keys in JSON give the same scenario.
    let json = s.to_json_string().unwrap();
    assert_eq!(Scenario::from_json_str(&json).unwrap(), s);
}

#[test]
fn minimal_file_gets_every_default() {
    let s = Scenario::from_toml_str("name = \"x\"").unwrap();
    assert_eq!(s, Scenario::with_name("x"));
    assert_eq!(Scenario::from_json_str(r#"{"name": "x"}"#).unwrap(), s);

    // The documented defaults.
    assert_eq!(s.description, "");
    assert_eq!(s.units, "units");
    assert_eq!(s.horizon_years, 30.0);
    assert_eq!(s.steps_per_year, 12);
    assert_eq!(s.discount_rate, 0.03);
    assert_eq!(s.rigidity_weight, 1.0);
    assert_eq!(s.terms.initial, 1000.0);
    assert_eq!(s.agreement.cycle_years, 5.0);
    assert_eq!(s.agreement.window_months, 12.0);
    assert_eq!(s.agreement.max_lapse_months, 24.0);
    assert!(s.agreement.retroactive);
    assert_eq!(s.protocol.kind, ProtocolKind::Alternating);
    assert_eq!(s.protocol.opener, Side::Patron);
    assert_eq!(s.protocol.rounds_per_step, 1);
    assert_eq!(s.lapse.model, LapseModel::Drift);
    assert_eq!(s.patron, Party::patron_default());
    assert_eq!(s.host, Party::host_default());
    assert_eq!(s.support, Support::default());
    assert!((s.dt() - 1.0 / 12.0).abs() < 1e-15);
    s.validate().unwrap();
    Scenario::with_name("x").validate().unwrap();

    // A partial table keeps the defaults of its other keys.
    let s = Scenario::from_toml_str(
        "name = \"x\"\n[patron]\nmargin = 0.2\n[terms.residual]\njump_sd = 0.3",
    )
    .unwrap();
    let mut expected = Scenario::with_name("x");
    expected.patron.margin = 0.2;
    expected.terms.residual.jump_sd = 0.3;
    assert_eq!(s, expected);
}

#[test]
fn valid_edge_values_are_accepted() {
    let ok = [
        "[agreement]\nwindow_months = 0",
        "[agreement]\nmax_lapse_months = 0",
        "[agreement]\nindexation = 1.0",
        "[agreement]\ncycle_years = 0.5",
        "[agreement]\ncycle_years = 0.25\nwindow_months = 3",
        "[agreement]\nescalator = -0.02",
        "[terms.residual]\njump_rate = 12.0",
        "[terms.residual]\njump_mean = -0.5",
        "[host]\nmargin_trend = 0.02",
        "[host]\ndiscount_rate = 0.0",
        "[patron]\nmargin = 0\nconcession_exponent = 0.2",
        "[support]\ninitial = 0.0\nbaseline = 1.0",
        "[protocol]\nkind = \"complete_information\"\nopener = \"host\"\nhorizon = \"finite\"",
        "[protocol]\nrounds_per_step = 1000\ntick = 0.5",
        "[lapse]\nmodel = \"attrition\"\nstakes_elasticity = 0",
        "steps_per_year = 52\nhorizon_years = 10\n[agreement]\ncycle_years = 1\nwindow_months = 0",
        "steps_per_year = 1\n[agreement]\ncycle_years = 2\nwindow_months = 12\nmax_lapse_months = 24",
    ];
    for body in ok {
        let text = format!("name = \"x\"\n{body}");
        if let Err(e) = Scenario::from_toml_str(&text) {
            panic!("should be valid:\n{text}\n-> {e}");
        }
    }
    let s = Scenario::preset("us_rok_sma").unwrap();
    s.check_cycle_years("arm", 0.5).unwrap();
    s.check_cycle_years("arm", 10.0).unwrap();
    let v = violations(
        s.check_cycle_years("arms[2]", 0.3).map(|()| s.clone()),
        "check_cycle_years",
    );
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "arms[2]");
    assert!(v[0].rule.contains("whole number of steps"), "{}", v[0]);
    assert!(s.check_cycle_years("arm", 0.0).is_err());
    assert!(s.check_cycle_years("arm", -1.0).is_err());
    assert!(s.check_cycle_years("arm", f64::NAN).is_err());
}

// ---------------------------------------------------------------------------------------------
// 3. Bad scenarios, table-driven
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `ScenarioError::Invalid` with exactly one violation whose `field` equals the path.
    Invalid,
    /// `ScenarioError::Parse` (TOML) with a line number.
    Parse,
}

struct Bad {
    toml: &'static str,
    kind: Kind,
    /// Invalid: the exact field path. Parse: a substring of the message (the key or value).
    path: &'static str,
    /// A substring of the rule (Invalid) or of the parser message (Parse).
    rule: &'static str,
    /// Parse only: the expected 1-based line.
    line: usize,
}

const fn invalid(toml: &'static str, path: &'static str, rule: &'static str) -> Bad {
    Bad {
        toml,
        kind: Kind::Invalid,
        path,
        rule,
        line: 0,
    }
}

const fn parse(toml: &'static str, path: &'static str, rule: &'static str, line: usize) -> Bad {
    Bad {
        toml,
        kind: Kind::Parse,
        path,
        rule,
        line,
    }
}

const BAD: &[Bad] = &[
    // Validation rules.
    invalid(
        "name = \"x\"\n[patron]\nmargin = -0.1",
        "patron.margin",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\nsteps_per_year = 0",
        "steps_per_year",
        "must be in [1, 10000]",
    ),
    invalid(
        "name = \"x\"\nsteps_per_year = 20000",
        "steps_per_year",
        "must be in [1, 10000]",
    ),
    invalid(
        "name = \"x\"\n[agreement]\ncycle_years = 0.01",
        "agreement.cycle_years",
        "positive whole number of steps",
    ),
    invalid(
        "name = \"x\"\n[agreement]\ncycle_years = 0.3",
        "agreement.cycle_years",
        "whole number of steps",
    ),
    invalid(
        "name = \"x\"\n[agreement]\ncycle_years = 0",
        "agreement.cycle_years",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[agreement]\ncycle_years = -5",
        "agreement.cycle_years",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[terms]\ninitial = nan",
        "terms.initial",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\nhorizon_years = nan",
        "horizon_years",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\n[terms.index]\ndrift = -nan",
        "terms.index.drift",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nrupture_cost = inf",
        "agreement.rupture_cost",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nescalator = -inf",
        "agreement.escalator",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\nhorizon_years = 0",
        "horizon_years",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\nhorizon_years = 30.05",
        "horizon_years",
        "whole number of steps",
    ),
    invalid(
        "name = \"x\"\nsteps_per_year = 10000\nhorizon_years = 2000",
        "horizon_years",
        "must be at most 10000000 steps",
    ),
    invalid(
        "name = \"x\"\ndiscount_rate = -0.01",
        "discount_rate",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\nrigidity_weight = -1",
        "rigidity_weight",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[terms]\ninitial = 0",
        "terms.initial",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[terms.index]\nvolatility = -0.01",
        "terms.index.volatility",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[terms.residual]\njump_sd = -0.1",
        "terms.residual.jump_sd",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nindexation = 1.5",
        "agreement.indexation",
        "must be in [0, 1]",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nindexation = -0.5",
        "agreement.indexation",
        "must be in [0, 1]",
    ),
    invalid(
        "name = \"x\"\n[support]\ninitial = 2",
        "support.initial",
        "must be in [0, 1]",
    ),
    invalid(
        "name = \"x\"\n[support]\nbaseline = -0.1",
        "support.baseline",
        "must be in [0, 1]",
    ),
    invalid(
        "name = \"x\"\n[support]\nhalf_life_years = 0",
        "support.half_life_years",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[support]\nsensitivity = -1",
        "support.sensitivity",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[terms.residual]\njump_rate = 13",
        "terms.residual.jump_rate",
        "must be <= steps_per_year (12)",
    ),
    invalid(
        "name = \"x\"\nsteps_per_year = 4\n[agreement]\nwindow_months = 6\n[terms.residual]\njump_rate = 4.5",
        "terms.residual.jump_rate",
        "must be <= steps_per_year (4)",
    ),
    invalid(
        "name = \"x\"\n[terms.residual]\njump_rate = -0.1",
        "terms.residual.jump_rate",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nwindow_months = 1.5",
        "agreement.window_months",
        "whole number of steps",
    ),
    invalid(
        "name = \"x\"\nsteps_per_year = 4\n[agreement]\nwindow_months = 12\nmax_lapse_months = 2",
        "agreement.max_lapse_months",
        "whole number of steps (3 months each)",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nmax_lapse_months = -1",
        "agreement.max_lapse_months",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[agreement]\nlapse_payment = -1",
        "agreement.lapse_payment",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[protocol]\nrounds_per_step = 0",
        "protocol.rounds_per_step",
        "must be in [1, 1000]",
    ),
    invalid(
        "name = \"x\"\n[protocol]\nrounds_per_step = 1001",
        "protocol.rounds_per_step",
        "must be in [1, 1000]",
    ),
    invalid(
        "name = \"x\"\n[protocol]\ntick = -1",
        "protocol.tick",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[lapse]\nstakes_elasticity = -1",
        "lapse.stakes_elasticity",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[patron]\nconcession_exponent = 0",
        "patron.concession_exponent",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[host]\nconcession_exponent = 0",
        "host.concession_exponent",
        "must be > 0",
    ),
    invalid(
        "name = \"x\"\n[patron]\nmargin_trend = 0.01",
        "patron.margin_trend",
        "only the host has a margin trend; must be 0",
    ),
    invalid(
        "name = \"x\"\n[host]\nmargin_trend = inf",
        "host.margin_trend",
        "must be a finite number",
    ),
    invalid(
        "name = \"x\"\n[host]\ndiscount_rate = -0.01",
        "host.discount_rate",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[patron]\ndiscount_rate = -0.05",
        "patron.discount_rate",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[host]\nlapse_cost = -0.6",
        "host.lapse_cost",
        "must be >= 0",
    ),
    invalid(
        "name = \"x\"\n[host]\nprivate_sd = -0.1",
        "host.private_sd",
        "must be >= 0",
    ),
    invalid("name = \"\"", "name", "must not be empty"),
    invalid("name = \"   \"", "name", "must not be empty"),
    // Parse errors: unknown keys, wrong types, unknown enum values, missing name.
    parse("name = \"x\"\nmargn = 0.1", "margn", "unknown field", 2),
    parse(
        "name = \"x\"\n[patron]\nmargn = 0.1",
        "margn",
        "unknown field",
        3,
    ),
    parse(
        "name = \"x\"\n[terms.residual]\njump_rte = 0.1",
        "jump_rte",
        "unknown field",
        3,
    ),
    parse(
        "name = \"x\"\n[pattron]\nmargin = 0.1",
        "pattron",
        "unknown field",
        2,
    ),
    parse(
        "name = \"x\"\nhorizon_years = \"thirty\"",
        "\"thirty\"",
        "invalid type",
        2,
    ),
    parse(
        "name = \"x\"\nsteps_per_year = 12.5",
        "12.5",
        "invalid type",
        2,
    ),
    parse("name = \"x\"\nsteps_per_year = -1", "-1", "", 2),
    parse(
        "name = \"x\"\nsteps_per_year = 99999999999",
        "99999999999",
        "",
        2,
    ),
    parse(
        "name = \"x\"\n[agreement]\nretroactive = 1",
        "1",
        "invalid type",
        3,
    ),
    parse("name = 5", "5", "invalid type", 1),
    parse("", "name", "missing field", 1),
    parse("description = \"no name\"", "name", "missing field", 1),
    parse(
        "name = \"x\"\n[protocol]\nkind = \"magic\"",
        "magic",
        "unknown variant",
        3,
    ),
    parse(
        "name = \"x\"\n[protocol]\nopener = \"nobody\"",
        "nobody",
        "unknown variant",
        3,
    ),
    parse(
        "name = \"x\"\n[protocol]\nhorizon = \"forever\"",
        "forever",
        "unknown variant",
        3,
    ),
    parse(
        "name = \"x\"\n[lapse]\nmodel = \"Drift\"",
        "Drift",
        "unknown variant",
        3,
    ),
    parse("name = \"x\"\nhorizon_years = 1e400", "", "", 2),
    parse("name = \"x\"\nname = \"y\"", "", "", 2),
    parse("name = \"x\"\nhorizon_years = ", "", "", 2),
];

#[test]
fn bad_scenarios_are_rejected_with_field_paths() {
    let mut failures = Vec::new();
    for (i, bad) in BAD.iter().enumerate() {
        let result = Scenario::from_toml_str(bad.toml);
        let err = match result {
            Ok(s) => {
                failures.push(format!("row {i}: accepted\n{}\n-> {s:?}", bad.toml));
                continue;
            }
            Err(e) => e,
        };
        let shown = err.to_string();
        let ok = match (&err, bad.kind) {
            (ScenarioError::Invalid(v), Kind::Invalid) => {
                v.len() == 1
                    && v[0].field == bad.path
                    && v[0].rule.contains(bad.rule)
                    && shown.contains(&format!("{}: ", bad.path))
                    && shown.contains(bad.rule)
                    && shown.contains(&v[0].to_string())
            }
            (
                ScenarioError::Parse {
                    format,
                    message,
                    line,
                    origin,
                    ..
                },
                Kind::Parse,
            ) => {
                *format == "TOML"
                    && origin == "<string>"
                    && message.contains(bad.path)
                    && message.contains(bad.rule)
                    && *line == Some(bad.line)
                    && shown.contains(&format!("line {}", bad.line))
                    && shown.contains(message.as_str())
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "row {i}: expected {:?} {:?} / {:?} (line {})\n{}\n-> {err:?}\n   {shown}",
                bad.kind, bad.path, bad.rule, bad.line, bad.toml
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn violation_display_is_path_rule_value() {
    let err = Scenario::from_toml_str("name = \"x\"\n[patron]\nmargin = -0.1").unwrap_err();
    assert_eq!(
        err,
        ScenarioError::Invalid(vec![Violation {
            field: "patron.margin".into(),
            rule: "must be >= 0".into(),
            got: "-0.1".into(),
        }])
    );
    let shown = err.to_string();
    assert!(
        shown.contains("patron.margin: must be >= 0, got -0.1"),
        "{shown}"
    );

    let err = Scenario::from_toml_str("name = \"x\"\n[agreement]\ncycle_years = 0.3").unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("agreement.cycle_years: "), "{shown}");
    assert!(shown.contains("got 0.3"), "{shown}");

    let err = Scenario::from_toml_str("name = \"\"").unwrap_err();
    assert!(
        err.to_string()
            .contains("name: must not be empty, got \"\""),
        "{err}"
    );
}

#[test]
fn unknown_key_error_names_key_line_and_column() {
    let text = "name = \"x\"\n\n[patron]\nmargin = 0.1\nmargn = 0.1\n";
    match Scenario::from_toml_str(text).unwrap_err() {
        ScenarioError::Parse {
            format,
            message,
            line,
            column,
            ..
        } => {
            assert_eq!(format, "TOML");
            assert!(message.contains("margn"), "{message}");
            assert!(
                message.contains("margin"),
                "lists the known keys: {message}"
            );
            assert_eq!(line, Some(5));
            assert_eq!(column, Some(1));
        }
        other => panic!("expected Parse, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Several violations at once
// ---------------------------------------------------------------------------------------------

#[test]
fn all_violations_are_reported_at_once() {
    let text = "name = \"x\"\n\
                [patron]\nmargin = -0.1\n\
                [agreement]\nindexation = 1.5\n\
                [support]\ninitial = 2\n";
    let v = violations(Scenario::from_toml_str(text), "three bad fields");
    assert_eq!(v.len(), 3, "{v:?}");
    let fields: Vec<&str> = v.iter().map(|x| x.field.as_str()).collect();
    for f in ["patron.margin", "agreement.indexation", "support.initial"] {
        assert!(fields.contains(&f), "{fields:?} has {f}");
    }
    let shown = Scenario::from_toml_str(text).unwrap_err().to_string();
    for x in &v {
        assert!(shown.contains(&x.to_string()), "{shown} shows {x}");
    }
    assert_eq!(
        shown.lines().count(),
        4,
        "a header line and one line each:\n{shown}"
    );

    // The same through JSON.
    let json = r#"{"name": "x", "patron": {"margin": -0.1}, "agreement": {"indexation": 1.5},
                   "support": {"initial": 2}}"#;
    assert_eq!(violations(Scenario::from_json_str(json), "json"), v);

    // validate() on a struct built in code, many at once.
    let mut s = Scenario::with_name("");
    s.steps_per_year = 0;
    s.terms.initial = -1.0;
    s.protocol.rounds_per_step = 0;
    s.host.concession_exponent = 0.0;
    s.patron.margin_trend = 0.1;
    s.support.half_life_years = f64::NAN;
    let v = violations(s.validate().map(|()| s.clone()), "built in code");
    let fields: Vec<&str> = v.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "name",
            "steps_per_year",
            "terms.initial",
            "protocol.rounds_per_step",
            "host.concession_exponent",
            "patron.margin_trend",
            "support.half_life_years",
        ],
        "{v:?}"
    );
    // Both parties are checked with their own prefix.
    let mut s = Scenario::with_name("x");
    s.patron.opening = -1.0;
    s.host.opening = -1.0;
    let v = violations(s.validate().map(|()| s.clone()), "both parties");
    let fields: Vec<&str> = v.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(fields, ["patron.opening", "host.opening"]);
}

// ---------------------------------------------------------------------------------------------
// 5. Files
// ---------------------------------------------------------------------------------------------

#[test]
fn from_path_reads_toml_and_json_by_extension() {
    let dir = TempDir::new("formats");
    let sma = Scenario::preset("us_rok_sma").unwrap();
    let toml = sma.to_toml_string().unwrap();
    let json = sma.to_json_string().unwrap();

    let p = dir.write("a.toml", toml.as_bytes());
    assert_eq!(Scenario::from_path(&p).unwrap(), sma);
    let p = dir.write("b.json", json.as_bytes());
    assert_eq!(Scenario::from_path(&p).unwrap(), sma);
    // Case-insensitive extensions.
    let p = dir.write("c.TOML", toml.as_bytes());
    assert_eq!(Scenario::from_path(&p).unwrap(), sma);
    let p = dir.write("d.Json", json.as_bytes());
    assert_eq!(Scenario::from_path(&p).unwrap(), sma);
    // The appendix file from disk.
    let p = dir.write("appendix.toml", APPENDIX_TOML.as_bytes());
    assert_eq!(
        Scenario::from_path(&p).unwrap(),
        Scenario::from_toml_str(APPENDIX_TOML).unwrap()
    );
    // JSON content in a .toml file is parsed as TOML and fails.
    let p = dir.write("e.toml", json.as_bytes());
    assert!(matches!(
        Scenario::from_path(&p),
        Err(ScenarioError::Parse { format: "TOML", .. })
    ));
}

#[test]
fn from_path_errors_name_the_path() {
    let dir = TempDir::new("errors");

    // Unknown extensions (checked before reading).
    for name in ["s.yaml", "s.yml", "s", "s.toml.bak", "toml"] {
        let p = dir.write(name, b"name = \"x\"\n");
        match Scenario::from_path(&p) {
            Err(ScenarioError::UnknownFormat { path }) => {
                assert_eq!(path, p.display().to_string());
                let shown = Scenario::from_path(&p).unwrap_err().to_string();
                assert!(shown.contains(&path), "{shown}");
                assert!(
                    shown.contains(".toml") && shown.contains(".json"),
                    "{shown}"
                );
            }
            other => panic!("{name}: expected UnknownFormat, got {other:?}"),
        }
    }

    // A missing file.
    let missing = dir.path().join("missing.toml");
    match Scenario::from_path(&missing) {
        Err(e @ ScenarioError::Io { .. }) => {
            let shown = e.to_string();
            assert!(shown.contains(&missing.display().to_string()), "{shown}");
            if let ScenarioError::Io { path, message } = e {
                assert_eq!(path, missing.display().to_string());
                assert!(!message.is_empty());
            }
        }
        other => panic!("missing file: expected Io, got {other:?}"),
    }

    // A directory with a scenario extension.
    let sub = dir.path().join("folder.toml");
    std::fs::create_dir(&sub).unwrap();
    match Scenario::from_path(&sub) {
        Err(ScenarioError::Io { path, .. }) => assert_eq!(path, sub.display().to_string()),
        other => panic!("directory: expected Io, got {other:?}"),
    }

    // Non-UTF-8 bytes.
    let p = dir.write("latin1.toml", b"name = \"caf\xe9\"\n");
    match Scenario::from_path(&p) {
        Err(ScenarioError::Io { path, message }) => {
            assert_eq!(path, p.display().to_string());
            assert!(message.contains("UTF-8"), "{message}");
            assert!(message.contains("offset 11"), "{message}");
        }
        other => panic!("non-UTF-8: expected Io, got {other:?}"),
    }
    let p = dir.write("bytes.json", &[0xff, 0xfe, b'{', b'}']);
    assert!(matches!(
        Scenario::from_path(&p),
        Err(ScenarioError::Io { .. })
    ));

    // Parse and validation errors from a file carry the path as origin.
    let p = dir.write("typo.toml", b"name = \"x\"\n[patron]\nmargn = 0.1\n");
    match Scenario::from_path(&p) {
        Err(e @ ScenarioError::Parse { .. }) => {
            let shown = e.to_string();
            assert!(shown.starts_with(&p.display().to_string()), "{shown}");
            assert!(shown.contains("line 3"), "{shown}");
            assert!(shown.contains("margn"), "{shown}");
        }
        other => panic!("typo: expected Parse, got {other:?}"),
    }
    let p = dir.write(
        "bad.json",
        b"{\"name\": \"x\",\n \"patron\": {\"margin\": -0.1}}",
    );
    let v = violations(Scenario::from_path(&p), "bad.json");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "patron.margin");
}

// ---------------------------------------------------------------------------------------------
// 6. JSON errors carry line and column
// ---------------------------------------------------------------------------------------------

#[test]
fn json_parse_errors_carry_line_and_column() {
    let cases: &[(&str, usize, usize, &str)] = &[
        // syntax: a missing value
        (
            "{\n  \"name\": \"x\",\n  \"horizon_years\": ,\n}",
            3,
            20,
            "expected value",
        ),
        // unknown key, nested
        (
            "{\n  \"name\": \"x\",\n  \"patron\": {\n    \"margn\": 0.1\n  }\n}",
            4,
            0,
            "margn",
        ),
        // wrong type
        (
            "{\"name\": \"x\", \"horizon_years\": \"thirty\"}",
            1,
            0,
            "invalid type",
        ),
        // unknown enum value
        (
            "{\"name\": \"x\",\n\"protocol\": {\"kind\": \"magic\"}}",
            2,
            0,
            "unknown variant",
        ),
        // missing name
        ("{\n}", 2, 0, "missing field `name`"),
        // NaN is not JSON
        ("{\"name\": \"x\", \"discount_rate\": NaN}", 1, 0, ""),
        // huge number
        (
            "{\"name\": \"x\", \"discount_rate\": 1e400}",
            1,
            0,
            "out of range",
        ),
        // trailing garbage
        ("{\"name\": \"x\"}\n}", 2, 1, "trailing"),
        // truncated
        ("{\"name\": \"x\"", 1, 0, "EOF"),
        // duplicate key
        ("{\"name\": \"x\", \"name\": \"y\"}", 1, 0, "duplicate"),
    ];
    for &(text, line, column, needle) in cases {
        match Scenario::from_json_str(text) {
            Err(ScenarioError::Parse {
                format,
                message,
                line: l,
                column: c,
                origin,
            }) => {
                assert_eq!(format, "JSON", "{text}");
                assert_eq!(origin, "<string>");
                assert_eq!(l, Some(line), "{text}: {message}");
                assert!(c.is_some_and(|c| c >= 1), "{text}: column {c:?}");
                if column > 0 {
                    assert_eq!(c, Some(column), "{text}: {message}");
                }
                assert!(message.contains(needle), "{text}: {message}");
            }
            other => panic!("{text}: expected JSON Parse error, got {other:?}"),
        }
    }
    // The Display shows the location.
    let err =
        Scenario::from_json_str("{\n  \"name\": \"x\",\n  \"horizon_years\": ,\n}").unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("JSON error at line 3, column 20"), "{shown}");
}

// ---------------------------------------------------------------------------------------------
// 7. No input panics
// ---------------------------------------------------------------------------------------------

fn assert_both_err(text: &str, what: &str) {
    let short: String = text.chars().take(80).collect();
    assert!(
        Scenario::from_toml_str(text).is_err(),
        "{what}: TOML accepted {short:?}"
    );
    assert!(
        Scenario::from_json_str(text).is_err(),
        "{what}: JSON accepted {short:?}"
    );
}

#[test]
fn garbage_never_panics() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for i in 0..300 {
        let n = (rng.next() % 400) as usize;
        let bytes = rng.bytes(n);
        let text = String::from_utf8_lossy(&bytes);
        assert_both_err(&text, &format!("random bytes #{i}"));
    }
    // Random printable ASCII drawn from TOML/JSON punctuation.
    let alphabet = b"{}[]=,:\"'.#\n 0123456789eE+-_namex";
    for i in 0..300 {
        let n = (rng.next() % 200) as usize;
        let text: String = (0..n)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize] as char)
            .collect();
        let _ = Scenario::from_toml_str(&text);
        let _ = Scenario::from_json_str(&text);
        let _ = i;
    }

    let depth = 100_000;
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
            "deep arrays",
        ),
        (
            format!("{}{}", "{".repeat(depth), "}".repeat(depth)),
            "deep braces",
        ),
        (
            format!(
                "name = \"x\"\na = {}{}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            "deep TOML arrays",
        ),
        (
            format!(
                "name = \"x\"\na = {}1{}",
                "{a=".repeat(depth),
                "}".repeat(depth)
            ),
            "deep TOML inline tables",
        ),
        (
            format!("name = \"x\"\n[{}]", vec!["a"; depth].join(".")),
            "deep TOML table header",
        ),
        (
            format!("name = \"x\"\n{} = 1", vec!["a"; depth].join(".")),
            "deep TOML dotted key",
        ),
        (
            format!(
                "{{\"name\": \"x\", \"terms\": {}0{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            "deep JSON arrays",
        ),
        (
            format!(
                "{{\"name\": \"x\", \"terms\": {}1{}}}",
                "{\"index\": ".repeat(depth),
                "}".repeat(depth)
            ),
            "deep JSON objects",
        ),
        ("name = \"x\"\nhorizon_years = 1e400".into(), "huge float"),
        ("name = \"x\"\nhorizon_years = 1e308".into(), "1e308 years"),
        (
            "name = \"x\"\nhorizon_years = -1e400".into(),
            "huge negative",
        ),
        (
            "name = \"x\"\n[agreement]\ncycle_years = 1e300".into(),
            "huge cycle",
        ),
        (
            "name = \"x\"\n[agreement]\nwindow_months = 1e300".into(),
            "huge window",
        ),
        (
            "name = \"x\"\n[agreement]\ncycle_years = 5e-324".into(),
            "subnormal cycle",
        ),
        (
            "name = \"x\"\nsteps_per_year = 4294967295".into(),
            "u32::MAX steps",
        ),
        (
            "name = \"x\"\nsteps_per_year = 4294967296".into(),
            "u32 overflow",
        ),
        (
            "name = \"x\"\nsteps_per_year = 99999999999999999999999".into(),
            "i64 overflow",
        ),
        (
            "name = \"x\"\n[protocol]\nrounds_per_step = 4294967295".into(),
            "u32::MAX rounds",
        ),
        (
            "{\"name\": \"x\", \"horizon_years\": 1e400}".into(),
            "JSON huge float",
        ),
        (
            "{\"name\": \"x\", \"steps_per_year\": 1e400}".into(),
            "JSON huge float for u32",
        ),
        (
            format!("name = \"{}", "a".repeat(1 << 20)),
            "unterminated long string",
        ),
        (
            format!("name = \"x\"\n{} = 1", "k".repeat(1 << 20)),
            "long unknown key",
        ),
        (
            format!("{{\"name\": \"x\", \"{}\": 1}}", "k".repeat(1 << 20)),
            "JSON long unknown key",
        ),
        (
            format!("name = \"x\"\nhorizon_years = {}", "9".repeat(100_000)),
            "long number",
        ),
        (
            format!("name = \"x\"\n{}", "[patron]\n".repeat(10_000)),
            "repeated table",
        ),
        ("\0\0\0".into(), "NUL bytes"),
        (
            "name = \"x\0\"\nhorizon_years = 0".into(),
            "NUL in a string",
        ),
        (
            "\u{feff}name = \"x\"\nhorizon_years = 0".into(),
            "BOM then bad value",
        ),
        (
            "name = \"x\"\r\nhorizon_years = \"thirty\"\r\n".into(),
            "CRLF",
        ),
        ("name = \"é\"\n[patron]\nmargin = \"é\"".into(), "multibyte"),
        ("null".into(), "null"),
        ("[]".into(), "empty array"),
        ("\"x\"".into(), "a bare string"),
        ("42".into(), "a bare number"),
    ];
    for (text, what) in &cases {
        assert_both_err(text, what);
    }

    // Serialising never panics either, even for a scenario that does not validate.
    let mut s = Scenario::with_name("x");
    s.horizon_years = f64::NAN;
    s.terms.initial = f64::INFINITY;
    let _ = s.to_toml_string();
    let _ = s.to_json_string();
    let _ = s.horizon_steps();
    let _ = s.years_to_steps(f64::NAN);
    let _ = s.months_to_steps(f64::INFINITY);
    s.steps_per_year = 0;
    assert!(s.dt().is_finite());
    assert!(s.validate().is_err());
}

// ---------------------------------------------------------------------------------------------
// Regression tests for bugs found in src/scenario.rs (all fixed)
// ---------------------------------------------------------------------------------------------

/// serde's derived `Deserialize` accepts the positional (array) form of a struct, so
/// `terms = [5.0]` silently sets `terms.initial` and leaves the rest at defaults: values that
/// no key names, against "unknown keys are an error".
#[test]
fn tables_given_as_arrays_are_rejected() {
    for text in [
        "name = \"x\"\nterms = [5.0]",
        "name = \"x\"\npatron = [0.1, 0.2]",
        "name = \"x\"\n[terms]\nindex = [0.1, 0.0]",
        "name = \"x\"\nsupport = []",
    ] {
        assert!(
            matches!(
                Scenario::from_toml_str(text),
                Err(ScenarioError::Parse { .. })
            ),
            "{text} -> {:?}",
            Scenario::from_toml_str(text)
        );
    }
    for text in [
        r#"["x"]"#,
        r#"{"name": "x", "terms": [5.0]}"#,
        r#"["x", "", "units", 30.0]"#,
    ] {
        assert!(
            matches!(
                Scenario::from_json_str(text),
                Err(ScenarioError::Parse { .. })
            ),
            "{text} -> {:?}",
            Scenario::from_json_str(text)
        );
    }
}

/// A positive horizon shorter than half a step rounds to zero steps and passes validation.
#[test]
fn horizon_of_zero_steps_is_rejected() {
    let v = violations(
        Scenario::from_toml_str("name = \"x\"\nhorizon_years = 1e-12"),
        "1e-12 years",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].field, "horizon_years");
    assert!(v[0].rule.contains("whole number of steps"), "{}", v[0]);
}

/// Type errors name no key: `invalid type: string "thirty", expected f64` at line 2. The message
/// should show which field it is about.
#[test]
fn wrong_type_messages_name_the_field() {
    let err = Scenario::from_toml_str("name = \"x\"\nhorizon_years = \"thirty\"").unwrap_err();
    assert!(err.to_string().contains("horizon_years"), "{err}");
    let err =
        Scenario::from_json_str("{\"name\": \"x\",\n\"horizon_years\": \"thirty\"}").unwrap_err();
    assert!(err.to_string().contains("horizon_years"), "{err}");
}

/// A NaN patron margin trend is reported twice (not finite, and not 0).
#[test]
fn nan_patron_margin_trend_is_reported_once() {
    let v = violations(
        Scenario::from_toml_str("name = \"x\"\n[patron]\nmargin_trend = nan"),
        "NaN trend",
    );
    assert_eq!(v.len(), 1, "{v:?}");
}

/// JSON messages repeat the location: `JSON error at line 1, column 33: number out of range at
/// line 1 column 33`.
#[test]
fn json_message_does_not_repeat_location() {
    let err = Scenario::from_json_str("{\"name\": \"x\", \"discount_rate\": 1e400}").unwrap_err();
    let shown = err.to_string();
    assert_eq!(shown.matches("line 1").count(), 1, "{shown}");
}
