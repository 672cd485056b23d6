//! Front matter: the YAML block between `---` lines at the top of an article.
//!
//! Positions in errors are positions in the *article file*, not in the YAML
//! block, so an editor can jump straight to the mistake.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use super::formats;
pub use super::formats::{Split, split};
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
    /// `description` (Hugo): the page's meta description.
    pub description: Option<String>,
    /// `permalink` (Hexo, Jekyll) or `url` (Hugo): the article's own URL path.
    pub permalink: Option<String>,
    /// `aliases` (Hugo): other URL paths that redirect to the article.
    pub aliases: Vec<String>,
    /// Where `permalink`/`url` is written, for problems with the address.
    pub permalink_at: Option<Position>,
    /// Where `aliases` is written, for problems with the redirects.
    pub aliases_at: Option<Position>,
    /// `top` or `sticky` (Hexo themes): pinned at the top of the index.
    pub pinned: bool,
    /// `bibliography` (Pandoc, Quarto): `.bib` files the article cites, relative to it.
    pub bibliography: Vec<String>,
    /// Where `bibliography` is written, for a missing or broken file.
    pub bibliography_at: Option<Position>,
    /// Every other key, for templates as `page.extra`.
    pub extra: BTreeMap<String, Value>,
}

/// Keys other generators write that blogsmith accepts without using them,
/// and without a note: comments and math switches (blogsmith renders math
/// and has no comments), layouts and ordering weights.
pub const ACCEPTED_KEYS: &[&str] = &["comments", "mathjax", "katex", "toc", "layout", "weight"];

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

/// Parses an article's front matter, in whichever language it is written.
pub fn parse(split: &Split<'_>, tz: &TimeZone) -> Result<FrontMatter, FrontMatterError> {
    from_entries(formats::read(split)?, tz)
}

/// Types front matter keys read from anywhere (a block at the top of an
/// article, a notebook's metadata): each key's value checked at its position.
pub fn from_entries(
    entries: formats::Entries,
    tz: &TimeZone,
) -> Result<FrontMatter, FrontMatterError> {
    let mut front = FrontMatter::default();
    for (key, value, at) in entries {
        match key.as_str() {
            "title" => front.title = Some(scalar_string(&key, value, at)?),
            "date" => front.date = timestamp(&key, &value, at, tz)?,
            // Hexo writes `updated`, Hugo `lastmod`.
            "updated" | "lastmod" => front.updated = timestamp(&key, &value, at, tz)?,
            "tags" => front.tags = string_list(&key, value, at)?,
            "categories" | "category" => front.categories = categories(&key, value, at)?,
            "summary" => front.summary = Some(scalar_string(&key, value, at)?),
            "description" => front.description = Some(scalar_string(&key, value, at)?),
            "slug" => front.slug = Some(scalar_string(&key, value, at)?),
            "permalink" | "url" => {
                front.permalink = Some(scalar_string(&key, value, at)?);
                front.permalink_at = Some(at);
            }
            "aliases" => {
                front.aliases = string_list(&key, value, at)?;
                front.aliases_at = Some(at);
            }
            "draft" | "published" => {
                let flag = boolean(&key, &value, at)?;
                // Jekyll's `published: false` is a draft.
                front.draft = if key == "draft" { flag } else { !flag };
            }
            "top" | "sticky" => front.pinned = pinned(&key, &value, at)?,
            "bibliography" => {
                front.bibliography = string_list(&key, value, at)?;
                front.bibliography_at = Some(at);
            }
            _ => {
                front.extra.insert(key, value);
            }
        }
    }
    Ok(front)
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

/// A date; `None` when the key is empty (`date:`), as if it were absent.
fn timestamp(
    key: &str,
    value: &Value,
    at: Position,
    tz: &TimeZone,
) -> Result<Option<Timestamp>, FrontMatterError> {
    let parsed = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => parse_date(s, tz),
        Value::Number(n) => n.as_i64().and_then(unix_seconds),
        other => return Err(date_error(key, &describe(other), at)),
    };
    parsed
        .map(Some)
        .ok_or_else(|| date_error(key, &describe(value), at))
}

