//! Arbitrary formulas (the input split at `\n`) through one article's macro
//! table, in order, then the MathJax rewriting and the Markdown-escape
//! reading. Must never panic or run away: each formula either expands within
//! the budget (its TeX at most a bounded size) or is an error naming the macro.
#![no_main]

use blogsmith::markdown::mathjax::{compatible, unescape_markdown};
use blogsmith::markdown::page_macros::PageMacros;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    let mut macros = PageMacros::default();
    for tex in source.split('\n') {
        let unescaped = unescape_markdown(tex);
        assert!(unescaped.len() <= tex.len(), "unescaping only removes");
        match macros.apply(&unescaped) {
            Ok(expanded) => {
                // 200,000 tokens, each at most a control word as long as the input.
                assert!(expanded.tex.len() <= 200_000 * (source.len() + 2));
                let rewritten = compatible(&expanded.tex);
                assert!(rewritten.len() <= expanded.tex.len() * 2 + 64);
            }
            Err(error) => assert!(error.message.starts_with("KaTeX parse error"), "{error:?}"),
        }
    }
});
