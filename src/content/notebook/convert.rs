//! A notebook's cells as one Markdown document, so that it goes through the
//! same Markdown, math, heading, excerpt and search code as any article.
//!
//! Markdown cells are copied as they are. Code cells become fenced code
//! blocks in the kernel's language (highlighted like any code block), and
//! what blogsmith generates around them (prompts, outputs) goes in as
//! sentinel comments ([`HTML_SENTINEL`]) that the renderer swaps for the
//! HTML: trusted markup, even on sites that show authors' raw HTML as text.

use base64::Engine;

use super::ansi;
use super::locate::Locator;
use super::model::{Cell, MimeData, Notebook, Output};
use crate::diagnostic::Position;

/// The prefix of the sentinel comments standing for a notebook's generated HTML.
pub const HTML_SENTINEL: &str = "<!--blogsmith:cell:";

/// Lines of an output shown before the rest is folded into a `<details>`.
pub const FOLD_LINES: usize = 40;

/// Characters of one text output kept; the rest is cut, with a warning.
pub const MAX_OUTPUT_CHARS: usize = 512 * 1024;

/// Bytes of one output image written; bigger images are left out, with a warning.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// Rich output types in the order of preference (Jupyter shows the richest
/// one an output has). `text/html` is first only where raw HTML is allowed.
const SHOWN_TYPES: &[&str] = &[
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "text/plain",
];

/// How to convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Keep `text/html` outputs as HTML (`markdown.unsafe_html`); else show them as text.
    pub raw_html: bool,
    /// Words added to the page in Chinese (the site's language is `zh…`), else English.
    pub chinese: bool,
}

/// A file an output becomes, written beside the article's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The file name: `output-<cell>-<output>.<ext>`, cells and outputs counted from 1.
    pub name: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// A problem with one cell or output, which leaves it out but not the notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where, in the notebook file.
    pub position: Position,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: &'static str,
}

/// A notebook as Markdown, with the HTML and files it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// The Markdown document.
    pub body: String,
    /// The HTML each sentinel stands for, by number.
    pub html: Vec<String>,
    /// Images of outputs.
    pub files: Vec<GeneratedFile>,
    /// Outputs left out or cut.
    pub warnings: Vec<Warning>,
    /// (line of `body`, line of the file): where each cell's source starts,
    /// to report positions in the notebook file.
    pub line_map: Vec<(usize, usize)>,
}

/// Converts the cells of `notebook` from `first_cell` on (a first raw cell
/// holding front matter is skipped by the caller).
pub fn convert(
    notebook: &Notebook,
    first_cell: usize,
    locator: &Locator,
    options: Options,
) -> Converted {
    let mut builder = Builder {
        out: Converted::default(),
        options,
        locator,
        language: language(notebook),
    };
    for (index, cell) in notebook.cells.iter().enumerate().skip(first_cell) {
        builder.cell(index, cell);
    }
    builder.out
}

/// The kernel's language, for code cells' fences.
fn language(notebook: &Notebook) -> String {
    let name = |outer: &str, inner: &str| {
        notebook
            .metadata
            .get(outer)
            .and_then(|v| v.get(inner))
            .and_then(|v| v.as_str())
            .map(str::to_ascii_lowercase)
    };
    name("language_info", "name")
        .or_else(|| name("kernelspec", "language"))
        // A fence's info string ends at the first space; backticks would end the fence.
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_whitespace() && *c != '`')
                .collect()
        })
        .unwrap_or_default()
}

/// The document being built.
struct Builder<'a> {
    out: Converted,
    options: Options,
    locator: &'a Locator,
    language: String,
}

