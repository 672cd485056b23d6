//! Blogs moved from Hexo, Jekyll and Hugo build as they are: their folder
//! layouts, their front matter languages, keys and date forms (issue 13).
//! Each fixture is written in its generator's own conventions.

mod common;

use common::{Fixture, lines};

const CONFIG: &str = "title: 迁移测试\nbase_url: https://example.com/\ntimezone: Asia/Shanghai\n";

/// A Hexo blog's `source/` folder copied into `content/`.
fn hexo() -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write(
        "content/_posts/attention.md",
        "---\ntitle: 注意力机制笔记\ndate: 2019-7-29 10:00:00\nupdated: 2020-01-02 08:00:00\n\
         tags:\n- 深度学习\n- Transformer\ncategories:\n- [机器学习, 深度学习]\ntop: true\n\
         comments: true\nmathjax: true\n---\n\
         自注意力的结构如图：\n\n![结构图](structure.png)\n\n公式 $a_i$。\n\n\
         {% asset_img structure.png 整体结构 %}\n\n\
         {% note info %}\n**提示**：缩放因子是 $\\sqrt{d_k}$。\n{% endnote %}\n\n\
         {% codeblock attention.py lang:python %}\nscores = q @ k.T / d ** 0.5\n{% endcodeblock %}\n\n\
         下一篇：{% post_link newer 后一篇 %}；同一篇：{% post_link newer %}。\n\n\
         {% raw %}{{ 不是模板 }}{% endraw %}\n",
    );
    // Hexo's post asset folder: `attention/` beside `attention.md`.
    site.write("content/_posts/attention/structure.png", "png bytes");
    site.write(
        "content/_posts/newer.md",
        "---\ntitle: 较新的一篇\ndate: 2021/03/04\ncategories: 随笔\n---\n正文。\n",
    );
    site.write(
        "content/_drafts/wip.md",
        "---\ntitle: 草稿\ndate: 2022-01-01\n---\n未完成。\n",
    );
    site
}

