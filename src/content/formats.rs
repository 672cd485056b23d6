//! Where an article's front matter is and which language it is in: YAML
//! between `---` lines (every generator), TOML between `+++` lines (Hugo),
//! or a JSON object opening the file (Hugo). Each is read by its own crate
//! into key → (value, position in the article file).

use std::collections::BTreeMap;

use serde_json::Value;

use super::front_matter::FrontMatterError;
use crate::diagnostic::Position;

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
    /// A JSON object at the top of the file.
    Json,
}

/// An article split into its front matter text and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter's language.
    pub format: Format,
    /// The front matter (without YAML's and TOML's delimiter lines; empty when there is none).
    pub text: &'a str,
    /// The 1-based file line of the first line of `text`.
    pub first_line: usize,
    /// The Markdown after the front matter.
    pub body: &'a str,
    /// The 1-based file line where the body starts.
    pub body_line: usize,
}

/// Splits `text` (already LF-normalised) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    if let Some(split) = between_lines(text, "---", Format::Yaml)? {
        return Ok(split);
    }
    if let Some(split) = between_lines(text, "+++", Format::Toml)? {
        return Ok(split);
    }
    if opens_json(text) {
        return json_object(text);
    }
    Ok(Split {
        format: Format::Yaml,
        text: "",
        first_line: 1,
        body: text,
        body_line: 1,
    })
}

/// The block between a first line `fence` and the next line `fence` (YAML
/// may also end with `...`); `None` when the text does not open with `fence`.
fn between_lines<'a>(
    text: &'a str,
    fence: &str,
    format: Format,
) -> Result<Option<Split<'a>>, FrontMatterError> {
    let Some(after_open) = text.strip_prefix(fence).and_then(|rest| {
        rest.strip_prefix('\n')
            .or_else(|| rest.is_empty().then_some(""))
    }) else {
        return Ok(None);
    };
    let mut offset = 0;
    for (index, line) in after_open.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches('\n').trim_end();
        if content == fence || (format == Format::Yaml && content == "...") {
            return Ok(Some(Split {
                format,
                text: &after_open[..offset],
                first_line: 2,
                body: &after_open[offset + line.len()..],
                body_line: index + 3,
            }));
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        position: Position::new(1, 1),
        message: format!("front matter starts with `{fence}` but has no closing `{fence}` line"),
        hint: Some(format!(
            "add a line `{fence}` after the last front matter key"
        )),
    })
}

/// Whether the file opens with a JSON object (`{` then a key or `}`), not
/// with a Hexo tag or a Hugo shortcode (`{%`, `{{`).
fn opens_json(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('{') else {
        return false;
    };
    matches!(rest.trim_start().chars().next(), Some('"' | '}'))
}

/// The JSON object opening `text`, and the body from the line after it.
fn json_object(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    if let Some(Err(e)) = values.next() {
        return Err(FrontMatterError {
            position: Position::new(e.line().max(1), e.column().max(1)),
            message: format!("invalid JSON front matter: {e}"),
            hint: Some(
                "JSON front matter is one object: {\"title\": \"…\", \"date\": \"…\"}".into(),
            ),
        });
    }
    let end = values.byte_offset();
    let rest = &text[end..];
    let body_start = end + rest.find('\n').map_or(rest.len(), |i| i + 1);
    Ok(Split {
        format: Format::Json,
        text: &text[..end],
        first_line: 1,
        body: &text[body_start..],
        body_line: text[..body_start].matches('\n').count() + 1,
    })
}

/// One front matter key: its value and where the value is in the file.
pub type Entries = Vec<(String, Value, Position)>;

/// Reads the front matter of `split` into its keys, in key order.
pub fn read(split: &Split<'_>) -> Result<Entries, FrontMatterError> {
    if split.text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match split.format {
        Format::Yaml => read_yaml(split.text, split.first_line),
        Format::Toml => read_toml(split.text, split.first_line),
        Format::Json => read_json(split.text, split.first_line),
    }
}

/// A position in `text` (starting at file line `first_line`) as a file position.
fn file_position(text: &str, offset: usize, first_line: usize) -> Position {
    let p = Position::of_offset(text, offset);
    Position::new(p.line + first_line - 1, p.column)
}

