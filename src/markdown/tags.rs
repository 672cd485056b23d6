//! Other generators' tags in an article, turned into Markdown before it is
//! rendered: Hexo's and Jekyll's `{% name args %}` and Hugo's shortcodes
//! `{{< name args >}}` / `{{% name args %}}`. A moved blog's figures, code
//! blocks, notes and links then render instead of showing as text; a tag
//! blogsmith does not know is a warning at its position, never silent.
//!
//! Tags inside code (code blocks and spans, found by pulldown-cmark) are
//! text. What a tag becomes is Markdown where Markdown has it (an image, a
//! link, a fenced code block, `$$` math); HTML it needs (a note's `<div>`, a
//! video) goes in as a sentinel comment (`<!--blogsmith:html:N-->`) that the
//! renderer swaps for the HTML, so that it is trusted markup even when the
//! site shows authors' raw HTML as text. Offsets in the result map back to
//! the article ([`OffsetMap`]), so positions in messages stay right.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::html::escape;
use super::labels::Language;

/// The prefix of the sentinel comments standing for generated HTML.
pub const SENTINEL: &str = "<!--blogsmith:html:";

/// An article with its tags turned into Markdown.
pub struct Translated<'a> {
    /// The Markdown to render.
    pub text: Cow<'a, str>,
    /// From offsets in `text` to offsets in the article.
    pub map: OffsetMap,
    /// The HTML the sentinels stand for, by number.
    pub html: Vec<String>,
    /// Problems: (offset in the article, message, hint, whether an error).
    pub problems: Vec<Problem>,
    /// Theorem-like blocks with an id written (`::: theorem {#thm:x}`), in order.
    pub labels: Vec<BlockLabel>,
}

/// A numbered block (a theorem, a lemma, …) with an id its author wrote.
pub struct BlockLabel {
    /// Where its opening line is, in the article.
    pub offset: usize,
    /// The id: what `\ref{…}` names.
    pub id: String,
    /// Its number: `2`.
    pub number: String,
    /// Its name and number: `定理 2`.
    pub text: String,
}

/// A tag that could not be translated.
pub struct Problem {
    /// Where, in the article.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: &'static str,
    /// An error (a tag never closed, unbalanced quotes) rather than a warning.
    pub error: bool,
}

/// Edited stretches: (range in the article, range in the result), in order.
#[derive(Debug, Default)]
pub struct OffsetMap {
    edits: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    /// The article offset of `offset` in the result: inside a replacement,
    /// the start of what it replaced.
    pub fn original(&self, offset: usize) -> usize {
        let before = self.edits.partition_point(|(_, new)| new.start <= offset);
        let Some((old, new)) = before.checked_sub(1).map(|i| &self.edits[i]) else {
            return offset;
        };
        if offset < new.end {
            old.start
        } else {
            old.end + (offset - new.end)
        }
    }
}

/// Whether `text` may hold a tag at all (the fast path for every other article).
fn may_have_tags(text: &str) -> bool {
    text.contains("{%") || text.contains("{{<") || text.contains("{{%")
}

/// Turns the tags of `text` (an article's Markdown) into Markdown, and its
/// containers (`::: tip`, ```` ```{note} ````) into HTML around Markdown;
/// `language` names callouts and theorems.
pub fn translate(text: &str, language: Language) -> Translated<'_> {
    translate_numbered(text, language, None)
}

/// [`translate`], theorem-like blocks numbered by section when `sections`
/// gives where the article's sections start (`2.1`: the first of section 2).
pub fn translate_numbered(
    text: &str,
    language: Language,
    sections: Option<Vec<usize>>,
) -> Translated<'_> {
    let mut out = Translated {
        text: Cow::Borrowed(text),
        map: OffsetMap::default(),
        html: Vec::new(),
        problems: Vec::new(),
        labels: Vec::new(),
    };
    if !may_have_tags(text) && !containers::may_have_containers(text) {
        return out;
    }
    let code = code_ranges(text);
    let marks = match containers::may_have_containers(text) {
        true => containers::marks(text, &code),
        false => Vec::new(),
    };
    let mut marks = marks.into_iter().peekable();
    let mut writer = Writer {
        source: text,
        result: String::with_capacity(text.len() + 64),
        copied: 0,
        out: &mut out,
        open: Vec::new(),
        language,
        counters: containers::Counters::by_section(sections),
    };
    let mut at = 0;
    loop {
        // Marks inside what a tag took whole (`{% raw %}…`) are passed over.
        while marks.peek().is_some_and(|m| m.range.start < at) {
            marks.next();
        }
        let tag = next_opener(text, at);
        let mark_first = marks
            .peek()
            .is_some_and(|m| tag.is_none_or(|t| m.range.start <= t));
        if mark_first {
            if let Some(mark) = marks.next() {
                at = writer.container(mark);
            }
            continue;
        }
        let Some(found) = tag else { break };
        if let Some(range) = code.iter().find(|r| r.contains(&found)) {
            at = range.end;
            continue;
        }
        at = writer.tag_at(found);
    }
    writer.finish();
    out
}

