//! One Markdown article to HTML: math, highlighting, heading ids, TOC, excerpt.
//!
//! Math is found *before* Markdown parsing and replaced by placeholders, so
//! Markdown never sees the `_`, `*`, `\\` or `|` inside formulas; the rendered
//! formulas are put back into the finished HTML.

mod callouts;
pub mod citations;
mod cjk;
mod code;
mod equations;
pub mod excerpt;
mod figures;
mod footnotes;
mod formulas;
mod grammars;
pub mod headings;
pub mod highlight;
mod html;
pub mod labels;
pub mod math;
pub mod math_scan;
pub mod mathjax;
mod mathml;
pub mod page_macros;
mod placeholder;
mod recall;
pub mod references;
mod tables;
pub mod tags;

use std::path::Path;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

pub use citations::{Bibliography, CitationStyle};
pub use cjk::{TextCount, is_cjk};
pub use headings::TocEntry;
pub use highlight::{CodeStyle, Highlighted};
pub use html::escape;
pub use math::MathEngine;
pub use mathml::mathml_only;
pub use recall::{Forget, Recall};
pub use references::Label;

use crate::diagnostic::{Diagnostic, Position};
use excerpt::Piece;
use formulas::{FormulaContext, reference_link};
use headings::HeadingIds;
use page_macros::PageMacros;
use placeholder::{Formula, Masked};

/// Marks where `<!-- more -->` stood, until the HTML is split there.
const MORE_SENTINEL: &str = "<!--blogsmith:more-->";

/// What a page's HTML gets in place of `<!-- more -->`, so "read more" can link to it.
const MORE_ANCHOR: &str = "<span id=\"more\"></span>";

/// Prefix of the marker target given to relative links and images (`rope.md`,
/// `fig.png`); the site stage, which knows every article's URL, replaces
/// `LINK_MARKER<n>` with the target of `local_links[n]`.
pub const LINK_MARKER: &str = "blogsmith:link:";

/// A link to something of the site's own, as written, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocalLink {
    /// The target as written: `fig.png`, `./rope.md#旋转矩阵`, `#小结`.
    pub url: String,
    /// Where the link is, in the article file.
    pub position: Position,
}

/// Whether a relative link points at another article (`rope.md`, `../a/b.md#x`, `gd.ipynb`).
pub fn links_to_article(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    let lower = path.to_ascii_lowercase();
    !path.is_empty()
        && (lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".ipynb"))
}

/// Characters of the plain-text description (search engines show about this many).
const DESCRIPTION_LENGTH: usize = 120;

/// Characters of an article's plain text kept for the search index: a bound on
/// memory and index size for very long articles (the rest is not searchable).
pub const PLAIN_TEXT_LIMIT: usize = 100_000;

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
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// The readable text, plain, for the search index: headings, paragraphs, lists,
    /// tables and inline code, inline formulas as their TeX; code blocks, display
    /// formulas, images and footnotes left out. At most [`PLAIN_TEXT_LIMIT`] characters.
    pub plain_text: std::sync::Arc<str>,
    /// Headings, in order.
    pub toc: Vec<TocEntry>,
    /// Formulas on the page.
    pub formulas: usize,
    /// Code blocks on the page.
    pub code_blocks: usize,
    /// Mermaid diagrams on the page (the page then loads Mermaid).
    pub diagrams: usize,
    /// Characters and words, for reading time.
    pub text: TextCount,
    /// Relative link and image targets (`fig.png`, `rope.md#旋转`, `#小结`), for
    /// copying assets and resolving links between articles.
    pub local_links: Vec<LocalLink>,
    /// Links to paths of the site (`/posts/x/`, `/2019/07/29/x/`), to check.
    #[serde(default)]
    pub root_links: Vec<LocalLink>,
    /// Links and images to other sites (`https://…`, `//host/…`), in Markdown
    /// or in raw HTML (`href`, `src`): what `blogsmith check --external` requests.
    #[serde(default)]
    pub external_links: Vec<LocalLink>,
    /// The `id`s and `name`s of the article's own HTML (`<a id="x"></a>`):
    /// link targets like heading ids.
    #[serde(default)]
    pub html_anchors: Vec<String>,
    /// The labels the article defines (equations, theorems and figures with
    /// an id written), in order: what references anywhere in the site name.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Warnings: formulas KaTeX cannot parse, unknown code languages.
    pub diagnostics: Vec<Diagnostic>,
}

