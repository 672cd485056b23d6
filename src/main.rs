//! The `blogsmith` command: parses arguments, calls the library, maps errors to exit codes.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use clap::{Parser, Subcommand};

use blogsmith::diagnostic::{Diagnostic, Severity};
use blogsmith::serve::{self, Notice, ServeOptions, Server};
use blogsmith::{BuildOptions, build, find_root, scaffold};

#[derive(Parser)]
#[command(
    name = "blogsmith",
    version,
    about = "A fast static site generator for math- and code-heavy Chinese notes",
    long_about = "blogsmith turns a folder of Markdown notes (Chinese prose, $math$, fenced code) \
into a static blog: formulas typeset on the server with KaTeX, code highlighted, a paginated \
Latest Updates index, tag and category pages.\n\n\
A site is a folder with an optional blogsmith.yaml and a content/ folder of *.md articles.",
    after_help = "Examples:\n  blogsmith init my-notes        start a new site\n  blogsmith new \"注意力机制\"      add an article to the site here\n  blogsmith serve --open         preview it; pages reload as you save\n  blogsmith check                find every problem, write nothing\n  blogsmith build                write the site to public/\n\nColours: only on a terminal; NO_COLOR=1 turns them off."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into public/ (or --output).
    #[command(
        long_about = "Build the site into public/ (or --output).\n\n\
Every problem is printed as `path:line:col: error|warning: message`, one per line. \
On any error nothing is written: the previous output stays as it was, and the exit code is 1.\n\n\
Builds are incremental: formulas, code blocks and pages unchanged since the last build come from \
the render cache (.blogsmith-cache/) and the previous output, and a site with nothing changed \
is reported `up to date` without writing anything. On a terminal a progress bar shows long builds.",
        after_help = "Examples:\n  blogsmith build\n  blogsmith build --drafts --output /tmp/preview\n  blogsmith build --base-url https://example.com/notes/"
    )]
    Build {
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml, else here].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Where to write the site [default: ROOT/public].
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Publish under this URL instead of blogsmith.yaml's base_url (e.g. https://example.com/notes/).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Fail on formulas KaTeX cannot parse, instead of warning (same as math.strict: true).
        #[arg(long)]
        strict: bool,
        /// Ignore the render cache (.blogsmith-cache/): typeset and highlight everything again.
        #[arg(long)]
        no_cache: bool,
        /// Print only problems: no progress bar, no summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Remove what builds leave behind: the output folder and the render cache.
    #[command(after_help = "Example:\n  blogsmith clean && blogsmith build   a build from scratch")]
    Clean {
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml, else here].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// The output folder to remove [default: ROOT/public].
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Check the whole site (front matter, math, links, templates) without writing anything.
    #[command(
        long_about = "Check the whole site without writing anything: configuration, front matter, \
math, links between articles and to files, templates. It is as strict as `build --strict`: \
formulas KaTeX cannot parse and broken links are errors. Exit code 1 on any error.",
        after_help = "Examples:\n  blogsmith check\n  blogsmith check --drafts --root my-notes"
    )]
    Check {
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml, else here].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Check articles marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
    /// Preview the site: serve it locally, rebuild on every save, reload open pages.
    #[command(
        long_about = "Preview the site: build it in memory, serve it on http://127.0.0.1:1111/, \
and watch content/, templates/, static/ and blogsmith.yaml.\n\n\
On every save only what the change affects is rebuilt (an article edit: the article, the index \
pages it appears on, its tag and category pages), and open pages that changed reload by \
themselves; a stylesheet is swapped in place. If a build fails, the last good site stays up and \
every open page shows the errors (path:line:col) in an overlay, as the terminal does; the next \
good build clears it.\n\n\
Nothing is written to disk: use `blogsmith build` to publish. Links point at the local server, \
whatever base_url says. Stop with Ctrl-C.",
        after_help = "Examples:\n  blogsmith serve                    http://127.0.0.1:1111/\n  blogsmith serve --open --drafts    open it in the browser, drafts included\n  blogsmith serve --port 0           any free port (the URL is printed)\n  blogsmith serve --bind 0.0.0.0     reachable from other devices on your network"
    )]
    Serve {
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml, else here].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, short, value_name = "PORT", default_value_t = serve::DEFAULT_PORT)]
        port: u16,
        /// The address to listen on. The default, loopback, keeps the preview on this machine.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Open the site in the default browser once it is built.
        #[arg(long)]
        open: bool,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Create a new site in DIR: a blogsmith.yaml and one example article.
    #[command(after_help = "Example:\n  blogsmith init my-notes && cd my-notes && blogsmith build")]
    Init {
        /// The folder to create the site in (created if missing).
        dir: PathBuf,
    },
    /// Add an article: content/<slug>.md with front matter dated now.
    #[command(
        after_help = "Example:\n  blogsmith new \"旋转位置编码\"   creates content/旋转位置编码.md"
    )]
    New {
        /// The article's title.
        title: String,
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build {
            root,
            output,
            drafts,
            base_url,
            strict,
            no_cache,
            quiet,
        } => {
            let root = site_root(root);
            let output = output.unwrap_or_else(|| root.join("public"));
            let options = BuildOptions {
                drafts,
                base_url,
                strict,
                cache: !no_cache,
                output: output.clone(),
                ..BuildOptions::new(&root)
            };
            run_build(options, &output, quiet)
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
        Command::Check { root, drafts } => {
            let options = BuildOptions {
                drafts,
                strict: true,
                ..BuildOptions::new(site_root(root))
            };
            run_check(options)
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
            run_serve(options, open)
        }
        Command::Init { dir } => match scaffold::init(&dir) {
            Ok(files) => {
                for file in files {
                    println!("created {}", file.display());
                }
                println!("next: cd {} && blogsmith build", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
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

fn run_build(options: BuildOptions, output: &Path, quiet: bool) -> ExitCode {
    use std::io::IsTerminal as _;
    let show_bar = !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
    let built = progress_bar::while_running(show_bar, |progress| {
        build(&BuildOptions {
            progress,
            ..options
        })
    });
    match built {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            if !quiet {
                println!("{}", build_summary(&report, output));
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print_diagnostics(&failure.diagnostics);
            let errors = failure.errors().count();
            fail(&format!(
                "build failed with {errors} error(s); the previous output was left untouched"
            ))
        }
    }
}

/// The one-line summary of a successful build.
fn build_summary(report: &blogsmith::BuildReport, output: &Path) -> String {
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

fn run_check(options: BuildOptions) -> ExitCode {
    match blogsmith::Session::new(options).refresh() {
        Ok(refreshed) => {
            print_diagnostics(&refreshed.report.warnings);
            println!(
                "{} {} articles, {} pages: no errors, {} warning(s)",
                paint("checked", AnsiColor::Green),
                refreshed.report.articles,
                refreshed.report.pages,
                refreshed.report.warnings.len()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print_diagnostics(&failure.diagnostics);
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

fn run_serve(options: ServeOptions, open: bool) -> ExitCode {
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
fn open_in_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let opened = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = opened {
        eprintln!(
            "{}: cannot open a browser ({e}); open {url} yourself",
            paint("warning", AnsiColor::Yellow)
        );
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
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

fn fail(message: &str) -> ExitCode {
    eprintln!("{}: {message}", paint("error", AnsiColor::Red));
    ExitCode::FAILURE
}

/// Text in bold colour; anstream strips it when stderr/stdout is not a terminal or NO_COLOR is set.
fn paint(text: &str, color: AnsiColor) -> String {
    let style = Style::new().fg_color(Some(color.into())).bold();
    format!("{style}{text}{style:#}")
}

/// A progress bar on standard error for long builds on a terminal.
mod progress_bar {
    use std::io::Write as _;
    use std::sync::{Arc, Condvar, Mutex, PoisonError};
    use std::time::Duration;

    use blogsmith::progress::Progress;

    /// Builds shorter than this never show a bar (no flicker for small sites).
    const DELAY: Duration = Duration::from_millis(400);
    const TICK: Duration = Duration::from_millis(100);
    const WIDTH: usize = 30;

    /// Runs `work`, drawing its progress meanwhile when `show`; the bar is
    /// erased before `work`'s result is returned, so output that follows is clean.
    pub fn while_running<T>(show: bool, work: impl FnOnce(Option<Arc<Progress>>) -> T) -> T {
        if !show {
            return work(None);
        }
        let progress = Arc::new(Progress::default());
        let finished = Arc::new((Mutex::new(false), Condvar::new()));
        let drawer = {
            let (progress, finished) = (Arc::clone(&progress), Arc::clone(&finished));
            std::thread::spawn(move || draw_until_finished(&progress, &finished))
        };
        let result = work(Some(progress));
        let (lock, wake) = &*finished;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        let _ = drawer.join();
        result
    }

    fn draw_until_finished(progress: &Progress, finished: &(Mutex<bool>, Condvar)) {
        let (lock, wake) = finished;
        let mut done = lock.lock().unwrap_or_else(PoisonError::into_inner);
        // Tests set a shorter delay (and tick) to see the bar on a small site.
        let test_delay = std::env::var("BLOGSMITH_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis);
        let tick = test_delay.map_or(TICK, |d| d.max(Duration::from_millis(1)));
        let mut wait = test_delay.unwrap_or(DELAY);
        let mut drawn = false;
        loop {
            done = wake
                .wait_timeout_while(done, wait, |done| !*done)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if *done {
                break;
            }
            draw(progress);
            drawn = true;
            wait = tick;
        }
        if drawn {
            // Erase the bar's line.
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }

    fn draw(progress: &Progress) {
        let (stage, done, total) = progress.snapshot();
        if total == 0 {
            let _ = write!(std::io::stderr(), "\r\x1b[2K{}…", stage.name());
            return;
        }
        let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
        let bar: String = (0..WIDTH)
            .map(|i| match i.cmp(&filled) {
                std::cmp::Ordering::Less => '=',
                std::cmp::Ordering::Equal if done < total => '>',
                _ => ' ',
            })
            .collect();
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2K{:>8} [{bar}] {done}/{total}",
            stage.name()
        );
        let _ = std::io::stderr().flush();
    }
}
