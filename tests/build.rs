//! Building fixture sites and checking the files written.

mod common;

use common::{Fixture, between, lines, text_of};

fn numbered_articles(site: &Fixture, count: usize, tags: &str) {
    for i in 1..=count {
        site.article(
            &format!("post-{i:02}.md"),
            &format!(
                "title: 第{i}篇\ndate: 2026-01-01 {:02}:{:02}\ntags: [{tags}]",
                i / 60,
                i % 60
            ),
            "正文。\n",
        );
    }
}

#[test]
fn writes_every_page_at_its_path() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 测试站\npaginate: 2\n");
    site.article(
        "rope.md",
        "title: RoPE\ndate: 2026-03-01\ntags: [Transformer, 位置编码]\ncategories: 深度学习",
        "正文\n",
    );
    site.article(
        "vit.md",
        "title: ViT\ndate: 2026-03-02\ntags: [Transformer]\ncategories: 计算机视觉",
        "正文\n",
    );
    site.article(
        "bert.md",
        "title: BERT\ndate: 2026-03-03\ntags: transformer\ncategories: [自然语言处理]",
        "正文\n",
    );
    let report = site.build_ok();
    assert_eq!(report.articles, 3);
    for path in [
        "index.html",
        "page/2/index.html",
        "posts/rope/index.html",
        "posts/vit/index.html",
        "posts/bert/index.html",
        "tags/index.html",
        "tags/transformer/index.html",
        "tags/transformer/page/2/index.html",
        "tags/位置编码/index.html",
        "categories/index.html",
        "categories/深度学习/index.html",
        "categories/计算机视觉/index.html",
        "categories/自然语言处理/index.html",
        "404.html",
        "search/index.html",
        "search-index.json",
        "search.js",
        "style.css",
        "highlight.css",
        "katex/katex.min.css",
        "katex/fonts/KaTeX_Main-Regular.woff2",
    ] {
        assert!(site.has(path), "missing {path}");
    }
    assert!(!site.has("page/3/index.html"));
    let html_pages = site
        .output_tree()
        .keys()
        .filter(|p| p.ends_with(".html"))
        .count();
    assert_eq!(report.pages, html_pages);
    // 3 articles + 2 index pages + tags (list + transformer×2 + 位置编码) + categories (list + 3)
    // + archives + search + 404
    assert_eq!(html_pages, 3 + 2 + 4 + 4 + 1 + 1 + 1);
}

#[test]
fn index_pages_hold_paginate_articles_newest_first() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "paginate: 4\n");
    numbered_articles(&site, 10, "t");
    site.build_ok();
    let titles = |path: &str| -> Vec<String> {
        site.read(path)
            .match_indices("<h2 class=\"entry-title\">")
            .map(|(i, _)| text_of(between(&site.read(path)[i..], "<a", "</a>").unwrap()))
            .collect()
    };
    assert_eq!(titles("index.html"), ["第10篇", "第9篇", "第8篇", "第7篇"]);
    assert_eq!(
        titles("page/2/index.html"),
        ["第6篇", "第5篇", "第4篇", "第3篇"]
    );
    assert_eq!(titles("page/3/index.html"), ["第2篇", "第1篇"]);
}

/// The pager's text on page `page` of a site with `pages` index pages.
fn pager_text(pages: usize, page: usize) -> String {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "paginate: 1\n");
    numbered_articles(&site, pages, "t");
    site.build_ok();
    let path = if page == 1 {
        "index.html".to_string()
    } else {
        format!("page/{page}/index.html")
    };
    let html = site.read(&path);
    between(&html, "<nav class=\"pager\"", "</nav>")
        .map(text_of)
        .unwrap_or_default()
}

#[test]
fn pager_for_one_page_is_absent() {
    assert_eq!(pager_text(1, 1), "");
}

#[test]
fn pager_for_three_pages() {
    assert_eq!(pager_text(3, 1), "1 2 3 下一页 →");
    assert_eq!(pager_text(3, 2), "← 上一页 1 2 3 下一页 →");
}

#[test]
fn pager_for_five_pages_reads_1_2_3_gap_5() {
    assert_eq!(pager_text(5, 1), "1 2 3 … 5 下一页 →");
    assert_eq!(pager_text(5, 5), "← 上一页 1 … 3 4 5");
}

