//! Block containers other tools write around Markdown, as lines of their own:
//!
//! - fenced divs: `::: tip 标题` … `:::` (VuePress, Docusaurus `:::note[标题]`,
//!   markdown-it-container), Pandoc and Quarto's `::: {.callout-note}` and
//!   `::: {#thm-x .theorem}`;
//! - MyST directive fences: ```` ```{note} ```` … ```` ``` ````.
//!
//! Callout kinds (`note`, `tip`, `warning`, …) become callouts; theorem-like
//! kinds (`theorem`, `definition`, `lemma`, `proposition`, `corollary`,
//! `example`, `proof`, …) become numbered blocks, 定理 1, 定义 1, … per kind
//! and article, with an id to link to (`#theorem-1`, or the one written);
//! `details` is a folded block; any other name is a `<div>` with that class,
//! as Pandoc writes it.

use std::collections::HashMap;
use std::ops::Range;

use super::super::html::escape;
use super::super::labels::Language;

/// A container line of the article.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Mark {
    /// The line (with its line break), in the article.
    pub range: Range<usize>,
    /// `None` for a closing line.
    pub opener: Option<Opener>,
}

/// What an opening line says.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Opener {
    /// The kind, lower case: `tip`, `theorem`, `details`, …
    pub name: String,
    /// The title written after the name, possibly empty.
    pub title: String,
    /// `{#id}` or Pandoc's `#id`.
    pub id: Option<String>,
}

/// Whether `text` may hold a container line at all.
pub(super) fn may_have_containers(text: &str) -> bool {
    text.contains(":::") || text.contains("```{") || text.contains("~~~{")
}

/// Every container line outside `code`, in order. A MyST fence's closing
/// line is found here, since Markdown sees the whole directive as code.
pub(super) fn marks(text: &str, code: &[Range<usize>]) -> Vec<Mark> {
    let lines = lines(text);
    let mut marks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let range = lines[i].clone();
        i += 1;
        if code.iter().any(|r| r.contains(&range.start)) {
            continue;
        }
        let line = text[range.clone()].trim_end();
        let content = indented_at_most_three(line);
        if let Some(rest) = colon_fence(content) {
            let opener = (!rest.is_empty()).then(|| fenced_div(rest));
            marks.push(Mark { range, opener });
        } else if let Some((fence, opener)) = myst_fence(content) {
            // Options (`:class: x`) right after the opening line are not content.
            let mut end = range.end;
            while let Some(next) = lines.get(i)
                && is_myst_option(text[next.clone()].trim())
            {
                end = next.end;
                i += 1;
            }
            marks.push(Mark {
                range: range.start..end,
                opener: Some(opener),
            });
            if let Some(close) = (i..lines.len()).find(|&j| closes(&text[lines[j].clone()], &fence))
            {
                marks.push(Mark {
                    range: lines[close].clone(),
                    opener: None,
                });
                // Lines in between are scanned too: containers nest.
            }
        }
    }
    marks.sort_by_key(|m| m.range.start);
    marks
}

/// Whether `info` (a fenced code block's info string) opens a MyST directive.
pub(super) fn is_directive_info(info: &str) -> bool {
    let info = info.trim();
    info.starts_with('{') && info[1..].find('}').is_some_and(|end| end > 0)
}

/// The byte ranges of the lines of `text`, line breaks included.
fn lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices('\n') {
        lines.push(start..at + 1);
        start = at + 1;
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines
}

fn indented_at_most_three(line: &str) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    match spaces {
        0..=3 => &line[spaces..],
        _ => "\u{0}",
    }
}

/// `:::` (three or more colons): what follows, trimmed.
fn colon_fence(line: &str) -> Option<&str> {
    let colons = line.len() - line.trim_start_matches(':').len();
    (colons >= 3).then(|| line[colons..].trim())
}

/// `::: tip 标题`, `:::note[标题]`, `::: {.callout-warning title="小心"}`, `::: {#thm-x .theorem}`.
fn fenced_div(rest: &str) -> Opener {
    if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        return pandoc_div(inner);
    }
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let name = rest[..name_len].to_lowercase();
    let mut title = rest[name_len..].trim();
    if let Some(bracketed) = title.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        title = bracketed;
    }
    let (title, id) = trailing_id(title);
    Opener {
        name,
        title: title.to_string(),
        id,
    }
}

/// Pandoc attributes: the first class names the kind (`callout-` dropped, as Quarto writes it).
fn pandoc_div(inner: &str) -> Opener {
    let mut opener = Opener::default();
    for word in inner.split_whitespace() {
        if let Some(id) = word.strip_prefix('#') {
            opener.id = Some(id.to_string());
        } else if let Some(class) = word.strip_prefix('.')
            && opener.name.is_empty()
        {
            opener.name = class.trim_start_matches("callout-").to_lowercase();
        }
    }
    if let Some(at) = inner.find("title=\"") {
        let value = &inner[at + 7..];
        opener.title = value[..value.find('"').unwrap_or(value.len())].to_string();
    }
    // Quarto numbers `#thm-…` blocks as theorems even without the class.
    if opener.name.is_empty() {
        opener.name = match opener.id.as_deref().and_then(|id| id.split_once('-')) {
            Some(("thm", _)) => "theorem",
            Some(("lem", _)) => "lemma",
            Some(("def", _)) => "definition",
            Some(("cor", _)) => "corollary",
            Some(("prp", _)) => "proposition",
            Some(("exm", _)) => "example",
            _ => "",
        }
        .to_string();
    }
    opener
}

