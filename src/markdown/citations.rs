//! Citations as Pandoc writes them: `[@key]`, `[@key, p. 3]`, `[see @a; @b]`,
//! `[-@key]` and the textual `@key`, formatted by hayagriva (a CSL processor)
//! with a style from its archive, and a list of references at the end of
//! the article.
//!
//! No I/O here: the pipeline reads and parses the `.bib` files and hands the
//! entries over as a [`Bibliography`]. A key is what Pandoc accepts
//! (<https://pandoc.org/MANUAL.html#citation-syntax>): it starts with a
//! letter, a digit or `_`, and goes on with letters, digits, `_` and single
//! internal punctuation (`:.#$%&-+?<>~/`); `@{…}` takes anything but spaces.
//! Unlike Pandoc, a Chinese character ends a key and may stand right before
//! the `@`: `如@vaswani2017所示` cites `vaswani2017`.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, Style, TextDecoration,
    VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemChildren, ElemMeta, Entry, Formatting, LocatorPayload, SpecificLocator,
};

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::cjk::is_cjk;
use super::html::escape;
use crate::diagnostic::{Diagnostic, Position};

/// How citations and references look (`citations.style` in `blogsmith.yaml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CitationStyle {
    /// `（Vaswani 等，2017）` in the text, references sorted by author:
    /// GB/T 7714-2015 author-date.
    #[default]
    AuthorYear,
    /// `[1]` in the text, references in the order first cited: GB/T 7714-2015 numeric.
    Numeric,
}

impl CitationStyle {
    /// The archived CSL style used for this choice: China's national
    /// standard for a Chinese site, APA or IEEE otherwise.
    fn archived(self, chinese: bool) -> ArchivedStyle {
        match (self, chinese) {
            (Self::AuthorYear, true) => ArchivedStyle::Gb77142015AuthorDate,
            (Self::Numeric, true) => ArchivedStyle::Gb77142015Numeric,
            (Self::AuthorYear, false) => ArchivedStyle::AmericanPsychologicalAssociation,
            (Self::Numeric, false) => ArchivedStyle::InstituteOfElectricalAndElectronicsEngineers,
        }
    }
}

/// The entries an article may cite, and how to show them.
#[derive(Clone)]
pub struct Bibliography {
    /// Every entry of the article's `.bib` files.
    pub library: Arc<hayagriva::Library>,
    /// The style.
    pub style: CitationStyle,
    /// Whether the site is in Chinese (`language: zh-…`), which picks GB/T 7714.
    pub chinese: bool,
    /// Whether every `.bib` file was read and parsed whole: only then is a
    /// key missing from it worth a warning (a broken file has its own error).
    pub complete: bool,
}

impl Bibliography {
    /// Whether `key` is an entry.
    pub fn contains(&self, key: &str) -> bool {
        self.library.get(key).is_some()
    }
}

/// One cited entry of a citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// The key, without `@` or braces.
    pub key: String,
    /// Where the `@` is, in the scanned text.
    pub at: usize,
    /// Text before the key (`see`), trimmed.
    pub prefix: String,
    /// Text after the key and its comma (`p. 3`), trimmed.
    pub suffix: String,
    /// `-@key`: the year alone (author–year styles).
    pub suppress_author: bool,
}

/// A citation found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cite {
    /// The bytes of the scanned text it replaces.
    pub range: Range<usize>,
    /// Its entries, in order.
    pub items: Vec<Item>,
    /// `[@key]` rather than textual `@key`.
    pub bracketed: bool,
}

/// The citations in `text`: bracketed ones whatever their keys (unknown keys
/// are reported by the caller), textual ones only when `known(key)`, so that
/// `@user` mentions and e-mail addresses stay text.
pub(crate) fn find(text: &str, known: impl Fn(&str) -> bool) -> Vec<Cite> {
    let mut cites = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(['[', '@']) {
        let at = from + found;
        let next = if text.as_bytes()[at] == b'[' {
            bracketed(text, at).map(|cite| {
                let end = cite.range.end;
                cites.push(cite);
                end
            })
        } else {
            textual(text, at, &known).map(|cite| {
                let end = cite.range.end;
                cites.push(cite);
                end
            })
        };
        from = next.unwrap_or(at + 1);
    }
    cites
}

