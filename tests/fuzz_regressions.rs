//! Inputs the fuzz targets (`fuzz/`, see `fuzz/README.md`) found wrong, each
//! kept here with the behaviour it should have had.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use blogsmith::config::Config;
use blogsmith::content;
use blogsmith::markdown::math_scan::find_math;
use blogsmith::markdown::{CodeStyle, MarkdownRenderer, MathEngine, Rendered, Source};
use common::{Fixture, lines};

/// Renders `body` as one article, keeping raw HTML or not.
fn render(body: &str, raw_html: bool) -> Rendered {
    let math = MathEngine::new(BTreeMap::new());
    let code_style = CodeStyle::new("InspiredGitHub", "base16-ocean.dark").unwrap();
    MarkdownRenderer {
        math: &math,
        code_style: &code_style,
        summary_length: 350,
        line_numbers: false,
        raw_html,
        markdown_escapes: false,
        language: blogsmith::markdown::labels::Language::Chinese,
        math_code_spans: false,
        number_by_section: false,
    }
    .render(Source {
        body,
        path: Path::new("content/t.md"),
        first_line: 1,
    })
}

/// Checks the math scanner's promise: spans in order, non-overlapping,
/// non-empty, inside the source and on character boundaries.
fn assert_spans_valid(source: &str) {
    let spans = find_math(source);
    let mut end = 0;
    for span in &spans {
        assert!(span.range.start >= end, "{spans:?}");
        assert!(span.range.start < span.range.end, "{spans:?}");
        assert!(source.get(span.range.clone()).is_some(), "{spans:?}");
        end = span.range.end;
    }
}

// ---------------------------------------------------------------------------
// render_page: raw HTML in headings with `markdown.unsafe_html: false`.
// Headings are taken out of the event stream to compute their id, and the
// rule "raw HTML becomes text" was not applied to them.

