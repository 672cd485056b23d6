//! The Page model: one article's metadata and Markdown body, before rendering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::front_matter::{self, FrontMatter};
use crate::diagnostic::{Diagnostic, Position};
use crate::util::url::slugify;

/// One article, loaded and validated, not yet rendered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// The source file as shown in messages, e.g. `content/rope.md`.
    pub source: PathBuf,
    /// The source file relative to `content/`.
    pub relative: PathBuf,
    /// The last URL segment: `/posts/<slug>/`.
    pub slug: String,
    /// Title from front matter, the first `# ` heading, or the file stem.
    pub title: String,
    /// Publication date.
    pub date: Timestamp,
    /// Last update, when given.
    pub updated: Option<Timestamp>,
    /// Tags, as written.
    pub tags: Vec<String>,
    /// Categories, as written.
    pub categories: Vec<String>,
    /// Hand-written excerpt.
    pub summary: Option<String>,
    /// Hand-written meta description (Hugo's `description`).
    #[serde(default)]
    pub description: Option<String>,
    /// The article's own URL path (`permalink:`, `url:`), instead of `/posts/<slug>/`.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Other URL paths that redirect to the article (`aliases:`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where `permalink:`/`url:` is written in the file.
    pub permalink_at: Option<Position>,
    /// Where `aliases:` is written in the file.
    pub aliases_at: Option<Position>,
    /// Pinned at the top of the index (`top:` or `sticky:`).
    #[serde(default)]
    pub pinned: bool,
    /// Left out unless drafts are asked for.
    pub draft: bool,
    /// `.bib` files the article cites (`bibliography:`), as written: relative to the article.
    #[serde(default)]
    pub bibliography: Vec<String>,
    /// Where `bibliography:` is written in the file.
    #[serde(default)]
    pub bibliography_at: Option<Position>,
    /// Front matter keys blogsmith does not know, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The Markdown body (LF line endings).
    pub body: String,
    /// The file line where `body` starts, to report positions in the file.
    pub body_line: usize,
    /// Whether the article is `index.md` in its own folder, whose other files go with it.
    pub is_bundle: bool,
    /// Whether `date` is the file's modification time (no date in the front
    /// matter or the file name): then the page changes when the file is touched.
    #[serde(default)]
    pub date_from_file_time: bool,
    /// The HTML the body's notebook sentinels stand for (prompts, outputs):
    /// empty for Markdown articles (see `content::notebook`).
    #[serde(default)]
    pub generated_html: Vec<String>,
    /// For a notebook, (body line, file line) where each cell's source starts,
    /// so positions in messages are positions in the notebook file.
    #[serde(default)]
    pub line_map: Vec<(usize, usize)>,
}

/// The result of loading one article: maybe a page, and what was wrong.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The page, unless an error prevents building it.
    pub page: Option<Page>,
    /// Errors and warnings about this file.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the article `relative` (under `content_dir`) from its `bytes`.
///
/// The bytes are read by the caller, who may skip unchanged files by their hash.
pub fn parse(
    bytes: &[u8],
    content_dir: &Path,
    shown_dir: &Path,
    relative: &Path,
    tz: &TimeZone,
) -> Parsed {
    let shown = shown_dir.join(relative);
    let path = content_dir.join(relative);
    let mut loaded = Parsed::default();
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(d) => {
            loaded.diagnostics.push(Diagnostic { path: shown, ..d });
            return loaded;
        }
    };
    let split = match front_matter::split(&text) {
        Ok(split) => split,
        Err(e) => {
            loaded.diagnostics.push(front_matter_diagnostic(&shown, e));
            return loaded;
        }
    };
    let front = match front_matter::parse(&split, tz) {
        Ok(front) => front,
        Err(e) => {
            loaded.diagnostics.push(front_matter_diagnostic(&shown, e));
            return loaded;
        }
    };
    let (page, guessed) = build(
        &path,
        &shown,
        relative,
        front,
        split.body,
        split.body_line,
        tz,
    );
    if guessed {
        loaded.diagnostics.push(guessed_date_warning(&shown));
    }
    loaded.page = Some(page);
    loaded
}

/// The warning for an article whose date is its file's modification time.
pub(super) fn guessed_date_warning(shown: &Path) -> Diagnostic {
    Diagnostic::warning(shown, "no date: using the file's modification time").with_hint(
        "add `date: 2026-01-11` to the front matter, or name the file 2026-01-11-name.md",
    )
}

/// The page of an article from its typed front matter and body, and whether
/// its date was guessed from the file's modification time.
pub(super) fn build(
    path: &Path,
    shown: &Path,
    relative: &Path,
    front: FrontMatter,
    body: &str,
    body_line: usize,
    tz: &TimeZone,
) -> (Page, bool) {
    let built = build_page(path, shown, relative, front, body, body_line, tz);
    (built.page, built.date_was_guessed)
}

/// Bytes to text: UTF-8 only, a BOM dropped, CRLF turned into LF.
fn decode(bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let binary = bytes.iter().take(8192).any(|&b| b == 0);
            let message = if binary {
                "this is a binary file, not Markdown text"
            } else {
                "invalid UTF-8: the file must be saved as UTF-8"
            };
            Err(Diagnostic::error(PathBuf::new(), message)
                .at(Position::of_offset(valid, valid.len()))
                .with_hint(
                    "re-save it as UTF-8 in your editor, or rename it if it is not an article",
                ))
        }
    }
}

