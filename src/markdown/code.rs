//! Fenced code blocks: the fence's annotations, and the block's HTML.
//!
//! The annotations follow Zola's syntax, after the language, separated by
//! commas: ```` ```python,linenos,linenostart=10,hl_lines=2-4 7,name=train.py ````.
//! `title="train.py"` is accepted as well as `name=`, and values may be quoted.

use std::ops::RangeInclusive;

use super::highlight::{CodeStyle, Highlighted};
use super::html::escape;

/// What a fence's info string asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fence {
    /// The language, lowercased as written (`python`), or empty.
    pub lang: String,
    /// Show line numbers.
    pub linenos: bool,
    /// The number of the first line.
    pub linenostart: usize,
    /// Lines to highlight (1-based, counted from the block's first line).
    pub hl_lines: Vec<RangeInclusive<usize>>,
    /// A caption, usually a file name.
    pub title: Option<String>,
    /// Annotations not understood, for a warning.
    pub unknown: Vec<String>,
}

impl Fence {
    /// Parses an info string such as `python,linenos,hl_lines=1 3-5,title="a b.py"`.
    ///
    /// In braces (`{.python linenos}`, Pandoc's form) the language is the word
    /// starting with `.`, and other words are ignored: MyST and others put
    /// directives there (`{important}`), which are not languages.
    pub fn parse(info: &str) -> Self {
        let mut fence = Self {
            linenostart: 1,
            ..Self::default()
        };
        let info = info.trim();
        if let Some(inner) = info.strip_prefix('{') {
            for part in split_annotations(inner.trim_end_matches('}')) {
                match part.strip_prefix('.') {
                    Some(lang) if fence.lang.is_empty() => fence.lang = lang.to_string(),
                    _ => fence.annotate(&part),
                }
            }
            fence.unknown.clear();
            return fence;
        }
        let mut parts = split_annotations(info).into_iter();
        let first = parts.next().unwrap_or_default();
        match first.split_once('=') {
            None => fence.lang = first.trim_start_matches('.').to_string(),
            Some(_) => fence.annotate(&first),
        }
        for part in parts {
            fence.annotate(&part);
        }
        fence
    }

    fn annotate(&mut self, part: &str) {
        let (key, value) = part
            .split_once('=')
            .map_or((part, ""), |(k, v)| (k.trim(), unquote(v.trim())));
        match key {
            "linenos" => self.linenos = true,
            "linenostart" => match value.parse() {
                Ok(n) => self.linenostart = n,
                Err(_) => self.unknown.push(part.to_string()),
            },
            "hl_lines" => match parse_ranges(value) {
                Some(ranges) => self.hl_lines.extend(ranges),
                None => self.unknown.push(part.to_string()),
            },
            "name" | "title" => self.title = Some(value.to_string()),
            "" => {}
            _ => self.unknown.push(part.to_string()),
        }
    }

    fn highlights(&self, line: usize) -> bool {
        self.hl_lines.iter().any(|r| r.contains(&line))
    }
}

/// Splits on commas (and on spaces that are not inside a value), keeping quoted values whole.
fn split_annotations(info: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut chars = info.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (',', None) => parts.push(std::mem::take(&mut current)),
            // A space ends an annotation unless it continues a value like `hl_lines=1 3-5`.
            (' ', None) => {
                let continues_value = current.contains('=')
                    && chars.peek().is_some_and(|n| n.is_ascii_digit())
                    && current.starts_with("hl_lines");
                if continues_value {
                    current.push(' ');
                } else if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn unquote(value: &str) -> &str {
    value.trim_matches(|c| c == '"' || c == '\'')
}

/// `2-4 7` (or `2-4,7` inside quotes) → [2..=4, 7..=7].
fn parse_ranges(value: &str) -> Option<Vec<RangeInclusive<usize>>> {
    value
        .split([' ', ','])
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('-') {
            Some((a, b)) => Some(a.parse().ok()?..=b.parse().ok()?),
            None => part.parse().ok().map(|n| n..=n),
        })
        .collect()
}

/// A rendered code block, and whether its language was unknown.
pub struct CodeBlock {
    /// The `<pre>` (in a `<figure>` when it has a title).
    pub html: String,
    /// The language asked for has no highlighter.
    pub unknown_language: bool,
}

/// Renders `code` as the fence asks; `line_numbers` is the site-wide default.
pub fn render(code: &str, fence: &Fence, line_numbers: bool, style: &CodeStyle) -> CodeBlock {
    let (body, unknown_language) = match style.highlight(code, &fence.lang) {
        Highlighted::Html(html) | Highlighted::Plain(html) => (html, false),
        Highlighted::UnknownLanguage(html) => (html, true),
    };
    let linenos = fence.linenos || line_numbers;
    let body = if linenos || !fence.hl_lines.is_empty() {
        wrap_lines(&body, fence, linenos)
    } else {
        body
    };
    let lang = escape(&fence.lang);
    let mut pre = String::with_capacity(body.len() + 128);
    pre.push_str("<pre class=\"code");
    if linenos {
        pre.push_str(" linenos");
    }
    pre.push('"');
    if lang.is_empty() {
        pre.push_str("><code>");
    } else {
        pre.push_str(&format!(
            " data-lang=\"{lang}\"><code class=\"language-{lang}\">"
        ));
    }
    pre.push_str(&body);
    pre.push_str("</code></pre>");
    let html = match &fence.title {
        Some(title) => format!(
            "<figure class=\"code-block\"><figcaption>{}</figcaption>{pre}</figure>\n",
            escape(title)
        ),
        None => format!("{pre}\n"),
    };
    CodeBlock {
        html,
        unknown_language,
    }
}

/// Puts each line in its own `<span class="line">`, closing the highlighter's
/// spans at the end of a line and reopening them on the next, so every line is
/// balanced HTML.
fn wrap_lines(html: &str, fence: &Fence, linenos: bool) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    let mut open: Vec<&str> = Vec::new();
    let lines = html_lines(html);
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        out.push_str(if fence.highlights(number) {
            "<span class=\"line hl\">"
        } else {
            "<span class=\"line\">"
        });
        if linenos {
            out.push_str(&format!(
                "<span class=\"ln\" data-n=\"{}\"></span>",
                fence.linenostart + i
            ));
        }
        for tag in &open {
            out.push_str(tag);
        }
        out.push_str(line);
        track_spans(line, &mut open);
        for _ in &open {
            out.push_str("</span>");
        }
        // The newline stays inside the line, so copying and CSS-less readers see lines.
        out.push_str("\n</span>");
    }
    out
}

