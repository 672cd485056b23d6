//! The parts of an nbformat 4 notebook blogsmith reads, straight from its JSON.
//!
//! Only what is shown is kept: cells' sources, outputs and execution counts,
//! and the notebook's metadata. Everything else (cell ids, cell metadata,
//! widget state) is skipped by the deserializer without being built.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::diagnostic::Position;

/// The largest notebook read: bigger ones are an error, not a build that runs out of memory.
pub const MAX_NOTEBOOK_BYTES: usize = 128 * 1024 * 1024;

/// Why a file is not a notebook blogsmith can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotebookError {
    /// The file is not JSON, or not JSON of a notebook's shape.
    #[error("not a valid notebook: {message}")]
    Json {
        /// Where serde_json stopped, in the file.
        position: Position,
        /// serde_json's explanation.
        message: String,
    },
    /// Valid JSON, but not nbformat 4.
    #[error("nbformat {found} is not supported: blogsmith reads nbformat 4 notebooks")]
    Version {
        /// The `nbformat` found (`3`, `missing`).
        found: String,
    },
    /// Over [`MAX_NOTEBOOK_BYTES`].
    #[error("the notebook is {size} bytes; blogsmith reads notebooks up to {limit} bytes")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl NotebookError {
    /// Where in the file the problem is.
    pub fn position(&self) -> Position {
        match self {
            Self::Json { position, .. } => *position,
            Self::Version { .. } | Self::TooLarge { .. } => Position::new(1, 1),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Json { .. } => {
                "a notebook is the JSON Jupyter saves: open it in Jupyter and save it again, or fix the JSON at this position"
            }
            Self::Version { .. } => {
                "convert it with `jupyter nbconvert --to notebook --nbformat 4 file.ipynb`"
            }
            Self::TooLarge { .. } => {
                "clear large outputs (Jupyter: Edit → Clear All Outputs) or split the notebook"
            }
        }
    }
}

/// One notebook, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notebook {
    /// `metadata`: kernel, language, and front matter keys (see `docs/notebooks.md`).
    pub metadata: Map<String, Value>,
    /// The cells, in order.
    pub cells: Vec<Cell>,
}

/// The JSON of the whole file, before the version is checked.
#[derive(Deserialize)]
struct File {
    nbformat: Option<Value>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
    cells: Option<Vec<Cell>>,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cell {
    /// `markdown`, `code` or `raw`.
    pub cell_type: String,
    /// The cell's text.
    #[serde(default)]
    pub source: MultiLine,
    /// `In [n]`: none when the cell was never run.
    #[serde(default)]
    pub execution_count: Option<i64>,
    /// What running the cell printed and showed (code cells).
    #[serde(default)]
    pub outputs: Vec<Output>,
}

/// One output of a code cell.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Output {
    /// `stream`, `display_data`, `execute_result` or `error`.
    pub output_type: String,
    /// A stream's name: `stdout` or `stderr`.
    #[serde(default)]
    pub name: Option<String>,
    /// A stream's text.
    #[serde(default)]
    pub text: MultiLine,
    /// Rich outputs by MIME type.
    #[serde(default)]
    pub data: BTreeMap<String, MimeData>,
    /// An error's exception name.
    #[serde(default)]
    pub ename: Option<String>,
    /// An error's message.
    #[serde(default)]
    pub evalue: Option<String>,
    /// An error's traceback lines, with terminal colours.
    #[serde(default)]
    pub traceback: Vec<String>,
}

/// Text nbformat stores as one string or as a list of lines (joined here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiLine(pub String);

/// A rich output's value: text (a string or lines), or something else
/// (JSON data for widgets and `application/json`), which is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MimeData {
    /// Text, base64 for binary types.
    Text(String),
    /// Any other JSON value.
    Other,
}

impl<'de> Deserialize<'de> for MultiLine {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(TextVisitor)? {
            MimeData::Text(text) => Ok(Self(text)),
            MimeData::Other => Err(de::Error::custom("expected a string or a list of strings")),
        }
    }
}

impl<'de> Deserialize<'de> for MimeData {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Reads a string, a list of strings (joined) or anything else (as [`MimeData::Other`]),
/// without building values nobody shows.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = MimeData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<MimeData, E> {
        Ok(MimeData::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<MimeData, E> {
        Ok(MimeData::Text(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<MimeData, E> {
        Ok(MimeData::Text(String::new()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MimeData, A::Error> {
        let mut text = String::new();
        let mut all_text = true;
        while let Some(item) = seq.next_element::<Value>()? {
            match item {
                Value::String(s) if all_text => text.push_str(&s),
                _ => all_text = false,
            }
        }
        Ok(if all_text {
            MimeData::Text(text)
        } else {
            MimeData::Other
        })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<MimeData, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(MimeData::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<MimeData, E> {
        Ok(MimeData::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<MimeData, E> {
        Ok(MimeData::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<MimeData, E> {
        Ok(MimeData::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<MimeData, E> {
        Ok(MimeData::Other)
    }
}

/// Reads a notebook from its bytes (a BOM is allowed).
pub fn read(bytes: &[u8]) -> Result<Notebook, NotebookError> {
    if bytes.len() > MAX_NOTEBOOK_BYTES {
        return Err(NotebookError::TooLarge {
            size: bytes.len(),
            limit: MAX_NOTEBOOK_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let file: File = serde_json::from_slice(bytes).map_err(|e| NotebookError::Json {
        position: Position::new(e.line().max(1), e.column().max(1)),
        message: e.to_string(),
    })?;
    let version = file.nbformat.as_ref().and_then(Value::as_u64);
    match (version, file.cells) {
        (Some(4), Some(cells)) => Ok(Notebook {
            metadata: file.metadata.unwrap_or_default(),
            cells,
        }),
        (Some(4), None) => Err(NotebookError::Version {
            found: "4 without `cells`".into(),
        }),
        _ => Err(NotebookError::Version {
            found: file
                .nbformat
                .map_or_else(|| "missing".into(), |v| v.to_string()),
        }),
    }
}
