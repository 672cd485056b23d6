//! `blogsmith serve`: starts the server and prints what it reports.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anstream::{eprintln, println};
use anstyle::AnsiColor;

use blogsmith::diagnostic::Diagnostic;
use blogsmith::serve::{Notice, ServeOptions, Server};

use super::print::{fail, paint, print_diagnostics};

/// Serves the site until Ctrl-C; `open` opens it in the browser first.
pub fn run(options: ServeOptions, open: bool) -> ExitCode {
    let root = options.root.clone();
    let mut printer = NoticePrinter::default();
    let server = match Server::start(options, move |notice| printer.print(notice)) {
        Ok(server) => server,
        Err(e) => {
            let hint = e
                .hint()
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default();
            return fail(&format!("{e}{hint}"));
        }
    };
    println!(
        "{} {} at {}  (Ctrl-C to stop)",
        paint("serving", AnsiColor::Green),
        root.display(),
        server.url()
    );
    println!("watching content/, templates/, static/ and blogsmith.yaml");
    if open {
        open_in_browser(server.url());
    }
    match server.run_until_signal() {
        Ok(()) => {
            println!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// Prints what the server reports; warnings only when they are new.
#[derive(Default)]
struct NoticePrinter {
    warnings: BTreeSet<Diagnostic>,
}

impl NoticePrinter {
    fn print(&mut self, notice: Notice) {
        match notice {
            Notice::Listening { url } => println!("building the site for {url} …"),
            Notice::Built {
                report,
                changed,
                latency,
            } => {
                self.print_new_warnings(&report.warnings);
                match latency {
                    None => println!(
                        "{} {} articles, {} pages ({} files), {} formulas in {:.2} s",
                        paint("built", AnsiColor::Green),
                        report.articles,
                        report.pages,
                        report.files,
                        report.formulas,
                        report.elapsed.as_secs_f64(),
                    ),
                    Some(latency) => println!(
                        "{} in {} ms (save → reload {} ms): {}",
                        paint("rebuilt", AnsiColor::Green),
                        report.elapsed.as_millis(),
                        latency.as_millis(),
                        summary(&changed),
                    ),
                }
            }
            Notice::Unchanged { report } => {
                self.print_new_warnings(&report.warnings);
                println!(
                    "checked in {} ms: nothing changed",
                    report.elapsed.as_millis()
                );
            }
            Notice::Failed { failure } => {
                print_diagnostics(&failure.diagnostics);
                self.warnings.clear();
                eprintln!(
                    "{}: build failed with {} error(s); still serving the last good build",
                    paint("error", AnsiColor::Red),
                    failure.errors().count()
                );
            }
            Notice::WatchError(message) => eprintln!(
                "{}: watching for changes: {message}; rebuilding everything",
                paint("warning", AnsiColor::Yellow)
            ),
        }
    }

    fn print_new_warnings(&mut self, warnings: &[Diagnostic]) {
        let now: BTreeSet<Diagnostic> = warnings.iter().cloned().collect();
        let new: Vec<Diagnostic> = now.difference(&self.warnings).cloned().collect();
        print_diagnostics(&new);
        self.warnings = now;
    }
}

/// `posts/rope/index.html, index.html (+3 more)`.
fn summary(changed: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = changed
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if changed.len() > SHOWN {
        text.push_str(&format!(" (+{} more)", changed.len() - SHOWN));
    }
    text
}

/// Opens `url` with the desktop's browser; a failure is only a warning.
/// Opens `url` with the desktop's browser; a failure is only a warning.
fn open_in_browser(url: &str) {
    if let Err(e) = opener::open_browser(url) {
        eprintln!(
            "{}: cannot open a browser ({e}); open {url} yourself",
            paint("warning", AnsiColor::Yellow)
        );
    }
}