/// An article's excerpt, as list pages show it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Excerpt {
    /// The HTML (shared: every list page showing the article points at it).
    pub html: std::sync::Arc<str>,
    /// Whether it shows less than the whole article.
    pub is_partial: bool,
    /// Whether it contains a formula (the list page then needs the KaTeX CSS).
    pub has_math: bool,
}

/// Renders Markdown; cheap to share between threads.
#[derive(Clone, Copy)]
pub struct MarkdownRenderer<'a> {
    /// Typesets formulas (and caches them for the whole build).
    pub math: &'a MathEngine,
    /// Length of automatic excerpts, in characters.
    pub summary_length: usize,
    /// Number the lines of every code block (`highlight.line_numbers`).
    pub line_numbers: bool,
    /// Highlighting themes.
    pub code_style: &'a CodeStyle,
    /// Keep raw HTML (`markdown.unsafe_html`); otherwise it is shown as text.
    pub raw_html: bool,
    /// Read `\_`, `\*`, `\\{` in formulas as Hexo's marked/kramed authors
    /// meant them (`math.markdown_escapes`).
    pub markdown_escapes: bool,
    /// The language of the words added to articles (图 1, 提示, 定理 1).
    pub language: labels::Language,
    /// Code spans that are exactly `` `$…$` `` or `` `$$…$$` `` are math (`math.code_spans`).
    pub math_code_spans: bool,
    /// Number equations, theorems and figures by section, `(2.1)`
    /// (`markdown.numbering: section`).
    pub number_by_section: bool,
}

