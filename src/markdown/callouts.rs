//! Block quotes that start with `[!KIND]` are callouts: GitHub's alerts
//! (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`) and
//! Obsidian's callouts (`> [!tip] 自己的标题`, any kind, folded with `-` or
//! open with `+`: `> [!note]- 可折叠标题` is a `<details>`).

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::html::escape;
use super::labels::Language;

/// `events` with every callout block quote written as a callout.
pub(crate) fn rewrite<'a>(events: Vec<Event<'a>>, language: Language) -> Vec<Event<'a>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Text(t) if t.contains("[!") || t.as_ref() == "["))
    {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    // For each open block quote: the HTML that closes it, if it is a callout.
    let mut quotes: Vec<Option<&'static str>> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::BlockQuote(_)) => {
                if let Some((marker, next, paragraph_goes_on)) = marker_at(&events, i + 1) {
                    let (open, close) = callout_html(&marker, language);
                    out.push(Event::Html(open.into()));
                    if paragraph_goes_on {
                        out.push(Event::Start(Tag::Paragraph));
                    }
                    quotes.push(Some(close));
                    i = next;
                    continue;
                }
                quotes.push(None);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if let Some(Some(close)) = quotes.pop() {
                    out.push(Event::Html(CowStr::Borrowed(close)));
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// What `[!kind]± title` says.
#[derive(Debug, PartialEq, Eq)]
struct Marker {
    kind: String,
    /// `Some(false)` folded (`-`), `Some(true)` open (`+`), `None` not foldable.
    fold: Option<bool>,
    title: String,
}

/// The marker of a block quote whose first paragraph, at `i`, starts with
/// one; the index where the quote's content goes on; and whether that is
/// the rest of the first paragraph (after the title line), which then
/// stays a paragraph of its own.
fn marker_at(events: &[Event<'_>], i: usize) -> Option<(Marker, usize, bool)> {
    if !matches!(events.get(i), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    // The first line: the texts up to a line break (`[` and `!NOTE]` may be separate events).
    let mut line = String::new();
    let mut j = i + 1;
    while let Some(Event::Text(text)) = events.get(j) {
        line.push_str(text);
        j += 1;
    }
    let marker = parse_marker(&line)?;
    match events.get(j) {
        Some(Event::SoftBreak | Event::HardBreak) => Some((marker, j + 1, true)),
        Some(Event::End(TagEnd::Paragraph)) => Some((marker, j + 1, false)),
        _ => None,
    }
}

fn parse_marker(line: &str) -> Option<Marker> {
    let rest = line.trim_start().strip_prefix("[!")?;
    let end = rest.find(']')?;
    let kind = &rest[..end];
    if kind.is_empty()
        || !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut after = &rest[end + 1..];
    let fold = match after.chars().next() {
        Some('-') => Some(false),
        Some('+') => Some(true),
        _ => None,
    };
    if fold.is_some() {
        after = &after[1..];
    }
    Some(Marker {
        kind: kind.to_ascii_lowercase(),
        fold,
        title: after.trim().to_string(),
    })
}

fn callout_html(marker: &Marker, language: Language) -> (String, &'static str) {
    let kind: String = marker.kind.clone();
    let title = match marker.title.is_empty() {
        false => escape(&marker.title),
        true => escape(
            language
                .callout_title(&kind)
                .map_or_else(|| capitalised(&kind), str::to_string)
                .as_str(),
        ),
    };
    match marker.fold {
        Some(open) => (
            format!(
                "<details class=\"callout callout-{kind}\"{}><summary class=\"callout-title\">{title}</summary>\n",
                if open { " open" } else { "" }
            ),
            "</details>\n",
        ),
        None => (
            format!(
                "<div class=\"callout callout-{kind}\"><p class=\"callout-title\">{title}</p>\n"
            ),
            "</div>\n",
        ),
    }
}

fn capitalised(kind: &str) -> String {
    let mut chars = kind.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Parser, html};

    use super::*;

    fn render(markdown: &str) -> String {
        let events: Vec<Event<'_>> = Parser::new(markdown).collect();
        let mut out = String::new();
        html::push_html(&mut out, rewrite(events, Language::Chinese).into_iter());
        out
    }

    #[test]
    fn github_alerts() {
        let html =
            render("> [!NOTE]\n> 注意力的缩放。\n\n> [!WARNING]\n>\n> 第一段。\n>\n> 第二段。\n");
        assert!(html.contains("<div class=\"callout callout-note\"><p class=\"callout-title\">注</p>\n<p>注意力的缩放。</p>\n</div>"), "{html}");
        assert!(html.contains("<div class=\"callout callout-warning\"><p class=\"callout-title\">警告</p>\n<p>第一段。</p>\n<p>第二段。</p>\n</div>"), "{html}");
        assert!(!html.contains("blockquote"), "{html}");
    }

    #[test]
    fn obsidian_callouts_with_titles_and_folding() {
        let html = render(
            "> [!tip] 自己的 标题\n> 内容\n\n> [!faq]- 可折叠\n> 答案\n\n> [!todo]+\n> 事项\n\n> [!custom-kind]\n> x\n",
        );
        assert!(
            html.contains("<p class=\"callout-title\">自己的 标题</p>"),
            "{html}"
        );
        assert!(html.contains("<details class=\"callout callout-faq\"><summary class=\"callout-title\">可折叠</summary>\n<p>答案</p>\n</details>"), "{html}");
        assert!(html.contains("<details class=\"callout callout-todo\" open><summary class=\"callout-title\">待办</summary>"), "{html}");
        assert!(
            html.contains("callout-custom-kind\"><p class=\"callout-title\">Custom-kind</p>"),
            "{html}"
        );
    }

    #[test]
    fn ordinary_quotes_stay_quotes() {
        for markdown in [
            "> 普通引用\n",
            "> [链接](x.md) 开头\n",
            "> [!] 空\n",
            "> *[!NOTE]*\n",
            "> 文字 [!NOTE]\n",
        ] {
            let html = render(markdown);
            assert!(html.contains("<blockquote>"), "{markdown}: {html}");
        }
        let nested = render("> 外层\n>\n> > [!TIP]\n> > 内层\n");
        assert!(
            nested.contains("<blockquote>") && nested.contains("callout-tip"),
            "{nested}"
        );
        assert!(
            nested.trim_end().ends_with("</div>\n</blockquote>"),
            "{nested}"
        );
    }
}
