//! The `blogsmith` command: arguments in, a library call, printing, an exit code out.

mod args;
mod import;
mod print;
mod progress_bar;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anstream::println;
use anstyle::AnsiColor;

pub use args::Cli;
use args::Command;
use blogsmith::linkcheck::ExternalOptions;
use blogsmith::serve::ServeOptions;
use blogsmith::{BuildOptions, BuildReport, find_root, scaffold};
use print::{DiagnosticPrinter, fail, paint, print_diagnostics};

/// Runs the command line's command.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
            base_url,
            strict,
            no_cache,
            quiet,
            message_format,
        } => {
            let root = site_root(root);
            let printer = DiagnosticPrinter {
                format: message_format,
                root: root.clone(),
            };
            let output = output.unwrap_or_else(|| root.join("public"));
            let options = BuildOptions {
                drafts,
                base_url,
                strict,
                cache: !no_cache,
                output: output.clone(),
                ..BuildOptions::new(&root)
            };
            run_build(options, &output, quiet, &printer)
        }
        Command::Clean { root, output } => {
            let root = site_root(root);
            let output = output.unwrap_or_else(|| root.join("public"));
            match blogsmith::clean(&root, &output) {
                Ok(removed) if removed.is_empty() => {
                    println!("nothing to clean");
                    ExitCode::SUCCESS
                }
                Ok(removed) => {
                    for path in removed {
                        println!("removed {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    print_diagnostics(&[d]);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            root,
            drafts,
            external,
            timeout,
            no_cache,
            message_format,
        } => {
            let root = site_root(root);
            let printer = DiagnosticPrinter {
                format: message_format,
                root: root.clone(),
            };
            let options = BuildOptions {
                drafts,
                cache: !no_cache,
                ..BuildOptions::new(root)
            };
            let external = external.then(|| ExternalOptions {
                timeout: Duration::from_secs(timeout),
                ..ExternalOptions::default()
            });
            run_check(&options, external.as_ref(), &printer)
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
            drafts,
        } => {
            let options = ServeOptions {
                port,
                bind,
                drafts,
                ..ServeOptions::new(site_root(root))
            };
            serve::run(options, open)
        }
        Command::Init { dir, ci, no_ci } => match scaffold::init(&dir, (!no_ci).then(|| ci.into()))
        {
            Ok(files) => {
                for file in files {
                    println!("created {}", file.display());
                }
                println!("next: cd {} && blogsmith build", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Import {
            generator,
            path,
            dir,
        } => import::run(generator.into(), &path, dir),
        Command::New { title, root } => match scaffold::new_article(&site_root(root), &title) {
            Ok(path) => {
                println!("created {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
    }
}

fn site_root(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| {
        find_root(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
    })
}

fn run_build(
    options: BuildOptions,
    output: &Path,
    quiet: bool,
    printer: &DiagnosticPrinter,
) -> ExitCode {
    use std::io::IsTerminal as _;
    let show_bar = !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
    let built = progress_bar::while_running(show_bar, |progress| {
        blogsmith::build(&BuildOptions {
            progress,
            ..options
        })
    });
    match built {
        Ok(report) => {
            printer.print(&report.warnings);
            if !quiet {
                println!("{}", build_summary(&report, output));
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            printer.print(&failure.diagnostics);
            let errors = failure.errors().count();
            fail(&format!(
                "build failed with {errors} error(s); the previous output was left untouched"
            ))
        }
    }
}

/// The one-line summary of a successful build.
fn build_summary(report: &BuildReport, output: &Path) -> String {
    if report.up_to_date {
        return format!(
            "{} {} articles, {} pages ({} files): nothing changed since the last build, checked in {:.2} s → {}",
            paint("up to date", AnsiColor::Green),
            report.articles,
            report.pages,
            report.files,
            report.elapsed.as_secs_f64(),
            output.display()
        );
    }
    format!(
        "{} {} articles, {} pages ({} files{}), {} formulas{}, {} code blocks, {}{} in {:.2} s → {}",
        paint("built", AnsiColor::Green),
        report.articles,
        report.pages,
        report.files,
        match report.unchanged_files {
            0 => String::new(),
            same => format!(", {same} unchanged"),
        },
        report.formulas,
        // Only meaningful when every article was rendered.
        match report.articles_from_cache {
            0 => format!(" ({} distinct)", report.distinct_formulas),
            _ => String::new(),
        },
        report.code_blocks,
        search_summary(&report.search),
        match report.cache_hits {
            0 => String::new(),
            hits => format!(", {hits} from the cache"),
        },
        report.elapsed.as_secs_f64(),
        output.display()
    )
}

fn run_check(
    options: &BuildOptions,
    external: Option<&ExternalOptions>,
    printer: &DiagnosticPrinter,
) -> ExitCode {
    let (checked, links) = match external {
        Some(external) => {
            let checked = blogsmith::check_external(options, external);
            (checked.site, Some(checked.links))
        }
        None => (blogsmith::check(options), None),
    };
    let print_links = || {
        if let Some(links) = links {
            println!("{links}");
        }
    };
    match checked {
        Ok(report) => {
            printer.print(&report.warnings);
            print_links();
            println!(
                "{} {} articles, {} pages: no errors, {} warning(s)",
                paint("checked", AnsiColor::Green),
                report.articles,
                report.pages,
                report.warnings.len()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            printer.print(&failure.diagnostics);
            print_links();
            fail(&format!(
                "check found {} error(s)",
                failure.errors().count()
            ))
        }
    }
}

/// `search index 96.3 KB (41% of the text)`.
fn search_summary(search: &blogsmith::site::search::SearchStats) -> String {
    let kb = search.index_bytes as f64 / 1024.0;
    if search.text_bytes == 0 {
        return format!("search index {kb:.1} KB");
    }
    let percent = 100.0 * search.index_bytes as f64 / search.text_bytes as f64;
    format!("search index {kb:.1} KB ({percent:.0}% of the text)")
}