fn date_error(key: &str, got: &str, at: Position) -> FrontMatterError {
    FrontMatterError {
        position: at,
        message: format!("`{key}` must be a date, not {got}"),
        hint: Some(format!("accepted forms: {DATE_FORMS}")),
    }
}

/// Categories: a list, one name, or Jekyll's space-separated names; a
/// nested list (Hexo: `[[机器学习, 优化]]`) is a hierarchy, `机器学习/优化`.
fn categories(key: &str, value: Value, at: Position) -> Result<Vec<String>, FrontMatterError> {
    match value {
        Value::String(text) => Ok(text.split_whitespace().map(str::to_string).collect()),
        Value::Array(items) => {
            let mut names = Vec::new();
            for item in items {
                match item {
                    Value::Array(levels) => {
                        let levels = string_list(key, Value::Array(levels), at)?;
                        if !levels.is_empty() {
                            names.push(levels.join("/"));
                        }
                    }
                    other => names.extend(string_list(key, other, at)?),
                }
            }
            Ok(names)
        }
        other => string_list(key, other, at),
    }
}

/// `top: true`, `sticky: 100` (Hexo themes order pinned posts by the number).
fn pinned(key: &str, value: &Value, at: Position) -> Result<bool, FrontMatterError> {
    match value {
        Value::Number(n) => Ok(n.as_f64().is_some_and(|n| n > 0.0)),
        other => boolean(key, other, at),
    }
}

/// The date forms front matter accepts, as the error message lists them.
pub const DATE_FORMS: &str = "2026-01-11, 2026-1-11, 2026/01/11, 2026-01-11 08:30, 2026-01-11 08:30:00 +0800 (or +08:00), RFC 3339 (2026-01-11T08:30:00+08:00) or a Unix timestamp";

/// Parses a date as blogs write it (see [`DATE_FORMS`]): without an offset
/// it is a time in `tz`. jiff does the parsing; this only tries the forms.
pub fn parse_date(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    // `2019/07/29` and `2019-07-29T10:00` are read as `2019-07-29 10:00`.
    let normalised: String = text
        .char_indices()
        .map(|(i, c)| match c {
            '/' if i < 10 => '-',
            'T' if (8..=10).contains(&i) => ' ',
            c => c,
        })
        .collect();
    const WITH_OFFSET: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f %:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%d %H:%M %:z",
    ];
    const CIVIL: &[&str] = &["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d"];
    let parse = |format: &str| jiff::fmt::strtime::parse(format, &normalised).ok();
    if let Some(ts) = WITH_OFFSET
        .iter()
        .find_map(|format| parse(format)?.to_timestamp().ok())
    {
        return Some(ts);
    }
    let civil = CIVIL.iter().find_map(|format| {
        let parsed = parse(format)?;
        let date = parsed.to_date().ok()?;
        let time = parsed.to_time().unwrap_or(jiff::civil::Time::midnight());
        Some(date.to_datetime(time))
    })?;
    civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// A Unix timestamp in seconds (Hugo writes dates so).