/// `[…]` at `open` when every `;`-separated part holds one `@key`.
fn bracketed(text: &str, open: usize) -> Option<Cite> {
    let close = open + text[open..].find(']')?;
    let inner = &text[open + 1..close];
    if inner.contains('[') || !inner.contains('@') {
        return None;
    }
    // `[@a](url)` and `[@a][ref]` are links, not citations.
    if text[close + 1..].starts_with(['(', '[']) {
        return None;
    }
    let mut items = Vec::new();
    let mut part_start = open + 1;
    for part in inner.split(';') {
        items.push(bracketed_item(part, part_start)?);
        part_start += part.len() + 1;
    }
    Some(Cite {
        range: open..close + 1,
        items,
        bracketed: true,
    })
}

/// One part of a bracketed citation: `prefix -@key, suffix`; `base` is its offset.
fn bracketed_item(part: &str, base: usize) -> Option<Item> {
    let mut search = 0;
    loop {
        let at = search + part[search..].find('@')?;
        if may_start_here(part, at)
            && let Some((key, end)) = key_at(part, at + 1)
        {
            let suppress_author = part[..at].ends_with('-');
            let prefix_end = at - usize::from(suppress_author);
            let rest = part[end..].trim();
            let suffix = rest.strip_prefix(',').unwrap_or(rest).trim();
            return Some(Item {
                key,
                at: base + at,
                prefix: part[..prefix_end].trim().to_string(),
                suffix: suffix.to_string(),
                suppress_author,
            });
        }
        search = at + 1;
    }
}

/// A textual `@key` at `at` whose key is `known`.
fn textual(text: &str, at: usize, known: &impl Fn(&str) -> bool) -> Option<Cite> {
    if !may_start_here(text, at) {
        return None;
    }
    let (key, end) = key_at(text, at + 1)?;
    if !known(&key) {
        return None;
    }
    Some(Cite {
        range: at..end,
        items: vec![Item {
            key,
            at,
            prefix: String::new(),
            suffix: String::new(),
            suppress_author: false,
        }],
        bracketed: false,
    })
}

/// Whether an `@` at `at` may start a citation: not inside a word
/// (`me@example.com`), though right after a Chinese character is fine.
fn may_start_here(text: &str, at: usize) -> bool {
    match text[..at].chars().next_back() {
        None => true,
        Some('-') => may_start_here(text, at - 1),
        Some(c) => is_cjk(c) || !(c.is_alphanumeric() || c == '_' || c == '@'),
    }
}

/// Whether `c` may be part of a key (Chinese characters end one).
fn key_char(c: char) -> bool {
    (c.is_alphanumeric() || c == '_') && !is_cjk(c)
}

/// The key starting at `start` (just after `@`) and where it ends.
fn key_at(text: &str, start: usize) -> Option<(String, usize)> {
    let rest = &text[start..];
    if let Some(braced) = rest.strip_prefix('{') {
        let close = braced.find('}')?;
        let key = &braced[..close];
        if key.is_empty() || key.contains(char::is_whitespace) {
            return None;
        }
        return Some((key.to_string(), start + close + 2));
    }
    let mut chars = rest.char_indices().peekable();
    let mut end = 0;
    while let Some((i, c)) = chars.next() {
        if key_char(c) {
            end = i + c.len_utf8();
        } else if ":.#$%&-+?<>~/".contains(c)
            && end == i
            && end > 0
            && chars.peek().is_some_and(|&(_, next)| key_char(next))
        {
            // Internal punctuation: kept when a key character follows.
            continue;
        } else {
            break;
        }
    }
    (end > 0).then(|| (rest[..end].to_string(), start + end))
}

