//! Formulas for readers without the site's stylesheet: feeds.
//!
//! KaTeX writes each formula twice, `<span class="katex">` holding a
//! `<span class="katex-mathml"><math>…</math></span>` for assistive technology
//! and a `<span class="katex-html">` that only looks right with KaTeX's CSS
//! and fonts. A feed reader has neither, so it shows the HTML half as a jumble
//! of letters (or both halves). Feed readers and the browsers behind them do
//! render MathML, so feeds keep only the `<math>` element, which already says
//! `display="block"` for display formulas and carries the TeX as an annotation.

use std::borrow::Cow;

/// Where every formula's markup starts (`katex` or `katex-display`; formulas
/// that failed are `katex-error` and stay as they are).
const FORMULA_PREFIX: &str = "<span class=\"katex";

/// The start tags of the outermost span of a formula, inline and display.
const FORMULA_TAGS: [&str; 2] = ["<span class=\"katex\">", "<span class=\"katex-display\">"];

/// `html` with every KaTeX formula replaced by its MathML `<math>` element.
///
/// Meant for blogsmith's own article HTML, in which KaTeX's output is intact;
/// anything else that looks like a formula but is not one (no `<math>` inside,
/// unbalanced spans from raw HTML) is left untouched.
pub fn mathml_only(html: &str) -> Cow<'_, str> {
    if !html.contains(FORMULA_PREFIX) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = next_formula(rest) {
        out.push_str(&rest[..at]);
        let formula = &rest[at..];
        let Some(end) = element_end(formula) else {
            break;
        };
        out.push_str(math_element(&formula[..end]).unwrap_or(&formula[..end]));
        rest = &formula[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The offset of the next formula's outermost span in `html`.
fn next_formula(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = html[from..].find(FORMULA_PREFIX) {
        let at = from + found;
        if FORMULA_TAGS.iter().any(|tag| html[at..].starts_with(tag)) {
            return Some(at);
        }
        from = at + FORMULA_PREFIX.len();
    }
    None
}

/// The length of the `<span>` element `html` starts with, up to and including
/// its matching `</span>`; `None` if it is never closed.
fn element_end(html: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    loop {
        let next = html[at..].find("<span").map(|i| at + i);
        let close = html[at..].find("</span>").map(|i| at + i);
        match (next, close) {
            (Some(open), Some(close)) if open < close => {
                // `<spanner>` is not a span.
                if html[open + 5..].starts_with([' ', '>']) {
                    depth += 1;
                }
                at = open + 5;
            }
            (_, Some(close)) => {
                depth = depth.checked_sub(1)?;
                at = close + "</span>".len();
                if depth == 0 {
                    return Some(at);
                }
            }
            (_, None) => return None,
        }
    }
}

/// The `<math>…</math>` element inside one formula's markup.
fn math_element(formula: &str) -> Option<&str> {
    let start = formula.find("<math")?;
    if !formula[start + 5..].starts_with([' ', '>']) {
        return None;
    }
    let end = start + formula[start..].find("</math>")? + "</math>".len();
    Some(&formula[start..end])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::markdown::MathEngine;

    fn typeset(tex: &str, display: bool) -> String {
        MathEngine::new(BTreeMap::new())
            .render(tex, display)
            .map(|html| html.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn formulas_become_their_math_elements() {
        let inline = typeset(r"x_i^2", false);
        let display = typeset(r"\sum_{i=1}^n \frac{a}{b}", true);
        assert!(inline.contains("katex-html") && display.contains("katex-display"));
        let html = format!("<p>设 {inline}，则</p>\n<p>{display}</p>\n<p>完</p>");
        let feed = mathml_only(&html);
        assert!(!feed.contains("katex"), "{feed}");
        assert_eq!(feed.matches("<math").count(), 2, "{feed}");
        assert_eq!(feed.matches("</math>").count(), 2, "{feed}");
        assert_eq!(feed.matches("display=\"block\"").count(), 1, "{feed}");
        assert!(feed.starts_with("<p>设 <math") && feed.ends_with("</p>\n<p>完</p>"));
        assert!(feed.contains("</math>，则</p>"), "{feed}");
        assert!(feed.contains("application/x-tex"), "the TeX stays: {feed}");
    }

    #[test]
    fn html_without_formulas_is_not_copied() {
        assert!(matches!(
            mathml_only("<p>没有公式</p>"),
            Cow::Borrowed("<p>没有公式</p>")
        ));
    }

    #[test]
    fn failed_formulas_and_lookalikes_stay() {
        for (html, expected) in [
            (
                "<span class=\"katex-error math-error\" title=\"e\">x^</span>",
                "<span class=\"katex-error math-error\" title=\"e\">x^</span>",
            ),
            (
                "<span class=\"katex\">no math here</span>!",
                "<span class=\"katex\">no math here</span>!",
            ),
            (
                "<span class=\"katex\"><span>never closed",
                "<span class=\"katex\"><span>never closed",
            ),
            (
                "<span class=\"katex\"><spanner><math>a</math></span> after",
                "<math>a</math> after",
            ),
            ("<p>a</span></p>", "<p>a</span></p>"),
        ] {
            assert_eq!(mathml_only(html), expected, "{html}");
        }
    }
}
