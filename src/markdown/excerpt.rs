//! The automatic excerpt: the opening of an article's text, cut at a sentence end.

use super::cjk::is_cjk;
use super::html::escape_into;

/// A run of an article's readable text, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Plain text (not escaped).
    Text(String),
    /// An inline formula: never cut in half.
    Math {
        /// Its HTML (or a placeholder for it).
        html: String,
        /// Its TeX, for plain-text uses.
        tex: String,
        /// Roughly how many characters it shows, for the length budget.
        weight: usize,
    },
    /// The end of a block (paragraph, heading, list item).
    Break,
}

/// Characters that end a sentence.
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '.', '!', '?', '…'];

enum Unit<'a> {
    Char(char),
    Math(&'a str, usize),
}

/// Joins `pieces` into at most about `limit` characters of HTML.
///
/// When the text is longer, it is cut after a sentence end if one falls in the
/// last third of the budget, else at the budget, and ends with `…`.
pub fn build(pieces: &[Piece], limit: usize) -> String {
    let units = to_units(pieces);
    let total: usize = units.iter().map(weight).sum();
    let (end, cut) = if total <= limit {
        (units.len(), false)
    } else {
        (cut_point(&units, limit), true)
    };
    let mut html = String::from("<p>");
    let mut text = String::new();
    for unit in &units[..end] {
        match unit {
            Unit::Char(c) => text.push(*c),
            Unit::Math(math, _) => {
                escape_into(&mut html, &text);
                text.clear();
                html.push_str(math);
            }
        }
    }
    if cut {
        text.truncate(text.trim_end().len());
    }
    escape_into(&mut html, &text);
    if cut {
        html.push('…');
    }
    html.push_str("</p>");
    html
}

/// Plain text of the first `limit` characters, whitespace collapsed and blocks
/// separated by a space: for `<meta name="description">` and the search index.
pub fn plain(pieces: &[Piece], limit: usize) -> String {
    let mut text = String::new();
    let mut chars = 0;
    let mut last_was_break = false;
    for piece in pieces {
        let added = match piece {
            Piece::Text(t) => t.as_str(),
            Piece::Math { tex, .. } => tex.as_str(),
            Piece::Break if !last_was_break && !text.is_empty() => " ",
            Piece::Break => "",
        };
        text.push_str(added);
        chars += added.chars().count();
        last_was_break = matches!(piece, Piece::Break);
        if chars > limit {
            break;
        }
    }
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text,
    }
}

/// Roughly the number of glyphs a formula shows: `\alpha` is one, braces none.
pub fn math_weight(tex: &str) -> usize {
    let mut weight = 0;
    let mut chars = tex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    chars.next();
                }
                weight += 1;
            }
            '{' | '}' | '^' | '_' | '&' => {}
            c if c.is_whitespace() => {}
            _ => weight += 1,
        }
    }
    weight.max(1)
}

fn weight(unit: &Unit<'_>) -> usize {
    match unit {
        Unit::Char(_) => 1,
        Unit::Math(_, w) => *w,
    }
}

/// Flattens pieces, turning block breaks into a space only between non-CJK text.
fn to_units(pieces: &[Piece]) -> Vec<Unit<'_>> {
    let mut units: Vec<Unit<'_>> = Vec::new();
    let mut pending_break = false;
    for piece in pieces {
        match piece {
            Piece::Break => pending_break = true,
            Piece::Text(text) => {
                let text = if pending_break || units.is_empty() {
                    text.trim_start()
                } else {
                    text.as_str()
                };
                if text.is_empty() {
                    continue;
                }
                if pending_break && needs_space(units.last()) {
                    units.push(Unit::Char(' '));
                }
                pending_break = false;
                units.extend(text.chars().map(Unit::Char));
            }
            Piece::Math { html, weight, .. } => {
                if pending_break && needs_space(units.last()) {
                    units.push(Unit::Char(' '));
                }
                pending_break = false;
                units.push(Unit::Math(html, *weight));
            }
        }
    }
    while matches!(units.last(), Some(Unit::Char(c)) if c.is_whitespace()) {
        units.pop();
    }
    units
}

/// Between two blocks (a heading and its paragraph) a space keeps `小结` from
/// running into the next sentence, unless CJK punctuation already ends the first.
fn needs_space(before: Option<&Unit<'_>>) -> bool {
    match before {
        None => false,
        Some(Unit::Char(c)) => !c.is_whitespace() && (!is_cjk(*c) || c.is_alphanumeric()),
        Some(Unit::Math(..)) => true,
    }
}

