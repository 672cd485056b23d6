//! Jupyter notebooks as articles: a whole site built with one, its page,
//! its output image beside it, and a broken notebook reported at its position.

mod common;

use base64::Engine;
use common::{Fixture, lines};
use serde_json::{Value, json};

/// A 2×2 RGB PNG, encoded here (stored deflate blocks, no compression), so
/// the test needs no image file.
fn tiny_png() -> Vec<u8> {
    let (width, height) = (2u32, 2u32);
    let mut raw = Vec::new();
    for row in 0..height {
        raw.push(0); // filter: none
        for col in 0..width {
            let on = (row + col) % 2 == 0;
            raw.extend_from_slice(if on { &[220, 60, 40] } else { &[30, 90, 200] });
        }
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01, 1];
    let len = u16::try_from(data.len()).unwrap();
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn notebook(cells: Value) -> String {
    let value = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "blogsmith": {"date": "2026-04-01", "tags": ["优化", "笔记本"]}
        },
        "nbformat": 4,
        "nbformat_minor": 5
    });
    serde_json::to_string_pretty(&value).unwrap()
}

fn demo_cells() -> Value {
    let png = base64::engine::general_purpose::STANDARD.encode(tiny_png());
    json!([
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# 梯度下降小实验\n", "\n",
            "每一步沿负梯度走：$x_{t+1} = x_t - \\eta \\nabla f(x_t)$。\n", "\n",
            "## 代码\n"
        ]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": [
            "x = 5.0\n", "for _ in range(3):\n", "    x -= 0.1 * 2 * x\n", "print(x)"
        ], "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["2.56\n"]},
            {"output_type": "display_data", "metadata": {},
             "data": {"image/png": png, "text/plain": ["<Figure size 2x2>"]}},
            {"output_type": "display_data", "metadata": {},
             "data": {"text/html": ["<table><tr><td>表格输出</td></tr></table>"], "text/plain": ["表格"]}}
        ]},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "source": ["1 / 0"], "outputs": [
            {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero",
             "traceback": ["\u{1b}[0;31mZeroDivisionError\u{1b}[0m: division <by> zero"]}
        ]}
    ])
}

fn site_with_notebook(unsafe_html: bool) -> Fixture {
    let site = Fixture::new();
    site.write(
        "blogsmith.yaml",
        &format!("title: 笔记\nmarkdown:\n  unsafe_html: {unsafe_html}\n"),
    );
    site.article("other.md", "title: 另一篇\ndate: 2026-03-01", "正文。\n");
    site.write("content/gd.ipynb", &notebook(demo_cells()));
    site
}

#[test]
fn a_notebook_is_an_article_with_its_outputs() {
    let site = site_with_notebook(true);
    site.build_ok();
    let page = site.read("posts/gd/index.html");
    assert!(
        page.contains("<title>梯度下降小实验"),
        "the first heading is the title"
    );
    assert!(page.contains("class=\"katex\""), "math is typeset");
    assert!(page.contains("id=\"代码\""), "headings get ids");
    assert!(page.contains("In [3]:") && page.contains("In [4]:"));
    assert!(page.contains("<pre class=\"nb-stream nb-stdout\">2.56</pre>"));
    assert!(
        page.contains("<img class=\"nb-image\" src=\"output-2-2.png\""),
        "{page}"
    );
    assert!(
        page.contains("<table><tr><td>表格输出</td></tr></table>"),
        "raw HTML kept"
    );
    assert!(
        page.contains(
            "<span class=\"ansi-red-fg\">ZeroDivisionError</span>: division &lt;by&gt; zero"
        ),
        "the traceback is escaped with its colours"
    );
    // Highlighted as Python: `for` is a keyword.
    assert!(
        page.contains("<code class=\"language-python\">x <span"),
        "highlighted by the kernel's language"
    );
    assert_eq!(
        std::fs::read(site.public().join("posts/gd/output-2-2.png")).unwrap(),
        tiny_png()
    );
    // Tags, lists and search treat it like any article.
    assert!(site.read("tags/优化/index.html").contains("梯度下降小实验"));
    assert!(site.read("search-index.json").contains("每一步沿负梯度走"));
    assert!(site.read("index.html").contains("梯度下降小实验"));
}

#[test]
fn html_outputs_are_text_without_unsafe_html() {
    let site = site_with_notebook(false);
    site.build_ok();
    let page = site.read("posts/gd/index.html");
    assert!(!page.contains("<td>表格输出</td>"), "no raw HTML");
    assert!(
        page.contains("<pre class=\"nb-text\">表格</pre>"),
        "text/plain preferred"
    );
    assert!(
        page.contains("output-2-2.png"),
        "generated markup is still HTML"
    );
}

#[test]
fn a_second_build_makes_the_same_image() {
    let site = site_with_notebook(true);
    site.build_ok();
    let first = site.output_tree();
    site.build_ok();
    let second = site.output_tree();
    assert_eq!(
        first.get("posts/gd/output-2-2.png"),
        second.get("posts/gd/output-2-2.png")
    );
    assert!(second.contains_key("posts/gd/output-2-2.png"));
}

#[test]
fn a_broken_notebook_is_a_located_error_and_the_rest_is_checked() {
    let site = site_with_notebook(true);
    site.write(
        "content/broken.ipynb",
        "{\n  \"cells\": [\n    {\"cell_type\": \"code\",,\n",
    );
    site.article(
        "warned.md",
        "title: 有警告\ndate: 2026-03-02",
        "```nosuchlanguage\nx\n```\n",
    );
    let failure = site.build().expect_err("a broken notebook fails the build");
    let all = lines(&failure.diagnostics);
    let errors: Vec<String> = failure.errors().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "{all}");
    assert!(
        errors[0].starts_with("content/broken.ipynb:3:26: error: not a valid notebook"),
        "{all}"
    );
    assert!(
        all.contains("content/warned.md"),
        "other articles are still rendered: {all}"
    );
    std::fs::remove_file(site.root().join("content/broken.ipynb")).unwrap();
    site.build_ok();
    assert!(site.has("posts/gd/output-2-2.png"));
}

#[test]
fn a_50_mb_notebook_with_a_20_mb_image_builds_without_the_image() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 大文件\n");
    let image = "QUFB".repeat(20 * 1024 * 1024 / 3);
    let text: Vec<String> = (0..700_000).map(|i| format!("第 {i} 行输出\n")).collect();
    let cells = json!([
        {"cell_type": "markdown", "metadata": {}, "source": "# 大笔记本\n\n正文。"},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x", "outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {"image/png": image}},
            {"output_type": "stream", "name": "stdout", "text": text}
        ]}
    ]);
    site.write("content/big.ipynb", &notebook(cells));
    let size = std::fs::metadata(site.root().join("content/big.ipynb"))
        .unwrap()
        .len();
    assert!(size > 45 * 1024 * 1024, "{size}");
    let report = site.build_ok();
    let all = lines(&report.warnings);
    assert!(all.contains("output-2-1.png: the image is about"), "{all}");
    assert!(all.contains("longer than"), "the stream is cut: {all}");
    assert!(!site.has("posts/big/output-2-1.png"));
    assert!(
        site.read("posts/big/index.html")
            .contains("<title>大笔记本")
    );
}
