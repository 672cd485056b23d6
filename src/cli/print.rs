//! Printing for people and for CI: diagnostics as `path:line:col: error: message`
//! (or as GitHub Actions workflow commands), colours.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};

use blogsmith::diagnostic::{Diagnostic, Severity};

use super::args::MessageFormat;

/// Prints every diagnostic on standard error, one per line, for people.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let (label, color) = match d.severity {
            Severity::Error => ("error", AnsiColor::Red),
            Severity::Warning => ("warning", AnsiColor::Yellow),
        };
        eprintln!(
            "{}: {}: {}{}",
            d.location(),
            paint(label, color),
            d.message,
            hint_suffix(d)
        );
    }
}

/// Where diagnostics go and in which shape: `build` and `check` take `--message-format`.
pub struct DiagnosticPrinter {
    /// Human lines, or GitHub workflow commands.
    pub format: MessageFormat,
    /// The site root the diagnostics' paths are relative to.
    pub root: PathBuf,
}

impl DiagnosticPrinter {
    /// Prints every diagnostic in the chosen format: human lines on standard error, GitHub
    /// workflow commands (`::error file=…,line=…,col=…::…`) on standard output, where the
    /// Actions runner reads them and turns them into annotations.
    pub fn print(&self, diagnostics: &[Diagnostic]) {
        match self.format {
            MessageFormat::Human => print_diagnostics(diagnostics),
            MessageFormat::Github => {
                let cwd = std::env::current_dir().unwrap_or_default();
                for d in diagnostics {
                    println!("{}", github_command(d, &self.root, &cwd));
                }
            }
        }
    }
}

/// ` (hint: …)` or nothing.
fn hint_suffix(d: &Diagnostic) -> String {
    d.hint
        .as_ref()
        .map(|h| format!(" (hint: {h})"))
        .unwrap_or_default()
}

/// One diagnostic as a GitHub Actions workflow command:
/// `::error file=content/a.md,line=3,col=7,title=content/a.md:3:7::message (hint: …)`.
///
/// The file is given relative to the working directory (the repository's checkout in a
/// workflow), so a site in a sub-folder (`--root site`) still annotates the right file.
pub(crate) fn github_command(d: &Diagnostic, root: &Path, cwd: &Path) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let file = root.join(&d.path);
    let file = file.strip_prefix(cwd).unwrap_or(&file);
    let mut properties = vec![format!(
        "file={}",
        escape_property(&file.to_string_lossy().replace('\\', "/"))
    )];
    if let Some(p) = d.position {
        properties.push(format!("line={}", p.line));
        properties.push(format!("col={}", p.column));
    }
    properties.push(format!("title={}", escape_property(&d.location())));
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&format!("{}{}", d.message, hint_suffix(d)))
    )
}

/// A workflow command's message, escaped as the Actions runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: its message escapes, and `:` and `,` too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Prints `error: message` and gives the failure exit code.
pub fn fail(message: &str) -> ExitCode {
    eprintln!("{}: {message}", paint("error", AnsiColor::Red));
    ExitCode::FAILURE
}

/// Text in bold colour; anstream strips it when stderr/stdout is not a terminal or NO_COLOR is set.
pub fn paint(text: &str, color: AnsiColor) -> String {
    let style = Style::new().fg_color(Some(color.into())).bold();
    format!("{style}{text}{style:#}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use blogsmith::diagnostic::Position;

    #[test]
    fn github_commands_escape_data_and_properties() {
        let d = Diagnostic::error("content/a,b:c.md", "50% done\r\nnext")
            .at(Position::new(3, 7))
            .with_hint("write `a: b`");
        assert_eq!(
            github_command(&d, Path::new("/site"), Path::new("/")),
            "::error file=site/content/a%2Cb%3Ac.md,line=3,col=7,\
             title=content/a%2Cb%3Ac.md%3A3%3A7::50%25 done%0D%0Anext (hint: write `a: b`)"
        );
        let whole_file = Diagnostic::warning("blogsmith.yaml", "unknown key");
        assert_eq!(
            github_command(&whole_file, Path::new("/site"), Path::new("/elsewhere")),
            "::warning file=/site/blogsmith.yaml,title=blogsmith.yaml::unknown key"
        );
    }
}
