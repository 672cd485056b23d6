//! Feeds (parsed with feed-rs), sitemap, robots.txt, page meta and archives.

mod common;

use common::{Fixture, between, lines};

fn site() -> Fixture {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "title: 笔记 & <测试>\nbase_url: https://example.com/notes/\ndescription: 中文机器学习笔记\nfeed:\n  limit: 3\n",
    );
    for (i, (slug, tags)) in [
        ("a", "[注意力, PyTorch]"),
        ("b", "[注意力]"),
        ("c", "[优化]"),
        ("d", "[注意力]"),
    ]
    .iter()
    .enumerate()
    {
        site.article(
            &format!("{slug}.md"),
            &format!(
                "title: 第{i}篇 <{slug}>\ndate: 2025-1{}-0{} 08:00\ntags: {tags}",
                i % 2,
                i + 1
            ),
            &format!("摘要部分，含$x_{i}$。\n\n<!-- more -->\n\n全文部分{i}。\n"),
        );
    }
    site
}

#[test]
fn atom_and_rss_parse_and_carry_the_newest_articles() {
    let site = site();
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    for feed_file in ["atom.xml", "rss.xml"] {
        let xml = site.read(feed_file);
        let feed = feed_rs::parser::parse(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{feed_file}: {e}\n{xml}"));
        assert_eq!(
            feed.title.as_ref().map(|t| t.content.as_str()),
            Some("笔记 & <测试>"),
            "{feed_file}"
        );
        assert_eq!(feed.entries.len(), 3, "{feed_file}: feed.limit");
        let first = &feed.entries[0];
        assert_eq!(
            first.title.as_ref().map(|t| t.content.as_str()),
            Some("第3篇 <d>"),
            "{feed_file}: newest first"
        );
        assert_eq!(
            first.links[0].href, "https://example.com/notes/posts/d/",
            "{feed_file}"
        );
        assert!(first.published.is_some(), "{feed_file}");
        let body = first
            .summary
            .as_ref()
            .map(|s| s.content.clone())
            .unwrap_or_default();
        assert!(
            body.contains("摘要部分") && !body.contains("全文部分"),
            "{feed_file}: summaries by default: {body}"
        );
        assert!(
            body.contains("<math") && !body.contains("katex"),
            "{feed_file}: formulas in summaries as MathML: {body}"
        );
    }
}

#[test]
fn full_content_feeds_and_per_tag_feeds() {
    let site = site();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nfeed:\n  full_content: true\n",
    );
    site.build_ok();
    let feed = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).expect("atom parses");
    assert_eq!(feed.entries.len(), 4);
    let content = feed.entries[0]
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap_or_default();
    assert!(content.contains("全文部分"), "{content}");
    let tag = feed_rs::parser::parse(site.read("tags/注意力/atom.xml").as_bytes())
        .expect("tag feed parses");
    let titles: Vec<String> = tag
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert_eq!(titles, ["第3篇 <d>", "第1篇 <b>", "第0篇 <a>"]);
}

#[test]
fn feeds_show_formulas_as_mathml() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nfeed:\n  full_content: true\n",
    );
    site.article(
        "m.md",
        "title: 公式\ndate: 2025-01-01",
        "设 $x_i < \\alpha$，则\n\n$$\n\\sum_{i=1}^n \\frac{x_i}{n} \\le \\max_i x_i\n$$\n\n失败的 $x^$ 保持原样。\n",
    );
    site.build_ok();
    let page = site.read("posts/m/index.html");
    assert!(page.contains("katex-html"), "the page keeps KaTeX's HTML");
    for feed_file in ["atom.xml", "rss.xml"] {
        let xml = site.read(feed_file);
        let feed = feed_rs::parser::parse(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{feed_file}: {e}\n{xml}"));
        let entry = &feed.entries[0];
        let body = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        assert_eq!(body.matches("<math").count(), 2, "{feed_file}: {body}");
        assert_eq!(body.matches("</math>").count(), 2, "{feed_file}: {body}");
        assert_eq!(
            body.matches("display=\"block\"").count(),
            1,
            "{feed_file}: {body}"
        );
        assert!(
            !body.contains("katex-html") && !body.contains("class=\"katex\""),
            "{feed_file}: {body}"
        );
        assert!(
            body.contains(
                "<annotation encoding=\"application/x-tex\">x_i &lt; \\alpha</annotation>"
            ),
            "{feed_file}: the TeX stays as an annotation: {body}"
        );
        assert!(
            body.contains("katex-error"),
            "{feed_file}: a formula that failed stays as its source: {body}"
        );
    }
}

#[test]
fn sitemap_lists_every_page_with_lastmod_and_robots_points_to_it() {
    let site = site();
    site.build_ok();
    let sitemap = site.read("sitemap.xml");
    for url in [
        "https://example.com/notes/",
        "https://example.com/notes/posts/a/",
        "https://example.com/notes/tags/",
        "https://example.com/notes/tags/%E6%B3%A8%E6%84%8F%E5%8A%9B/",
        "https://example.com/notes/archives/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc><lastmod>")),
            "{url} in\n{sitemap}"
        );
    }
    let html_pages = site
        .output_tree()
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html" && *p != "search/index.html")
        .count();
    assert_eq!(
        sitemap.matches("<url>").count(),
        html_pages,
        "every page but the 404 and the search page"
    );
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://example.com/notes/sitemap.xml\n"
    );
}

#[test]
fn pages_carry_canonical_open_graph_language_and_feed_links() {
    let site = site();
    site.build_ok();
    let article = site.read("posts/a/index.html");
    let head = between(&article, "<head>", "</head>").expect("head");
    for meta in [
        r#"<html lang="zh-CN">"#,
        r#"<link rel="canonical" href="https://example.com/notes/posts/a/">"#,
        r#"<meta property="og:type" content="article">"#,
        r#"<meta property="og:title" content="第0篇 &lt;a&gt;">"#,
        r#"<link rel="alternate" type="application/atom+xml""#,
        r#"href="/notes/atom.xml""#,
        r#"<meta name="description" content="摘要部分，含x_0。"#,
        r#"<title>第0篇 &lt;a&gt; · 笔记 &amp; &lt;测试&gt;</title>"#,
    ] {
        assert!(article.contains(meta), "{meta} in\n{head}");
    }
}

#[test]
fn archives_group_articles_by_year_and_month() {
    let site = site();
    site.build_ok();
    let archives = site.read("archives/index.html");
    let body = common::text_of(
        between(&archives, "<div class=\"archives\">", "</main>").expect("archives"),
    );
    assert_eq!(
        body,
        "2025 4 篇 11 月 第3篇 &lt;d&gt; 第1篇 &lt;b&gt; 10 月 第2篇 &lt;c&gt; 第0篇 &lt;a&gt;"
    );
}

#[test]
fn a_relative_base_url_warns_that_feeds_are_relative() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-01-01", "正文\n");
    let report = site.build_ok();
    assert!(
        lines(&report.warnings)
            .contains("blogsmith.yaml: warning: base_url `/` is not an absolute URL"),
        "{}",
        lines(&report.warnings)
    );
}
