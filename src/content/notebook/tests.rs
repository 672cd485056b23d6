use std::path::Path;

use base64::Engine;
use jiff::tz::TimeZone;
use serde_json::json;

use super::*;
use crate::content::Page;

const OPTIONS: Options = Options {
    raw_html: true,
    chinese: true,
};

fn notebook(metadata: Value, cells: Value) -> Vec<u8> {
    let value = json!({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5});
    // Jupyter writes indented JSON, sources as lists of lines, one per file line.
    serde_json::to_vec_pretty(&value).unwrap()
}

fn parse_bytes(bytes: &[u8], options: Options) -> Parsed {
    parse(
        bytes,
        Path::new("/nowhere/content"),
        Path::new("content"),
        Path::new("2026-01-11-nb.ipynb"),
        &TimeZone::UTC,
        options,
    )
}

fn page_of(bytes: &[u8]) -> (Page, Vec<Diagnostic>) {
    let parsed = parse_bytes(bytes, OPTIONS);
    (parsed.page.expect("a page"), parsed.diagnostics)
}

#[test]
fn sources_may_be_strings_or_lists_of_lines() {
    let bytes = notebook(
        json!({}),
        json!([
            {"cell_type": "markdown", "metadata": {}, "source": "# 标题\n\n一段"},
            {"cell_type": "markdown", "metadata": {}, "source": ["第二", "段\n", "第三行"]},
        ]),
    );
    let (page, diagnostics) = page_of(&bytes);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(page.title, "标题");
    assert!(
        page.body.contains("一段\n\n第二段\n第三行"),
        "{}",
        page.body
    );
    assert_eq!(
        page.date.to_string(),
        "2026-01-11T00:00:00Z",
        "from the file name"
    );
}

#[test]
fn front_matter_from_a_first_raw_cell() {
    let bytes = notebook(
        json!({"title": "元数据标题"}),
        json!([
            {"cell_type": "raw", "metadata": {}, "source": ["---\n", "title: 梯度下降\n", "tags: [优化]\n", "---\n"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["# 不是标题\n"]},
        ]),
    );
    let (page, _) = page_of(&bytes);
    assert_eq!(
        page.title, "梯度下降",
        "the raw cell wins over metadata.title"
    );
    assert_eq!(page.tags, ["优化"]);
    assert!(page.body.contains("# 不是标题"), "{}", page.body);
    assert!(!page.body.contains("title:"), "the raw cell is not shown");
}

#[test]
fn front_matter_from_metadata_and_its_blogsmith_object() {
    let bytes = notebook(
        json!({
            "title": "外层",
            "tags": ["a"],
            "blogsmith": {"title": "内层", "date": "2025-03-04", "categories": "笔记"},
            "kernelspec": {"language": "python", "name": "python3"}
        }),
        json!([{"cell_type": "markdown", "metadata": {}, "source": ["正文"]}]),
    );
    let (page, diagnostics) = page_of(&bytes);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(page.title, "内层");
    assert_eq!(page.tags, ["a"]);
    assert_eq!(page.categories, ["笔记"]);
    assert_eq!(page.date.to_string(), "2025-03-04T00:00:00Z");
}

#[test]
fn bad_front_matter_is_located_in_the_file() {
    let bytes = notebook(
        json!({}),
        json!([{"cell_type": "raw", "metadata": {}, "source": ["---\n", "title: a\n", "date: 不是日期\n", "---\n"]}]),
    );
    let parsed = parse_bytes(&bytes, OPTIONS);
    assert!(parsed.page.is_none());
    let d = &parsed.diagnostics[0];
    let text = String::from_utf8(bytes.clone()).unwrap();
    let line = text.lines().position(|l| l.contains("不是日期")).unwrap() + 1;
    assert_eq!(d.position.map(|p| p.line), Some(line), "{d}");
    let bytes = notebook(json!({"blogsmith": {"tags": {"x": 1}}}), json!([]));
    let d = &parse_bytes(&bytes, OPTIONS).diagnostics[0];
    let text = String::from_utf8(bytes).unwrap();
    let line = text.lines().position(|l| l.contains("\"tags\"")).unwrap() + 1;
    assert_eq!(d.position.map(|p| p.line), Some(line), "{d}");
}

#[test]
fn invalid_json_and_other_versions_are_located_errors() {
    let parsed = parse_bytes(b"{\n  \"cells\": [\n    {,\n", OPTIONS);
    assert!(parsed.page.is_none());
    let d = &parsed.diagnostics[0];
    assert!(d.is_error());
    assert_eq!(d.position, Some(Position::new(3, 6)), "{d}");
    assert!(
        d.to_string().starts_with("content/2026-01-11-nb.ipynb:3:6"),
        "{d}"
    );
    let v3 = br#"{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}"#;
    let d = &parse_bytes(v3, OPTIONS).diagnostics[0];
    assert!(d.message.contains("nbformat 3"), "{d}");
    let d = &parse_bytes(br#"{"cells": 5, "nbformat": 4}"#, OPTIONS).diagnostics[0];
    assert!(d.message.contains("not a valid notebook"), "{d}");
}

#[test]
fn code_cells_outputs_and_prompts() {
    let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG fake");
    let bytes = notebook(
        json!({"language_info": {"name": "python"}}),
        json!([{
            "cell_type": "code", "execution_count": 3, "metadata": {}, "source": ["print(1)\n", "x"],
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["1 < 2\n"]},
                {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                 "data": {"text/plain": ["'x'"], "image/png": png}},
                {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["\u{1b}[0;31mE\u{1b}[0m: v"]},
            ]
        }]),
    );
    let (page, diagnostics) = page_of(&bytes);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(
        page.body.contains("```python\nprint(1)\nx\n```"),
        "{}",
        page.body
    );
    let html = page.generated_html.join("");
    assert!(html.contains("In [3]:"), "{html}");
    assert!(html.contains("Out[3]:"), "{html}");
    assert!(
        html.contains("<pre class=\"nb-stream nb-stdout\">1 &lt; 2</pre>"),
        "{html}"
    );
    assert!(
        html.contains("src=\"output-1-2.png\" alt=\"'x'\""),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"ansi-red-fg\">E</span>: v"),
        "{html}"
    );
    let files = output_files(&bytes, OPTIONS);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "output-1-2.png");
    assert_eq!(files[0].bytes, b"\x89PNG fake");
    // The code starts on the line after the fence, which maps to the file line of `print(1)`.
    let text = String::from_utf8(bytes).unwrap();
    let line = text.lines().position(|l| l.contains("print(1)")).unwrap() + 1;
    let fence = page.body.lines().position(|l| l == "print(1)").unwrap() + 1;
    assert_eq!(
        file_position(&page.line_map, Position::new(fence, 1)).line,
        line
    );
}

