//! Bad input never panics: each case gives a clear message with file:line:col
//! where one exists, errors fail the build (exit 1) after every file was
//! checked, and the previous output stays.

mod common;

use std::process::Command;

use common::{Fixture, lines};

fn messages(site: &Fixture) -> String {
    match site.build() {
        Ok(report) => lines(&report.warnings),
        Err(failure) => lines(&failure.diagnostics),
    }
}

fn good_article(site: &Fixture) {
    site.article("good.md", "title: 好文章\ndate: 2026-01-01", "正文。\n");
}

#[test]
fn every_broken_article_is_reported_in_one_build() {
    let site = Fixture::new();
    good_article(&site);
    site.article("yaml.md", "title: [unclosed", "x\n");
    site.article("type.md", "title: t\ndate: yesterday\ntags: {a: 1}", "x\n");
    site.article("dup.md", "title: a\ntitle: b", "x\n");
    site.write("content/open.md", "---\ntitle: 没有结尾\n正文\n");
    let failure = site.build().expect_err("errors fail the build");
    let all = lines(&failure.diagnostics);
    for expected in [
        "content/yaml.md:2:8: error: invalid front matter",
        "content/type.md:3:7: error: `date` must be a date, not `yesterday`",
        "content/dup.md:3:1: error: invalid front matter: duplicate mapping key: title",
        "content/open.md:1:1: error: front matter starts with `---` but has no closing `---` line",
    ] {
        assert!(all.contains(expected), "{expected}\nin:\n{all}");
    }
    assert!(!site.public().exists());
}

#[test]
fn wrong_types_name_the_key_and_what_was_found() {
    let site = Fixture::new();
    site.article("a.md", "title: t\ndate: 2026-01-01\ntags: {a: 1}", "x\n");
    assert!(messages(&site).contains(
        "content/a.md:4:7: error: `tags` must be a list of names or one name, not a mapping"
    ));
}

