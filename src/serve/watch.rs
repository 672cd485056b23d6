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
/// after writing, or renamed into place. Anything more (Vim's `chmod`) starts
/// the full quiet window again, so one save is still one rebuild.
pub const SETTLE: Duration = Duration::from_millis(5);

/// What the builder thread is told.
#[derive(Debug)]
pub enum Message {
    /// Something changed on disk.
    Changed {
        /// The paths (empty: anything may have changed).
        paths: Vec<PathBuf>,
        /// Whether this event usually ends a save (see [`SETTLE`]).
        settled: bool,
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
    let settled = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        // Opening and reading files, including the builder's own reads.
        EventKind::Access(_) => return None,
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => true,
        _ => false,
    };
    if event.paths.is_empty() || event.need_rescan() {
        return Some(Message::Changed {
            paths: Vec::new(),
            settled: false,
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
        settled,
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
        self.settled = false;
        match message {
            Message::Changed { paths, settled } => {
                self.settled = settled;
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

    fn settled(message: Option<Message>) -> bool {
        matches!(message, Some(Message::Changed { settled: true, .. }))
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
        assert!(settled(classify(root, &event(closed, path))));
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert!(settled(classify(root, &event(renamed, path))));
        let written = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        assert!(!settled(classify(root, &event(written, path))));
        assert!(changed(classify(root, &event(written, path))).is_some());
        let chmod = EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any));
        assert!(!settled(classify(root, &event(chmod, path))));
        // A swap file closed after writing is still nothing.
        assert!(classify(root, &event(closed, "/site/content/.a.md.swp")).is_none());
    }

    fn change(name: &str, settled: bool) -> Message {
        Message::Changed {
            paths: vec![PathBuf::from(name)],
            settled,
        }
    }

    #[test]
    fn a_settled_save_waits_less_unless_more_follows() {
        let long = Duration::from_secs(5);
        let (tx, rx) = std::sync::mpsc::channel();
        tx.send(change("a.md", false)).expect("send");
        tx.send(change("a.md", true)).expect("send");
        let started = Instant::now();
        let burst = next_burst(&rx, Duration::from_secs(2), long);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(burst.paths.len(), 1);
        // A chmod after the close: the full quiet window again.
        tx.send(change("a.md", true)).expect("send");
        tx.send(change("a.md", false)).expect("send");
        let started = Instant::now();
        next_burst(&rx, Duration::from_millis(300), long);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[test]
    fn a_burst_ends_after_a_quiet_window() {
        let (tx, rx) = std::sync::mpsc::channel();
        for name in ["a.md", "b.md", "a.md"] {
            tx.send(change(name, false)).expect("send");
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