/// The lines of highlighted HTML. syntect puts each newline inside the scope's
/// span, so the text after the last newline is only closing tags: it belongs to
/// the last line, not to a line of its own.
fn html_lines(html: &str) -> Vec<String> {
    let mut lines: Vec<String> = html.split('\n').map(str::to_string).collect();
    if lines.len() > 1 && lines.last().is_some_and(|last| is_only_tags(last)) {
        let tail = lines.pop().unwrap_or_default();
        if let Some(last) = lines.last_mut() {
            last.push_str(&tail);
        }
    }
    lines
}

/// Whether `html` has no text outside its tags.
fn is_only_tags(html: &str) -> bool {
    let mut in_tag = false;
    html.chars().all(|c| {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if in_tag => {}
            _ => return false,
        }
        true
    })
}

/// Updates the stack of `<span …>` tags open after `line`.
fn track_spans<'h>(line: &'h str, open: &mut Vec<&'h str>) {
    let mut rest = line;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with("</span>") {
            open.pop();
            rest = &rest["</span>".len()..];
        } else if let Some(end) = rest.find('>') {
            if rest.starts_with("<span") {
                open.push(&rest[..=end]);
            }
            rest = &rest[end + 1..];
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(code: &str, fence: &Fence, line_numbers: bool) -> CodeBlock {
        let style = CodeStyle::new("InspiredGitHub", "base16-ocean.dark").unwrap();
        super::render(code, fence, line_numbers, &style)
    }

    #[test]
    fn parses_zola_style_annotations() {
        let f = Fence::parse("python,linenos,linenostart=10,hl_lines=2-4 7,name=train.py");
        assert_eq!(f.lang, "python");
        assert!(f.linenos);
        assert_eq!(f.linenostart, 10);
        assert_eq!(f.hl_lines, [2..=4, 7..=7]);
        assert_eq!(f.title.as_deref(), Some("train.py"));
        assert!(f.unknown.is_empty());
    }

    #[test]
    fn parses_quoted_titles_spaces_and_braces() {
        let f = Fence::parse(r#"rust title="src/main.rs" hl_lines="1,3""#);
        assert_eq!(
            (f.lang.as_str(), f.title.as_deref(), f.hl_lines.clone()),
            ("rust", Some("src/main.rs"), vec![1..=1, 3..=3])
        );
        let f = Fence::parse("{.python linenos}");
        assert_eq!((f.lang.as_str(), f.linenos), ("python", true));
        let f = Fence::parse("{important}");
        assert_eq!(
            (f.lang.as_str(), f.unknown.len()),
            ("", 0),
            "a MyST directive is not a language"
        );
        assert_eq!(Fence::parse("").lang, "");
        assert_eq!(Fence::parse("js,wat").unknown, ["wat"]);
    }

    #[test]
    fn lines_are_balanced_numbered_and_highlighted() {
        let fence = Fence::parse("python,linenos,hl_lines=2");
        let block = render("s = '''a\nb'''\nx = 1\n", &fence, false);
        assert!(
            block
                .html
                .starts_with("<pre class=\"code linenos\" data-lang=\"python\">"),
            "{}",
            block.html
        );
        let body = block
            .html
            .split("<code class=\"language-python\">")
            .nth(1)
            .and_then(|b| b.split("</code>").next())
            .unwrap();
        let lines: Vec<&str> = body.split_inclusive("\n</span>").collect();
        assert_eq!(lines.len(), 3, "{body}");
        assert!(
            lines[1].starts_with("<span class=\"line hl\"><span class=\"ln\" data-n=\"2\"></span>"),
            "{body}"
        );
        for line in lines {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "balanced: {line}"
            );
        }
    }

    #[test]
    fn closing_tags_after_the_last_newline_are_not_a_line() {
        assert_eq!(html_lines("<s>a\n</s><s>b\n</s>"), ["<s>a", "</s><s>b</s>"]);
        assert_eq!(
            html_lines("a\nb\n"),
            ["a", "b"],
            "a final newline ends the last line"
        );
        let block = render("x = 1\ny = 2\n", &Fence::parse("python,linenos"), false);
        assert_eq!(
            block.html.matches("class=\"line").count(),
            2,
            "{}",
            block.html
        );
    }

    #[test]
    fn a_title_makes_a_figure() {
        let block = render("ls\n", &Fence::parse("bash,title=\"run <it>.sh\""), false);
        assert!(
            block.html.starts_with(
                "<figure class=\"code-block\"><figcaption>run &lt;it&gt;.sh</figcaption><pre"
            ),
            "{}",
            block.html
        );
        assert!(!block.unknown_language);
        assert!(render("x", &Fence::parse("klingon"), false).unknown_language);
    }
}