/// The number of units to keep when the text is longer than `limit`.
fn cut_point(units: &[Unit<'_>], limit: usize) -> usize {
    let mut used = 0;
    let mut end = 0;
    let mut last_sentence_end = None;
    for (i, unit) in units.iter().enumerate() {
        let w = weight(unit);
        if used + w > limit {
            break;
        }
        used += w;
        end = i + 1;
        if let Unit::Char(c) = unit
            && is_sentence_end(*c, units.get(i + 1))
            && used * 3 >= limit * 2
        {
            last_sentence_end = Some(end);
        }
    }
    // A formula wider than the whole budget still shows, rather than nothing.
    last_sentence_end.unwrap_or(end.max(1))
}

/// `.` only ends a sentence before a space or CJK, so `3.14` and `e.g` are not cut.
fn is_sentence_end(c: char, next: Option<&Unit<'_>>) -> bool {
    if !SENTENCE_ENDS.contains(&c) {
        return false;
    }
    if is_cjk(c) || c == '…' {
        return true;
    }
    match next {
        None => true,
        Some(Unit::Char(n)) => n.is_whitespace() || is_cjk(*n),
        Some(Unit::Math(..)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn short_text_is_kept_whole_without_ellipsis() {
        assert_eq!(build(&[text("短文。")], 350), "<p>短文。</p>");
    }

    #[test]
    fn cuts_after_a_sentence_end_in_the_last_third() {
        let body = format!("{}。{}", "甲".repeat(80), "乙".repeat(100));
        let html = build(&[text(&body)], 100);
        assert_eq!(html, format!("<p>{}。…</p>", "甲".repeat(80)));
    }

    #[test]
    fn cuts_at_the_limit_without_a_sentence_end() {
        let body = format!("{}。{}", "甲".repeat(10), "乙".repeat(200));
        let html = build(&[text(&body)], 100);
        assert_eq!(
            html,
            format!("<p>{}。{}…</p>", "甲".repeat(10), "乙".repeat(89))
        );
    }

    #[test]
    fn math_is_never_cut_in_half() {
        let math = Piece::Math {
            html: "<span class=\"math\">M</span>".into(),
            tex: "M".into(),
            weight: 10,
        };
        let pieces = [text(&"甲".repeat(95)), math, text(&"乙".repeat(50))];
        let html = build(&pieces, 100);
        assert!(
            !html.contains("math"),
            "the formula does not fit, so it is left out: {html}"
        );
        assert!(html.ends_with("…</p>"));
        let pieces = [
            text(&"甲".repeat(50)),
            Piece::Math {
                html: "<b>M</b>".into(),
                tex: "M".into(),
                weight: 3,
            },
            text(&"乙".repeat(80)),
        ];
        assert!(build(&pieces, 100).contains("<b>M</b>"));
    }

    #[test]
    fn blocks_join_with_a_space_unless_cjk_punctuation_ends_the_first() {
        let pieces = [
            text("标题"),
            Piece::Break,
            text("正文。"),
            Piece::Break,
            text("end"),
            Piece::Break,
            text("next"),
        ];
        assert_eq!(build(&pieces, 350), "<p>标题 正文。end next</p>");
    }

    #[test]
    fn decimal_points_do_not_end_sentences() {
        let body = format!("{}3.14 {}", "a".repeat(70), "b".repeat(100));
        let html = build(&[text(&body)], 100);
        assert!(!html.contains("3.…"), "{html}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(build(&[text("a<b")], 10), "<p>a&lt;b</p>");
    }

    #[test]
    fn plain_text_for_descriptions() {
        let pieces = [
            text("标题"),
            Piece::Break,
            text("设"),
            Piece::Math {
                html: "<b>x</b>".into(),
                tex: "x".into(),
                weight: 1,
            },
            text("为  输入。"),
        ];
        assert_eq!(plain(&pieces, 100), "标题 设x为 输入。");
        assert_eq!(plain(&pieces, 3), "标题…");
    }

    #[test]
    fn math_weight_counts_glyphs() {
        assert_eq!(math_weight(r"\alpha_{i}"), 2);
        assert_eq!(math_weight("x"), 1);
    }
}
