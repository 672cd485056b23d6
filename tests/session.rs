//! A refreshed session re-renders only what a change affects, and a failed
//! refresh keeps the last good build.

mod common;

use blogsmith::Session;
use common::Fixture;

fn site_with_articles(count: usize) -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "paginate: 3\n");
    for i in 1..=count {
        site.article(
            &format!("a{i:02}.md"),
            &format!("title: 第{i}篇\ndate: 2026-01-{i:02}\ntags: [t{}]", i % 2),
            &format!("正文{i}，公式$x_{i}$。\n"),
        );
    }
    site
}

fn session(site: &Fixture) -> Session {
    let mut session = Session::new(site.options());
    let first = session.refresh().expect("first build");
    assert_eq!(
        first.report.rendered_pages, first.report.pages,
        "the first refresh renders everything"
    );
    session
}

#[test]
fn nothing_changed_renders_nothing() {
    let site = site_with_articles(7);
    let mut session = session(&site);
    let again = session.refresh().expect("refresh");
    assert_eq!(again.report.rendered_pages, 0);
    assert!(again.changed.is_empty(), "{:?}", again.changed);
}

#[test]
fn an_article_edit_changes_its_page_and_the_lists_showing_it() {
    let site = site_with_articles(7);
    let mut session = session(&site);
    // a07 is the newest: first on the index, on tag t1's first page.
    site.article(
        "a07.md",
        "title: 第7篇\ndate: 2026-01-07\ntags: [t1]",
        "改过的正文。\n",
    );
    let refreshed = session.refresh().expect("refresh");
    assert_eq!(
        refreshed.changed,
        [
            "atom.xml",
            "index.html",
            "posts/a07/index.html",
            "rss.xml",
            "search-index.json",
            "search/index.html",
            "tags/t1/atom.xml",
            "tags/t1/index.html"
        ],
        "only the article, the lists showing its excerpt, the feeds carrying it, \
         and the search index (with the page loading it)"
    );
    assert_eq!(refreshed.report.rendered_pages, 4);
    let html = String::from_utf8_lossy(match &session.files()["posts/a07/index.html"].contents {
        blogsmith::Contents::Bytes(bytes) => bytes,
        other => panic!("{other:?}"),
    })
    .into_owned();
    assert!(html.contains("改过的正文"));
}

#[test]
fn a_title_change_also_updates_the_neighbours() {
    let site = site_with_articles(5);
    let mut session = session(&site);
    site.article(
        "a03.md",
        "title: 新标题\ndate: 2026-01-03\ntags: [t1]",
        "正文3，公式$x_3$。\n",
    );
    let changed = session.refresh().expect("refresh").changed;
    for page in [
        "posts/a02/index.html",
        "posts/a03/index.html",
        "posts/a04/index.html",
    ] {
        assert!(changed.contains(&page.to_string()), "{page} in {changed:?}");
    }
    assert!(
        !changed.contains(&"posts/a01/index.html".to_string()),
        "{changed:?}"
    );
}

#[test]
fn a_template_change_rerenders_the_pages_using_it() {
    let site = site_with_articles(4);
    let mut session = session(&site);
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}新的 404{% endblock content %}",
    );
    let refreshed = session.refresh().expect("refresh");
    assert_eq!(refreshed.changed, ["404.html"]);
    site.write("templates/partials/pager.html", "<nav>pager</nav>");
    let refreshed = session.refresh().expect("refresh");
    assert!(
        refreshed.changed.iter().all(|p| !p.starts_with("posts/")),
        "articles do not use the pager: {:?}",
        refreshed.changed
    );
    assert!(refreshed.changed.contains(&"index.html".to_string()));
}

#[test]
fn added_and_removed_articles_are_seen() {
    let site = site_with_articles(3);
    let mut session = session(&site);
    site.article("new.md", "title: 新文章\ndate: 2026-02-01", "正文\n");
    let changed = session.refresh().expect("refresh").changed;
    assert!(
        changed.contains(&"posts/new/index.html".to_string()),
        "{changed:?}"
    );
    std::fs::remove_file(site.root().join("content/a01.md")).unwrap();
    let changed = session.refresh().expect("refresh").changed;
    assert!(
        changed.contains(&"posts/a01/index.html".to_string()),
        "removed pages are reported: {changed:?}"
    );
    assert!(!session.files().contains_key("posts/a01/index.html"));
}

#[test]
fn a_failed_refresh_keeps_the_last_good_build() {
    let site = site_with_articles(3);
    let mut session = session(&site);
    let before = session.files().clone();
    site.article("a02.md", "title: 坏\ndate: not-a-date", "正文\n");
    let failure = session.refresh().expect_err("bad front matter");
    assert!(
        failure
            .diagnostics
            .iter()
            .any(|d| d.to_string().starts_with("content/a02.md:3:7: error")),
        "{failure:?}"
    );
    assert_eq!(session.files(), &before);
    site.article("a02.md", "title: 好了\ndate: 2026-01-02", "正文\n");
    let refreshed = session.refresh().expect("fixed");
    assert!(
        refreshed
            .changed
            .contains(&"posts/a02/index.html".to_string())
    );
}

