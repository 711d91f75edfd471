//! A progress bar for long runs, on standard error when it is a terminal; hidden otherwise, or with
//! `--quiet`, so that logs and pipes get only the summary.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Counts files done out of a total.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` files, labelled with what is being done.
    pub fn new(label: &'static str, total: usize, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if !quiet && std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} files, {elapsed} elapsed, {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(label);
        }
        Progress { bar }
    }

    /// Counts `files` more done.
    pub fn advance(&self, files: usize) {
        self.bar.inc(files as u64);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
