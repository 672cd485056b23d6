//! Where a build puts what it renders until the site is written: each page
//! as a file, and every article's HTML in one file, so that a build of
//! 10,000 articles does not hold 1.4 GB of pages and 1.2 GB of articles in
//! memory.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Contents, absolute, sibling, temp_prefix};
use crate::incremental::manifest::{self, Manifest};
use crate::util::fsio::{Stretch, write_all_at};
use crate::util::lock::LiveMark;

/// After a process id and `TEMP_MARK`: a build's spill folder.
const SPILL: &str = "-pages";

/// Folders inside a [`Spill`] that pages are spread over: creating a file
/// locks its folder, and with one folder the threads rendering pages waited
/// on each other (19% of a cold build's CPU at 1,000 articles, spinning in
/// the kernel).
const SPILL_BUCKETS: usize = 64;

/// A folder beside the output, on the same disk, holding a build's rendered
/// pages (which `write_site` then hard-links into place) and its articles'
/// HTML. Removed when dropped.
pub struct Spill {
    dir: PathBuf,
    next: std::sync::atomic::AtomicUsize,
    /// The file of articles' HTML, its name and length, once there is one.
    articles: std::sync::Mutex<Option<ArticlesFile>>,
    /// Held while the folder exists: it is in use (see `crate::util::lock`).
    _mark: LiveMark,
}

type ArticlesFile = (Arc<std::fs::File>, Arc<Path>, u64);

impl Spill {
    /// A new, empty spill folder for a build of `output`.
    pub fn create(output: &Path) -> io::Result<Self> {
        let output = absolute(output);
        let parent = output
            .parent()
            .ok_or_else(|| io::Error::other("the output folder has no parent"))?;
        std::fs::create_dir_all(parent)?;
        let mark = LiveMark::take(parent, &temp_prefix(&output))?;
        let dir = sibling(&output, &format!("{}{SPILL}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        for bucket in 0..SPILL_BUCKETS {
            std::fs::create_dir_all(dir.join(bucket.to_string()))?;
        }
        Ok(Self {
            dir,
            next: std::sync::atomic::AtomicUsize::new(0),
            articles: std::sync::Mutex::new(None),
            _mark: mark,
        })
    }

    /// The contents of `path`, a page just rendered into `bytes`: the previous
    /// output's copy when it holds the same bytes (it keeps its modification
    /// time), else the bytes written to a new file here. The bytes themselves
    /// when writing fails: then the page is written with the site, or fails it.
    pub fn keep(&self, path: &str, bytes: Arc<[u8]>, previous: Option<&Manifest>) -> Contents {
        self.keep_bytes(path, &bytes, previous)
            .unwrap_or(Contents::Bytes(bytes))
    }

    /// [`Spill::keep`] for bytes the caller owns (a large generated file, not
    /// copied into shared bytes to be kept); `None` when writing fails.
    pub fn keep_bytes(
        &self,
        path: &str,
        bytes: &[u8],
        previous: Option<&Manifest>,
    ) -> Option<Contents> {
        if let Some((old, entry)) = previous.and_then(|m| m.reusable(path, bytes)) {
            return Some(Contents::Previous(old, entry));
        }
        let (file, meta) = self.write(bytes)?;
        let entry = manifest::entry_for(Some(bytes), &meta)?;
        Some(Contents::Spilled(file, entry))
    }

    /// Appends an article's HTML (or its plain text) to the file of articles
    /// here, to be read back when its page is rendered (or the search index
    /// built); `None` when writing fails, and the text stays in memory. One
    /// file for all: a file per article would be 10,000 more inodes created
    /// and freed per build.
    pub fn keep_text(&self, html: &str) -> Option<Stretch> {
        let mut articles = self
            .articles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if articles.is_none() {
            let path: Arc<Path> = self.dir.join("articles.html").into();
            let file = std::fs::File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .ok()?;
            // Read back through the handle: unlinked at once, never left behind.
            let _ = std::fs::remove_file(&path);
            *articles = Some((Arc::new(file), path, 0));
        }
        let (file, path, end) = articles.as_mut()?;
        // The stretch is reserved under the lock, written outside it.
        let kept = Stretch::new(Arc::clone(file), Arc::clone(path), *end, html.len());
        *end += html.len() as u64;
        drop(articles);
        write_all_at(kept.file(), html.as_bytes(), kept.offset()).ok()?;
        Some(kept)
    }

    fn write(&self, bytes: &[u8]) -> Option<(PathBuf, std::fs::Metadata)> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = self
            .dir
            .join((n % SPILL_BUCKETS).to_string())
            .join(n.to_string());
        let mut out = std::fs::File::create(&file).ok()?;
        io::Write::write_all(&mut out, bytes).ok()?;
        let meta = out.metadata().ok()?;
        Some((file, meta))
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        // Its files live on as links in the output; only the names go.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{OutputFile, Written, write_site};
    use super::*;

    #[cfg(unix)]
    #[test]
    fn spilled_pages_are_on_disk_and_linked_into_the_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let spill = Spill::create(&out).unwrap();
        let spilled = spill.keep("a/index.html", Arc::from(&b"<p>one</p>"[..]), None);
        let Contents::Spilled(path, _) = &spilled else {
            panic!("not spilled: {spilled:?}");
        };
        assert_eq!(std::fs::read(path).unwrap(), b"<p>one</p>");
        let files = [OutputFile {
            path: "a/index.html".into(),
            contents: spilled.clone(),
        }];
        let written = write_site(&out, tmp.path(), &files, None, None).unwrap();
        assert_eq!(
            written,
            Written {
                written: 1,
                reused: 0
            }
        );
        assert_eq!(
            std::fs::read(out.join("a/index.html")).unwrap(),
            b"<p>one</p>"
        );
        let dir = spill.dir.clone();
        drop(spill);
        assert!(!dir.exists(), "the spill folder is removed");
        assert_eq!(
            std::fs::read(out.join("a/index.html")).unwrap(),
            b"<p>one</p>"
        );
    }

    #[cfg(unix)]
    #[test]
    fn articles_html_shares_one_file_and_reads_back() {
        let tmp = tempfile::tempdir().unwrap();
        let spill = Spill::create(&tmp.path().join("public")).unwrap();
        let (a, b) = ("<p>甲</p>".repeat(1000), "<p>乙</p>".to_string());
        let (kept_a, kept_b) = (spill.keep_text(&a).unwrap(), spill.keep_text(&b).unwrap());
        assert_eq!(kept_a.path(), kept_b.path(), "one file for every article");
        assert_eq!(kept_a.read().unwrap(), a);
        assert_eq!(kept_b.read().unwrap(), b);
        assert!(
            std::fs::read_dir(&spill.dir).unwrap().all(|e| e
                .unwrap()
                .file_type()
                .unwrap()
                .is_dir()),
            "the file is unlinked, used through its handle"
        );
    }
}
