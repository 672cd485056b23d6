//! Citations: `[@key]` and textual `@key` formatted from a `.bib` file, a
//! references section, located messages for unknown keys and broken files,
//! and rebuilds when the `.bib` file changes.

mod common;

use common::{Fixture, between, lines};

const REFS: &str = r#"@inproceedings{vaswani2017,
  author    = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob},
  title     = {Attention Is All You Need},
  booktitle = {Advances in Neural Information Processing Systems},
  year      = {2017},
  url       = {https://arxiv.org/abs/1706.03762},
}
@inproceedings{bahdanau2015,
  author    = {Bahdanau, Dzmitry and Cho, Kyunghyun and Bengio, Yoshua},
  title     = {Neural Machine Translation by Jointly Learning to Align and Translate},
  booktitle = {International Conference on Learning Representations},
  year      = {2015},
  doi       = {10.48550/arXiv.1409.0473},
}
@book{zhou2016,
  author    = {周志华},
  title     = {机器学习},
  publisher = {清华大学出版社},
  address   = {北京},
  year      = {2016},
}
@book{li2012,
  author    = {李, 航},
  title     = {统计学习方法 <script>},
  publisher = {清华大学出版社},
  year      = {2012},
}
"#;

const BODY: &str = "注意力机制 [@bahdanau2015; @vaswani2017] 改变了翻译。\n\n\
如@zhou2016所述，见 [@li2012, p. 3]。联系 @someone 或 me@example.com。\n\n\
代码里的 `[@vaswani2017]` 不是引用。[链接 @zhou2016](https://example.com)\n\n\
正文有脚注[^1]。\n\n[^1]: 脚注文字。\n";

fn site(config: &str) -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.write("blogsmith.yaml", config);
    site.write("content/notes/refs.bib", REFS);
    site.article(
        "notes/attention.md",
        "title: 注意力\ndate: 2026-01-01\nbibliography: refs.bib",
        BODY,
    );
    site
}

fn article(site: &Fixture) -> String {
    site.read("posts/attention/index.html")
}

#[test]
fn author_year_citations_link_to_references_before_the_footnotes() {
    let site = site("base_url: https://example.com/\n");
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    let html = article(&site);
    // `[@a; @b]`: one citation, each entry a link to its reference.
    let group = between(&html, "<p>注意力机制 ", "改变了").expect("a citation");
    assert!(
        group.contains("data-cites=\"bahdanau2015 vaswani2017\""),
        "{group}"
    );
    assert!(
        group.contains("<a href=\"#ref-bahdanau2015\">Bahdanau 等, 2015</a>"),
        "{group}"
    );
    assert!(
        group.contains("<a href=\"#ref-vaswani2017\">Vaswani 等, 2017</a>"),
        "{group}"
    );
    // Textual `@key` after a Chinese character: the author, then the year.
    assert!(html.contains("如<span class=\"citation\" data-cites=\"zhou2016\">周志华 (<a href=\"#ref-zhou2016\">2016</a>)</span>所述"), "{html}");
    // A locator, and a Chinese name given as `李, 航` cited whole.
    // GB/T 7714 raises the page after the citation.
    assert!(
        html.contains("<a href=\"#ref-li2012\">李航, 2012</a>)<sup>3</sup></span>"),
        "{html}"
    );
    // Not citations: unknown textual keys, e-mail addresses, code, link text.
    assert!(html.contains("联系 @someone 或 me@example.com"), "{html}");
    assert!(html.contains("<code>[@vaswani2017]</code>"), "{html}");
    assert!(html.contains("链接 @zhou2016</a>"), "{html}");
    // The references: ids, escaped, DOI and URL as links, Chinese names.
    let references = between(
        &html,
        "<section class=\"references\" id=\"references\">",
        "</section>",
    )
    .expect("references");
    assert!(references.contains("<h2>参考文献</h2>"));
    assert!(
        references.contains(
            "<li id=\"ref-zhou2016\">周志华, 2016. 机器学习[M]. 北京: 清华大学出版社.</li>"
        ),
        "{references}"
    );
    assert!(
        references.contains("<li id=\"ref-vaswani2017\">VASWANI A, SHAZEER N, PARMAR N, 等, 2017."),
        "{references}"
    );
    assert!(
        references.contains("<a href=\"https://doi.org/10.48550/arXiv.1409.0473\">"),
        "{references}"
    );
    assert!(
        references.contains("<a href=\"https://arxiv.org/abs/1706.03762\">"),
        "{references}"
    );
    assert!(
        references.contains("统计学习方法 &lt;script&gt;"),
        "{references}"
    );
    assert!(!html.contains("<script>["), "titles are escaped");
    // Author–year: sorted by author (BAHDANAU, 李航, VASWANI, 周志华 by pinyin or code).
    let order: Vec<usize> = ["ref-bahdanau2015", "ref-vaswani2017"]
        .iter()
        .map(|id| html.find(id).unwrap_or(usize::MAX))
        .collect();
    assert!(order[0] < order[1]);
    // Descriptions, excerpts and the search index read citations as text.
    assert!(html.contains("<meta name=\"description\" content=\"注意力机制 (Bahdanau 等, 2015; Vaswani 等, 2017) 改变了翻译。 如周志华 (2016)所述"), "{html}");
    // References come before the footnotes.
    let refs_at = html.find("class=\"references\"").unwrap();
    let notes_at = html.find("class=\"footnotes\"").expect("footnotes");
    assert!(refs_at < notes_at);
}

