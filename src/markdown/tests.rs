use std::collections::BTreeMap;
use std::path::Path;

use super::*;

/// Options the tests change; the rest are the defaults.
#[derive(Clone, Copy)]
struct Options {
    raw_html: bool,
    markdown_escapes: bool,
    math_code_spans: bool,
    first_line: usize,
    number_by_section: bool,
}

const DEFAULTS: Options = Options {
    raw_html: true,
    markdown_escapes: false,
    math_code_spans: false,
    first_line: 4,
    number_by_section: false,
};

fn render_with(body: &str, options: Options) -> Rendered {
    let math = MathEngine::new(BTreeMap::new());
    let code_style = CodeStyle::new("InspiredGitHub", "base16-ocean.dark").unwrap();
    MarkdownRenderer {
        math: &math,
        code_style: &code_style,
        summary_length: 350,
        line_numbers: false,
        raw_html: options.raw_html,
        markdown_escapes: options.markdown_escapes,
        language: crate::markdown::labels::Language::Chinese,
        math_code_spans: options.math_code_spans,
        number_by_section: options.number_by_section,
    }
    .render(Source {
        body,
        path: Path::new("content/t.md"),
        first_line: options.first_line,
    })
}

fn render(body: &str) -> Rendered {
    render_with(body, DEFAULTS)
}

