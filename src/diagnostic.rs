//! Problems found in a site's sources, with the place they were found.
//!
//! Every stage of the pipeline reports problems as [`Diagnostic`]s instead of
//! failing on the first one, so an author sees all of them at once.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// The page is still built, maybe not as the author meant.
    Warning,
    /// The build fails; the previous output stays untouched.
    Error,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// A position at `line`, `column` (both 1-based).
    pub fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }

    /// The position of byte `offset` in `text`.
    ///
    /// Offsets past the end or inside a character are clamped, so this never panics.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// One problem, tied to a file and, where known, a position in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file, as the author would type it (relative to the site root when possible).
    pub path: PathBuf,
    /// Where in the file; `None` when the problem is about the whole file.
    pub position: Option<Position>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when we can tell.
    pub hint: Option<String>,
    /// A warning that `--strict` turns into an error (math errors, broken links).
    pub strict: bool,
}

impl Diagnostic {
    /// An error in `path`.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A warning in `path`.
    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            position: None,
            severity,
            message: message.into(),
            hint: None,
            strict: false,
        }
    }

    /// The same problem, at `position`.
    pub fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// The same problem, at `position` when it is known.
    pub fn at_maybe(mut self, position: Option<Position>) -> Self {
        self.position = position.or(self.position);
        self
    }

    /// The same problem, with advice on what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same problem, made an error by `--strict`.
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// The same problem as an error if `strict` and it is one `--strict` escalates.
    pub fn escalated(self, strict: bool) -> Self {
        if strict && self.strict {
            Self {
                severity: Severity::Error,
                ..self
            }
        } else {
            self
        }
    }

    /// Whether this problem fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` (or just `path`), the prefix editors and CI logs understand.
    pub fn location(&self) -> String {
        let path = display_path(&self.path);
        match self.position {
            Some(p) => format!("{path}:{}:{}", p.line, p.column),
            None => path,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {label}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Paths are shown with `/` on every platform so messages are stable in tests and CI.
fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "第一行\n第二行 $x$";
        let offset = text.find('$').unwrap();
        assert_eq!(Position::of_offset(text, offset), Position::new(2, 5));
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
    }

    #[test]
    fn position_clamps_bad_offsets() {
        let text = "中文";
        assert_eq!(Position::of_offset(text, 1), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 99), Position::new(1, 3));
    }

    #[test]
    fn display_is_path_line_col_then_message() {
        let d = Diagnostic::error("content/a.md", "bad date")
            .at(Position::new(3, 7))
            .with_hint("write 2026-01-11");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: error: bad date (hint: write 2026-01-11)"
        );
    }
}