/// The locator of a suffix: `p. 3`, `pp. 3-5`, `chap. 2`, `sec. 1`, `第 3 页`, `第 6 章`,
/// or a bare number (a page, as in Pandoc). Anything else is shown as written.
fn locator(suffix: &str) -> Option<(Locator, &str)> {
    if suffix.is_empty() {
        return None;
    }
    const LABELS: &[(&str, Locator)] = &[
        ("pp.", Locator::Page),
        ("p.", Locator::Page),
        ("page", Locator::Page),
        ("chap.", Locator::Chapter),
        ("chapter", Locator::Chapter),
        ("sec.", Locator::Section),
        ("section", Locator::Section),
        ("§", Locator::Section),
        ("fig.", Locator::Figure),
        ("vol.", Locator::Volume),
    ];
    for (label, kind) in LABELS {
        if let Some(rest) = suffix.strip_prefix(label) {
            let rest = rest.trim();
            if !rest.is_empty() {
                return Some((*kind, rest));
            }
        }
    }
    if let Some(page) = suffix.strip_prefix('第').and_then(|s| s.strip_suffix('页')) {
        return Some((Locator::Page, page.trim()));
    }
    if let Some(chapter) = suffix.strip_prefix('第').and_then(|s| s.strip_suffix('章')) {
        return Some((Locator::Chapter, chapter.trim()));
    }
    if suffix
        .chars()
        .all(|c| c.is_ascii_digit() || "-–, ".contains(c))
    {
        return Some((Locator::Page, suffix));
    }
    Some((Locator::Custom, suffix))
}

/// A style and the locales its terms come from, parsed once per process.
struct Loaded {
    style: IndependentStyle,
    locales: Vec<Locale>,
}

fn loaded(style: CitationStyle, chinese: bool) -> Option<&'static Loaded> {
    static STYLES: [OnceLock<Option<Loaded>>; 4] = [const { OnceLock::new() }; 4];
    let index = usize::from(style == CitationStyle::Numeric) * 2 + usize::from(chinese);
    STYLES[index]
        .get_or_init(|| match style.archived(chinese).get() {
            Style::Independent(style) => Some(Loaded {
                style,
                locales: locales(),
            }),
            Style::Dependent(_) => None,
        })
        .as_ref()
}

/// An article's citations and references, as HTML.
#[derive(Debug, Default)]
pub(crate) struct Formatted {
    /// Each citation's HTML, in the order given.
    pub citations: Vec<String>,
    /// The references section (empty when nothing was cited).
    pub references: String,
}

/// Formats `cites` (whose keys are all in `bibliography`) and the list of
/// the entries they cite; `title` heads the list.
pub(crate) fn format(cites: &[Cite], bibliography: &Bibliography, title: &str) -> Formatted {
    let Some(loaded) = loaded(bibliography.style, bibliography.chinese) else {
        return Formatted::default();
    };
    let library = &bibliography.library;
    let numeric = bibliography.style == CitationStyle::Numeric;
    let mut driver: BibliographyDriver<'_, Entry> = BibliographyDriver::new();
    // Per citation: the keys of its items; a textual one makes two
    // requests (the author, then the year or number).
    let mut keys: Vec<Vec<&str>> = Vec::with_capacity(cites.len());
    for cite in cites {
        let mut cited = Vec::new();
        let items: Vec<CitationItem<'_, Entry>> = cite
            .items
            .iter()
            .filter_map(|item| {
                let entry = library.get(&item.key)?;
                cited.push(item.key.as_str());
                let locator = locator(&item.suffix)
                    .map(|(kind, text)| SpecificLocator(kind, LocatorPayload::Str(text)));
                let citation = CitationItem::with_locator(entry, locator);
                Some(match (item.suppress_author, numeric) {
                    (true, false) => citation.kind(CitePurpose::Year),
                    _ => citation,
                })
            })
            .collect();
        if !cite.bracketed {
            let authors = items
                .iter()
                .map(|item| CitationItem::with_entry(item.entry).kind(CitePurpose::Author))
                .collect();
            driver.citation(CitationRequest::from_items(
                authors,
                &loaded.style,
                &loaded.locales,
            ));
        }
        let items = match (cite.bracketed, numeric) {
            (false, false) => items
                .into_iter()
                .map(|item| item.kind(CitePurpose::Year))
                .collect(),
            _ => items,
        };
        keys.push(cited);
        driver.citation(CitationRequest::from_items(
            items,
            &loaded.style,
            &loaded.locales,
        ));
    }
    let rendered = driver.finish(BibliographyRequest {
        style: &loaded.style,
        locale: None,
        locale_files: &loaded.locales,
    });
    let mut requests = rendered.citations.iter().map(|c| &c.citation);
    let citations = cites
        .iter()
        .zip(&keys)
        .map(|(cite, keys)| {
            let author = match cite.bracketed {
                true => None,
                false => requests.next(),
            };
            let Some(citation) = requests.next() else {
                return String::new();
            };
            let mut html = citation_html(cite, author, citation, keys, numeric);
            if bibliography.chinese
                && let Some(open) = html.strip_suffix("</span>").map(str::len)
            {
                html.truncate(open);
                html.push_str(&gbt_locators(cite));
                html.push_str("</span>");
            }
            html
        })
        .collect();
    let references = rendered
        .bibliography
        .map(|bibliography| references_html(&bibliography.items, title))
        .unwrap_or_default();
    Formatted {
        citations,
        references,
    }
}

