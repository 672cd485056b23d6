//! Arbitrary bytes as a notebook file (`.ipynb`): JSON reading, the nbformat
//! check, front matter from metadata and a raw cell, cells to Markdown,
//! outputs (base64 images, ANSI tracebacks, folding). Must never panic; a
//! file is either a page or an error, and output images are named as the
//! page shows them.
#![no_main]

use std::path::Path;

use blogsmith::config::Config;
use blogsmith::content::{self, notebook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut config = Config::default();
    // Bit 0 of the last byte: whether text/html outputs are kept as HTML.
    config.markdown.unsafe_html = data.last().is_some_and(|b| b & 1 == 1);
    let loaded = content::parse_article(Path::new("/fuzz"), Path::new("a.ipynb"), data, &config);
    let has_error = loaded.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(
        loaded.page.is_some(),
        !has_error,
        "a page exactly when there is no error: {:?}",
        loaded.diagnostics
    );
    for d in &loaded.diagnostics {
        if let Some(p) = d.position {
            assert!(p.line >= 1 && p.column >= 1, "positions are 1-based: {d:?}");
        }
    }
    let Some(page) = loaded.page else {
        return;
    };
    assert!(!page.slug.is_empty(), "every page has a slug");
    if !config.markdown.unsafe_html {
        for html in &page.generated_html {
            assert!(!html.contains("<script"), "no raw HTML without unsafe_html: {html}");
        }
    }
    let options = content::notebook_options(&config);
    for file in notebook::output_files(data, options) {
        assert!(file.name.starts_with("output-"), "{}", file.name);
        let shown = format!("src=\"{}\"", file.name);
        assert!(
            page.generated_html.iter().any(|h| h.contains(&shown)),
            "every image file is shown on the page: {}",
            file.name
        );
    }
});
