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
//!   outside (`（$x$）`, `式中$x_i$和`). Padding may be on both sides or on
//!   one only (`$ x $`, `$x_i $`, `$ 3$`), as in MathJax, Typora and KaTeX
//!   auto-render. A padded side must not touch an ASCII letter or digit
//!   from outside (`a$ x $b`, `$x $y` are text).
//! * Whitespace here is Unicode whitespace (NBSP, U+3000, thin spaces…)
//!   and the zero-width characters U+200B, U+200C, U+200D, U+2060 and
//!   U+FEFF, which text copied from the web is full of: `$\theta\u{200b}$`
//!   and `$ x\u{a0}$` are formulas. In the TeX they become ASCII spaces
//!   (zero-width ones are removed), since KaTeX rejects or mis-spaces them.
//! * A closing `$` followed by a digit does not close: `价格$5和$6元` is text.
//! * A pair padded only before the closing `$` whose TeX starts with a digit
//!   and has spaces inside is a price: `$5 for the $x$` gives `x`.
//! * A `$` after `~` and before a space is a shell prompt (`~$ git status`):
//!   it neither opens nor closes.
//! * **Chinese prose is not a formula.** A candidate whose TeX has an
//!   ideograph next to Chinese sentence punctuation (`，。、；：！？`),
//!   outside text-mode groups (`\text{…}`, `\mbox{…}`, `\mathrm{…}`,
//!   `\textbf{…}`, `\operatorname{…}`, …), is text: its dollars were
//!   mis-paired (`分，这` in `$-3 $分，这$ 3$`). Its opening `$` stays
//!   literal and its closing `$` may open the next formula, so pairing
//!   recovers. `$x_1，x_2$` and `$\text{当}x，y$` are formulas.
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
//! * An empty block (a `$$` line, then a `$$` line, with at most whitespace
//!   between) is a span with empty TeX: the renderer shows nothing and
//!   warns. Left as text, its second `$$` would open a formula over the
//!   prose up to the next `$$`. `$$$$` and `$$ $$` on one line are text.
//! * A line holding only whitespace and `>` markers counts as blank.
//!
//! ## Environments
//!
//! `\begin{env}` must start its line and lie outside other math; like a
//! `$$` block it may span blank lines, up to its matching `\end{env}`.
//! Elsewhere (`文字\begin{equation}`) it is text.
//!
//! ## Math in code spans (`math.code_spans`)
//!
//! With [`ScanOptions::code_spans`], a code span whose whole content is
//! `$…$` or `$$…$$` is an inline or display formula (the blogdown and Hugo
//! convention): `` `$x_i$` ``, `` `$$\sum_i$$` ``. The span's range is the
//! code span, backticks included. Off by default, since `` `$HOME` `` and
//! `` `$x$` `` in a programming note are code.
//!
//! ## Tables
//!
//! A table row is scanned whole, so a `|` inside a formula never splits its
//! cell: `| L1 | $d(x, y) = |x - y|$ |`, `$p(x|y)$`, `$\Theta(|V|^2)$`. (The
//! first parse splits the cells at every `|` and drops those past the
//! header's count; the formulas found are masked before the real parse,
//! which then sees one cell.) A `|` outside math still splits cells.
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
//! * In a table, `\|` inside a formula stays TeX `\|` (a double bar, as
//!   everywhere): the formula is cut out before Markdown sees the table, so
//!   write `|` for a single bar.
//! * One-sided padding lets an English price pair with a later dollar when
//!   nothing above rejects it: `costs $5, see $ x` is text, but
//!   `pay $ 5 or 6$.` is the formula `5 or 6`. Escape such dollars as `\$`.
//! * A formula may run across a link destination or an HTML tag:
//!   `$5 [a](/b) 10$` is one formula.

mod code_math;
mod html_guards;
mod layout;
mod lines;
mod pairing;
mod scanner;
mod tokens;

#[cfg(test)]
mod tests;

use std::ops::Range;

use layout::Layout;
use scanner::Scanner;
use tokens::Tokens;

/// One formula found in a Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathSpan {
    /// Byte range in the source, delimiters included.
    pub range: Range<usize>,
    /// The TeX between the delimiters, with container prefixes (`> ` of
    /// blockquotes) removed from continuation lines and surrounding
    /// whitespace trimmed. For `\begin{env}…\end{env}` the TeX is the whole
    /// environment including `\begin`/`\end`. Unicode spaces (NBSP,
    /// U+3000, …) are ASCII spaces here and zero-width characters are gone.
    /// Empty only for an empty display block (a `$$` line followed by a
    /// `$$` line), which renders as nothing.
    pub tex: String,
    /// Rendered in display mode (`$$`, `\[ \]`, top-level `\begin{equation}` etc.).
    pub display: bool,
    /// The formula stands alone as a block: its opening delimiter starts its
    /// line (after container prefixes like `> `, list indentation) and its
    /// closing delimiter ends its line. Such formulas become a `<div>`;
    /// others are inline.
    pub block: bool,
}

/// What counts as math beyond the delimiters every note uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// A code span that is exactly `` `$…$` `` or `` `$$…$$` `` is a formula
    /// (`math.code_spans`, the blogdown and Hugo convention).
    pub code_spans: bool,
}

/// Finds every formula in `source`, in order, non-overlapping.
pub fn find_math(source: &str) -> Vec<MathSpan> {
    find_math_with(source, ScanOptions::default())
}

/// Finds every formula in `source` with `options`, in order, non-overlapping.
pub fn find_math_with(source: &str, options: ScanOptions) -> Vec<MathSpan> {
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
    if options.code_spans {
        // Code spans are never inside other formulas: merge by position.
        spans.extend(code_math::code_span_math(source, &layout.code_spans));
        spans.sort_by_key(|span| span.range.start);
    }
    spans
}

/// Bounds the mask-and-re-parse rounds; they converge after one in practice.
const MAX_REPARSES: usize = 3;

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
