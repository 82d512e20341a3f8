//! The block engine under every kind of run: trials `[start, end)` in blocks of
//! [`BLOCK_TRIALS`], simulated in parallel (rayon) in waves and merged in block order, with
//! observers that see the merged state after each block.
//!
//! Blocks are produced lazily (memory does not grow with the trial count) and every range
//! computation is checked, so any `u64` trial count or shard is either run or refused, never an
//! overflow.

use crate::error::Error;
use crate::report::{Header, Report};
use crate::tally::Tally;
use rayon::prelude::*;

/// Trials per block: the unit of parallel work and of progress reports.
pub const BLOCK_TRIALS: u64 = 256;

/// Progress of a running experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Trials merged so far.
    pub trials_done: u64,
    /// Trials planned for this run (the cap, for a precision target; the shard's share for a
    /// shard).
    pub trials_total: u64,
}

/// What an observer sees: the experiment, its progress and the statistics merged so far.
#[derive(Debug, Clone, Copy)]
pub struct State<'a> {
    /// The experiment.
    pub header: &'a Header,
    /// The trials this run covers, `[start, end)`.
    pub range: (u64, u64),
    /// Progress.
    pub progress: Progress,
    /// Statistics of the trials merged so far (in trial order from `range.0`).
    pub tally: &'a Tally,
}

impl State<'_> {
    /// The report of the trials merged so far (an interim report; for a shard, of the shard's
    /// trials only).
    ///
    /// # Errors
    /// As [`Report::from_tally`].
    pub fn report(&self) -> Result<Report, Error> {
        Report::from_tally(self.header, self.tally)
    }
}

/// Watches an experiment: progress bars, logs, running CSVs, checkpoints (argmin's `Observe` is
/// the model). Called on the calling thread: at the start, after each block is merged (in block
/// order) and at the end. An error from an observer stops the run and is returned by it. The
/// experiment itself never prints.
///
/// A closure `FnMut(Progress)` is an observer that is told the progress after each block.
pub trait Observer: Send {
    /// The run starts (nothing merged yet).
    ///
    /// # Errors
    /// Whatever the observer reports; the run stops.
    fn start(&mut self, _state: &State<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// A block of trials has been merged.
    ///
    /// # Errors
    /// Whatever the observer reports; the run stops.
    fn block(&mut self, state: &State<'_>) -> Result<(), Error>;

    /// The run has finished (every planned trial merged, or the precision target met).
    ///
    /// # Errors
    /// Whatever the observer reports; the run returns it.
    fn finish(&mut self, _state: &State<'_>) -> Result<(), Error> {
        Ok(())
    }
}

impl<F: FnMut(Progress) + Send> Observer for F {
    fn block(&mut self, state: &State<'_>) -> Result<(), Error> {
        self(state.progress);
        Ok(())
    }
}

/// The first block boundary after `a`: the next multiple of [`BLOCK_TRIALS`], capped at `end`
/// (blocks are aligned so that shards and single runs cut trials the same way).
fn block_end(a: u64, end: u64) -> u64 {
    (a / BLOCK_TRIALS)
        .checked_add(1)
        .and_then(|k| k.checked_mul(BLOCK_TRIALS))
        .map_or(end, |b| b.min(end))
}

/// Simulates `[start, end)` block by block on `threads` workers (default: rayon's global
/// pool), in waves of a few blocks per worker, merges the blocks into `total` in order, tells
/// the observers, and stops after the first block at which `done` holds.
pub(crate) fn run_blocks(
    threads: Option<usize>,
    header: &Header,
    (start, end): (u64, u64),
    observers: &mut [Box<dyn Observer>],
    mut total: Tally,
    simulate: impl Fn(u64, u64) -> Result<Tally, Error> + Sync,
    done: impl Fn(&Tally) -> bool,
) -> Result<Tally, Error> {
    let pool = match threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Internal(format!("thread pool: {e}")))?,
        ),
        None => None,
    };
    let workers = pool
        .as_ref()
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    let wave = (4 * workers).max(1);
    let planned = end.saturating_sub(start);
    let mut progress = Progress {
        trials_done: 0,
        trials_total: planned,
    };
    fn state<'s>(
        header: &'s Header,
        range: (u64, u64),
        tally: &'s Tally,
        progress: Progress,
    ) -> State<'s> {
        State {
            header,
            range,
            progress,
            tally,
        }
    }
    let range = (start, end);
    for o in observers.iter_mut() {
        o.start(&state(header, range, &total, progress))?;
    }
    let mut next = start;
    let mut chunk: Vec<(u64, u64)> = Vec::with_capacity(wave);
    'waves: while next < end {
        chunk.clear();
        while chunk.len() < wave && next < end {
            let b = block_end(next, end);
            chunk.push((next, b));
            next = b;
        }
        let run_chunk = || -> Vec<Result<Tally, Error>> {
            chunk.par_iter().map(|&(a, b)| simulate(a, b)).collect()
        };
        let results = match &pool {
            Some(p) => p.install(run_chunk),
            None => run_chunk(),
        };
        for (result, &(a, b)) in results.into_iter().zip(&chunk) {
            total.merge_from(&result?)?;
            progress.trials_done += b - a;
            for o in observers.iter_mut() {
                o.block(&state(header, range, &total, progress))?;
            }
            if done(&total) {
                break 'waves;
            }
        }
    }
    for o in observers.iter_mut() {
        o.finish(&state(header, range, &total, progress))?;
    }
    Ok(total)
}

/// The trials of shard `index` of `count` out of `trials`: `[⌊i·T/N⌋, ⌊(i+1)·T/N⌋)`, computed
/// in 128-bit arithmetic (no overflow for any `u64` inputs).
///
/// # Errors
/// [`Error::InvalidExperiment`] naming `shard` unless `0 <= index < count`.
pub fn shard_range(trials: u64, index: u64, count: u64) -> Result<(u64, u64), Error> {
    if count == 0 || index >= count {
        return Err(Error::InvalidExperiment {
            field: "shard".into(),
            rule: "must be I/N with 0 <= I < N".into(),
            got: format!("{index}/{count}"),
        });
    }
    let split = |i: u64| {
        let v = u128::from(trials) * u128::from(i) / u128::from(count);
        u64::try_from(v).unwrap_or(trials)
    };
    Ok((split(index), split(index + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_tile_the_trials_even_at_the_top_of_u64() {
        let t = u64::MAX;
        let (a, b) = shard_range(t, t - 1, t).expect("range");
        assert_eq!(b, t);
        assert!(a < b);
        assert_eq!(shard_range(10, 0, 3).expect("range"), (0, 3));
        assert_eq!(shard_range(10, 2, 3).expect("range"), (6, 10));
        assert!(shard_range(10, 3, 3).is_err());
        assert!(shard_range(10, 0, 0).is_err());
    }

    #[test]
    fn block_ends_never_overflow() {
        assert_eq!(block_end(u64::MAX - 1, u64::MAX), u64::MAX);
        assert_eq!(block_end(0, 1000), BLOCK_TRIALS);
        assert_eq!(block_end(300, 1000), 2 * BLOCK_TRIALS);
        assert_eq!(block_end(300, 400), 400);
    }
}
