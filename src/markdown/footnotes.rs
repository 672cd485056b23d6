//! Footnotes as GitHub and Pandoc show them: references numbered in the
//! order they are first cited, the notes gathered in a list at the end of the
//! article, each with a link back (↩) to every place that cites it.
//!
//! pulldown-cmark renders a definition where it is written and numbers notes
//! in the order it meets references *and* definitions; this pass moves and
//! renumbers them. A note nobody cites is left out, as on GitHub.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::html::escape;

/// `events` with every footnote reference a numbered link and the cited
/// notes in a `<section class="footnotes">` at the end.
pub(crate) fn gather(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::FootnoteReference(_)))
    {
        return without_definitions(events).0;
    }
    let (body, definitions) = without_definitions(events);
    let mut order: Vec<CowStr<'_>> = Vec::new();
    let mut cited: HashMap<CowStr<'_>, usize> = HashMap::new();
    let mut out = Vec::with_capacity(body.len() + 8);
    for event in body {
        let Event::FootnoteReference(label) = event else {
            out.push(event);
            continue;
        };
        if !definitions.contains_key(&label) {
            // Cited but never written: shown as the author typed it.
            out.push(Event::Text(format!("[^{label}]").into()));
            continue;
        }
        if !cited.contains_key(&label) {
            order.push(label.clone());
        }
        let times = cited.entry(label.clone()).or_insert(0);
        *times += 1;
        let number = order.iter().position(|l| *l == label).map_or(0, |i| i + 1);
        out.push(Event::InlineHtml(
            reference_html(&label, number, *times).into(),
        ));
    }
    if order.is_empty() {
        return out;
    }
    out.push(Event::Html("<section class=\"footnotes\">\n<ol>\n".into()));
    let mut definitions = definitions;
    for label in order {
        let times = cited.get(&label).copied().unwrap_or(1);
        let note = definitions.remove(&label).unwrap_or_default();
        out.push(Event::Html(
            format!("<li id=\"fn-{}\">\n", escape(&label)).into(),
        ));
        out.extend(with_backlinks(note, &label, times));
        out.push(Event::Html("</li>\n".into()));
    }
    out.push(Event::Html("</ol>\n</section>\n".into()));
    out
}

/// The events outside footnote definitions, and each definition's content by label.
fn without_definitions(
    events: Vec<Event<'_>>,
) -> (Vec<Event<'_>>, HashMap<CowStr<'_>, Vec<Event<'_>>>) {
    let mut body = Vec::with_capacity(events.len());
    let mut definitions: HashMap<CowStr<'_>, Vec<Event<'_>>> = HashMap::new();
    let mut current: Option<(CowStr<'_>, Vec<Event<'_>>)> = None;
    let mut depth = 0usize;
    for event in events {
        match (&mut current, event) {
            (None, Event::Start(Tag::FootnoteDefinition(label))) => {
                current = Some((label, Vec::new()));
                depth = 0;
            }
            (Some(_), Event::Start(Tag::FootnoteDefinition(_))) => depth += 1,
            (Some(_), Event::End(TagEnd::FootnoteDefinition)) if depth > 0 => depth -= 1,
            (Some(_), Event::End(TagEnd::FootnoteDefinition)) => {
                if let Some((label, note)) = current.take() {
                    // The first definition of a label wins, as in pulldown-cmark.
                    definitions.entry(label).or_insert(note);
                }
            }
            (Some((_, note)), event) => note.push(event),
            (None, event) => body.push(event),
        }
    }
    (body, definitions)
}

fn reference_html(label: &str, number: usize, time: usize) -> String {
    let id = escape(label);
    format!(
        "<sup class=\"footnote-ref\"><a href=\"#fn-{id}\" id=\"{}\">{number}</a></sup>",
        reference_id(&id, time)
    )
}

/// `fnref-x` for the first citation, `fnref-x-2` for the second, …
fn reference_id(id: &str, time: usize) -> String {
    match time {
        1 => format!("fnref-{id}"),
        n => format!("fnref-{id}-{n}"),
    }
}

/// The note with its back-links (↩, ↩², …) at the end of its last paragraph.
fn with_backlinks<'a>(mut note: Vec<Event<'a>>, label: &str, times: usize) -> Vec<Event<'a>> {
    let id = escape(label);
    let links: String = (1..=times)
        .map(|time| {
            let mark = match time {
                1 => "↩".to_string(),
                n => format!("↩<sup>{n}</sup>"),
            };
            format!(
                " <a href=\"#{}\" class=\"footnote-backref\" aria-label=\"返回正文\">{mark}</a>",
                reference_id(&id, time)
            )
        })
        .collect();
    let last_paragraph_end = note
        .iter()
        .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)));
    match last_paragraph_end {
        Some(at) if at + 1 == note.len() => note.insert(at, Event::InlineHtml(links.into())),
        _ => note.push(Event::Html(
            format!("<p>{}</p>\n", links.trim_start()).into(),
        )),
    }
    note
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Options, Parser, html};

    use super::*;

    fn render(markdown: &str) -> String {
        let events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::ENABLE_FOOTNOTES).collect();
        let mut out = String::new();
        html::push_html(&mut out, gather(events).into_iter());
        out
    }

    #[test]
    fn notes_go_to_the_end_numbered_by_first_citation() {
        let html = render(
            "[^b]: 第二条。\n\n正文引用 B[^b]，再引用 A[^a]，又引 B[^b]。\n\n[^a]: 第一条，含 *强调*。\n\n后文。\n",
        );
        assert!(
            html.contains(
                r##"B<sup class="footnote-ref"><a href="#fn-b" id="fnref-b">1</a></sup>"##
            ),
            "{html}"
        );
        assert!(
            html.contains(
                r##"A<sup class="footnote-ref"><a href="#fn-a" id="fnref-a">2</a></sup>"##
            )
        );
        assert!(
            html.contains(r##"<a href="#fn-b" id="fnref-b-2">1</a>"##),
            "{html}"
        );
        let section = html.find("<section class=\"footnotes\">").unwrap();
        assert!(html.find("后文").unwrap() < section, "notes after the text");
        let b = html.find("<li id=\"fn-b\">").unwrap();
        let a = html.find("<li id=\"fn-a\">").unwrap();
        assert!(section < b && b < a, "in order of first citation: {html}");
        assert!(html.contains(
            r##"第二条。 <a href="#fnref-b" class="footnote-backref" aria-label="返回正文">↩</a> <a href="#fnref-b-2" class="footnote-backref" aria-label="返回正文">↩<sup>2</sup></a></p>"##
        ), "{html}");
        assert!(html.contains("<em>强调</em>"));
    }

    #[test]
    fn uncited_and_undefined_notes() {
        let html = render("正文[^missing]。\n\n[^unused]: 没人引用。\n");
        assert!(html.contains("正文[^missing]。"), "{html}");
        assert!(!html.contains("没人引用"), "{html}");
        assert!(!html.contains("footnotes"), "{html}");
    }

    #[test]
    fn notes_with_several_blocks_keep_them() {
        let html = render("见[^x]。\n\n[^x]: 第一段。\n\n    ```\n    code\n    ```\n");
        assert!(html.contains("<li id=\"fn-x\">"), "{html}");
        assert!(html.contains("footnote-backref"), "{html}");
    }
}
