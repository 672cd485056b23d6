//! blogsmith: a static site generator for math- and code-heavy Chinese notes.
//!
//! # The pipeline
//!
//! One build, as [`pipeline`] runs it; data flows down, and each module
//! uses only the ones above it in this list:
//!
//! ```text
//!   blogsmith.yaml ─┐
//!   content/*.md ───┤ 1. load ............ config, content (walk, front matter), render::theme
//!   templates/ ─────┘
//!                     2. render articles . markdown (math, code, headings, excerpt), in parallel
//!                     3. assemble ........ site (order, permalinks, taxonomies, links)
//!                     4. render pages .... render (templates), site::search, site::feeds, in parallel
//!                     5. write ........... output (staging beside public/, atomic swap)
//!
//!   incremental ... the one door for reuse: asked before steps 2 and 4 ("do I
//!                   have this already?"), told what they made; fingerprint,
//!                   output manifest, render cache stores
//!   serve ......... runs steps 1-4 on every save and serves the files from memory
//!   linkcheck ..... `check --external` only: requests the links to other
//!                   sites found in step 2 (the only network code)
//!   util .......... leaf helpers (hashing, stamps, locks, URLs), depending on nothing
//!   import ........ `import hexo|jekyll|hugo`: an old blog copied into a new
//!                   site and its configuration mapped (uses config, content)
//! ```
//!
//! Modules, from the bottom up: [`util`] → [`diagnostic`] → [`config`] →
//! [`content`] → [`markdown`] → [`site`] → `render` → `incremental` →
//! `output` → [`linkcheck`] → [`pipeline`] → [`serve`]. The command line
//! (`src/main.rs`, `src/cli/`) only calls [`build`], [`check`],
//! [`check_external`], [`clean`], [`serve`], [`scaffold`] and [`import`].

pub mod config;
pub mod content;
pub mod diagnostic;
pub mod import;
pub(crate) mod incremental;
pub mod linkcheck;
pub mod markdown;
pub(crate) mod output;
pub mod pipeline;
pub(crate) mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod util;

use std::path::{Path, PathBuf};

use diagnostic::Diagnostic;
pub use output::{Contents, OutputFile};
pub use pipeline::{
    BuildFailure, BuildOptions, BuildReport, ExternalCheck, Refreshed, Session, build, check,
    check_external, render_article,
};
pub use render::RenderOptions;
pub use util::progress;

/// Removes the render cache and the output folder (with the temporary folders
/// builds leave beside it). Returns what was removed.
///
/// The output is checked first like a build does: a folder that contains the
/// site, or looks like a site, is never removed.
pub fn clean(root: &Path, output: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    // The output first: it is the one that can be refused, and then nothing is removed.
    let mut removed = output::remove_output(output, root)?;
    let cache = root.join(incremental::CACHE_DIR);
    if cache.exists() {
        std::fs::remove_dir_all(&cache)
            .map_err(|e| Diagnostic::error(&cache, format!("cannot remove the cache: {e}")))?;
        removed.push(cache);
    }
    Ok(removed)
}

/// The site root holding `blogsmith.yaml`: `start` or its nearest ancestor that has one.
pub fn find_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join(config::CONFIG_FILE).is_file())
        .unwrap_or(start)
        .to_path_buf()
}
