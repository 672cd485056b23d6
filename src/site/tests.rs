use super::*;
use crate::content::{Page, parse_date};

fn page(slug: &str, date: &str, tags: &[&str]) -> std::sync::Arc<Article> {
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    std::sync::Arc::new(Article {
        page: Page {
            source: PathBuf::from(format!("content/{slug}.md")),
            relative: PathBuf::from(format!("{slug}.md")),
            slug: slug.into(),
            title: slug.to_uppercase(),
            date: parse_date(date, &tz).unwrap(),
            updated: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            categories: vec!["深度学习".into()],
            summary: None,
            description: None,
            permalink: None,
            aliases: Vec::new(),
            permalink_at: None,
            aliases_at: None,
            bibliography: Vec::new(),
            bibliography_at: None,
            pinned: false,
            draft: false,
            extra: BTreeMap::new(),
            body: String::new(),
            body_line: 1,
            is_bundle: false,
            date_from_file_time: false,
            generated_html: Vec::new(),
            line_map: Vec::new(),
        },
        toc: Vec::new(),
        description: String::new(),
        excerpt: Default::default(),
        formulas: 0,
        code_blocks: 0,
        diagrams: 0,
        text: Default::default(),
        local_links: Vec::new(),
        root_links: Vec::new(),
        external_links: Vec::new(),
        html_anchors: Vec::new(),
        labels: Vec::new(),
        source_hash: 0,
        bibliographies: Vec::new(),
    })
}

fn config(paginate: usize) -> Config {
    Config {
        paginate,
        base_url: "https://example.com/".into(),
        ..Config::default()
    }
}

#[test]
fn posts_are_newest_first_with_ties_by_title() {
    let pages = vec![
        page("b", "2026-01-01", &[]),
        page("c", "2026-02-01", &[]),
        page("a", "2026-01-01", &[]),
    ];
    let (site, _) = Site::assemble(&pages, &config(10), &[]);
    let order: Vec<&str> = site.posts.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(order, ["c", "a", "b"]);
    assert_eq!(site.posts[1].newer.as_ref().unwrap().url, "/posts/c/");
    assert_eq!(site.posts[1].older.as_ref().unwrap().url, "/posts/b/");
    assert!(site.posts[0].newer.is_none());
}

#[test]
fn tags_differing_in_case_are_one_term_with_chinese_slugs() {
    let pages = vec![
        page("a", "2026-01-01", &["PyTorch", "自监督学习"]),
        page("b", "2026-01-02", &["pytorch"]),
    ];
    let (site, diagnostics) = Site::assemble(&pages, &config(10), &[]);
    assert!(diagnostics.is_empty());
    let tags = &site.taxonomies[0];
    assert_eq!(tags.terms.len(), 2);
    assert_eq!(tags.terms[0].name, "PyTorch");
    assert_eq!(tags.terms[0].count, 2);
    assert_eq!(
        tags.terms[1].url,
        "/tags/%E8%87%AA%E7%9B%91%E7%9D%A3%E5%AD%A6%E4%B9%A0/"
    );
    let b = site.posts.iter().find(|p| p.slug == "b").unwrap();
    assert_eq!(b.tags[0].name, "PyTorch", "links show the term's name");
    assert_eq!(b.tags[0].url, "/tags/pytorch/");
}

#[test]
fn list_pages_paginate_the_index_and_terms() {
    let pages: Vec<std::sync::Arc<Article>> = (1..=25)
        .map(|i| page(&format!("p{i:02}"), &format!("2026-01-{i:02}"), &["t"]))
        .collect();
    let (site, _) = Site::assemble(&pages, &config(10), &[]);
    let lists = site.list_pages();
    let index: Vec<&ListPage> = lists.iter().filter(|l| l.kind == ListKind::Index).collect();
    assert_eq!(
        index.iter().map(|l| l.posts.len()).collect::<Vec<_>>(),
        [10, 10, 5]
    );
    assert_eq!(index[0].output_dir, "");
    assert_eq!(index[1].output_dir, "page/2");
    assert_eq!(index[1].paginator.prev_url.as_deref(), Some("/"));
    assert_eq!(index[1].paginator.next_url.as_deref(), Some("/page/3/"));
    let term_dirs: Vec<&str> = lists
        .iter()
        .filter(|l| l.kind != ListKind::Index)
        .map(|l| l.output_dir.as_str())
        .collect();
    assert!(term_dirs.contains(&"tags/t/page/3"), "{term_dirs:?}");
    let covered: usize = index.iter().map(|l| l.posts.len()).sum();
    assert_eq!(covered, 25);
}

