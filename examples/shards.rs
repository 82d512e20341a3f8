//! Splitting an experiment across machines: are the results of a sharded run exactly those of
//! a single run?
//!
//! Runs the flagship experiment (`us_rok_sma`, cycles of 1, 2, 3, 5 and 10 years, 4,000 trials,
//! seed 2019) once in one piece and once as four shards, as four cluster jobs would. Each shard's
//! partial report goes through JSON and back (as it would through a file on shared storage),
//! the four are merged with `Report::merge`, and the merged report's JSON must equal the single
//! run's JSON byte for byte. The shards deliberately cut trials at 1,000, 2,000 and 3,000, which
//! are not multiples of the 256-trial blocks: the merge is exact anyway, because every summary
//! merges exactly (integer sums and counts).
//!
//! On a SLURM cluster the same thing is a job array, one shard per array task (task `I` of `N`
//! runs `run_shard(I, N)` through the command line and writes its partial report as JSON):
//!
//! ```sh
//! #SBATCH --array=0-3
//! negcycle run --preset us_rok_sma --cycles 1,2,3,5,10 --reference 5 --trials 4000 \
//!     --seed 2019 --shard $SLURM_ARRAY_TASK_ID/4 --format json > shard_$SLURM_ARRAY_TASK_ID.json
//! ```
//!
//! and then, in a job that starts once every task has succeeded
//! (`sbatch --dependency=afterok:<array job id>`), `negcycle merge shard_*.json` does what
//! `Report::merge` does here. A shard of another experiment (another seed, scenario, protocol
//! or trial count: each partial report carries the experiment's fingerprint), a missing shard or
//! an overlap is refused. Ready-made scripts: `examples/slurm/`.
//!
//! Run: `cargo run --release --example shards`

use negcycle::prelude::*;

const SHARDS: u64 = 4;

fn main() -> Result<(), Error> {
    // The experiment, built afresh for each run: the same settings give the same fingerprint.
    let experiment = || -> Result<Experiment, Error> {
        Ok(Experiment::new(Scenario::preset("us_rok_sma")?)
            .cycle_years([1.0, 2.0, 3.0, 5.0, 10.0])
            .reference(5.0)
            .trials(4_000)
            .seed(2019))
    };

    // One piece, on this machine.
    let single = experiment()?.run()?;
    let single_json = single.to_json_string()?;

    // Four shards. On a cluster each is a separate process (one array task) that writes its
    // partial report to a file; here each shard's JSON text stands for that file.
    let mut files = Vec::new();
    for index in 0..SHARDS {
        let part = experiment()?.run_shard(index, SHARDS)?;
        let file = part.to_json_string()?;
        println!(
            "shard {index}/{SHARDS}: trials [{}, {}), {} bytes of JSON",
            part.start,
            part.end,
            file.len()
        );
        files.push(file);
    }

    // The merge job reads the files back and merges them.
    let parts = files
        .iter()
        .enumerate()
        .map(|(i, text)| PartialReport::from_json_str(text, &format!("part-{i}.json")))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = Report::merge(&parts)?;
    let merged_json = merged.to_json_string()?;

    // The guarantee: byte for byte the same report. (A plain assert! rather than assert_eq!, so
    // that a failure names the first difference instead of printing two long JSON texts.)
    let first_difference = single_json
        .bytes()
        .zip(merged_json.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(single_json.len().min(merged_json.len()));
    let around = |json: &str| {
        let bytes = json.as_bytes();
        let from = first_difference.saturating_sub(40).min(bytes.len());
        let to = (first_difference + 40).min(bytes.len());
        String::from_utf8_lossy(&bytes[from..to]).into_owned()
    };
    assert!(
        merged_json == single_json,
        "the merged report differs from the single run at byte {first_difference}: \
         single run ...{:?}... vs merged ...{:?}...",
        around(&single_json),
        around(&merged_json),
    );

    let joint_loss = merged.cycle(5.0)?.metric("joint_loss")?;
    println!(
        "The merged report of {SHARDS} shards equals the single run byte for byte \
         ({} bytes of JSON, {} trials, fingerprint {}).",
        merged_json.len(),
        merged.trials,
        merged.fingerprint
    );
    println!(
        "For instance, five-year deals: joint loss {:.1} {} (95% CI {:.1} to {:.1}) in both.",
        joint_loss.mean, merged.units, joint_loss.ci95[0], joint_loss.ci95[1]
    );
    Ok(())
}