#[test]
fn pager_for_twelve_pages() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "paginate: 1\n");
    numbered_articles(&site, 12, "t");
    site.build_ok();
    let html = site.read("page/6/index.html");
    let pager = between(&html, "<nav class=\"pager\"", "</nav>").unwrap();
    assert_eq!(text_of(pager), "← 上一页 1 … 4 5 6 7 8 … 12 下一页 →");
    assert!(
        pager.contains(r#"<span class="pager-current" aria-current="page">6</span>"#),
        "{pager}"
    );
    assert!(
        pager.contains(r#"<a class="pager-page" href="/page/12/">12</a>"#),
        "{pager}"
    );
    assert!(
        pager.contains(r#"<a class="pager-page" href="/">1</a>"#),
        "{pager}"
    );
    assert!(pager.contains(r#"rel="prev" href="/page/5/""#), "{pager}");
}

#[test]
fn excerpts_follow_marker_then_summary_then_automatic_cut() {
    let site = Fixture::new();
    site.article(
        "a-marker.md",
        "title: 标记\ndate: 2026-01-04",
        "第一段在摘要里。\n\n<!-- more -->\n\n第二段不在摘要里。\n",
    );
    site.article(
        "b-summary.md",
        "title: 摘要\ndate: 2026-01-03\nsummary: 手写的摘要，含$x^2$。",
        "正文不会出现。\n",
    );
    let long = format!("{}。{}", "甲".repeat(300), "乙".repeat(200));
    site.article(
        "c-auto.md",
        "title: 自动\ndate: 2026-01-02",
        &format!("{long}\n"),
    );
    let math_body = format!(
        "{}$\\alpha+\\beta+\\gamma${}",
        "丙".repeat(348),
        "丁".repeat(100)
    );
    site.article(
        "d-math.md",
        "title: 公式\ndate: 2026-01-01",
        &format!("{math_body}\n"),
    );
    site.build_ok();
    let index = site.read("index.html");
    let excerpt = |title: &str| -> String {
        let at = index
            .find(&format!(">{title}</a>"))
            .unwrap_or_else(|| panic!("{title} not listed"));
        between(
            &index[at..],
            "<div class=\"entry-excerpt prose\">",
            "</div>",
        )
        .unwrap()
        .to_string()
    };
    let marker = excerpt("标记");
    assert!(
        marker.contains("第一段在摘要里") && !marker.contains("第二段"),
        "{marker}"
    );
    let summary = excerpt("摘要");
    assert!(
        summary.contains("手写的摘要") && summary.contains("class=\"katex\""),
        "summary math is typeset: {summary}"
    );
    assert!(!summary.contains("正文不会出现"));
    let auto = text_of(&excerpt("自动"));
    assert_eq!(
        auto,
        format!("{}。…", "甲".repeat(300)),
        "cut after the sentence end in the last third"
    );
    let math = excerpt("公式");
    assert!(
        !math.contains("katex"),
        "a formula that does not fit is left out whole: {math}"
    );
    assert!(
        text_of(&math).ends_with(&format!("{}…", "丙".repeat(348))),
        "{}",
        text_of(&math)
    );
    assert!(
        index.contains("src:url(/katex/fonts/KaTeX_Main-Regular.woff2)"),
        "lists with math carry the KaTeX CSS inline, its fonts at the site root"
    );
}

#[test]
fn chinese_tags_get_chinese_slugs_and_encoded_links() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01\ntags: [自监督学习, PyTorch]",
        "正文\n",
    );
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02\ntags: [pytorch]",
        "正文\n",
    );
    site.build_ok();
    assert!(site.has("tags/自监督学习/index.html"));
    assert!(site.has("tags/pytorch/index.html"));
    assert!(
        !site.has("tags/PyTorch/index.html"),
        "tags differing in case are one page"
    );
    let article = site.read("posts/a/index.html");
    assert!(
        article.contains(
            r#"href="/tags/%E8%87%AA%E7%9B%91%E7%9D%A3%E5%AD%A6%E4%B9%A0/">#自监督学习</a>"#
        ),
        "{article}"
    );
    let tags = site.read("tags/index.html");
    assert!(
        tags.contains(r#"<a href="/tags/pytorch/">PyTorch</a> <span class="count">2</span>"#),
        "{tags}"
    );
    let term = site.read("tags/pytorch/index.html");
    assert!(term.contains(">A</a>") && term.contains(">B</a>"));
}

#[test]
fn headings_get_chinese_unique_ids_and_a_toc() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "## 注意力机制\n\n正文\n\n## 注意力机制\n\n### Multi-Head Attention\n",
    );
    site.build_ok();
    let html = site.read("posts/a/index.html");
    assert!(
        html.contains(r#"<h2 id="注意力机制">注意力机制</h2>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<h2 id="注意力机制-1">注意力机制</h2>"#),
        "{html}"
    );
    assert!(html.contains(r#"<h3 id="multi-head-attention">"#), "{html}");
    assert!(
        html.contains(r##"<a href="#注意力机制-1">注意力机制</a>"##),
        "TOC links to the second heading: {html}"
    );
}

#[test]
fn front_matter_errors_point_at_the_article_line_and_keep_checking() {
    let site = Fixture::new();
    site.article(
        "bad-date.md",
        "title: 好\ntags: [a]\ndate: yesterday",
        "正文\n",
    );
    site.article("bad-yaml.md", "title: [unclosed", "正文\n");
    site.article("fine.md", "title: 正常\ndate: 2026-01-01", "正文\n");
    let failure = site.build().expect_err("bad front matter fails the build");
    let messages = lines(&failure.diagnostics);
    assert!(
        messages.contains("content/bad-date.md:4:7: error: `date` must be a date, not `yesterday`"),
        "{messages}"
    );
    assert!(
        messages.contains("content/bad-yaml.md:2:8: error: invalid front matter"),
        "{messages}"
    );
    assert_eq!(failure.errors().count(), 2, "{messages}");
    assert!(!site.public().exists(), "nothing is written on failure");
}

#[test]
fn missing_front_matter_is_inferred() {
    let site = Fixture::new();
    site.write("content/2026-02-03-hello.md", "# 你好世界\n\n正文。\n");
    site.write("content/plain.md", "没有标题的文章。\n");
    let report = site.build_ok();
    let hello = site.read("posts/hello/index.html");
    assert!(
        hello.contains("<h1 class=\"post-title\">你好世界</h1>"),
        "title from the first # heading"
    );
    assert!(
        hello.contains(r#"<time datetime="2026-02-03T00:00:00+08:00">2026-02-03</time>"#),
        "date from the file name"
    );
    assert_eq!(
        hello.matches("你好世界</h1>").count(),
        1,
        "the heading is not repeated in the body"
    );
    let plain = site.read("posts/plain/index.html");
    assert!(
        plain.contains("<h1 class=\"post-title\">plain</h1>"),
        "title from the file stem"
    );
    let warning = report
        .warnings
        .iter()
        .find(|w| w.path.ends_with("plain.md"))
        .expect("a warning for the guessed date");
    assert!(warning.message.contains("modification time"), "{warning}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Fixture::new();
    site.article(
        "draft.md",
        "title: 草稿\ndate: 2026-01-01\ndraft: true\ntags: [秘密]",
        "正文\n",
    );
    site.article("public.md", "title: 公开\ndate: 2026-01-02", "正文\n");
    site.build_ok();
    assert!(!site.has("posts/draft/index.html"));
    assert!(!site.has("tags/秘密/index.html"));
    assert!(!site.read("index.html").contains("草稿"));
    let options = blogsmith::BuildOptions {
        drafts: true,
        ..site.options()
    };
    blogsmith::build(&options).expect("builds");
    assert!(site.has("posts/draft/index.html"));
    assert!(site.has("tags/秘密/index.html"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Fixture::new();
    site.article("a.md", "title: 第一版\ndate: 2026-01-01", "正文\n");
    site.build_ok();
    let before = site.output_tree();
    site.article("a.md", "title: 第二版\ndate: never", "正文\n");
    assert!(site.build().is_err());
    assert_eq!(site.output_tree(), before);
}

#[test]
fn files_beside_an_article_are_copied_beside_its_page() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "![图](fig.png)\n\n![子](img/%E5%9B%BE.svg)\n",
    );
    site.write("content/fig.png", "png");
    site.write("content/img/图.svg", "svg");
    site.write(
        "content/bundle/index.md",
        "---\ntitle: B\ndate: 2026-01-02\n---\n正文\n",
    );
    site.write("content/bundle/data.csv", "1,2");
    site.build_ok();
    assert_eq!(site.read("posts/a/fig.png"), "png");
    assert_eq!(site.read("posts/a/img/图.svg"), "svg");
    assert_eq!(site.read("posts/bundle/data.csv"), "1,2");
}

#[test]
fn math_and_code_render_into_the_page() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "式中$x_i$和$y_i$是样本。\n\n$$\nL = \\sum_i (y_i - \\hat y_i)^2\n$$\n\n```python\nprint('hi')\n```\n",
    );
    site.article("b.md", "title: B\ndate: 2026-01-02", "没有公式。\n");
    let report = site.build_ok();
    assert_eq!(report.formulas, 3);
    assert_eq!(report.code_blocks, 1);
    let a = site.read("posts/a/index.html");
    assert!(
        a.contains("<div class=\"math display\"><span class=\"katex-display\">"),
        "{a}"
    );
    assert!(a.contains("font-display:swap;font-family:KaTeX_Main"));
    assert!(a.contains("data-lang=\"python\""));
    assert!(
        !site.read("posts/b/index.html").contains("KaTeX_Main"),
        "pages without math skip the KaTeX CSS"
    );
}

#[test]
fn site_templates_override_the_built_in_theme() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-01-01", "正文\n");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}自定义 404{% endblock content %}",
    );
    site.write("static/style.css", "body{}");
    site.build_ok();
    assert!(site.read("404.html").contains("自定义 404"));
    assert_eq!(site.read("style.css"), "body{}");
    assert!(
        site.read("posts/a/index.html").contains("<style>body{}\n"),
        "pages carry the site's own stylesheet inline"
    );
}

#[test]
fn template_errors_carry_file_line_and_column() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-01-01", "正文\n");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n  {{ nope }}\n{% endblock content %}",
    );
    let failure = site.build().expect_err("undefined variables are errors");
    let messages = lines(&failure.diagnostics);
    assert!(
        messages.contains(
            "templates/404.html:3:6: error: template error: Variable `nope` is not defined"
        ),
        "{messages}"
    );
}