impl MarkdownRenderer<'_> {
    /// Renders one article.
    pub fn render(&self, source: Source<'_>) -> Rendered {
        self.render_with(source, &[])
    }

    /// Renders one article whose body holds sentinels for `generated` HTML
    /// (a notebook's prompts and outputs: see `content::notebook`).
    pub fn render_with(&self, source: Source<'_>, generated: &[String]) -> Rendered {
        self.render_cited(source, generated, None)
    }

    /// Renders one article that may cite entries of `bibliography`
    /// (see [`citations`]); its references close the article, before its footnotes.
    pub fn render_cited(
        &self,
        source: Source<'_>,
        generated: &[String],
        bibliography: Option<&Bibliography>,
    ) -> Rendered {
        let mut diagnostics = Vec::new();
        // Other generators' tags first: what they become is Markdown and math.
        let sections = self
            .number_by_section
            .then(|| equations::section_starts(source.body, parser_options()));
        let translated = tags::translate_numbered(source.body, self.language, sections);
        let lines = Lines {
            original: source.body,
            first_line: source.first_line,
            map: &translated.map,
            line_starts: std::cell::OnceCell::new(),
        };
        diagnostics.extend(translated.problems.iter().map(|problem| {
            let at = lines.position_in_article(problem.offset);
            let d = match problem.error {
                true => Diagnostic::error(source.path, problem.message.clone()),
                false => Diagnostic::warning(source.path, problem.message.clone()),
            };
            d.at(at).with_hint(problem.hint)
        }));
        let body: &str = &translated.text;
        let options = math_scan::ScanOptions {
            code_spans: self.math_code_spans,
        };
        let spans = math_scan::find_math_with(body, options);

        // Macros the article defines hold from their formula on, in order.
        let mut page_macros = PageMacros::default();
        let prepared: Vec<Result<page_macros::Expanded, math::MathError>> = spans
            .iter()
            .map(|span| self.prepare(&span.tex, &mut page_macros))
            .collect();
        let masked = Masked::new(body, &spans);
        // Numbers first: a reference may come before its equation.
        let sections = match self.number_by_section {
            true => equations::sections(&masked, &spans, parser_options()),
            false => Vec::new(),
        };
        let numbering =
            equations::Numbering::by_section(spans.iter().zip(&prepared).enumerate().map(
                |(i, (span, p))| {
                    let tex = p.as_ref().map_or("", |e| e.tex.as_str());
                    (tex, span.display, sections.get(i).copied())
                },
            ));
        // References the site stage resolves, recorded as local links (see `references`).
        let mut pending = Vec::new();
        let formulas: Vec<Formula> = spans
            .iter()
            .zip(prepared)
            .enumerate()
            .map(|(i, (span, prepared))| {
                let context = FormulaContext {
                    index: i,
                    numbering: &numbering,
                    source: &source,
                    lines: &lines,
                };
                self.formula(span, prepared, &context, &mut diagnostics, &mut pending)
            })
            .collect();

        let mut pass = Pass::new(*self, &masked, &source, &lines, &mut diagnostics);
        pass.tag_html = &translated.html;
        pass.equations = Some(&numbering);
        pass.generated_html = generated;
        pass.local_links = pending;
        pass.bibliography = bibliography;
        let events = pass.run();
        let Pass {
            toc,
            code_blocks,
            diagrams,
            local_links,
            root_links,
            external_links,
            mut html_anchors,
            cites,
            more,
            ..
        } = pass;
        let events = match bibliography {
            Some(bibliography) if !cites.is_empty() => {
                let title = self.language.references();
                citations::insert(events, &cites, bibliography, title, &mut html_anchors)
            }
            _ => events,
        };
        html_anchors.extend((0..formulas.len()).flat_map(|i| numbering.ids(i).iter().cloned()));
        // Callouts first: their title ends at the first line break, which
        // `cjk_soft_breaks` would remove between two Chinese characters.
        let events = callouts::rewrite(events, self.language);
        let events = cjk_soft_breaks(events);
        let (pieces, text) = readable_text(&events, &formulas);
        let events = footnotes::gather(events);
        let (events, figure_ids) =
            figures::rewrite(events, self.language.figure(), self.number_by_section);
        let labels = references::labels(
            &numbering,
            &spans,
            &translated.labels,
            &figure_ids,
            self.language,
            &lines,
        );
        html_anchors.extend(figure_ids.into_iter().map(|figure| figure.id));

        let mut body_html = String::with_capacity(source.body.len() * 2);
        pulldown_cmark::html::push_html(&mut body_html, events.into_iter());
        let body_html = placeholder::substitute(&body_html, &formulas);
        // Only searched for when the pass met the marker: searching every
        // article's HTML for the sentinel was 0.6% of a cold build.
        let split = match more {
            true => body_html.split_once(MORE_SENTINEL),
            false => None,
        };
        let (html, before_more) = match split {
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
            auto_excerpt: placeholder::substitute(
                &excerpt::build(&pieces, self.summary_length),
                &formulas,
            ),
            description: excerpt::plain(&pieces, DESCRIPTION_LENGTH),
            plain_text: excerpt::plain(&pieces, PLAIN_TEXT_LIMIT).into(),
            toc,
            formulas: formulas.iter().filter(|f| !f.tex.is_empty()).count(),
            code_blocks,
            diagrams,
            text,
            local_links,
            root_links,
            external_links,
            html_anchors,
            labels,
            diagnostics,
        }
    }

    /// Picks an article's excerpt for list pages: the part before
    /// `<!-- more -->`, else the front matter `summary` (rendered), else the
    /// automatic excerpt. Its candidates are moved out of `rendered`, not
    /// copied: nothing else reads them.
    pub fn excerpt(&self, rendered: &mut Rendered, summary: Option<&str>, path: &Path) -> Excerpt {
        let (html, is_partial) = match (rendered.before_more.take(), summary) {
            (Some(before), _) => (before, true),
            (None, Some(summary)) => {
                // The summary's links and references join the article's, numbered after them.
                let fragment = self.render_fragment(summary, path, 1);
                let html = renumber_markers(&fragment.html, rendered.local_links.len());
                rendered.local_links.extend(fragment.local_links);
                (html, true)
            }
            (None, None) => {
                let partial = rendered.auto_excerpt.ends_with("…</p>");
                (std::mem::take(&mut rendered.auto_excerpt), partial)
            }
        };
        Excerpt {
            has_math: html.contains("class=\"katex"),
            html: html.into(),
            is_partial,
        }
    }

    /// Renders a short Markdown text such as a front matter `summary`.
    ///
    /// Math and emphasis work, but raw HTML is shown as text: front matter is
    /// escaped everywhere, so a summary cannot inject markup or scripts.
    pub fn render_fragment(&self, markdown: &str, path: &Path, line: usize) -> Rendered {
        MarkdownRenderer {
            raw_html: false,
            ..*self
        }
        .render(Source {
            body: markdown,
            path,
            first_line: line,
        })
    }
}

