//! `.bib` files: read and parsed (BibLaTeX, by the `biblatex` crate; entries
//! converted by hayagriva) once per build, however many articles cite them.
//!
//! An article's bibliography is the site's (`bibliography:` in
//! `blogsmith.yaml`, relative to the site root) followed by its own
//! (`bibliography:` in its front matter, relative to the article). A file
//! that cannot be read is an error at the `bibliography:` line that names it;
//! a file that does not parse is an error at its own line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hayagriva::Library;

use super::{CONTENT_DIR, Page};
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Diagnostic, Position};
use crate::util::hash::hash_bytes;

/// One `.bib` file as this build found it.
#[derive(Debug)]
pub struct BibFile {
    /// A hash of its bytes (`None`: it could not be read).
    pub hash: Option<u64>,
    /// Its entries (those that converted; none when it does not parse).
    pub library: Arc<Library>,
    /// Why it could not be read, if so.
    pub unreadable: Option<String>,
    /// Syntax and field errors, at their place in the file.
    pub problems: Vec<Diagnostic>,
}

/// The `.bib` files read by one build, by path: each read and parsed once.
#[derive(Debug, Default)]
pub struct BibFiles {
    files: Mutex<HashMap<PathBuf, Arc<BibFile>>>,
}

impl BibFiles {
    /// The file at `path` (`shown` in messages), read on first use.
    pub fn get(&self, path: &Path, shown: &Path) -> Arc<BibFile> {
        if let Some(file) = self.lock().get(path) {
            return Arc::clone(file);
        }
        // Read outside the lock: other threads go on; two may read the same
        // file at once, and the first one's result is kept.
        let file = Arc::new(read(path, shown));
        Arc::clone(self.lock().entry(path.to_path_buf()).or_insert(file))
    }

    /// The hash of the file at `path` now (read on first use).
    pub fn hash_of(&self, path: &Path) -> Option<u64> {
        self.get(path, path).hash
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<BibFile>>> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An article's bibliography: its entries, the files they came from (path
/// and hash, so a later build knows when they change), and the problems.
#[derive(Debug, Default)]
pub struct ArticleBibliography {
    /// Every entry of the article's files; `None` when it has none.
    pub library: Option<Arc<Library>>,
    /// Each file (absolute path) and the hash of its bytes (0: unreadable).
    pub files: Vec<(PathBuf, u64)>,
    /// Unreadable and broken files.
    pub problems: Vec<Diagnostic>,
}

/// The bibliography of `page`: the site's files, then the article's own.
pub fn of_page(root: &Path, page: &Page, config: &Config, files: &BibFiles) -> ArticleBibliography {
    let mut wanted: Vec<(PathBuf, PathBuf, Option<Position>)> = Vec::new();
    for path in &config.bibliography.0 {
        wanted.push((root.join(path), PathBuf::from(CONFIG_FILE), None));
    }
    let folder = page.relative.parent().unwrap_or(Path::new(""));
    for path in &page.bibliography {
        let relative = folder.join(path);
        wanted.push((
            root.join(CONTENT_DIR).join(&relative),
            page.source.clone(),
            page.bibliography_at,
        ));
    }
    let mut found = ArticleBibliography::default();
    let mut libraries: Vec<Arc<Library>> = Vec::new();
    for (path, named_in, at) in wanted {
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let file = files.get(&path, &shown);
        found.files.push((path, file.hash.unwrap_or(0)));
        if let Some(error) = &file.unreadable {
            // A site-wide file: at the `bibliography:` line of blogsmith.yaml.
            let at = at.or_else(|| config_line(root));
            found.problems.push(
                Diagnostic::error(&named_in, format!("cannot read the bibliography {}: {error}", shown.display()))
                    .at_maybe(at)
                    .with_hint("`bibliography:` paths are relative to the article (front matter) or to the site root (blogsmith.yaml)"),
            );
        }
        found.problems.extend(file.problems.iter().cloned());
        libraries.push(Arc::clone(&file.library));
    }
    found.library = match libraries.len() {
        0 => None,
        1 => libraries.pop(),
        _ => {
            let mut merged = Library::new();
            for library in &libraries {
                for entry in library.iter() {
                    merged.push(entry);
                }
            }
            Some(Arc::new(merged))
        }
    };
    found
}

/// Where `bibliography:` is written in `blogsmith.yaml` (read again only
/// to point at it when a file it names is missing).
fn config_line(root: &Path) -> Option<Position> {
    let text = std::fs::read_to_string(root.join(CONFIG_FILE)).ok()?;
    let line = text.lines().position(|l| l.starts_with("bibliography:"))?;
    Some(Position::new(line + 1, 1))
}

/// Reads and parses one `.bib` file.
fn read(path: &Path, shown: &Path) -> BibFile {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return BibFile {
                hash: None,
                library: Arc::new(Library::new()),
                unreadable: Some(e.to_string()),
                problems: Vec::new(),
            };
        }
    };
    let hash = Some(hash_bytes(&bytes));
    let text = String::from_utf8_lossy(&bytes);
    let (library, problems) = parse(&text, shown);
    BibFile {
        hash,
        library: Arc::new(library),
        unreadable: None,
        problems,
    }
}

