//! Images: one alone in its paragraph is a figure, numbered (图 1, 图 2, …)
//! with its alt text (or title) as the caption; every image loads lazily and
//! decodes off the main thread; Pandoc's attributes after an image
//! (`![说明](x.png){#fig:arch width=60%}`) give it an id, classes and a size.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::html::escape;

/// Pandoc attributes: `{#id .class width=60% height=200}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Attributes {
    id: Option<String>,
    classes: Vec<String>,
    width: Option<String>,
    height: Option<String>,
}

/// An image's parts, read from its events.
struct Image<'a> {
    src: CowStr<'a>,
    title: CowStr<'a>,
    /// The alt text's events (text, code, emphasis, formulas).
    alt: Vec<Event<'a>>,
}

/// A figure's id and number.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FigureId {
    /// The id written (`{#fig:x}`), else `fig-<n>`.
    pub id: String,
    /// Its number in the article: `2`, or `3.1` by section.
    pub number: String,
    /// Whether its author wrote the id: then it is a label others refer to.
    pub written: bool,
}

/// `events` with images written out (lazy loading, attributes) and the ones
/// alone in a paragraph made figures, and the figures' ids (to link to).
/// `label` names figures (`图`, `Figure`); `by_section` numbers them within
/// the sections of the article (its headings of the highest level it uses).
pub(crate) fn rewrite<'a>(
    events: Vec<Event<'a>>,
    label: &str,
    by_section: bool,
) -> (Vec<Event<'a>>, Vec<FigureId>) {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::Image { .. })))
    {
        return (events, Vec::new());
    }
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) if by_section => Some(*level),
            _ => None,
        })
        .min();
    let mut section = 0;
    let mut ids = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut figures = 0;
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i]
            && Some(*level) == top
        {
            section += 1;
            figures = 0;
        }
        if let Some((image, attributes, next)) = figure_at(&events, i) {
            figures += 1;
            let number = match by_section {
                true => format!("{section}.{figures}"),
                false => figures.to_string(),
            };
            ids.push(FigureId {
                id: figure_id(&attributes, &number),
                number: number.clone(),
                written: attributes.id.is_some(),
            });
            out.extend(figure(image, &attributes, &number, label));
            i = next;
            continue;
        }
        if let Event::Start(Tag::Image { .. }) = &events[i]
            && let Some((image, end)) = read_image(&events, i)
        {
            let (attributes, rest) = attributes_after(&events, end);
            out.push(Event::InlineHtml(img_html(&image, &attributes).into()));
            if let Some(rest) = rest {
                out.push(Event::Text(rest.to_string().into()));
            }
            i = if attributes == Attributes::default() && rest.is_none() {
                end
            } else {
                end + 1
            };
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    (out, ids)
}

/// The id written (`{#fig:x}`), else `fig-<n>`.
fn figure_id(attributes: &Attributes, number: &str) -> String {
    attributes
        .id
        .clone()
        .unwrap_or_else(|| format!("fig-{number}"))
}

/// A paragraph holding one image (and its attributes) and nothing else, at `i`.
fn figure_at<'a>(events: &[Event<'a>], i: usize) -> Option<(Image<'a>, Attributes, usize)> {
    if !matches!(events.get(i), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    let (image, end) = read_image(events, i + 1)?;
    let (attributes, rest) = attributes_after(events, end);
    let mut after = end;
    if attributes != Attributes::default() {
        if rest.is_some_and(|r| !r.trim().is_empty()) {
            return None;
        }
        after += 1;
    }
    matches!(events.get(after), Some(Event::End(TagEnd::Paragraph))).then_some((
        image,
        attributes,
        after + 1,
    ))
}

/// The image starting at `i`, and the index after its end.
fn read_image<'a>(events: &[Event<'a>], i: usize) -> Option<(Image<'a>, usize)> {
    let Some(Event::Start(Tag::Image {
        dest_url, title, ..
    })) = events.get(i)
    else {
        return None;
    };
    let mut depth = 0usize;
    let mut alt = Vec::new();
    for (j, event) in events.iter().enumerate().skip(i + 1) {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) if depth == 0 => {
                let image = Image {
                    src: dest_url.clone(),
                    title: title.clone(),
                    alt,
                };
                return Some((image, j + 1));
            }
            Event::End(TagEnd::Image) => depth -= 1,
            _ => {}
        }
        alt.push(event.clone());
    }
    None
}

/// Pandoc attributes in the text right after an image (at `at`), and the rest of that text.
fn attributes_after<'e>(events: &'e [Event<'_>], at: usize) -> (Attributes, Option<&'e str>) {
    let Some(Event::Text(text)) = events.get(at) else {
        return (Attributes::default(), None);
    };
    let Some(inner_end) = text.strip_prefix('{').and_then(|t| t.find('}')) else {
        return (Attributes::default(), None);
    };
    match parse_attributes(&text[1..=inner_end]) {
        Some(attributes) => (
            attributes,
            Some(&text[inner_end + 2..]).filter(|r| !r.is_empty()),
        ),
        None => (Attributes::default(), None),
    }
}

