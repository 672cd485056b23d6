//! Watching the site's sources, and turning an editor's burst of writes into
//! one rebuild.
//!
//! Watched: `blogsmith.yaml` and everything under `content/`, `templates/` and
//! `static/`. The root itself is watched without recursion, so that those
//! folders are picked up when they are created (or re-created by a `git
//! checkout`) while the server runs, and so that `public/`, `target/` or
//! `.git/` never cost a watch.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::ServeError;
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::render::theme::{STATIC_DIR, TEMPLATES_DIR};

/// The folders watched recursively.
pub const WATCHED_DIRS: [&str; 3] = [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR];

/// The quiet time after an event that usually ends a save: a file closed
/// after writing, or renamed into place. A change of permissions or times
/// after it (Vim's `chmod`) keeps it; any other write starts the full quiet
/// window again, so one save is still one rebuild.
pub const SETTLE: Duration = Duration::from_millis(5);

/// What an event says about the save in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Bytes are being written: more may follow.
    Writing,
    /// A file was closed after writing, or renamed into place: usually the end.
    Done,
    /// Permissions or times changed: says nothing about the bytes.
    Attributes,
}

/// What the builder thread is told.
#[derive(Debug)]
pub enum Message {
    /// Something changed on disk.
    Changed {
        /// The paths (empty: anything may have changed).
        paths: Vec<PathBuf>,
        /// Where the save stands (see [`SETTLE`]).
        step: Step,
    },
    /// A folder to start watching (it was just created).
    Appeared(PathBuf),
    /// The watcher failed (e.g. its queue overflowed): rebuild everything, and say why.
    WatchError(String),
    /// Stop.
    Stop,
}

/// The file watcher of one site.
pub struct SiteWatcher {
    watcher: RecommendedWatcher,
}

impl SiteWatcher {
    /// Starts watching `root` (an absolute, canonical path); events go to `tx`.
    pub fn start(root: &Path, tx: Sender<Message>) -> Result<Self, ServeError> {
        let filter_root = root.to_path_buf();
        let handler = move |result: notify::Result<notify::Event>| {
            let message = match result {
                Ok(event) => match classify(&filter_root, &event) {
                    Some(message) => message,
                    None => return,
                },
                Err(e) => Message::WatchError(e.to_string()),
            };
            let _ = tx.send(message);
        };
        let watch_error = |e: notify::Error| ServeError::Watch {
            path: root.to_path_buf(),
            message: e.to_string(),
        };
        let mut watcher = notify::recommended_watcher(handler).map_err(watch_error)?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        let mut this = Self { watcher };
        for dir in WATCHED_DIRS {
            let dir = root.join(dir);
            if dir.is_dir() {
                this.watch_dir(&dir)?;
            }
        }
        Ok(this)
    }

    /// Watches a folder and everything below it.
    pub fn watch_dir(&mut self, dir: &Path) -> Result<(), ServeError> {
        self.watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| ServeError::Watch {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })
    }
}

/// What an event means for the site: `None` for events that cannot change it
/// (reads, files outside the sources, editors' swap and backup files).
fn classify(root: &Path, event: &notify::Event) -> Option<Message> {
    let step = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Step::Done,
        // Opening and reading files, including the builder's own reads.
        EventKind::Access(_) => return None,
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => Step::Done,
        EventKind::Modify(ModifyKind::Metadata(_)) => Step::Attributes,
        _ => Step::Writing,
    };
    if event.paths.is_empty() || event.need_rescan() {
        return Some(Message::Changed {
            paths: Vec::new(),
            step: Step::Writing,
        });
    }
    let mut relevant = Vec::new();
    for path in &event.paths {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let names: Vec<&str> = relative
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => name.to_str(),
                _ => None,
            })
            .collect();
        match names.as_slice() {
            [CONFIG_FILE] => relevant.push(path.clone()),
            // A site-wide bibliography beside `blogsmith.yaml` (see docs/citations.md).
            [name] if name.ends_with(".bib") => relevant.push(path.clone()),
            [dir] if WATCHED_DIRS.contains(dir) => {
                if path.is_dir() && !matches!(event.kind, EventKind::Remove(_)) {
                    return Some(Message::Appeared(path.clone()));
                }
                relevant.push(path.clone());
            }
            [dir, rest @ ..]
                if WATCHED_DIRS.contains(dir) && !rest.iter().any(|name| is_scratch(name)) =>
            {
                relevant.push(path.clone());
            }
            _ => {}
        }
    }
    (!relevant.is_empty()).then_some(Message::Changed {
        paths: relevant,
        step,
    })
}

