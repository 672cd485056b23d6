//! The scanner: the left-to-right walk that pairs delimiters, given the
//! tokens and the layout, and decides which pairs are formulas (inline or
//! display, block or not) and what their TeX is.

use std::ops::Range;

use super::MathSpan;
use super::layout::{GuardKind, Layout};
use super::lines::{LinePrefix, parse_line_prefix, tex_of_lines};
use super::pairing::{delimiters_allow, is_chinese_prose, is_shell_prompt};
use super::tokens::{Tokens, ascii_letters, next_at_or_after};

/// Commands whose argument is text mode, where a `$` opens nested math
/// instead of closing the formula.
pub(super) const TEXT_COMMANDS: &[&str] = &[
    "text",
    "textrm",
    "textsf",
    "texttt",
    "textnormal",
    "textbf",
    "textit",
    "textup",
    "textmd",
    "emph",
    "mbox",
    "hbox",
    "fbox",
];

const BARE_URL_SCHEMES: &[&str] = &["http://", "https://", "ftp://", "www."];

/// How far a formula may reach across Markdown structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    /// Not across a blank line or any code.
    Inline,
    /// Across blank lines and indented code (a `$$` or `\[` alone on its
    /// line, or an environment).
    Block,
}

/// Closers searched by token; each has its own memo of failed searches.
#[derive(Debug, Clone, Copy)]
enum Closer {
    DoubleDollar(Reach),
    Paren,
    Bracket(Reach),
}

impl Closer {
    fn memo_slot(self) -> usize {
        match self {
            Closer::DoubleDollar(Reach::Inline) => 0,
            Closer::DoubleDollar(Reach::Block) => 1,
            Closer::Paren => 2,
            Closer::Bracket(Reach::Inline) => 3,
            Closer::Bracket(Reach::Block) => 4,
        }
    }
}

/// Result of trying a single `$` as an opener.
enum Single {
    Found(usize),
    /// The candidate closer at this position was rejected; it may open.
    Retry(usize),
    Miss,
}

