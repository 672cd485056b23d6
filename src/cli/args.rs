//! The command line: subcommands, options and their help texts (clap).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use blogsmith::serve;

#[derive(Parser)]
#[command(
    name = "blogsmith",
    version,
    about = "A fast static site generator for math- and code-heavy Chinese notes",
    long_about = "blogsmith turns a folder of Markdown notes (Chinese prose, $math$, fenced code) \
into a static blog: formulas typeset on the server with KaTeX, code highlighted, a paginated \
Latest Updates index, tag and category pages.\n\n\
A site is a folder with an optional blogsmith.yaml and a content/ folder of *.md articles.",
    after_help = "Examples:\n  blogsmith init my-notes        start a new site\n  blogsmith new \"注意力机制\"      add an article to the site here\n  blogsmith serve --open         preview it; pages reload as you save\n  blogsmith check                find every problem, write nothing\n  blogsmith check --external     and request every link to other sites\n  blogsmith build                write the site to public/\n  blogsmith import hexo ~/blog   turn a Hexo blog into a blogsmith site\n\nColours: only on a terminal; NO_COLOR=1 turns them off."
)]
pub struct Cli {
    #[command(subcommand)]
    /// What to do.
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// How problems are printed: `human` lines, or `github` workflow commands that GitHub Actions shows as annotations.
        #[arg(long, value_enum, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
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
formulas KaTeX cannot parse and broken links are errors. Exit code 1 on any error.\n\n\
With --external, every link to another site (http://, https://: Markdown links, images, \
autolinks, href and src in raw HTML) is requested too, 16 at once and at most 2 per host, each \
with HEAD, then GET if the server refuses HEAD, following redirects. A page that is gone \
(404, 410, other 4xx) or a host that does not exist is an error at the link's file:line:col; \
a timeout, a refused connection, 401/403, 429 or 5xx is a warning (the site may be down for \
now). A summary line counts the links. Links that answered well are not requested again for \
7 days: the results are kept in .blogsmith-cache/external-links.json, the only file \
`check --external` writes (none with --no-cache). Neither `build` nor `check` without \
--external makes any request.",
        after_help = "Examples:\n  blogsmith check\n  blogsmith check --drafts --root my-notes\n  blogsmith check --external --timeout 20"
    )]
    Check {
        /// The site folder [default: the nearest folder up from here with a blogsmith.yaml, else here].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Check articles marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
        /// Also request every link to another site (http://, https://) and report those that are broken.
        #[arg(long)]
        external: bool,
        /// With --external: seconds one request may take, redirects included.
        #[arg(long, value_name = "SECS", default_value_t = 10, requires = "external", value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// Ignore the render cache, and with --external request every link again (and save no results).
        #[arg(long)]
        no_cache: bool,
        /// How problems are printed: `human` lines, or `github` workflow commands that GitHub Actions shows as annotations.
        #[arg(long, value_enum, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
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
    /// Create a new site in DIR: a blogsmith.yaml, one example article and a CI workflow.
    #[command(
        long_about = "Create a new site in DIR: a blogsmith.yaml, one example article, a .gitignore \
and a CI workflow that builds the site and publishes it: .github/workflows/blogsmith.yml for \
GitHub Pages (the default), or .gitlab-ci.yml for GitLab Pages with --ci gitlab. The workflow \
installs this version of blogsmith, keeps the render cache (.blogsmith-cache/) between runs, \
and shows problems as annotations on the files. Nothing that exists is overwritten.",
        after_help = "Examples:\n  blogsmith init my-notes && cd my-notes && blogsmith build\n  blogsmith init my-notes --ci gitlab\n  blogsmith init my-notes --no-ci"
    )]
    Init {
        /// The folder to create the site in (created if missing).
        dir: PathBuf,
        /// The CI service to write a build-and-publish workflow for.
        #[arg(long, value_enum, value_name = "SERVICE", default_value_t = CiArg::Github)]
        ci: CiArg,
        /// Write no CI workflow.
        #[arg(long, conflicts_with = "ci")]
        no_ci: bool,
    },
    /// Turn a Hexo, Jekyll or Hugo blog into a new blogsmith site, and say what was mapped.
    #[command(
        long_about = "Turn a Hexo, Jekyll or Hugo blog into a new blogsmith site in DIR.\n\n\
Posts and drafts are copied into content/_posts and content/_drafts (Hexo, Jekyll) or content/ \
as they are (Hugo: sections and bundles), with their asset folders; other pages are copied with \
their old address added as `permalink:` or `url:`; other files go into static/. blogsmith.yaml is \
written from the old configuration: title, subtitle, description, author, language, time zone, \
base URL, posts per page and the permalink pattern, so that old addresses keep working. Every \
value mapped is printed with where it came from, and everything not carried over with the reason.\n\n\
PATH is only read. DIR must be new or empty and outside PATH; the site is written beside it and \
moved into place when complete, so a failed import leaves nothing behind.",
        after_help = "Examples:\n  blogsmith import hexo ~/my-hexo-blog            writes ./my-hexo-blog-blogsmith\n  blogsmith import jekyll ../site notes\n  blogsmith import hugo ~/hugo-site ~/notes && cd ~/notes && blogsmith build"
    )]
    Import {
        /// The generator the blog was made with.
        #[arg(value_enum)]
        generator: GeneratorArg,
        /// The old blog's folder; it is only read.
        path: PathBuf,
        /// The new site's folder, new or empty [default: ./<name of PATH>-blogsmith].
        dir: Option<PathBuf>,
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

/// How `build` and `check` print problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// `path:line:col: error: message (hint: …)` on standard error.
    Human,
    /// `::error file=path,line=L,col=C,title=…::message` on standard output (GitHub Actions annotations).
    Github,
}

/// The CI services `init` writes a workflow for.
#[derive(Clone, Copy, ValueEnum)]
pub enum CiArg {
    /// GitHub Actions, publishing to GitHub Pages: .github/workflows/blogsmith.yml.
    Github,
    /// GitLab CI, publishing to GitLab Pages: .gitlab-ci.yml.
    Gitlab,
}

impl From<CiArg> for blogsmith::scaffold::Ci {
    fn from(arg: CiArg) -> Self {
        match arg {
            CiArg::Github => Self::Github,
            CiArg::Gitlab => Self::Gitlab,
        }
    }
}

/// The generators `import` knows.
#[derive(Clone, Copy, ValueEnum)]
pub enum GeneratorArg {
    /// Hexo: _config.yml and source/.
    Hexo,
    /// Jekyll: _config.yml and _posts/.
    Jekyll,
    /// Hugo: hugo.toml (or config.*) and content/.
    Hugo,
}

impl From<GeneratorArg> for blogsmith::import::Generator {
    fn from(arg: GeneratorArg) -> Self {
        match arg {
            GeneratorArg::Hexo => Self::Hexo,
            GeneratorArg::Jekyll => Self::Jekyll,
            GeneratorArg::Hugo => Self::Hugo,
        }
    }
}
