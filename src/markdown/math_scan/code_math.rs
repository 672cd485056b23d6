//! Code spans that are math, with `math.code_spans`: `` `$x$` `` and
//! `` `$$x$$` ``, the convention of blogdown and Hugo for keeping Markdown
//! away from TeX.

use std::ops::Range;

use super::MathSpan;
use super::lines::{parse_line_prefix, tex_of_lines};

/// The formulas among `code_spans` (byte ranges of code spans, backticks
/// included): those whose whole content is `$…$` or `$$…$$`.
pub(super) fn code_span_math(source: &str, code_spans: &[Range<usize>]) -> Vec<MathSpan> {
    code_spans
        .iter()
        .filter_map(|range| formula_in_code_span(source, range.clone()))
        .collect()
}

fn formula_in_code_span(source: &str, range: Range<usize>) -> Option<MathSpan> {
    let content = code_span_content(source.get(range.clone())?)?;
    let (inner, display) = match content
        .strip_prefix("$$")
        .and_then(|c| c.strip_suffix("$$"))
    {
        Some(inner) => (inner, true),
        None => (content.strip_prefix('$')?.strip_suffix('$')?, false),
    };
    // `` `$$` `` and `` `$$$` `` are dollars, not an empty formula.
    if inner.starts_with('$') || inner.ends_with('$') {
        return None;
    }
    let tex = tex_of(source, range.start, inner);
    if tex.is_empty() {
        return None;
    }
    Some(MathSpan {
        range,
        tex,
        display,
        block: false,
    })
}

/// The content of a code span written as `text`: between the backtick
/// runs, with one space stripped from each side when both have one (as
/// CommonMark does).
fn code_span_content(text: &str) -> Option<&str> {
    let ticks = text.bytes().take_while(|b| *b == b'`').count();
    let inner = text.get(ticks..text.len().checked_sub(ticks)?)?;
    let unpadded = inner
        .strip_prefix([' ', '\n'])
        .and_then(|i| i.strip_suffix([' ', '\n']));
    Some(match unpadded {
        Some(unpadded) if !unpadded.trim().is_empty() => unpadded,
        _ => inner,
    })
}

/// The TeX of `inner`: continuation lines lose the container prefix of the
/// line the span starts on; web whitespace becomes spaces; trimmed.
fn tex_of(source: &str, start: usize, inner: &str) -> String {
    let line_start = source
        .get(..start)
        .and_then(|before| before.rfind(['\n', '\r']))
        .map_or(0, |at| at + 1);
    let prefix = parse_line_prefix(source.as_bytes(), line_start);
    tex_of_lines(inner, prefix).trim().to_owned()
}