/// One citation: each entry's part a link to its reference, the prefixes
/// before; a textual one is `Author (2017)` or `Author [1]`.
fn citation_html(
    cite: &Cite,
    author: Option<&ElemChildren>,
    rendered: &ElemChildren,
    keys: &[&str],
    numeric: bool,
) -> String {
    let prefix: Vec<&str> = cite
        .items
        .iter()
        .map(|item| item.prefix.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    let prefix = match prefix.is_empty() {
        true => String::new(),
        false => format!("{} ", escape(&prefix.join(" "))),
    };
    let link = |i: usize| keys.get(i).copied();
    let mut inner = String::new();
    write_children(&mut inner, rendered, &link);
    // With `-@key` the style leaves its brackets out: (2016), as Pandoc writes it.
    let year_only = cite.bracketed && cite.items.iter().any(|i| i.suppress_author);
    let bracket = !numeric && (author.is_some() || year_only);
    if bracket {
        inner = format!("({inner})");
    }
    let mut html = format!(
        "<span class=\"citation\" data-cites=\"{}\">",
        escape(&keys.join(" "))
    );
    if let Some(author) = author {
        write_children(&mut html, author, &|_| None);
        html.push(' ');
        html.push_str(&inner);
    } else if let Some(rest) = inner.strip_prefix('(').filter(|_| !prefix.is_empty()) {
        // The prefix inside the brackets: (see 周志华, 2016).
        let _ = write!(html, "({prefix}{rest}");
    } else {
        html.push_str(&prefix);
        html.push_str(&inner);
    }
    html.push_str("</span>");
    html
}

/// GB/T 7714 puts the pages cited after the citation, raised (`[1]³`,
/// `(周志华, 2016)³`); hayagriva's GB/T styles leave locators out, so they
/// are added here. Other suffixes follow as written.
fn gbt_locators(cite: &Cite) -> String {
    let mut raised = Vec::new();
    let mut written = Vec::new();
    for item in &cite.items {
        match locator(&item.suffix) {
            Some((Locator::Page, pages)) => raised.push(pages),
            Some(_) => written.push(item.suffix.as_str()),
            None => {}
        }
    }
    let mut html = String::new();
    if !raised.is_empty() {
        let _ = write!(html, "<sup>{}</sup>", escape(&raised.join(", ")));
    }
    if !written.is_empty() {
        let _ = write!(html, " {}", escape(&written.join("; ")));
    }
    html
}

/// The references section: one `<li id="ref-KEY">` per entry.
fn references_html(items: &[hayagriva::BibliographyItem], title: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<section class=\"references\" id=\"references\">\n<h2>{}</h2>\n<ol class=\"references-list\">\n",
        escape(title)
    );
    for item in items {
        let _ = write!(html, "<li id=\"ref-{}\">", escape(&item.key));
        if let Some(first) = &item.first_field {
            html.push_str("<span class=\"reference-label\">");
            write_child(&mut html, first, &|_| None);
            html.push_str("</span> ");
        }
        write_children(&mut html, &item.content, &|_| None);
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n</section>\n");
    html
}

/// Writes hayagriva's output as escaped HTML (its own writer does not
/// escape); `link(i)` is the key the part of item `i` links to, if any.
fn write_children<'k>(
    html: &mut String,
    children: &ElemChildren,
    link: &dyn Fn(usize) -> Option<&'k str>,
) {
    // Neighbouring pieces of text with the same formatting as one element:
    // `<sup>[1]</sup>`, not `<sup>[</sup><sup>1</sup><sup>]</sup>`.
    let mut text = String::new();
    let mut formatting: Option<Formatting> = None;
    for child in &children.0 {
        if let ElemChild::Text(piece) = child {
            if formatting.is_some_and(|f| f != piece.formatting) {
                flush_formatted(html, &mut text, &mut formatting);
            }
            formatting = Some(piece.formatting);
            text.push_str(&piece.text);
            continue;
        }
        flush_formatted(html, &mut text, &mut formatting);
        write_child(html, child, link);
    }
    flush_formatted(html, &mut text, &mut formatting);
}