fn read_yaml(text: &str, first_line: usize) -> Result<Entries, FrontMatterError> {
    use serde_saphyr::Spanned;
    let map: BTreeMap<String, Spanned<Value>> =
        serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, first_line))?;
    Ok(map
        .into_iter()
        .map(|(key, spanned)| {
            let location = spanned.referenced;
            let at = Position::new(
                location.line() as usize + first_line - 1,
                location.column().max(1) as usize,
            );
            (key, spanned.value, at)
        })
        .collect())
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

fn read_toml(text: &str, first_line: usize) -> Result<Entries, FrontMatterError> {
    let map: BTreeMap<String, toml::Spanned<toml::Value>> =
        toml::from_str(text).map_err(|e| FrontMatterError {
            position: e.span().map_or(Position::new(first_line, 1), |span| {
                file_position(text, span.start, first_line)
            }),
            message: format!("invalid TOML front matter: {}", e.message()),
            hint: Some(
                "TOML front matter (between `+++` lines) is `key = \"value\"` per line".into(),
            ),
        })?;
    Ok(map
        .into_iter()
        .map(|(key, spanned)| {
            let at = file_position(text, spanned.span().start, first_line);
            (key, toml_to_json(spanned.into_inner()), at)
        })
        .collect())
}

/// A TOML value as the JSON value the rest of the front matter code reads;
/// dates become their text (`1979-05-27T07:32:00Z`).
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn read_json(text: &str, first_line: usize) -> Result<Entries, FrontMatterError> {
    let map: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| FrontMatterError {
            position: Position::new(e.line() + first_line - 1, e.column().max(1)),
            message: format!("invalid JSON front matter: {e}"),
            hint: None,
        })?;
    Ok(map
        .into_iter()
        .map(|(key, value)| {
            // serde_json keeps no positions: the key's first appearance.
            let offset = text.find(&format!("\"{key}\"")).unwrap_or(0);
            let at = file_position(text, offset, first_line);
            (key, value, at)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_toml_and_json_blocks_are_found() {
        let yaml = split("---\ntitle: a\n---\nbody\n").unwrap();
        assert_eq!(
            (yaml.format, yaml.text, yaml.body, yaml.body_line),
            (Format::Yaml, "title: a\n", "body\n", 4)
        );
        let toml = split("+++\ntitle = \"a\"\n+++\nbody\n").unwrap();
        assert_eq!(
            (toml.format, toml.text, toml.body, toml.body_line),
            (Format::Toml, "title = \"a\"\n", "body\n", 4)
        );
        let json = split("{\n  \"title\": \"a\"\n}\nbody\n").unwrap();
        assert_eq!(
            (json.format, json.body, json.body_line),
            (Format::Json, "body\n", 4)
        );
        for text in [
            "{% raw %}x{% endraw %}\n",
            "{{< figure src=\"a.png\" >}}\n",
            "正文\n",
        ] {
            let none = split(text).unwrap();
            assert_eq!((none.text, none.body), ("", text), "{text}");
        }
        assert!(split("+++\ntitle = \"a\"\n").is_err(), "unclosed");
        assert!(split("{\"title\": \n").is_err(), "broken JSON");
    }

    #[test]
    fn keys_and_their_positions_in_each_language() {
        let read_all = |text: &str| {
            let split = split(text).unwrap();
            read(&split).unwrap()
        };
        let toml = read_all(
            "+++\ntitle = \"甲\"\ndate = 2019-07-29T10:00:00+08:00\ntags = [\"a\", \"b\"]\n+++\n",
        );
        assert_eq!(toml[0].0, "date");
        assert_eq!(toml[0].1, Value::String("2019-07-29T10:00:00+08:00".into()));
        assert_eq!(toml[0].2, Position::new(3, 8));
        assert_eq!(toml[2].1, Value::String("甲".into()));
        let json = read_all("{\n  \"title\": \"乙\",\n  \"draft\": true\n}\n正文\n");
        assert_eq!(
            json[0],
            ("draft".into(), Value::Bool(true), Position::new(3, 3))
        );
        let bad = split("+++\ntitle = \n+++\n").unwrap();
        let e = read(&bad).unwrap_err();
        assert_eq!(e.position.line, 2, "{e:?}");
    }
}
