//! What an import will do, decided before anything is written: the values of
//! `blogsmith.yaml`, the files to copy, and what could not be mapped.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::old_config::with_trailing_slash;
use super::{Generator, ImportError};
use crate::config::Config;
use crate::content::{CONTENT_DIR, is_markdown};

/// One value of `blogsmith.yaml` taken from the old configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The blogsmith key, e.g. `base_url`.
    pub key: String,
    /// Its value as written in `blogsmith.yaml` (strings JSON-quoted).
    pub value: String,
    /// Where it came from, e.g. `_config.yml: url + root`.
    pub from: String,
}

/// A `math:` switch the blog needs, written `true` with the reason above it;
/// commented out while blogsmith does not have it yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Commented {
    /// The key under `math:`, e.g. `markdown_escapes`.
    pub key: &'static str,
    /// Why the blog needs it, as comment text.
    pub why: String,
    /// Whether blogsmith has the key (else it is written commented out).
    pub available: bool,
}

/// One file of the new site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileAction {
    /// Copied as it is.
    Copy {
        /// The file in the old blog.
        from: PathBuf,
        /// Its place in the new site, relative to the site root.
        to: PathBuf,
    },
    /// Written with edited text (a front matter key added).
    Write {
        /// The file in the old blog.
        from: PathBuf,
        /// Its place in the new site, relative to the site root.
        to: PathBuf,
        /// The new text.
        text: String,
    },
}

impl FileAction {
    /// The file's place in the new site, relative to the site root.
    pub(crate) fn to(&self) -> &Path {
        match self {
            Self::Copy { to, .. } | Self::Write { to, .. } => to,
        }
    }
}

/// Everything an import will write and say.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The old configuration file, relative to the blog (`_config.yml`).
    pub config_file: PathBuf,
    /// Values of `blogsmith.yaml`, in the order they are written.
    pub values: Vec<Mapped>,
    /// Keys written commented out under `math:`.
    pub commented: Vec<Commented>,
    /// The files of the new site.
    pub files: Vec<FileAction>,
    /// What was not carried over, and why.
    pub not_mapped: Vec<String>,
    /// What the author should know about what was carried over.
    pub notes: Vec<String>,
}

impl Plan {
    /// Sets `key` to `value` (taken from `from`), replacing an earlier value.
    pub(crate) fn map(&mut self, key: &str, value: Value, from: impl Into<String>) {
        let mapped = Mapped {
            key: key.into(),
            // A JSON string is a valid YAML double-quoted scalar.
            value: value.to_string(),
            from: from.into(),
        };
        match self.values.iter_mut().find(|m| m.key == key) {
            Some(old) => *old = mapped,
            None => self.values.push(mapped),
        }
    }

    /// Sets a text `key` when the old configuration has a value for it.
    pub(crate) fn map_text(&mut self, key: &str, value: Option<String>, from: &str) {
        if let Some(value) = value {
            self.map(key, Value::from(value), from);
        }
    }

    /// Sets `base_url`, always ending with `/`.
    pub(crate) fn map_base_url(&mut self, url: &str, from: &str) {
        self.map("base_url", Value::from(with_trailing_slash(url)), from);
    }

    /// Sets `language` from a string or a list (its first: the site's own).
    pub(crate) fn map_language(&mut self, value: Option<&Value>, from: &str) {
        let language = match value {
            Some(Value::Array(list)) => list.first().and_then(Value::as_str),
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        match language.map(str::trim) {
            // Hexo's placeholder: its own default language, not the blog's.
            Some("" | "default") | None => {}
            // Jekyll's locales are written `zh_CN`; `<html lang>` wants `zh-CN`.
            Some(language) => self.map("language", Value::from(language.replace('_', "-")), from),
        }
    }

    /// Sets `timezone` when blogsmith knows the zone.
    pub(crate) fn map_timezone(&mut self, zone: Option<String>, from: &str) {
        let Some(zone) = zone else { return };
        if jiff::tz::TimeZone::get(&zone).is_ok() {
            self.map("timezone", Value::from(zone), from);
        } else {
            self.not_mapped(format!(
                "{from} `{zone}`: not an IANA time zone blogsmith knows; dates without an offset are read in Asia/Shanghai"
            ));
        }
    }

    /// Sets `paginate` from a positive number.
    pub(crate) fn map_paginate(&mut self, value: Option<&Value>, from: &str) {
        let Some(value) = value else { return };
        match value.as_u64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(0) => self.not_mapped(format!(
                "{from} 0 (one page with every post): blogsmith always paginates; it shows 10 per page"
            )),
            Some(n) => self.map("paginate", Value::from(n), from),
            None => self.not_mapped(format!(
                "{from} `{value}`: not a number of posts; blogsmith shows 10 per page"
            )),
        }
    }

