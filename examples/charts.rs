//! Every chart, for the flagship run, a comparison of variants, the alliance and sweeps.
//!
//! Writes into OUT_DIR (default: `negcycle_charts` in the system's temporary folder):
//! `flagship/` (us_rok_sma, cycles of 1, 2, 3, 5 and 10 years), `variants/` (a tough and a soft
//! patron against the base, at 1 and 5 years, reference base/5), `alliance/` (us_alliances,
//! Korea at 1, 2 and 5 years), each with `metrics_by_cycle.svg`, `paired_difference.svg` and
//! `deadline_effect.svg`, and `sweep.svg` / `alliance_sweep.svg` (the patron's opening demand).
//! The same functions write the charts of `negcycle run --out` (`negcycle::plot`).
//!
//! Run: `cargo run --release --example charts [OUT_DIR]`

use negcycle::prelude::*;
use negcycle::run::sweep::{DEFAULT_SWEEP_METRICS, sweep_variants};
use std::path::{Path, PathBuf};

fn mkdir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })
}

fn run_charts(report: &Report, dir: &Path) -> Result<(), Error> {
    mkdir(dir)?;
    for path in negcycle::plot::write_run_charts(report, dir)? {
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let out = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("negcycle_charts"),
        PathBuf::from,
    );
    let sma = Scenario::preset("us_rok_sma")?;

    let flagship = Experiment::new(sma.clone())
        .cycle_years([1.0, 2.0, 3.0, 5.0, 10.0])
        .trials(10_000)
        .seed(2019)
        .run()?;
    run_charts(&flagship, &out.join("flagship"))?;

    let variants = Experiment::new(sma.clone())
        .variant(Variant::new("tough").set("patron.opening", "0.6"))
        .variant(Variant::new("soft").set("patron.opening", "0.1"))
        .cycle_years([1.0, 5.0])
        .reference("base/5")
        .trials(4_000)
        .seed(2019)
        .run()?;
    run_charts(&variants, &out.join("variants"))?;

    let alliance = Input::preset("us_alliances")?;
    let host_cycles = |korea: f64| vec![korea, 5.0, 2.0];
    let joint = Experiment::new(alliance.clone())
        .arms(vec![host_cycles(1.0), host_cycles(2.0), host_cycles(5.0)])
        .trials(2_000)
        .seed(2019)
        .run()?;
    run_charts(&joint, &out.join("alliance"))?;

    let values = ["0.1", "0.3", "0.6", "1.0", "1.6"];
    let sweep = Experiment::new(sma)
        .variants(sweep_variants("patron.opening", &values)?)
        .cycle_years([1.0, 5.0])
        .trials(2_000)
        .seed(2019)
        .run()?;
    let path = out.join("sweep.svg");
    negcycle::plot::write_sweep_chart(&sweep, &DEFAULT_SWEEP_METRICS, &path)?;
    println!("wrote {}", path.display());

    let alliance_sweep = Experiment::new(alliance)
        .variants(sweep_variants("patron.opening", &values[..3])?)
        .arms(vec![host_cycles(1.0), host_cycles(5.0)])
        .trials(1_000)
        .seed(2019)
        .run()?;
    let path = out.join("alliance_sweep.svg");
    negcycle::plot::write_sweep_chart(
        &alliance_sweep,
        &["lapse_months", "joint_loss", "support_min"],
        &path,
    )?;
    println!("wrote {}", path.display());
    Ok(())
}
