//! The results of earlier external link checks, in the render cache folder
//! (`.blogsmith-cache/external-links.json`).
//!
//! Only links that answered well are kept, with when they did: such a link
//! is not requested again for [`super::ExternalOptions::max_age`] (7 days by
//! default). A link that failed is not kept, so it is checked again on every
//! run. The file is JSON, keyed by the URL as requested (fragment dropped).
//!
//! Unlike the render cache, the file does not carry
//! [`crate::incremental::CACHE_VERSION`]: what a web server answered does not
//! depend on blogsmith's code, so a new blogsmith keeps the results; only a
//! change of the file's layout ([`FORMAT`]) discards them. The file is
//! replaced atomically (written beside, then renamed), and anything that
//! cannot be read is taken as an empty cache.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::incremental::CACHE_DIR;

/// The file, in the render cache folder.
pub(crate) const FILE: &str = "external-links.json";

/// Bumped when the file's layout changes.
const FORMAT: u32 = 1;

/// What could not be saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    /// The folder or the file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The results could not be serialised (not expected).
    #[error("cannot encode the link cache: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The file's contents.
#[derive(Serialize, Deserialize)]
struct Saved {
    format: u32,
    /// URL → when it last answered well (seconds since the Unix epoch).
    good: BTreeMap<String, u64>,
}

/// Links that answered well lately.
#[derive(Debug)]
pub(crate) struct LinkCache {
    path: PathBuf,
    good: BTreeMap<String, u64>,
}

impl LinkCache {
    /// The cache of the site at `root` (empty when missing or unreadable).
    pub(crate) fn load(root: &Path) -> Self {
        let path = root.join(CACHE_DIR).join(FILE);
        let good = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).ok())
            .filter(|saved| saved.format == FORMAT)
            .map(|saved| saved.good)
            .unwrap_or_default();
        Self { path, good }
    }

    /// An empty cache for the site at `root` (`--no-cache`: nothing is read).
    pub(crate) fn empty(root: &Path) -> Self {
        Self {
            path: root.join(CACHE_DIR).join(FILE),
            good: BTreeMap::new(),
        }
    }

    /// Whether `url` answered well less than `max_age` before `now`.
    pub(crate) fn is_fresh(&self, url: &str, now: SystemTime, max_age: Duration) -> bool {
        let now = unix_seconds(now);
        self.good
            .get(url)
            .is_some_and(|&at| at <= now && now - at < max_age.as_secs())
    }

    /// Records what `url` answered at `now`: kept if it answered well,
    /// forgotten otherwise.
    pub(crate) fn record(&mut self, url: &str, good: bool, now: SystemTime) {
        if good {
            self.good.insert(url.to_string(), unix_seconds(now));
        } else {
            self.good.remove(url);
        }
    }

    /// Saves the cache, without the results older than `max_age`.
    pub(crate) fn save(mut self, now: SystemTime, max_age: Duration) -> Result<(), CacheError> {
        let now = unix_seconds(now);
        self.good
            .retain(|_, at| *at <= now && now - *at < max_age.as_secs());
        let bytes = serde_json::to_vec_pretty(&Saved {
            format: FORMAT,
            good: self.good,
        })?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let write = |path: &Path, result: std::io::Result<()>| {
            result.map_err(|source| CacheError::Write {
                path: path.to_path_buf(),
                source,
            })
        };
        write(dir, std::fs::create_dir_all(dir))?;
        let temp = crate::util::lock::work_file(dir, "external-links.json.tmp");
        write(&temp, std::fs::write(&temp, bytes))?;
        if let Err(e) = std::fs::rename(&temp, &self.path) {
            let _ = std::fs::remove_file(&temp);
            return write(&self.path, Err(e));
        }
        Ok(())
    }
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn good_results_are_kept_for_a_while_and_failures_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut cache = LinkCache::load(dir.path());
        cache.record("https://a.example/", true, now);
        cache.record("https://b.example/", true, now - 8 * DAY);
        cache.record("https://c.example/", true, now);
        cache.record("https://c.example/", false, now);
        cache.save(now, 7 * DAY).unwrap();

        let cache = LinkCache::load(dir.path());
        assert!(cache.is_fresh("https://a.example/", now + 6 * DAY, 7 * DAY));
        assert!(!cache.is_fresh("https://a.example/", now + 7 * DAY, 7 * DAY));
        assert!(!cache.is_fresh("https://b.example/", now, 7 * DAY));
        assert!(!cache.is_fresh("https://c.example/", now, 7 * DAY));
        // From the future (a clock set back): checked again.
        assert!(!cache.is_fresh("https://a.example/", now - DAY, 7 * DAY));
        assert_eq!(cache.good.len(), 1, "old results are not saved");
    }

    #[test]
    fn an_unreadable_or_other_format_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(CACHE_DIR).join(FILE);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "not json").unwrap();
        assert!(LinkCache::load(dir.path()).good.is_empty());
        std::fs::write(
            &file,
            r#"{"format": 999, "good": {"https://a.example/": 1}}"#,
        )
        .unwrap();
        assert!(LinkCache::load(dir.path()).good.is_empty());
    }
}
