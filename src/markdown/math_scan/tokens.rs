//! The tokeniser: facts about the source that do not depend on Markdown
//! structure (line starts, blank lines, unescaped delimiters, matched braces
//! and environments), computed once per source and shared by every re-scan.

use std::ops::Range;

/// Environments that are display math on their own, outside `$$`.
const DISPLAY_ENVIRONMENTS: &[&str] = &[
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "flalign",
    "flalign*",
    "CD",
    "aligned",
    "alignedat",
    "gathered",
    "split",
    "array",
    "darray",
    "subarray",
    "matrix",
    "matrix*",
    "pmatrix",
    "pmatrix*",
    "bmatrix",
    "bmatrix*",
    "Bmatrix",
    "Bmatrix*",
    "vmatrix",
    "vmatrix*",
    "Vmatrix",
    "Vmatrix*",
    "smallmatrix",
    "cases",
    "dcases",
    "rcases",
    "drcases",
];

/// Delimiter positions, computed once. Backslash escapes pair up from the
/// start of each run of backslashes, which is the same in Markdown and TeX,
/// so these positions do not depend on whether a byte is in math or prose.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    line_starts: Vec<usize>,
    /// Starts of lines holding only whitespace and `>` quote markers.
    blank_lines: Vec<usize>,
    /// Positions of unescaped `$`.
    dollars: Vec<usize>,
    /// Positions `p` where `p` and `p + 1` are unescaped `$`.
    pub(super) dollar_pairs: Vec<usize>,
    /// Positions of the backslash of each `\)`.
    pub(super) paren_closes: Vec<usize>,
    /// Positions of the backslash of each `\]`.
    pub(super) bracket_closes: Vec<usize>,
    /// Matched `{`…`}` pairs, sorted by the opening brace.
    braces: Vec<(usize, usize)>,
    /// Matched environments: `\begin{env}` start, `\end{env}` range.
    environments: Vec<(usize, Range<usize>)>,
}

impl Tokens {
    pub(super) fn scan(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut tokens = Tokens {
            line_starts: vec![0],
            ..Tokens::default()
        };
        let mut open_braces = Vec::new();
        let mut open_environments: Vec<Vec<usize>> = vec![Vec::new(); DISPLAY_ENVIRONMENTS.len()];
        let mut last_dollar = None;
        let mut line_start = 0;
        let mut line_blank = true;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    line_blank = false;
                    i = tokens.backslash(source, i, &mut open_environments);
                }
                b'$' => {
                    line_blank = false;
                    if last_dollar.is_some_and(|d| d + 1 == i) {
                        tokens.dollar_pairs.push(i - 1);
                    }
                    last_dollar = Some(i);
                    tokens.dollars.push(i);
                    i += 1;
                }
                b'{' => {
                    line_blank = false;
                    open_braces.push(i);
                    i += 1;
                }
                b'}' => {
                    line_blank = false;
                    if let Some(open) = open_braces.pop() {
                        tokens.braces.push((open, i));
                    }
                    i += 1;
                }
                b'\n' | b'\r' => {
                    i += line_ending_len(bytes, i);
                    if line_blank {
                        tokens.blank_lines.push(line_start);
                    }
                    line_start = i;
                    line_blank = true;
                    tokens.line_starts.push(i);
                }
                b' ' | b'\t' | b'>' => i += 1,
                _ => {
                    line_blank = false;
                    i += 1;
                }
            }
        }
        tokens.braces.sort_unstable();
        tokens
            .environments
            .sort_unstable_by_key(|(begin, _)| *begin);
        tokens
    }

    /// Records the escape or command at `i` (a backslash) and returns where
    /// scanning continues.
    fn backslash(&mut self, source: &str, i: usize, open: &mut [Vec<usize>]) -> usize {
        let bytes = source.as_bytes();
        match bytes.get(i + 1) {
            Some(b')') => {
                self.paren_closes.push(i);
                i + 2
            }
            Some(b']') => {
                self.bracket_closes.push(i);
                i + 2
            }
            // A backslash before a line ending is a hard break; the line
            // ending must still be seen.
            Some(b'\n' | b'\r') | None => i + 1,
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = i + 1 + ascii_letters(&bytes[i + 1..]);
                let is_begin = &bytes[i + 1..name_end] == b"begin";
                if (is_begin || &bytes[i + 1..name_end] == b"end")
                    && let Some((env, after)) = environment_name(bytes, name_end)
                {
                    if is_begin {
                        open[env].push(i);
                    } else if let Some(begin) = open[env].pop() {
                        self.environments.push((begin, i..after));
                    }
                    return after;
                }
                name_end
            }
            Some(c) if c.is_ascii() => i + 2,
            Some(_) => i + 1,
        }
    }

    pub(super) fn line_start_of(&self, pos: usize) -> usize {
        let k = self.line_starts.partition_point(|&s| s <= pos);
        k.checked_sub(1)
            .and_then(|k| self.line_starts.get(k))
            .copied()
            .unwrap_or(0)
    }

    /// Start of the first blank line after `pos`, or `usize::MAX`.
    pub(super) fn next_blank_line(&self, pos: usize) -> usize {
        next_at_or_after(&self.blank_lines, pos + 1).unwrap_or(usize::MAX)
    }

    pub(super) fn has_dollar_within(&self, range: Range<usize>) -> bool {
        next_at_or_after(&self.dollars, range.start).is_some_and(|d| d < range.end)
    }

    pub(super) fn brace_match(&self, open: usize) -> Option<usize> {
        let k = self.braces.partition_point(|&(o, _)| o < open);
        self.braces
            .get(k)
            .filter(|&&(o, _)| o == open)
            .map(|&(_, close)| close)
    }

    pub(super) fn environment_end(&self, begin: usize) -> Option<Range<usize>> {
        let k = self.environments.partition_point(|(b, _)| *b < begin);
        self.environments
            .get(k)
            .filter(|(b, _)| *b == begin)
            .map(|(_, end)| end.clone())
    }
}

/// The environment index and the position after `{name}` at `pos`.
fn environment_name(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    let name_len = bytes[pos + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'*')
        .count();
    let close = pos + 1 + name_len;
    if bytes.get(close) != Some(&b'}') {
        return None;
    }
    let name = &bytes[pos + 1..close];
    let env = DISPLAY_ENVIRONMENTS
        .iter()
        .position(|e| e.as_bytes() == name)?;
    Some((env, close + 1))
}

pub(super) fn ascii_letters(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count()
}

fn line_ending_len(bytes: &[u8], i: usize) -> usize {
    if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
        2
    } else {
        1
    }
}

pub(super) fn next_at_or_after(sorted: &[usize], pos: usize) -> Option<usize> {
    sorted.get(sorted.partition_point(|&p| p < pos)).copied()
}
