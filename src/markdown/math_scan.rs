//! Finding formulas in Markdown before Markdown parsing (interim version).
//!
//! Will be replaced by the full scanner of issue 3; same API.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// One formula found in a Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathSpan {
    /// Byte range in the source, delimiters included.
    pub range: Range<usize>,
    /// The TeX between the delimiters.
    pub tex: String,
    /// Rendered in display mode.
    pub display: bool,
    /// Stands alone on its lines.
    pub block: bool,
}

/// Finds every formula in `source`, in order, non-overlapping.
pub fn find_math(source: &str) -> Vec<MathSpan> {
    let code = code_ranges(source);
    let bytes = source.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(r) = code.iter().find(|r| r.contains(&i)) {
            i = r.end;
            continue;
        }
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let display = bytes.get(i + 1) == Some(&b'$');
        let open = if display { 2 } else { 1 };
        let delim = if display { "$$" } else { "$" };
        let start = i + open;
        let Some(end) = find_close(source, start, delim) else {
            i += open;
            continue;
        };
        let tex = source[start..end].trim().to_string();
        if tex.is_empty() {
            i = end + open;
            continue;
        }
        spans.push(MathSpan {
            range: i..end + open,
            tex,
            display,
            block: display,
        });
        i = end + open;
    }
    spans
}

fn find_close(source: &str, from: usize, delim: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut j = from;
    while j < bytes.len() {
        if bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if delim == "$" && bytes[j] == b'\n' && bytes.get(j + 1) == Some(&b'\n') {
            return None;
        }
        if bytes[j..].starts_with(delim.as_bytes()) {
            return Some(j);
        }
        j += 1;
    }
    None
}

fn code_ranges(source: &str) -> Vec<Range<usize>> {
    Parser::new(source)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => Some(range),
            _ => None,
        })
        .collect()
}
