//! Arbitrary text through the math scanner, with and without
//! `math.code_spans`. Must never panic, and the spans must be in order,
//! non-overlapping, non-empty, inside the input and on character boundaries
//! (`Masked::new` slices the source at them). The TeX is empty only for an
//! empty display block, and holds no zero-width or non-ASCII space (those
//! are normalised before KaTeX sees them).
#![no_main]

use blogsmith::markdown::math_scan::{MathSpan, ScanOptions, find_math_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    for code_spans in [false, true] {
        let spans = find_math_with(source, ScanOptions { code_spans });
        check(source, &spans);
    }
});

fn check(source: &str, spans: &[MathSpan]) {
    let mut end = 0;
    for span in spans {
        let range = span.range.clone();
        assert!(
            range.start >= end,
            "spans overlap or are out of order: {spans:?}"
        );
        assert!(range.start < range.end, "empty span: {span:?}");
        assert!(range.end <= source.len(), "span past the end: {span:?}");
        let text = source
            .get(range.clone())
            .unwrap_or_else(|| panic!("span not on char boundaries: {span:?}"));
        assert!(
            text.len() >= span.tex.trim().len(),
            "TeX longer than its span: {span:?}"
        );
        assert!(
            !span.tex.is_empty() || (span.display && span.block),
            "empty TeX outside an empty display block: {span:?}"
        );
        assert!(
            !span.tex.chars().any(|c| matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
                || (c.is_whitespace() && !c.is_ascii())),
            "web whitespace left in the TeX: {span:?}"
        );
        end = range.end;
    }
}