/// The byte ranges of code blocks and code spans, where tags are text.
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut block_start = None;
    for (event, range) in Parser::new_ext(text, super::parser_options()).into_offset_iter() {
        match event {
            // A MyST directive (```` ```{note} ````) holds Markdown, not code.
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info)))
                if containers::is_directive_info(&info) => {}
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = block_start.take() {
                    ranges.push(start..range.end);
                }
            }
            Event::Code(_) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

/// The next `{%`, `{{<` or `{{%` at or after `from`.
fn next_opener(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    ["{%", "{{<", "{{%"]
        .iter()
        .filter_map(|opener| rest.find(opener))
        .min()
        .map(|i| from + i)
}

/// Which family a tag is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `{% … %}` (Hexo, Jekyll).
    Liquid,
    /// `{{< … >}}` or `{{% … %}}` (Hugo).
    Shortcode,
    /// `::: name` … `:::`, ```` ```{name} ```` … ```` ``` ````.
    Container,
}

/// One parsed tag.
#[derive(Debug)]
struct ParsedTag {
    family: Family,
    /// The tag's range in the article.
    range: Range<usize>,
    /// `name`, or `/name` for a Hugo closing shortcode.
    name: String,
    /// Positional arguments, quotes removed.
    args: Vec<String>,
    /// `key=value` arguments (Hugo), quotes removed.
    named: Vec<(String, String)>,
}

impl ParsedTag {
    fn named(&self, key: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the tag starting at `start`; `Err` with a problem when it is
/// never closed or its quotes do not balance.
fn parse_tag(text: &str, start: usize) -> Result<ParsedTag, Problem> {
    let rest = &text[start..];
    let (family, open, close) = if rest.starts_with("{%") {
        (Family::Liquid, "{%", "%}")
    } else if rest.starts_with("{{<") {
        (Family::Shortcode, "{{<", ">}}")
    } else {
        (Family::Shortcode, "{{%", "%}}")
    };
    let inner_start = start + open.len();
    let mut quote = None;
    let mut end = None;
    for (i, c) in text[inner_start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, _) if text[inner_start + i..].starts_with(close) => {
                end = Some(inner_start + i);
                break;
            }
            _ => {}
        }
    }
    let Some(inner_end) = end else {
        let (message, hint) = match quote {
            Some(q) => (
                format!("`{open}` tag with an unclosed `{q}` quote"),
                "close the quote; a tag's arguments may not span an open quote",
            ),
            None => (
                format!("`{open}` tag never closed with `{close}`"),
                "close the tag, or write it in a code span if it is meant as text",
            ),
        };
        return Err(Problem {
            offset: start,
            message,
            hint,
            error: true,
        });
    };
    let inner = text[inner_start..inner_end]
        .trim()
        .trim_start_matches(['-', '/', '*'].as_slice())
        .trim_end_matches(['-', '*'].as_slice());
    // Hugo's `{{</* x */>}}` shows `{{< x >}}`: kept for the caller to unwrap.
    let closing_shortcode =
        family == Family::Shortcode && text[inner_start..].trim_start().starts_with('/');
    let mut words = split_args(inner).into_iter();
    let name = words.next().unwrap_or_default();
    let mut args = Vec::new();
    let mut named = Vec::new();
    for word in words {
        match (family, word.split_once('=')) {
            (Family::Shortcode, Some((k, v))) if !k.contains(['"', '\'']) => {
                named.push((k.to_string(), unquote(v)));
            }
            _ => args.push(unquote(&word)),
        }
    }
    Ok(ParsedTag {
        family,
        range: start..inner_end + close.len(),
        name: if closing_shortcode {
            format!("/{name}")
        } else {
            name
        },
        args,
        named,
    })
}