pub(super) struct Scanner<'a> {
    source: &'a str,
    bytes: &'a [u8],
    tokens: &'a Tokens,
    layout: &'a Layout,
    spans: Vec<MathSpan>,
    /// Positions from which an inline `$` search is known to fail; keeps
    /// nested `\text{$…` openers from rescanning the same text.
    dead: Vec<bool>,
    visited: Vec<Range<usize>>,
    /// Per closer kind: a search from `start` failed at limit `end`.
    misses: [Option<Range<usize>>; 5],
    prefix_cache: Option<LinePrefix>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(source: &'a str, tokens: &'a Tokens, layout: &'a Layout) -> Self {
        Scanner {
            source,
            bytes: source.as_bytes(),
            tokens,
            layout,
            spans: Vec::new(),
            dead: Vec::new(),
            visited: Vec::new(),
            misses: Default::default(),
            prefix_cache: None,
        }
    }

    pub(super) fn run(mut self) -> Vec<MathSpan> {
        let guards = &self.layout.guards;
        let mut guard_ix = 0;
        let mut pos = 0;
        while pos < self.bytes.len() {
            while guards.get(guard_ix).is_some_and(|g| g.range.end <= pos) {
                guard_ix += 1;
            }
            if let Some(guard) = guards.get(guard_ix)
                && guard.range.start <= pos
            {
                pos = guard.range.end;
                continue;
            }
            pos = match self.bytes[pos] {
                b'$' => self.at_dollar(pos),
                b'\\' => self.at_backslash(pos),
                b'h' | b'H' | b'f' | b'F' | b'w' | b'W' => {
                    self.bare_url_end(pos).unwrap_or(pos + 1)
                }
                _ => pos + 1,
            };
        }
        self.spans
    }

    fn at_dollar(&mut self, pos: usize) -> usize {
        if self.bytes.get(pos + 1) == Some(&b'$') {
            return self.try_double_dollar(pos).unwrap_or(pos + 2);
        }
        match self.try_single_dollar(pos) {
            Single::Found(end) => end,
            Single::Retry(candidate) => candidate,
            Single::Miss => pos + 1,
        }
    }

    fn at_backslash(&mut self, pos: usize) -> usize {
        match self.bytes.get(pos + 1) {
            Some(b'(') => self.try_paren(pos).unwrap_or(pos + 2),
            Some(b'[') => self.try_bracket(pos).unwrap_or(pos + 2),
            Some(b'b') => self.try_environment(pos).unwrap_or(pos + 1),
            // `\$` and `\\` are Markdown escapes.
            Some(c) if c.is_ascii_punctuation() => pos + 2,
            _ => pos + 1,
        }
    }

    fn try_single_dollar(&mut self, open: usize) -> Single {
        if is_shell_prompt(self.source, open) {
            return Single::Miss;
        }
        let limit = self.inline_limit(open);
        let Some(close) = self.walk_inline_dollar(open + 1, limit) else {
            return Single::Miss;
        };
        if !delimiters_allow(self.source, open, close) {
            return Single::Retry(close);
        }
        let tex = self.tex(open, open + 1..close);
        // Prose between two unrelated dollars: the closing one may open the
        // next formula, so pairing goes on from there.
        if tex.is_empty() || is_chinese_prose(&tex) {
            return Single::Retry(close);
        }
        self.push(open..close + 1, tex, false, false);
        Single::Found(close + 1)
    }

    /// Walks TeX from `from` to the first `$` at formula level, skipping
    /// escapes and `\text{…}` groups and running across soft guards.
    fn walk_inline_dollar(&mut self, from: usize, limit: usize) -> Option<usize> {
        let bytes = self.bytes;
        let guards = &self.layout.guards;
        let mut guard_ix = guards.partition_point(|g| g.range.start < from);
        let mut visited = std::mem::take(&mut self.visited);
        visited.clear();
        let mut segment_start = from;
        let mut i = from;
        let found = loop {
            if let Some(guard) = guards.get(guard_ix)
                && guard.range.start <= i
            {
                if guard.kind != GuardKind::Soft {
                    break None;
                }
                visited.push(segment_start..i.min(guard.range.start));
                i = i.max(guard.range.end);
                segment_start = i;
                guard_ix += 1;
                continue;
            }
            if i >= limit || self.dead.get(i).copied().unwrap_or(false) {
                break None;
            }
            match bytes[i] {
                b'$' => break Some(i),
                b'\\' => {
                    let (next, group) = self.skip_tex_command(i, limit);
                    if let Some(brace) = group {
                        visited.push(segment_start..brace + 1);
                        segment_start = next;
                    }
                    i = next;
                }
                _ => i += 1,
            }
        };
        if found.is_none() {
            visited.push(segment_start..i.min(limit));
            self.mark_dead(&visited);
        }
        self.visited = visited;
        found
    }

    /// Skips the TeX command or escape at `i`; jumps over a text-mode group
    /// (returning its opening brace) when it closes before `limit`.
    fn skip_tex_command(&self, i: usize, limit: usize) -> (usize, Option<usize>) {
        let bytes = self.bytes;
        match bytes.get(i + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = i + 1 + ascii_letters(&bytes[i + 1..]);
                let name = &bytes[i + 1..name_end];
                if TEXT_COMMANDS.iter().any(|t| t.as_bytes() == name) {
                    let brace = name_end
                        + bytes[name_end..]
                            .iter()
                            .take_while(|b| matches!(b, b' ' | b'\t'))
                            .count();
                    if bytes.get(brace) == Some(&b'{')
                        && let Some(close) = self.tokens.brace_match(brace)
                        && close < limit
                    {
                        return (close + 1, Some(brace));
                    }
                }
                (name_end, None)
            }
            Some(c) if c.is_ascii() => (i + 2, None),
            _ => (i + 1, None),
        }
    }

    fn mark_dead(&mut self, visited: &[Range<usize>]) {
        if self.dead.is_empty() {
            self.dead = vec![false; self.bytes.len()];
        }
        for range in visited {
            let end = range.end.min(self.dead.len());
            if let Some(cells) = self.dead.get_mut(range.start..end) {
                cells.fill(true);
            }
        }
    }

    /// Where inline math opened at `open` must have closed: the end of its
    /// inline run, or outside any run, the next blank line or run.
    fn inline_limit(&self, open: usize) -> usize {
        let limit = match self.layout.run_containing(open) {
            Some(run) => run.end,
            None => self
                .tokens
                .next_blank_line(open)
                .min(self.layout.next_run_start(open)),
        };
        limit.min(self.bytes.len())
    }

    fn try_double_dollar(&mut self, open: usize) -> Option<usize> {
        let reach = self.reach_of(open, 2);
        let closer = Closer::DoubleDollar(reach);
        let close = self.find_closer(closer, &self.tokens.dollar_pairs, open, open + 2, 2)?;
        self.push_display(open, open + 2..close, close + 2)
    }

    /// `\[…\]` must stand as a block: mid-line, `\[` is far more often a
    /// Markdown-escaped bracket (`\[1\]`, `\[解析\]：`) than display math.
    fn try_bracket(&mut self, open: usize) -> Option<usize> {
        if self.line_prefix(open).end != open {
            return None;
        }
        let closer = Closer::Bracket(self.reach_of(open, 2));
        let close = self.find_closer(closer, &self.tokens.bracket_closes, open, open + 2, 2)?;
        if !self.ends_line(close + 2) || self.tokens.has_dollar_within(open..close) {
            return None;
        }
        self.push_display(open, open + 2..close, close + 2)
    }

    fn try_paren(&mut self, open: usize) -> Option<usize> {
        let close =
            self.find_closer(Closer::Paren, &self.tokens.paren_closes, open, open + 2, 2)?;
        if self.tokens.has_dollar_within(open..close) {
            return None;
        }
        let tex = self.tex(open, open + 2..close);
        if tex.is_empty() || is_enumeration_label(&tex) {
            return None;
        }
        self.push(open..close + 2, tex, false, false);
        Some(close + 2)
    }

    fn try_environment(&mut self, open: usize) -> Option<usize> {
        if !self.bytes[open..].starts_with(b"\\begin{") || self.line_prefix(open).end != open {
            return None;
        }
        let end = self.tokens.environment_end(open)?;
        if end.end > self.layout.barrier_after(open, Reach::Block)
            || self.layout.guard_overlapping(end.clone()).is_some()
        {
            return None;
        }
        let tex = self.tex(open, open..end.end);
        let block = self.ends_line(end.end);
        self.push(open..end.end, tex, true, block);
        Some(end.end)
    }

    /// A `$$` or `\[` alone on its line opens a block that may span blank
    /// lines and indented-code look-alikes.
    fn reach_of(&mut self, open: usize, width: usize) -> Reach {
        if self.line_prefix(open).end == open && self.ends_line(open + width) {
            Reach::Block
        } else {
            Reach::Inline
        }
    }

    /// The first closing token at or after `from` (for an opener at `open`)
    /// that lies outside guards and before the formula's limit.
    fn find_closer(
        &mut self,
        closer: Closer,
        tokens: &[usize],
        open: usize,
        from: usize,
        width: usize,
    ) -> Option<usize> {
        let limit = self.closer_limit(closer, open);
        let slot = closer.memo_slot();
        // An earlier opener of the same kind failed with the same limit, so
        // there is no closer between it and the limit.
        if self.misses[slot]
            .as_ref()
            .is_some_and(|miss| miss.start <= open && miss.end == limit)
        {
            return None;
        }
        let mut at = from;
        loop {
            let candidate = next_at_or_after(tokens, at).filter(|&q| q + width <= limit);
            let Some(q) = candidate else {
                self.misses[slot] = Some(open..limit);
                return None;
            };
            match self.layout.guard_overlapping(q..q + width) {
                Some(guard) => at = guard.range.end,
                None => return Some(q),
            }
        }
    }

    fn closer_limit(&self, closer: Closer, open: usize) -> usize {
        let limit = match closer {
            // Markdown's text event for the escape `\(` starts at the `(`.
            Closer::Paren => self
                .inline_limit(open + 1)
                .min(self.layout.barrier_after(open, Reach::Inline)),
            Closer::DoubleDollar(Reach::Inline) | Closer::Bracket(Reach::Inline) => self
                .tokens
                .next_blank_line(open)
                .min(self.layout.barrier_after(open, Reach::Inline)),
            Closer::DoubleDollar(Reach::Block) | Closer::Bracket(Reach::Block) => {
                self.layout.barrier_after(open, Reach::Block)
            }
        };
        limit.min(self.bytes.len())
    }

    fn push_display(&mut self, open: usize, content: Range<usize>, end: usize) -> Option<usize> {
        let spans_lines = self
            .bytes
            .get(content.clone())
            .is_some_and(|text| text.iter().any(|b| matches!(b, b'\n' | b'\r')));
        let tex = self.tex(open, content);
        let block = self.line_prefix(open).end == open && self.ends_line(end);
        // An empty block (a `$$` line, then a `$$` line) is still taken: left
        // as text, its second `$$` would open a formula swallowing the prose
        // up to the next `$$`. The renderer shows nothing and warns.
        if tex.is_empty() && !(block && spans_lines) {
            return None;
        }
        self.push(open..end, tex, true, block);
        Some(end)
    }

    fn push(&mut self, range: Range<usize>, tex: String, display: bool, block: bool) {
        self.spans.push(MathSpan {
            range,
            tex,
            display,
            block,
        });
    }

    /// The TeX of `content`, with the opening line's container prefix
    /// removed from continuation lines.
    fn tex(&mut self, open: usize, content: Range<usize>) -> String {
        let prefix = self.line_prefix(open);
        let text = self.source.get(content).unwrap_or("");
        let tex = tex_of_lines(text, prefix);
        let trimmed = tex.trim();
        if trimmed.len() == tex.len() {
            tex
        } else {
            trimmed.to_owned()
        }
    }

    /// The container prefix of the line holding `pos`, cached per line
    /// because the walk asks for the same line many times.
    fn line_prefix(&mut self, pos: usize) -> LinePrefix {
        let line_start = self.tokens.line_start_of(pos);
        if let Some(cached) = self.prefix_cache
            && cached.line_start == line_start
        {
            return cached;
        }
        let prefix = parse_line_prefix(self.bytes, line_start);
        self.prefix_cache = Some(prefix);
        prefix
    }

    /// Only whitespace follows `pos` on its line.
    fn ends_line(&self, pos: usize) -> bool {
        let rest = self.bytes.get(pos..).unwrap_or(&[]);
        let blank = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        matches!(rest.get(blank), None | Some(b'\n' | b'\r'))
    }

    /// End of a bare URL starting at `pos`, if one does.
    fn bare_url_end(&self, pos: usize) -> Option<usize> {
        let bytes = self.bytes;
        if pos > 0 && bytes[pos - 1].is_ascii_alphanumeric() {
            return None;
        }
        let rest = &bytes[pos..];
        let scheme = BARE_URL_SCHEMES.iter().find(|s| {
            rest.get(..s.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(s.as_bytes()))
        })?;
        let mut depth = 0usize;
        let mut i = pos + scheme.len();
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_graphic() || matches!(b, b'<' | b'>' | b'"' | b'`') {
                break;
            }
            if b == b'(' {
                depth += 1;
            } else if b == b')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            i += 1;
        }
        Some(i)
    }
}

/// `(1)`, `(12)`, `(II)`, `(iv)`: what Markdown-escaped parentheses
/// `\(1\)` usually hold in converted documents; never worth typesetting.
fn is_enumeration_label(tex: &str) -> bool {
    let all = |set: &[u8]| tex.bytes().all(|b| set.contains(&b));
    (tex.len() <= 3 && tex.bytes().all(|b| b.is_ascii_digit()))
        || ((2..=4).contains(&tex.len()) && (all(b"IVXLC") || all(b"ivx")))
}