/// `标题 {#id}` → (`标题`, `id`).
fn trailing_id(title: &str) -> (&str, Option<String>) {
    if let Some(start) = title.rfind("{#")
        && title.ends_with('}')
    {
        let id = &title[start + 2..title.len() - 1];
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            return (title[..start].trim_end(), Some(id.to_string()));
        }
    }
    (title, None)
}

/// ```` ```{note} 标题 ````: the fence (``` or more, or ~~~) and the opener.
fn myst_fence(line: &str) -> Option<(String, Opener)> {
    let marker = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = line.len() - line.trim_start_matches(marker).len();
    if count < 3 {
        return None;
    }
    let rest = &line[count..];
    let inner_end = rest.strip_prefix('{')?.find('}')?;
    let name = rest[1..=inner_end].trim().to_lowercase();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let (title, id) = trailing_id(rest[inner_end + 2..].trim());
    let fence = line[..count].to_string();
    Some((
        fence,
        Opener {
            name,
            title: title.to_string(),
            id,
        },
    ))
}

fn is_myst_option(line: &str) -> bool {
    line.starts_with(':')
        && line[1..].find(':').is_some_and(|end| {
            end > 0
                && line[1..=end]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

/// Whether `line` closes a fence opened with `fence` (as many marks or more, nothing else).
fn closes(line: &str, fence: &str) -> bool {
    let content = indented_at_most_three(line.trim_end());
    let marker = fence.chars().next().unwrap_or('`');
    !content.is_empty() && content.chars().all(|c| c == marker) && content.len() >= fence.len()
}

/// Numbers theorem-like blocks per kind, in the order an article has them.
#[derive(Debug, Default)]
pub(super) struct Counters {
    /// Per kind: the section of the last block numbered, how many so far
    /// (in that section, when by section), and the last number.
    by_kind: HashMap<String, (usize, usize, String)>,
    /// Where the article's sections start, when blocks are numbered by section.
    sections: Option<Vec<usize>>,
    /// Where the block being numbered is, in the article.
    pub at: usize,
}

impl Counters {
    /// Counters numbering by section when `sections` says where they start.
    pub(super) fn by_section(sections: Option<Vec<usize>>) -> Self {
        Self {
            sections,
            ..Self::default()
        }
    }

    /// The next number of a block of `kind`: `2`, or `3.2` by section.
    fn next(&mut self, kind: &str) -> String {
        let section = self
            .sections
            .as_ref()
            .map(|starts| starts.partition_point(|&start| start < self.at));
        let entry = self.by_kind.entry(kind.to_string()).or_insert((
            section.unwrap_or(0),
            0,
            String::new(),
        ));
        if entry.0 != section.unwrap_or(0) {
            *entry = (section.unwrap_or(0), 0, String::new());
        }
        entry.1 += 1;
        entry.2 = match section {
            Some(section) => format!("{section}.{}", entry.1),
            None => entry.1.to_string(),
        };
        entry.2.clone()
    }

    /// The number the last block of `kind` got.
    fn current(&self, kind: &str) -> Option<&String> {
        self.by_kind.get(kind).map(|(_, _, number)| number)
    }
}

/// The label a numbered block's opener defines, just after [`html`] numbered
/// it: (id written, number, name and number).
pub(super) fn label(
    opener: &Opener,
    language: Language,
    counters: &Counters,
) -> Option<(String, String, String)> {
    let id = opener.id.as_ref()?;
    let name = language.theorem_name(&opener.name)?;
    let number = counters
        .current(&opener.name)
        .filter(|_| opener.name != "proof")?;
    Some((id.clone(), number.clone(), format!("{name} {number}")))
}

/// The HTML opening and closing a container.
pub(super) fn html(
    opener: &Opener,
    language: Language,
    counters: &mut Counters,
) -> (String, String) {
    let name = opener.name.as_str();
    let id = opener.id.as_deref().map(escape);
    let id_attribute = |id: &Option<String>| {
        id.as_ref()
            .map_or_else(String::new, |id| format!(" id=\"{id}\""))
    };
    let title = escape(&opener.title);
    if name == "proof" {
        let open = format!(
            "<div class=\"proof\"{}><p class=\"theorem-title\"><em>{}</em>{}</p>",
            id_attribute(&id),
            language.theorem_name(name).unwrap_or("Proof"),
            parenthesised(&title, language)
        );
        return (open, "<p class=\"qed\">∎</p></div>".into());
    }
    if let Some(theorem) = language.theorem_name(name) {
        let number = counters.next(name);
        let id = id.unwrap_or_else(|| format!("{name}-{number}"));
        let open = format!(
            "<div class=\"theorem theorem-{name}\" id=\"{id}\"><p class=\"theorem-title\"><strong>{theorem} {number}</strong>{}</p>",
            parenthesised(&title, language)
        );
        return (open, "</div>".into());
    }
    if matches!(name, "details" | "spoiler" | "collapse") {
        let summary = if title.is_empty() {
            "…".to_string()
        } else {
            title
        };
        let open = format!("<details{}><summary>{summary}</summary>", id_attribute(&id));
        return (open, "</details>".into());
    }
    if let Some(default_title) = language.callout_title(name) {
        let shown = if title.is_empty() {
            escape(default_title)
        } else {
            title
        };
        let open = format!(
            "<div class=\"callout callout-{name}\"{}><p class=\"callout-title\">{shown}</p>",
            id_attribute(&id)
        );
        return (open, "</div>".into());
    }
    let class: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (
        format!("<div class=\"{}\"{}>", escape(&class), id_attribute(&id)),
        "</div>".into(),
    )
}

/// `（柯西不等式）` in Chinese, ` (Cauchy)` in English; nothing for no title.
fn parenthesised(title: &str, language: Language) -> String {
    match (title.is_empty(), language) {
        (true, _) => String::new(),
        (false, Language::Chinese) => format!("（{title}）"),
        (false, Language::English) => format!(" ({title})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opener(name: &str, title: &str, id: Option<&str>) -> Option<Opener> {
        Some(Opener {
            name: name.into(),
            title: title.into(),
            id: id.map(str::to_string),
        })
    }

    #[test]
    fn container_lines_of_every_tool() {
        let text = "::: tip 小技巧\n正文\n:::\n\n:::note[标题]\n:::\n\n::: {.callout-warning title=\"小心\"}\n:::\n\
                    ::: {#thm-cauchy}\n:::\n::: theorem 柯西 {#thm:c}\n::::\n";
        let found: Vec<Option<Opener>> = marks(text, &[]).into_iter().map(|m| m.opener).collect();
        assert_eq!(
            found,
            [
                opener("tip", "小技巧", None),
                None,
                opener("note", "标题", None),
                None,
                opener("warning", "小心", None),
                None,
                opener("theorem", "", Some("thm-cauchy")),
                None,
                opener("theorem", "柯西", Some("thm:c")),
                None,
            ]
        );
    }

    #[test]
    fn myst_fences_find_their_closing_line() {
        let text = "````{note} 标题\n:class: wide\n```python\nx = 1\n```\n````\n后文\n";
        let marks = marks(text, &[]);
        assert_eq!(marks.len(), 2, "{marks:?}");
        assert_eq!(
            &text[marks[0].range.clone()],
            "````{note} 标题\n:class: wide\n"
        );
        assert_eq!(&text[marks[1].range.clone()], "````\n");
        assert!(
            is_directive_info("{note}") && !is_directive_info("python") && !is_directive_info("{}")
        );
    }

    #[test]
    fn lines_in_code_or_indented_are_not_containers() {
        let text = "    ::: tip\n```\n::: tip\n```\n";
        let code: Vec<Range<usize>> = std::iter::once(12..text.len()).collect();
        assert!(marks(text, &code).is_empty());
    }

    #[test]
    fn theorems_are_numbered_per_kind() {
        let mut counters = Counters::default();
        let chinese = Language::Chinese;
        let theorem = |title: &str| Opener {
            name: "theorem".into(),
            title: title.into(),
            id: None,
        };
        let (first, _) = html(&theorem("柯西不等式"), chinese, &mut counters);
        assert_eq!(
            first,
            "<div class=\"theorem theorem-theorem\" id=\"theorem-1\"><p class=\"theorem-title\"><strong>定理 1</strong>（柯西不等式）</p>"
        );
        let lemma = Opener {
            name: "lemma".into(),
            ..Default::default()
        };
        assert!(html(&lemma, chinese, &mut counters).0.contains("引理 1"));
        assert!(
            html(&theorem(""), chinese, &mut counters)
                .0
                .contains("定理 2")
        );
        let proof = Opener {
            name: "proof".into(),
            ..Default::default()
        };
        let (open, close) = html(&proof, Language::English, &mut counters);
        assert!(open.contains("<em>Proof</em>") && close.contains('∎'));
        let tip = Opener {
            name: "tip".into(),
            ..Default::default()
        };
        assert!(
            html(&tip, chinese, &mut counters)
                .0
                .contains("<p class=\"callout-title\">提示</p>")
        );
        let other = Opener {
            name: "columns".into(),
            ..Default::default()
        };
        assert_eq!(
            html(&other, chinese, &mut counters).0,
            "<div class=\"columns\">"
        );
    }
}
