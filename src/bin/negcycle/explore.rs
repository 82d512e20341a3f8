//! `negcycle explore`: a design over uncertain scenario keys, every point running every cycle
//! length on the same worlds; robustness, sensitivity indices and PRIM; `explore merge` for
//! shards.

use crate::args::{ExploreArgs, ExploreCommand, ExploreMergeArgs};
use crate::input::{check_threads, load_input, parse_arms, parse_shard};
use crate::output::check_out_dir;
use crate::{Failure, emit_text, from_lib, invalid, note, output_failure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use negcycle::Error;
use negcycle::explore::{
    Analysis, AnalysisOptions, Design, Plan, PlanSpec, PrimOptions, Uncertainty,
    default_uncertainties, find_arm, merge_points, read_uncertainties, run_points,
    write_points_csv,
};
use negcycle::report::write::OutputDir;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The points file of a whole run (or a merge).
const POINTS_FILE: &str = "points.jsonl";

pub(crate) fn cmd_explore(args: ExploreArgs) -> Result<(), Failure> {
    if let Some(ExploreCommand::Merge(m)) = args.command {
        return cmd_merge(m);
    }
    let Some(out) = args.out.clone() else {
        return Err(invalid(
            "explore: --out DIR is required (the points are streamed there)",
        ));
    };
    let input = load_input(&args.scenario)?;
    let mut uncertainties: Vec<Uncertainty> = Vec::new();
    if let Some(path) = &args.uncertainties {
        uncertainties.extend(read_uncertainties(path).map_err(from_lib)?);
    }
    for r in &args.ranges {
        uncertainties.push(Uncertainty::parse_range(r).map_err(from_lib)?);
    }
    for c in &args.choices {
        uncertainties.push(Uncertainty::parse_choice(c).map_err(from_lib)?);
    }
    if uncertainties.is_empty() {
        uncertainties = default_uncertainties(input.name()).ok_or_else(|| {
            invalid(format!(
                "explore: scenario {:?} has no default uncertainty set; give --uncertainties \
                 FILE, --range KEY=LO:HI or --choice KEY=A|B",
                input.name()
            ))
        })?;
    }
    let cycles = parse_arms(&input, &args.cycles)?;
    let reference = args
        .reference
        .as_deref()
        .map(|r| {
            find_arm(r, &input.host_names(), &cycles)
                .map(|k| cycles[k].clone())
                .ok_or_else(|| {
                    invalid(format!(
                        "--reference: {r:?} is not an arm; give a cycle length in years (one \
                         host) or an arm's label (an alliance: NAME=YEARS,... for every host, \
                         e.g. korea=5,japan=5,nato=2)"
                    ))
                })
        })
        .transpose()?;
    let design = match args.design {
        crate::args::DesignKind::Lhs => Design::Lhs {
            points: args.points,
        },
        crate::args::DesignKind::Sobol => Design::Sobol {
            base: args.points,
            second_order: args.second_order,
        },
        crate::args::DesignKind::Morris => Design::Morris {
            trajectories: args.points,
            levels: args.levels.unwrap_or(4),
            candidates: args
                .morris_candidates
                .unwrap_or_else(|| negcycle::explore::default_morris_candidates(args.points)),
        },
        crate::args::DesignKind::Factorial => Design::Factorial {
            levels: args.levels.unwrap_or(3),
        },
    };
    check_threads(args.threads)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let plan = Plan::new(PlanSpec {
        scenario: input,
        uncertainties,
        design,
        cycles,
        reference,
        objective: args.objective.clone(),
        metrics: args.metrics.clone(),
        trials: args.trials,
        seed: args.seed,
    })
    .map_err(from_lib)?;
    let options = analysis_options(args.resamples, args.prim_threshold, args.prim_arm.clone())?;
    if let Some(text) = &options.prim_arm {
        plan.arm_index("--prim-arm", text).map_err(from_lib)?;
    }
    check_out_dir(Some(&out))?;
    let started = Instant::now();
    match shard {
        Some((i, n)) => {
            let dir = OutputDir::open_shared(&out).map_err(output_failure)?;
            let path = dir.path().join(format!("points_{i}_of_{n}.jsonl"));
            simulate(&plan, &path, Some((i, n)), &args)?;
            note(
                args.quiet,
                &format!(
                    "wrote {} ({:.1} s); merge the {n} shards with `negcycle explore merge`",
                    path.display(),
                    started.elapsed().as_secs_f64()
                ),
            );
            Ok(())
        }
        None => {
            let dir = OutputDir::open(&out).map_err(output_failure)?;
            let path = dir.path().join(POINTS_FILE);
            simulate(&plan, &path, None, &args)?;
            let seconds = started.elapsed().as_secs_f64();
            finish(
                dir,
                &path,
                options,
                args.quiet,
                Some((seconds, plan.points)),
            )
        }
    }
}

fn analysis_options(
    resamples: usize,
    threshold: f64,
    prim_arm: Option<String>,
) -> Result<AnalysisOptions, Failure> {
    if resamples == 0 {
        return Err(invalid("--resamples: must be >= 1, got 0"));
    }
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(invalid(format!(
            "--prim-threshold: must be in (0, 1), got {threshold}"
        )));
    }
    Ok(AnalysisOptions {
        resamples,
        prim: PrimOptions {
            threshold,
            ..PrimOptions::default()
        },
        prim_arm,
    })
}

