//! Formulas out of the way of Markdown, and back in.
//!
//! Each formula is replaced by `\u{E000}<index>\u{E001}` (private-use
//! characters: no Markdown meaning, letter-like for emphasis rules) before
//! parsing; the finished HTML gets the rendered formula back in its place.

use super::html::escape;
use super::math_scan::MathSpan;

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A formula ready to go back into the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// KaTeX HTML (shared with the math cache), or the error span.
    pub html: std::sync::Arc<str>,
    /// The source TeX.
    pub tex: String,
    /// Display mode.
    pub display: bool,
    /// KaTeX could not typeset it.
    pub failed: bool,
}

/// The Markdown with formulas replaced by placeholders.
pub struct Masked {
    /// The text Markdown parses.
    pub text: String,
    /// (masked start, masked end, original start, original end) per formula.
    spans: Vec<(usize, usize, usize, usize)>,
    /// The TeX of each formula, for plain-text uses (heading ids).
    tex: Vec<String>,
}

impl Masked {
    /// Masks `spans` (sorted, non-overlapping) in `source`.
    pub fn new(source: &str, spans: &[MathSpan]) -> Self {
        let mut text = String::with_capacity(source.len());
        let mut mapped = Vec::with_capacity(spans.len());
        let mut copied = 0;
        for (index, span) in spans.iter().enumerate() {
            text.push_str(&source[copied..span.range.start]);
            let start = text.len();
            text.push(OPEN);
            text.push_str(&index.to_string());
            text.push(CLOSE);
            mapped.push((start, text.len(), span.range.start, span.range.end));
            copied = span.range.end;
        }
        text.push_str(&source[copied..]);
        Self {
            text,
            spans: mapped,
            tex: spans.iter().map(|s| s.tex.clone()).collect(),
        }
    }

    /// The offset in the original source of `offset` in the masked text.
    pub fn original_offset(&self, offset: usize) -> usize {
        let after = self.spans.partition_point(|&(start, ..)| start <= offset);
        match after.checked_sub(1).map(|i| self.spans[i]) {
            None => offset,
            Some((_, end, original_start, _)) if offset < end => original_start,
            Some((_, end, _, original_end)) => original_end + (offset - end),
        }
    }

    /// `text` with placeholders replaced by their TeX.
    pub fn with_tex(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for_each_index(text, |part| match part {
            Ok(s) => out.push_str(s),
            Err((i, raw)) => out.push_str(self.tex.get(i).map_or(raw, String::as_str)),
        });
        out
    }
}