/// Parses BibLaTeX `text` (from the file `shown`): the entries that convert,
/// and an error at its place for a syntax error or each entry that does not.
pub fn parse(text: &str, shown: &Path) -> (Library, Vec<Diagnostic>) {
    let bibliography = match biblatex::Bibliography::parse(text) {
        Ok(bibliography) => bibliography,
        Err(e) => {
            let offset = e.span.start.min(text.len());
            // At the end of the file, the entry left open is the one to fix.
            let offset = match e.kind {
                biblatex::ParseErrorKind::UnexpectedEof => last_entry_start(&text[..offset]),
                _ => offset,
            };
            let at = Position::of_offset(text, offset);
            let problem = Diagnostic::error(shown, format!("the bibliography does not parse: {}", e.kind))
                .at(at)
                .with_hint("check the entry around this line: `@type{key, field = {value}, …}` with balanced braces; no references are shown from this file until it parses");
            return (Library::new(), vec![problem]);
        }
    };
    let mut library = Library::new();
    let mut problems = Vec::new();
    for entry in bibliography.iter() {
        match hayagriva::Entry::try_from(entry) {
            Ok(mut converted) => {
                join_chinese_names(&mut converted, entry);
                library.push(&converted);
            }
            Err(e) => {
                let at = Position::of_offset(text, e.span.start.min(text.len()));
                problems.push(
                    Diagnostic::error(shown, format!("entry `{}` has a malformed field: {}", entry.key, e.kind))
                        .at(at)
                        .with_hint("fix the field's value (dates like 2017 or 2017-06, page ranges like 3--5); the entry is left out until then"),
                );
            }
        }
    }
    (library, problems)
}

/// Where the last entry (`@` at the start of a line) before the end of `text` begins.
fn last_entry_start(text: &str) -> usize {
    text.match_indices('@')
        .map(|(at, _)| at)
        .rfind(|&at| at == 0 || text[..at].ends_with('\n'))
        .unwrap_or(text.len())
}

/// Chinese names are written whole, family name first, in citations too:
/// `李, 航` and `李 航` are both 李航 (李航, 2012), where BibTeX would take 航
/// for the family name of `李 航`, and cite "李" or "航" alone.
fn join_chinese_names(converted: &mut hayagriva::Entry, raw: &biblatex::Entry) {
    let written = |field: &str| -> Vec<bool> {
        raw.get(field).map_or_else(Vec::new, |chunks| {
            use biblatex::ChunksExt;
            // Per name: whether it was written `family, given`.
            chunks
                .format_verbatim()
                .split(" and ")
                .map(|name| name.contains(','))
                .collect()
        })
    };
    if let Some(authors) = converted
        .authors()
        .filter(|a| a.iter().any(is_chinese_name))
    {
        let joined = joined_names(authors, &written("author"));
        converted.set_authors(joined);
    }
    if let Some(editors) = converted
        .editors()
        .filter(|e| e.iter().any(is_chinese_name))
    {
        let joined = joined_names(editors, &written("editor"));
        converted.set_editors(joined);
    }
}

