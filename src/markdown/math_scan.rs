//! Finds the formulas of a Markdown source before Markdown parsing, so that
//! Markdown never touches the `_`, `*`, `\\` or `|` inside math.
//!
//! # Math syntax
//!
//! | Syntax | Mode | Example |
//! | --- | --- | --- |
//! | `$…$` | inline | `式中$x_i$和$y_i$` |
//! | `\(…\)` | inline | `\(a^2\)` |
//! | `$$…$$` | display | `文字$$x$$文字`, or `$$` lines around a block |
//! | `\[…\]` | display, only as a block | `\[` starting a line, `\]` ending one |
//! | `\begin{env}…\end{env}` at the start of a line | display | `\begin{align}…\end{align}` |
//!
//! A formula is a *block* (rendered as its own `<div>`) when it is display
//! math, its opening delimiter starts its line (after `>` quote markers, list
//! markers and indentation) and its closing delimiter ends its line. Inline
//! `$…$` and `\(…\)` are never blocks: a line holding only `$x$` is a
//! paragraph with an inline formula, as in every Markdown math renderer.
//!
//! Environments recognised at the start of a line: `equation`, `align`,
//! `alignat`, `gather`, `multline`, `eqnarray`, `flalign` (each also with
//! `*`), `CD`, `aligned`, `alignedat`, `gathered`, `split`, `array`,
//! `darray`, `subarray`, the `matrix` family and the `cases` family. The
//! whole environment, `\begin` and `\end` included, is the TeX. Nested
//! environments of the same name are matched correctly.
//!
//! ## Where math is not recognised
//!
//! Never inside code: fenced code blocks (```` ``` ```` and `~~~`, also in
//! block quotes and lists), indented code blocks, code spans (any number of
//! backticks), HTML comments and the content of `<pre>`, `<code>`, `<kbd>`,
//! `<samp>`, `<script>`, `<style>` and `<textarea>`. Never inside HTML tags
//! (`<img alt="$x$">`), autolinks (`<https://x.com/$y$>`), link and image
//! destinations and titles (`[a](https://x.com/$b$)`), link reference
//! definitions, or bare URLs starting with
//! `http://`, `https://`, `ftp://` or `www.` (`https://a.com/?q=$b$`; a bare
//! URL runs over ASCII non-space characters, stops at `<`, `>`, `"`, a
//! backtick, a non-ASCII character such as Chinese text, or an unbalanced
//! `)`). The text *between* HTML tags is scanned: `<span>$x$</span>` and
//! `<div>$x$</div>` contain a formula, and so do link text and image alt
//! text (`![图$x$](a.png)`; the renderer must flatten a formula in alt text,
//! for example to its TeX, since an attribute cannot hold markup).
//!
//! Code spans and code blocks win over math: a formula can neither open,
//! close nor run across one (`` $a `b` c$ `` is not a formula). Formulas may
//! run across an HTML tag or a link destination (`$a<b>c$` is one formula),
//! but never open or close inside one.
//!
//! ## Escapes
//!
//! Outside math, `\$` is a literal dollar and `\\` a literal backslash, as in
//! Markdown: `\$5` and `\\(x\\)` are text, `\\$x$` is a backslash followed by
//! a formula. Inside math, `\$` is TeX for a dollar sign and never closes the
//! formula: `$\$5$` is one formula.
//!
//! ## Inline `$…$`
//!
//! * The closing `$` is the first unescaped `$` after the opening one that is
//!   not inside a `\text{…}`-like group (`\text`, `\textrm`, `\textbf`,
//!   `\mbox`, …), so `$\text{a $b$ c}$` is one formula, as in TeX.
//! * Spaces inside are accepted, and anything may touch the dollars from
//!   outside (`（$x$）`, `式中$x_i$和`), but the padding must be symmetric:
//!   either both dollars touch the formula (`$x$`) or both are padded by
//!   whitespace (`$ x $`). A padded pair must not touch an ASCII letter or
//!   digit from outside (`a$ x $b` is text).
//! * A closing `$` followed by a digit does not close: `价格$5和$6元` is text.
//! * An inline formula (`$…$` or `\(…\)`) lives in one paragraph, heading,
//!   table row or list item text as Markdown sees it, so it never spans a
//!   blank line or a block boundary.
//! * An empty formula is text, and `$$` is never an empty inline formula.
//! * **Unmatched dollars.** When the first candidate closing `$` is rejected
//!   by the rules above, the opening `$` stays literal and that candidate may
//!   open the next formula, so `a $ b 和 $x$` gives one formula `x`, and
//!   `I paid $5 and $6 for $x$` gives `x`. A `$` with no candidate at all
//!   stays literal and scanning resumes right after it, so it never swallows
//!   later formulas.
//!
//! ## Escaped brackets: `\(…\)` and `\[…\]`
//!
//! In Markdown `\(` and `\[` are escaped brackets, and documents converted
//! to Markdown are full of them (`\(1\) 当…`, `\[注\]：…`). So:
//!
//! * `\[…\]` is display math only as a block: `\[` starts its line and
//!   `\]` ends its line (`\[` may be alone on its line, or share it with
//!   TeX). Mid-line, `\[…\]` is text.
//! * `\(…\)` and `\[…\]` never contain an unescaped `$` (TeX math cannot),
//!   so `\[注意$x$的区别\]` is text around the formula `x`.
//! * `\(…\)` holding only an enumeration label (up to three digits, or two
//!   to four Roman-numeral letters such as `II`, `iv`) is text: `\(1\)`
//!   reads "(1)". `\(x\)`, `\(I\)` and `\(V\)` are formulas.
//! * Write `\\(` to get a literal backslash followed by `(`.
//!
//! ## Display `$$…$$` and `\[…\]`
//!
//! * The closing delimiter is the next unescaped `$$` (respectively `\]`)
//!   outside code, HTML tags and link destinations.
//! * When the opening delimiter is alone on its line, the block may contain
//!   anything up to the closing delimiter, blank lines included (as in
//!   Typora), and lines starting with `-`, `+`, `>`, `#`, `1.` or indented
//!   lines are TeX, not Markdown. Otherwise (`文字$$x$$`, or `$$\begin{..}`
//!   with TeX on the opening line) the formula may span lines but not a blank
//!   line.
//! * An unclosed `$$` or `\[` (for example at the end of the file) is text.
//! * A line holding only whitespace and `>` markers counts as blank.
//!
//! ## Environments
//!
//! `\begin{env}` must start its line and lie outside other math; like a
//! `$$` block it may span blank lines, up to its matching `\end{env}`.
//! Elsewhere (`文字\begin{equation}`) it is text.
//!
//! ## TeX and line endings
//!
//! The TeX of a formula that continues over several lines has the container
//! prefix of the opening line (`>` quote markers and list indentation)
//! removed from each continuation line, when present. Line endings may be
//! LF, CRLF or CR; the TeX always uses LF, and is trimmed.
//!
//! ## How it works
//!
//! The source is parsed once by pulldown-cmark (with the renderer's own
//! options, so that both parses agree) to learn where code, HTML, links
//! and paragraphs are. That parse sees the math unmasked and may be misled
//! by it, for example by a `$$` block whose lines look like list items or,
//! after a blank line, like an indented code block. So the formulas found
//! are masked out (each replaced by inert text of the same length) and the
//! source is parsed again, until the Markdown layout agrees with the
//! formulas (at most three more parses; one is usually enough).
//!
//! The scan is linear in the size of the source, apart from binary searches
//! and the Markdown parses. It never panics and slices only at character
//! boundaries.
//!
//! ## Known limits
//!
//! * A line starting with ```` ``` ```` or `~~~` inside a `$$` block opens a
//!   code fence in the first parse, so the block is not recognised.
//! * An unclosed `$$` alone on its line pairs with the next `$$` of the
//!   document, however far (as in Typora), unless code comes first.
//! * A line holding only `\[1\]` is display math, and `\(a\)` is a formula
//!   even where it was meant as an escaped enumeration label.
//! * In a table, `\|` inside a formula stays TeX `\|` (a double bar): the
//!   formula is cut out before Markdown sees the table, so write `|`.
//! * A formula may run across a link destination or an HTML tag:
//!   `$5 [a](/b) 10$` is one formula.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

