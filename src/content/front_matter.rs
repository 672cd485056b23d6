//! Front matter: the YAML block between `---` lines at the top of an article.
//!
//! Positions in errors are positions in the *article file*, not in the YAML
//! block, so an editor can jump straight to the mistake.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::diagnostic::Position;

/// The typed front matter of one article; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `date`.
    pub date: Option<Timestamp>,
    /// `updated`.
    pub updated: Option<Timestamp>,
    /// `tags`, a list or one string.
    pub tags: Vec<String>,
    /// `categories` (or `category`), a list or one string.
    pub categories: Vec<String>,
    /// `summary`: the excerpt, written by hand.
    pub summary: Option<String>,
    /// `slug`: the last part of the article's URL.
    pub slug: Option<String>,
    /// `draft`: left out of builds without `--drafts`.
    pub draft: bool,
    /// Every other key, for templates as `page.extra`.
    pub extra: BTreeMap<String, Value>,
}

/// A front matter problem, at a position in the article file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    /// Where, in the article file.
    pub position: Position,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

/// An article split into its front matter text and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines (empty when there is none).
    pub yaml: &'a str,
    /// The 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// The 1-based file line where the body starts.
    pub body_line: usize,
}

/// Splits `text` (already LF-normalised) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let no_front_matter = Split {
        yaml: "",
        yaml_line: 1,
        body: text,
        body_line: 1,
    };
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| (text == "---").then_some(""))
    else {
        return Ok(no_front_matter);
    };
    let mut offset = 0;
    for (index, line) in after_open.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches('\n').trim_end();
        if content == "---" || content == "..." {
            return Ok(Split {
                yaml: &after_open[..offset],
                yaml_line: 2,
                body: &after_open[offset + line.len()..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        position: Position::new(1, 1),
        message: "front matter starts with `---` but has no closing `---` line".into(),
        hint: Some("add a line `---` after the last front matter key".into()),
    })
}

/// Parses front matter YAML whose first line is file line `first_line`.
pub fn parse(
    yaml: &str,
    first_line: usize,
    tz: &TimeZone,
) -> Result<FrontMatter, FrontMatterError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let map: BTreeMap<String, Spanned<Value>> =
        serde_saphyr::from_str(yaml).map_err(|e| yaml_error(&e, first_line))?;
    let mut front = FrontMatter::default();
    for (key, spanned) in map {
        let at = value_position(&spanned, first_line);
        let value = spanned.value;
        match key.as_str() {
            "title" => front.title = Some(scalar_string(&key, value, at)?),
            "date" => front.date = Some(timestamp(&key, &value, at, tz)?),
            "updated" => front.updated = Some(timestamp(&key, &value, at, tz)?),
            "tags" => front.tags = string_list(&key, value, at)?,
            "categories" | "category" => front.categories = string_list(&key, value, at)?,
            "summary" => front.summary = Some(scalar_string(&key, value, at)?),
            "slug" => front.slug = Some(scalar_string(&key, value, at)?),
            "draft" => front.draft = boolean(&key, &value, at)?,
            _ => {
                front.extra.insert(key, value);
            }
        }
    }
    Ok(front)
}

fn value_position(spanned: &Spanned<Value>, first_line: usize) -> Position {
    let location = spanned.referenced;
    Position::new(
        location.line() as usize + first_line - 1,
        location.column().max(1) as usize,
    )
}

fn yaml_error(error: &serde_saphyr::Error, first_line: usize) -> FrontMatterError {
    let position =
        error
            .location()
            .filter(|l| l.line() > 0)
            .map_or(Position::new(first_line, 1), |l| {
                Position::new(
                    l.line() as usize + first_line - 1,
                    l.column().max(1) as usize,
                )
            });
    let message = crate::config::yaml_message(error);
    let hint = if message.contains("duplicate mapping key") {
        "keep one of the two keys"
    } else {
        "front matter is YAML: `key: value` per line; quote values containing `: ` or starting with `[`, `{`, `*`, `&`"
    };
    FrontMatterError {
        position,
        message: format!("invalid front matter: {message}"),
        hint: Some(hint.into()),
    }
}

fn type_error(key: &str, expected: &str, value: &Value, at: Position) -> FrontMatterError {
    FrontMatterError {
        position: at,
        message: format!("`{key}` must be {expected}, not {}", describe(value)),
        hint: None,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "empty".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// Strings, and numbers or booleans written where text was meant (`title: 2024`).
fn scalar_string(key: &str, value: Value, at: Position) -> Result<String, FrontMatterError> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(type_error(key, "text", &other, at)),
    }
}