#[test]
fn unknown_config_keys_are_errors_with_a_hint() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: x\nsumary_length: 3\n");
    let failure = site.build().expect_err("unknown key");
    let messages = lines(&failure.diagnostics);
    assert!(
        messages.starts_with("blogsmith.yaml:2:1: error: unknown field `sumary_length`"),
        "{messages}"
    );
    assert!(
        messages.contains("did you mean `summary_length`?"),
        "{messages}"
    );
}

#[test]
fn articles_at_one_address_name_both_files() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-01-01\nslug: same", "正文\n");
    site.article("b.md", "title: B\ndate: 2026-01-01\nslug: same", "正文\n");
    let failure = site.build().expect_err("duplicate slug");
    let messages = lines(&failure.diagnostics);
    assert!(
        messages
            .contains("content/a.md: error: `/posts/same/` is also the address of content/b.md"),
        "{messages}"
    );
}

#[test]
fn config_macros_apply_to_every_page() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nmath:\n  macros:\n    \"\\\\R\": \"\\\\mathbb{R}\"\n",
    );
    site.article("a.md", "title: A\ndate: 2026-01-01", "设$x \\in \\R^d$。\n");
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02",
        "$$\nW \\in \\R^{m \\times n}\n$$\n",
    );
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    for page in ["posts/a/index.html", "posts/b/index.html"] {
        let html = site.read(page);
        assert!(html.contains("mathbb"), "{page} uses the macro");
        assert!(!html.contains("class=\"katex-error"), "{page}");
    }
}

