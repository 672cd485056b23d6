//! Equation numbers and references, as LaTeX and MathJax (with AMS
//! numbering) give them: `equation`, `align`, `gather`, `multline`,
//! `flalign`, `alignat` and `eqnarray` (unstarred) are numbered per article,
//! row by row; `\tag{…}` overrides a number, `\notag`/`\nonumber` skips one;
//! a display formula with a `\label` but no such environment is numbered too.
//! `\label{eq:x}` names the number; `\eqref{eq:x}` shows "(3)" and `\ref{eq:x}`
//! "3", in formulas and in the text.
//!
//! KaTeX has no labels or references, and numbers `align` rows with a CSS
//! counter that knows nothing of `\eqref`. So blogsmith numbers the
//! equations itself, writes each number as `\tag{n}` in a starred
//! environment, and puts the label on the formula's block as its `id`.

use std::collections::HashMap;

/// Environments numbered row by row (`equation` and `multline` once).
const NUMBERED: &[&str] = &[
    "equation", "align", "gather", "multline", "flalign", "alignat", "eqnarray",
];

/// One article's equation numbers and labels.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    /// Per formula: the TeX with numbers as tags (when it changed) and the
    /// ids of its labels, first to last.
    formulas: Vec<(Option<String>, Vec<String>)>,
    /// Label → the number it shows (`3`, or a `\tag` as written).
    labels: HashMap<String, String>,
    /// Every label defined, in order, duplicates too: (formula, label, number).
    defined: Vec<(usize, String, String)>,
}

/// The next equation number: `3`, or `2.3` in section 2 when numbered by section.
#[derive(Debug, Default)]
struct Counter {
    /// The enclosing section's number, when equations are numbered by section.
    section: Option<usize>,
    /// Equations numbered so far (in the section, when by section).
    count: usize,
}

impl Counter {
    /// Moves into the section of the next formula (a new section starts again at 1).
    fn enter(&mut self, section: Option<usize>) {
        if section != self.section {
            self.section = section;
            self.count = 0;
        }
    }

    fn next(&mut self) -> String {
        self.count += 1;
        match self.section {
            Some(section) => format!("{section}.{}", self.count),
            None => self.count.to_string(),
        }
    }
}

/// A reference to an equation: `\eqref{…}` or `\ref{…}`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reference<'t> {
    /// The byte range of the whole command in the text.
    pub range: std::ops::Range<usize>,
    /// The label.
    pub label: &'t str,
    /// `\eqref` (with parentheses) rather than `\ref`.
    pub parenthesised: bool,
}

impl Numbering {
    /// Numbers the formulas of an article, given in order as (TeX, display).
    #[cfg(test)]
    pub(crate) fn of<'t>(formulas: impl IntoIterator<Item = (&'t str, bool)>) -> Self {
        Self::by_section(
            formulas
                .into_iter()
                .map(|(tex, display)| (tex, display, None)),
        )
    }

    /// Numbers the formulas of an article, given in order as (TeX, display,
    /// section): `Some(section)` numbers them `section.n`, from 1 in each section.
    pub(crate) fn by_section<'t>(
        formulas: impl IntoIterator<Item = (&'t str, bool, Option<usize>)>,
    ) -> Self {
        let mut numbering = Self::default();
        let mut counter = Counter::default();
        for (index, (tex, display, section)) in formulas.into_iter().enumerate() {
            counter.enter(section);
            let mut defined = Vec::new();
            let numbered = match display && may_number(tex) {
                true => number_formula(tex, &mut counter, &mut defined),
                false => (None, Vec::new()),
            };
            for (label, number) in defined {
                numbering
                    .labels
                    .entry(label.clone())
                    .or_insert_with(|| number.clone());
                numbering.defined.push((index, label, number));
            }
            numbering.formulas.push(numbered);
        }
        numbering
    }

    /// Every numbered label, in order (a label defined twice, twice): (formula, label, number).
    pub(crate) fn defined(&self) -> &[(usize, String, String)] {
        &self.defined
    }

    /// The TeX of formula `index` with its numbers as tags, if it has any.
    pub(crate) fn numbered_tex(&self, index: usize) -> Option<&str> {
        self.formulas.get(index)?.0.as_deref()
    }

    /// The ids formula `index` carries (its labels).
    pub(crate) fn ids(&self, index: usize) -> &[String] {
        self.formulas.get(index).map_or(&[], |(_, ids)| ids)
    }

    /// The number `label` shows, if the article defines it.
    pub(crate) fn number(&self, label: &str) -> Option<&str> {
        self.labels.get(label).map(String::as_str)
    }

    /// `tex` with every reference replaced by its number as text; the labels
    /// it names that the article does not define.
    pub(crate) fn resolve_in_formula<'t>(
        &self,
        tex: &'t str,
    ) -> (std::borrow::Cow<'t, str>, Vec<String>) {
        let references = references(tex);
        if references.is_empty() {
            return (std::borrow::Cow::Borrowed(tex), Vec::new());
        }
        let mut out = String::with_capacity(tex.len());
        let mut missing = Vec::new();
        let mut copied = 0;
        for reference in references {
            out.push_str(&tex[copied..reference.range.start]);
            let number = self.number(reference.label).unwrap_or_else(|| {
                missing.push(reference.label.to_string());
                "??"
            });
            match reference.parenthesised {
                true => out.push_str(&format!("\\text{{({number})}}")),
                false => out.push_str(&format!("\\text{{{number}}}")),
            }
            copied = reference.range.end;
        }
        out.push_str(&tex[copied..]);
        (std::borrow::Cow::Owned(out), missing)
    }
}