impl Builder<'_> {
    fn cell(&mut self, index: usize, cell: &Cell) {
        match cell.cell_type.as_str() {
            "markdown" => self.markdown_cell(index, &cell.source.0),
            "code" => self.code_cell(index, cell),
            // Raw cells are for other converters (LaTeX, reST): nbconvert's HTML leaves them out too.
            "raw" => {}
            other => self.warn(
                self.locator.cell(index),
                format!("unknown cell type `{other}`: cell left out"),
                "nbformat 4 cells are `markdown`, `code` or `raw`",
            ),
        }
    }

    fn markdown_cell(&mut self, index: usize, source: &str) {
        self.map_source(index, 0);
        self.push_markdown(&close_fences(source));
    }

    fn code_cell(&mut self, index: usize, cell: &Cell) {
        let source = cell.source.0.trim_end_matches('\n');
        if source.trim().is_empty() && cell.outputs.is_empty() {
            return;
        }
        let count = cell
            .execution_count
            .map_or_else(|| " ".to_string(), |n| n.to_string());
        self.sentinel(format!(
            "<div class=\"nb-cell nb-code-cell\"><div class=\"nb-input\"><span class=\"nb-prompt\">In [{count}]:</span>"
        ));
        if !source.trim().is_empty() {
            let fence = "`".repeat(longest_backtick_run(source).max(2) + 1);
            // The code starts on the line after the fence.
            self.map_source(index, 1);
            let language = &self.language;
            let block = format!("{fence}{language}\n{source}\n{fence}");
            self.push_markdown(&block);
        }
        self.sentinel("</div><div class=\"nb-outputs\">".into());
        for (number, output) in cell.outputs.iter().enumerate() {
            self.output(index, number, output, cell.execution_count);
        }
        self.sentinel("</div></div>".into());
    }

    fn output(&mut self, cell: usize, number: usize, output: &Output, count: Option<i64>) {
        match output.output_type.as_str() {
            "stream" => {
                let stderr = output.name.as_deref() == Some("stderr");
                let class = if stderr {
                    "nb-stream nb-stderr"
                } else {
                    "nb-stream nb-stdout"
                };
                let text = collapse_carriage_returns(&output.text.0);
                let html = self.text_block(cell, &text, class);
                self.sentinel(html);
            }
            "error" => {
                let text = if output.traceback.is_empty() {
                    format!(
                        "{}: {}",
                        output.ename.as_deref().unwrap_or("Error"),
                        output.evalue.as_deref().unwrap_or("")
                    )
                } else {
                    output.traceback.join("\n")
                };
                let html = self.text_block(cell, &text, "nb-error");
                self.sentinel(html);
            }
            "display_data" | "execute_result" => {
                let prompt = match (output.output_type.as_str(), count) {
                    ("execute_result", Some(n)) => {
                        format!("<span class=\"nb-prompt\">Out[{n}]:</span>")
                    }
                    _ => String::new(),
                };
                self.sentinel(format!("<div class=\"nb-output\">{prompt}"));
                self.rich(cell, number, output);
                self.sentinel("</div>".into());
            }
            other => self.warn(
                self.locator.cell(cell),
                format!("output type `{other}` not shown"),
                "nbformat 4 outputs are `stream`, `display_data`, `execute_result` or `error`",
            ),
        }
    }

    /// The richest representation of a display or result output.
    fn rich(&mut self, cell: usize, number: usize, output: &Output) {
        let text = |mime: &str| match output.data.get(mime) {
            Some(MimeData::Text(text)) => Some(text.as_str()),
            _ => None,
        };
        if self.options.raw_html
            && let Some(html) = text("text/html")
        {
            self.sentinel(format!("<div class=\"nb-html\">{html}</div>"));
            return;
        }
        let Some((mime, data)) = SHOWN_TYPES
            .iter()
            .find_map(|&mime| text(mime).map(|data| (mime, data)))
            .or_else(|| text("text/html").map(|data| ("text/html", data)))
        else {
            let types: Vec<&str> = output.data.keys().map(String::as_str).collect();
            self.warn(
                self.locator.cell(cell),
                format!(
                    "output {} of cell {} has no type blogsmith shows ({}): left out",
                    number + 1,
                    cell + 1,
                    if types.is_empty() { "no data".into() } else { types.join(", ") }
                ),
                "blogsmith shows text/plain, text/html, text/markdown, text/latex, image/png, image/jpeg and image/svg+xml",
            );
            return;
        };
        match mime {
            "image/png" | "image/jpeg" | "image/svg+xml" => {
                self.image(cell, number, mime, data, text("text/plain"));
            }
            "text/markdown" | "text/latex" => {
                self.push_markdown(&close_fences(data));
            }
            // text/plain, and text/html where raw HTML is not allowed: shown as text.
            _ => {
                let html = self.text_block(cell, data, "nb-text");
                self.sentinel(html);
            }
        }
    }

    /// An image output, as a file beside the page and an `<img>` pointing at it.
    fn image(&mut self, cell: usize, number: usize, mime: &str, data: &str, alt: Option<&str>) {
        let extension = match mime {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            _ => "svg",
        };
        let name = format!("output-{}-{}.{extension}", cell + 1, number + 1);
        let at = self.locator.cell(cell);
        let bytes = match decode_image(mime, data) {
            Ok(bytes) => bytes,
            Err(problem) => {
                self.warn(
                    at,
                    format!("{name}: {problem}; image left out"),
                    problem.hint(),
                );
                return;
            }
        };
        let alt = alt.map_or_else(|| name.clone(), |a| escape(a.trim()));
        self.sentinel(format!(
            "<img class=\"nb-image\" src=\"{name}\" alt=\"{alt}\" loading=\"lazy\">"
        ));
        self.out.files.push(GeneratedFile { name, bytes });
    }

    /// Text output as escaped HTML (terminal colours kept), cut when huge and
    /// folded after [`FOLD_LINES`] lines.
    fn text_block(&mut self, cell: usize, text: &str, class: &str) -> String {
        let text = text.trim_end_matches('\n');
        let text = match text.char_indices().nth(MAX_OUTPUT_CHARS) {
            Some((cut, _)) => {
                self.warn(
                    self.locator.cell(cell),
                    format!(
                        "an output of cell {} is longer than {MAX_OUTPUT_CHARS} characters: cut",
                        cell + 1
                    ),
                    "print less, or clear the output before publishing",
                );
                &text[..cut]
            }
            None => text,
        };
        let lines = text.lines().count();
        if lines <= FOLD_LINES {
            return format!("<pre class=\"{class}\">{}</pre>", ansi::to_html(text));
        }
        let split = text
            .match_indices('\n')
            .nth(FOLD_LINES - 1)
            .map_or(text.len(), |(i, _)| i);
        let (shown, rest) = (&text[..split], text[split..].trim_start_matches('\n'));
        let summary = if self.options.chinese {
            format!("其余 {} 行", lines - FOLD_LINES)
        } else {
            format!("{} more lines", lines - FOLD_LINES)
        };
        format!(
            "<pre class=\"{class}\">{}</pre><details class=\"nb-fold\"><summary>{summary}</summary><pre class=\"{class}\">{}</pre></details>",
            ansi::to_html(shown),
            ansi::to_html(rest)
        )
    }

    /// Appends Markdown as a block of its own.
    fn push_markdown(&mut self, text: &str) {
        self.out.body.push_str(text.trim_end_matches('\n'));
        self.out.body.push_str("\n\n");
    }

    /// Appends a sentinel for `html` as a block of its own.
    fn sentinel(&mut self, html: String) {
        let number = self.out.html.len();
        self.out.html.push(html);
        self.out
            .body
            .push_str(&format!("{HTML_SENTINEL}{number}-->\n\n"));
    }

    /// Notes that the next Markdown, `skip` lines on, is cell `index`'s source.
    fn map_source(&mut self, index: usize, skip: usize) {
        if let Some(file_line) = self.locator.source_line(index) {
            let body_line = self.out.body.matches('\n').count() + 1 + skip;
            self.out.line_map.push((body_line, file_line));
        }
    }

    fn warn(&mut self, position: Position, message: String, hint: &'static str) {
        self.out.warnings.push(Warning {
            position,
            message,
            hint,
        });
    }
}