    /// Sets `permalink` when every token of `pattern` is one blogsmith has.
    pub(crate) fn map_permalink(&mut self, pattern: &str, from: &str) {
        match crate::config::unknown_permalink_token(pattern) {
            None => self.map("permalink", Value::from(pattern), from),
            Some(token) => self.not_mapped(format!(
                "{from} `{pattern}`: blogsmith has no `{token}`; posts are published at blogsmith's /posts/:slug/ (set `permalink:` by hand, or give posts their own `permalink:`)"
            )),
        }
    }

    /// The value mapped to `key`, as written in `blogsmith.yaml`.
    #[cfg(test)]
    pub(crate) fn value(&self, key: &str) -> Option<String> {
        self.values
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value.clone())
    }

    /// Records something that was not carried over.
    pub(crate) fn not_mapped(&mut self, message: impl Into<String>) {
        self.not_mapped.push(message.into());
    }

    /// Records something the author should know.
    pub(crate) fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Copies `from` to `to` (relative to the new site).
    pub(crate) fn copy(&mut self, from: PathBuf, to: PathBuf) {
        self.files.push(FileAction::Copy { from, to });
    }

    /// The text of `blogsmith.yaml`, checked to load.
    pub(crate) fn config_text(
        &self,
        generator: Generator,
        source: &Path,
    ) -> Result<String, ImportError> {
        let shown = source
            .canonicalize()
            .unwrap_or_else(|_| source.to_path_buf())
            .join(&self.config_file);
        // One line, whatever the path holds: a newline would end the comment.
        let shown = shown.display().to_string().replace(['\n', '\r'], " ");
        let mut text = format!(
            "# blogsmith configuration, imported from {} ({shown}) by `blogsmith import`.\n\
             # Every key is optional: see docs/configuration.md.\n",
            generator.name()
        );
        for m in &self.values {
            text.push_str(&format!("{}: {}\n", m.key, m.value));
        }
        let (available, missing): (Vec<&Commented>, Vec<&Commented>) =
            self.commented.iter().partition(|c| c.available);
        if !available.is_empty() {
            text.push_str("math:\n");
            for c in &available {
                for line in c.why.lines() {
                    text.push_str(&format!("  # {line}\n"));
                }
                text.push_str(&format!("  {}: true\n", c.key));
            }
        }
        if !missing.is_empty() {
            text.push_str(
                "\n# Not yet in blogsmith (comes with math as authors wrote it):\n# math:\n",
            );
            for c in &missing {
                for line in c.why.lines() {
                    text.push_str(&format!("#   # {line}\n"));
                }
                text.push_str(&format!("#   {}: true\n", c.key));
            }
        }
        Config::parse(&text).map_err(|d| ImportError::Generated {
            path: self.config_file.clone(),
            message: d.to_string(),
        })?;
        Ok(text)
    }

    /// What the import did, once it is done.
    pub(crate) fn report(self, generator: Generator, source: &Path, dest: &Path) -> ImportReport {
        let mut report = ImportReport {
            generator,
            source: source.to_path_buf(),
            dest: dest.to_path_buf(),
            mapped: self.values,
            not_mapped: self.not_mapped,
            notes: self.notes,
            ..ImportReport::default()
        };
        for file in &self.files {
            report.count(file);
        }
        report
    }
}

/// What an import did: the configuration values mapped, the files copied,
/// and what was not carried over.
#[derive(Debug)]
pub struct ImportReport {
    /// The generator of the old blog.
    pub generator: Generator,
    /// The old blog.
    pub source: PathBuf,
    /// The new site.
    pub dest: PathBuf,
    /// The values written to `blogsmith.yaml`.
    pub mapped: Vec<Mapped>,
    /// Markdown files copied into `content/` as they were (drafts excluded).
    pub articles: usize,
    /// Markdown files copied into `content/_drafts/`.
    pub drafts: usize,
    /// Markdown files given their old address (`permalink:` or `url:` added).
    pub pages: usize,
    /// Other files copied into `content/` (asset folders, bundles).
    pub content_files: usize,
    /// Files copied into `static/`.
    pub static_files: usize,
    /// What was not carried over, and why.
    pub not_mapped: Vec<String>,
    /// What the author should know about what was carried over.
    pub notes: Vec<String>,
}

impl Default for ImportReport {
    fn default() -> Self {
        Self {
            generator: Generator::Hexo,
            source: PathBuf::new(),
            dest: PathBuf::new(),
            mapped: Vec::new(),
            articles: 0,
            drafts: 0,
            pages: 0,
            content_files: 0,
            static_files: 0,
            not_mapped: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl ImportReport {
    /// Counts one file of the new site.
    fn count(&mut self, file: &FileAction) {
        let to = file.to();
        if !to.starts_with(CONTENT_DIR) {
            self.static_files += 1;
        } else if !is_markdown(to) {
            self.content_files += 1;
        } else if matches!(file, FileAction::Write { .. }) {
            self.pages += 1;
        } else if crate::content::in_drafts_folder(to) {
            self.drafts += 1;
        } else {
            self.articles += 1;
        }
    }

    /// The files written, `blogsmith.yaml` included.
    pub fn files(&self) -> usize {
        self.articles + self.drafts + self.pages + self.content_files + self.static_files + 1
    }
}