/// The section each formula of `spans` is in: the number of headings of the
/// article's highest level before it (0 before the first).
pub(crate) fn sections(
    masked: &super::placeholder::Masked,
    spans: &[super::math_scan::MathSpan],
    options: pulldown_cmark::Options,
) -> Vec<usize> {
    let starts: Vec<usize> = section_starts(&masked.text, options)
        .into_iter()
        .map(|at| masked.original_offset(at))
        .collect();
    spans
        .iter()
        .map(|span| starts.partition_point(|&at| at < span.range.start))
        .collect()
}

/// Where the sections of `markdown` start: its headings of the highest level it uses.
pub(crate) fn section_starts(markdown: &str, options: pulldown_cmark::Options) -> Vec<usize> {
    let headings: Vec<(usize, pulldown_cmark::HeadingLevel)> =
        pulldown_cmark::Parser::new_ext(markdown, options)
            .into_offset_iter()
            .filter_map(|(event, range)| match event {
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Heading { level, .. }) => {
                    Some((range.start, level))
                }
                _ => None,
            })
            .collect();
    let top = headings.iter().map(|(_, level)| *level).min();
    headings
        .iter()
        .filter(|(_, level)| Some(*level) == top)
        .map(|(at, _)| *at)
        .collect()
}

/// The `\eqref{…}` and `\ref{…}` in `text`, in order.
pub(crate) fn references(text: &str) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find('\\') {
        let start = at + i;
        let rest = &text[start + 1..];
        let (name_len, parenthesised) = if rest.starts_with("eqref{") {
            (5, true)
        } else if rest.starts_with("ref{") {
            (3, false)
        } else {
            at = start + 1;
            continue;
        };
        let open = start + 1 + name_len;
        match text[open + 1..].find('}') {
            Some(len) => {
                let label = text[open + 1..open + 1 + len].trim();
                // `\ref{}` names nothing: left as written.
                if !label.is_empty() {
                    found.push(Reference {
                        range: start..open + len + 2,
                        label,
                        parenthesised,
                    });
                }
                at = open + len + 2;
            }
            None => break,
        }
    }
    found
}

fn may_number(tex: &str) -> bool {
    tex.contains("\\label") || tex.contains("\\begin")
}

/// The formula with numbers as tags and its label ids, or `(None, [])` when
/// nothing in it is numbered.
fn number_formula(
    tex: &str,
    counter: &mut Counter,
    labels: &mut Vec<(String, String)>,
) -> (Option<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut out = String::with_capacity(tex.len() + 16);
    let mut copied = 0;
    let mut any_environment = false;
    for env in numbered_environments(tex) {
        any_environment = true;
        out.push_str(&tex[copied..env.begin.start]);
        out.push_str(&format!("\\begin{{{}}}", starred(env.name)));
        out.push_str(&env_arguments(tex, &env));
        let rows = top_level_rows(&tex[env.body.clone()]);
        let last = rows.len().saturating_sub(1);
        for (i, row) in rows.iter().enumerate() {
            let numbered = match env.name {
                "equation" => true,
                "multline" => i == last,
                _ => true,
            };
            let row = if env.name == "eqnarray" {
                drop_second_ampersand(row)
            } else {
                row.to_string()
            };
            out.push_str(&number_row(&row, numbered, counter, labels, &mut ids));
            if i < last {
                out.push_str("\\\\");
            }
        }
        out.push_str(&format!("\\end{{{}}}", starred(env.name)));
        copied = env.end;
    }
    out.push_str(&tex[copied..]);
    if !any_environment {
        if !tex.contains("\\label") {
            return (None, Vec::new());
        }
        // A display formula with a label is numbered as a whole.
        let numbered = number_row(tex, true, counter, labels, &mut ids);
        return (Some(numbered), ids);
    }
    (Some(out), ids)
}

/// One row: labels taken out (and recorded), `\notag` honoured, a `\tag`
/// kept, else the next number added as a tag.
fn number_row(
    row: &str,
    numbered: bool,
    counter: &mut Counter,
    labels: &mut Vec<(String, String)>,
    ids: &mut Vec<String>,
) -> String {
    let (row, row_labels) = take_labels(row);
    let skip = row.contains("\\notag") || row.contains("\\nonumber");
    let row = row.replace("\\notag", "").replace("\\nonumber", "");
    let explicit = explicit_tag(&row);
    let (row, number) = match (explicit, numbered && !skip) {
        (Some(tag), _) => (row.clone(), Some(tag)),
        (None, true) => {
            let number = counter.next();
            (format!("{row} \\tag{{{number}}}"), Some(number))
        }
        (None, false) => (row, None),
    };
    for label in row_labels {
        if let Some(number) = &number {
            labels.push((label.clone(), number.clone()));
        }
        ids.push(label);
    }
    row
}