fn parse_attributes(inner: &str) -> Option<Attributes> {
    let mut attributes = Attributes::default();
    for word in inner.split_whitespace() {
        if let Some(id) = word.strip_prefix('#') {
            attributes.id = Some(id.to_string());
        } else if let Some(class) = word.strip_prefix('.') {
            attributes.classes.push(class.to_string());
        } else if let Some((key, value)) = word.split_once('=') {
            let value = value.trim_matches('"').to_string();
            match key {
                "width" => attributes.width = Some(value),
                "height" => attributes.height = Some(value),
                _ => {}
            }
        } else {
            return None;
        }
    }
    Some(attributes)
}

/// The plain alt text (what `alt="…"` holds): text and code, tags dropped.
fn alt_text(alt: &[Event<'_>]) -> String {
    alt.iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

fn img_html(image: &Image<'_>, attributes: &Attributes) -> String {
    let mut html = format!(
        "<img src=\"{}\" alt=\"{}\"",
        escape(&image.src),
        escape(&alt_text(&image.alt))
    );
    if !image.title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(&image.title)));
    }
    if !attributes.classes.is_empty() {
        html.push_str(&format!(
            " class=\"{}\"",
            escape(&attributes.classes.join(" "))
        ));
    }
    // A percentage is not a valid width attribute: it goes in the style.
    let mut style = String::new();
    for (name, value) in [("width", &attributes.width), ("height", &attributes.height)] {
        match value {
            Some(v) if v.chars().all(|c| c.is_ascii_digit()) => {
                html.push_str(&format!(" {name}=\"{v}\""));
            }
            Some(v) => style.push_str(&format!("{name}:{};", escape(v))),
            None => {}
        }
    }
    if !style.is_empty() {
        html.push_str(&format!(" style=\"{style}\""));
    }
    html.push_str(" loading=\"lazy\" decoding=\"async\">");
    html
}

fn figure<'a>(
    image: Image<'a>,
    attributes: &Attributes,
    number: &str,
    label: &str,
) -> Vec<Event<'a>> {
    let id = figure_id(attributes, number);
    let mut events = vec![Event::Html(
        format!(
            "<figure id=\"{}\">{}",
            escape(&id),
            img_html(
                &image,
                &Attributes {
                    id: None,
                    ..attributes.clone()
                }
            )
        )
        .into(),
    )];
    let caption_from_title = image.alt.is_empty() && !image.title.is_empty();
    events.push(Event::Html(
        format!("<figcaption><span class=\"figure-number\">{label} {number}</span>").into(),
    ));
    if caption_from_title {
        events.push(Event::Html(" ".into()));
        events.push(Event::Text(image.title.clone()));
    } else if !image.alt.is_empty() {
        events.push(Event::Html(" ".into()));
        events.extend(image.alt);
    }
    events.push(Event::Html("</figcaption></figure>\n".into()));
    events
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Parser, html};

    use super::*;

    fn render(markdown: &str) -> String {
        let events: Vec<Event<'_>> = Parser::new(markdown).collect();
        let mut out = String::new();
        html::push_html(&mut out, rewrite(events, "图", false).0.into_iter());
        out
    }

    #[test]
    fn an_image_alone_is_a_numbered_figure() {
        let html = render(
            "![模型结构 *示意*](arch.png)\n\n文字 ![小图](a.png) 文字\n\n![](b.png \"标题作说明\")\n",
        );
        assert!(html.contains(
            "<figure id=\"fig-1\"><img src=\"arch.png\" alt=\"模型结构 示意\" loading=\"lazy\" decoding=\"async\"><figcaption><span class=\"figure-number\">图 1</span> 模型结构 <em>示意</em></figcaption></figure>"
        ), "{html}");
        assert!(
            html.contains("<p>文字 <img src=\"a.png\" alt=\"小图\" loading=\"lazy\" decoding=\"async\"> 文字</p>"),
            "inline images stay inline: {html}"
        );
        assert!(
            html.contains("<span class=\"figure-number\">图 2</span> 标题作说明</figcaption>"),
            "{html}"
        );
        assert!(!html.contains("<p><figure"), "{html}");
    }

    #[test]
    fn pandoc_attributes_give_id_class_and_size() {
        let html = render(
            "![架构](x.png){#fig:arch .wide width=60% height=200}\n\n行内 ![i](y.png){width=20} 后\n",
        );
        assert!(html.contains("<figure id=\"fig:arch\"><img src=\"x.png\" alt=\"架构\" class=\"wide\" height=\"200\" style=\"width:60%;\""), "{html}");
        assert!(
            html.contains(
                "<img src=\"y.png\" alt=\"i\" width=\"20\" loading=\"lazy\" decoding=\"async\"> 后"
            ),
            "{html}"
        );
        assert!(!html.contains("{"), "{html}");
    }

    #[test]
    fn text_in_braces_that_is_not_attributes_stays() {
        let html = render("![a](x.png){不是属性}\n");
        assert!(html.contains("{不是属性}"), "{html}");
        assert!(!html.contains("<figure"), "{html}");
    }
}