/// One formula found in a Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathSpan {
    /// Byte range in the source, delimiters included.
    pub range: Range<usize>,
    /// The TeX between the delimiters, with container prefixes (`> ` of
    /// blockquotes) removed from continuation lines and surrounding
    /// whitespace trimmed. For `\begin{env}…\end{env}` the TeX is the whole
    /// environment including `\begin`/`\end`.
    pub tex: String,
    /// Rendered in display mode (`$$`, `\[ \]`, top-level `\begin{equation}` etc.).
    pub display: bool,
    /// The formula stands alone as a block: its opening delimiter starts its
    /// line (after container prefixes like `> `, list indentation) and its
    /// closing delimiter ends its line. Such formulas become a `<div>`;
    /// others are inline.
    pub block: bool,
}

/// Finds every formula in `source`, in order, non-overlapping.
pub fn find_math(source: &str) -> Vec<MathSpan> {
    let tokens = Tokens::scan(source);
    let mut layout = Layout::parse(source);
    let mut spans = Scanner::new(source, &tokens, &layout).run();
    // The first parse saw the math unmasked; re-parse with the formulas
    // masked until the Markdown layout agrees with the formulas found.
    for _ in 0..MAX_REPARSES {
        if spans.is_empty() {
            break;
        }
        let relaid = Layout::parse(&mask(source, &spans));
        if relaid == layout {
            break;
        }
        let rescanned = Scanner::new(source, &tokens, &relaid).run();
        layout = relaid;
        if rescanned == spans {
            break;
        }
        spans = rescanned;
    }
    spans
}

/// Bounds the mask-and-re-parse rounds; they converge after one in practice.
const MAX_REPARSES: usize = 3;

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

