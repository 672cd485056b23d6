//! The `blogsmith` binary: output format, exit codes, determinism across processes.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Fixture, tree};

fn blogsmith(args: &[&str], cwd: &Path, threads: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_blogsmith"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("CLICOLOR_FORCE");
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads);
    }
    command.output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn math_heavy_site() -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 确定性\npaginate: 3\n");
    for i in 0..12 {
        site.article(
            &format!("a{i}.md"),
            &format!("title: 第{i}篇\ndate: 2026-01-{:02}\ntags: [标签{}, 公共]\ncategories: 类{}", i + 1, i % 4, i % 3),
            &format!(
                "## 推导\n\n设$\\overrightarrow{{AB}}_{i}$与$\\sqrt{{x^{i}}}$。\n\n$$\n\\left(\\frac{{a}}{{b_{i}}}\\right) = \\int_0^1 f(x)\\,dx\n$$\n\n```python\nx = {i}\n```\n"
            ),
        );
    }
    site
}

#[test]
fn output_is_byte_identical_across_processes_and_thread_counts() {
    let site = math_heavy_site();
    let root = site.root().to_str().unwrap();
    let mut trees = Vec::new();
    for (threads, output) in [(Some("1"), "out1"), (None, "out2"), (Some("3"), "out3")] {
        let result = blogsmith(
            &["build", "--root", root, "--output", output],
            site.root(),
            threads,
        );
        assert!(result.status.success(), "{}", text(&result.stderr));
        trees.push(tree(&site.root().join(output)));
    }
    assert!(trees[0].len() > 20);
    assert!(
        trees[0].values().any(|b| text(b).contains("katex")),
        "the site has math"
    );
    assert_eq!(trees[0], trees[1], "RAYON_NUM_THREADS=1 vs default");
    assert_eq!(trees[0], trees[2], "RAYON_NUM_THREADS=1 vs 3");
}

#[test]
fn success_prints_a_one_line_summary() {
    let site = math_heavy_site();
    let result = blogsmith(&["build"], site.root(), None);
    assert!(result.status.success());
    let stdout = text(&result.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("built 12 articles, "), "{stdout}");
    for part in [
        "pages",
        "36 formulas",
        "12 code blocks",
        "search index ",
        "% of the text)",
        " s → ",
    ] {
        assert!(stdout.contains(part), "{part} in {stdout}");
    }
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour codes when not on a terminal"
    );
    assert!(site.root().join("public/index.html").is_file());
}

#[test]
fn a_second_build_of_an_unchanged_site_says_it_is_up_to_date() {
    let site = math_heavy_site();
    assert!(blogsmith(&["build"], site.root(), None).status.success());
    let again = blogsmith(&["build"], site.root(), None);
    assert!(again.status.success());
    let stdout = text(&again.stdout);
    assert!(
        stdout.starts_with("up to date 12 articles, ") && stdout.contains("nothing changed"),
        "{stdout}"
    );
    site.article("a0.md", "title: 新\ndate: 2026-01-01", "改了。\n");
    let edited = text(&blogsmith(&["build"], site.root(), None).stdout);
    assert!(edited.starts_with("built 12 articles, "), "{edited}");
}

#[test]
fn quiet_prints_only_problems() {
    let site = math_heavy_site();
    site.article("bad.md", "title: 坏\ndate: 2026-02-01", "$\\frac{$\n");
    let result = blogsmith(&["build", "--quiet"], site.root(), None);
    assert!(result.status.success());
    assert_eq!(text(&result.stdout), "", "no summary");
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("content/bad.md:"),
        "problems still shown: {stderr}"
    );
}

#[test]
fn a_terminal_gets_a_progress_bar_and_a_pipe_does_not() {
    let site = math_heavy_site();
    let piped = blogsmith(&["build", "--no-cache"], site.root(), None);
    assert!(!text(&piped.stderr).contains("\x1b[2K"), "no bar in a pipe");
    // `script` runs the build on a pseudo-terminal, as a person would.
    let command = format!("{} build --no-cache", env!("CARGO_BIN_EXE_blogsmith"));
    let on_terminal = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(site.root())
        .env("BLOGSMITH_PROGRESS_DELAY_MS", "1")
        .env("TERM", "xterm")
        .output()
        .expect("`script` (util-linux) runs the build on a terminal: run scripts/test, which installs it");
    assert!(on_terminal.status.success());
    let shown = text(&on_terminal.stdout);
    assert!(
        shown.contains("articles ["),
        "a bar for the articles: {shown:?}"
    );
    assert!(shown.contains("/12"), "counts: {shown:?}");
    let summary = shown.rfind("built").expect("a summary");
    let last_bar = shown[..summary].rfind("] ").expect("a bar");
    assert!(
        shown[last_bar..summary].contains("\r\x1b[2K"),
        "the bar is erased before the summary: {shown:?}"
    );
}

