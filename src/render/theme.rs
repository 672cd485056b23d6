//! The theme: embedded templates and static files, overridden by the site's own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Position};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/theme.rs"));
}

/// The site's template folder, overriding the embedded templates by name.
pub const TEMPLATES_DIR: &str = "templates";
/// The site's static folder, overriding the embedded static files by path.
pub const STATIC_DIR: &str = "static";

/// Where a static file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticSource {
    /// Compiled into the binary.
    Embedded(&'static [u8]),
    /// A file of the site.
    File(PathBuf),
}

/// Templates ready to render, and the static files to copy.
pub struct Theme {
    /// The template engine, with every template loaded.
    pub tera: Tera,
    /// Output path (with `/`) → source, in path order.
    pub static_files: BTreeMap<String, StaticSource>,
    /// Template name → file shown in messages.
    shown: BTreeMap<String, String>,
    /// A hash of every template's name and source.
    hash: u64,
    /// The `page.extra` keys the templates mention (`extra.cover`).
    extra_keys: std::collections::BTreeSet<String>,
}

impl Theme {
    /// Loads the embedded theme, then the site's `templates/` and `static/` over it.
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut diagnostics = Vec::new();
        for (name, bytes) in embedded::TEMPLATES {
            let text = String::from_utf8_lossy(bytes).into_owned();
            sources.insert(
                name.to_string(),
                (text, format!("(built-in theme) templates/{name}")),
            );
        }
        for (name, path) in files_under(&root.join(TEMPLATES_DIR)) {
            let shown = format!("{TEMPLATES_DIR}/{name}");
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.insert(name, (text, shown));
                }
                Err(e) => diagnostics.push(Diagnostic::error(
                    shown,
                    format!("cannot read the template: {e}"),
                )),
            }
        }
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let shown: BTreeMap<String, String> = sources
            .iter()
            .map(|(name, (_, shown))| (name.clone(), shown.clone()))
            .collect();
        let hash = crate::util::hash::hash_of(
            &sources
                .iter()
                .map(|(name, (text, _))| (name, text))
                .collect::<Vec<_>>(),
        );
        let extra_keys = sources
            .values()
            .flat_map(|(text, _)| extra_keys_in(text))
            .collect();
        let mut tera = Tera::new();
        tera.register_filter("safe", safe);
        if let Err(e) = tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, (text, _))| (name.as_str(), text.as_str())),
        ) {
            return Err(vec![tera_diagnostic(&e, &shown)]);
        }
        let mut static_files: BTreeMap<String, StaticSource> = embedded::STATIC
            .iter()
            .filter(|(name, _)| !name.ends_with("README.md"))
            .map(|(name, bytes)| (name.to_string(), StaticSource::Embedded(bytes)))
            .collect();
        for (name, path) in files_under(&root.join(STATIC_DIR)) {
            static_files.insert(name, StaticSource::File(path));
        }
        Ok(Self {
            tera,
            static_files,
            shown,
            hash,
            extra_keys,
        })
    }

    /// A hash that changes when any template changes.
    ///
    /// One hash for the whole theme, not one per template: in Tera 2 a
    /// template reaches others through `extends`, `include` and components,
    /// which are looked up by name when rendering, and Tera does not expose
    /// which templates a template uses. Editing a template therefore renders
    /// every page again, which is always right and costs a second at most.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The text of the static file at `path` (`style.css`), the site's own
    /// if it has one; `None` when the theme has no such file.
    pub fn static_text(&self, path: &str) -> Result<Option<String>, Diagnostic> {
        match self.static_files.get(path) {
            None => Ok(None),
            Some(StaticSource::Embedded(bytes)) => {
                Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
            }
            Some(StaticSource::File(file)) => {
                std::fs::read_to_string(file).map(Some).map_err(|e| {
                    Diagnostic::error(
                        format!("{STATIC_DIR}/{path}"),
                        format!("cannot read the stylesheet: {e}"),
                    )
                    .with_hint("pages carry the theme's stylesheet inline; make the file readable")
                })
            }
        }
    }

    /// Whether a template reads the front matter key `key` (as `extra.key`).
    pub fn uses_extra(&self, key: &str) -> bool {
        self.extra_keys.contains(key)
    }

    /// Turns a Tera error into a diagnostic at the template's file, line and column.
    pub fn diagnostic(&self, error: &tera::Error) -> Diagnostic {
        tera_diagnostic(error, &self.shown)
    }
}

/// The names after `extra.` in a template's text: front matter keys it may
/// show. A text scan, erring towards finding too many (only a note depends on it).
fn extra_keys_in(text: &str) -> Vec<String> {
    text.match_indices("extra.")
        .map(|(at, _)| {
            text[at + "extra.".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|key| !key.is_empty())
        .collect()
}

/// Every file under `dir`, as (`/`-separated relative path, full path), sorted.
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files: Vec<(String, PathBuf)> = WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((relative, e.path().to_path_buf()))
        })
        .collect();
    files.sort();
    files
}

fn tera_diagnostic(error: &tera::Error, shown: &BTreeMap<String, String>) -> Diagnostic {
    let report = match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report)
        }
        _ => None,
    };
    match report {
        Some(report) => {
            let file = shown
                .get(report.filename())
                .cloned()
                .unwrap_or_else(|| format!("{TEMPLATES_DIR}/{}", report.filename()));
            let span = report.span();
            Diagnostic::error(file, format!("template error: {}", report.message()))
                .at(Position::new(span.start_line.max(1), span.start_col + 1))
        }
        None => Diagnostic::error(
            TEMPLATES_DIR,
            format!("template error: {}", first_line(&error.to_string())),
        ),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Tera's `safe` filter without its copy: Tera's own copies the string into a
/// new value on every use, and `{{ page.content | safe }}` and the inline
/// stylesheets (40 KB on every page) made that a tenth of the time spent in
/// templates. A long string value shares its text, so marking a clone safe
/// costs nothing. Anything else is shown as Tera's filter shows it.
fn safe(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    match value.as_str() {
        Some(_) => value.clone().mark_safe(),
        None => tera::Value::safe_string(&value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_hash_changes_with_any_template() {
        let dir = tempfile::tempdir().unwrap();
        let builtin = Theme::load(dir.path()).unwrap().hash();
        assert_eq!(Theme::load(dir.path()).unwrap().hash(), builtin, "stable");
        std::fs::create_dir_all(dir.path().join(TEMPLATES_DIR)).unwrap();
        // A template no page names directly (a part another could include).
        std::fs::write(dir.path().join("templates/part.html"), "x").unwrap();
        let with_part = Theme::load(dir.path()).unwrap().hash();
        assert_ne!(with_part, builtin);
        std::fs::write(dir.path().join("templates/part.html"), "y").unwrap();
        assert_ne!(Theme::load(dir.path()).unwrap().hash(), with_part);
    }
}
