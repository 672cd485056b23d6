//! One Markdown article to HTML: math, highlighting, heading ids, TOC, excerpt.
//!
//! Math is found *before* Markdown parsing and replaced by placeholders, so
//! Markdown never sees the `_`, `*`, `\\` or `|` inside formulas; the rendered
//! formulas are put back into the finished HTML.

mod cjk;
pub mod excerpt;
pub mod headings;
mod highlight;
mod html;
pub mod math;
pub mod math_scan;
mod placeholder;

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub use cjk::{TextCount, is_cjk};
pub use headings::TocEntry;
pub use highlight::{highlight, stylesheet as highlight_stylesheet};
pub use html::escape;
pub use math::MathEngine;

use crate::diagnostic::{Diagnostic, Position};
use excerpt::Piece;
use headings::HeadingIds;
use placeholder::{Formula, Masked};

/// Marks where `<!-- more -->` stood, until the HTML is split there.
const MORE_SENTINEL: &str = "<!--blogsmith:more-->";

/// What a page's HTML gets in place of `<!-- more -->`, so "read more" can link to it.
const MORE_ANCHOR: &str = "<span id=\"more\"></span>";

/// Characters of the plain-text description (search engines show about this many).
const DESCRIPTION_LENGTH: usize = 120;

/// An article's Markdown and where it came from, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The Markdown.
    pub body: &'a str,
    /// The file, as shown in messages.
    pub path: &'a Path,
    /// The file line where `body` starts.
    pub first_line: usize,
}

/// One article, rendered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The article's HTML.
    /// Shared: a session keeps every article's rendering and hands it to each
    /// build without copying it.
    pub html: std::sync::Arc<str>,
    /// The HTML before `<!-- more -->`, if the article has the marker.
    pub before_more: Option<String>,
    /// The automatic excerpt (used when there is no marker and no `summary`).
    pub auto_excerpt: String,
    /// The opening text, plain, for meta descriptions.
    pub description: String,
    /// Headings, in order.
    pub toc: Vec<TocEntry>,
    /// Formulas on the page.
    pub formulas: usize,
    /// Code blocks on the page.
    pub code_blocks: usize,
    /// Characters and words, for reading time.
    pub text: TextCount,
    /// Relative link and image targets (`fig.png`, `../a/b.svg`), for copying assets.
    pub local_links: Vec<String>,
    /// Warnings: formulas KaTeX cannot parse, unknown code languages.
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders Markdown; cheap to share between threads.
pub struct MarkdownRenderer<'a> {
    /// Typesets formulas (and caches them for the whole build).
    pub math: &'a MathEngine,
    /// Length of automatic excerpts, in characters.
    pub summary_length: usize,
}

impl MarkdownRenderer<'_> {
    /// Renders one article.
    pub fn render(&self, source: Source<'_>) -> Rendered {
        let mut diagnostics = Vec::new();
        let spans = math_scan::find_math(source.body);
        let formulas: Vec<Formula> = spans
            .iter()
            .map(|span| self.formula(span, &source, &mut diagnostics))
            .collect();
        let masked = Masked::new(source.body, &spans);

        let mut pass = Pass::new(&masked, &source, &mut diagnostics);
        let events = pass.run();
        let Pass {
            toc,
            code_blocks,
            local_links,
            ..
        } = pass;
        let events = cjk_soft_breaks(events);
        let (pieces, text) = readable_text(&events, &formulas);

        let mut body_html = String::with_capacity(source.body.len() * 2);
        pulldown_cmark::html::push_html(&mut body_html, events.into_iter());
        let body_html = placeholder::substitute(&body_html, &formulas);
        let (html, before_more) = match body_html.split_once(MORE_SENTINEL) {
            Some((before, after)) => (
                format!("{before}{MORE_ANCHOR}{after}"),
                Some(before.to_string()),
            ),
            None => (body_html, None),
        };
        let toc = toc
            .into_iter()
            .map(|entry| TocEntry {
                title: placeholder::substitute(&entry.title, &formulas),
                ..entry
            })
            .collect();
        Rendered {
            html: html.into(),
            before_more,
            auto_excerpt: excerpt::build(&pieces, self.summary_length),
            description: excerpt::plain(&pieces, DESCRIPTION_LENGTH),
            toc,
            formulas: formulas.len(),
            code_blocks,
            text,
            local_links,
            diagnostics,
        }
    }

    /// Renders a short Markdown text such as a front matter `summary`.
    pub fn render_fragment(&self, markdown: &str, path: &Path, line: usize) -> Rendered {
        self.render(Source {
            body: markdown,
            path,
            first_line: line,
        })
    }

    fn formula(
        &self,
        span: &math_scan::MathSpan,
        source: &Source<'_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Formula {
        let rendered = self.math.render(&span.tex, span.display);
        let html = match rendered.as_ref() {
            Ok(html) => html.clone(),
            Err(error) => {
                let at = file_position(source, span.range.start);
                let mut d = Diagnostic::warning(source.path, error.message.clone()).at(at);
                if let Some(hint) = &error.hint {
                    d = d.with_hint(hint.clone());
                }
                diagnostics.push(d);
                math::error_html(&span.tex, error)
            }
        };
        Formula {
            html,
            tex: span.tex.clone(),
            display: span.display,
            failed: rendered.is_err(),
        }
    }
}

