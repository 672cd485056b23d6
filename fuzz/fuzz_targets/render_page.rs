//! Arbitrary text as a whole article (front matter included) through the
//! single-page render: math, Markdown, highlighting, headings, excerpt. The
//! first byte picks `markdown.unsafe_html` (bit 0) and `math.code_spans`
//! (bit 1). Must never panic; with
//! `unsafe_html: false` no tag written in the article may reach the page.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use blogsmith::config::Config;
use blogsmith::content;
use blogsmith::markdown::{CodeStyle, MarkdownRenderer, MathEngine};
use blogsmith::render_article;
use libfuzzer_sys::fuzz_target;

static CODE_STYLE: LazyLock<CodeStyle> = LazyLock::new(|| {
    let config = Config::default();
    CodeStyle::new(&config.highlight.light_theme, &config.highlight.dark_theme)
        .expect("the default themes exist")
});

/// Tags blogsmith itself never writes: seeing one means the article's HTML got through.
const FOREIGN_TAGS: &[&str] = &["<script", "<plaintext", "<fuzz"];

/// The only iframes blogsmith writes: video and page embeds of moved blogs'
/// tags (`{% youtube %}`, `{% iframe https://… %}`), framing web pages.
const OWN_IFRAME: &str = "<div class=\"embed\"><iframe src=\"http";

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut config = Config::default();
    config.markdown.unsafe_html = flags & 1 == 1;
    config.math.code_spans = flags & 2 == 2;
    let loaded = content::parse_article(Path::new("/fuzz"), Path::new("a.md"), rest, &config);
    let Some(page) = loaded.page else {
        return;
    };
    // A fresh engine per input: its formula cache would otherwise grow without bound.
    let math = MathEngine::new(config.math.macros.clone());
    let renderer = MarkdownRenderer {
        math: &math,
        summary_length: config.summary_length,
        line_numbers: config.highlight.line_numbers,
        code_style: &CODE_STYLE,
        raw_html: config.markdown.unsafe_html,
        markdown_escapes: config.math.markdown_escapes,
        language: blogsmith::markdown::labels::Language::of(&config.language),
        math_code_spans: config.math.code_spans,
        number_by_section: config.markdown.numbering == blogsmith::config::Numbering::Section,
    };
    let (article, texts, _) = render_article(page, &renderer, 0);
    let html = texts.html;
    if !config.markdown.unsafe_html {
        let mut outputs: Vec<&str> = vec![&html, &article.excerpt.html];
        outputs.extend(article.toc.iter().map(|e| e.title.as_str()));
        for html in outputs {
            let lower = html.to_ascii_lowercase();
            for tag in FOREIGN_TAGS {
                assert!(!lower.contains(tag), "raw {tag} got through: {html}");
            }
            assert_eq!(
                lower.matches("<iframe").count(),
                html.matches(OWN_IFRAME).count(),
                "an iframe not of blogsmith's: {html}"
            );
        }
    }
});
