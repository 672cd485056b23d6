//! Table rows with fewer cells than their header. Markdown pads such a row
//! with empty cells, silently; in notes it usually means a `|` split a cell
//! somewhere (or a cell was forgotten), so the author is told where.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// A row shorter than its table's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortRow {
    /// Where the row starts, in the parsed (masked) text.
    pub offset: usize,
    /// Cells written in the row.
    pub written: usize,
    /// Cells of the header.
    pub header: usize,
}

/// Follows the table events of one parse and reports short rows.
#[derive(Debug, Default)]
pub struct RowCounter {
    header_cells: usize,
    /// The row being read: its range and the cells written so far.
    row: Option<(Range<usize>, usize)>,
    in_head: bool,
}

impl RowCounter {
    /// Takes the next event (with its range); returns a row that just ended
    /// short of the header.
    pub fn observe(&mut self, event: &Event<'_>, range: &Range<usize>) -> Option<ShortRow> {
        match event {
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.header_cells = 0;
            }
            Event::End(TagEnd::TableHead) => self.in_head = false,
            Event::Start(Tag::TableRow) => self.row = Some((range.clone(), 0)),
            Event::Start(Tag::TableCell) if self.in_head => self.header_cells += 1,
            Event::Start(Tag::TableCell) => {
                if let Some((row, written)) = &mut self.row
                    && !is_padding_cell(row, range)
                {
                    *written += 1;
                }
            }
            Event::End(TagEnd::TableRow) => {
                let (row, written) = self.row.take()?;
                return (written < self.header_cells).then_some(ShortRow {
                    offset: row.start,
                    written,
                    header: self.header_cells,
                });
            }
            _ => {}
        }
        None
    }
}

/// pulldown-cmark adds the missing cells of a short row as empty cells at
/// the row's very end.
fn is_padding_cell(row: &Range<usize>, cell: &Range<usize>) -> bool {
    cell.is_empty() && cell.start == row.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn short_rows(markdown: &str) -> Vec<ShortRow> {
        let mut counter = RowCounter::default();
        Parser::new_ext(markdown, Options::ENABLE_TABLES)
            .into_offset_iter()
            .filter_map(|(event, range)| counter.observe(&event, &range))
            .collect()
    }

    #[test]
    fn reports_rows_shorter_than_the_header() {
        let markdown = "| a | b |\n|---|---|\n| c |\n| d | e |\n| | |\n| f | g | h |\n";
        assert_eq!(
            short_rows(markdown),
            [ShortRow {
                offset: markdown.find("| c |").unwrap(),
                written: 1,
                header: 2
            }]
        );
    }

    #[test]
    fn a_row_without_a_final_newline_counts_too() {
        assert_eq!(short_rows("| a | b |\n|---|---|\n| c |").len(), 1);
        assert!(short_rows("| a | b |\n|---|---|\n| c | d |").is_empty());
    }
}