/// Files editors write beside the real one (and blogsmith skips anyway):
/// hidden files (`.x.md.swp`, `.#x.md`), backups (`x.md~`), Vim's write test
/// `4913`, Emacs' `#x.md#`, JetBrains' `x.md___jb_tmp___`.
fn is_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with("___")
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swx")
}

/// One burst of changes, gathered until the files were quiet for a while.
#[derive(Debug, Default)]
pub struct Burst {
    /// The files that changed; empty with `everything`.
    pub paths: BTreeSet<PathBuf>,
    /// Anything may have changed (a watcher error or a rescan).
    pub everything: bool,
    /// Folders that appeared and should be watched.
    pub appeared: Vec<PathBuf>,
    /// Watcher errors to report.
    pub errors: Vec<String>,
    /// When the first change of the burst arrived.
    pub first: Option<Instant>,
    /// Whether a stop was asked for (or the channel closed).
    pub stop: bool,
    /// Whether the last change usually ends a save.
    settled: bool,
}

impl Burst {
    fn add(&mut self, message: Message) {
        self.first.get_or_insert_with(Instant::now);
        let settled = self.settled;
        self.settled = false;
        match message {
            Message::Changed { paths, step } => {
                self.settled = match step {
                    Step::Writing => false,
                    Step::Done => true,
                    Step::Attributes => settled,
                };
                self.everything |= paths.is_empty();
                self.paths.extend(paths);
            }
            Message::Appeared(dir) => {
                self.paths.insert(dir.clone());
                self.appeared.push(dir);
            }
            Message::WatchError(error) => {
                self.everything = true;
                self.errors.push(error);
            }
            Message::Stop => self.stop = true,
        }
    }
}

