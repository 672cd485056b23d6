//! The patches to the vendored katex-rs (`vendor/katex-rs/PATCHES.md`): for one
//! formula per patch, blogsmith's HTML is byte for byte KaTeX.js 0.18.5's, once
//! attributes are in canonical order.
//!
//! `tests/data/katex-js-0.18.5.json` holds what KaTeX.js 0.18.5 returned for
//! each formula: `katex.renderToString(tex, {displayMode: display,
//! throwOnError: true})`, run under node. So this test needs neither node nor
//! KaTeX.js; `tests/katex_fidelity.rs` compares the whole pumpkin-book corpus live.

use blogsmith::markdown::MathEngine;
use blogsmith::markdown::math::canonical_attribute_order;
use serde_json::Value;

fn cases() -> Vec<(String, String, bool, String)> {
    let text = include_str!("data/katex-js-0.18.5.json");
    let json: Value = serde_json::from_str(text).expect("valid JSON");
    json.as_array()
        .expect("an array of cases")
        .iter()
        .map(|case| {
            (
                case["what"].as_str().expect("what").to_owned(),
                case["tex"].as_str().expect("tex").to_owned(),
                case["display"].as_bool().expect("display"),
                case["html"].as_str().expect("html").to_owned(),
            )
        })
        .collect()
}

/// Where two HTML strings first differ, with some context.
fn first_difference(ours: &str, theirs: &str) -> String {
    let at = ours
        .bytes()
        .zip(theirs.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    let from = at.saturating_sub(120);
    let context = |s: &str| {
        let mut from = from.min(s.len());
        while !s.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at + 120).min(s.len());
        while !s.is_char_boundary(to) {
            to += 1;
        }
        s[from..to].to_owned()
    };
    format!(
        "katex-rs: …{}…\nKaTeX.js: …{}…",
        context(ours),
        context(theirs)
    )
}

fn assert_like_katex_js(what: &str) {
    let engine = MathEngine::new(Default::default());
    let (_, tex, display, html) = cases()
        .into_iter()
        .find(|case| case.0 == what)
        .unwrap_or_else(|| panic!("no case {what:?} in tests/data/katex-js-0.18.5.json"));
    let ours = engine.render(&tex, display).expect("katex-rs typesets it");
    let theirs = canonical_attribute_order(&html);
    assert!(
        *ours == *theirs,
        "{what}: `{tex}` differs from KaTeX.js 0.18.5\n{}",
        first_difference(&ours, &theirs)
    );
}

#[test]
fn every_case_is_checked() {
    let names = [
        SMALL_DELIMITER_IN_FRACTION,
        SMALL_DELIMITER_IN_SUBSCRIPT,
        SQRT_LETTER,
        SQRT_COMMAND,
        SMALL_DELIMITER_TEXT,
        NE_IN_SUBSCRIPT,
        CLAP_IN_SUBSCRIPT,
        TALL_DOUBLE_BAR,
        TALL_BAR,
        GLUE_AFTER_QUAD,
        UNDERSET_IN_SUBSCRIPT,
        SUPERSCRIPT_WITHOUT_BASE,
    ];
    for (what, ..) in cases() {
        assert!(names.contains(&what.as_str()), "case {what:?} has no test");
    }
}

const SMALL_DELIMITER_IN_FRACTION: &str =
    "small \\left( in a fraction of an inline formula (script style)";
const SMALL_DELIMITER_IN_SUBSCRIPT: &str = "small \\left( in a subscript";
const SQRT_LETTER: &str = "\\sqrt with an unbraced one-letter argument";
const SQRT_COMMAND: &str = "\\sqrt with a command argument";
const SMALL_DELIMITER_TEXT: &str = "small \\left( in text style";
const NE_IN_SUBSCRIPT: &str = "\\ne in a subscript (\\mathrlap)";
const CLAP_IN_SUBSCRIPT: &str = "\\mathclap in a subscript";
const TALL_DOUBLE_BAR: &str = "\\left\\| around a superscript (tall delimiter, mid height 0)";
const TALL_BAR: &str = "\\left| around a fraction (tall delimiter, mid height 0)";
const GLUE_AFTER_QUAD: &str = "thin space after a \\quad that follows punctuation";
const UNDERSET_IN_SUBSCRIPT: &str = "\\underset in a subscript";
const SUPERSCRIPT_WITHOUT_BASE: &str = "a superscript without base in a script";

/// Patch 1: a small `\left…\right` delimiter is centred in its own (script) style.
#[test]
fn small_delimiter_in_script_style_is_centred_in_its_style() {
    assert_like_katex_js(SMALL_DELIMITER_IN_FRACTION);
    assert_like_katex_js(SMALL_DELIMITER_IN_SUBSCRIPT);
}

/// Patch 2: the symbol inside a small delimiter carries no `mopen`/`mclose` of its own.
#[test]
fn small_delimiter_symbol_has_no_class_of_its_own() {
    assert_like_katex_js(SMALL_DELIMITER_TEXT);
}

/// Patch 3: `\sqrt` pads its argument past the radical sign when it is a lone symbol.
#[test]
fn sqrt_pads_a_lone_symbol() {
    assert_like_katex_js(SQRT_LETTER);
    assert_like_katex_js(SQRT_COMMAND);
}

/// Patch 4: `\mathrlap` (inside `\ne`) and `\mathclap` inner spans get no `mtight`.
#[test]
fn lap_inner_spans_take_no_options() {
    assert_like_katex_js(NE_IN_SUBSCRIPT);
    assert_like_katex_js(CLAP_IN_SUBSCRIPT);
}

/// Patch 5: tall `|` and `‖` paths print `v0`, as JavaScript prints -0.
#[test]
fn tall_delimiter_path_has_no_negative_zero() {
    assert_like_katex_js(TALL_DOUBLE_BAR);
    assert_like_katex_js(TALL_BAR);
}

/// Patch 6: atom spacing goes right before the atom, after explicit spaces.
#[test]
fn glue_goes_after_explicit_spaces() {
    assert_like_katex_js(GLUE_AFTER_QUAD);
}

/// Patch 7: the base of a limits operator is wrapped in a span without `mtight`.
#[test]
fn limits_base_wrapper_takes_no_options() {
    assert_like_katex_js(UNDERSET_IN_SUBSCRIPT);
}

/// Patch 8: the empty base of a superscript without base is a span without `mtight`.
#[test]
fn missing_base_is_a_plain_span() {
    assert_like_katex_js(SUPERSCRIPT_WITHOUT_BASE);
}