/// Whether any formula on a rendered page failed (the page carries error spans).
pub fn is_math_error(d: &Diagnostic) -> bool {
    d.message.starts_with("KaTeX")
}

/// The file position of byte `offset` in the body.
fn file_position(source: &Source<'_>, offset: usize) -> Position {
    let p = Position::of_offset(source.body, offset);
    Position::new(p.line + source.first_line - 1, p.column)
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_CJK_FRIENDLY_EMPHASIS
}

/// The one pass over pulldown-cmark's events that rewrites headings, code and the more marker.
struct Pass<'a, 'd> {
    masked: &'a Masked,
    source: &'a Source<'a>,
    diagnostics: &'d mut Vec<Diagnostic>,
    ids: HeadingIds,
    toc: Vec<TocEntry>,
    code_blocks: usize,
    local_links: Vec<String>,
    container_depth: usize,
}

impl<'a, 'd> Pass<'a, 'd> {
    fn new(
        masked: &'a Masked,
        source: &'a Source<'a>,
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Self {
        Self {
            masked,
            source,
            diagnostics,
            ids: HeadingIds::default(),
            toc: Vec::new(),
            code_blocks: 0,
            local_links: Vec::new(),
            container_depth: 0,
        }
    }

    fn run(&mut self) -> Vec<Event<'a>> {
        let mut events = Vec::new();
        let mut parser = Parser::new_ext(&self.masked.text, parser_options()).into_offset_iter();
        while let Some((event, range)) = parser.next() {
            match event {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let inner = take_until_end(&mut parser, |e| {
                        matches!(e, Event::End(TagEnd::Heading(_)))
                    });
                    self.heading(level, id, classes, attrs, inner, &mut events);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let inner =
                        take_until_end(&mut parser, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                    events.push(self.code_block(&kind, &inner, range.start));
                }
                Event::Html(html) if self.container_depth == 0 && is_more_marker(&html) => {
                    events.push(Event::Html(CowStr::Borrowed(MORE_SENTINEL)));
                }
                event => {
                    self.track(&event);
                    events.push(event);
                }
            }
        }
        events
    }

    fn track(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(tag) if is_container(tag) => self.container_depth += 1,
            Event::End(tag) if is_container_end(tag) => {
                self.container_depth = self.container_depth.saturating_sub(1)
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_local(dest_url) =>
            {
                self.local_links.push(dest_url.to_string());
            }
            _ => {}
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        inner: Vec<Event<'a>>,
        events: &mut Vec<Event<'a>>,
    ) {
        let id = match id {
            Some(id) => {
                self.ids.reserve(&id);
                id.to_string()
            }
            None => self.ids.id_for(&plain_text(&inner, self.masked)),
        };
        let mut title = String::new();
        pulldown_cmark::html::push_html(
            &mut title,
            inner.iter().filter(|e| !is_link_or_note(e)).cloned(),
        );
        for event in &inner {
            self.track(event);
        }
        self.toc.push(TocEntry {
            level: level as u8,
            id: id.clone(),
            title,
        });
        events.push(Event::Start(Tag::Heading {
            level,
            id: Some(id.into()),
            classes,
            attrs,
        }));
        events.extend(inner);
        events.push(Event::End(TagEnd::Heading(level)));
    }

    fn code_block(
        &mut self,
        kind: &CodeBlockKind<'_>,
        inner: &[Event<'_>],
        offset: usize,
    ) -> Event<'a> {
        self.code_blocks += 1;
        let code: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let lang = match kind {
            CodeBlockKind::Fenced(info) => fence_language(info),
            CodeBlockKind::Indented => "",
        };
        let body = match highlight::highlight(&code, lang) {
            highlight::Highlighted::Html(html) | highlight::Highlighted::Plain(html) => html,
            highlight::Highlighted::UnknownLanguage(html) => {
                let at = file_position(self.source, self.masked.original_offset(offset));
                self.diagnostics.push(
                    Diagnostic::warning(
                        self.source.path,
                        format!("no highlighting for language `{lang}`; shown as plain text"),
                    )
                    .at(at)
                    .with_hint(
                        "check the fence's language name (python, rust, cpp, bash, yaml, json, …)",
                    ),
                );
                html
            }
        };
        let lang_attrs = if lang.is_empty() {
            String::new()
        } else {
            let lang = escape(lang);
            format!(" data-lang=\"{lang}\"><code class=\"language-{lang}\"")
        };
        let open = if lang_attrs.is_empty() {
            "<pre class=\"code\"><code>".to_string()
        } else {
            format!("<pre class=\"code\"{lang_attrs}>")
        };
        Event::Html(format!("{open}{body}</code></pre>\n").into())
    }
}

/// Collects events up to and excluding the matching end (which is consumed).
fn take_until_end<'a, I>(parser: &mut I, is_end: impl Fn(&Event<'a>) -> bool) -> Vec<Event<'a>>
where
    I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
{
    let mut inner = Vec::new();
    for (event, _) in parser.by_ref() {
        if is_end(&event) {
            break;
        }
        inner.push(event);
    }
    inner
}