#[test]
fn a_config_change_rebuilds_everything() {
    let site = site_with_articles(3);
    let mut session = session(&site);
    site.write("blogsmith.yaml", "paginate: 3\ntitle: 新站名\n");
    let refreshed = session.refresh().expect("refresh");
    assert_eq!(refreshed.report.rendered_pages, refreshed.report.pages);
}

#[test]
fn same_size_rewrites_in_quick_succession_are_all_seen() {
    let site = site_with_articles(3);
    let mut session = session(&site);
    // Same length each time, faster than any file system's time stamps tick.
    for word in ["甲", "乙", "丙", "丁"] {
        site.article(
            "a02.md",
            "title: 第2篇\ndate: 2026-01-02\ntags: [t0]",
            &format!("正文{word}。\n"),
        );
        let refreshed = session.refresh().expect("refresh");
        assert!(
            refreshed
                .changed
                .contains(&"posts/a02/index.html".to_string()),
            "{word}: {:?}",
            refreshed.changed
        );
        let html = match &session.files()["posts/a02/index.html"].contents {
            blogsmith::Contents::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            other => panic!("{other:?}"),
        };
        assert!(html.contains(&format!("正文{word}")), "{word}");
    }
}

#[test]
fn editing_one_article_leaves_an_unrelated_article_page_alone() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 实时预览\n");
    site.article(
        "rope.md",
        "title: 旋转位置编码\ndate: 2026-03-01\ntags: [Transformer, 自监督学习]",
        "RoPE：$R_\\theta x$。\n",
    );
    site.article(
        "bert.md",
        "title: BERT\ndate: 2026-01-01\ntags: [自监督学习]",
        "掩码语言模型。\n",
    );
    let mut session = session(&site);
    site.article(
        "bert.md",
        "title: BERT\ndate: 2026-01-01\ntags: [自监督学习]",
        "双向编码器。\n",
    );
    let changed = session.refresh().expect("refresh").changed;
    assert!(
        !changed.contains(&"posts/rope/index.html".to_string()),
        "{changed:?}"
    );
}

#[test]
fn renaming_an_article_rerenders_the_pages_linking_to_it() {
    let site = Fixture::new();
    site.article("rope.md", "title: RoPE\ndate: 2026-01-01", "正文。\n");
    site.article(
        "attn.md",
        "title: 注意力\ndate: 2026-01-02",
        "见[旋转](rope.md)。\n",
    );
    let mut session = session(&site);
    site.article(
        "rope.md",
        "title: RoPE\ndate: 2026-01-01\nslug: rotary",
        "正文。\n",
    );
    let changed = session.refresh().expect("refresh").changed;
    assert!(
        changed.contains(&"posts/attn/index.html".to_string()),
        "{changed:?}"
    );
    let html = match &session.files()["posts/attn/index.html"].contents {
        blogsmith::Contents::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        other => panic!("{other:?}"),
    };
    assert!(html.contains("href=\"/posts/rotary/\""), "{html}");
}

fn page_html(session: &Session, file: &str) -> String {
    match &session.files()[file].contents {
        blogsmith::Contents::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reference_to_another_articles_equation_follows_its_number() {
    let site = Fixture::new();
    site.article(
        "scale.md",
        "title: 缩放\ndate: 2026-01-01",
        "$$\nq \\cdot k \\label{eq:dot}\n$$\n\n$$\n\\frac{q \\cdot k}{\\sqrt{d}} \\label{eq:scaled}\n$$\n",
    );
    site.article(
        "grad.md",
        "title: 梯度\ndate: 2026-01-02",
        "由 \\eqref{eq:scaled} 与 [](scale.md#eq:dot) 得。\n",
    );
    let mut session = session(&site);
    let html = page_html(&session, "posts/grad/index.html");
    assert!(
        html.contains("<a class=\"eqref\" href=\"/posts/scale/#eq:scaled\">(2)</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"/posts/scale/#eq:dot\">(1)</a>"),
        "{html}"
    );
    // A new equation before them renumbers both: the other article's page follows.
    site.article(
        "scale.md",
        "title: 缩放\ndate: 2026-01-01",
        "$$\nx \\label{eq:first}\n$$\n\n$$\nq \\cdot k \\label{eq:dot}\n$$\n\n$$\n\\frac{q \\cdot k}{\\sqrt{d}} \\label{eq:scaled}\n$$\n",
    );
    let changed = session.refresh().expect("refresh").changed;
    assert!(
        changed.contains(&"posts/grad/index.html".to_string()),
        "{changed:?}"
    );
    let html = page_html(&session, "posts/grad/index.html");
    assert!(html.contains("#eq:scaled\">(3)</a>"), "{html}");
    assert!(html.contains("#eq:dot\">(2)</a>"), "{html}");
    // The label gone: a located warning, and the reference shows `(??)`.
    site.article("scale.md", "title: 缩放\ndate: 2026-01-01", "没有公式。\n");
    let refreshed = session.refresh().expect("a warning, not an error");
    let messages: Vec<String> = refreshed
        .report
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("grad.md:5:3") && m.contains("`eq:scaled`")),
        "{messages:?}"
    );
    assert!(page_html(&session, "posts/grad/index.html").contains("(??)"));
}