/// `html` with each link marker's number raised by `by`.
fn renumber_markers(html: &str, by: usize) -> String {
    if by == 0 || !html.contains(LINK_MARKER) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(at) = rest.find(LINK_MARKER) {
        let after = &rest[at + LINK_MARKER.len()..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        out.push_str(&rest[..at + LINK_MARKER.len()]);
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The hint of an unknown language's warning: the closest known name, if any.
fn unknown_language_hint(lang: &str) -> String {
    match highlight::closest_language(lang) {
        Some(name) => format!("did you mean `{name}`? (docs/code.md lists the language names)"),
        None => "check the fence's language name (python, rust, cpp, bash, toml, ts, …; docs/code.md lists them)".to_string(),
    }
}

/// Turns offsets in the text being rendered (the article with its tags
/// translated) into positions in the article file.
struct Lines<'a> {
    original: &'a str,
    first_line: usize,
    map: &'a tags::OffsetMap,
    /// Where each line of `original` starts, found on the first position
    /// asked for: an article with many links asks for one per link, and
    /// counting lines from the top each time was quadratic.
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl Lines<'_> {
    /// The file position of byte `offset` of the rendered text.
    fn position(&self, offset: usize) -> Position {
        self.position_in_article(self.map.original(offset))
    }

    /// The file position of byte `offset` of the article's body.
    fn position_in_article(&self, offset: usize) -> Position {
        let starts = self.line_starts.get_or_init(|| {
            let breaks = self.original.match_indices('\n').map(|(i, _)| i + 1);
            std::iter::once(0).chain(breaks).collect()
        });
        // The line holding `offset`: the last start at or before it.
        let line = starts.partition_point(|&start| start <= offset).max(1) - 1;
        let p = Position::of_offset(&self.original[starts[line]..], offset - starts[line]);
        Position::new(line + p.line + self.first_line - 1, p.column)
    }
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
struct Pass<'a, 'd, 'r> {
    renderer: MarkdownRenderer<'r>,
    masked: &'a Masked,
    source: &'a Source<'a>,
    diagnostics: &'d mut Vec<Diagnostic>,
    ids: HeadingIds,
    toc: Vec<TocEntry>,
    code_blocks: usize,
    diagrams: usize,
    local_links: Vec<LocalLink>,
    root_links: Vec<LocalLink>,
    external_links: Vec<LocalLink>,
    html_anchors: Vec<String>,
    /// Whether the article was told about its editor's `about:` links.
    warned_editor_links: bool,
    container_depth: usize,
    /// Whether a `<!-- more -->` marker was met (its sentinel is in the events).
    more: bool,
    /// Positions in the article file.
    lines: &'a Lines<'a>,
    /// The HTML of translated tags, by sentinel number (see [`tags`]).
    tag_html: &'a [String],
    /// The article's equation numbers, for `\eqref{…}` written in the text.
    equations: Option<&'a equations::Numbering>,
    /// Counts table cells, to report rows shorter than their header.
    table_rows: tables::RowCounter,
    /// The HTML of a notebook's sentinels, by number.
    generated_html: &'a [String],
    /// The entries the article may cite; `None`: citations are left as text.
    bibliography: Option<&'a Bibliography>,
    /// Citations found, by sentinel number (see [`citations::insert`]).
    cites: Vec<citations::Cite>,
    /// Text events not yet looked at for citations (pulldown-cmark splits
    /// text at `[` and `]`), with their place in the masked text.
    pending_text: Vec<(CowStr<'a>, usize)>,
    /// Links and images open around the current event: their text cites nothing.
    link_depth: usize,
}

impl<'a, 'd, 'r> Pass<'a, 'd, 'r> {
    fn new(
        renderer: MarkdownRenderer<'r>,
        masked: &'a Masked,
        source: &'a Source<'a>,
        lines: &'a Lines<'a>,
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Self {
        Self {
            renderer,
            masked,
            source,
            lines,
            tag_html: &[],
            equations: None,
            generated_html: &[],
            bibliography: None,
            cites: Vec::new(),
            pending_text: Vec::new(),
            link_depth: 0,
            diagnostics,
            ids: HeadingIds::default(),
            toc: Vec::new(),
            code_blocks: 0,
            diagrams: 0,
            local_links: Vec::new(),
            root_links: Vec::new(),
            external_links: Vec::new(),
            html_anchors: Vec::new(),
            warned_editor_links: false,
            container_depth: 0,
            more: false,
            table_rows: tables::RowCounter::default(),
        }
    }

    fn run(&mut self) -> Vec<Event<'a>> {
        let mut events = Vec::new();
        let mut parser = Parser::new_ext(&self.masked.text, parser_options()).into_offset_iter();
        while let Some((event, range)) = parser.next() {
            let event = match event {
                Event::Text(text) if self.bibliography.is_some() && self.link_depth == 0 => {
                    self.pending_text.push((text, range.start));
                    continue;
                }
                event => {
                    self.before_other(&event, &mut events);
                    event
                }
            };
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
                    let inner: Vec<Event<'_>> =
                        take_until_end(&mut parser, |e| matches!(e, Event::End(TagEnd::CodeBlock)))
                            .into_iter()
                            .map(|(event, _)| event)
                            .collect();
                    events.push(self.code_block(&kind, &inner, range.start));
                }
                Event::Html(html) if self.container_depth == 0 && is_more_marker(&html) => {
                    self.more = true;
                    events.push(Event::Html(CowStr::Borrowed(MORE_SENTINEL)));
                }
                Event::Html(html) | Event::InlineHtml(html)
                    if let Some(generated) = self.tag_html(&html) =>
                {
                    // Theorems and containers carry ids to link to.
                    self.html_anchors.extend(html_ids(generated));
                    events.push(Event::Html(CowStr::Borrowed(generated)));
                }
                Event::Html(html) | Event::InlineHtml(html) if !self.renderer.raw_html => {
                    events.push(Event::Text(html));
                }
                Event::Text(text) if text.contains("ref{") => {
                    self.text_with_references(text, range.start, &mut events);
                }
                event => {
                    if let Some(short) = self.table_rows.observe(&event, &range) {
                        self.short_row(&short);
                    }
                    let event = self.track(event, range.start);
                    events.push(event);
                }
            }
        }
        self.flush_text(&mut events);
        events
    }

    /// A text event at `offset` of the masked text: `\ref{…}` in it linked.
    fn text(&mut self, text: CowStr<'a>, offset: usize, events: &mut Vec<Event<'a>>) {
        if text.contains("ref{") {
            self.text_with_references(text, offset, events);
        } else {
            events.push(Event::Text(text));
        }
    }

    /// Text holding `\eqref{…}`/`\ref{…}` (MathJax reads them outside
    /// formulas too): each becomes a link to its equation.
    fn text_with_references(
        &mut self,
        text: CowStr<'a>,
        offset: usize,
        events: &mut Vec<Event<'a>>,
    ) {
        let references = equations::references(&text);
        if references.is_empty() {
            events.push(Event::Text(text));
            return;
        }
        let mut copied = 0;
        for reference in references {
            if reference.range.start > copied {
                events.push(Event::Text(
                    text[copied..reference.range.start].to_string().into(),
                ));
            }
            let number = self.equations.and_then(|n| n.number(reference.label));
            let html = match number {
                Some(number) => reference_link(reference.label, number, reference.parenthesised),
                None => {
                    // A theorem, a figure or another article's: the site stage's.
                    // The event's text is the source's here: no escapes precede a `\ref`.
                    let url = references::reference_url(reference.label, reference.parenthesised);
                    let marker = self.record_link(&url, offset + reference.range.start);
                    references::pending_link(&marker)
                }
            };
            events.push(Event::InlineHtml(html.into()));
            copied = reference.range.end;
        }
        if copied < text.len() {
            events.push(Event::Text(text[copied..].to_string().into()));
        }
    }

    /// Follows container depth and records local links. Relative links and
    /// images get a marker as target, which the site stage replaces: with the
    /// article's URL for `.md` links, with a path that also works from list
    /// pages in excerpts.
    fn track(&mut self, event: Event<'a>, offset: usize) -> Event<'a> {
        match event {
            Event::Start(ref tag) if is_container(tag) => self.container_depth += 1,
            Event::End(ref tag) if is_container_end(tag) => {
                self.container_depth = self.container_depth.saturating_sub(1)
            }
            // `<foo@example.com>`: the HTML writer makes it `mailto:`; it is not
            // a file or an anchor, even when the address looks like one (`<#a@b.c>`).
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                self.html_anchors.extend(html_ids(html));
                for (at, url) in html_external_urls(html) {
                    self.record_external(&url, offset + at);
                }
            }
            // Typora writes links within a note as `about:blank#标题`.
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("about:") => {
                self.editor_link(&dest_url, offset);
                let anchor = dest_url.find('#').map_or("", |at| &dest_url[at..]);
                let dest_url: CowStr<'a> = anchor.to_string().into();
                if !anchor.is_empty() {
                    self.record_link(&dest_url, offset);
                }
                return Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                });
            }
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. })
                if dest_url.to_ascii_lowercase().starts_with("file:") =>
            {
                let at = self.lines.position(self.masked.original_offset(offset));
                self.diagnostics.push(
                    Diagnostic::warning(
                        self.source.path,
                        format!(
                            "`{dest_url}` is a file on the author's disk: readers cannot open it"
                        ),
                    )
                    .at(at)
                    .with_hint("copy the file beside the article and link to it by a relative path")
                    .strict(),
                );
            }
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. })
                if is_external(dest_url) =>
            {
                self.record_external(dest_url, offset);
            }
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. })
                if dest_url.starts_with('/') && !dest_url.starts_with("//") =>
            {
                let position = self.lines.position(self.masked.original_offset(offset));
                self.root_links.push(LocalLink {
                    url: dest_url.to_string(),
                    position,
                });
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('#') => {
                self.record_link(&dest_url, offset);
                return Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                });
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if is_local(&dest_url) => {
                let dest_url = self.record_link(&dest_url, offset);
                return Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                });
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if is_local(&dest_url) => {
                let dest_url = self.record_link(&dest_url, offset);
                return Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                });
            }
            _ => {}
        }
        event
    }

    /// Tells the article once that its editor's `about:blank#…` links were
    /// taken as links within the page.
    fn editor_link(&mut self, url: &str, offset: usize) {
        if std::mem::replace(&mut self.warned_editor_links, true) {
            return;
        }
        let at = self.lines.position(self.masked.original_offset(offset));
        self.diagnostics.push(
            Diagnostic::warning(
                self.source.path,
                format!("`{url}` is an editor's link within the note (Typora writes them): taken as a link to `#…` on this page"),
            )
            .at(at)
            .with_hint("write `[text](#heading)`; this note is given once per article"),
        );
    }

    /// Warns about a table row with fewer cells than its header.
    fn short_row(&mut self, row: &tables::ShortRow) {
        let at = self.lines.position(self.masked.original_offset(row.offset));
        self.diagnostics.push(
            Diagnostic::warning(
                self.source.path,
                format!(
                    "table row has {} of the header's {} cells; the rest are left empty",
                    row.written, row.header
                ),
            )
            .at(at)
            .with_hint("a `|` outside math splits a cell: write `\\|` in text, or check for a missing cell"),
        );
    }

    /// Records a local link and returns the marker standing for its target.
    fn record_link(&mut self, url: &str, offset: usize) -> CowStr<'a> {
        let position = self.lines.position(self.masked.original_offset(offset));
        self.local_links.push(LocalLink {
            url: url.to_string(),
            position,
        });
        format!("{LINK_MARKER}{}", self.local_links.len() - 1).into()
    }

    /// Records a link to another site, at byte `offset` of the masked text.
    fn record_external(&mut self, url: &str, offset: usize) {
        let position = self.lines.position(self.masked.original_offset(offset));
        self.external_links.push(LocalLink {
            url: url.to_string(),
            position,
        });
    }

    /// The HTML a sentinel comment of a translated tag stands for.
    fn tag_html(&self, html: &str) -> Option<&'a str> {
        let html = html.trim();
        let (number, generated): (&str, &'a [String]) = match html.strip_prefix(tags::SENTINEL) {
            Some(rest) => (rest, self.tag_html),
            None => (
                html.strip_prefix(crate::content::notebook::HTML_SENTINEL)?,
                self.generated_html,
            ),
        };
        let number = number.strip_suffix("-->")?;
        generated
            .get(number.parse::<usize>().ok()?)
            .map(String::as_str)
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        inner: Vec<(Event<'a>, usize)>,
        events: &mut Vec<Event<'a>>,
    ) {
        let inner: Vec<Event<'a>> = inner
            .into_iter()
            .map(|(event, offset)| match event {
                // Taken out of the main loop with the heading: the same rule applies,
                // so the heading, its id and the TOC show the tag as text.
                Event::InlineHtml(html) if !self.renderer.raw_html => Event::Text(html),
                event => self.track(event, offset),
            })
            .collect();
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
        let fence = match kind {
            CodeBlockKind::Fenced(info) => code::Fence::parse(info),
            CodeBlockKind::Indented => code::Fence::parse(""),
        };
        if fence.lang == "mermaid" {
            self.diagrams += 1;
            // Drawn in the reader's browser by the theme's Mermaid script;
            // without JavaScript the source stays readable.
            return Event::Html(format!("<pre class=\"mermaid\">{}</pre>\n", escape(&code)).into());
        }
        let block = code::render(
            &code,
            &fence,
            self.renderer.line_numbers,
            self.renderer.code_style,
        );
        let at = || self.lines.position(self.masked.original_offset(offset));
        if block.unknown_language {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.source.path,
                    format!(
                        "no highlighting for language `{}`; shown as plain text",
                        fence.lang
                    ),
                )
                .at(at())
                .with_hint(unknown_language_hint(&fence.lang)),
            );
        }
        if !fence.unknown.is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.source.path,
                    format!(
                        "unknown code block annotation `{}`",
                        fence.unknown.join("`, `")
                    ),
                )
                .at(at())
                .with_hint(
                    "known: linenos, linenostart=N, hl_lines=2-4 7, title=\"file.py\" (or name=)",
                ),
            );
        }
        Event::Html(block.html.into())
    }
}