/// Splits on whitespace outside quotes, keeping the quotes.
fn split_args(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `"a b"`, `'a b'` → `a b`; a `key="v"` word's quotes around `v` too.
fn unquote(word: &str) -> String {
    let trimmed = word.trim();
    for q in ['"', '\''] {
        if let Some(inner) = trimmed.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    trimmed.to_string()
}

/// Builds the result, one replacement at a time.
struct Writer<'s, 'o> {
    source: &'s str,
    result: String,
    /// How far `source` has been copied to `result`.
    copied: usize,
    out: &'o mut Translated<'s>,
    /// Block tags opened and not yet closed: (closing name, family, offset,
    /// the HTML that closes it).
    open: Vec<(String, Family, usize, String)>,
    /// The language of callout and theorem titles.
    language: Language,
    /// Theorem numbers so far.
    counters: containers::Counters,
}

impl Writer<'_, '_> {
    /// Handles a container line; returns where scanning goes on.
    fn container(&mut self, mark: containers::Mark) -> usize {
        let end = mark.range.end;
        match &mark.opener {
            Some(opener) => {
                self.counters.at = mark.range.start;
                let (open, close) = containers::html(opener, self.language, &mut self.counters);
                if let Some((id, number, text)) =
                    containers::label(opener, self.language, &self.counters)
                {
                    self.out.labels.push(BlockLabel {
                        offset: mark.range.start,
                        id,
                        number,
                        text,
                    });
                }
                self.open
                    .push((":::".into(), Family::Container, mark.range.start, close));
                let text = self.sentinel(open);
                self.replace(mark.range, &text);
            }
            None => {
                let innermost = self
                    .open
                    .iter()
                    .rposition(|(_, family, _, _)| *family == Family::Container);
                // A closing line with nothing open is left as text.
                if let Some(index) = innermost {
                    let (_, _, _, html) = self.open.remove(index);
                    let text = self.sentinel(html);
                    self.replace(mark.range, &text);
                }
            }
        }
        end
    }

    /// Handles the tag at `start`; returns where scanning goes on.
    fn tag_at(&mut self, start: usize) -> usize {
        let tag = match parse_tag(self.source, start) {
            Ok(tag) => tag,
            Err(problem) => {
                self.out.problems.push(problem);
                return start + 2;
            }
        };
        let end = tag.range.end;
        let written = &self.source[tag.range.clone()];
        if let Some(shown) = escaped_shortcode(written) {
            // Hugo's way to show a shortcode as text: `{{</* name */>}}`.
            self.replace(tag.range.clone(), &shown);
            return end;
        }
        match tag.name.as_str() {
            // Literal content up to the closing tag.
            "raw" => self.verbatim(&tag, "endraw", |_| String::new(), |_| String::new()),
            "codeblock" | "highlight" if tag.family == Family::Liquid => {
                let closer = format!("end{}", tag.name);
                let fence = hexo_fence(&tag);
                self.verbatim(&tag, &closer, |_| fence.clone(), |_| "```".into())
            }
            "highlight" => {
                let fence = hugo_fence(&tag);
                self.verbatim(&tag, "/highlight", |_| fence.clone(), |_| "```".into())
            }
            "math" | "katex" if tag.family == Family::Shortcode => self.verbatim(
                &tag,
                &format!("/{}", tag.name),
                |_| "$$".into(),
                |_| "$$".into(),
            ),
            _ => {
                match self.replacement(&tag) {
                    Some(text) => self.replace(tag.range.clone(), &text),
                    None => self.out.problems.push(Problem {
                        offset: tag.range.start,
                        message: format!("`{}` is a tag blogsmith does not know; it is shown as text", tag_text(self.source, &tag)),
                        hint: "see docs/migration.md for the tags blogsmith renders; rewrite this one in Markdown",
                        error: false,
                    }),
                }
                end
            }
        }
    }

    /// A block whose content is taken as it is (code, raw text, math): the
    /// opening tag becomes `open`, the closing one `close`. Returns where
    /// scanning goes on (after the closing tag).
    fn verbatim(
        &mut self,
        tag: &ParsedTag,
        closer: &str,
        open: impl Fn(&ParsedTag) -> String,
        close: impl Fn(&ParsedTag) -> String,
    ) -> usize {
        let Some(closing) = find_closing(self.source, tag, closer) else {
            self.out.problems.push(Problem {
                offset: tag.range.start,
                message: format!(
                    "`{}` is never closed with `{}`",
                    tag_text(self.source, tag),
                    closer_text(tag.family, closer)
                ),
                hint: "add the closing tag after the block's content",
                error: true,
            });
            return tag.range.end;
        };
        self.replace(tag.range.clone(), &open(tag));
        self.replace(closing.range.clone(), &close(&closing));
        closing.range.end
    }

    /// What a tag that is not a verbatim block becomes; `None` when unknown.
    fn replacement(&mut self, tag: &ParsedTag) -> Option<String> {
        let args = &tag.args;
        let first = || args.first().cloned().unwrap_or_default();
        let rest = |from: usize| args.get(from..).unwrap_or_default().join(" ");
        Some(match (tag.family, tag.name.as_str()) {
            (Family::Liquid, "asset_img" | "img") => {
                let (src, title) = image_args(args);
                format!("![{}]({})", markdown_text(&title), link_target(&src))
            }
            (Family::Liquid, "asset_path") => link_target(&first()),
            (Family::Liquid, "asset_link") => {
                let text = match rest(1) {
                    t if t.is_empty() => first(),
                    t => t,
                };
                format!("[{}]({})", markdown_text(&text), link_target(&first()))
            }
            (Family::Liquid, "post_link") => {
                let slug = first();
                // Without a text, the link shows the post's title: an empty link
                // gets it when links are resolved (`site::links::replace_markers`).
                let text = match rest(1) {
                    t if t.is_empty() || t == "true" || t == "false" => String::new(),
                    t => t
                        .trim_end_matches(" false")
                        .trim_end_matches(" true")
                        .to_string(),
                };
                format!(
                    "[{}]({})",
                    markdown_text(&text),
                    link_target(&format!("{slug}.md"))
                )
            }
            (Family::Liquid, "post_path" | "post_url") => link_target(&format!("{}.md", first())),
            (Family::Liquid, "link") if args.len() == 1 => link_target(&first()),
            (Family::Liquid, "link") => {
                let url = args
                    .iter()
                    .find(|a| a.contains("://") || a.starts_with('/'))?;
                let text: Vec<&str> = args
                    .iter()
                    .take_while(|a| *a != url)
                    .map(String::as_str)
                    .collect();
                format!("[{}]({})", markdown_text(&text.join(" ")), link_target(url))
            }
            (Family::Liquid, "youtube") => {
                self.sentinel(video("https://www.youtube-nocookie.com/embed/", &first()))
            }
            // Only web pages: `javascript:` and the like would run in the reader's page.
            (Family::Liquid, "iframe") if is_web_url(&first()) => self.sentinel(iframe(&first())),
            (Family::Liquid, "blockquote" | "pullquote" | "centerquote" | "cq") => {
                self.open_block(tag, &format!("end{}", tag.name), "</blockquote>");
                self.sentinel("<blockquote>".into())
            }
            (Family::Liquid, "note") => {
                self.open_block(tag, "endnote", "</div>");
                let kind = args
                    .iter()
                    .find(|a| !a.contains(' '))
                    .cloned()
                    .unwrap_or_else(|| "default".into());
                self.sentinel(callout(&kind, None))
            }
            (Family::Shortcode, "figure") => {
                let src = tag.named("src").map(str::to_string).unwrap_or_else(first);
                let alt = tag
                    .named("caption")
                    .or_else(|| tag.named("alt"))
                    .or_else(|| tag.named("title"))
                    .unwrap_or_default();
                match tag.named("title") {
                    Some(title) => format!(
                        "![{}]({} \"{}\")",
                        markdown_text(alt),
                        link_target(&src),
                        title.replace('"', "'")
                    ),
                    None => format!("![{}]({})", markdown_text(alt), link_target(&src)),
                }
            }
            (Family::Shortcode, "ref" | "relref") => link_target(&first()),
            (Family::Shortcode, "youtube") => {
                let id = tag.named("id").map(str::to_string).unwrap_or_else(first);
                self.sentinel(video("https://www.youtube-nocookie.com/embed/", &id))
            }
            (Family::Shortcode, "bilibili") => {
                let id = tag.named("id").map(str::to_string).unwrap_or_else(first);
                self.sentinel(video("https://player.bilibili.com/player.html?bvid=", &id))
            }
            (Family::Shortcode, "details") => {
                self.open_block(tag, "/details", "</details>");
                let summary = tag
                    .named("summary")
                    .map(str::to_string)
                    .unwrap_or_else(first);
                self.sentinel(format!("<details><summary>{}</summary>", escape(&summary)))
            }
            (Family::Shortcode, "admonition" | "notice" | "alert" | "callout" | "hint") => {
                self.open_block(tag, &format!("/{}", tag.name), "</div>");
                let kind = tag
                    .named("type")
                    .map(str::to_string)
                    .unwrap_or_else(|| args.first().cloned().unwrap_or_else(|| "note".into()));
                let title = tag
                    .named("title")
                    .map(str::to_string)
                    .or_else(|| args.get(1).cloned());
                self.sentinel(callout(&kind, title.as_deref()))
            }
            (_, name) if name.starts_with('/') || name.starts_with("end") => {
                return self.close_block(tag);
            }
            _ => return None,
        })
    }

    /// Remembers an open block, to be closed by `closer` with `html`.
    fn open_block(&mut self, tag: &ParsedTag, closer: &str, html: &str) {
        self.open.push((
            closer.to_string(),
            tag.family,
            tag.range.start,
            html.to_string(),
        ));
    }

    /// The HTML closing the innermost open block, if `tag` closes it.
    fn close_block(&mut self, tag: &ParsedTag) -> Option<String> {
        let index = self
            .open
            .iter()
            .rposition(|(closer, family, _, _)| *closer == tag.name && *family == tag.family)?;
        let (_, _, _, html) = self.open.remove(index);
        Some(self.sentinel(html))
    }

    /// A sentinel comment standing for `html`, on a line of its own.
    fn sentinel(&mut self, html: String) -> String {
        self.out.html.push(html);
        format!("\n\n{SENTINEL}{}-->\n\n", self.out.html.len() - 1)
    }

    /// Replaces `range` of the article with `text`.
    fn replace(&mut self, range: Range<usize>, text: &str) {
        self.result.push_str(&self.source[self.copied..range.start]);
        let new_start = self.result.len();
        self.result.push_str(text);
        self.out
            .map
            .edits
            .push((range.clone(), new_start..self.result.len()));
        self.copied = range.end;
    }

    /// Reports blocks never closed and stores the result.
    fn finish(mut self) {
        for (closer, family, offset, _) in std::mem::take(&mut self.open) {
            self.out.problems.push(Problem {
                offset,
                message: format!("block never closed with `{}`", closer_text(family, &closer)),
                hint: "add the closing tag after the block's content",
                error: true,
            });
        }
        if self.out.map.edits.is_empty() {
            return;
        }
        self.result.push_str(&self.source[self.copied..]);
        self.out.text = Cow::Owned(std::mem::take(&mut self.result));
    }
}

/// `{{</* x */>}}` → `{{< x >}}` (and `{{%/* x */%}}`): Hugo's escape for
/// writing a shortcode as text.
fn escaped_shortcode(written: &str) -> Option<String> {
    let (open, close) = [("{{<", ">}}"), ("{{%", "%}}")]
        .into_iter()
        .find(|(open, _)| written.starts_with(open))?;
    let inner = written
        .strip_prefix(open)?
        .strip_suffix(close)?
        .trim()
        .strip_prefix("/*")?
        .strip_suffix("*/")?;
    // A code span: the shortcode is shown, and not taken for one again.
    Some(format!("`{open} {} {close}`", inner.trim()))
}

/// The closing tag `closer` of `tag`'s block, after it.
fn find_closing(text: &str, tag: &ParsedTag, closer: &str) -> Option<ParsedTag> {
    let mut at = tag.range.end;
    while let Some(found) = next_opener(text, at) {
        match parse_tag(text, found) {
            Ok(closing) if closing.name == closer && closing.family == tag.family => {
                return Some(closing);
            }
            Ok(other) => at = other.range.end,
            Err(_) => at = found + 2,
        }
    }
    None
}

/// How a closing tag is written, for messages.
fn closer_text(family: Family, closer: &str) -> String {
    match family {
        Family::Liquid => format!("{{% {closer} %}}"),
        Family::Shortcode => format!("{{{{< {closer} >}}}}"),
        Family::Container => "a line `:::` (or the closing fence)".into(),
    }
}

/// The tag as written, shortened, for messages.
fn tag_text(text: &str, tag: &ParsedTag) -> String {
    let written = &text[tag.range.clone()];
    match written.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &written[..cut]),
        None => written.to_string(),
    }
}