#[test]
fn invalid_utf8_and_binary_files_are_errors_with_a_position() {
    let site = Fixture::new();
    good_article(&site);
    std::fs::write(
        site.root().join("content/latin1.md"),
        b"---\ntitle: x\n---\ncaf\xe9\n",
    )
    .unwrap();
    std::fs::write(
        site.root().join("content/image.md"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    )
    .unwrap();
    let all = messages(&site);
    assert!(
        all.contains(
            "content/latin1.md:4:4: error: invalid UTF-8: the file must be saved as UTF-8"
        ),
        "{all}"
    );
    assert!(all.contains("content/image.md:1:"), "{all}");
    assert!(
        all.contains("error: this is a binary file, not Markdown text"),
        "{all}"
    );
}

#[test]
fn a_bom_and_crlf_line_endings_simply_work() {
    let site = Fixture::new();
    site.write("content/windows.md", "\u{feff}---\r\ntitle: Windows 写的\r\ndate: 2026-01-01\r\n---\r\n## 标题\r\n\r\n中文\r\n断行$x$。\r\n");
    site.write(
        "content/bad.md",
        "\u{feff}---\r\ntitle: x\r\ndate: never\r\n---\r\n",
    );
    let failure = site.build().expect_err("bad.md has a bad date");
    let all = lines(&failure.diagnostics);
    assert!(
        all.contains("content/bad.md:3:7: error"),
        "positions count lines the same with CRLF: {all}"
    );
    assert_eq!(failure.errors().count(), 1, "{all}");
    std::fs::remove_file(site.root().join("content/bad.md")).unwrap();
    site.build_ok();
    let html = site.read("posts/windows/index.html");
    assert!(html.contains("<h1 class=\"post-title\">Windows 写的</h1>"));
    assert!(
        html.contains("中文断行<span class=\"math-nowrap\">"),
        "CRLF soft breaks between CJK vanish too: {html}"
    );
    assert!(!html.contains('\r'));
}

#[test]
fn an_empty_file_is_an_untitled_article_not_a_crash() {
    let site = Fixture::new();
    site.write("content/empty.md", "");
    let report = site.build_ok();
    assert!(
        site.read("posts/empty/index.html")
            .contains("<h1 class=\"post-title\">empty</h1>")
    );
    assert!(lines(&report.warnings).contains("content/empty.md: warning: no date"));
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    let site = Fixture::new();
    let lists: String = (0..10_000)
        .map(|i| format!("{}- x\n", "  ".repeat(i % 4000)))
        .collect();
    site.article("lists.md", "title: 列表\ndate: 2026-01-01", &lists);
    site.article(
        "quotes.md",
        "title: 引用\ndate: 2026-01-02",
        &format!("{} 深\n", ">".repeat(10_000)),
    );
    let braces = format!("${}x{}$\n", "{".repeat(10_000), "}".repeat(10_000));
    site.article("braces.md", "title: 括号\ndate: 2026-01-03", &braces);
    let report = site.build_ok();
    let all = lines(&report.warnings);
    assert!(
        all.contains(
            "content/braces.md:5:1: warning: KaTeX parse error: formula nested 10000 levels deep"
        ),
        "{all}"
    );
    assert!(site.read("posts/quotes/index.html").contains("深"));
}

#[test]
fn a_50_mb_article_builds() {
    let site = Fixture::new();
    let paragraph = "注意力机制把查询与键的相似度变成权重，再对值加权求和，公式是$\\mathrm{softmax}(QK^\\top/\\sqrt{d})V$。\n\n";
    let body = paragraph.repeat(50 * 1024 * 1024 / paragraph.len());
    site.article("huge.md", "title: 很长\ndate: 2026-01-01", &body);
    let report = site.build_ok();
    assert_eq!(report.articles, 1);
    assert!(report.formulas > 200_000);
    assert_eq!(report.distinct_formulas, 1, "one formula, typeset once");
}

#[test]
fn a_symlink_loop_is_a_warning() {
    let site = Fixture::new();
    good_article(&site);
    std::fs::create_dir_all(site.root().join("content/sub")).unwrap();
    std::os::unix::fs::symlink(
        site.root().join("content"),
        site.root().join("content/sub/loop"),
    )
    .unwrap();
    let report = site.build_ok();
    assert!(
        lines(&report.warnings).contains("warning: symlink loop back to"),
        "{}",
        lines(&report.warnings)
    );
    assert!(site.has("posts/good/index.html"));
}

/// As root, file permissions do not stop reads, so the unreadable file is a
/// symlink to `/proc/self/mem`: a regular file whose first page cannot be read
/// by anyone (address 0 is never mapped).
#[test]
fn an_unreadable_file_is_an_error_that_names_it() {
    let site = Fixture::new();
    good_article(&site);
    std::os::unix::fs::symlink("/proc/self/mem", site.root().join("content/secret.md")).unwrap();
    let all = lines(&site.build().expect_err("unreadable").diagnostics);
    assert!(
        all.contains("content/secret.md: error: cannot read the file:"),
        "{all}"
    );
}

#[test]
fn an_output_that_cannot_be_written_keeps_the_old_one() {
    let site = Fixture::new();
    good_article(&site);
    site.write(
        "blocker",
        "a file where the output's parent folder should be",
    );
    let options = blogsmith::BuildOptions {
        output: site.root().join("blocker/public"),
        ..site.options()
    };
    let failure = blogsmith::build(&options).expect_err("cannot create the output");
    assert!(
        lines(&failure.diagnostics).contains("error: cannot write the output"),
        "{}",
        lines(&failure.diagnostics)
    );
}

#[test]
fn a_disk_full_write_error_fails_cleanly_and_keeps_the_old_output() {
    let site = Fixture::new();
    good_article(&site);
    site.build_ok();
    let before = site.output_tree();
    site.article(
        "good.md",
        "title: 新版本\ndate: 2026-01-01",
        &"很长的正文。".repeat(20_000),
    );
    // `ulimit -f` caps file size: writes past it fail (EFBIG) as on a full disk;
    // SIGXFSZ is ignored so the write error, not a signal, is what blogsmith sees.
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 64; exec {} build",
            env!("CARGO_BIN_EXE_blogsmith")
        ))
        .current_dir(site.root())
        .output()
        .expect("bash runs");
    assert_eq!(
        status.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert_eq!(site.output_tree(), before, "the previous site is whole");
}

#[test]
fn labels_defined_twice_and_references_to_nothing_are_located() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: 甲\ndate: 2026-01-01",
        "$$\nx \\label{eq:x}\n$$\n\n::: theorem {#thm:t}\n内容。\n:::\n",
    );
    site.article(
        "b.md",
        "title: 乙\ndate: 2026-01-02",
        "$$\ny \\label{eq:x}\n$$\n\n见 \\eqref{eq:nothing}、$\\ref{thm:nothing}$ 与 \\ref{thm:t}。\n\n![图](none.png){#thm:t}\n",
    );
    let all = messages(&site);
    for expected in [
        "content/b.md:5:1: warning: the label `eq:x` is also defined at content/a.md:5:1",
        "content/b.md:11:16: warning: the label `thm:t` is also defined at content/a.md:9:1",
        "content/b.md:9:3: warning: no equation, theorem or figure of the site is labelled `eq:nothing`",
        "content/b.md:9:22: warning: no equation, theorem or figure of the site is labelled `thm:nothing`",
    ] {
        assert!(all.contains(expected), "{expected}\nin:\n{all}");
    }
    let options = blogsmith::BuildOptions {
        output: site.root().join("checked"),
        ..site.options()
    };
    let failure = blogsmith::check(&options).expect_err("check fails on a reference to nothing");
    let errors: Vec<String> = failure.errors().map(ToString::to_string).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("b.md:9:3: error") && e.contains("`eq:nothing`")),
        "{errors:?}"
    );
}