#[test]
fn numeric_style_numbers_entries_in_citation_order() {
    let site = site("base_url: https://example.com/\ncitations:\n  style: numeric\n");
    site.build_ok();
    let html = article(&site);
    let group = between(&html, "<p>注意力机制 ", "改变了").expect("a citation");
    assert!(
        group.contains("<sup>[</sup><a href=\"#ref-bahdanau2015\"><sup>1</sup></a>"),
        "{group}"
    );
    assert!(
        group.contains("<a href=\"#ref-vaswani2017\"><sup>2</sup></a>"),
        "{group}"
    );
    let references = between(&html, "<ol class=\"references-list\">", "</ol>").expect("references");
    let first = references.find("ref-bahdanau2015").unwrap();
    let third = references.find("ref-zhou2016").unwrap();
    assert!(first < third);
    assert!(references.contains("<span class=\"reference-label\">[3]</span> 周志华. 机器学习[M]. 北京: 清华大学出版社, 2016."), "{references}");
}

#[test]
fn an_english_site_formats_with_apa() {
    let site = site("base_url: https://example.com/\nlanguage: en\n");
    site.build_ok();
    let html = article(&site);
    assert!(
        html.contains("<a href=\"#ref-vaswani2017\">Vaswani et al., 2017</a>"),
        "{html}"
    );
    assert!(html.contains("<h2>References</h2>"));
}

#[test]
fn an_unknown_key_is_a_located_warning_and_stays_as_written() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.write("content/refs.bib", REFS);
    site.article(
        "a.md",
        "title: a\ndate: 2026-01-01\nbibliography: refs.bib",
        "第一行。\n\n未知的 [@nobody2020] 与 [@zhou2016; @ghost]。\n",
    );
    let report = site.build_ok();
    let warnings = lines(&report.warnings);
    assert!(
        warnings.contains("content/a.md:8:6: warning: no bibliography entry `nobody2020`"),
        "{warnings}"
    );
    assert!(
        warnings.contains("content/a.md:8:33: warning: no bibliography entry `ghost`"),
        "{warnings}"
    );
    let html = site.read("posts/a/index.html");
    assert!(html.contains("未知的 [@nobody2020] 与"), "{html}");
    assert!(
        html.contains("<a href=\"#ref-zhou2016\">周志华, 2016</a>"),
        "{html}"
    );
}

#[test]
fn a_broken_bib_file_is_an_error_at_its_line_and_the_rest_is_still_rendered() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.write(
        "content/refs.bib",
        "@book{ok, title = {Fine}, year = {2020}}\n\n@article{bad,\n  title = {Unclosed,\n",
    );
    site.article(
        "a.md",
        "title: a\ndate: 2026-01-01\nbibliography: refs.bib",
        "引用 [@bad]。\n",
    );
    site.article(
        "b.md",
        "title: b\ndate: 2026-01-02\nbibliography: [missing.bib]",
        "正文。\n",
    );
    site.article(
        "c.md",
        "title: c\ndate: 2026-01-03",
        "$x$ 与 [@bad] 无关。\n",
    );
    let failure = site.build().expect_err("a broken .bib is an error");
    let all = lines(&failure.diagnostics);
    assert!(
        all.contains("content/refs.bib:3:1: error: the bibliography does not parse"),
        "{all}"
    );
    assert!(
        all.contains("content/b.md:4:15: error: cannot read the bibliography content/missing.bib"),
        "{all}"
    );
    // No other complaints: the citation in a.md is not called unknown twice.
    assert_eq!(failure.diagnostics.len(), 2, "{all}");
}

