//! Printing for people: diagnostics as `path:line:col: error: message`, colours.

use std::process::ExitCode;

use anstream::eprintln;
use anstyle::{AnsiColor, Style};

use blogsmith::diagnostic::{Diagnostic, Severity};

/// Prints every diagnostic on standard error, one per line.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let (label, color) = match d.severity {
            Severity::Error => ("error", AnsiColor::Red),
            Severity::Warning => ("warning", AnsiColor::Yellow),
        };
        let hint = d
            .hint
            .as_ref()
            .map(|h| format!(" (hint: {h})"))
            .unwrap_or_default();
        eprintln!(
            "{}: {}: {}{hint}",
            d.location(),
            paint(label, color),
            d.message
        );
    }
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