fn string_list(key: &str, value: Value, at: Position) -> Result<Vec<String>, FrontMatterError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        single => vec![single],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Array(_) | Value::Object(_) | Value::Null => {
                Err(type_error(key, "a list of names or one name", &item, at))
            }
            other => scalar_string(key, other, at),
        })
        .filter(|item| !matches!(item, Ok(s) if s.trim().is_empty()))
        .map(|item| item.map(|s| s.trim().to_string()))
        .collect()
}

fn boolean(key: &str, value: &Value, at: Position) -> Result<bool, FrontMatterError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(type_error(key, "`true` or `false`", other, at)),
    }
}

fn timestamp(
    key: &str,
    value: &Value,
    at: Position,
    tz: &TimeZone,
) -> Result<Timestamp, FrontMatterError> {
    let text = match value {
        Value::String(s) => s.trim(),
        other => return Err(date_error(key, &describe(other), at)),
    };
    parse_date(text, tz).ok_or_else(|| date_error(key, &format!("`{text}`"), at))
}

fn date_error(key: &str, got: &str, at: Position) -> FrontMatterError {
    FrontMatterError {
        position: at,
        message: format!("`{key}` must be a date, not {got}"),
        hint: Some("write 2026-01-11, 2026-01-11 08:30 or 2026-01-11T08:30:00+08:00".into()),
    }
}

/// Parses `2026-01-11`, `2026-01-11 08:30[:ss]` (in `tz`) or RFC 3339.
pub fn parse_date(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let civil = text.parse::<DateTime>().ok().or_else(|| {
        text.parse::<Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::time(0, 0, 0, 0)))
    })?;
    civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn splits_front_matter_and_counts_body_line() {
        let s = split("---\ntitle: a\n---\n正文\n").unwrap();
        assert_eq!(s.yaml, "title: a\n");
        assert_eq!(s.body, "正文\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# 标题\n").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let e = split("---\ntitle: a\n正文\n").unwrap_err();
        assert!(e.message.contains("no closing"));
    }

    #[test]
    fn parses_all_known_keys() {
        let yaml = "title: 注意力\ndate: 2026-01-11 08:30\ntags: [a, b]\ncategories: 深度学习\nslug: attn\ndraft: true\nsummary: 简介\nmood: 好\n";
        let f = parse(yaml, 2, &shanghai()).unwrap();
        assert_eq!(f.title.as_deref(), Some("注意力"));
        assert_eq!(f.date.unwrap().to_string(), "2026-01-11T00:30:00Z");
        assert_eq!(f.tags, ["a", "b"]);
        assert_eq!(f.categories, ["深度学习"]);
        assert_eq!(f.slug.as_deref(), Some("attn"));
        assert!(f.draft);
        assert_eq!(f.extra["mood"], Value::String("好".into()));
    }

    #[test]
    fn dates_in_three_forms() {
        let tz = shanghai();
        assert!(parse_date("2026-01-11", &tz).is_some());
        assert!(parse_date("2026-01-11 08:30", &tz).is_some());
        assert_eq!(
            parse_date("2026-01-11T08:30:00+08:00", &tz),
            parse_date("2026-01-11 08:30", &tz)
        );
        assert!(parse_date("yesterday", &tz).is_none());
    }

    #[test]
    fn errors_point_at_the_article_line() {
        // The YAML starts on file line 2; `date` is its 2nd line, so file line 3.
        let e = parse("title: a\ndate: yesterday\n", 2, &shanghai()).unwrap_err();
        assert_eq!(e.position, Position::new(3, 7));
        assert!(e.message.contains("date"), "{}", e.message);
    }

    #[test]
    fn yaml_syntax_errors_point_at_the_article_line() {
        let e = parse("title: a\ntags: [x\n", 2, &shanghai()).unwrap_err();
        assert_eq!(e.position.line, 3, "{e:?}");
    }

    #[test]
    fn duplicate_keys_and_wrong_types_are_errors() {
        assert!(parse("title: a\ntitle: b\n", 2, &shanghai()).is_err());
        let e = parse("tags: {a: 1}\n", 2, &shanghai()).unwrap_err();
        assert!(e.message.contains("mapping"), "{}", e.message);
    }
}