#[test]
fn errors_are_listed_as_path_line_col_and_exit_1() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-13-45", "正文\n");
    site.article("b.md", "title: B\ntags: {x: 1}", "正文\n");
    let result = blogsmith(&["build"], site.root(), None);
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("content/a.md:3:7: error: `date` must be a date"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "content/b.md:3:7: error: `tags` must be a list of names or one name, not a mapping"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("the previous output was left untouched"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes when not on a terminal"
    );
}

#[test]
fn message_format_github_prints_annotations_for_errors_and_warnings() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-13-45", "正文\n");
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-01",
        "正文\n\n$$\n\\frac{a}{b\n$$\n",
    );
    for command in ["build", "check"] {
        let result = blogsmith(&[command, "--message-format", "github"], site.root(), None);
        assert_eq!(
            result.status.code(),
            Some(1),
            "{command} fails on the error"
        );
        let stdout = text(&result.stdout);
        let error = stdout
            .lines()
            .find(|l| l.starts_with("::error "))
            .unwrap_or_else(|| panic!("{command}: an ::error line in {stdout}"));
        assert!(
            error.starts_with(
                "::error file=content/a.md,line=3,col=7,title=content/a.md%3A3%3A7::`date` must be a date"
            ),
            "{error}"
        );
        if command == "build" {
            // `check` is strict: there the formula is an error too.
            let warning = stdout
                .lines()
                .find(|l| l.starts_with("::warning file=content/b.md,"))
                .unwrap_or_else(|| panic!("a ::warning line for b.md in {stdout}"));
            assert!(
                warning.starts_with(
                    "::warning file=content/b.md,line=7,col=1,title=content/b.md%3A7%3A1::KaTeX parse error: "
                ),
                "{warning}"
            );
            assert!(
                warning.contains("(hint: a `{` is not closed: count the braces)"),
                "the hint is in the message: {warning}"
            );
        }
        assert!(
            !text(&result.stderr).contains("content/a.md:3:7: error"),
            "no human lines as well: {}",
            text(&result.stderr)
        );
    }
    // From above the site, paths are relative to where blogsmith runs (the checkout).
    let parent = site.root().parent().unwrap();
    let name = site.root().file_name().unwrap().to_str().unwrap();
    let result = blogsmith(
        &["build", "--root", name, "--message-format", "github"],
        parent,
        None,
    );
    assert!(
        text(&result.stdout).contains(&format!("::error file={name}/content/a.md,line=3,col=7,")),
        "{}",
        text(&result.stdout)
    );
}

#[test]
fn math_errors_are_warnings_with_position_unless_strict() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "正文\n\n$$\n\\frac{a}{b\n$$\n",
    );
    let result = blogsmith(&["build"], site.root(), None);
    assert!(result.status.success());
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("content/a.md:7:1: warning: KaTeX parse error: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: a `{` is not closed: count the braces"),
        "{stderr}"
    );
    let strict = blogsmith(&["build", "--strict"], site.root(), None);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stderr).contains("content/a.md:7:1: error: KaTeX parse error"));
}

#[test]
fn init_then_build_makes_a_working_site() {
    let dir = tempfile::tempdir().unwrap();
    let result = blogsmith(&["init", "my-notes"], dir.path(), None);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let site = dir.path().join("my-notes");
    let build = blogsmith(&["build"], &site, None);
    assert!(build.status.success(), "{}", text(&build.stderr));
    assert!(
        text(&build.stderr).is_empty(),
        "the example has no warnings: {}",
        text(&build.stderr)
    );
    let article =
        std::fs::read_to_string(site.join("public/posts/hello-blogsmith/index.html")).unwrap();
    assert!(article.contains("class=\"katex\"") && article.contains("data-lang=\"python\""));
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    for written in ["/public/", "/.blogsmith-cache/", "/.public.blogsmith-tmp-*"] {
        assert!(
            gitignore.lines().any(|l| l == written),
            "{written} in .gitignore"
        );
    }
}

#[test]
fn new_creates_a_dated_article_from_a_chinese_title() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: x\n");
    let nested = site.root().join("content");
    std::fs::create_dir_all(&nested).unwrap();
    let result = blogsmith(&["new", "旋转位置编码"], &nested, None);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let created = std::fs::read_to_string(site.root().join("content/旋转位置编码.md")).unwrap();
    assert!(
        created.starts_with("---\ntitle: \"旋转位置编码\"\ndate: 20"),
        "{created}"
    );
    let again = blogsmith(&["new", "旋转位置编码"], &nested, None);
    assert_eq!(again.status.code(), Some(1), "never overwrites");
}

