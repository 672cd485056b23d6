//! Line prefixes: the container markers (`>` quotes, list markers,
//! indentation) that start a line, and their removal from the continuation
//! lines of a formula's TeX.

/// Container prefix of a line: `>` markers, list markers, indentation.
#[derive(Debug, Clone, Copy)]
pub(super) struct LinePrefix {
    pub(super) line_start: usize,
    pub(super) end: usize,
    pub(super) quote_depth: usize,
    pub(super) indent: usize,
}

/// The TeX of a formula's `text`: continuation lines lose the container
/// `prefix` of the line it opens on; spaces pasted from the web (NBSP,
/// U+3000, zero-width) become spaces, which KaTeX would otherwise reject or
/// mis-space. Not trimmed.
pub(super) fn tex_of_lines(text: &str, prefix: LinePrefix) -> String {
    let mut tex = String::with_capacity(text.len());
    for (ix, line) in split_lines(text).enumerate() {
        if ix > 0 {
            tex.push('\n');
            tex.push_str(strip_container(line, prefix.quote_depth, prefix.indent));
        } else {
            tex.push_str(line);
        }
    }
    if super::pairing::needs_normalizing(&tex) {
        tex = super::pairing::normalize_whitespace(&tex);
    }
    tex
}

pub(super) fn parse_line_prefix(bytes: &[u8], line_start: usize) -> LinePrefix {
    let mut i = line_start;
    let mut quote_depth = 0;
    let mut indent = 0;
    loop {
        let mut columns = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' => columns += 1,
                b'\t' => columns += 4,
                _ => break,
            }
            i += 1;
        }
        if bytes.get(i) == Some(&b'>') {
            quote_depth += 1;
            i += 1;
            if bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            indent = 0;
            continue;
        }
        indent += columns;
        match list_marker_len(bytes, i) {
            Some(len) => {
                indent += len;
                i += len;
            }
            None => break,
        }
    }
    LinePrefix {
        line_start,
        end: i,
        quote_depth,
        indent,
    }
}

/// Length of a list marker and the space after it (`- `, `1. `, `2) `).
fn list_marker_len(bytes: &[u8], i: usize) -> Option<usize> {
    let is_space = |j: usize| matches!(bytes.get(j), Some(b' ' | b'\t'));
    match bytes.get(i)? {
        b'-' | b'+' | b'*' if is_space(i + 1) => Some(2),
        b'0'..=b'9' => {
            let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let delimiter = i + digits;
            (digits <= 9
                && matches!(bytes.get(delimiter), Some(b'.' | b')'))
                && is_space(delimiter + 1))
            .then_some(digits + 2)
        }
        _ => None,
    }
}

/// Lines of `text`, for LF, CRLF and CR line endings.
pub(super) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

/// Removes up to `quote_depth` `>` markers, then up to `indent` columns of
/// indentation; lazy continuation lines lack them.
pub(super) fn strip_container(line: &str, quote_depth: usize, indent: usize) -> &str {
    let mut rest = line;
    for _ in 0..quote_depth {
        match rest.trim_start_matches([' ', '\t']).strip_prefix('>') {
            Some(after) => rest = after.strip_prefix(' ').unwrap_or(after),
            None => break,
        }
    }
    let mut columns = 0;
    while columns < indent {
        if let Some(after) = rest.strip_prefix(' ') {
            columns += 1;
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\t') {
            columns += 4;
            rest = after;
        } else {
            break;
        }
    }
    rest
}
