//! How far a build has got, for a progress bar.
//!
//! The library only counts (with atomics, from any thread); the command line
//! decides whether and how to show it (a bar on an interactive terminal,
//! nothing otherwise).

use std::sync::atomic::{AtomicUsize, Ordering};

/// The stages a build reports, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not started.
    Starting,
    /// Reading, typesetting and highlighting articles.
    Articles,
    /// Rendering pages with the templates.
    Pages,
    /// Writing the output.
    Writing,
}

impl Stage {
    const ALL: [Stage; 4] = [
        Stage::Starting,
        Stage::Articles,
        Stage::Pages,
        Stage::Writing,
    ];

    /// A short name for the stage, as a progress bar shows it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Starting => "starting",
            Stage::Articles => "articles",
            Stage::Pages => "pages",
            Stage::Writing => "writing",
        }
    }
}

/// Counters a build advances as it goes; shared between the build's threads
/// and whoever shows them.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicUsize,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// A stage begins, with `total` items to do.
    pub fn start(&self, stage: Stage, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.stage.store(index, Ordering::Release);
    }

    /// One more item of the current stage is done.
    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The current stage, items done and items in all.
    pub fn snapshot(&self) -> (Stage, usize, usize) {
        let stage = Stage::ALL
            .get(self.stage.load(Ordering::Acquire))
            .copied()
            .unwrap_or(Stage::Starting);
        let total = self.total.load(Ordering::Relaxed);
        (stage, self.done.load(Ordering::Relaxed).min(total), total)
    }
}

/// Advances `progress`, if any: the form the pipeline calls.
pub fn advance(progress: Option<&Progress>) {
    if let Some(progress) = progress {
        progress.advance();
    }
}

/// Starts a stage of `progress`, if any.
pub fn start(progress: Option<&Progress>, stage: Stage, total: usize) {
    if let Some(progress) = progress {
        progress.start(stage, total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_stage() {
        let progress = Progress::default();
        assert_eq!(progress.snapshot(), (Stage::Starting, 0, 0));
        progress.start(Stage::Articles, 3);
        progress.advance();
        progress.advance();
        assert_eq!(progress.snapshot(), (Stage::Articles, 2, 3));
        progress.start(Stage::Writing, 10);
        assert_eq!(progress.snapshot(), (Stage::Writing, 0, 10));
    }
}
