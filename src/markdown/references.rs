//! Labels and references between them. An article defines labels (an
//! equation's `\label{eq:x}`, a theorem's or a figure's id written by its
//! author) and refers to them with `\eqref{…}` ("(3)") and `\ref{…}` ("3").
//!
//! A reference to one of the article's own equations is resolved while the
//! article is rendered. Any other (a theorem, a figure, another article's
//! equation) is recorded as a local link whose target is the command as
//! written (`\eqref{eq:x}`) and written as an empty link with a link marker;
//! the site stage, which knows every article's labels, gives it its
//! address and number (`site::links`). Labels are site-wide.

use super::Lines;
use super::equations::Numbering;
use super::figures::FigureId;
use super::labels::Language;
use super::math_scan::MathSpan;
use super::tags::BlockLabel;
use crate::diagnostic::Position;

/// A label an article defines, for references from anywhere in the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Label {
    /// The label: the element's id (`eq:softmax`, `thm:x`, `fig:arch`).
    pub name: String,
    /// What `\ref` shows: `3`, `2.1`, a `\tag` as written.
    pub number: String,
    /// What a link written without text shows: `(3)`, `定理 1`, `图 2`.
    pub text: String,
    /// Where it is defined, in the article file.
    pub position: Position,
}

/// The label and the style of a reference recorded as a local link:
/// `\eqref{x}` → (`x`, parenthesised), `\ref{x}` → (`x`, not).
pub fn reference_of(url: &str) -> Option<(&str, bool)> {
    if let Some(rest) = url.strip_prefix("\\eqref{") {
        return Some((rest.strip_suffix('}')?, true));
    }
    Some((url.strip_prefix("\\ref{")?.strip_suffix('}')?, false))
}

/// The local link target standing for a reference: the command as written.
pub(crate) fn reference_url(label: &str, parenthesised: bool) -> String {
    match parenthesised {
        true => format!("\\eqref{{{label}}}"),
        false => format!("\\ref{{{label}}}"),
    }
}

/// What a reference to `number` shows: `(3)` for `\eqref`, `3` for `\ref`.
pub fn shown(number: &str, parenthesised: bool) -> String {
    match parenthesised {
        true => format!("({number})"),
        false => number.to_string(),
    }
}

/// The link a reference resolved later becomes: empty, so the site stage
/// gives it its number as text.
pub(crate) fn pending_link(marker: &str) -> String {
    format!("<a class=\"eqref\" href=\"{marker}\"></a>")
}

/// Every label the article defines, in the order they come: numbered
/// equations, theorem-like blocks and figures with an id written.
pub(super) fn labels(
    numbering: &Numbering,
    spans: &[MathSpan],
    blocks: &[BlockLabel],
    figures: &[FigureId],
    language: Language,
    lines: &Lines<'_>,
) -> Vec<Label> {
    let mut labels: Vec<(usize, Label)> = Vec::new();
    for (formula, name, number) in numbering.defined() {
        let offset = spans.get(*formula).map_or(0, |span| span.range.start);
        labels.push((
            lines.map.original(offset),
            Label {
                name: name.clone(),
                number: number.clone(),
                text: shown(number, true),
                position: lines.position(offset),
            },
        ));
    }
    for block in blocks {
        labels.push((
            block.offset,
            Label {
                name: block.id.clone(),
                number: block.number.clone(),
                text: block.text.clone(),
                position: lines.position_in_article(block.offset),
            },
        ));
    }
    for figure in figures.iter().filter(|f| f.written) {
        // Figures are numbered after parsing, without offsets: the id as written places it.
        let offset = written_id(lines.original, &figure.id);
        labels.push((
            offset,
            Label {
                name: figure.id.clone(),
                number: figure.number.clone(),
                text: format!("{} {}", language.figure(), figure.number),
                position: lines.position_in_article(offset),
            },
        ));
    }
    labels.sort_by_key(|(offset, _)| *offset);
    labels.into_iter().map(|(_, label)| label).collect()
}

/// Where `{#id …}` (or `#id`) is written in the article; its start if nowhere.
fn written_id(article: &str, id: &str) -> usize {
    let needle = format!("#{id}");
    article
        .match_indices(&needle)
        .map(|(at, _)| at)
        .find(|&at| {
            let after = article[at + needle.len()..].chars().next();
            after.is_none_or(|c| c == '}' || c.is_whitespace())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip_through_their_link_target() {
        for (label, parenthesised) in [("eq:x", true), ("thm:a b", false), ("", true)] {
            let url = reference_url(label, parenthesised);
            assert_eq!(reference_of(&url), Some((label, parenthesised)));
        }
        assert_eq!(reference_of("rope.md#x"), None);
        assert_eq!(reference_of("\\eqref{x"), None);
        assert_eq!(shown("2.1", true), "(2.1)");
    }
}
