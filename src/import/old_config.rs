//! Reading the old generator's configuration (YAML, TOML or JSON, by each
//! format's own crate) into one JSON value, and the few ways of looking into it.

use std::path::Path;

use serde_json::Value;

use super::ImportError;

/// Reads a configuration file, in the language its extension names.
pub(crate) fn read(path: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    parse(&text, &extension).map_err(|message| ImportError::Config {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses configuration text: `toml`, `json`, else YAML. An empty file is
/// an empty table.
pub(crate) fn parse(text: &str, extension: &str) -> Result<Value, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    let value = match extension {
        "toml" => toml::from_str::<Value>(text).map_err(|e| e.message().to_string())?,
        "json" => serde_json::from_str::<Value>(text).map_err(|e| e.to_string())?,
        _ => {
            // Ruby's and JS-YAML's readers keep the last of a repeated key; so does the import.
            let options = serde_saphyr::options! {
                duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
            };
            serde_saphyr::from_str_with_options::<Value>(text, options)
                .map_err(|e| crate::config::yaml_message(&e))?
        }
    };
    Ok(match value {
        Value::Null => Value::Object(Default::default()),
        other => other,
    })
}

/// The value at a path of keys (`["params", "author"]`).
pub(crate) fn at<'a>(config: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(config, |value, key| value.get(key))
}

/// The value at `keys` as text: a string (trimmed, non-empty) or a number.
pub(crate) fn text(config: &Value, keys: &[&str]) -> Option<String> {
    match at(config, keys)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An author written as a string, a `{name: …}` table, or a list of either (the first).
pub(crate) fn author(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(map) => map.get("name").and_then(author),
        Value::Array(list) => list.first().and_then(author),
        _ => None,
    }
}

/// `url` with exactly one `/` at the end.
pub(crate) fn with_trailing_slash(url: &str) -> String {
    format!("{}/", url.trim().trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_languages_one_value() {
        let yaml = parse("title: 笔记\ntitle: 后者\nauthor:\n  name: 张三\n", "yml").unwrap();
        assert_eq!(
            text(&yaml, &["title"]).as_deref(),
            Some("后者"),
            "last wins"
        );
        assert_eq!(author(&yaml["author"]).as_deref(), Some("张三"));
        let toml = parse("title = \"笔记\"\n[params]\nauthor = \"李四\"\n", "toml").unwrap();
        assert_eq!(
            at(&toml, &["params", "author"]).and_then(author).as_deref(),
            Some("李四")
        );
        let json = parse("{\"paginate\": 5}", "json").unwrap();
        assert_eq!(text(&json, &["paginate"]).as_deref(), Some("5"));
        assert!(parse("title: [\n", "yml").is_err());
        assert!(parse("title = \n", "toml").is_err());
        assert_eq!(parse("", "yml").unwrap(), Value::Object(Default::default()));
        assert_eq!(with_trailing_slash("https://a.b/c//"), "https://a.b/c/");
    }
}