/// The fence's language: its first word, without Zola/Pandoc-style attributes.
fn fence_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
}

fn is_more_marker(html: &str) -> bool {
    let compact: String = html.chars().filter(|c| !c.is_whitespace()).collect();
    compact.eq_ignore_ascii_case("<!--more-->")
}

fn is_container(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_) | Tag::Table(_)
    )
}

fn is_container_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
    )
}

fn is_link_or_note(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) | Event::FootnoteReference(_)
    )
}

/// Whether a link target is a file next to the article (not a URL, an absolute path or an anchor).
fn is_local(url: &str) -> bool {
    !(url.is_empty()
        || url.starts_with('#')
        || url.starts_with('/')
        || url.starts_with('?')
        || url.contains("://")
        || url.starts_with("mailto:")
        || url.starts_with("data:")
        || url.starts_with("tel:"))
}

/// The text of inline events, formulas as their TeX: for heading ids.
fn plain_text(events: &[Event<'_>], masked: &Masked) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(&masked.with_tex(t));
        }
    }
    text
}

/// Drops soft line breaks between two CJK characters: Chinese authors wrap
/// lines, and a space between 中 and 文 is a visible defect.
fn cjk_soft_breaks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        if matches!(event, Event::SoftBreak) {
            let before = out
                .iter()
                .rev()
                .find_map(edge_text)
                .and_then(|t| t.chars().next_back());
            let after = events[i + 1..]
                .iter()
                .find_map(edge_text)
                .and_then(|t| t.chars().next());
            if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
                continue;
            }
        }
        out.push(event.clone());
    }
    out
}

/// The text an inline event shows at its edge; `Some("")`-like stops for breaks.
fn edge_text<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
        Event::SoftBreak | Event::HardBreak | Event::Html(_) | Event::InlineHtml(_) => Some(""),
        Event::Start(tag) if !is_inline(tag) => Some(""),
        Event::End(tag) if !is_inline_end(tag) => Some(""),
        _ => None,
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// The article's readable text as excerpt pieces, and its character counts.
fn readable_text(events: &[Event<'_>], formulas: &[Formula]) -> (Vec<Piece>, TextCount) {
    let mut pieces = Vec::new();
    let mut count = TextCount::default();
    let mut hidden_depth = 0usize;
    for event in events {
        match event {
            Event::Start(
                Tag::Image { .. } | Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_),
            ) => hidden_depth += 1,
            Event::End(TagEnd::Image | TagEnd::FootnoteDefinition | TagEnd::MetadataBlock(_)) => {
                hidden_depth = hidden_depth.saturating_sub(1);
            }
            _ if hidden_depth > 0 => {}
            Event::Text(t) | Event::Code(t) => {
                placeholder::for_each_part(t, formulas, |part| match part {
                    placeholder::Part::Text(text) => {
                        count.add(text);
                        pieces.push(Piece::Text(text.to_string()));
                    }
                    placeholder::Part::Formula(f) if !f.display && !f.failed => {
                        pieces.push(Piece::Math {
                            html: placeholder::inline_html(f),
                            tex: f.tex.clone(),
                            weight: excerpt::math_weight(&f.tex),
                        });
                    }
                    placeholder::Part::Formula(_) => {}
                });
            }
            Event::SoftBreak | Event::HardBreak => pieces.push(Piece::Text(" ".into())),
            Event::End(tag) if !is_inline_end(tag) => pieces.push(Piece::Break),
            _ => {}
        }
    }
    (pieces, count)
}

#[cfg(test)]
mod tests;
