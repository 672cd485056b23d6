//! Arbitrary text through the math scanner. Must never panic, and the spans
//! must be in order, non-overlapping, non-empty, inside the input and on
//! character boundaries (`Masked::new` slices the source at them).
#![no_main]

use blogsmith::markdown::math_scan::find_math;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    let spans = find_math(source);
    let mut end = 0;
    for span in &spans {
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
        end = range.end;
    }
});
