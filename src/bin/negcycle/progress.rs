//! The progress bar.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// The progress bar appears only for runs that take longer than this.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

/// A progress bar on stderr that stays hidden for the first second, and always when disabled
/// (--quiet, or stderr not a terminal).
#[derive(Clone)]
pub(crate) struct Bar {
    bar: ProgressBar,
    enabled: bool,
}

impl Bar {
    pub(crate) fn new(quiet: bool, total: u64) -> Bar {
        let enabled = !quiet && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} trials, {eta} left",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar { bar, enabled }
    }

    pub(crate) fn set(&self, done: u64) {
        self.bar.set_position(done);
        if self.enabled && self.bar.is_hidden() && self.bar.elapsed() >= PROGRESS_DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