#[test]
fn a_site_wide_bibliography_and_a_list_in_front_matter() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nbibliography: refs/site.bib\n",
    );
    site.write(
        "refs/site.bib",
        "@book{site, author = {周志华}, title = {机器学习}, year = {2016}}\n",
    );
    site.write(
        "content/own.bib",
        "@book{own, author = {李, 航}, title = {统计学习方法}, year = {2012}}\n",
    );
    site.article(
        "a.md",
        "title: a\ndate: 2026-01-01\nbibliography: [own.bib]",
        "[@site] 与 [@own]\n",
    );
    site.article(
        "b.md",
        "title: b\ndate: 2026-01-02",
        "只有全站的 [@site]。\n",
    );
    site.build_ok();
    let a = site.read("posts/a/index.html");
    assert!(
        a.contains("id=\"ref-site\"") && a.contains("id=\"ref-own\""),
        "{a}"
    );
    let b = site.read("posts/b/index.html");
    assert!(b.contains("<a href=\"#ref-site\">周志华, 2016</a>"), "{b}");
}

#[test]
fn a_missing_site_wide_bib_file_is_an_error_in_the_configuration() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nbibliography:\n  - refs/none.bib\n",
    );
    site.article("a.md", "title: a\ndate: 2026-01-01", "[@x]\n");
    site.article("b.md", "title: b\ndate: 2026-01-02", "正文\n");
    let failure = site.build().expect_err("a missing .bib file is an error");
    let all = lines(&failure.diagnostics);
    assert!(
        all.starts_with("blogsmith.yaml:2:1: error: cannot read the bibliography refs/none.bib"),
        "{all}"
    );
    assert_eq!(
        failure.diagnostics.len(),
        1,
        "said once, and no unknown key: {all}"
    );
}

#[test]
fn editing_a_site_wide_bib_file_outside_content_is_a_change() {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nbibliography: refs/site.bib\n",
    );
    site.write(
        "refs/site.bib",
        "@book{site, author = {周志华}, title = {机器学习}, year = {2016}}\n",
    );
    site.article("a.md", "title: a\ndate: 2026-01-01", "[@site]\n");
    let options = blogsmith::BuildOptions {
        cache: true,
        ..site.options()
    };
    blogsmith::build(&options).expect("first build");
    assert!(blogsmith::build(&options).expect("again").up_to_date);
    site.write(
        "refs/site.bib",
        "@book{site, author = {周志华}, title = {机器学习新编}, year = {2016}}\n",
    );
    let report = blogsmith::build(&options).expect("after the edit");
    assert!(!report.up_to_date);
    assert!(site.read("posts/a/index.html").contains("机器学习新编"));
}

#[test]
fn editing_the_bib_file_rebuilds_the_articles_citing_it() {
    let site = site("base_url: https://example.com/\n");
    let options = blogsmith::BuildOptions {
        cache: true,
        ..site.options()
    };
    blogsmith::build(&options).expect("first build");
    assert!(article(&site).contains("机器学习[M]"));
    site.write(
        "content/notes/refs.bib",
        &REFS.replace("{机器学习}", "{机器学习（第二版）}"),
    );
    blogsmith::build(&options).expect("second build");
    assert!(
        article(&site).contains("机器学习（第二版）[M]"),
        "the cached article was rendered again"
    );

    // A session (serve) sees the change too.
    let mut session = blogsmith::Session::new(site.options());
    session.refresh().expect("refresh");
    site.write(
        "content/notes/refs.bib",
        &REFS.replace("{机器学习}", "{机器学习（第三版）}"),
    );
    session.refresh().expect("refresh");
    let html = match &session.files()["posts/attention/index.html"].contents {
        blogsmith::Contents::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        other => panic!("{other:?}"),
    };
    assert!(
        html.contains("机器学习（第三版）[M]"),
        "the session rendered the article again"
    );
}

#[test]
fn year_only_and_prefixes() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.write(
        "content/refs.bib",
        "@book{zhou2016, author = {周志华}, title = {机器学习}, year = {2016}}\n\
",
    );
    site.article(
        "a.md",
        "title: a\ndate: 2026-01-01\nbibliography: refs.bib",
        "周志华 [-@zhou2016] 与 [see @zhou2016]。\n",
    );
    site.build_ok();
    let html = site.read("posts/a/index.html");
    assert!(html.contains("周志华 <span class=\"citation\" data-cites=\"zhou2016\">(<a href=\"#ref-zhou2016\">2016</a>)</span> 与"), "{html}");
    assert!(html.contains("<span class=\"citation\" data-cites=\"zhou2016\">(see <a href=\"#ref-zhou2016\">周志华, 2016</a>)</span>"), "{html}");
}