/// A piece of text with placeholders: plain text, or a formula.
pub enum Part<'t, 'f> {
    /// Text between formulas.
    Text(&'t str),
    /// A formula.
    Formula(&'f Formula, &'t str),
}

/// Calls `f` for each run of text and each formula in `text`.
pub fn for_each_part<'t, 'f>(
    text: &'t str,
    formulas: &'f [Formula],
    mut f: impl FnMut(Part<'t, 'f>),
) {
    for_each_index(text, |part| match part {
        Ok(s) => f(Part::Text(s)),
        Err((i, raw)) => match formulas.get(i) {
            Some(formula) => f(Part::Formula(formula, raw)),
            None => f(Part::Text(raw)),
        },
    });
}

/// Splits `text` into text runs (`Ok`) and placeholders (`Err((index, raw text))`).
fn for_each_index<'t>(text: &'t str, mut f: impl FnMut(Result<&'t str, (usize, &'t str)>)) {
    let mut rest = text;
    while let Some(open) = rest.find(OPEN) {
        let after = &rest[open + OPEN.len_utf8()..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let index = after[..digits].parse::<usize>().ok();
        match (index, after[digits..].starts_with(CLOSE)) {
            (Some(index), true) => {
                if open > 0 {
                    f(Ok(&rest[..open]));
                }
                let len = OPEN.len_utf8() + digits + CLOSE.len_utf8();
                f(Err((index, &rest[open..open + len])));
                rest = &rest[open + len..];
            }
            _ => {
                let keep = open + OPEN.len_utf8();
                f(Ok(&rest[..keep]));
                rest = &rest[keep..];
            }
        }
    }
    if !rest.is_empty() {
        f(Ok(rest));
    }
}

/// The markup of an inline formula.
pub fn inline_html(formula: &Formula) -> String {
    format!("<span class=\"math inline\">{}</span>", formula.html)
}

/// Puts rendered formulas into finished HTML.
///
/// A display formula alone in a paragraph becomes a `<div class="math display">`
/// in place of the paragraph; elsewhere (inside emphasis, a list item, a table
/// cell) it is a `<span class="math display">` shown as a block, which keeps the
/// HTML valid. Inside a tag (an image's `alt`), a formula is its TeX.
pub fn substitute(html: &str, formulas: &[Formula]) -> String {
    if !html.contains(OPEN) {
        return html.to_string();
    }
    let mut parts = Vec::new();
    for_each_index(html, |part| parts.push(part));
    let extra: usize = formulas.iter().map(|f| f.html.len()).sum();
    let mut out = String::with_capacity(html.len() + extra);
    let mut in_tag = false;
    let mut skip_close_p = false;
    let mut skip_bytes = 0;
    for (i, part) in parts.iter().enumerate() {
        match *part {
            Ok(mut text) => {
                if std::mem::take(&mut skip_close_p) {
                    text = text.strip_prefix("</p>").unwrap_or(text);
                }
                text = &text[std::mem::take(&mut skip_bytes)..];
                in_tag = ends_inside_tag(text, in_tag);
                out.push_str(text);
            }
            Err((index, raw)) => {
                let Some(formula) = formulas.get(index) else {
                    out.push_str(raw);
                    continue;
                };
                let alone_in_paragraph = out.ends_with("<p>")
                    && matches!(parts.get(i + 1), Some(Ok(next)) if next.starts_with("</p>"));
                if formula.html.is_empty() {
                    // An empty display block: nothing, not even an empty paragraph.
                    if alone_in_paragraph {
                        out.truncate(out.len() - "<p>".len());
                        skip_close_p = true;
                    }
                } else if in_tag {
                    out.push_str(&escape(&formula.tex));
                } else if !formula.display {
                    let after = match parts.get(i + 1) {
                        Some(Ok(next)) => leading_run(next, NO_LINE_START),
                        _ => "",
                    };
                    let before = trailing_run(&out, NO_LINE_END).len();
                    if after.is_empty() && before == 0 {
                        out.push_str(&inline_html(formula));
                    } else {
                        // A line must not start with `。` or end with `（`: keep them with the formula.
                        let opening = out.split_off(out.len() - before);
                        out.push_str("<span class=\"math-nowrap\">");
                        out.push_str(&opening);
                        out.push_str(&inline_html(formula));
                        out.push_str(after);
                        out.push_str("</span>");
                        skip_bytes = after.len();
                    }
                } else if alone_in_paragraph {
                    out.truncate(out.len() - "<p>".len());
                    out.push_str("<div class=\"math display\">");
                    out.push_str(&formula.html);
                    out.push_str("</div>");
                    skip_close_p = true;
                } else {
                    out.push_str("<span class=\"math display\">");
                    out.push_str(&formula.html);
                    out.push_str("</span>");
                }
            }
        }
    }
    out
}

/// CJK punctuation that may not start a line (closing marks, stops, commas).
const NO_LINE_START: &str = "。，、；：！？）」』】》〉〕”’…—．";
/// CJK punctuation that may not end a line (opening brackets and quotes).
const NO_LINE_END: &str = "（「『【《〈〔“‘";

/// The longest prefix of `text` made of `chars` (at most two characters).
fn leading_run<'t>(text: &'t str, chars: &str) -> &'t str {
    let end = text
        .char_indices()
        .take(2)
        .take_while(|(_, c)| chars.contains(*c))
        .map(|(i, c)| i + c.len_utf8())
        .last();
    &text[..end.unwrap_or(0)]
}