#[test]
fn headings_keep_chinese_ids_unique_and_fill_the_toc() {
    let r = render("## 注意力机制\n\n## 注意力机制\n\n### 为什么需要 $QK^T$\n");
    assert!(
        r.html.contains(r#"<h2 id="注意力机制">注意力机制</h2>"#),
        "{}",
        r.html
    );
    assert!(r.html.contains(r#"<h2 id="注意力机制-1">"#), "{}", r.html);
    assert_eq!(r.toc.len(), 3);
    assert_eq!(r.toc[2].level, 3);
    assert_eq!(r.toc[2].id, "为什么需要-qkt");
    assert!(
        r.toc[2].title.contains("katex"),
        "math in TOC titles is rendered: {}",
        r.toc[2].title
    );
}

#[test]
fn explicit_heading_ids_are_kept() {
    let r = render("## 标题 {#custom}\n\n## custom\n");
    assert!(
        r.html.contains(r#"<h2 id="custom">标题</h2>"#),
        "{}",
        r.html
    );
    assert!(r.html.contains(r#"<h2 id="custom-1">"#), "{}", r.html);
}

#[test]
fn math_is_typeset_and_markdown_does_not_touch_it() {
    let r = render(
        "设$a_1 * b_2 * c$为标量。\n\n$$\n\\begin{aligned}\na &= b \\\\\n- c &= d\n\\end{aligned}\n$$\n",
    );
    assert_eq!(r.formulas, 2);
    assert!(
        r.html
            .contains(r#"<span class="math inline"><span class="katex">"#),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains(r#"<div class="math display"><span class="katex-display">"#),
        "{}",
        r.html
    );
    assert!(
        !r.html.contains("<em>"),
        "emphasis must not be parsed inside math: {}",
        r.html
    );
    assert!(
        !r.html.contains("<ul>"),
        "a line starting with - inside $$ is not a list: {}",
        r.html
    );
}

#[test]
fn math_errors_are_warnings_at_the_file_position() {
    let r = render("第一行\n\n公式 $\\frac{1}{$ 有错\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert_eq!(
        d.position,
        Some(Position::new(6, 4)),
        "body starts at file line 4: {d}"
    );
    assert!(d.message.starts_with("KaTeX parse error"), "{d}");
    assert!(r.html.contains("katex-error"), "{}", r.html);
}

#[test]
fn code_is_highlighted_and_never_scanned_for_math() {
    let r = render("```python\nprice = '$5 and $6'\n```\n\n`$x$` 不是公式\n");
    assert_eq!(r.formulas, 0);
    assert_eq!(r.code_blocks, 1);
    assert!(
        r.html
            .contains(r#"<pre class="code" data-lang="python"><code class="language-python">"#),
        "{}",
        r.html
    );
    assert!(r.html.contains("<span class=\"l"), "{}", r.html);
    assert!(r.html.contains("<code>$x$</code>"), "{}", r.html);
}

#[test]
fn unknown_languages_warn_at_the_fence() {
    let r = render("正文\n\n```klingon\nqapla'\n```\n");
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].position, Some(Position::new(6, 1)));
    assert!(
        r.html.contains("qapla&#39;") || r.html.contains("qapla'"),
        "{}",
        r.html
    );
    let r = render("```pyhton\nx = 1\n```\n");
    let hint = r.diagnostics[0].hint.as_deref().unwrap_or_default();
    assert!(hint.contains("did you mean `python`?"), "{hint}");
}

#[test]
fn soft_breaks_between_cjk_vanish_but_not_between_words() {
    let r = render("中文断行\n继续写。English\nwords here\n");
    assert!(
        r.html.contains("中文断行继续写。English\nwords"),
        "{}",
        r.html
    );
    let r = render("**加粗**\n文字\n");
    assert!(r.html.contains("</strong>文字"), "{}", r.html);
}

#[test]
fn more_marker_splits_the_excerpt() {
    let r = render("开头一段。\n\n<!-- more -->\n\n后面的内容。\n");
    let before = r.before_more.as_deref().unwrap();
    assert!(
        before.contains("开头一段") && !before.contains("后面"),
        "{before}"
    );
    assert!(
        r.html.contains("<span id=\"more\"></span>") && r.html.contains("后面"),
        "{}",
        r.html
    );
}

#[test]
fn auto_excerpt_keeps_inline_math_and_skips_code() {
    let r = render("# 标题\n\n设$x$为输入。\n\n```python\nprint(1)\n```\n\n结束。\n");
    assert!(
        r.auto_excerpt
            .starts_with("<p>标题 设<span class=\"math inline\">"),
        "{}",
        r.auto_excerpt
    );
    assert!(!r.auto_excerpt.contains("print"), "{}", r.auto_excerpt);
    assert!(
        r.auto_excerpt.ends_with("为输入。结束。</p>"),
        "{}",
        r.auto_excerpt
    );
}

#[test]
fn local_links_are_collected() {
    let r = render("![图](fig.png) [外链](https://x.com) [锚](#a) [文](../b/c.pdf)\n");
    let links: Vec<(&str, usize, usize)> = r
        .local_links
        .iter()
        .map(|l| (l.url.as_str(), l.position.line, l.position.column))
        .collect();
    // The body starts at file line 4; `#a` is a same-page anchor link, kept for checking.
    assert_eq!(
        links,
        [("fig.png", 4, 1), ("#a", 4, 35), ("../b/c.pdf", 4, 43)]
    );
}

#[test]
fn cjk_friendly_emphasis() {
    for (markdown, strong) in [
        ("这是**加粗：**后面", "<strong>加粗：</strong>后面"),
        ("**“引号”**是重点", "<strong>“引号”</strong>是重点"),
        ("a **粗体。**b", "<strong>粗体。</strong>b"),
        (
            "**注意：**$x$很小",
            "<strong>注意：</strong><span class=\"math inline\">",
        ),
    ] {
        let r = render(markdown);
        assert!(r.html.contains(strong), "{markdown}: {}", r.html);
    }
}

#[test]
fn math_in_containers() {
    let r = render(
        "| 公式 | 说明 |\n| --- | --- |\n| $\\lvert x|y \\rvert$ | 竖线 |\n\n正文[^1]。\n\n[^1]: 脚注里的$\\alpha$。\n\n> 引用：\n> $$\n> a = b\n> $$\n\n- 列表\n\n  $$\n  - c\n  $$\n\n## 关于$\\beta$的讨论\n",
    );
    assert_eq!(r.formulas, 5, "{}", r.html);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let row = r
        .html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert_eq!(
        row.matches("<td").count(),
        2,
        "`|` inside math does not split the cell: {row}"
    );
    let footnote = r
        .html
        .split("<section class=\"footnotes\">")
        .nth(1)
        .unwrap();
    assert!(footnote.contains("katex"), "{footnote}");
    let quote = r
        .html
        .split("<blockquote>")
        .nth(1)
        .unwrap()
        .split("</blockquote>")
        .next()
        .unwrap();
    assert!(
        quote.contains("katex-display") && !quote.contains("&gt;"),
        "{quote}"
    );
    assert!(
        r.html
            .contains(r#"<h2 id="关于beta的讨论">关于<span class="math inline">"#),
        "{}",
        r.html
    );
}

#[test]
fn math_in_image_alt_text_becomes_its_tex() {
    let r = render("![图中$x<1$的区域](fig.png)\n");
    assert!(r.html.contains(r#"alt="图中x&lt;1的区域""#), "{}", r.html);
}

#[test]
fn plain_text_keeps_prose_and_inline_code_but_not_code_blocks_or_display_math() {
    let r = render(
        "## 注意力\n\n设$QK^T$为分数，用 `softmax` 归一化。\n\n\
         ```python\nsecret_code = 1\n```\n\n$$\n\\frac{a}{b}\n$$\n\n\
         ![图里的字](fig.png)\n\n| 表头 | 值 |\n| --- | --- |\n| 甲 | 1 |\n\n\
         脚注[^1]。\n\n[^1]: 脚注正文\n",
    );
    assert_eq!(
        &*r.plain_text,
        "注意力 设QK^T为分数，用 softmax 归一化。 表头 值 甲 1 脚注。"
    );
}

#[test]
fn external_links_are_recorded_where_written() {
    let body = "公式 $a_b$ 之后 [论文](https://arxiv.org/abs/1706.03762#sec) 和 <http://example.com/x>\n\
                \n\
                ![图](HTTPS://img.example.com/a.png) [本站](/posts/x/) [文件](fig.png) [邮件](mailto:a@b.c)\n\
                \n\
                ## 见 [维基](//zh.wikipedia.org/wiki/注意力)\n\
                \n\
                <div>\n\
                <a href=\"https://a.example.org/?q=1&amp;r=2\" data-src=\"https://not.a.link/\">x</a>\n\
                <img src='http://b.example.org/i.png'>\n\
                </div>\n\
                \n\
                ```\n\
                [代码里](https://in.code.block/)\n\
                ```\n";
    let r = render(body);
    let found: Vec<(String, usize, usize)> = r
        .external_links
        .iter()
        .map(|l| (l.url.clone(), l.position.line, l.position.column))
        .collect();
    assert_eq!(
        found,
        vec![
            ("https://arxiv.org/abs/1706.03762#sec".to_string(), 4, 13),
            ("http://example.com/x".to_string(), 4, 58),
            ("HTTPS://img.example.com/a.png".to_string(), 6, 1),
            ("//zh.wikipedia.org/wiki/注意力".to_string(), 8, 6),
            ("https://a.example.org/?q=1&r=2".to_string(), 11, 10),
            ("http://b.example.org/i.png".to_string(), 12, 11),
        ]
    );
    assert!(r.root_links.iter().any(|l| l.url == "/posts/x/"));
}

#[test]
fn raw_html_shown_as_text_has_no_links() {
    let options = Options {
        raw_html: false,
        first_line: 1,
        ..DEFAULTS
    };
    let r = render_with("<a href=\"https://example.com/\">x</a>\n", options);
    assert!(r.external_links.is_empty(), "{:?}", r.external_links);
}

fn render_with_escapes(body: &str, markdown_escapes: bool) -> Rendered {
    let options = Options {
        markdown_escapes,
        first_line: 1,
        ..DEFAULTS
    };
    render_with(body, options)
}

#[test]
fn an_article_defines_its_own_macros() {
    let r = render(
        "$\\newcommand{\\R}{\\mathbb{R}}\\DeclareMathOperator*{\\argmax}{arg\\,max}$\n\n\
         设 $x \\in \\R^n$，求 $\\argmax_w f(w)$。\n\n\
         $$\n\\def\\norm#1{\\left\\|#1\\right\\|}\n$$\n\n范数 $\\norm{w}$。\n",
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        r.html.matches("mord mathbb").count(),
        1,
        "\\R expanded: {}",
        r.html
    );
    assert!(
        !r.html.contains("<p></p>"),
        "definitions show nothing: {}",
        r.html
    );
    assert!(
        !r.html.contains("math display\"></div>"),
        "nor an empty block: {}",
        r.html
    );
    assert!(r.html.trim_start().starts_with("<p>设"), "{}", r.html);
    assert!(r.html.contains("∥"), "\\norm expanded: {}", r.html);
    assert!(!r.html.contains("katex-error"), "{}", r.html);
}

#[test]
fn a_runaway_macro_is_a_located_warning() {
    let r = render("定义\n\n$\\def\\x{{\\x}}$ 用 $\\x$\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert_eq!(d.position, Some(Position::new(6, 18)), "{d}");
    assert!(d.message.contains("expands without end"), "{d}");
}

#[test]
fn mathjax_only_tex_renders() {
    for tex in [
        r"\begin{eqnarray} a &=& b \nonumber \\ c &=& d \end{eqnarray}",
        r"\begin{eqnarray*} a &=& b \end{eqnarray*}",
        r"x \mbox{ 若 } y",
        r"\hat\boldsymbol w^\top x",
        r"\bm{\theta}",
        r"E = mc^2 \label{eq:energy}",
        r"\require{cancel} \cancel{x}",
    ] {
        let r = render(&format!("$$\n{tex}\n$$\n"));
        assert!(r.diagnostics.is_empty(), "{tex}: {:?}", r.diagnostics);
        assert!(!r.html.contains("katex-error"), "{tex}: {}", r.html);
    }
}

#[test]
fn markdown_escapes_from_hexo_are_read_as_meant_when_asked() {
    let body = "下标 $a\\_i + b\\_{j}$ 与 $\\\\{ x \\\\}$。\n\n$$\n\\begin{align\\*}\na &= b \\\\\\\\\nc &= d\n\\end{align\\*}\n$$\n";
    let off = render_with_escapes(body, false);
    assert!(off.html.contains("_"), "as written, `\\_` is an underscore");
    let on = render_with_escapes(body, true);
    assert!(on.diagnostics.is_empty(), "{:?}", on.diagnostics);
    assert!(!on.html.contains("katex-error"), "{}", on.html);
    assert!(on.html.contains("msupsub"), "subscripts: {}", on.html);
    assert!(
        !on.html.contains(">_<"),
        "no literal underscore: {}",
        on.html
    );
}

#[test]
fn footnotes_are_gathered_at_the_end_and_left_out_of_the_excerpt() {
    let r = render("正文引用[^证明]。\n\n[^证明]: 见 $x^2$ 的推导。\n\n<!-- more -->\n\n后文。\n");
    let section = r.html.find("<section class=\"footnotes\">").unwrap();
    assert!(r.html.find("后文").unwrap() < section, "{}", r.html);
    assert!(
        r.html[section..].contains("class=\"katex\""),
        "math in a note"
    );
    assert!(
        r.html
            .contains(r##"<a href="#fn-证明" id="fnref-证明">1</a>"##),
        "{}",
        r.html
    );
    let before_more = r.before_more.as_deref().unwrap();
    assert!(!before_more.contains("推导"), "{before_more}");
    assert!(!r.plain_text.contains("推导"), "notes are not search text");
}

#[test]
fn containers_and_theorems_render_their_markdown() {
    let r = render(
        "::: tip 小技巧\n缩放因子是 $\\sqrt{d_k}$。\n:::\n\n\
         ::: theorem 柯西不等式\n$$\n(a \\cdot b)^2 \\le |a|^2 |b|^2\n$$\n:::\n\n\
         ::: proof\n显然。\n:::\n\n\
         ```{note} MyST 的写法\n**加粗**\n```\n\n\
         ::: definition\n定义。\n:::\n\n::: theorem\n再一个。\n:::\n\n见[定理 2](#theorem-2)。\n",
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let html = &r.html;
    assert!(
        html.contains("<div class=\"callout callout-tip\"><p class=\"callout-title\">小技巧</p>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>定理 1</strong>（柯西不等式）"),
        "{html}"
    );
    assert!(html.contains("<strong>定义 1</strong>"), "{html}");
    assert!(html.contains("id=\"theorem-2\""), "{html}");
    assert!(html.contains("<p class=\"qed\">∎</p></div>"), "{html}");
    assert!(
        html.contains("<p class=\"callout-title\">MyST 的写法</p>"),
        "{html}"
    );
    assert!(html.contains("<strong>加粗</strong>"), "{html}");
    assert_eq!(r.formulas, 2, "math inside containers");
    assert!(!html.contains(":::") && !html.contains("```"), "{html}");
}

#[test]
fn a_container_never_closed_is_an_error_where_it_opens() {
    let r = render("正文\n\n::: theorem 未闭合\n内容\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert!(d.is_error(), "{d}");
    assert_eq!(d.position, Some(Position::new(6, 1)), "{d}");
    assert!(d.message.contains("never closed"), "{d}");
}

#[test]
fn github_alerts_and_obsidian_callouts() {
    let r = render(
        "> [!IMPORTANT]\n> 学习率要调。\n\n> [!example]- 展开看例子\n> $x^2$\n\n> [!tip] 中文标题\n> 中文内容\n",
    );
    assert!(
        r.html
            .contains("<p class=\"callout-title\">中文标题</p>\n<p>中文内容</p>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<p class=\"callout-title\">重要</p>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<summary class=\"callout-title\">展开看例子</summary>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("class=\"katex\""), "{}", r.html);
    assert!(!r.plain_text.contains("[!"), "{}", r.plain_text);
}

#[test]
fn equations_are_numbered_and_referenced() {
    let r = render(
        "如式 \\eqref{eq:loss} 所示，$\\eqref{eq:grad}$ 是梯度。\n\n\
         $$\n\\begin{equation}\nL = \\frac{1}{2}(y - \\hat y)^2 \\label{eq:loss}\n\\end{equation}\n$$\n\n\
         $$\n\\begin{align}\n\\nabla L &= -(y - \\hat y) \\label{eq:grad} \\\\\nw &\\leftarrow w - \\eta \\nabla L \\notag\n\\end{align}\n$$\n\n\
         由 $(\\ref{eq:loss})$ 得。\n\n见 \\eqref{eq:none}。\n",
    );
    let html = &r.html;
    assert!(
        html.contains(r##"如式 <a class="eqref" href="#eq:loss">(1)</a> 所示"##),
        "{html}"
    );
    assert!(
        html.contains(r##"<a class="eqref" href="#eq:grad">(2)</a>"##),
        "{html}"
    );
    assert!(
        html.contains(r#"<div class="math display" id="eq:loss">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div class="math display" id="eq:grad">"#),
        "{html}"
    );
    assert!(html.contains("katex-tag"), "{html}");
    assert!(!html.contains("katex-error"), "{html}");
    // A label the article does not define is the site stage's to find.
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let pending = r.local_links.last().expect("the reference is recorded");
    assert_eq!(pending.url, "\\eqref{eq:none}");
    assert_eq!(pending.position, Position::new(21, 3));
    assert!(
        html.contains(r#"<a class="eqref" href="blogsmith:link:0"></a>"#),
        "{html}"
    );
    assert!(r.html_anchors.contains(&"eq:loss".to_string()));
    let names: Vec<(&str, &str, &str)> = r
        .labels
        .iter()
        .map(|l| (l.name.as_str(), l.number.as_str(), l.text.as_str()))
        .collect();
    assert_eq!(names, [("eq:loss", "1", "(1)"), ("eq:grad", "2", "(2)")]);
}

#[test]
fn bars_inside_math_never_split_table_cells() {
    let rows = [
        "| L1 | $d(x, y) = |x - y|$ |",
        "| 范数 | $\\|x\\|$ |",
        "| 复杂度 | $\\Theta(|V|^2)$ |",
        "| 条件 | $p(x|y)$ |",
        "x | $|y|$",
    ];
    for row in rows {
        let r = render(&format!("| 名称 | 公式 |\n|---|---|\n{row}\n"));
        let body = r.html.split("<tbody>").nth(1).unwrap_or_default();
        assert_eq!(body.matches("<td").count(), 2, "{row}: {}", r.html);
        assert!(body.contains("class=\"katex\""), "{row}: {}", r.html);
        assert!(r.diagnostics.is_empty(), "{row}: {:?}", r.diagnostics);
    }
}

#[test]
fn a_row_shorter_than_its_header_is_reported_at_its_line() {
    let r = render("| a | b | c |\n|---|---|---|\n| $x$ | y | z |\n| d | e |\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert_eq!(d.position, Some(Position::new(7, 1)), "first_line is 4");
    assert!(
        d.message.contains("2 of the header's 3 cells"),
        "{}",
        d.message
    );
}

#[test]
fn an_empty_display_block_shows_nothing_and_is_reported() {
    let r = render("前文\n\n$$\n$$\n\n后文$$\nx\n$$\n");
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert!(d.message.contains("empty display formula"), "{}", d.message);
    assert_eq!(d.position, Some(Position::new(6, 1)), "first_line is 4");
    assert!(!r.html.contains("<p></p>"), "{}", r.html);
    assert!(!r.html.contains("$$"), "{}", r.html);
    assert_eq!(r.formulas, 1);
}

#[test]
fn web_whitespace_inside_formulas_reaches_katex_as_spaces() {
    let r = render("设$\\theta\u{200b}$与$ x\u{a0}$，以及$a\u{3000}+\u{2009}b\u{feff}$。\n");
    assert_eq!(r.formulas, 3, "{}", r.html);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(!r.html.contains('$'), "{}", r.html);
}

#[test]
fn code_spans_holding_math_follow_the_math_code_spans_option() {
    let body = "设`$x_i$`为样本，`$$\\sum_i x_i$$`为和，`$HOME`是变量。\n";
    let with_code_spans = |math_code_spans| {
        let options = Options {
            math_code_spans,
            first_line: 1,
            ..DEFAULTS
        };
        render_with(body, options)
    };
    let off = with_code_spans(false);
    assert_eq!(off.formulas, 0);
    assert!(off.html.contains("<code>$x_i$</code>"), "{}", off.html);
    let on = with_code_spans(true);
    assert_eq!(on.formulas, 2, "{}", on.html);
    assert!(!on.html.contains("<code>$x_i$</code>"), "{}", on.html);
    assert!(
        on.html.contains("<span class=\"math display\">"),
        "{}",
        on.html
    );
    assert!(on.html.contains("<code>$HOME</code>"), "{}", on.html);
}

#[test]
fn theorems_and_figures_with_ids_are_labels_referred_to_by_the_site_stage() {
    let r = render(
        "::: theorem Softmax 平移不变 {#thm:shift}\n内容。\n:::\n\n\
         ![结构](arch.png){#fig:arch}\n\n\
         由 \\ref{thm:shift} 与 \\eqref{fig:arch}，$\\ref{thm:shift}$。\n",
    );
    let labels: Vec<(&str, &str, &str, usize)> = r
        .labels
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.number.as_str(),
                l.text.as_str(),
                l.position.line,
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("thm:shift", "1", "定理 1", 4),
            ("fig:arch", "1", "图 1", 8)
        ]
    );
    let pending: Vec<&str> = r
        .local_links
        .iter()
        .map(|l| l.url.as_str())
        .filter(|u| u.starts_with('\\'))
        .collect();
    assert_eq!(
        pending,
        ["\\ref{thm:shift}", "\\ref{thm:shift}", "\\eqref{fig:arch}"],
        "the formula's reference first: formulas are rendered before the text"
    );
    assert_eq!(
        r.html
            .matches("<a class=\"eqref\" href=\"blogsmith:link:")
            .count(),
        3,
        "{}",
        r.html
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn odd_labels_are_escaped_and_never_panic() {
    let r = render(
        "$$\nx \\label{}\n$$\n\n$$\ny \\label{a \"b\" <c>&}\n$$\n\n$$\nz \\label{eq:d}\n$$\n\n$$\nw \\label{eq:d}\n$$\n\n\
         见 $\\eqref{a \"b\" <c>&}$、\\ref{}、\\eqref{eq:d}、\\ref{ 未闭合\n",
    );
    assert!(
        r.html.contains("id=\"a &quot;b&quot; &lt;c&gt;&amp;\""),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("href=\"#a &quot;b&quot; &lt;c&gt;&amp;\">(2)</a>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("</span>\\ref{}、"),
        "an empty label names nothing: {}",
        r.html
    );
    assert!(!r.html.contains("id=\"\""), "{}", r.html);
    assert!(
        r.html.contains("href=\"#eq:d\">(3)</a>"),
        "the first definition wins: {}",
        r.html
    );
    let names: Vec<&str> = r.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        ["a \"b\" <c>&", "eq:d", "eq:d"],
        "both, for the site to report"
    );
}

#[test]
fn equations_numbered_by_section_restart_in_each_top_level_section() {
    let r = render_with(
        "$$\nx \\label{eq:intro}\n$$\n\n## 一\n\n$$\na \\label{eq:a}\n$$\n\n### 小节\n\n$$\nb \\label{eq:b}\n$$\n\n\
         ## 二\n\n```\n## 代码里的不是标题\n```\n\n$$\nc \\label{eq:c}\n$$\n\n见 \\eqref{eq:c}。\n",
        Options {
            number_by_section: true,
            ..DEFAULTS
        },
    );
    let numbers: Vec<(&str, &str)> = r
        .labels
        .iter()
        .map(|l| (l.name.as_str(), l.number.as_str()))
        .collect();
    assert_eq!(
        numbers,
        [
            ("eq:intro", "0.1"),
            ("eq:a", "1.1"),
            ("eq:b", "1.2"),
            ("eq:c", "2.1")
        ]
    );
    assert!(r.html.contains("href=\"#eq:c\">(2.1)</a>"), "{}", r.html);
    assert!(
        r.html.contains("\\tag{2.1}"),
        "the number KaTeX shows: {}",
        r.html
    );
    let by_article =
        render("# 标题\n\n$$\na \\label{eq:a}\n$$\n\n## 一\n\n$$\nb \\label{eq:b}\n$$\n");
    let numbers: Vec<&str> = by_article
        .labels
        .iter()
        .map(|l| l.number.as_str())
        .collect();
    assert_eq!(numbers, ["1", "2"]);
    let top_level_one = render_with(
        "# 一\n\n## 小\n\n$$\na \\label{eq:a}\n$$\n\n# 二\n\n$$\nb \\label{eq:b}\n$$\n",
        Options {
            number_by_section: true,
            ..DEFAULTS
        },
    );
    let numbers: Vec<&str> = top_level_one
        .labels
        .iter()
        .map(|l| l.number.as_str())
        .collect();
    assert_eq!(
        numbers,
        ["1.1", "2.1"],
        "`#` sections when the article has them"
    );
}

#[test]
fn theorems_and_figures_numbered_by_section_too() {
    let r = render_with(
        "::: lemma {#lem:0}\n前言里的。\n:::\n\n## 一\n\n::: theorem {#thm:a}\n甲。\n:::\n\n\
         ![图甲](a.png){#fig:a}\n\n::: theorem {#thm:b}\n乙。\n:::\n\n## 二\n\n\
         ::: theorem\n丙。\n:::\n\n![图乙](b.png){#fig:b}\n",
        Options {
            number_by_section: true,
            ..DEFAULTS
        },
    );
    let labels: Vec<(&str, &str)> = r
        .labels
        .iter()
        .map(|l| (l.name.as_str(), l.text.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("lem:0", "引理 0.1"),
            ("thm:a", "定理 1.1"),
            ("fig:a", "图 1.1"),
            ("thm:b", "定理 1.2"),
            ("fig:b", "图 2.1")
        ]
    );
    assert!(r.html.contains("<strong>定理 2.1</strong>"), "{}", r.html);
    assert!(r.html.contains("id=\"theorem-2.1\""), "{}", r.html);
    assert!(r.html.contains("图 2.1</span>"), "{}", r.html);
}