fn unix_seconds(seconds: i64) -> Option<Timestamp> {
    Timestamp::from_second(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` as YAML front matter starting at file line `first_line`.
    fn yaml(text: &str, first_line: usize, tz: &TimeZone) -> Result<FrontMatter, FrontMatterError> {
        let split = Split {
            format: formats::Format::Yaml,
            text,
            first_line,
            body: "",
            body_line: first_line,
        };
        parse(&split, tz)
    }

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn splits_front_matter_and_counts_body_line() {
        let s = split("---\ntitle: a\n---\n正文\n").unwrap();
        assert_eq!(s.text, "title: a\n");
        assert_eq!(s.body, "正文\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# 标题\n").unwrap();
        assert_eq!(s.text, "");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let e = split("---\ntitle: a\n正文\n").unwrap_err();
        assert!(e.message.contains("no closing"));
    }

    #[test]
    fn parses_all_known_keys() {
        let text = "title: 注意力\ndate: 2026-01-11 08:30\ntags: [a, b]\ncategories: 深度学习\nslug: attn\ndraft: true\nsummary: 简介\nmood: 好\n";
        let f = yaml(text, 2, &shanghai()).unwrap();
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
    fn dates_as_other_generators_write_them() {
        let tz = shanghai();
        let at = |text: &str| parse_date(text, &tz).map(|t| t.to_string());
        let morning = Some("2019-07-29T02:00:00Z".to_string());
        let midnight = Some("2019-07-28T16:00:00Z".to_string());
        assert_eq!(at("2019-7-29"), midnight, "unpadded (Hexo)");
        assert_eq!(at("2019/07/29"), midnight);
        assert_eq!(at("2019/7/29 10:00"), morning);
        assert_eq!(at("2019-07-29 10:00"), morning);
        assert_eq!(at("2019-07-29 10:00:00"), morning);
        assert_eq!(
            at("2019-07-29T10:00:00"),
            morning,
            "no offset: the site's zone"
        );
        assert_eq!(at("2019-07-29 10:00:00 +0800"), morning, "Jekyll");
        assert_eq!(at("2019-07-29 10:00:00 +08:00"), morning);
        assert_eq!(at("2019-07-29 02:00:00 +0000"), morning);
        assert_eq!(at("2019-07-29T10:00:00+08:00"), morning, "RFC 3339");
        assert_eq!(at("2019-07-29T02:00:00Z"), morning);
        assert!(at("2019-07-29 10:00:00.250 +0800").is_some());
        for bad in [
            "2019-13-01",
            "2019-02-30",
            "29/07/2019",
            "tomorrow",
            "2019-07-29 25:00",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
        // A Unix timestamp (Hugo) and an empty date.
        let front = yaml("date: 1564365600\nupdated:\n", 2, &tz).unwrap();
        assert_eq!(front.date.map(|t| t.to_string()), morning);
        assert_eq!(front.updated, None);
        let e = yaml("date: 29.07.2019\n", 2, &tz).unwrap_err();
        assert!(e.hint.unwrap().contains("2026-1-11"), "the accepted forms");
    }

    #[test]
    fn keys_of_hexo_hugo_and_jekyll() {
        let tz = shanghai();
        let hexo = yaml(
            "updated: 2020-01-02\ncategories:\n- [机器学习, 优化]\n- 随笔\ntop: true\npermalink: /2019/07/29/old/\n",
            2,
            &tz,
        )
        .unwrap();
        assert!(hexo.updated.is_some());
        assert_eq!(hexo.categories, ["机器学习/优化", "随笔"]);
        assert!(hexo.pinned);
        assert_eq!(hexo.permalink.as_deref(), Some("/2019/07/29/old/"));
        let nested = yaml("categories: [[A, B, C]]\nsticky: 100\n", 2, &tz).unwrap();
        assert_eq!(nested.categories, ["A/B/C"]);
        assert!(nested.pinned);
        let hugo = yaml(
            "lastmod: 2020-01-02\ndescription: 说明\naliases: [/old/a/, /old/b/]\nurl: /x/\nweight: 3\n",
            2,
            &tz,
        )
        .unwrap();
        assert!(hugo.updated.is_some());
        assert_eq!(hugo.description.as_deref(), Some("说明"));
        assert_eq!(hugo.aliases, ["/old/a/", "/old/b/"]);
        assert_eq!(hugo.permalink.as_deref(), Some("/x/"));
        let jekyll = yaml("categories: ml notes\npublished: false\n", 2, &tz).unwrap();
        assert_eq!(jekyll.categories, ["ml", "notes"]);
        assert!(jekyll.draft);
    }

    #[test]
    fn errors_point_at_the_article_line() {
        // The YAML starts on file line 2; `date` is its 2nd line, so file line 3.
        let e = yaml("title: a\ndate: yesterday\n", 2, &shanghai()).unwrap_err();
        assert_eq!(e.position, Position::new(3, 7));
        assert!(e.message.contains("date"), "{}", e.message);
    }

    #[test]
    fn yaml_syntax_errors_point_at_the_article_line() {
        let e = yaml("title: a\ntags: [x\n", 2, &shanghai()).unwrap_err();
        assert_eq!(e.position.line, 3, "{e:?}");
    }

    #[test]
    fn duplicate_keys_and_wrong_types_are_errors() {
        assert!(yaml("title: a\ntitle: b\n", 2, &shanghai()).is_err());
        let e = yaml("tags: {a: 1}\n", 2, &shanghai()).unwrap_err();
        assert!(e.message.contains("mapping"), "{}", e.message);
    }
}