#[test]
fn base_path_prefixes_urls() {
    let mut c = config(10);
    c.base_url = "https://example.com/notes/".into();
    let (site, _) = Site::assemble(&[page("a", "2026-01-01", &["x"])], &c, &[]);
    assert_eq!(site.posts[0].url, "/notes/posts/a/");
    assert_eq!(
        site.posts[0].permalink,
        "https://example.com/notes/posts/a/"
    );
    assert_eq!(site.posts[0].tags[0].url, "/notes/tags/x/");
    assert_eq!(site.posts[0].date_iso, "2026-01-01T00:00:00+08:00");
}

#[test]
fn links_between_articles_point_at_their_pages_in_the_html_and_excerpt() {
    use crate::diagnostic::Position;
    use crate::markdown::LINK_MARKER;
    let link = |url: &str| LocalLink {
        url: url.into(),
        position: Position::new(3, 1),
    };
    let a = std::sync::Arc::new(Article {
        local_links: vec![link("b.md#x"), link("fig.png")],
        excerpt: crate::markdown::Excerpt {
            html: format!("<a href=\"{LINK_MARKER}1\">图</a>").into(),
            ..Default::default()
        },
        ..(*page("a", "2026-01-02", &[])).clone()
    });
    let b = page("b", "2026-01-01", &[]);
    let (site, diagnostics) = Site::assemble(&[a, b], &config(10), &[PathBuf::from("fig.png")]);
    let a = site.posts.iter().find(|p| p.slug == "a").unwrap();
    let html = a.resolve_links(&format!(
        "<a href=\"{LINK_MARKER}0\">B</a><img src=\"{LINK_MARKER}1\">"
    ));
    assert_eq!(html, "<a href=\"/posts/b/#x\">B</a><img src=\"fig.png\">");
    let empty = a.resolve_links(&format!("<a href=\"{LINK_MARKER}0\"></a>"));
    assert_eq!(
        empty, "<a href=\"/posts/b/#x\">B</a>",
        "an empty link shows the title"
    );
    assert_eq!(
        &*a.excerpt, "<a href=\"/posts/a/fig.png\">图</a>",
        "absolute in lists"
    );
    let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("no heading `#x` in b.md"),
        "{messages:?}"
    );
}

