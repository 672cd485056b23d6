//! Arbitrary bytes as an article file: decoding, front matter split and YAML
//! parsing, page building. Must never panic; a file is either a page or an error.
#![no_main]

use std::path::Path;

use blogsmith::config::Config;
use blogsmith::content;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    let loaded = content::parse_article(Path::new("/fuzz"), Path::new("a.md"), data, &config);
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
    if let Some(page) = loaded.page {
        assert!(page.body_line >= 1);
        assert!(!page.slug.is_empty(), "every page has a slug");
        // The body comes from the file (less a first `# ` heading taken as the title).
        assert!(
            page.body.len() <= data.len(),
            "the body is part of the file"
        );
    }
});
