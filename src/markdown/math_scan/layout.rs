//! The layout: what a Markdown parse says about the source. Guards are the
//! regions math cannot enter (code, HTML, link destinations); runs are the
//! extents of inline content that an inline formula cannot leave.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use super::html_guards::{html_block_guards, raw_element, tag_name};
use super::scanner::Reach;

/// How strongly a region keeps math out. Ordered: overlapping regions merge
/// into the strongest kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum GuardKind {
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
pub(super) struct Guard {
    pub(super) range: Range<usize>,
    pub(super) kind: GuardKind,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Layout {
    /// Sorted, non-overlapping.
    pub(super) guards: Vec<Guard>,
    /// Extents of inline content (a paragraph, heading, table row, tight
    /// list item text); sorted, non-overlapping.
    runs: Vec<Range<usize>>,
    /// Code spans, backticks included, in order.
    pub(super) code_spans: Vec<Range<usize>>,
    /// `next_hard[k]`: start of the first `Hard` guard at index `k` or later.
    next_hard: Vec<usize>,
    /// `next_code[k]`: start of the first non-`Soft` guard at index `k` or later.
    next_code: Vec<usize>,
}

impl Layout {
    pub(super) fn parse(source: &str) -> Self {
        // The same extensions as the real parse: they change what counts as a
        // paragraph, a table row or a link reference definition.
        let parser = Parser::new_ext(source, crate::markdown::parser_options());
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
    pub(super) fn barrier_after(&self, pos: usize, reach: Reach) -> usize {
        let k = self.guards.partition_point(|g| g.range.start <= pos);
        let table = match reach {
            Reach::Inline => &self.next_code,
            Reach::Block => &self.next_hard,
        };
        table.get(k).copied().unwrap_or(usize::MAX)
    }

    pub(super) fn guard_overlapping(&self, range: Range<usize>) -> Option<&Guard> {
        let k = self.guards.partition_point(|g| g.range.end <= range.start);
        self.guards.get(k).filter(|g| g.range.start < range.end)
    }

    pub(super) fn run_containing(&self, pos: usize) -> Option<&Range<usize>> {
        let k = self.runs.partition_point(|r| r.start <= pos);
        k.checked_sub(1)
            .and_then(|k| self.runs.get(k))
            .filter(|r| pos < r.end)
    }

    pub(super) fn next_run_start(&self, pos: usize) -> usize {
        let k = self.runs.partition_point(|r| r.start <= pos);
        self.runs.get(k).map_or(usize::MAX, |r| r.start)
    }
}

#[derive(Default)]
struct LayoutBuilder {
    guards: Vec<Guard>,
    runs: Vec<Range<usize>>,
    run: Option<Range<usize>>,
    code_spans: Vec<Range<usize>>,
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
                self.code_spans.push(range.clone());
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
            // A table row is one run, whole: Markdown splits cells at every
            // `|` before it knows about math, and drops the cells past the
            // header's count, so a formula holding `|` (`$|x|$`) would
            // otherwise fall outside the row's content.
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                self.end_run();
                self.run = Some(range);
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
            code_spans: self.code_spans,
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