/// Collects events up to and excluding the matching end (which is consumed).
fn take_until_end<'a, I>(
    parser: &mut I,
    is_end: impl Fn(&Event<'a>) -> bool,
) -> Vec<(Event<'a>, usize)>
where
    I: Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
{
    let mut inner = Vec::new();
    for (event, range) in parser.by_ref() {
        if is_end(&event) {
            break;
        }
        inner.push((event, range.start));
    }
    inner
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

/// The values of `id="…"` and `name="…"` attributes in a piece of HTML.
fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for attribute in [" id=", " name="] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                ids.push(rest[1..1 + end].to_string());
            }
        }
    }
    ids
}

/// Whether a link target is on another site: `http://…`, `https://…`, or
/// protocol-relative `//host/…`.
pub fn is_external(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || (url.starts_with("//") && url.len() > 2 && !url[2..].starts_with('/'))
}

/// The `href="…"` and `src="…"` values of a piece of HTML that point at
/// other sites, with the byte offset of each value in `html`.
fn html_external_urls(html: &str) -> Vec<(usize, String)> {
    let mut urls = Vec::new();
    let lower = html.to_ascii_lowercase();
    for attribute in ["href=", "src="] {
        for (at, _) in lower.match_indices(attribute) {
            // An attribute name, not the end of another one (`data-src=`).
            let before = lower[..at].chars().next_back();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let start = at + attribute.len();
            let rest = &html[start..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                let value = rest[1..1 + end].trim();
                if is_external(value) {
                    urls.push((start + 1, value.replace("&amp;", "&")));
                }
            }
        }
    }
    urls.sort_by_key(|(at, _)| *at);
    urls
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
        || url.starts_with("tel:")
        || url.starts_with("about:")
        || url.to_ascii_lowercase().starts_with("file:"))
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
                    placeholder::Part::Formula(f, raw) if !f.display && !f.failed => {
                        // The placeholder, not the HTML: the excerpt goes through
                        // `substitute` like the page, for the same line-breaking rules.
                        pieces.push(Piece::Math {
                            html: raw.to_string(),
                            tex: f.tex.clone(),
                            weight: excerpt::math_weight(&f.tex),
                        });
                    }
                    placeholder::Part::Formula(..) => {}
                });
            }
            Event::SoftBreak | Event::HardBreak => pieces.push(Piece::Text(" ".into())),
            // Citations read as their text: (周志华, 2016).
            Event::InlineHtml(html) if let Some(text) = citations::plain_text(html) => {
                count.add(&text);
                pieces.push(Piece::Text(text));
            }
            Event::End(tag) if !is_inline_end(tag) => pieces.push(Piece::Break),
            _ => {}
        }
    }
    (pieces, count)
}

#[cfg(test)]
mod tests;
