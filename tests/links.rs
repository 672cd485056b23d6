//! Links between articles are rewritten to URLs; broken links and anchors are
//! reported where they are written, and fail the build with --strict.

mod common;

use common::{Fixture, lines};

fn site() -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "rope.md",
        "title: RoPE\ndate: 2026-01-01\nslug: rotary",
        "## 旋转矩阵\n\n正文。\n",
    );
    site.write("content/notes/attn.md", "---\ntitle: 注意力\ndate: 2026-01-02\n---\n见[旋转](../rope.md#旋转矩阵)和[全文](../rope.md)。\n\n![图](fig.png)\n\n## 小结\n\n回到[小结](#小结)。\n");
    site.write("content/notes/fig.png", "png");
    site
}

#[test]
fn relative_article_links_become_urls_with_anchors() {
    let site = site();
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    let html = site.read("posts/attn/index.html");
    assert!(
        html.contains(r#"<a href="/posts/rotary/#旋转矩阵">旋转</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/posts/rotary/">全文</a>"#),
        "{html}"
    );
    assert!(!html.contains("blogsmith:link"), "no placeholder is left");
    assert_eq!(site.read("posts/attn/fig.png"), "png");
}

#[test]
fn broken_links_and_anchors_are_warnings_at_their_position() {
    let site = site();
    site.write(
        "content/bad.md",
        "---\ntitle: 坏链接\ndate: 2026-01-03\n---\n[无](missing.md) [锚](rope.md#不存在)\n\n![图](nope.png) [本页](#没有)\n",
    );
    let report = site.build_ok();
    let warnings = lines(&report.warnings);
    for expected in [
        "content/bad.md:5:1: warning: broken link: `missing.md` links to an article that does not exist (or is a draft)",
        "content/bad.md:5:17: warning: broken link: no heading `#不存在` in rope.md",
        "content/bad.md:7:1: warning: broken link: `nope.png` links to a file that does not exist",
        "content/bad.md:7:16: warning: broken link: no heading `#没有` in this page",
    ] {
        assert!(warnings.contains(expected), "{expected}\nin:\n{warnings}");
    }
    assert_eq!(report.warnings.len(), 4, "{warnings}");
}

#[test]
fn strict_turns_broken_links_into_errors() {
    let site = site();
    site.write(
        "content/bad.md",
        "---\ntitle: 坏\ndate: 2026-01-03\n---\n[无](missing.md)\n",
    );
    let options = blogsmith::BuildOptions {
        strict: true,
        ..site.options()
    };
    let failure = blogsmith::build(&options).expect_err("--strict fails on broken links");
    assert!(
        lines(&failure.diagnostics).contains("content/bad.md:5:1: error: broken link"),
        "{failure:?}"
    );
}

#[test]
fn relative_images_work_in_the_article_and_in_its_excerpt() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/blog/\n");
    site.write("content/vit/index.md", "---\ntitle: ViT\ndate: 2026-01-01\ntags: [视觉]\n---\n![切块](patch.png)\n\n<!-- more -->\n\n正文。\n");
    site.write("content/vit/patch.png", "png");
    site.build_ok();
    let article = site.read("posts/vit/index.html");
    assert!(
        article.contains(r#"<img src="patch.png" alt="切块""#),
        "{article}"
    );
    for list in ["index.html", "tags/视觉/index.html"] {
        let html = site.read(list);
        assert!(
            html.contains(r#"<img src="/blog/posts/vit/patch.png" alt="切块""#),
            "{list}: {html}"
        );
    }
    assert_eq!(site.read("posts/vit/patch.png"), "png");
}

#[test]
fn full_content_feeds_get_the_rewritten_links_too() {
    // A build writes each article's HTML to disk until its page is rendered,
    // and puts the links in when reading it back: for the page and the feed.
    let site = site();
    site.write(
        "blogsmith.yaml",
        "base_url: https://example.com/\nfeed:\n  full_content: true\n",
    );
    site.build_ok();
    let feed = site.read("atom.xml");
    assert!(feed.contains("/posts/rotary/#旋转矩阵"), "{feed}");
    assert!(
        !feed.contains("blogsmith:link"),
        "no placeholder is left: {feed}"
    );
    let page = site.read("posts/attn/index.html");
    assert!(
        page.contains(r#"<a href="/posts/rotary/">全文</a>"#),
        "{page}"
    );
}

/// The first bytes of a PNG of `width` × `height`: all a size reader needs.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[test]
fn local_images_get_their_width_and_height_from_the_file() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.write(
        "content/vit/index.md",
        "---\ntitle: ViT\ndate: 2026-01-01\n---\n![切块](patch.png)\n\n<!-- more -->\n\n\
         行内 ![小](patch.png) 图。\n\n![宽](patch.png){width=300}\n\n![百分比](patch.png){width=60%}\n\n\
         ![都给了](patch.png){width=10 height=20}\n\n{% asset_img patch.png 标题 %}\n\n\
         ![远程](https://example.org/x.png)\n\n![坏](broken.png)\n",
    );
    let write_png = |w, h| {
        std::fs::write(site.root().join("content/vit/patch.png"), png_header(w, h)).expect("png")
    };
    write_png(640, 480);
    site.write("content/vit/broken.png", "not a png");
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    let html = site.read("posts/vit/index.html");
    for expected in [
        r#"<img src="patch.png" width="640" height="480" alt="切块""#,
        r#"<img src="patch.png" width="640" height="480" alt="小""#,
        r#"<img src="patch.png" height="225" alt="宽" width="300""#,
        r#"<img src="patch.png" width="640" height="480" alt="百分比" style="width:60%;""#,
        r#"<img src="patch.png" alt="都给了" width="10" height="20""#,
        r#"<img src="patch.png" width="640" height="480" alt="标题""#,
        r#"<img src="https://example.org/x.png" alt="远程" loading"#,
        r#"<img src="broken.png" alt="坏" loading"#,
    ] {
        assert!(html.contains(expected), "{expected}\n{html}");
    }
    assert!(
        site.read("index.html")
            .contains(r#"<img src="/posts/vit/patch.png" width="640" height="480""#),
        "the excerpt's image too"
    );
    // The file changes size: the page follows.
    write_png(100, 50);
    site.build_ok();
    let html = site.read("posts/vit/index.html");
    assert!(
        html.contains(r#"width="100" height="50" alt="切块""#),
        "{html}"
    );
}

#[test]
fn links_and_references_in_a_summary_resolve_on_list_pages() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "a.md",
        "title: 甲\ndate: 2026-01-02\nsummary: 见 \\eqref{eq:x} 与 [乙](b.md)",
        "$$\nx \\label{eq:x}\n$$\n\n[图](fig.png)\n",
    );
    site.article("b.md", "title: 乙\ndate: 2026-01-01", "正文。\n");
    site.write("content/fig.png", "png");
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{}", lines(&report.warnings));
    let index = site.read("index.html");
    assert!(
        index.contains(
            r#"见 <a class="eqref" href="/posts/a/#eq:x">(1)</a> 与 <a href="/posts/b/">乙</a>"#
        ),
        "the summary's markers are its own, not the article's: {index}"
    );
}
