//! Out of sample: the SMA-calibrated model (the preset `us_rok_sma_history`, whose estimated
//! parameters come from the SMA record: see the command at the top of its file) replays Japan's
//! Host Nation Support record (nine agreements since FY1991, durations from the record), and
//! its simulated lapse moments are set against Japan's one lapse (about a month, April 2008) in
//! eight renegotiations. Nothing is fitted to Japan.
//!
//! Run: `cargo run --release --example japan_out_of_sample` (a few seconds on two cores).

use negcycle::calibrate::{FlagPolicy, RecordMoments, Settings, Simulator};
use negcycle::record::Record;
use negcycle::{Error, Scenario};
use std::sync::Arc;

fn main() -> Result<(), Error> {
    let calibrated = Scenario::preset("us_rok_sma_history")?;
    let settings = Settings::default();
    println!(
        "the SMA-calibrated scenario: patron.opening {}, host.margin {}, patron.lapse_pressure {}, \
         terms.residual.drift {}, protocol.rounds {:?}, clock {:?}; S = {} replicas, seed {}",
        calibrated.patron.opening,
        calibrated.host.margin,
        calibrated.patron.lapse_pressure,
        calibrated.terms.residual.drift,
        calibrated.protocol.rounds,
        calibrated.protocol.clock,
        settings.replicas,
        settings.seed
    );
    let japan = Record::japan_hns()?;
    let data = Arc::new(RecordMoments::from_record(&japan, FlagPolicy::Keep));
    let sim = Simulator::new(
        Arc::new(japan.clone()),
        data.clone(),
        settings.replicas,
        settings.seed,
        None,
    )?;
    let m = sim.simulate(&calibrated)?;
    println!(
        "Japan's record ({} renegotiations), the SMA-calibrated scenario on its calendar:",
        japan.agreements.len() - 1
    );
    println!(
        "{:<20} {:>9} {:>21} {:>10} {:>9}  inside band",
        "moment", "record", "record 95% band", "simulated", "MC se"
    );
    for (i, d) in data.moments.iter().enumerate() {
        println!(
            "{:<20} {:>9.4} {:>21} {:>10.4} {:>9.4}  {}",
            d.key,
            d.value,
            format!("[{:.4}, {:.4}]", d.band.0, d.band.1),
            m.mean[i],
            m.mc_se[i],
            if m.mean[i] >= d.band.0 && m.mean[i] <= d.band.1 {
                "yes"
            } else {
                "no"
            }
        );
    }
    Ok(())
}
