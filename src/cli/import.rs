//! `blogsmith import`: the report, mapped values first, then what was not carried over.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstream::println;
use anstyle::AnsiColor;

use blogsmith::import::{self, Generator, ImportReport};

use super::print::{fail, paint};

/// Imports the blog at `path` into `dir` (or the default folder) and prints the report.
pub fn run(generator: Generator, path: &Path, dir: Option<PathBuf>) -> ExitCode {
    let dest = dir.unwrap_or_else(|| import::default_destination(path));
    match import::import(generator, path, &dest) {
        Ok(report) => {
            print_report(&report);
            ExitCode::SUCCESS
        }
        Err(error) => {
            let hint = error
                .hint()
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default();
            fail(&format!("{error}{hint}"))
        }
    }
}

fn print_report(report: &ImportReport) {
    println!(
        "{} {} blog {} → {}",
        paint("imported", AnsiColor::Green),
        report.generator.name(),
        report.source.display(),
        report.dest.display()
    );
    for m in &report.mapped {
        println!(
            "  {}  {}: {}  (from {})",
            paint("mapped", AnsiColor::Green),
            m.key,
            m.value,
            m.from
        );
    }
    println!(
        "  {}  {}",
        paint("copied", AnsiColor::Green),
        copied(report)
    );
    for line in &report.not_mapped {
        println!("  {}  {line}", paint("not mapped", AnsiColor::Yellow));
    }
    for line in &report.notes {
        println!("  {}  {line}", paint("note", AnsiColor::Cyan));
    }
    println!("next: cd {} && blogsmith build", report.dest.display());
}

/// `12 posts, 1 draft, 2 pages with their old address, 5 files beside posts, 3 static files`.
fn copied(report: &ImportReport) -> String {
    let parts = [
        (report.articles, "post(s) and page(s)"),
        (report.drafts, "draft(s)"),
        (report.pages, "page(s) with their old address"),
        (
            report.content_files,
            "file(s) beside them (asset folders, bundles)",
        ),
        (report.static_files, "static file(s)"),
    ];
    let listed: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    match listed.is_empty() {
        true => "nothing but blogsmith.yaml".into(),
        false => format!("{} and blogsmith.yaml", listed.join(", ")),
    }
}
