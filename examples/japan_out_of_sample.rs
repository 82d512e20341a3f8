//! Out of sample: calibrate three parameters to the SMA record (S = 400, seed 1), then replay
//! Japan's Host Nation Support record (nine agreements since FY1991, durations from the record)
//! with the calibrated scenario and compare its simulated lapse moments with Japan's one lapse
//! (about a month, April 2008) in eight renegotiations. Nothing is fitted to Japan.
//!
//! Run: `cargo run --release --example japan_out_of_sample` (about 10 s on two cores).

use negcycle::calibrate::{FlagPolicy, FreeParam, RecordMoments, Settings, Simulator, calibrate};
use negcycle::record::Record;
use negcycle::{Error, Scenario};
use std::sync::Arc;

fn main() -> Result<(), Error> {
    let base = Scenario::preset("us_rok_sma_history")?.with_override("protocol.rounds", "8")?;
    let free = ["patron.lapse_pressure", "patron.opening", "host.margin"]
        .iter()
        .map(|k| FreeParam::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = Settings {
        profiles: false,
        ..Settings::default()
    };
    let sma = Record::sma()?;
    let c = calibrate(&base, &sma, &free, &settings)?;
    println!("{}", c.table());
    let japan = Record::japan_hns()?;
    let data = Arc::new(RecordMoments::from_record(&japan, FlagPolicy::Keep));
    let sim = Simulator::new(
        Arc::new(japan.clone()),
        data.clone(),
        settings.replicas,
        settings.seed,
        None,
    )?;
    let m = sim.simulate(&c.calibrated)?;
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
