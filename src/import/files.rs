//! Shared by the three importers: walking the old blog, reading a file's
//! front matter, adding one key to it, and writing the new site in one piece.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;
use walkdir::WalkDir;

use super::{ImportError, Plan};
use crate::config::CONFIG_FILE;
use crate::content::{Format, front_matter_entries, split_front_matter};

/// Names never imported: version control, packages, build output, themes
/// (blogsmith has its own), and Finder's litter.
pub(crate) const SKIPPED: &[&str] = &[
    ".git",
    "node_modules",
    "public",
    "_site",
    "themes",
    "resources",
    ".DS_Store",
];

/// Every file under `dir`, relative to it, sorted. Names in [`SKIPPED`] and
/// other names starting with `.` (hidden by every generator) are left out.
pub(crate) fn walk(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_skipped(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| ImportError::Read {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        // A symlink to a file is copied as the file; to a folder, it is not followed.
        let is_file =
            entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
        if let (true, Ok(relative)) = (is_file, entry.path().strip_prefix(dir)) {
            files.push(relative.to_path_buf());
        }
    }
    Ok(files)
}

fn is_skipped(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    SKIPPED.contains(&name.as_ref()) || name.starts_with('.')
}

/// The first component of a relative path, as text.
pub(crate) fn top(relative: &Path) -> String {
    relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file's text, or `None` when it is not UTF-8 (it is then copied as it is).
pub(crate) fn read_text(path: &Path) -> Result<Option<String>, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8(bytes).ok())
}

/// The front matter of a file, as blogsmith reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FrontMatter {
    /// Its language; `None` when the file has no front matter.
    pub format: Option<Format>,
    /// Its keys.
    pub keys: BTreeMap<String, Value>,
}

