//! Jupyter notebooks (`.ipynb`, nbformat 4) as articles.
//!
//! A notebook becomes a [`Page`](crate::content::Page) like a Markdown article: front matter from
//! its metadata or a first raw cell, a Markdown body made of its cells
//! ([`convert`]), and the HTML of prompts and outputs the body's sentinels
//! stand for. Its output images are files written beside the page
//! ([`output_files`]). Notebooks are read, never executed.

mod ansi;
mod convert;
mod locate;
mod model;

use std::path::Path;

use jiff::tz::TimeZone;
use serde_json::Value;

pub use convert::{
    Converted, FOLD_LINES, GeneratedFile, HTML_SENTINEL, MAX_IMAGE_BYTES, MAX_OUTPUT_CHARS, Options,
};
pub use model::{MAX_NOTEBOOK_BYTES, Notebook, NotebookError, read};

use super::formats::{self, Entries};
use super::front_matter::{self, FrontMatterError};
use super::page::{self, Parsed};
use crate::diagnostic::{Diagnostic, Position};
use locate::Locator;

/// Keys of the notebook's top-level `metadata` read as front matter (Jupyter
/// and JupyterLab write `title`; the others are blogsmith's). Every key may
/// also go in `metadata.blogsmith`, which wins.
pub const METADATA_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "tags",
    "categories",
    "summary",
    "description",
    "slug",
    "draft",
];

/// Whether `path` names a notebook.
pub fn is_notebook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ipynb"))
}

/// Parses the notebook `relative` (under `content_dir`) from its `bytes`
/// into a page whose body is Markdown (see the module's documentation).
pub fn parse(
    bytes: &[u8],
    content_dir: &Path,
    shown_dir: &Path,
    relative: &Path,
    tz: &TimeZone,
    options: Options,
) -> Parsed {
    let shown = shown_dir.join(relative);
    let mut parsed = Parsed::default();
    let notebook = match read(bytes) {
        Ok(notebook) => notebook,
        Err(e) => {
            parsed.diagnostics.push(
                Diagnostic::error(&shown, e.to_string())
                    .at(e.position())
                    .with_hint(e.hint()),
            );
            return parsed;
        }
    };
    let locator = Locator::new(bytes, notebook.cells.len());
    let (entries, first_cell) = match front_matter_entries(&notebook, &locator) {
        Ok(found) => found,
        Err(e) => {
            parsed.diagnostics.push(front_matter_diagnostic(&shown, e));
            return parsed;
        }
    };
    let front = match front_matter::from_entries(entries, tz) {
        Ok(front) => front,
        Err(e) => {
            parsed.diagnostics.push(front_matter_diagnostic(&shown, e));
            return parsed;
        }
    };
    let converted = convert::convert(&notebook, first_cell, &locator, options);
    parsed
        .diagnostics
        .extend(converted.warnings.iter().map(|w| {
            Diagnostic::warning(&shown, w.message.clone())
                .at(w.position)
                .with_hint(w.hint)
        }));
    let path = content_dir.join(relative);
    let (mut page, guessed) = page::build(&path, &shown, relative, front, &converted.body, 1, tz);
    if guessed {
        parsed.diagnostics.push(page::guessed_date_warning(&shown));
    }
    page.generated_html = converted.html;
    page.line_map = converted.line_map;
    parsed.page = Some(page);
    parsed
}

/// The image files of a notebook's outputs, named as its page shows them;
/// none when the notebook cannot be read (its page then reports why).
///
/// Decoded again for each build rather than kept with the article: the
/// render cache keeps articles small, and decoding is cheap beside reading.
pub fn output_files(bytes: &[u8], options: Options) -> Vec<GeneratedFile> {
    let Ok(notebook) = read(bytes) else {
        return Vec::new();
    };
    // Front matter positions are not needed, only which cell comes first.
    let locator = Locator::default();
    let first_cell = usize::from(front_matter_cell(&notebook).is_some());
    convert::convert(&notebook, first_cell, &locator, options).files
}

/// A position in the Markdown body of a notebook page as a position in the
/// notebook file, by the page's [`Page::line_map`](crate::content::Page::line_map).
pub fn file_position(line_map: &[(usize, usize)], position: Position) -> Position {
    let before = line_map.partition_point(|&(body, _)| body <= position.line);
    match before.checked_sub(1).and_then(|i| line_map.get(i)) {
        Some(&(body, file)) => Position::new(file + (position.line - body), position.column),
        None => position,
    }
}

/// The first cell's text when it is a raw cell opening with `---`: front
/// matter as Quarto and Jupyter Book write it.
fn front_matter_cell(notebook: &Notebook) -> Option<&str> {
    let first = notebook.cells.first()?;
    let text = first.source.0.trim_start_matches('\u{feff}');
    (first.cell_type == "raw" && text.starts_with("---")).then_some(text)
}

/// The front matter keys of a notebook: the top-level metadata keys of
/// [`METADATA_KEYS`], then a first raw cell's YAML, then `metadata.blogsmith`,
/// each overriding the ones before; and the first cell to show.
fn front_matter_entries(
    notebook: &Notebook,
    locator: &Locator,
) -> Result<(Entries, usize), FrontMatterError> {
    let mut entries: Entries = Vec::new();
    let mut set = |key: String, value: Value, at: Position| {
        entries.retain(|(k, _, _)| *k != key);
        entries.push((key, value, at));
    };
    for key in METADATA_KEYS {
        if let Some(value) = notebook.metadata.get(*key) {
            set((*key).to_string(), value.clone(), locator.metadata_key(key));
        }
    }
    let mut first_cell = 0;
    if let Some(text) = front_matter_cell(notebook) {
        let text = text.replace("\r\n", "\n");
        let split = formats::split(&text)?;
        // The cell's lines are file lines from the one after `"source": [` on.
        let offset = locator.source_line(0).map_or(0, |l| l - 1);
        let shift = |p: Position| Position::new(p.line + offset, p.column);
        let read = formats::read(&split).map_err(|e| FrontMatterError {
            position: shift(e.position),
            ..e
        })?;
        for (key, value, at) in read {
            set(key, value, shift(at));
        }
        first_cell = 1;
    }
    if let Some(own) = notebook.metadata.get("blogsmith") {
        let Value::Object(own) = own else {
            return Err(FrontMatterError {
                position: locator.metadata_key("blogsmith"),
                message: "`metadata.blogsmith` must be an object of front matter keys".into(),
                hint: Some("\"blogsmith\": {\"title\": \"…\", \"date\": \"2026-01-11\"}".into()),
            });
        };
        for (key, value) in own {
            set(key.clone(), value.clone(), locator.metadata_key(key));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((entries, first_cell))
}

fn front_matter_diagnostic(shown: &Path, e: FrontMatterError) -> Diagnostic {
    let d = Diagnostic::error(shown, e.message).at(e.position);
    match e.hint {
        Some(hint) => d.with_hint(hint),
        None => d,
    }
}

#[cfg(test)]
mod tests;