#[test]
fn html_outputs_follow_unsafe_html_and_unknown_types_warn() {
    let bytes = notebook(
        json!({}),
        json!([{
            "cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["df"],
            "outputs": [
                {"output_type": "display_data", "metadata": {}, "data": {"text/html": ["<b>表</b>"]}},
                {"output_type": "display_data", "metadata": {}, "data": {"application/x-widget": {"a": 1}}},
            ]
        }]),
    );
    let (page, diagnostics) = page_of(&bytes);
    assert!(
        page.generated_html
            .join("")
            .contains("<div class=\"nb-html\"><b>表</b></div>")
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0].message.contains("application/x-widget"),
        "{}",
        diagnostics[0]
    );
    assert!(diagnostics[0].position.is_some_and(|p| p.line > 1));
    let safe = Options {
        raw_html: false,
        ..OPTIONS
    };
    let page = parse_bytes(&bytes, safe).page.unwrap();
    let html = page.generated_html.join("");
    assert!(
        html.contains("&lt;b&gt;表&lt;/b&gt;") && !html.contains("<b>"),
        "{html}"
    );
}

#[test]
fn long_outputs_fold_and_huge_images_are_left_out() {
    let long: String = (1..=50).map(|i| format!("line {i}\n")).collect();
    let huge = "A".repeat(MAX_IMAGE_BYTES / 3 * 4 + 8);
    let bytes = notebook(
        json!({}),
        json!([{
            "cell_type": "code", "execution_count": null, "metadata": {}, "source": "",
            "outputs": [
                {"output_type": "stream", "name": "stderr", "text": long},
                {"output_type": "display_data", "metadata": {}, "data": {"image/png": huge}},
            ]
        }]),
    );
    let (page, diagnostics) = page_of(&bytes);
    let html = page.generated_html.join("");
    assert!(html.contains("In [ ]:"), "{html}");
    assert!(
        html.contains("line 40</pre><details class=\"nb-fold\"><summary>其余 10 行</summary>"),
        "{html}"
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0].message.contains("over the limit"),
        "{}",
        diagnostics[0]
    );
    assert!(output_files(&bytes, OPTIONS).is_empty());
}

#[test]
fn an_open_fence_in_a_cell_does_not_swallow_the_next() {
    let bytes = notebook(
        json!({}),
        json!([
            {"cell_type": "markdown", "metadata": {}, "source": "```python\nx = 1"},
            {"cell_type": "markdown", "metadata": {}, "source": "## 下一节"},
        ]),
    );
    let (page, _) = page_of(&bytes);
    assert!(
        page.body.contains("x = 1\n```\n\n## 下一节"),
        "{}",
        page.body
    );
}

#[test]
fn carriage_returns_keep_the_last_version_of_a_line() {
    assert_eq!(convert_crlf("10%\r50%\r100%\ndone"), "100%\ndone");
}

fn convert_crlf(text: &str) -> String {
    let bytes = notebook(
        json!({}),
        json!([{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}]),
    );
    let page = page_of(&bytes).0;
    let html = page.generated_html.join("");
    let start = html.find("nb-stdout\">").unwrap() + "nb-stdout\">".len();
    html[start..html[start..].find("</pre>").unwrap() + start].to_string()
}