/// `row` without its `\label{…}`s, and the labels.
fn take_labels(row: &str) -> (String, Vec<String>) {
    let mut labels = Vec::new();
    let mut out = String::with_capacity(row.len());
    let mut rest = row;
    while let Some(at) = rest.find("\\label{") {
        let Some(len) = rest[at + 7..].find('}') else {
            break;
        };
        out.push_str(&rest[..at]);
        let label = rest[at + 7..at + 7 + len].trim();
        if !label.is_empty() {
            labels.push(label.to_string());
        }
        rest = &rest[at + 7 + len + 1..];
    }
    out.push_str(rest);
    (out, labels)
}

/// What `\tag{…}` or `\tag*{…}` in `row` says.
fn explicit_tag(row: &str) -> Option<String> {
    let at = row.find("\\tag")?;
    let rest = row[at + 4..].trim_start_matches('*').trim_start();
    let inner = rest.strip_prefix('{')?;
    Some(inner[..inner.find('}')?].to_string())
}

/// A numbered environment of a formula.
struct Environment<'t> {
    name: &'t str,
    /// `\begin{name}`.
    begin: std::ops::Range<usize>,
    /// Between `\begin{name}` (and its arguments) and `\end{name}`.
    body: std::ops::Range<usize>,
    /// After `\end{name}`.
    end: usize,
}

/// The outermost unstarred numbered environments of `tex`, in order.
fn numbered_environments(tex: &str) -> Vec<Environment<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = tex[at..].find("\\begin{") {
        let start = at + i;
        let name_start = start + 7;
        let Some(name_len) = tex[name_start..].find('}') else {
            break;
        };
        let name = &tex[name_start..name_start + name_len];
        let after_begin = name_start + name_len + 1;
        if !NUMBERED.contains(&name) {
            at = after_begin;
            continue;
        }
        let end_marker = format!("\\end{{{name}}}");
        let Some(end_at) = matching_end(tex, after_begin, name) else {
            break;
        };
        let body_start = after_begin + arguments_len(&tex[after_begin..], name);
        found.push(Environment {
            name,
            begin: start..after_begin,
            body: body_start..end_at,
            end: end_at + end_marker.len(),
        });
        at = end_at + end_marker.len();
    }
    found
}

/// `alignat`'s `{n}` argument is part of the opening, not of the first row.
fn arguments_len(after_begin: &str, name: &str) -> usize {
    if name != "alignat" {
        return 0;
    }
    match after_begin.strip_prefix('{').and_then(|r| r.find('}')) {
        Some(len) => len + 2,
        None => 0,
    }
}

fn env_arguments(tex: &str, env: &Environment<'_>) -> String {
    tex[env.begin.end..env.body.start].to_string()
}

/// Where the `\end{name}` closing the environment opened before `from` is.
fn matching_end(tex: &str, from: usize, name: &str) -> Option<usize> {
    let begin = format!("\\begin{{{name}}}");
    let end = format!("\\end{{{name}}}");
    let mut depth = 1usize;
    let mut at = from;
    loop {
        let next_end = tex[at..].find(&end)? + at;
        let next_begin = tex[at..].find(&begin).map(|i| i + at);
        match next_begin {
            Some(b) if b < next_end => {
                depth += 1;
                at = b + begin.len();
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(next_end);
                }
                at = next_end + end.len();
            }
        }
    }
}

/// The rows of an environment's body: split at `\\` outside braces and
/// nested environments.
fn top_level_rows(body: &str) -> Vec<&str> {
    let bytes = body.as_bytes();
    let mut rows = Vec::new();
    let (mut depth, mut start, mut i) = (0i32, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'\\' if body[i..].starts_with("\\begin{") => depth += 1,
            b'\\' if body[i..].starts_with("\\end{") => depth -= 1,
            b'\\' if depth == 0 && bytes.get(i + 1) == Some(&b'\\') => {
                rows.push(&body[start..i]);
                i += 2;
                start = i;
                continue;
            }
            b'\\' => {
                // A control symbol (`\{`, `\&`) is skipped whole.
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    rows.push(&body[start..]);
    rows
}

/// eqnarray's `a &=& b` as align's `a &= b`: the second `&` of the row goes.
fn drop_second_ampersand(row: &str) -> String {
    let mut seen = 0;
    let mut out = String::with_capacity(row.len());
    let mut escaped = false;
    for c in row.chars() {
        if c == '&' && !escaped {
            seen += 1;
            if seen == 2 {
                continue;
            }
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

fn starred(name: &str) -> &'static str {
    match name {
        "equation" => "equation*",
        // KaTeX has no flalign: aligned like align.
        "align" | "eqnarray" | "flalign" => "align*",
        // KaTeX has no multline: its rows centred, the number on the last.
        "gather" | "multline" => "gather*",
        "alignat" => "alignat*",
        _ => "gather*",
    }
}

#[cfg(test)]
mod tests;