fn flush_formatted(html: &mut String, text: &mut String, formatting: &mut Option<Formatting>) {
    if let Some(formatting) = formatting.take() {
        write_formatted(html, text, &formatting);
    }
    text.clear();
}

fn write_child<'k>(html: &mut String, child: &ElemChild, link: &dyn Fn(usize) -> Option<&'k str>) {
    match child {
        ElemChild::Text(text) => write_formatted(html, &text.text, &text.formatting),
        ElemChild::Markup(text) => html.push_str(&escape(text)),
        ElemChild::Link { text, url } => {
            let _ = write!(html, "<a href=\"{}\">", escape(url));
            write_formatted(html, &text.text, &text.formatting);
            html.push_str("</a>");
        }
        ElemChild::Transparent { .. } => {}
        ElemChild::Elem(elem) => match (&elem.meta, elem.meta.as_ref().and_then(entry_index)) {
            (_, Some(i)) if let Some(key) = link(i) => {
                let _ = write!(html, "<a href=\"#ref-{}\">", escape(key));
                write_children(html, &elem.children, &|_| None);
                html.push_str("</a>");
            }
            _ => write_children(html, &elem.children, link),
        },
    }
}

fn entry_index(meta: &ElemMeta) -> Option<usize> {
    match meta {
        ElemMeta::Entry(i) => Some(*i),
        _ => None,
    }
}

/// Text with its formatting as HTML elements.
fn write_formatted(html: &mut String, text: &str, formatting: &Formatting) {
    let mut close: Vec<&str> = Vec::new();
    let mut open = |tag: &'static str, end: &'static str, html: &mut String| {
        html.push_str(tag);
        close.push(end);
    };
    if formatting.font_style == FontStyle::Italic {
        open("<i>", "</i>", html);
    }
    if formatting.font_weight == FontWeight::Bold {
        open("<b>", "</b>", html);
    }
    if formatting.font_variant == FontVariant::SmallCaps {
        open("<span style=\"font-variant: small-caps\">", "</span>", html);
    }
    if formatting.text_decoration == TextDecoration::Underline {
        open("<u>", "</u>", html);
    }
    match formatting.vertical_align {
        VerticalAlign::Sup => open("<sup>", "</sup>", html),
        VerticalAlign::Sub => open("<sub>", "</sub>", html),
        _ => {}
    }
    html.push_str(&escape(text));
    for end in close.iter().rev() {
        html.push_str(end);
    }
}

/// Stands for citation `n` in the events until the citations are formatted
/// (they are formatted together: numbers and disambiguation depend on all).
pub(crate) fn sentinel(n: usize) -> String {
    format!("{SENTINEL_START}{n}-->")
}

const SENTINEL_START: &str = "<!--blogsmith:cite:";

/// The warning for a bracketed citation of a key no `.bib` file has.
pub(crate) fn unknown_key(path: &Path, key: &str, at: Position) -> Diagnostic {
    Diagnostic::warning(path, format!("no bibliography entry `{key}`: the citation is shown as written"))
        .at(at)
        .with_hint("check the key against the `.bib` file named by `bibliography:` (front matter or blogsmith.yaml)")
        .strict()
}