#[test]
fn help_teaches_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&blogsmith(&["build", "--help"], dir.path(), None).stdout);
    for part in [
        "--drafts",
        "--base-url",
        "--strict",
        "path:line:col",
        "Examples:",
    ] {
        assert!(help.contains(part), "{part} in {help}");
    }
}

#[test]
fn check_finds_every_problem_and_writes_nothing() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "[坏](missing.md)\n\n$\\frac{1}{$\n",
    );
    let result = blogsmith(&["check"], site.root(), None);
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("content/a.md:5:1: error: broken link"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/a.md:7:1: error: KaTeX parse error"),
        "{stderr}"
    );
    assert!(!site.root().join("public").exists(), "check writes nothing");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "好。\n\n```python\nprint(1)\n```\n",
    );
    let fixed = blogsmith(&["check"], site.root(), None);
    assert!(fixed.status.success(), "{}", text(&fixed.stderr));
    assert!(
        text(&fixed.stdout).starts_with("checked 1 articles"),
        "{}",
        text(&fixed.stdout)
    );
    let mut left: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["blogsmith.yaml", "content"],
        "no output, no render cache (code was highlighted), no working files"
    );
}

#[test]
fn check_external_requests_links_only_when_asked_and_prints_a_summary() {
    let server = common::server::Server::start();
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        &format!(
            "[好]({})\n[坏]({})\n",
            server.url("/ok"),
            server.url("/missing")
        ),
    );
    let plain = blogsmith(&["check"], site.root(), None);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    assert!(!text(&plain.stdout).contains("external links"));
    assert_eq!(
        server.take_requests(),
        Vec::<String>::new(),
        "no request without --external"
    );

    let result = blogsmith(
        &["check", "--external", "--timeout", "5"],
        site.root(),
        None,
    );
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    let broken = format!(
        "content/a.md:6:1: error: external link `{}` is broken: 404 Not Found",
        server.url("/missing")
    );
    assert!(stderr.contains(&broken), "{stderr}");
    assert!(stderr.contains("check found 1 error(s)"), "{stderr}");
    assert!(
        text(&result.stdout)
            .contains("external links: 2 checked (0 from the cache), 1 broken, 0 unreachable"),
        "{}",
        text(&result.stdout)
    );
    let again = blogsmith(&["check", "--external"], site.root(), None);
    assert!(
        text(&again.stdout).contains("external links: 2 checked (1 from the cache), 1 broken"),
        "{}",
        text(&again.stdout)
    );

    let usage = blogsmith(&["check", "--timeout", "5"], site.root(), None);
    assert_eq!(usage.status.code(), Some(2), "--timeout needs --external");
    let help = text(&blogsmith(&["check", "--help"], site.root(), None).stdout);
    for part in ["--external", "--timeout", "external-links.json", "404"] {
        assert!(help.contains(part), "{part} in {help}");
    }
}

#[test]
fn serve_help_teaches_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&blogsmith(&["serve", "--help"], dir.path(), None).stdout);
    for part in [
        "--port",
        "--bind",
        "--open",
        "--drafts",
        "[default: 1111]",
        "[default: 127.0.0.1]",
        "path:line:col",
        "Examples:",
    ] {
        assert!(help.contains(part), "{part} in {help}");
    }
}

#[test]
fn serve_reports_a_port_in_use_and_suggests_another() {
    let site = math_heavy_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let root = site.root().to_str().unwrap();
    let result = blogsmith(
        &["serve", "--root", root, "--port", &port],
        site.root(),
        None,
    );
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(stderr.contains("already in use"), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
}

#[test]
fn serve_prints_its_url_serves_and_stops_cleanly_on_ctrl_c() {
    use std::io::{BufRead, BufReader, Read, Write};
    let site = math_heavy_site();
    let root = site.root().to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_blogsmith"))
        .args(["serve", "--root", root, "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut url = None;
    let mut printed = String::new();
    while url.is_none() {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
        printed.push_str(&line);
        if line.starts_with("serving ") {
            url = line
                .split_whitespace()
                .find(|w| w.starts_with("http://127.0.0.1:"))
                .map(str::to_owned);
        }
    }
    let url = url.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("no URL printed:\n{printed}")
    });
    assert!(printed.contains("built 12 articles"), "{printed}");
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET /posts/a1/ HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("第1篇"), "{response}");

    // Ctrl-C, as a terminal sends it.
    let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("a child's pid");
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("signal the child");
    let status = child.wait().expect("wait");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}");
    assert!(rest.contains("stopped"), "{rest}");
}