/// Hexo's `{% asset_img [class] path [width] [height] [title [alt]] %}`:
/// the path (the first argument with a dot or a slash) and the title.
fn image_args(args: &[String]) -> (String, String) {
    let at = args
        .iter()
        .position(|a| a.contains('.') || a.contains('/'))
        .unwrap_or(0);
    let src = args.get(at).cloned().unwrap_or_default();
    let title: Vec<&str> = args
        .iter()
        .skip(at + 1)
        .map(String::as_str)
        .skip_while(|a| {
            a.chars().all(|c| c.is_ascii_digit()) || a.ends_with("px") || a.ends_with('%')
        })
        .collect();
    (src, title.join(" "))
}

/// A link or image target, in angle brackets when it has spaces.
fn link_target(target: &str) -> String {
    if target.contains([' ', '(', ')']) {
        format!("<{}>", target.replace(['<', '>'], ""))
    } else {
        target.to_string()
    }
}

/// Text for `[…]` or `![…]`: brackets escaped.
fn markdown_text(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

/// Hexo's `{% codeblock [title] [lang:x] [url] [link] [line_number:b] [first_line:n] [mark:…] %}`
/// and Jekyll's `{% highlight lang [linenos] %}` as a fence line.
fn hexo_fence(tag: &ParsedTag) -> String {
    let mut lang = String::new();
    let mut options = Vec::new();
    let mut title = Vec::new();
    for (i, arg) in tag.args.iter().enumerate() {
        match arg.split_once(':') {
            Some(("lang", l)) => lang = l.to_string(),
            Some(("line_number", "true")) => options.push("linenos".to_string()),
            Some(("first_line", n)) => options.push(format!("linenostart={n}")),
            Some(("mark", m)) => options.push(format!("hl_lines=\"{}\"", m.replace(',', " "))),
            Some(_) => {}
            None if tag.name == "highlight" && i == 0 => lang = arg.clone(),
            None if arg == "linenos" => options.push("linenos".to_string()),
            None if arg.contains("://") => break,
            None => title.push(arg.as_str()),
        }
    }
    if !title.is_empty() && tag.name == "codeblock" {
        options.push(format!("title=\"{}\"", title.join(" ").replace('"', "'")));
    }
    fence_line(&lang, &options)
}

/// Hugo's `{{< highlight lang "linenos=table,hl_lines=2" >}}` as a fence line.
fn hugo_fence(tag: &ParsedTag) -> String {
    let lang = tag.args.first().cloned().unwrap_or_default();
    let mut options = Vec::new();
    for option in tag.args.iter().skip(1).flat_map(|a| a.split(',')) {
        match option.split_once('=') {
            Some(("linenos", "false")) => {}
            Some(("linenos", _)) => options.push("linenos".to_string()),
            Some(("hl_lines", lines)) => options.push(format!("hl_lines=\"{lines}\"")),
            Some(("linenostart", n)) => options.push(format!("linenostart={n}")),
            _ => {}
        }
    }
    fence_line(&lang, &options)
}

fn fence_line(lang: &str, options: &[String]) -> String {
    let mut line = format!("```{lang}");
    for option in options {
        line.push(',');
        line.push_str(option);
    }
    line
}

/// A note block's opening HTML (Hexo NexT/Butterfly `note`, Hugo `admonition`).
fn callout(kind: &str, title: Option<&str>) -> String {
    let kind: String = kind
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut html = format!("<div class=\"callout callout-{kind}\">");
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        html.push_str(&format!("<p class=\"callout-title\">{}</p>", escape(title)));
    }
    html
}

/// An embedded video player.
fn video(base: &str, id: &str) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    iframe(&format!("{base}{id}"))
}

/// An `http:` or `https:` URL.
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn iframe(src: &str) -> String {
    format!(
        "<div class=\"embed\"><iframe src=\"{}\" loading=\"lazy\" allowfullscreen title=\"video\"></iframe></div>",
        escape(src)
    )
}

mod containers;

#[cfg(test)]
mod tests;