#[test]
fn code_blocks_take_titles_line_numbers_and_highlighted_lines() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "```python,linenos,linenostart=5,hl_lines=2,title=\"train.py\"\nimport torch\nx = 1\ny = 2\n```\n\n```rust,wat\nfn main() {}\n```\n",
    );
    let report = site.build_ok();
    let html = site.read("posts/a/index.html");
    assert!(html.contains(r#"<figure class="code-block"><figcaption>train.py</figcaption><pre class="code linenos" data-lang="python">"#), "{html}");
    assert!(
        html.contains(r#"<span class="line hl"><span class="ln" data-n="6"></span>"#),
        "{html}"
    );
    assert!(html.contains("code.js"), "the copy button script is linked");
    let warnings = lines(&report.warnings);
    assert!(
        warnings.contains("content/a.md:11:1: warning: unknown code block annotation `wat`"),
        "{warnings}"
    );
}

#[test]
fn raw_html_is_kept_unless_unsafe_html_is_off() {
    let site = Fixture::new();
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "<div class=\"note\">注意</div>\n\n正文<b>粗</b>。\n",
    );
    site.build_ok();
    assert!(
        site.read("posts/a/index.html")
            .contains("<div class=\"note\">注意</div>")
    );
    site.write("blogsmith.yaml", "markdown:\n  unsafe_html: false\n");
    site.build_ok();
    let html = site.read("posts/a/index.html");
    assert!(
        html.contains("&lt;div class=&quot;note&quot;&gt;注意&lt;/div&gt;"),
        "{html}"
    );
    assert!(html.contains("正文&lt;b&gt;粗&lt;/b&gt;。"), "{html}");
}

#[test]
fn mermaid_goes_out_only_with_a_diagram() {
    let site = Fixture::new();
    site.article("a.md", "title: A\ndate: 2026-01-01", "正文。\n");
    site.build_ok();
    assert!(
        !site.has("mermaid/mermaid.min.js"),
        "no diagram, no 3.5 MB script"
    );
    assert!(!site.read("posts/a/index.html").contains("mermaid"));
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02",
        "```mermaid\nflowchart LR\n  a --> b\n```\n",
    );
    site.build_ok();
    assert!(site.has("mermaid/mermaid.min.js"));
    let page = site.read("posts/b/index.html");
    assert!(
        page.contains("<pre class=\"mermaid\">flowchart LR\n  a --&gt; b\n</pre>"),
        "{page}"
    );
    assert!(page.contains("mermaid/mermaid.min.js"), "{page}");
    assert!(!site.read("posts/a/index.html").contains("mermaid.min.js"));
}