#[test]
fn a_hexo_blog_builds_as_it_is() {
    let site = hexo();
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    assert_eq!(report.articles, 2, "posts, not the draft");
    let page = site.read("posts/attention/index.html");
    assert!(page.contains("2019-07-29"), "unpadded date read");
    assert!(page.contains("2020-01-02"), "updated shown");
    assert!(page.contains(r#"src="structure.png""#), "{page}");
    assert!(
        site.has("posts/attention/structure.png"),
        "asset folder copied"
    );
    // Nested categories: a page for each level, the article on both.
    let parent = site.read("categories/机器学习/index.html");
    let child = site.read("categories/机器学习/深度学习/index.html");
    assert!(parent.contains("注意力机制笔记") && child.contains("注意力机制笔记"));
    // `top: true`: first on the index although it is the older post.
    let index = site.read("index.html");
    let (pinned, newer) = (index.find("注意力机制笔记"), index.find("较新的一篇"));
    assert!(pinned < newer, "pinned first");
    assert!(index.contains(r#"<span class="pinned">置顶</span>"#));
    assert!(!site.has("posts/wip/index.html"), "drafts stay out");
    // Hexo's tags, rendered and not printed.
    assert!(!page.contains("{%"), "no tag debris: {page}");
    assert!(
        page.contains(r#"<img src="structure.png" alt="整体结构""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<div class="callout callout-info">"#)
            && page.contains("<strong>提示</strong>")
    );
    assert!(page.contains(r#"class="katex""#), "math inside a note");
    assert!(
        page.contains(
            r#"<figcaption>attention.py</figcaption><pre class="code" data-lang="python">"#
        ),
        "codeblock with its title: {page}"
    );
    assert!(
        page.contains(r#"<a href="/posts/newer/">后一篇</a>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"同一篇：<a href="/posts/newer/">较新的一篇</a>"#),
        "post_link without a text shows the post's title: {page}"
    );
    assert!(page.contains("{{ 不是模板 }}"));
    let drafts = blogsmith::build(&blogsmith::BuildOptions {
        drafts: true,
        output: site.root().join("with-drafts"),
        ..site.options()
    })
    .expect("builds with drafts");
    assert_eq!(drafts.articles, 3);
}

#[test]
fn a_jekyll_blog_builds_as_it_is() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write(
        "content/_posts/2020-11-12-gradient-descent.md",
        "---\nlayout: post\ntitle: 梯度下降\ndate: 2020-11-12 17:04:19 +0800\n\
         categories: ml optimization\ntags: [优化]\n---\n正文。\n",
    );
    site.write(
        "content/_posts/2021-01-01-hidden.md",
        "---\nlayout: post\ntitle: 不发布\npublished: false\n---\n正文。\n",
    );
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    assert_eq!(report.articles, 1);
    let page = site.read("posts/gradient-descent/index.html");
    assert!(
        page.contains("2020-11-12T17:04:19+08:00"),
        "Jekyll's date form"
    );
    assert!(site.has("categories/ml/index.html") && site.has("categories/optimization/index.html"));
}

#[test]
fn a_hugo_site_builds_as_it_is() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write(
        "content/posts/svm/index.md",
        "+++\ntitle = \"支持向量机\"\ndate = 2021-03-04T10:00:00+08:00\n\
         lastmod = 2021-05-06T10:00:00+08:00\ndescription = \"SVM 的对偶形式\"\n\
         tags = [\"SVM\"]\ncategories = [\"机器学习\"]\ndraft = false\nweight = 3\n+++\n\
         ![间隔](margin.png)\n\n\
         {{< figure src=\"margin.png\" caption=\"最大间隔\" >}}\n\n\
         {{< details \"推导\" >}}\n拉格朗日乘子。\n{{< /details >}}\n\n\
         另见[核方法]({{< ref \"posts/kernels.md\" >}})。\n\n\
         {{< highlight python >}}\nsvm.fit(X, y)\n{{< /highlight >}}\n",
    );
    site.write("content/posts/svm/margin.png", "png bytes");
    site.write(
        "content/posts/kernels.md",
        "{\n  \"title\": \"核方法\",\n  \"date\": \"2021-02-01\",\n  \"tags\": [\"SVM\"]\n}\n核技巧。\n",
    );
    site.write(
        "content/posts/unix.md",
        "+++\ntitle = \"时间戳\"\ndate = 1577836800\n+++\n正文。\n",
    );
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    assert_eq!(report.articles, 3);
    let svm = site.read("posts/svm/index.html");
    assert!(
        svm.contains(r#"content="SVM 的对偶形式""#),
        "description is the meta description"
    );
    assert!(svm.contains("2021-05-06"), "lastmod shown");
    assert!(site.has("posts/svm/margin.png"));
    assert!(!svm.contains("{{"), "no shortcode debris: {svm}");
    assert!(
        svm.contains(r#"<img src="margin.png" alt="最大间隔""#),
        "{svm}"
    );
    assert!(svm.contains("<details><summary>推导</summary>") && svm.contains("拉格朗日乘子"));
    assert!(
        svm.contains(r#"<a href="/posts/kernels/">核方法</a>"#),
        "{svm}"
    );
    assert!(site.read("posts/kernels/index.html").contains("核技巧"));
    assert!(site.read("posts/unix/index.html").contains("2020-01-01"));
    assert!(site.read("tags/svm/index.html").contains("核方法"));
}

#[test]
fn what_is_skipped_or_unused_is_said() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write("content/_partials/a.md", "# 片段\n");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01\nlang: zh-CN\ncover: x.png",
        "正文。\n",
    );
    site.article("b.md", "title: B\ndate: 2026-01-02\nlang: en", "正文。\n");
    let report = site.build_ok();
    let warnings = lines(&report.warnings);
    assert!(
        warnings.contains(
            "content/_partials: warning: 1 Markdown file(s) in this folder are not built"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains("front matter keys nothing uses: `cover` (content/a.md), `lang` (content/a.md and 1 more)"),
        "{warnings}"
    );
    // A template that shows `page.extra.cover` uses it.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.extra.cover | default(value=\"\") }}{% endblock content %}",
    );
    let warnings = lines(&site.build_ok().warnings);
    assert!(
        warnings.contains("nothing uses: `lang`") && !warnings.contains("`cover`"),
        "{warnings}"
    );
}

#[test]
fn tags_blogsmith_does_not_know_are_warnings_where_they_are() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "正文。\n\n{% include toc.html %}\n\n{{< tweet 123 >}}\n\n`{% in code %}`\n",
    );
    let report = site.build_ok();
    let warnings = lines(&report.warnings);
    assert!(
        warnings.contains(
            "content/a.md:7:1: warning: `{% include toc.html %}` is a tag blogsmith does not know"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains("content/a.md:9:1: warning: `{{< tweet 123 >}}`"),
        "{warnings}"
    );
    assert_eq!(report.warnings.len(), 2, "{warnings}");
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02",
        "{% note %}\n没有结尾\n",
    );
    let failure = site.build().expect_err("an unclosed block");
    assert!(
        lines(&failure.diagnostics)
            .contains("content/b.md:5:1: error: block never closed with `{% endnote %}`"),
        "{}",
        lines(&failure.diagnostics)
    );
}

#[test]
fn an_unreadable_date_names_the_accepted_forms() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write(
        "content/_posts/a.md",
        "---\ntitle: A\ndate: 29.07.2019\n---\n正文。\n",
    );
    site.write(
        "content/_posts/b.md",
        "+++\ntitle = \"B\"\ndate = \"someday\"\n+++\n正文。\n",
    );
    let failure = site.build().expect_err("two bad dates");
    let text = lines(&failure.diagnostics);
    assert!(
        text.contains("content/_posts/a.md:3:7: error: `date` must be a date, not `29.07.2019`"),
        "{text}"
    );
    assert!(
        text.contains("content/_posts/b.md:3:8: error: `date` must be a date"),
        "{text}"
    );
    assert!(text.contains("2026/01/11"), "the accepted forms: {text}");
}

#[test]
fn old_addresses_keep_working() {
    let site = hexo();
    site.write(
        "blogsmith.yaml",
        &format!("{CONFIG}permalink: :year/:month/:day/:title/\n"),
    );
    site.write(
        "content/_posts/moved.md",
        "---\ntitle: 搬过家的文章\ndate: 2018-05-06\naliases: [/old/moved.html, /archives/123/]\n---\n\
         见[注意力](attention.md)。\n",
    );
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    // Hexo's default pattern, in the site's time zone.
    assert!(
        site.read("2019/07/29/attention/index.html")
            .contains("注意力机制笔记")
    );
    assert!(
        site.has("2019/07/29/attention/structure.png"),
        "assets follow the page"
    );
    let moved = site.read("2018/05/06/moved/index.html");
    assert!(
        moved.contains(r#"href="/2019/07/29/attention/""#),
        "links follow: {moved}"
    );
    // Every alias redirects, with the canonical address, and is listed nowhere.
    for alias in ["old/moved.html", "archives/123/index.html"] {
        let page = site.read(alias);
        assert!(
            page.contains(r#"<meta http-equiv="refresh" content="0; url=https://example.com/2018/05/06/moved/">"#)
                && page.contains(r#"<link rel="canonical" href="https://example.com/2018/05/06/moved/">"#),
            "{alias}: {page}"
        );
    }
    assert!(!site.read("sitemap.xml").contains("old/moved"));
    assert!(!site.read("search-index.json").contains("old/moved"));
}

#[test]
fn jekyll_s_default_pattern_writes_html_files() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        &format!("{CONFIG}permalink: /:categories/:year/:month/:day/:title.html\n"),
    );
    site.write(
        "content/_posts/2020-11-12-gradient-descent.md",
        "---\ntitle: 梯度下降\ncategories: ml\n---\n正文。\n",
    );
    site.build_ok();
    let page = site.read("ml/2020/11/12/gradient-descent.html");
    assert!(page.contains("梯度下降"));
    assert!(
        site.read("index.html")
            .contains(r#"href="/ml/2020/11/12/gradient-descent.html""#)
    );
}

#[test]
fn clashing_addresses_and_unknown_tokens_are_errors() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        &format!("{CONFIG}permalink: /:year/:titel/\n"),
    );
    site.article("a.md", "title: A\ndate: 2026-01-01", "正文。\n");
    let failure = site.build().expect_err("unknown token");
    let text = lines(&failure.diagnostics);
    assert!(
        text.contains(
            "blogsmith.yaml:4:1: error: permalink `/:year/:titel/`: unknown token `:titel`"
        ),
        "{text}"
    );
    site.write("blogsmith.yaml", CONFIG);
    site.article(
        "b.md",
        "title: B\ndate: 2026-01-02\naliases: [/posts/a/, /x/]",
        "正文。\n",
    );
    site.article(
        "c.md",
        "title: C\ndate: 2026-01-03\naliases: [/x/]",
        "正文。\n",
    );
    site.article(
        "d.md",
        "title: D\ndate: 2026-01-04\naliases: [../up/]\npermalink: /posts/a/",
        "正文。\n",
    );
    let failure = site.build().expect_err("aliases clash");
    let text = lines(&failure.diagnostics);
    assert!(
        text.contains(
            "content/b.md:4:10: error: alias `posts/a/index.html` is already the address of content/a.md"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "content/c.md:4:10: error: alias `x/index.html` is already the address of content/b.md"
        ),
        "{text}"
    );
    assert!(
        text.contains("content/d.md:4:10: error: the alias `../up/` gives no page inside the site"),
        "{text}"
    );
    assert!(
        text.contains("content/d.md:5:12: error: `/posts/a/` is also the address of content/a.md"),
        "reported where the permalink is written: {text}"
    );
}

#[test]
fn check_tells_the_truth_about_links() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", CONFIG);
    site.write("static/img/a.png", "png");
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "<a id=\"softgap\"></a>软间隔。\n\n<span name='hard'>硬</span>\n\n\
         [到软间隔](#softgap)，[到硬](#hard)，[Typora 式](about:blank#小结)。\n\n## 小结\n\n\
         [B](/posts/b/)、[图](/img/a.png)、[首页](/)、[坏](/posts/nope/)、[本地](file:///C:/x.pdf)\n",
    );
    site.article("b.md", "title: B\ndate: 2026-01-02", "正文。\n");
    let report = site.build_ok();
    let warnings = lines(&report.warnings);
    assert!(
        !warnings.contains("softgap") && !warnings.contains("`#hard`"),
        "HTML ids are targets: {warnings}"
    );
    assert!(
        warnings.contains("content/a.md:9:30: warning: `about:blank#小结` is an editor's link within the note (Typora writes them)"),
        "{warnings}"
    );
    assert!(
        warnings.contains("content/a.md:13:40: warning: broken link: `/posts/nope/` is no page or file of this site"),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "content/a.md:13:58: warning: `file:///C:/x.pdf` is a file on the author's disk"
        ),
        "{warnings}"
    );
    assert_eq!(report.warnings.len(), 3, "{warnings}");
    let page = site.read("posts/a/index.html");
    assert!(
        page.contains(r##"<a href="#%E5%B0%8F%E7%BB%93">Typora 式</a>"##),
        "{page}"
    );
    // `check` (strict) fails on the broken ones.
    let failure = blogsmith::check(&site.options()).expect_err("broken links are errors in check");
    assert_eq!(
        failure.errors().count(),
        2,
        "{}",
        lines(&failure.diagnostics)
    );
}