/// The longest suffix of `text` made of `chars` (at most two characters).
fn trailing_run<'t>(text: &'t str, chars: &str) -> &'t str {
    let start = text
        .char_indices()
        .rev()
        .take(2)
        .take_while(|(_, c)| chars.contains(*c))
        .map(|(i, _)| i)
        .last();
    &text[start.unwrap_or(text.len())..]
}

/// Whether, after `text`, we are inside a tag (`<…` not yet closed by `>`).
fn ends_inside_tag(text: &str, was_inside: bool) -> bool {
    match (text.rfind('<'), text.rfind('>')) {
        (Some(lt), Some(gt)) => lt > gt,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => was_inside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(source: &str, pattern: &str, tex: &str, display: bool) -> MathSpan {
        let start = source.find(pattern).unwrap();
        MathSpan {
            range: start..start + pattern.len(),
            tex: tex.into(),
            display,
            block: display,
        }
    }

    fn formula(html: &str, tex: &str, display: bool) -> Formula {
        Formula {
            html: std::sync::Arc::from(html),
            tex: tex.into(),
            display,
            failed: false,
        }
    }

    #[test]
    fn masks_and_maps_offsets_back() {
        let source = "设$x_1$与$y$相等";
        let spans = [
            span(source, "$x_1$", "x_1", false),
            span(source, "$y$", "y", false),
        ];
        let masked = Masked::new(source, &spans);
        assert_eq!(masked.text, "设\u{E000}0\u{E001}与\u{E000}1\u{E001}相等");
        let masked_yu = masked.text.find('与').unwrap();
        assert_eq!(
            masked.original_offset(masked_yu),
            source.find('与').unwrap()
        );
        assert_eq!(masked.original_offset(0), 0);
        assert_eq!(masked.with_tex(&masked.text), "设x_1与y相等");
    }

    #[test]
    fn substitutes_inline_display_and_attribute_formulas() {
        let formulas = [
            formula("<i>x</i>", "x", false),
            formula("<b>D</b>", "D", true),
            formula("<i>a</i>", "a<b", false),
        ];
        let html = "<p>设\u{E000}0\u{E001}。</p>\n<p>\u{E000}1\u{E001}</p>\n<p><img alt=\"\u{E000}2\u{E001}\"> \u{E000}1\u{E001}</p>\n<p>\u{E000}1\u{E001} 后文</p>";
        assert_eq!(
            substitute(html, &formulas),
            "<p>设<span class=\"math-nowrap\"><span class=\"math inline\"><i>x</i></span>。</span></p>\n<div class=\"math display\"><b>D</b></div>\n<p><img alt=\"a&lt;b\"> <span class=\"math display\"><b>D</b></span></p>\n<p><span class=\"math display\"><b>D</b></span> 后文</p>"
        );
    }

    #[test]
    fn cjk_punctuation_stays_with_inline_math() {
        let formulas = [formula("<i>x</i>", "x", false)];
        let html = "<p>输出为（\u{E000}0\u{E001}）。下一句</p>";
        assert_eq!(
            substitute(html, &formulas),
            "<p>输出为<span class=\"math-nowrap\">（<span class=\"math inline\"><i>x</i></span>）。</span>下一句</p>"
        );
        let plain = "<p>设\u{E000}0\u{E001}和</p>";
        assert_eq!(
            substitute(plain, &formulas),
            "<p>设<span class=\"math inline\"><i>x</i></span>和</p>"
        );
    }

    #[test]
    fn stray_private_use_characters_survive() {
        let html = "a\u{E000}b\u{E000}9\u{E001}";
        assert_eq!(substitute(html, &[]), html);
    }
}