#[test]
fn references_find_labels_across_the_site() {
    use crate::diagnostic::Position;
    use crate::markdown::{LINK_MARKER, Label};
    let link = |url: &str, line: usize| LocalLink {
        url: url.into(),
        position: Position::new(line, 1),
    };
    let label = |name: &str, number: &str, text: &str, line: usize| Label {
        name: name.into(),
        number: number.into(),
        text: text.into(),
        position: Position::new(line, 1),
    };
    let a = std::sync::Arc::new(Article {
        local_links: vec![
            link("\\eqref{eq:scale}", 3),
            link("\\ref{thm:own}", 4),
            link("b.md#eq:scale", 5),
            link("\\eqref{eq:none}", 6),
            link("\\ref{<x y>}", 7),
        ],
        labels: vec![label("thm:own", "1", "定理 1", 2)],
        ..(*page("a", "2026-01-02", &[])).clone()
    });
    let b = std::sync::Arc::new(Article {
        labels: vec![
            label("eq:scale", "3", "(3)", 9),
            label("thm:own", "2", "定理 2", 10),
        ],
        html_anchors: vec!["eq:scale".into(), "thm:own".into()],
        ..(*page("b", "2026-01-01", &[])).clone()
    });
    let (site, diagnostics) = Site::assemble(&[a.clone(), b.clone()], &config(10), &[]);
    let post = site.posts.iter().find(|p| p.slug == "a").unwrap();
    let html = post.resolve_links(&format!(
        "<a class=\"eqref\" href=\"{LINK_MARKER}0\"></a> <a href=\"{LINK_MARKER}1\"></a> \
         <a href=\"{LINK_MARKER}2\"></a> <a href=\"{LINK_MARKER}3\"></a> <a href=\"{LINK_MARKER}4\"></a>"
    ));
    assert_eq!(
        html,
        "<a class=\"eqref\" href=\"/posts/b/#eq:scale\">(3)</a> <a href=\"#thm:own\">1</a> \
         <a href=\"/posts/b/#eq:scale\">(3)</a> <a href=\"#eq:none\">(??)</a> <a href=\"#&lt;x y&gt;\">??</a>",
        "another article's equation, the article's own theorem (not b's), an empty link to a label, unknown labels"
    );
    let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("b.md:10:1")
            && m.contains("`thm:own` is also defined at content/a.md:2:1")),
        "a duplicate is reported where it is defined the second time: {messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("a.md:6:1") && m.contains("`eq:none`")),
        "{messages:?}"
    );
    // The page shows b's number: when it changes, a's page must be rendered again.
    let b2 = std::sync::Arc::new(Article {
        labels: vec![label("eq:scale", "4", "(4)", 9)],
        ..(*b).clone()
    });
    let a_again = site
        .posts
        .iter()
        .find(|p| p.slug == "a")
        .unwrap()
        .source_hash;
    let (site2, _) = Site::assemble(&[a, b2], &config(10), &[]);
    let a2 = site2.posts.iter().find(|p| p.slug == "a").unwrap();
    assert_ne!(a2.source_hash, a_again);
}

#[test]
fn nested_categories_have_a_page_per_level() {
    let mut a = (*page("a", "2026-01-02", &[])).clone();
    a.page.categories = vec!["机器学习/优化".into()];
    let mut b = (*page("b", "2026-01-01", &[])).clone();
    b.page.categories = vec!["机器学习".into()];
    let (site, diagnostics) = Site::assemble(
        &[std::sync::Arc::new(a), std::sync::Arc::new(b)],
        &config(10),
        &[],
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let categories = &site.taxonomies[1];
    let terms: Vec<(&str, &str, usize)> = categories
        .terms
        .iter()
        .map(|t| (t.name.as_str(), t.slug.as_str(), t.count))
        .collect();
    assert_eq!(
        terms,
        [
            ("机器学习", "机器学习", 2),
            ("机器学习/优化", "机器学习/优化", 1)
        ]
    );
    let a = site.posts.iter().find(|p| p.slug == "a").unwrap();
    assert_eq!(
        a.categories[0].url,
        "/categories/%E6%9C%BA%E5%99%A8%E5%AD%A6%E4%B9%A0/%E4%BC%98%E5%8C%96/"
    );
}

#[test]
fn pinned_articles_lead_the_index_only() {
    let mut old = (*page("old", "2020-01-01", &["t"])).clone();
    old.page.pinned = true;
    let pages = vec![
        page("new", "2026-01-02", &["t"]),
        std::sync::Arc::new(old),
        page("mid", "2024-01-01", &["t"]),
    ];
    let (site, _) = Site::assemble(&pages, &config(10), &[]);
    let lists = site.list_pages();
    let slugs = |kind: ListKind| -> Vec<&str> {
        let list = lists.iter().find(|l| l.kind == kind).unwrap();
        list.posts
            .iter()
            .map(|&i| site.posts[i].slug.as_str())
            .collect()
    };
    assert_eq!(slugs(ListKind::Index), ["old", "new", "mid"]);
    assert_eq!(slugs(ListKind::Term(0, 0)), ["new", "mid", "old"]);
}
