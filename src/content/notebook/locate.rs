//! Where things are in a notebook file, for messages.
//!
//! serde_json keeps no positions of values, so keys are found in the text.
//! A key can only appear as `"key"` followed by `:` outside strings (inside a
//! string its quotes would be escaped), which makes this exact for cells;
//! only a cell whose metadata has a key `cell_type` or `source` would confuse
//! it, and then the counts disagree and nothing is located rather than
//! something wrongly.

use crate::diagnostic::Position;

/// Lines of each cell and of its source in the file.
#[derive(Debug, Default)]
pub struct Locator {
    /// The position of each cell's `"cell_type"` key.
    cells: Vec<Position>,
    /// The line of each cell's `"source"` key.
    sources: Vec<usize>,
    /// The position of the last `"metadata"` key: the notebook's own, which
    /// Jupyter writes after the cells.
    metadata: Option<Position>,
    /// The text, to find front matter keys in.
    text: String,
}

impl Locator {
    /// Finds the cells of `bytes`, which hold `cells` cells.
    pub fn new(bytes: &[u8], cells: usize) -> Self {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let keys = |name: &str| key_offsets(&text, name);
        let mut cell_positions: Vec<Position> = Vec::new();
        let mut lines = LineCounter::default();
        for offset in keys("cell_type") {
            cell_positions.push(lines.position(&text, offset));
        }
        let mut lines = LineCounter::default();
        let sources: Vec<usize> = keys("source")
            .into_iter()
            .map(|offset| lines.position(&text, offset).line)
            .collect();
        let metadata = keys("metadata")
            .last()
            .map(|&offset| Position::of_offset(&text, offset));
        Self {
            cells: if cell_positions.len() == cells {
                cell_positions
            } else {
                Vec::new()
            },
            sources: if sources.len() == cells {
                sources
            } else {
                Vec::new()
            },
            metadata,
            text,
        }
    }

    /// Where cell `index` (from 0) starts, or the top of the file.
    pub fn cell(&self, index: usize) -> Position {
        self.cells
            .get(index)
            .copied()
            .unwrap_or(Position::new(1, 1))
    }

    /// The file line of the first line of cell `index`'s source, when Jupyter
    /// wrote it as a list of lines, one per file line (it always does).
    pub fn source_line(&self, index: usize) -> Option<usize> {
        self.sources.get(index).map(|line| line + 1)
    }

    /// Where the notebook metadata's `key` is written (`"title"` in
    /// `"metadata"`, or in its `"blogsmith"` object), else the metadata itself.
    pub fn metadata_key(&self, key: &str) -> Position {
        let Some(metadata) = self.metadata else {
            return Position::new(1, 1);
        };
        let start = offset_of_line(&self.text, metadata.line);
        key_offsets(&self.text[start..], key)
            .first()
            .map_or(metadata, |&offset| {
                Position::of_offset(&self.text, start + offset)
            })
    }
}

/// Byte offsets of `"name"` used as an object key (followed by `:`).
fn key_offsets(text: &str, name: &str) -> Vec<usize> {
    let quoted = format!("\"{name}\"");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&quoted) {
        let start = from + at;
        let after = &text[start + quoted.len()..];
        if after.trim_start().starts_with(':') {
            found.push(start);
        }
        from = start + quoted.len();
    }
    found
}

/// The byte offset where 1-based `line` starts.
fn offset_of_line(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// Positions of increasing offsets, counting lines once for all of them.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineCounter {
    fn position(&mut self, text: &str, offset: usize) -> Position {
        let passed = &text[self.offset..offset];
        if let Some(last) = passed.rfind('\n') {
            self.line += passed.matches('\n').count();
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        let column = text[self.line_start..offset].chars().count() + 1;
        Position::new(self.line + 1, column)
    }
}