/// `events` with each citation sentinel replaced by its HTML and the
/// references appended; the entries' ids (`ref-KEY`) go to `anchors`.
pub(crate) fn insert<'a>(
    mut events: Vec<Event<'a>>,
    cites: &[Cite],
    bibliography: &Bibliography,
    title: &str,
    anchors: &mut Vec<String>,
) -> Vec<Event<'a>> {
    let formatted = format(cites, bibliography, title);
    for event in &mut events {
        if let Event::InlineHtml(html) = event
            && let Some(n) = html
                .strip_prefix(SENTINEL_START)
                .and_then(|rest| rest.strip_suffix("-->"))
                .and_then(|n| n.parse::<usize>().ok())
        {
            let citation = formatted.citations.get(n).cloned().unwrap_or_default();
            *event = Event::InlineHtml(citation.into());
        }
    }
    if !formatted.references.is_empty() {
        let mut keys: Vec<&str> = cites
            .iter()
            .flat_map(|c| c.items.iter().map(|i| i.key.as_str()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        anchors.push("references".to_string());
        anchors.extend(keys.iter().map(|key| format!("ref-{key}")));
        events.push(Event::Html(formatted.references.into()));
    }
    events
}

/// The text of a citation's HTML (`None` for other HTML), for excerpts,
/// descriptions and the search index.
pub(crate) fn plain_text(html: &str) -> Option<String> {
    if !html.starts_with("<span class=\"citation\"") {
        return None;
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// The pass's side of citations: text gathered until another event comes.
impl<'a> super::Pass<'a, '_, '_> {
    /// Before an event that is not text: the text before it looked at for
    /// citations, and links followed (their text cites nothing).
    pub(super) fn before_other(&mut self, event: &Event<'a>, events: &mut Vec<Event<'a>>) {
        if self.bibliography.is_none() {
            return;
        }
        self.flush_text(events);
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.link_depth += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => {
                self.link_depth = self.link_depth.saturating_sub(1)
            }
            _ => {}
        }
    }

    /// The text gathered in `pending_text`, its citations replaced by
    /// sentinels (unknown keys reported), the rest as text events.
    pub(super) fn flush_text(&mut self, events: &mut Vec<Event<'a>>) {
        let pending = std::mem::take(&mut self.pending_text);
        let Some(bibliography) = self.bibliography.filter(|_| !pending.is_empty()) else {
            return;
        };
        let run = TextRun::new(&pending, &self.masked.text);
        let found = find(&run.text, |key| bibliography.contains(key));
        if found.is_empty() {
            for (text, offset) in pending {
                self.text(text, offset, events);
            }
            return;
        }
        let mut copied = 0;
        for mut cite in found {
            if cite.range.start > copied {
                let piece = run.text[copied..cite.range.start].to_string();
                self.text(piece.into(), run.offset(copied), events);
            }
            let unknown = cite.items.iter().filter(|i| !bibliography.contains(&i.key));
            for item in unknown.filter(|_| bibliography.complete) {
                let at = self
                    .lines
                    .position(self.masked.original_offset(run.offset(item.at)));
                self.diagnostics
                    .push(unknown_key(self.source.path, &item.key, at));
            }
            cite.items.retain(|item| bibliography.contains(&item.key));
            if cite.items.is_empty() {
                let written = run.text[cite.range.clone()].to_string();
                events.push(Event::Text(written.into()));
            } else {
                events.push(Event::InlineHtml(sentinel(self.cites.len()).into()));
                self.cites.push(cite.clone());
            }
            copied = cite.range.end;
        }
        if copied < run.text.len() {
            let rest = run.text[copied..].to_string();
            self.text(rest.into(), run.offset(copied), events);
        }
    }
}

/// Consecutive text events as one string, and where each piece came from,
/// so that a position in the string is a position in the source.
pub(crate) struct TextRun {
    /// The pieces, joined.
    pub text: String,
    /// (start in `text`, start in the source, whether the piece is the source's bytes).
    pieces: Vec<(usize, usize, bool)>,
}

impl TextRun {
    /// Joins `pieces` (text, offset in `source`).
    pub(crate) fn new(pieces: &[(CowStr<'_>, usize)], source: &str) -> Self {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(pieces.len());
        for (piece, offset) in pieces {
            let verbatim = source.get(*offset..offset + piece.len()) == Some(piece.as_ref());
            starts.push((text.len(), *offset, verbatim));
            text.push_str(piece);
        }
        Self {
            text,
            pieces: starts,
        }
    }

    /// The source offset of byte `at` of the text (the start of its piece
    /// when the piece is not the source's bytes, as with `\*`).
    pub(crate) fn offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|(start, _, _)| *start <= at);
        let Some(&(start, source, verbatim)) = i.checked_sub(1).and_then(|i| self.pieces.get(i))
        else {
            return 0;
        };
        if verbatim {
            source + (at - start)
        } else {
            source
        }
    }
}

#[cfg(test)]
mod tests;