/// Commands whose argument is text mode, where a `$` opens nested math
/// instead of closing the formula.
const TEXT_COMMANDS: &[&str] = &[
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

/// HTML elements whose content is code or otherwise not prose.
const RAW_ELEMENTS: &[&str] = &["pre", "code", "kbd", "samp", "script", "style", "textarea"];

const BARE_URL_SCHEMES: &[&str] = &["http://", "https://", "ftp://", "www."];

// ---------------------------------------------------------------------------
// Tokens: facts about the source that do not depend on Markdown structure.
// ---------------------------------------------------------------------------

/// Delimiter positions, computed once. Backslash escapes pair up from the
/// start of each run of backslashes, which is the same in Markdown and TeX,
/// so these positions do not depend on whether a byte is in math or prose.
#[derive(Debug, Default)]
struct Tokens {
    line_starts: Vec<usize>,
    /// Starts of lines holding only whitespace and `>` quote markers.
    blank_lines: Vec<usize>,
    /// Positions of unescaped `$`.
    dollars: Vec<usize>,
    /// Positions `p` where `p` and `p + 1` are unescaped `$`.
    dollar_pairs: Vec<usize>,
    /// Positions of the backslash of each `\)`.
    paren_closes: Vec<usize>,
    /// Positions of the backslash of each `\]`.
    bracket_closes: Vec<usize>,
    /// Matched `{`…`}` pairs, sorted by the opening brace.
    braces: Vec<(usize, usize)>,
    /// Matched environments: `\begin{env}` start, `\end{env}` range.
    environments: Vec<(usize, Range<usize>)>,
}

impl Tokens {
    fn scan(source: &str) -> Self {
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

    fn line_start_of(&self, pos: usize) -> usize {
        let k = self.line_starts.partition_point(|&s| s <= pos);
        k.checked_sub(1)
            .and_then(|k| self.line_starts.get(k))
            .copied()
            .unwrap_or(0)
    }

    /// Start of the first blank line after `pos`, or `usize::MAX`.
    fn next_blank_line(&self, pos: usize) -> usize {
        next_at_or_after(&self.blank_lines, pos + 1).unwrap_or(usize::MAX)
    }

    fn has_dollar_within(&self, range: Range<usize>) -> bool {
        next_at_or_after(&self.dollars, range.start).is_some_and(|d| d < range.end)
    }

    fn brace_match(&self, open: usize) -> Option<usize> {
        let k = self.braces.partition_point(|&(o, _)| o < open);
        self.braces
            .get(k)
            .filter(|&&(o, _)| o == open)
            .map(|&(_, close)| close)
    }

    fn environment_end(&self, begin: usize) -> Option<Range<usize>> {
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

fn ascii_letters(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count()
}

fn line_ending_len(bytes: &[u8], i: usize) -> usize {
    if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
        2
    } else {
        1
    }
}

fn next_at_or_after(sorted: &[usize], pos: usize) -> Option<usize> {
    sorted.get(sorted.partition_point(|&p| p < pos)).copied()
}

// ---------------------------------------------------------------------------
// Layout: what a Markdown parse says about the source.
// ---------------------------------------------------------------------------

/// How strongly a region keeps math out. Ordered: overlapping regions merge
/// into the strongest kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GuardKind {
    /// HTML tags, link and image destinations, autolinks, link reference
    /// definitions: no delimiter inside, but a formula may run across.
    Soft,
    /// Indented code: like `Hard`, except that a block-style display formula
    /// may run across, because a blank line inside a `$$` block followed by
    /// indented TeX looks like indented code to the first parse.
    IndentedCode,
    /// Code spans, fenced code, HTML comments and raw elements.
    Hard,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Guard {
    range: Range<usize>,
    kind: GuardKind,
}

#[derive(Debug, PartialEq, Eq)]
struct Layout {
    /// Sorted, non-overlapping.
    guards: Vec<Guard>,
    /// Extents of inline content (a paragraph, heading, table row, tight
    /// list item text); sorted, non-overlapping.
    runs: Vec<Range<usize>>,
    /// `next_hard[k]`: start of the first `Hard` guard at index `k` or later.
    next_hard: Vec<usize>,
    /// `next_code[k]`: start of the first non-`Soft` guard at index `k` or later.
    next_code: Vec<usize>,
}

impl Layout {
    fn parse(source: &str) -> Self {
        // The same extensions as the real parse: they change what counts as a
        // paragraph, a table row or a link reference definition.
        let parser = Parser::new_ext(source, super::parser_options());
        let mut builder = LayoutBuilder::default();
        for (_, definition) in parser.reference_definitions().iter() {
            builder.guard(definition.span.clone(), GuardKind::Soft);
        }
        for (event, range) in parser.into_offset_iter() {
            builder.event(source, event, range);
        }
        builder.finish()
    }

    /// Start of the first guard after `pos` that a formula of this reach may
    /// not run across, or `usize::MAX`.
    fn barrier_after(&self, pos: usize, reach: Reach) -> usize {
        let k = self.guards.partition_point(|g| g.range.start <= pos);
        let table = match reach {
            Reach::Inline => &self.next_code,
            Reach::Block => &self.next_hard,
        };
        table.get(k).copied().unwrap_or(usize::MAX)
    }

    fn guard_overlapping(&self, range: Range<usize>) -> Option<&Guard> {
        let k = self.guards.partition_point(|g| g.range.end <= range.start);
        self.guards.get(k).filter(|g| g.range.start < range.end)
    }

    fn run_containing(&self, pos: usize) -> Option<&Range<usize>> {
        let k = self.runs.partition_point(|r| r.start <= pos);
        k.checked_sub(1)
            .and_then(|k| self.runs.get(k))
            .filter(|r| pos < r.end)
    }

    fn next_run_start(&self, pos: usize) -> usize {
        let k = self.runs.partition_point(|r| r.start <= pos);
        self.runs.get(k).map_or(usize::MAX, |r| r.start)
    }
}

#[derive(Default)]
struct LayoutBuilder {
    guards: Vec<Guard>,
    runs: Vec<Range<usize>>,
    run: Option<Range<usize>>,
    links: Vec<OpenLink>,
    /// An inline `<code>`-like element waiting for its closing tag.
    raw_inline: Option<(&'static str, usize)>,
    in_code_block: bool,
    html_block: Option<Vec<Range<usize>>>,
}

struct OpenLink {
    range: Range<usize>,
    text_end: usize,
    autolink: bool,
}

impl LayoutBuilder {
    fn guard(&mut self, range: Range<usize>, kind: GuardKind) {
        if !range.is_empty() {
            self.guards.push(Guard { range, kind });
        }
    }

    fn event(&mut self, source: &str, event: Event<'_>, range: Range<usize>) {
        if !matches!(event, Event::End(TagEnd::Link | TagEnd::Image))
            && let Some(link) = self.links.last_mut()
        {
            link.text_end = link.text_end.max(range.end);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                self.end_run();
                let kind = match kind {
                    CodeBlockKind::Indented => GuardKind::IndentedCode,
                    CodeBlockKind::Fenced(_) => GuardKind::Hard,
                };
                self.guard(range, kind);
                self.in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Start(Tag::HtmlBlock) => {
                self.end_run();
                self.html_block = Some(Vec::new());
            }
            Event::Html(_) => {
                if let Some(lines) = &mut self.html_block {
                    lines.push(range);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(lines) = self.html_block.take() {
                    html_block_guards(source.as_bytes(), &lines, &mut self.guards);
                }
            }
            Event::Text(_) if self.in_code_block => {}
            Event::Code(_) => {
                self.guard(range.clone(), GuardKind::Hard);
                self.extend_run(range);
            }
            Event::InlineHtml(html) => {
                self.inline_html(html.as_bytes(), range.clone());
                self.extend_run(range);
            }
            Event::Start(Tag::Link { link_type, .. } | Tag::Image { link_type, .. }) => {
                self.links.push(OpenLink {
                    text_end: range.start + 1,
                    autolink: matches!(link_type, LinkType::Autolink | LinkType::Email),
                    range: range.clone(),
                });
                self.extend_run(range);
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(link) = self.links.pop() {
                    let start = if link.autolink {
                        link.range.start
                    } else {
                        link.text_end
                    };
                    self.guard(start..link.range.end, GuardKind::Soft);
                }
                self.extend_run(range);
            }
            Event::Text(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::TableCell,
            ) => self.extend_run(range),
            // Everything else is block structure, which ends inline content.
            _ => self.end_run(),
        }
    }

    fn inline_html(&mut self, html: &[u8], range: Range<usize>) {
        if let Some(rest) = html.strip_prefix(b"</") {
            self.guard(range.clone(), GuardKind::Soft);
            if let Some((name, start)) = self.raw_inline
                && tag_name(rest).eq_ignore_ascii_case(name.as_bytes())
            {
                self.guard(start..range.end, GuardKind::Hard);
                self.raw_inline = None;
            }
        } else if html.get(1).is_some_and(u8::is_ascii_alphabetic) {
            self.guard(range.clone(), GuardKind::Soft);
            if self.raw_inline.is_none()
                && !html.ends_with(b"/>")
                && let Some(name) = raw_element(tag_name(&html[1..]))
            {
                self.raw_inline = Some((name, range.start));
            }
        } else {
            // Comments, processing instructions, declarations, CDATA.
            self.guard(range, GuardKind::Hard);
        }
    }

    fn extend_run(&mut self, range: Range<usize>) {
        match &mut self.run {
            Some(run) => run.end = run.end.max(range.end),
            None => self.run = Some(range),
        }
    }

    fn end_run(&mut self) {
        if let Some(run) = self.run.take() {
            self.runs.push(run);
        }
        self.raw_inline = None;
    }

    fn finish(mut self) -> Layout {
        self.end_run();
        let guards = merge_guards(self.guards);
        let mut next_hard = vec![usize::MAX; guards.len() + 1];
        let mut next_code = vec![usize::MAX; guards.len() + 1];
        for (k, guard) in guards.iter().enumerate().rev() {
            next_hard[k] = if guard.kind == GuardKind::Hard {
                guard.range.start
            } else {
                next_hard[k + 1]
            };
            next_code[k] = if guard.kind == GuardKind::Soft {
                next_code[k + 1]
            } else {
                guard.range.start
            };
        }
        let mut runs = self.runs;
        runs.sort_unstable_by_key(|r| r.start);
        Layout {
            guards,
            runs,
            next_hard,
            next_code,
        }
    }
}

fn merge_guards(mut guards: Vec<Guard>) -> Vec<Guard> {
    guards.sort_unstable_by_key(|g| g.range.start);
    let mut merged: Vec<Guard> = Vec::with_capacity(guards.len());
    for guard in guards {
        match merged.last_mut() {
            Some(last) if guard.range.start < last.range.end => {
                last.range.end = last.range.end.max(guard.range.end);
                last.kind = last.kind.max(guard.kind);
            }
            _ => merged.push(guard),
        }
    }
    merged
}

fn tag_name(bytes: &[u8]) -> &[u8] {
    let len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    &bytes[..len]
}

fn raw_element(name: &[u8]) -> Option<&'static str> {
    RAW_ELEMENTS
        .iter()
        .copied()
        .find(|raw| raw.as_bytes().eq_ignore_ascii_case(name))
}

/// Lexer state for the raw text of an HTML block.
#[derive(Clone, Copy)]
enum HtmlState {
    Text,
    Tag {
        start: usize,
        quote: Option<u8>,
        raw: Option<&'static str>,
        kind: GuardKind,
    },
    Opaque {
        start: usize,
        end_marker: &'static [u8],
    },
    Raw {
        start: usize,
        name: &'static str,
    },
}

/// Guards for the tags, comments and raw elements of an HTML block, whose
/// lines are `lines`; the text between tags stays open to math.
fn html_block_guards(bytes: &[u8], lines: &[Range<usize>], guards: &mut Vec<Guard>) {
    let mut state = HtmlState::Text;
    let mut resume = 0;
    for line in lines {
        let mut i = line.start.max(resume);
        while i < line.end {
            let b = bytes[i];
            match state {
                HtmlState::Text => {
                    if b == b'<'
                        && let Some((next, len)) = markup_start(&bytes[i..], i)
                    {
                        state = next;
                        i += len;
                        continue;
                    }
                }
                HtmlState::Tag {
                    start,
                    quote,
                    raw,
                    kind,
                } => match quote {
                    Some(q) if b == q => {
                        state = HtmlState::Tag {
                            start,
                            quote: None,
                            raw,
                            kind,
                        }
                    }
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => {
                        state = HtmlState::Tag {
                            start,
                            quote: Some(b),
                            raw,
                            kind,
                        }
                    }
                    None if b == b'>' => {
                        guards.push(Guard {
                            range: start..i + 1,
                            kind,
                        });
                        let self_closing = i > 0 && bytes[i - 1] == b'/';
                        state = match raw {
                            Some(name) if !self_closing => HtmlState::Raw { start, name },
                            _ => HtmlState::Text,
                        };
                    }
                    None => {}
                },
                HtmlState::Opaque { start, end_marker } => {
                    if bytes[i..].starts_with(end_marker) {
                        let end = i + end_marker.len();
                        guards.push(Guard {
                            range: start..end,
                            kind: GuardKind::Hard,
                        });
                        state = HtmlState::Text;
                        i = end;
                        continue;
                    }
                }
                HtmlState::Raw { start, name } => {
                    if bytes[i..].starts_with(b"</")
                        && bytes
                            .get(i + 2..i + 2 + name.len())
                            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                    {
                        // The closing tag ends the raw element's guard.
                        state = HtmlState::Tag {
                            start,
                            quote: None,
                            raw: None,
                            kind: GuardKind::Hard,
                        };
                        i += 2;
                        continue;
                    }
                }
            }
            i += 1;
        }
        resume = i;
    }
    let end = lines.last().map_or(0, |l| l.end);
    match state {
        HtmlState::Text => {}
        HtmlState::Tag { start, kind, .. } => guards.push(Guard {
            range: start..end,
            kind,
        }),
        HtmlState::Opaque { start, .. } | HtmlState::Raw { start, .. } => guards.push(Guard {
            range: start..end,
            kind: GuardKind::Hard,
        }),
    }
}

/// The lexer state entered by markup starting at `rest` (a `<` at `pos`),
/// and how many bytes it consumes.
fn markup_start(rest: &[u8], pos: usize) -> Option<(HtmlState, usize)> {
    let opaque = |end_marker, len| {
        Some((
            HtmlState::Opaque {
                start: pos,
                end_marker,
            },
            len,
        ))
    };
    let tag = |raw, len| {
        Some((
            HtmlState::Tag {
                start: pos,
                quote: None,
                raw,
                kind: GuardKind::Soft,
            },
            len,
        ))
    };
    let letter_at = |i: usize| rest.get(i).is_some_and(u8::is_ascii_alphabetic);
    if rest.starts_with(b"<!--") {
        opaque(b"-->".as_slice(), 4)
    } else if rest.starts_with(b"<![CDATA[") {
        opaque(b"]]>".as_slice(), 9)
    } else if rest.starts_with(b"<?") {
        opaque(b"?>".as_slice(), 2)
    } else if rest.starts_with(b"<!") && letter_at(2) {
        opaque(b">".as_slice(), 2)
    } else if rest.starts_with(b"</") && letter_at(2) {
        tag(None, 2)
    } else if letter_at(1) {
        tag(raw_element(tag_name(&rest[1..])), 1)
    } else {
        None
    }
}

/// Replaces each formula by inert text of the same length, so that a
/// re-parse sees the Markdown structure around the math, not inside it.
fn mask(source: &str, spans: &[MathSpan]) -> String {
    let mut masked = String::with_capacity(source.len());
    let mut last = 0;
    for span in spans {
        masked.push_str(source.get(last..span.range.start).unwrap_or(""));
        // A leading digit keeps `<$x$>` from turning into an HTML tag.
        masked.push('0');
        masked.extend(std::iter::repeat_n('x', span.range.len().saturating_sub(1)));
        last = span.range.end;
    }
    masked.push_str(source.get(last..).unwrap_or(""));
    masked
}

// ---------------------------------------------------------------------------
// Scanner: the left-to-right walk that pairs delimiters.
// ---------------------------------------------------------------------------

/// How far a formula may reach across Markdown structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
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

/// Container prefix of a line: `>` markers, list markers, indentation.
#[derive(Debug, Clone, Copy)]
struct LinePrefix {
    line_start: usize,
    end: usize,
    quote_depth: usize,
    indent: usize,
}

/// Result of trying a single `$` as an opener.
enum Single {
    Found(usize),
    /// The candidate closer at this position was rejected; it may open.
    Retry(usize),
    Miss,
}

struct Scanner<'a> {
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
    fn new(source: &'a str, tokens: &'a Tokens, layout: &'a Layout) -> Self {
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

    fn run(mut self) -> Vec<MathSpan> {
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
        let limit = self.inline_limit(open);
        let Some(close) = self.walk_inline_dollar(open + 1, limit) else {
            return Single::Miss;
        };
        let opens_loose = char_after(self.source, open).is_none_or(char::is_whitespace);
        let closes_loose = char_before(self.source, close).is_some_and(char::is_whitespace);
        let after = char_after(self.source, close);
        let is_ascii_alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if opens_loose != closes_loose
            || after.is_some_and(|c| c.is_ascii_digit())
            || (opens_loose
                && (is_ascii_alnum(char_before(self.source, open)) || is_ascii_alnum(after)))
        {
            return Single::Retry(close);
        }
        let tex = self.tex(open, open + 1..close);
        if tex.is_empty() {
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
        let tex = self.tex(open, content);
        if tex.is_empty() {
            return None;
        }
        let block = self.line_prefix(open).end == open && self.ends_line(end);
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
        let mut tex = String::with_capacity(text.len());
        for (ix, line) in split_lines(text).enumerate() {
            if ix > 0 {
                tex.push('\n');
                tex.push_str(strip_container(line, prefix.quote_depth, prefix.indent));
            } else {
                tex.push_str(line);
            }
        }
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

fn parse_line_prefix(bytes: &[u8], line_start: usize) -> LinePrefix {
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
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

/// Removes up to `quote_depth` `>` markers, then up to `indent` columns of
/// indentation; lazy continuation lines lack them.
fn strip_container(line: &str, quote_depth: usize, indent: usize) -> &str {
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

/// The character after the ASCII byte at `pos`.
fn char_after(source: &str, pos: usize) -> Option<char> {
    source.get(pos + 1..)?.chars().next()
}

/// The character before `pos`.
fn char_before(source: &str, pos: usize) -> Option<char> {
    source.get(..pos)?.chars().next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (tex, display, block)
    type Expected = &'static [(&'static str, bool, bool)];

    /// Rows of (rule, input, expected formulas).
    const CASES: &[(&str, &str, Expected)] = &[
        // Delimiters.
        ("dollar", "$x$", &[("x", false, false)]),
        ("dollar in prose", "a $x$ b", &[("x", false, false)]),
        (
            "double dollar inline",
            "文字$$x$$文字",
            &[("x", true, false)],
        ),
        ("double dollar block", "$$\nx+y\n$$", &[("x+y", true, true)]),
        ("double dollar one line", "$$x$$", &[("x", true, true)]),
        (
            "double dollar, tex on opening line",
            "$$\\begin{aligned}\na&=b\n\\end{aligned}$$",
            &[("\\begin{aligned}\na&=b\n\\end{aligned}", true, true)],
        ),
        ("paren", "令\\(a^2\\)为", &[("a^2", false, false)]),
        ("bracket block", "\\[\na\n\\]", &[("a", true, true)]),
        ("bracket on one line", "\\[ a \\]", &[("a", true, true)]),
        (
            "bracket sharing lines with tex",
            "\\[a\nb\\]",
            &[("a\nb", true, true)],
        ),
        (
            "bracket in blockquote",
            "> \\[\n> a\n> \\]",
            &[("a", true, true)],
        ),
        (
            "bracket mid-line is escaped brackets",
            "文字\\[a\\]文字",
            &[],
        ),
        (
            "escaped brackets at line start",
            "\\[注\\]：见$x$",
            &[("x", false, false)],
        ),
        (
            "escaped brackets around dollars",
            "\\[注意$\\mathcal{D}$的区别\\]",
            &[("\\mathcal{D}", false, false)],
        ),
        ("escaped brackets over lines", "介于\\[-1,\n1\\]之间", &[]),
        (
            "escaped enumeration",
            "\\(1\\) 当$d>m$时",
            &[("d>m", false, false)],
        ),
        (
            "escaped roman enumeration",
            "\\(II\\) 若$y$",
            &[("y", false, false)],
        ),
        (
            "paren single letter",
            "\\(x\\) 与 \\(V\\)",
            &[("x", false, false), ("V", false, false)],
        ),
        (
            "paren containing dollar",
            "\\(a $b$ c\\)",
            &[("b", false, false)],
        ),
        (
            "paren at paragraph start",
            "\\(a+b\\)是和",
            &[("a+b", false, false)],
        ),
        (
            "equation",
            "\\begin{equation}\nE=mc^2\n\\end{equation}",
            &[("\\begin{equation}\nE=mc^2\n\\end{equation}", true, true)],
        ),
        (
            "align*",
            "\\begin{align*}a&=b\\end{align*}",
            &[("\\begin{align*}a&=b\\end{align*}", true, true)],
        ),
        (
            "CD",
            "\\begin{CD}\nA @>a>> B\n\\end{CD}",
            &[("\\begin{CD}\nA @>a>> B\n\\end{CD}", true, true)],
        ),
        (
            "nested same-name environments",
            "\\begin{gather}\n\\begin{gather}x\\end{gather}\n\\end{gather} 后",
            &[(
                "\\begin{gather}\n\\begin{gather}x\\end{gather}\n\\end{gather}",
                true,
                false,
            )],
        ),
        (
            "environment followed by text",
            "\\begin{equation}x\\end{equation}，其中",
            &[("\\begin{equation}x\\end{equation}", true, false)],
        ),
        (
            "environment not at line start",
            "文字\\begin{equation}x\\end{equation}",
            &[],
        ),
        (
            "unknown environment",
            "\\begin{document}x\\end{document}",
            &[],
        ),
        ("unclosed environment", "\\begin{align}\nx\n", &[]),
        (
            "environment inside dollars",
            "$$\\begin{aligned}a\\end{aligned}$$",
            &[("\\begin{aligned}a\\end{aligned}", true, true)],
        ),
        (
            "environment in blockquote",
            "> \\begin{align}\n> a\n> \\end{align}",
            &[("\\begin{align}\na\n\\end{align}", true, true)],
        ),
        (
            "environment in list",
            "1. \\begin{align}\n   a\n   \\end{align}",
            &[("\\begin{align}\na\n\\end{align}", true, true)],
        ),
        // $$ blocks holding Markdown look-alikes.
        (
            "block with markdown-like lines",
            "$$\na\n- b\n+ c\n> d\n# e\n1. f\n    g\n$$",
            &[("a\n- b\n+ c\n> d\n# e\n1. f\n    g", true, true)],
        ),
        (
            "block with - and + lines in prose",
            "前文\n$$\nx\n- y\n+ z\n$$\n后文",
            &[("x\n- y\n+ z", true, true)],
        ),
        (
            "block spanning a blank line",
            "$$\na\n\nb\n$$",
            &[("a\n\nb", true, true)],
        ),
        (
            "block with indented line after blank",
            "$$\na\n\n    b\n    c\n$$",
            &[("a\n\n    b\n    c", true, true)],
        ),
        (
            "inline double dollar across blank line",
            "文字$$a\n\nb$$",
            &[],
        ),
        (
            "inline-style double dollar across list line",
            "$$a\n- b$$",
            &[("a\n- b", true, true)],
        ),
        ("unclosed block at end of file", "文字\n\n$$\nx", &[]),
        ("lone double dollar", "$$", &[]),
        ("empty double dollar", "a $$ b", &[]),
        ("empty double dollar pair", "a $$$$ b", &[]),
        (
            "block flag needs closer at line end",
            "$$x$$，其中",
            &[("x", true, false)],
        ),
        (
            "block inside paragraph lines",
            "前文\n$$x$$\n后文",
            &[("x", true, true)],
        ),
        (
            "blocks in sequence",
            "$$\na\n$$\n\n$$\nb\n$$",
            &[("a", true, true), ("b", true, true)],
        ),
        // Code.
        ("code span", "`$x$`", &[]),
        ("double-backtick code span", "``a`$x$``", &[]),
        ("code span then math", "`$` 和 $y$", &[("y", false, false)]),
        (
            "math around code span",
            "$a$ `$b$` $c$",
            &[("a", false, false), ("c", false, false)],
        ),
        ("math not across code span", "$a `b` c$", &[]),
        ("fenced backticks", "```\n$x$\n```", &[]),
        ("fenced tildes", "~~~tex\n$$x$$\n~~~", &[]),
        ("fenced in blockquote", "> ```\n> $x$\n> ```", &[]),
        (
            "fenced in list",
            "1. 代码：\n\n   ```\n   $x$\n   ```\n",
            &[],
        ),
        ("indented code", "段落\n\n    $x$ and $$y$$\n", &[]),
        (
            "indented code after a block with list lines",
            "$$\n- a\n$$\n\n    $x$",
            &[("- a", true, true)],
        ),
        ("html comment", "<!-- $x$ -->", &[]),
        (
            "inline code element",
            "见<code>$x$</code>和$y$",
            &[("y", false, false)],
        ),
        // Escapes.
        (
            "escaped dollar outside",
            "\\$5 and $x$",
            &[("x", false, false)],
        ),
        ("escaped dollar inside", "$\\$5$", &[("\\$5", false, false)]),
        ("escaped dollars only", "\\$x\\$", &[]),
        (
            "escaped backslash before dollar",
            "\\\\$x$",
            &[("x", false, false)],
        ),
        ("escaped backslash before paren", "\\\\(x\\\\)", &[]),
        // Inline $ rules.
        ("spaces inside", "$ x $", &[("x", false, false)]),
        (
            "cjk around",
            "式中$x_i$和$y_i$",
            &[("x_i", false, false), ("y_i", false, false)],
        ),
        ("fullwidth parens", "（$x$）", &[("x", false, false)]),
        ("prices", "价格$5和$6元", &[]),
        (
            "prices in english",
            "I paid $5 and $6 for $x$.",
            &[("x", false, false)],
        ),
        ("suffix dollars", "costs 5$ each, or $ 10", &[]),
        ("closer before digit", "$x$5", &[]),
        ("no blank line inside", "$a\n\nb$", &[]),
        (
            "spans a soft line break",
            "$x\ny$",
            &[("x\ny", false, false)],
        ),
        ("unmatched dollar", "a $ b 和 $x$", &[("x", false, false)]),
        (
            "unmatched dollar at end",
            "$x$ and $",
            &[("x", false, false)],
        ),
        ("asymmetric padding", "$ x$ and $y $", &[]),
        ("padded touching letters", "a$ x $b", &[]),
        (
            "padded touching cjk",
            "式中 $ x $，和",
            &[("x", false, false)],
        ),
        ("empty after trim", "$ $", &[]),
        (
            "adjacent formulas",
            "$a$$b$",
            &[("a", false, false), ("b", false, false)],
        ),
        (
            "cjk prose",
            "损失函数$L(\\theta)=\\sum_i \\ell_i$，其中$\\ell_i$是……",
            &[
                ("L(\\theta)=\\sum_i \\ell_i", false, false),
                ("\\ell_i", false, false),
            ],
        ),
        ("paren across blank line", "\\(a\n\nb\\)", &[]),
        // Containers.
        (
            "blockquote block",
            "> $$\n> a\n> b\n> $$",
            &[("a\nb", true, true)],
        ),
        (
            "blockquote block with blank line",
            "> $$\n> a\n>\n> b\n> $$",
            &[("a\n\nb", true, true)],
        ),
        (
            "nested blockquote",
            "> > $$\n> > a\n> > $$",
            &[("a", true, true)],
        ),
        ("blockquote inline", "> 引用$x$", &[("x", false, false)]),
        (
            "blockquote inline over lines",
            "> 文字$x\n> +y$",
            &[("x\n+y", false, false)],
        ),
        (
            "blockquote keeps tex >",
            "> $$\n> > 0\n> $$",
            &[("> 0", true, true)],
        ),
        (
            "ordered list block",
            "1. 公式：\n   $$\n   a\n   b\n   $$",
            &[("a\nb", true, true)],
        ),
        (
            "list marker then block",
            "- $$\n  a\n  $$",
            &[("a", true, true)],
        ),
        (
            "bullet list inline",
            "- 列表$x$\n- 列表$y$",
            &[("x", false, false), ("y", false, false)],
        ),
        (
            "heading",
            "## 关于$\\alpha$的讨论",
            &[("\\alpha", false, false)],
        ),
        ("heading does not run on", "# 标题$a\n正文b$", &[]),
        (
            "table cell with pipe",
            "| $a|b$ | c |\n|---|---|\n| d | $e$ |",
            &[("a|b", false, false), ("e", false, false)],
        ),
        (
            "table rows stay apart",
            "| $a | b |\n|---|---|\n| c $ | d |",
            &[],
        ),
        (
            "footnote",
            "正文[^1]\n\n[^1]: 见$x$",
            &[("x", false, false)],
        ),
        // \text.
        (
            "text with escaped dollar",
            "$\\text{价格 \\$5}$",
            &[("\\text{价格 \\$5}", false, false)],
        ),
        (
            "text then math",
            "$\\text{if } x$",
            &[("\\text{if } x", false, false)],
        ),
        (
            "nested math in text",
            "$\\text{a $b$ c}$",
            &[("\\text{a $b$ c}", false, false)],
        ),
        // URLs and HTML.
        ("bare url", "https://example.com/?a=$b$", &[]),
        (
            "bare url then math",
            "见https://a.com/$x$，以及$y$",
            &[("y", false, false)],
        ),
        (
            "url in parentheses",
            "(https://a.com)$x$",
            &[("x", false, false)],
        ),
        ("autolink", "<https://x.com/$y$>", &[]),
        ("link destination", "[link](https://x.com/$a$)", &[]),
        ("relative link destination", "[link](/$a$/ \"$t$\")", &[]),
        (
            "math in link text",
            "[见$x$](https://x.com/$a$)",
            &[("x", false, false)],
        ),
        ("reference definition", "[r]: /a/$b$", &[]),
        ("image alt text", "![图$x$](a.png)", &[("x", false, false)]),
        ("image destination", "![图](/$a$.png)", &[]),
        ("img attribute", "<img alt=\"$x$\">", &[]),
        ("a href", "<a href=\"/$x$\">链接</a>", &[]),
        ("span text", "<span>$x$</span>", &[("x", false, false)]),
        (
            "html block text",
            "<div class=\"$q$\">\n$y$\n</div>",
            &[("y", false, false)],
        ),
        (
            "html block one line",
            "<div>$x$</div>",
            &[("x", false, false)],
        ),
        ("html block pre", "<pre>\n$x$\n</pre>", &[]),
        ("math across a tag", "$a<b>c$", &[("a<b>c", false, false)]),
        // Line endings.
        (
            "crlf block",
            "$$\r\na\r\nb\r\n$$\r\n",
            &[("a\nb", true, true)],
        ),
        ("crlf inline", "$x\r\ny$", &[("x\ny", false, false)]),
        ("crlf blank line", "$a\r\n\r\nb$", &[]),
        (
            "crlf blockquote",
            "> $$\r\n> a\r\n> $$\r\n",
            &[("a", true, true)],
        ),
        ("cr line endings", "$$\ra\rb\r$$", &[("a\nb", true, true)]),
        (
            "crlf environment",
            "\\begin{align}\r\na\r\n\\end{align}\r\n",
            &[("\\begin{align}\na\n\\end{align}", true, true)],
        ),
    ];

    fn render(spans: &[MathSpan]) -> Vec<(String, bool, bool)> {
        spans
            .iter()
            .map(|s| (s.tex.clone(), s.display, s.block))
            .collect()
    }

    #[test]
    fn table() {
        let mut failures = Vec::new();
        for (rule, input, expected) in CASES {
            let got = render(&find_math(input));
            let want: Vec<_> = expected
                .iter()
                .map(|(t, d, b)| ((*t).to_owned(), *d, *b))
                .collect();
            if got != want {
                failures.push(format!(
                    "{rule}: {input:?}\n   want {want:?}\n    got {got:?}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failing rows:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(CASES.len() >= 60);
    }

    #[test]
    fn ranges_include_delimiters() {
        let source = "文$a$字 $$b$$ \\(c\\)";
        let ranges: Vec<_> = find_math(source)
            .into_iter()
            .map(|s| &source[s.range])
            .collect();
        assert_eq!(ranges, ["$a$", "$$b$$", "\\(c\\)"]);
    }

    #[test]
    fn inline_is_never_block() {
        let spans = find_math("$x$\n");
        assert_eq!(render(&spans), [("x".to_owned(), false, false)]);
    }

    #[test]
    fn pathological_inputs_finish() {
        let inputs = [
            "$".repeat(200_000),
            "$ ".repeat(100_000),
            "$a".repeat(100_000),
            "\\(".repeat(100_000),
            "\\[\n".repeat(70_000),
            "$$\n".repeat(70_000),
            "$\\text{".repeat(30_000),
            format!("${}{}", "\\text{$}".repeat(20_000), "x".repeat(40_000)),
            "\\begin{equation}\n".repeat(12_000),
            "> ".repeat(100_000) + "$$",
            "`$".repeat(100_000),
            "<a href=\"$\">$".repeat(20_000),
            "https://a.com/$".repeat(15_000),
            "{".repeat(200_000),
            "中$\\".repeat(60_000),
        ];
        for input in inputs {
            let spans = find_math(&input);
            check_invariants(&input, &spans);
        }
    }

    fn delimiters_match(text: &str, display: bool) -> bool {
        if let Some(rest) = text.strip_prefix("\\begin{") {
            let name = rest.split('}').next().unwrap_or("");
            return display && text.ends_with(&format!("\\end{{{name}}}"));
        }
        let pairs: &[(&str, &str, bool)] = &[
            ("$$", "$$", true),
            ("$", "$", false),
            ("\\(", "\\)", false),
            ("\\[", "\\]", true),
        ];
        pairs.iter().any(|(open, close, d)| {
            text.len() >= open.len() + close.len()
                && text.starts_with(open)
                && text.ends_with(close)
                && *d == display
        })
    }

    fn check_invariants(source: &str, spans: &[MathSpan]) {
        let mut rebuilt = String::new();
        let mut last = 0;
        for span in spans {
            let range = span.range.clone();
            assert!(last <= range.start && range.start < range.end && range.end <= source.len());
            assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
            let text = &source[range.clone()];
            assert!(
                delimiters_match(text, span.display),
                "bad delimiters {text:?}"
            );
            assert!(!span.tex.contains('\r'));
            assert!(!span.tex.is_empty());
            assert!(span.display || !span.block);
            rebuilt.push_str(&source[last..range.start]);
            rebuilt.push_str(text);
            last = range.end;
        }
        rebuilt.push_str(&source[last..]);
        assert_eq!(rebuilt, source);
    }

    fn markdownish() -> impl Strategy<Value = String> {
        let pieces = [
            "$",
            "$",
            "$",
            "$$",
            "\\",
            "\\",
            "`",
            "```",
            "\n",
            "\n",
            "\r\n",
            "|",
            ">",
            "> ",
            "-",
            "- ",
            " ",
            " ",
            "    ",
            "{",
            "}",
            "a",
            "x",
            "1",
            "中",
            "文",
            "（",
            "\\text{",
            "\\(",
            "\\)",
            "\\[",
            "\\]",
            "\\begin{align}",
            "\\end{align}",
            "<b>",
            "<",
            "](",
            "[",
            "http://",
            "*",
            "_",
            "#",
            "~~~",
            "1. ",
            "é",
        ];
        prop::collection::vec(prop::sample::select(pieces.to_vec()), 0..120)
            .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn spans_partition_the_source(source in markdownish()) {
            let spans = find_math(&source);
            check_invariants(&source, &spans);
        }

        #[test]
        fn crlf_is_a_line_ending(source in markdownish()) {
            let lf = source.replace("\r\n", "\n");
            let crlf = lf.replace('\n', "\r\n");
            prop_assert_eq!(render(&find_math(&lf)), render(&find_math(&crlf)));
        }

        #[test]
        fn fenced_code_is_never_math(body in markdownish(), fence in prop::sample::select(vec!["```", "~~~"])) {
            let body = body.replace('`', "'").replace('~', "-");
            let source = format!("{fence}\n{body}\n{fence}\n");
            prop_assert_eq!(find_math(&source), vec![]);
            let quoted = format!("> {fence}\n> {}\n> {fence}\n", body.replace('\n', "\n> "));
            prop_assert_eq!(find_math(&quoted), vec![]);
        }

        #[test]
        fn code_spans_are_never_math(body in markdownish()) {
            let body = body.replace('`', "'").replace(['\n', '\r'], " ");
            let source = format!("文字 `` {body} `` 文字");
            prop_assert_eq!(find_math(&source), vec![]);
        }

        #[test]
        fn never_panics_on_any_text(source in "\\PC*") {
            let spans = find_math(&source);
            check_invariants(&source, &spans);
        }
    }
}