#[test]
fn safe_mode_escapes_html_in_headings_and_the_toc() {
    let r = render("# a <b>x</b>\n", false);
    assert_eq!(
        r.html.trim(),
        r#"<h1 id="a-bxb">a &lt;b&gt;x&lt;/b&gt;</h1>"#,
        "the tag is shown as text"
    );
    assert_eq!(r.toc.len(), 1);
    assert_eq!(r.toc[0].title, "a &lt;b&gt;x&lt;/b&gt;");
    assert_eq!(r.toc[0].id, "a-bxb", "the id is made from the text shown");

    let r = render("## 注意 <script>alert(1)</script>\n", false);
    assert!(!r.html.contains("<script"), "{}", r.html);
    assert!(!r.toc[0].title.contains("<script"), "{}", r.toc[0].title);
    assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn unsafe_mode_keeps_html_in_headings() {
    let r = render("# a <b>x</b>\n", true);
    assert_eq!(r.html.trim(), r#"<h1 id="a-x">a <b>x</b></h1>"#);
    assert_eq!(r.toc[0].title, "a <b>x</b>");
}

// ---------------------------------------------------------------------------
// render_page: email autolinks are `mailto:` links, not relative links to a
// file next to the article.

#[test]
fn email_autolinks_are_mailto_links_not_local_files() {
    let r = render("写信给 <foo@example.com>。\n", true);
    assert!(
        r.html
            .contains(r#"<a href="mailto:foo@example.com">foo@example.com</a>"#),
        "{}",
        r.html
    );
    assert!(r.local_links.is_empty(), "{:?}", r.local_links);
    assert!(!r.html.contains(blogsmith::markdown::LINK_MARKER));

    // An address that starts like an anchor is still an address.
    let r = render("<#a@b.cn>\n", true);
    assert!(r.html.contains(r#"href="mailto:#a@b.cn""#), "{}", r.html);
    assert!(r.local_links.is_empty(), "{:?}", r.local_links);

    // A link written as a relative path stays a local link.
    let r = render("[信](foo@example.com)\n", true);
    assert_eq!(r.local_links.len(), 1);
}

#[test]
fn email_autolinks_build_without_broken_link_warnings() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "a.md",
        "title: 联系\ndate: 2026-01-01\nslug: contact",
        "写信给 <foo@example.com>。\n",
    );
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    let html = site.read("posts/contact/index.html");
    assert!(
        html.contains(r#"<a href="mailto:foo@example.com">foo@example.com</a>"#),
        "{html}"
    );
}

// ---------------------------------------------------------------------------
// render_page: formulas that define macros. A self-calling macro nests groups
// the brace-depth guard cannot see (the process aborted on a stack overflow),
// or doubles its argument at each expansion (gigabytes of memory).

#[test]
fn macro_definitions_in_formulas_are_an_error_not_a_crash() {
    let engine = MathEngine::new(BTreeMap::new());
    for tex in [
        r"\def\x{{\x}}\x",
        r"\def\x{\left(\x\right)}\x",
        r"\def\x#1{\x{#1#1}}\x{a}",
        r"\newcommand{\x}[1]{\x{{#1}{#1}}}\x{a}",
    ] {
        let error = engine.render(tex, false).unwrap_err();
        assert!(
            error.message.contains("macro definitions inside formulas"),
            "{tex}: {}",
            error.message
        );
    }
    // In an article, blogsmith expands the article's own macros under a budget.
    for body in [
        "设 $\\def\\x{{\\x}}\\x$ 为例。\n",
        "设 $\\def\\x#1{\\x{#1#1}}\\x{a}$ 为例。\n",
        "$\\newcommand{\\a}{\\b\\b}\\newcommand{\\b}{\\a\\a}$ 然后 $\\a$。\n",
    ] {
        let r = render(body, true);
        assert!(r.html.contains("katex-error"), "{}", r.html);
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(
            r.diagnostics[0].message.contains("expands without end"),
            "{:?}",
            r.diagnostics
        );
    }
}

#[test]
fn implicit_groups_count_towards_the_nesting_limit() {
    let engine = MathEngine::new(BTreeMap::new());
    for (open, close) in [(r"\bgroup ", r"\egroup "), (r"\begingroup ", r"\endgroup ")] {
        let tex = format!("{}x{}", open.repeat(600), close.repeat(600));
        let error = engine.render(&tex, false).unwrap_err();
        assert!(
            error.message.contains("600 levels deep"),
            "{}",
            error.message
        );
    }
    assert!(engine.render(r"\bgroup x \egroup", false).is_ok());
}

// ---------------------------------------------------------------------------
// front_matter: arbitrary bytes always give a page or an error.

#[test]
fn odd_article_files_give_a_page_or_an_error() {
    let config = Config::default();
    for bytes in [
        &b""[..],
        b"---",
        b"---\n",
        b"---\n---",
        b"\xEF\xBB\xBF---\r\n---\r\n",
        b"\xFF\xFE",
        b"---\n\0\n---\n",
    ] {
        let loaded = content::parse_article(Path::new("/site"), Path::new("a.md"), bytes, &config);
        let has_error = loaded.diagnostics.iter().any(|d| d.is_error());
        assert_eq!(loaded.page.is_some(), !has_error, "{bytes:?}");
    }
}

// ---------------------------------------------------------------------------
// math_scan: the span invariant on inputs that once broke it.

#[test]
fn math_spans_stay_valid() {
    for source in ["$x$", "$$\n$x$\n$$", "\\(中\\)", "$中$$文$"] {
        assert_spans_valid(source);
    }
}

/// Found beside the fuzzers: a recursive macro in the configuration made KaTeX
/// expand until the stack overflowed, killing the build. It is now a clear
/// configuration error, and the previous output stays.
#[test]
fn recursive_macros_in_the_configuration_are_a_configuration_error() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "math:\n  macros:\n    \\R: '{\\R}'\n");
    site.article("a.md", "title: 甲\ndate: 2026-01-01", "设$x \\in \\R$。\n");
    let failure = blogsmith::build(&site.options()).expect_err("a configuration error");
    let message = lines(&failure.diagnostics);
    assert!(
        message.contains("blogsmith.yaml") && message.contains("expands to itself"),
        "{message}"
    );
    assert!(!site.root().join("public").exists(), "nothing written");
}

// ---------------------------------------------------------------------------
// page_macros: a macro whose argument grows by a few tokens at each call stayed
// under the expansion and size limits while copying 300 million tokens (a
// timeout of the fuzz target). The work is now bounded too.

#[test]
fn a_slowly_growing_macro_is_stopped_by_the_work_budget() {
    use blogsmith::markdown::page_macros::PageMacros;
    let input = "\\newcommand{\\R}{\\mathbb{R}}\\DeclareMathOperator*{\\argmax}{arg\\,max}\n\
                 x \\in \\R^n\\def\\x#1{\\x{#1#, \\a1}}\\x{a}\n\\nerwcomm";
    let mut macros = PageMacros::default();
    let results: Vec<_> = input.split('\n').map(|tex| macros.apply(tex)).collect();
    assert!(results[0].is_ok());
    let error = results[1].as_ref().unwrap_err();
    assert!(
        error.message.contains("expands without end"),
        "{}",
        error.message
    );
    let r = render(&format!("${}$\n", input.replace('\n', "$ $")), true);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("expands without end"))
    );
}