/// Waits for a change, then for `quiet` without one (but no longer than
/// `longest` in all, so a steady stream of writes still rebuilds); only
/// [`SETTLE`] after an event that usually ends a save.
///
/// An editor's save is a burst (write, rename, chmod): this turns it into one rebuild.
pub fn next_burst(rx: &Receiver<Message>, quiet: Duration, longest: Duration) -> Burst {
    let mut burst = Burst::default();
    match rx.recv() {
        Ok(message) => burst.add(message),
        Err(_) => {
            burst.stop = true;
            return burst;
        }
    }
    let started = Instant::now();
    while !burst.stop {
        let left = longest.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let wait = if burst.settled {
            SETTLE.min(quiet)
        } else {
            quiet
        };
        match rx.recv_timeout(wait.min(left)) {
            Ok(message) => burst.add(message),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => burst.stop = true,
        }
    }
    burst
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, ModifyKind};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    fn changed(message: Option<Message>) -> Option<Vec<PathBuf>> {
        match message {
            Some(Message::Changed { paths, .. }) => Some(paths),
            _ => None,
        }
    }

    fn step(message: Option<Message>) -> Option<Step> {
        match message {
            Some(Message::Changed { step, .. }) => Some(step),
            _ => None,
        }
    }

    #[test]
    fn only_sources_count() {
        let root = Path::new("/site");
        let modify = EventKind::Modify(ModifyKind::Any);
        assert_eq!(
            changed(classify(root, &event(modify, "/site/content/a.md"))),
            Some(vec![PathBuf::from("/site/content/a.md")])
        );
        assert!(changed(classify(root, &event(modify, "/site/blogsmith.yaml"))).is_some());
        assert!(changed(classify(root, &event(modify, "/site/static/x/y.css"))).is_some());
        for ignored in [
            "/site/public/index.html",
            "/site/README.md",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/4913",
            "/site/templates/#base.html#",
            "/site/content/.git/HEAD",
            "/elsewhere/content/a.md",
        ] {
            assert!(
                classify(root, &event(modify, ignored)).is_none(),
                "{ignored}"
            );
        }
        let read = EventKind::Access(AccessKind::Any);
        assert!(classify(root, &event(read, "/site/content/a.md")).is_none());
        let opened = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(classify(root, &event(opened, "/site/content/a.md")).is_none());
        let create = EventKind::Create(CreateKind::Folder);
        // Not a folder on this machine: treated as a change, not as a folder to watch.
        assert!(changed(classify(root, &event(create, "/site/templates"))).is_some());
    }

    #[test]
    fn a_close_after_writing_or_a_rename_into_place_ends_a_save() {
        let root = Path::new("/site");
        let path = "/site/content/a.md";
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(step(classify(root, &event(closed, path))), Some(Step::Done));
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert_eq!(
            step(classify(root, &event(renamed, path))),
            Some(Step::Done)
        );
        let written = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        assert_eq!(
            step(classify(root, &event(written, path))),
            Some(Step::Writing)
        );
        let created = EventKind::Create(CreateKind::File);
        assert_eq!(
            step(classify(root, &event(created, path))),
            Some(Step::Writing)
        );
        let chmod = EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any));
        assert_eq!(
            step(classify(root, &event(chmod, path))),
            Some(Step::Attributes)
        );
        // A swap file closed after writing is still nothing.
        assert!(classify(root, &event(closed, "/site/content/.a.md.swp")).is_none());
    }

    fn change(name: &str, step: Step) -> Message {
        Message::Changed {
            paths: vec![PathBuf::from(name)],
            step,
        }
    }

    #[test]
    fn a_settled_save_waits_less_unless_more_follows() {
        let long = Duration::from_secs(5);
        let quick = Duration::from_secs(1);
        let (tx, rx) = std::sync::mpsc::channel();
        // Written, closed, chmod-ed (Vim): settled.
        for step in [Step::Writing, Step::Done, Step::Attributes] {
            tx.send(change("a.md", step)).expect("send");
        }
        let started = Instant::now();
        let burst = next_burst(&rx, Duration::from_secs(2), long);
        assert!(started.elapsed() < quick, "{:?}", started.elapsed());
        assert_eq!(burst.paths.len(), 1);
        // Closed, then written again: the full quiet window.
        for step in [Step::Done, Step::Writing] {
            tx.send(change("a.md", step)).expect("send");
        }
        let started = Instant::now();
        next_burst(&rx, Duration::from_millis(300), long);
        assert!(started.elapsed() >= Duration::from_millis(300));
        // A lone chmod is not the end of a save.
        tx.send(change("a.md", Step::Attributes)).expect("send");
        let started = Instant::now();
        next_burst(&rx, Duration::from_millis(300), long);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[test]
    fn a_burst_ends_after_a_quiet_window() {
        let (tx, rx) = std::sync::mpsc::channel();
        for name in ["a.md", "b.md", "a.md"] {
            tx.send(change(name, Step::Writing)).expect("send");
        }
        let burst = next_burst(&rx, Duration::from_millis(20), Duration::from_secs(1));
        assert_eq!(burst.paths.len(), 2);
        assert!(!burst.stop && !burst.everything);
        tx.send(Message::Stop).expect("send");
        assert!(next_burst(&rx, Duration::from_millis(20), Duration::from_secs(1)).stop);
        drop(tx);
        assert!(next_burst(&rx, Duration::from_millis(20), Duration::from_secs(1)).stop);
    }
}
