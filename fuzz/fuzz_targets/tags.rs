//! Arbitrary text through the tag translation (`markdown::tags`): Hexo and
//! Jekyll tags, Hugo shortcodes. Must never panic; every offset of the
//! result maps back inside the article, problems point inside it, and every
//! sentinel the result holds stands for generated HTML.
#![no_main]

use blogsmith::markdown::tags::{SENTINEL, translate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    let translated = translate(source, blogsmith::markdown::labels::Language::Chinese);
    let text: &str = &translated.text;
    for offset in (0..=text.len()).step_by(7).chain([text.len()]) {
        let original = translated.map.original(offset);
        assert!(original <= source.len(), "{offset} maps to {original}, past the article");
    }
    for problem in &translated.problems {
        assert!(problem.offset < source.len().max(1), "problem outside: {}", problem.offset);
    }
    let mut rest = text;
    while let Some(at) = rest.find(SENTINEL) {
        let after = &rest[at + SENTINEL.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<usize>() {
            // An author can write a sentinel-looking comment; only ours must resolve.
            if after[digits.len()..].starts_with("-->") && !source.contains(&rest[at..at + SENTINEL.len() + digits.len()]) {
                assert!(n < translated.html.len(), "sentinel {n} without HTML");
            }
        }
        rest = after;
    }
});