/// Runs the points into `path` with a progress bar (stderr, after a second, on a terminal).
fn simulate(
    plan: &Plan,
    path: &Path,
    shard: Option<(u64, u64)>,
    args: &ExploreArgs,
) -> Result<(), Failure> {
    let enabled = !args.quiet && std::io::stderr().is_terminal();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} design points, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if enabled && bar.is_hidden() && bar.elapsed() >= Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let count = run_points(plan, path, shard, args.resume, args.threads, &mut progress);
    bar.finish_and_clear();
    let count = count.map_err(|e| match e {
        Error::Io { .. } | Error::Internal(_) => output_failure(e),
        other => from_lib(other),
    })?;
    if count.skipped > 0 {
        note(
            args.quiet,
            &format!(
                "resumed: {} design points were already in {}, {} simulated now",
                count.skipped,
                path.display(),
                count.simulated
            ),
        );
    }
    Ok(())
}

/// Analyses the finished points file in `dir`, writes the tables as one set with its
/// manifest, and prints the summary.
fn finish(
    mut dir: OutputDir,
    points: &Path,
    options: AnalysisOptions,
    quiet: bool,
    timing: Option<(f64, usize)>,
) -> Result<(), Failure> {
    let analysis = Analysis::from_points_file(points, options).map_err(from_lib)?;
    let json = analysis.to_json_string().map_err(output_failure)?;
    let summary = analysis.summary();
    // The per-point table is written point by point: memory stays flat in the points.
    dir.stage_with("points.csv", &mut |w| write_points_csv(points, w))
        .map_err(output_failure)?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("robustness.csv", analysis.robustness_csv().into_bytes()),
        ("indices.csv", analysis.indices_csv().into_bytes()),
        ("prim.csv", analysis.prim_csv().into_bytes()),
        ("explore.json", format!("{json}\n").into_bytes()),
        ("summary.txt", summary.clone().into_bytes()),
    ];
    #[cfg(feature = "plot")]
    let files = {
        let mut files = files;
        for (name, svg) in negcycle::explore::charts::explore_charts_svg(&analysis, points)
            .map_err(output_failure)?
        {
            files.push((name, svg.into_bytes()));
        }
        files
    };
    for (name, bytes) in &files {
        dir.stage(name, bytes).map_err(output_failure)?;
    }
    for path in dir.commit().map_err(output_failure)? {
        note(quiet, &format!("wrote {}", path.display()));
    }
    if let Some((seconds, n)) = timing {
        note(
            quiet,
            &format!(
                "{n} design points in {seconds:.1} s ({:.1} points/s)",
                n as f64 / seconds.max(1e-9)
            ),
        );
    }
    emit_text(&summary)
}

fn cmd_merge(args: ExploreMergeArgs) -> Result<(), Failure> {
    let options = analysis_options(args.resamples, args.prim_threshold, args.prim_arm.clone())?;
    for f in &args.files {
        if !f.is_file() {
            return Err(invalid(format!("{}: not a file", f.display())));
        }
    }
    check_out_dir(Some(&args.out))?;
    let dir = OutputDir::open(&args.out).map_err(output_failure)?;
    let path: PathBuf = dir.path().join(POINTS_FILE);
    let files: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    merge_points(&files, &path).map_err(|e| match e {
        Error::Io { .. } | Error::Internal(_) => output_failure(e),
        other => from_lib(other),
    })?;
    note(args.quiet, &format!("wrote {}", path.display()));
    finish(dir, &path, options, args.quiet, None)
}