fn front_matter_diagnostic(shown: &Path, e: front_matter::FrontMatterError) -> Diagnostic {
    let d = Diagnostic::error(shown, e.message).at(e.position);
    match e.hint {
        Some(hint) => d.with_hint(hint),
        None => d,
    }
}

struct Built {
    page: Page,
    date_was_guessed: bool,
}

fn build_page(
    path: &Path,
    shown: &Path,
    relative: &Path,
    front: FrontMatter,
    body: &str,
    body_line: usize,
    tz: &TimeZone,
) -> Built {
    let is_bundle = relative.file_stem().is_some_and(|s| s == "index")
        && relative.parent().is_some_and(|p| !p.as_os_str().is_empty());
    let stem = name_stem(relative, is_bundle);
    let (file_date, stem_without_date) = split_date_prefix(&stem, tz);
    let mut body = body.to_string();
    let title = match front.title {
        Some(title) => title,
        None => take_first_h1(&mut body).unwrap_or_else(|| stem_without_date.to_string()),
    };
    let slug = front
        .slug
        .as_deref()
        .map(slugify)
        .filter(|s| !s.is_empty())
        .or_else(|| Some(slugify(stem_without_date)).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| slugify(&stem));
    let (date, date_was_guessed) = match front.date.or(file_date) {
        Some(date) => (date, false),
        None => (modification_time(path), true),
    };
    Built {
        page: Page {
            source: shown.to_path_buf(),
            relative: relative.to_path_buf(),
            slug,
            title,
            date,
            updated: front.updated,
            tags: front.tags,
            categories: front.categories,
            summary: front.summary,
            description: front.description,
            permalink: front.permalink,
            aliases: front.aliases,
            permalink_at: front.permalink_at,
            aliases_at: front.aliases_at,
            bibliography: front.bibliography,
            bibliography_at: front.bibliography_at,
            pinned: front.pinned,
            // Hexo and Jekyll keep drafts in `_drafts/`.
            draft: front.draft || super::walk::in_drafts_folder(relative),
            extra: front.extra,
            body,
            body_line,
            is_bundle,
            date_from_file_time: date_was_guessed,
            generated_html: Vec::new(),
            line_map: Vec::new(),
        },
        date_was_guessed,
    }
}

/// The name an article is known by: its file stem, or its folder for `index.md`.
fn name_stem(relative: &Path, is_bundle: bool) -> String {
    let named = if is_bundle {
        relative.parent().and_then(Path::file_name)
    } else {
        relative.file_stem()
    };
    named.map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// `2026-01-11-name` → (midnight of that day in `tz`, `name`).
fn split_date_prefix<'a>(stem: &'a str, tz: &TimeZone) -> (Option<Timestamp>, &'a str) {
    let (Some(prefix), Some(rest)) = (stem.get(..10), stem.get(10..)) else {
        return (None, stem);
    };
    let Some(rest) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('_')) else {
        return (None, stem);
    };
    match front_matter::parse_date(prefix, tz) {
        Some(date) if !rest.is_empty() => (Some(date), rest),
        _ => (None, stem),
    }
}

/// Removes the first `# ` heading outside code and returns its text.
///
/// The line is blanked, not deleted, so positions in the body still match the file.
fn take_first_h1(body: &mut String) -> Option<String> {
    let mut fence: Option<&str> = None;
    let mut offset = 0;
    let mut found = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
        } else if let Some(text) = line.strip_prefix("# ") {
            let title = text.trim().trim_end_matches('#').trim().to_string();
            if !title.is_empty() {
                found = Some((offset, line.trim_end_matches('\n').len(), title));
                break;
            }
        }
        offset += line.len();
    }
    let (start, len, title) = found?;
    body.replace_range(start..start + len, "");
    Some(title)
}

fn modification_time(path: &Path) -> Timestamp {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| Timestamp::try_from(t).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_crlf() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb").unwrap(), "a\nb");
    }

    #[test]
    fn decode_reports_invalid_utf8_position() {
        let d = decode(b"ok\nab\xFFcd").unwrap_err();
        assert_eq!(d.position, Some(Position::new(2, 3)));
        let d = decode(b"\x00\x01\xFF").unwrap_err();
        assert!(d.message.contains("binary"));
    }

    #[test]
    fn first_h1_becomes_the_title_outside_code() {
        let mut body = "```\n# 不是标题\n```\n# 真标题\n正文\n".to_string();
        assert_eq!(take_first_h1(&mut body).as_deref(), Some("真标题"));
        assert_eq!(body, "```\n# 不是标题\n```\n\n正文\n");
    }

    #[test]
    fn date_prefix_is_split_from_the_name() {
        let tz = TimeZone::UTC;
        let (date, rest) = split_date_prefix("2026-01-11-hello", &tz);
        assert_eq!(
            date.map(|d| d.to_string()).as_deref(),
            Some("2026-01-11T00:00:00Z")
        );
        assert_eq!(rest, "hello");
        assert_eq!(split_date_prefix("2026-13-45-x", &tz).1, "2026-13-45-x");
        assert_eq!(split_date_prefix("rope", &tz).1, "rope");
    }
}