/// Why an output image is left out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ImageProblem {
    #[error("the image is about {0} bytes, over the limit of {MAX_IMAGE_BYTES}")]
    TooLarge(usize),
    #[error("its base64 data is invalid ({0})")]
    Base64(String),
}

impl ImageProblem {
    fn hint(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => {
                "save the figure smaller (lower dpi) or as a file beside the notebook"
            }
            Self::Base64(_) => "run the cell again in Jupyter and save the notebook",
        }
    }
}

/// An image's bytes: base64 for PNG and JPEG, text for SVG.
fn decode_image(mime: &str, data: &str) -> Result<Vec<u8>, ImageProblem> {
    if mime == "image/svg+xml" {
        return match data.len() {
            n if n > MAX_IMAGE_BYTES => Err(ImageProblem::TooLarge(n)),
            _ => Ok(data.as_bytes().to_vec()),
        };
    }
    let estimate = data.len() / 4 * 3;
    if estimate > MAX_IMAGE_BYTES {
        return Err(ImageProblem::TooLarge(estimate));
    }
    // Jupyter breaks long base64 into lines.
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| ImageProblem::Base64(e.to_string()))
}

/// The longest run of backticks in `text`, so a fence can be longer.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `text` with a fence it leaves open closed, so that one cell cannot swallow
/// the cells after it (Jupyter renders each cell on its own).
fn close_fences(text: &str) -> String {
    let mut open: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        let first = marker.chars().next();
        let uniform = first.is_some_and(|f| marker.chars().all(|c| c == f));
        if marker.len() < 3 || !uniform {
            continue;
        }
        match &open {
            None => open = Some(marker),
            Some(fence)
                if marker.starts_with(fence.as_str())
                    && trimmed[marker.len()..].trim().is_empty() =>
            {
                open = None;
            }
            Some(_) => {}
        }
    }
    match open {
        Some(fence) => format!("{}\n{fence}\n", text.trim_end_matches('\n')),
        None => text.to_string(),
    }
}

/// Text as a terminal shows it: a line rewritten after `\r` (progress bars)
/// shows only its last version.
fn collapse_carriage_returns(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n")
        .split('\n')
        .map(|line| {
            line.rsplit('\r')
                .find(|part| !part.is_empty())
                .unwrap_or("")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes text for HTML. (`markdown::escape` is the same, but `content`
/// comes before `markdown` and may not use it.)
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
