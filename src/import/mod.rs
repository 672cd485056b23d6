//! `blogsmith import hexo|jekyll|hugo PATH [DIR]`: an existing blog folder
//! turned into a new blogsmith site.
//!
//! blogsmith already reads content laid out the way these generators lay it
//! out (see `docs/migration.md`), so an import is mostly copying files to
//! the right place and writing `blogsmith.yaml` from the old configuration.
//! Each generator's module makes a [`Plan`] first, without writing anything;
//! [`import`] then writes the plan into a temporary folder beside the
//! destination and renames it into place, so that a failure leaves nothing
//! half-written. The source is only ever read.

mod files;
mod hexo;
mod hugo;
mod jekyll;
mod old_config;
mod plan;

use std::path::{Path, PathBuf};

pub(crate) use plan::{FileAction, Plan};
pub use plan::{ImportReport, Mapped};

/// The generator a blog was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Hexo: `_config.yml` and `source/`.
    Hexo,
    /// Jekyll: `_config.yml` and `_posts/` at the top.
    Jekyll,
    /// Hugo: `hugo.toml` (or `config.*`, `config/_default/`) and `content/`.
    Hugo,
}

impl Generator {
    /// The generator's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hexo => "Hexo",
            Self::Jekyll => "Jekyll",
            Self::Hugo => "Hugo",
        }
    }
}

/// Why an import did not happen. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source folder does not exist or is not a folder.
    #[error("{path} is not a folder")]
    NoSource {
        /// The path given.
        path: PathBuf,
    },
    /// The source is not a blog of that generator.
    #[error("{path} does not look like a {} blog: {missing}", generator.name())]
    NotABlog {
        /// The generator asked for.
        generator: Generator,
        /// The source folder.
        path: PathBuf,
        /// What was looked for and not found.
        missing: String,
    },
    /// The destination has files in it, or is a file.
    #[error("{path} already exists and is not an empty folder; nothing was written")]
    DestinationNotEmpty {
        /// The destination folder.
        path: PathBuf,
    },
    /// The destination is inside the blog being imported.
    #[error("{dest} is inside {source_dir}; nothing was written")]
    DestinationInsideSource {
        /// The destination folder.
        dest: PathBuf,
        /// The source folder.
        source_dir: PathBuf,
    },
    /// The old configuration could not be read.
    #[error("{path}: cannot read the configuration: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A file or folder of the source could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file of the new site could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The `blogsmith.yaml` made from the old configuration does not load:
    /// a bug of the import, reported rather than written.
    #[error("the blogsmith.yaml made from {path} does not load: {message}")]
    Generated {
        /// The old configuration file.
        path: PathBuf,
        /// What blogsmith said about the generated file.
        message: String,
    },
}

impl ImportError {
    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoSource { .. } => Some("give the folder of the old blog".into()),
            Self::NotABlog { generator, .. } => Some(match generator {
                Generator::Hexo => {
                    "a Hexo blog has _config.yml and source/; is it a Jekyll or Hugo blog?".into()
                }
                Generator::Jekyll => {
                    "a Jekyll blog has _config.yml or _posts/; is it a Hexo or Hugo blog?".into()
                }
                Generator::Hugo => "a Hugo site has hugo.toml (or config.toml, .yaml, .json, or config/_default/) and content/; is it a Hexo or Jekyll blog?".into(),
            }),
            Self::DestinationNotEmpty { .. } => {
                Some("name a new folder as the last argument: blogsmith import hexo OLD NEW".into())
            }
            Self::DestinationInsideSource { .. } => {
                Some("put the new site beside the old blog, not inside it".into())
            }
            Self::Config { .. } => Some("fix the file so that its generator reads it, then import again".into()),
            Self::Read { .. } | Self::Write { .. } => None,
            Self::Generated { .. } => Some("please report this; meanwhile copy the posts by hand (docs/migration.md)".into()),
        }
    }
}

/// The folder an import writes to when none is given: `<name>-blogsmith`
/// in the current folder, named after the source folder.
pub fn default_destination(source: &Path) -> PathBuf {
    let name = source
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| source.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "blog".into());
    PathBuf::from(format!("{name}-blogsmith"))
}

/// Imports the blog at `source`, made with `generator`, as a new blogsmith
/// site at `dest`, and says what was mapped and what was not.
///
/// Everything is planned before anything is written; the site is written
/// into a temporary folder beside `dest` and renamed into place, and the
/// source is never modified.
pub fn import(
    generator: Generator,
    source: &Path,
    dest: &Path,
) -> Result<ImportReport, ImportError> {
    if !source.is_dir() {
        return Err(ImportError::NoSource {
            path: source.to_path_buf(),
        });
    }
    check_destination(source, dest)?;
    let plan = match generator {
        Generator::Hexo => hexo::plan(source)?,
        Generator::Jekyll => jekyll::plan(source)?,
        Generator::Hugo => hugo::plan(source)?,
    };
    let config_text = plan.config_text(generator, source)?;
    files::write_site(&plan, &config_text, dest)?;
    Ok(plan.report(generator, source, dest))
}

/// `dest` must be new or empty, and outside `source`.
fn check_destination(source: &Path, dest: &Path) -> Result<(), ImportError> {
    if dest.exists() && !dest.is_dir() {
        return Err(ImportError::DestinationNotEmpty {
            path: dest.to_path_buf(),
        });
    }
    if dest.exists() {
        let mut entries = std::fs::read_dir(dest).map_err(|source| ImportError::Read {
            path: dest.to_path_buf(),
            source,
        })?;
        if entries.next().is_some() {
            return Err(ImportError::DestinationNotEmpty {
                path: dest.to_path_buf(),
            });
        }
    }
    let source_dir = source.canonicalize().map_err(|e| ImportError::Read {
        path: source.to_path_buf(),
        source: e,
    })?;
    if files::resolve(dest).starts_with(&source_dir) {
        return Err(ImportError::DestinationInsideSource {
            dest: dest.to_path_buf(),
            source_dir: source.to_path_buf(),
        });
    }
    Ok(())
}