/// A Chinese name BibTeX cut in parts: `李, 航` (family, given) or `周 志华`,
/// where the first character is taken for a particle like "von".
fn is_chinese_name(person: &hayagriva::types::Person) -> bool {
    let han = |part: &str| part.chars().any(is_han);
    han(&person.name)
        && (person.given_name.is_some() || person.prefix.is_some())
        && person.given_name.as_deref().is_none_or(han)
        && person.prefix.as_deref().is_none_or(han)
}

/// `persons` with each Chinese name one family name, in the order it was
/// written: `李, 航` (with a comma: family, given) and `周 志华` (as it stands).
fn joined_names(
    persons: &[hayagriva::types::Person],
    with_comma: &[bool],
) -> Vec<hayagriva::types::Person> {
    persons
        .iter()
        .enumerate()
        .map(|(i, person)| {
            if !is_chinese_name(person) {
                return person.clone();
            }
            let given = person.given_name.as_deref().unwrap_or("").trim();
            let prefix = person.prefix.as_deref().unwrap_or("").trim();
            let family = person.name.trim();
            let name = match with_comma.get(i).copied().unwrap_or(true) {
                true => format!("{prefix}{family}{given}"),
                false => format!("{given}{prefix}{family}"),
            };
            hayagriva::types::Person {
                name,
                given_name: None,
                prefix: None,
                ..person.clone()
            }
        })
        .collect()
}

/// A Han character (`content` comes before `markdown` and its `is_cjk`).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "@book{zhou2016,\n  author = {周志华},\n  title = {机器学习},\n  publisher = {清华大学出版社},\n  year = {2016},\n}\n";

    #[test]
    fn chinese_names_are_joined() {
        let bib = "@book{li2012, author = {李, 航 and Smith, John and 周 志华}, title = {统计学习方法}, year = {2012}}";
        let (library, _) = parse(bib, Path::new("refs.bib"));
        let authors = library.get("li2012").and_then(|e| e.authors()).unwrap();
        assert_eq!(authors[0].name, "李航");
        assert_eq!(authors[0].given_name, None);
        assert_eq!(authors[1].name, "Smith");
        assert_eq!(
            authors[2].name, "周志华",
            "family name first without a comma too: {:?}",
            authors[2]
        );
    }

    #[test]
    fn parses_entries() {
        let (library, problems) = parse(GOOD, Path::new("refs.bib"));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(library.get("zhou2016").is_some());
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let broken = format!("{GOOD}\n@article{{broken,\n  title = {{Unclosed,\n  year = 2017\n");
        let (library, problems) = parse(&broken, Path::new("content/refs.bib"));
        assert_eq!(library.len(), 0);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert!(problem.is_error());
        assert_eq!(problem.path, Path::new("content/refs.bib"));
        assert_eq!(
            problem.position,
            Some(Position::new(8, 1)),
            "the entry left open"
        );
    }

    #[test]
    fn a_file_is_read_once_and_missing_files_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refs.bib");
        std::fs::write(&path, GOOD).unwrap();
        let files = BibFiles::default();
        let first = files.get(&path, Path::new("refs.bib"));
        std::fs::write(&path, "").unwrap();
        let again = files.get(&path, Path::new("refs.bib"));
        assert!(Arc::ptr_eq(&first, &again));
        assert!(again.library.get("zhou2016").is_some());
        let missing = files.get(&dir.path().join("nope.bib"), Path::new("nope.bib"));
        assert!(missing.unreadable.is_some() && missing.hash.is_none());
    }
}