impl FrontMatter {
    /// The value of `key` if it is a non-empty string.
    pub(crate) fn string(&self, key: &str) -> Option<&str> {
        self.keys
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// Reads the front matter of `text`; `Err` with the reader's message when
/// it is broken (the file is then copied as it is, and the build will say
/// where the problem is).
pub(crate) fn front_matter(text: &str) -> Result<FrontMatter, String> {
    let text = normalised(text);
    let split = split_front_matter(&text).map_err(|e| e.message)?;
    let format = match (split.format, split.first_line) {
        (Format::Json, _) => Some(Format::Json),
        // The fenced forms start their text on line 2; no front matter starts on line 1.
        (format, 2) => Some(format),
        _ => None,
    };
    let keys = front_matter_entries(&split)
        .map_err(|e| e.message)?
        .into_iter()
        .map(|(key, value, _)| (key, value))
        .collect();
    Ok(FrontMatter { format, keys })
}

/// `text` without a byte order mark and with LF line ends, as blogsmith reads it.
fn normalised(text: &str) -> String {
    text.trim_start_matches('\u{feff}').replace("\r\n", "\n")
}

/// `text` with `key: value` added to its front matter (in its own language),
/// or a YAML front matter holding only that key when it has none. `None`
/// for JSON front matter, which is rewritten by nobody.
pub(crate) fn with_key(
    text: &str,
    format: Option<Format>,
    key: &str,
    value: &str,
) -> Option<String> {
    // A JSON string is both a YAML double-quoted scalar and a TOML basic string.
    let quoted = Value::from(value).to_string();
    let (bom, rest) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let line = match format {
        None => return Some(format!("{bom}---\n{key}: {quoted}\n---\n{rest}")),
        Some(Format::Json) => return None,
        Some(Format::Yaml) => format!("{key}: {quoted}"),
        Some(Format::Toml) => format!("{key} = {quoted}"),
    };
    // After the opening fence line, keeping the file's own line ends.
    let end = rest.find('\n')?;
    let newline = if rest[..end].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    Some(format!(
        "{bom}{}{line}{newline}{}",
        &rest[..=end],
        &rest[end + 1..]
    ))
}

/// `path` made absolute, with its nearest existing ancestor resolved (symlinks,
/// `..`), so that a folder not made yet can be compared with one that exists.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let absolute = match path.is_absolute() {
        true => path.to_path_buf(),
        false => std::env::current_dir().unwrap_or_default().join(path),
    };
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(resolved) = existing.canonicalize() {
            let mut out = resolved;
            for part in missing.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(Component::Normal(name))) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Writes the new site: into a temporary folder beside `dest`, renamed into
/// place when complete, so that a failure leaves nothing half-written.
pub(crate) fn write_site(plan: &Plan, config_text: &str, dest: &Path) -> Result<(), ImportError> {
    let dest = resolve(dest);
    let parent = dest.parent().unwrap_or(Path::new("/"));
    let name = dest
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.importing-{}", std::process::id()));
    create_dir(parent)?;
    // Not `create_dir_all`: a folder of that name left by someone else is not ours to fill or remove.
    std::fs::create_dir(&staging).map_err(|source| ImportError::Write {
        path: staging.clone(),
        source,
    })?;
    let written = write_file(&staging.join(CONFIG_FILE), config_text.as_bytes())
        .and_then(|()| {
            plan.files
                .iter()
                .try_for_each(|file| write_action(file, &staging))
        })
        .and_then(|()| move_into_place(&staging, &dest));
    if written.is_err() {
        // Best effort: the error being reported matters more than this one.
        let _ = std::fs::remove_dir_all(&staging);
    }
    written
}

fn write_action(file: &super::FileAction, staging: &Path) -> Result<(), ImportError> {
    let to = staging.join(file.to());
    if let Some(dir) = to.parent() {
        create_dir(dir)?;
    }
    match file {
        super::FileAction::Copy { from, .. } => {
            std::fs::copy(from, &to)
                .map(drop)
                .map_err(|source| ImportError::Read {
                    path: from.clone(),
                    source,
                })
        }
        super::FileAction::Write { text, .. } => write_file(&to, text.as_bytes()),
    }
}

/// Renames the finished site to `dest`, which is missing or an empty folder.
fn move_into_place(staging: &Path, dest: &Path) -> Result<(), ImportError> {
    if dest.is_dir() {
        // Checked empty before planning; `remove_dir` refuses if it filled since.
        std::fs::remove_dir(dest).map_err(|source| ImportError::Write {
            path: dest.to_path_buf(),
            source,
        })?;
    }
    std::fs::rename(staging, dest).map_err(|source| ImportError::Write {
        path: dest.to_path_buf(),
        source,
    })
}

fn create_dir(dir: &Path) -> Result<(), ImportError> {
    std::fs::create_dir_all(dir).map_err(|source| ImportError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ImportError> {
    std::fs::write(path, bytes).map_err(|source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The Markdown files (and their text) among `files` under `root`, for the
/// checks on how formulas are written; files that are not UTF-8 are left out.
pub(crate) fn markdown_texts<'a>(
    root: &'a Path,
    files: &'a [PathBuf],
) -> impl Iterator<Item = (&'a Path, String)> + 'a {
    files
        .iter()
        .filter(|f| crate::content::is_markdown(f))
        .filter_map(move |f| {
            let text = std::fs::read(root.join(f)).ok()?;
            Some((f.as_path(), String::from_utf8(text).ok()?))
        })
}

/// The parts of `line` between `$` signs (inline formulas, roughly): enough
/// to tell whether formulas hold a given sequence, not to typeset them.
pub(crate) fn dollar_spans(line: &str) -> impl Iterator<Item = &str> {
    line.split('$').skip(1).step_by(2)
}

/// Whether a formula of `text` holds `needle`: in a `$$` block (its
/// delimiters on lines of their own) or between `$` signs on one line.
pub(crate) fn formula_has(text: &str, needle: &str) -> bool {
    let mut in_block = false;
    for line in text.lines() {
        if line.trim() == "$$" {
            in_block = !in_block;
            continue;
        }
        let inline = line.replace("$$", "$");
        if (in_block && line.contains(needle)) || dollar_spans(&inline).any(|s| s.contains(needle))
        {
            return true;
        }
    }
    false
}

/// Whether the file opens with a `---` line: front matter, which Jekyll
/// and Hexo fill in and render rather than copy.
pub(crate) fn starts_with_front_matter(path: &Path) -> Result<bool, ImportError> {
    use std::io::Read as _;
    let mut start = Vec::with_capacity(5);
    std::fs::File::open(path)
        .and_then(|file| file.take(5).read_to_end(&mut start))
        .map_err(|source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(start.starts_with(b"---\n") || start.starts_with(b"---\r\n"))
}

/// Names for a message: the first few, then how many more.
pub(crate) fn listed(names: &[String]) -> String {
    const SHOWN: usize = 4;
    match names.len() {
        n if n <= SHOWN => names.join(", "),
        n => format!("{} and {} more", names[..SHOWN].join(", "), n - SHOWN),
    }
}

/// The path as written in messages: with `/` separators.
pub(crate) fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_added_in_the_file_s_own_language() {
        let yaml = "---\ntitle: 关于\n---\n正文\n";
        let fm = front_matter(yaml).unwrap();
        assert_eq!(fm.format, Some(Format::Yaml));
        assert_eq!(
            with_key(yaml, fm.format, "permalink", "/about/").as_deref(),
            Some("---\npermalink: \"/about/\"\ntitle: 关于\n---\n正文\n")
        );
        let toml = "+++\r\ntitle = \"关于\"\r\n+++\r\n正文\r\n";
        let fm = front_matter(toml).unwrap();
        assert_eq!(fm.format, Some(Format::Toml));
        assert_eq!(fm.string("title"), Some("关于"));
        assert_eq!(
            with_key(toml, fm.format, "url", "/about/").as_deref(),
            Some("+++\r\nurl = \"/about/\"\r\ntitle = \"关于\"\r\n+++\r\n正文\r\n")
        );
        let none = "# 关于\n正文\n";
        assert_eq!(front_matter(none).unwrap().format, None);
        assert_eq!(
            with_key(none, None, "url", "/about/").as_deref(),
            Some("---\nurl: \"/about/\"\n---\n# 关于\n正文\n")
        );
        let json = "{\"title\": \"关于\"}\n正文\n";
        let fm = front_matter(json).unwrap();
        assert_eq!(fm.format, Some(Format::Json));
        assert_eq!(with_key(json, fm.format, "url", "/about/"), None);
        assert!(front_matter("---\ntitle: [\n---\n").is_err());
        assert!(front_matter("---\ntitle: a\n").is_err(), "never closed");
    }

    #[test]
    fn formulas_between_dollars() {
        let spans: Vec<&str> = dollar_spans("设 $a\\_1$ 与 $b$。").collect();
        assert_eq!(spans, ["a\\_1", "b"]);
        assert!(formula_has("文字 $$a\\_1$$ 文字", "\\_"));
        assert!(formula_has("$$\nx\\_i\n$$\n", "\\_"));
        assert!(!formula_has("file\\_name 与 $x_i$", "\\_"));
    }
}
