//! Tests of `find_math`: a table of rules with examples, targeted cases
//! (ranges, pathological inputs) and property tests of the span invariants.

use super::*;
use proptest::prelude::*;

/// (tex, display, block)
type Expected = &'static [(&'static str, bool, bool)];

/// Rows of (rule, input, expected formulas).
const CASES: &[(&str, &str, Expected)] = &[
    // Delimiters.
    ("dollar", "$x$", &[("x", false, false)]),
    ("dollar in prose", "a $x$ b", &[("x", false, false)]),
    (
        "double dollar inline",
        "文字$$x$$文字",
        &[("x", true, false)],
    ),
    ("double dollar block", "$$\nx+y\n$$", &[("x+y", true, true)]),
    ("double dollar one line", "$$x$$", &[("x", true, true)]),
    (
        "double dollar, tex on opening line",
        "$$\\begin{aligned}\na&=b\n\\end{aligned}$$",
        &[("\\begin{aligned}\na&=b\n\\end{aligned}", true, true)],
    ),
    ("paren", "令\\(a^2\\)为", &[("a^2", false, false)]),
    ("bracket block", "\\[\na\n\\]", &[("a", true, true)]),
    ("bracket on one line", "\\[ a \\]", &[("a", true, true)]),
    (
        "bracket sharing lines with tex",
        "\\[a\nb\\]",
        &[("a\nb", true, true)],
    ),
    (
        "bracket in blockquote",
        "> \\[\n> a\n> \\]",
        &[("a", true, true)],
    ),
    (
        "bracket mid-line is escaped brackets",
        "文字\\[a\\]文字",
        &[],
    ),
    (
        "escaped brackets at line start",
        "\\[注\\]：见$x$",
        &[("x", false, false)],
    ),
    (
        "escaped brackets around dollars",
        "\\[注意$\\mathcal{D}$的区别\\]",
        &[("\\mathcal{D}", false, false)],
    ),
    ("escaped brackets over lines", "介于\\[-1,\n1\\]之间", &[]),
    (
        "escaped enumeration",
        "\\(1\\) 当$d>m$时",
        &[("d>m", false, false)],
    ),
    (
        "escaped roman enumeration",
        "\\(II\\) 若$y$",
        &[("y", false, false)],
    ),
    (
        "paren single letter",
        "\\(x\\) 与 \\(V\\)",
        &[("x", false, false), ("V", false, false)],
    ),
    (
        "paren containing dollar",
        "\\(a $b$ c\\)",
        &[("b", false, false)],
    ),
    (
        "paren at paragraph start",
        "\\(a+b\\)是和",
        &[("a+b", false, false)],
    ),
    (
        "equation",
        "\\begin{equation}\nE=mc^2\n\\end{equation}",
        &[("\\begin{equation}\nE=mc^2\n\\end{equation}", true, true)],
    ),
    (
        "align*",
        "\\begin{align*}a&=b\\end{align*}",
        &[("\\begin{align*}a&=b\\end{align*}", true, true)],
    ),
    (
        "CD",
        "\\begin{CD}\nA @>a>> B\n\\end{CD}",
        &[("\\begin{CD}\nA @>a>> B\n\\end{CD}", true, true)],
    ),
    (
        "nested same-name environments",
        "\\begin{gather}\n\\begin{gather}x\\end{gather}\n\\end{gather} 后",
        &[(
            "\\begin{gather}\n\\begin{gather}x\\end{gather}\n\\end{gather}",
            true,
            false,
        )],
    ),
    (
        "environment followed by text",
        "\\begin{equation}x\\end{equation}，其中",
        &[("\\begin{equation}x\\end{equation}", true, false)],
    ),
    (
        "environment not at line start",
        "文字\\begin{equation}x\\end{equation}",
        &[],
    ),
    (
        "unknown environment",
        "\\begin{document}x\\end{document}",
        &[],
    ),
    ("unclosed environment", "\\begin{align}\nx\n", &[]),
    (
        "environment inside dollars",
        "$$\\begin{aligned}a\\end{aligned}$$",
        &[("\\begin{aligned}a\\end{aligned}", true, true)],
    ),
    (
        "environment in blockquote",
        "> \\begin{align}\n> a\n> \\end{align}",
        &[("\\begin{align}\na\n\\end{align}", true, true)],
    ),
    (
        "environment in list",
        "1. \\begin{align}\n   a\n   \\end{align}",
        &[("\\begin{align}\na\n\\end{align}", true, true)],
    ),
    // $$ blocks holding Markdown look-alikes.
    (
        "block with markdown-like lines",
        "$$\na\n- b\n+ c\n> d\n# e\n1. f\n    g\n$$",
        &[("a\n- b\n+ c\n> d\n# e\n1. f\n    g", true, true)],
    ),
    (
        "block with - and + lines in prose",
        "前文\n$$\nx\n- y\n+ z\n$$\n后文",
        &[("x\n- y\n+ z", true, true)],
    ),
    (
        "block spanning a blank line",
        "$$\na\n\nb\n$$",
        &[("a\n\nb", true, true)],
    ),
    (
        "block with indented line after blank",
        "$$\na\n\n    b\n    c\n$$",
        &[("a\n\n    b\n    c", true, true)],
    ),
    (
        "inline double dollar across blank line",
        "文字$$a\n\nb$$",
        &[],
    ),
    (
        "inline-style double dollar across list line",
        "$$a\n- b$$",
        &[("a\n- b", true, true)],
    ),
    ("unclosed block at end of file", "文字\n\n$$\nx", &[]),
    ("lone double dollar", "$$", &[]),
    ("empty double dollar", "a $$ b", &[]),
    ("empty double dollar pair", "a $$$$ b", &[]),
    (
        "block flag needs closer at line end",
        "$$x$$，其中",
        &[("x", true, false)],
    ),
    (
        "block inside paragraph lines",
        "前文\n$$x$$\n后文",
        &[("x", true, true)],
    ),
    (
        "blocks in sequence",
        "$$\na\n$$\n\n$$\nb\n$$",
        &[("a", true, true), ("b", true, true)],
    ),
    // Code.
    ("code span", "`$x$`", &[]),
    ("double-backtick code span", "``a`$x$``", &[]),
    ("code span then math", "`$` 和 $y$", &[("y", false, false)]),
    (
        "math around code span",
        "$a$ `$b$` $c$",
        &[("a", false, false), ("c", false, false)],
    ),
    ("math not across code span", "$a `b` c$", &[]),
    ("fenced backticks", "```\n$x$\n```", &[]),
    ("fenced tildes", "~~~tex\n$$x$$\n~~~", &[]),
    ("fenced in blockquote", "> ```\n> $x$\n> ```", &[]),
    (
        "fenced in list",
        "1. 代码：\n\n   ```\n   $x$\n   ```\n",
        &[],
    ),
    ("indented code", "段落\n\n    $x$ and $$y$$\n", &[]),
    (
        "indented code after a block with list lines",
        "$$\n- a\n$$\n\n    $x$",
        &[("- a", true, true)],
    ),
    ("html comment", "<!-- $x$ -->", &[]),
    (
        "inline code element",
        "见<code>$x$</code>和$y$",
        &[("y", false, false)],
    ),
    // Escapes.
    (
        "escaped dollar outside",
        "\\$5 and $x$",
        &[("x", false, false)],
    ),
    ("escaped dollar inside", "$\\$5$", &[("\\$5", false, false)]),
    ("escaped dollars only", "\\$x\\$", &[]),
    (
        "escaped backslash before dollar",
        "\\\\$x$",
        &[("x", false, false)],
    ),
    ("escaped backslash before paren", "\\\\(x\\\\)", &[]),
    // Inline $ rules.
    ("spaces inside", "$ x $", &[("x", false, false)]),
    (
        "cjk around",
        "式中$x_i$和$y_i$",
        &[("x_i", false, false), ("y_i", false, false)],
    ),
    ("fullwidth parens", "（$x$）", &[("x", false, false)]),
    ("prices", "价格$5和$6元", &[]),
    (
        "prices in english",
        "I paid $5 and $6 for $x$.",
        &[("x", false, false)],
    ),
    ("suffix dollars", "costs 5$ each, or $ 10", &[]),
    ("closer before digit", "$x$5", &[]),
    ("no blank line inside", "$a\n\nb$", &[]),
    (
        "spans a soft line break",
        "$x\ny$",
        &[("x\ny", false, false)],
    ),
    ("unmatched dollar", "a $ b 和 $x$", &[("x", false, false)]),
    (
        "unmatched dollar at end",
        "$x$ and $",
        &[("x", false, false)],
    ),
    (
        "padding on one side",
        "$ x$ and $y $",
        &[("x", false, false), ("y", false, false)],
    ),
    (
        "padded before the closer",
        "样本 $x_i $ 是n维向量",
        &[("x_i", false, false)],
    ),
    (
        "padded after the opener",
        "评分大于$ 3$ 时",
        &[("3", false, false)],
    ),
    (
        "padded closer after a group",
        "$\\overline{D} $",
        &[("\\overline{D}", false, false)],
    ),
    (
        "one-sided padding in a sentence",
        "打分分别为$ 4 $分、$1$ 分、$-3 $分，这$ 3$ 位评分",
        &[
            ("4", false, false),
            ("1", false, false),
            ("-3", false, false),
            ("3", false, false),
        ],
    ),
    ("one-sided padding touching letters", "a$ x$ or $y $b", &[]),
    (
        "price then padded closer",
        "it is $5 and the tax is $ 0.5",
        &[],
    ),
    (
        "price then words then formula",
        "$5 for the $x$",
        &[("x", false, false)],
    ),
    ("shell prompts", "~$ git add .\n~$ git commit", &[]),
    ("shell variables", "echo $HOME and $PATH", &[]),
    (
        "chinese prose is not a formula",
        "价格 3$，而$x$是变量",
        &[("x", false, false)],
    ),
    (
        "prose re-pairs later dollars",
        "设$a$为3$分，这$b$",
        &[("a", false, false), ("b", false, false)],
    ),
    (
        "chinese in text is not prose",
        "$\\text{当}x，y$",
        &[("\\text{当}x，y", false, false)],
    ),
    (
        "fullwidth comma in math",
        "$x_1，x_2$",
        &[("x_1，x_2", false, false)],
    ),
    // Web whitespace.
    (
        "zero-width space before closer",
        "$\\theta\u{200b}$",
        &[("\\theta", false, false)],
    ),
    ("nbsp before closer", "$ x\u{a0}$", &[("x", false, false)]),
    (
        "unicode spaces become ascii",
        "$x\u{3000}+\u{2009}y\u{feff}$",
        &[("x + y", false, false)],
    ),
    ("only zero-width", "$\u{200b}$", &[]),
    ("padded touching letters", "a$ x $b", &[]),
    (
        "padded touching cjk",
        "式中 $ x $，和",
        &[("x", false, false)],
    ),
    ("empty after trim", "$ $", &[]),
    (
        "empty display block",
        "$$\n$$\n文字\n$$\nx\n$$",
        &[("", true, true), ("x", true, true)],
    ),
    (
        "empty display block with spaces",
        "> $$\n>  \u{200b}\n>\n> $$",
        &[("", true, true)],
    ),
    (
        "adjacent formulas",
        "$a$$b$",
        &[("a", false, false), ("b", false, false)],
    ),
    (
        "cjk prose",
        "损失函数$L(\\theta)=\\sum_i \\ell_i$，其中$\\ell_i$是……",
        &[
            ("L(\\theta)=\\sum_i \\ell_i", false, false),
            ("\\ell_i", false, false),
        ],
    ),
    ("paren across blank line", "\\(a\n\nb\\)", &[]),
    // Containers.
    (
        "blockquote block",
        "> $$\n> a\n> b\n> $$",
        &[("a\nb", true, true)],
    ),
    (
        "blockquote block with blank line",
        "> $$\n> a\n>\n> b\n> $$",
        &[("a\n\nb", true, true)],
    ),
    (
        "nested blockquote",
        "> > $$\n> > a\n> > $$",
        &[("a", true, true)],
    ),
    ("blockquote inline", "> 引用$x$", &[("x", false, false)]),
    (
        "blockquote inline over lines",
        "> 文字$x\n> +y$",
        &[("x\n+y", false, false)],
    ),
    (
        "blockquote keeps tex >",
        "> $$\n> > 0\n> $$",
        &[("> 0", true, true)],
    ),
    (
        "ordered list block",
        "1. 公式：\n   $$\n   a\n   b\n   $$",
        &[("a\nb", true, true)],
    ),
    (
        "list marker then block",
        "- $$\n  a\n  $$",
        &[("a", true, true)],
    ),
    (
        "bullet list inline",
        "- 列表$x$\n- 列表$y$",
        &[("x", false, false), ("y", false, false)],
    ),
    (
        "heading",
        "## 关于$\\alpha$的讨论",
        &[("\\alpha", false, false)],
    ),
    ("heading does not run on", "# 标题$a\n正文b$", &[]),
    (
        "table cell with pipe",
        "| $a|b$ | c |\n|---|---|\n| d | $e$ |",
        &[("a|b", false, false), ("e", false, false)],
    ),
    (
        "table cell with absolute value",
        "| a | b |\n|---|---|\n| L1 | $d(x, y) = |x - y|$ |",
        &[("d(x, y) = |x - y|", false, false)],
    ),
    (
        "table cell with norm",
        "| a | b |\n|---|---|\n| x | $\\|x\\|$ |",
        &[("\\|x\\|", false, false)],
    ),
    (
        "table cell with bars in parens",
        "| a | b |\n|---|---|\n| x | $\\Theta(|V|^2)$ |",
        &[("\\Theta(|V|^2)", false, false)],
    ),
    (
        "table cell with condition",
        "| a | b |\n|---|---|\n| 条件 | $p(x|y)$ |",
        &[("p(x|y)", false, false)],
    ),
    (
        "table row without outer bars",
        "a | b\n--|--\nx | $|y|$",
        &[("|y|", false, false)],
    ),
    (
        "table rows stay apart",
        "| $a | b |\n|---|---|\n| c $ | d |",
        &[],
    ),
    (
        "footnote",
        "正文[^1]\n\n[^1]: 见$x$",
        &[("x", false, false)],
    ),
    // \text.
    (
        "text with escaped dollar",
        "$\\text{价格 \\$5}$",
        &[("\\text{价格 \\$5}", false, false)],
    ),
    (
        "text then math",
        "$\\text{if } x$",
        &[("\\text{if } x", false, false)],
    ),
    (
        "nested math in text",
        "$\\text{a $b$ c}$",
        &[("\\text{a $b$ c}", false, false)],
    ),
    // URLs and HTML.
    ("bare url", "https://example.com/?a=$b$", &[]),
    (
        "bare url then math",
        "见https://a.com/$x$，以及$y$",
        &[("y", false, false)],
    ),
    (
        "url in parentheses",
        "(https://a.com)$x$",
        &[("x", false, false)],
    ),
    ("autolink", "<https://x.com/$y$>", &[]),
    ("link destination", "[link](https://x.com/$a$)", &[]),
    ("relative link destination", "[link](/$a$/ \"$t$\")", &[]),
    (
        "math in link text",
        "[见$x$](https://x.com/$a$)",
        &[("x", false, false)],
    ),
    ("reference definition", "[r]: /a/$b$", &[]),
    ("image alt text", "![图$x$](a.png)", &[("x", false, false)]),
    ("image destination", "![图](/$a$.png)", &[]),
    ("img attribute", "<img alt=\"$x$\">", &[]),
    ("a href", "<a href=\"/$x$\">链接</a>", &[]),
    ("span text", "<span>$x$</span>", &[("x", false, false)]),
    (
        "html block text",
        "<div class=\"$q$\">\n$y$\n</div>",
        &[("y", false, false)],
    ),
    (
        "html block one line",
        "<div>$x$</div>",
        &[("x", false, false)],
    ),
    ("html block pre", "<pre>\n$x$\n</pre>", &[]),
    ("math across a tag", "$a<b>c$", &[("a<b>c", false, false)]),
    // Line endings.
    (
        "crlf block",
        "$$\r\na\r\nb\r\n$$\r\n",
        &[("a\nb", true, true)],
    ),
    ("crlf inline", "$x\r\ny$", &[("x\ny", false, false)]),
    ("crlf blank line", "$a\r\n\r\nb$", &[]),
    (
        "crlf blockquote",
        "> $$\r\n> a\r\n> $$\r\n",
        &[("a", true, true)],
    ),
    ("cr line endings", "$$\ra\rb\r$$", &[("a\nb", true, true)]),
    (
        "crlf environment",
        "\\begin{align}\r\na\r\n\\end{align}\r\n",
        &[("\\begin{align}\na\n\\end{align}", true, true)],
    ),
];

fn render(spans: &[MathSpan]) -> Vec<(String, bool, bool)> {
    spans
        .iter()
        .map(|s| (s.tex.clone(), s.display, s.block))
        .collect()
}

#[test]
fn table() {
    let mut failures = Vec::new();
    for (rule, input, expected) in CASES {
        let got = render(&find_math(input));
        let want: Vec<_> = expected
            .iter()
            .map(|(t, d, b)| ((*t).to_owned(), *d, *b))
            .collect();
        if got != want {
            failures.push(format!(
                "{rule}: {input:?}\n   want {want:?}\n    got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(CASES.len() >= 60);
}

#[test]
fn a_line_of_ten_thousand_dollars_is_text() {
    let storm = format!("价格{}元\n\n后文$x$", "$".repeat(10_000));
    let spans = find_math(&storm);
    check_invariants(&storm, &spans);
    assert_eq!(render(&spans), [("x".to_owned(), false, false)]);
    let spaced = format!("{}\n\n后文$x$", "$ ".repeat(10_000));
    assert_eq!(
        render(&find_math(&spaced)).last().map(|f| f.0.as_str()),
        Some("x")
    );
}

#[test]
fn a_one_megabyte_formula_is_one_formula() {
    let body = "x_i+\\text{项，}".repeat(1 << 16);
    for source in [format!("设${body}$。"), format!("$$\n{body}\n$$\n")] {
        let spans = find_math(&source);
        assert!(source.len() > 1_000_000);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].tex, body);
    }
}

#[test]
fn ranges_include_delimiters() {
    let source = "文$a$字 $$b$$ \\(c\\)";
    let ranges: Vec<_> = find_math(source)
        .into_iter()
        .map(|s| &source[s.range])
        .collect();
    assert_eq!(ranges, ["$a$", "$$b$$", "\\(c\\)"]);
}

#[test]
fn inline_is_never_block() {
    let spans = find_math("$x$\n");
    assert_eq!(render(&spans), [("x".to_owned(), false, false)]);
}

#[test]
fn pathological_inputs_finish() {
    let inputs = [
        "$".repeat(200_000),
        "$ ".repeat(100_000),
        "$a".repeat(100_000),
        "\\(".repeat(100_000),
        "\\[\n".repeat(70_000),
        "$$\n".repeat(70_000),
        "$\\text{".repeat(30_000),
        format!("${}{}", "\\text{$}".repeat(20_000), "x".repeat(40_000)),
        "\\begin{equation}\n".repeat(12_000),
        "> ".repeat(100_000) + "$$",
        "`$".repeat(100_000),
        "<a href=\"$\">$".repeat(20_000),
        "https://a.com/$".repeat(15_000),
        "{".repeat(200_000),
        "中$\\".repeat(60_000),
        // One-sided padding, shell prompts and prose between dollars.
        "$x $".repeat(50_000),
        "$ x$ ".repeat(50_000),
        "~$ ".repeat(60_000),
        "分，$".repeat(60_000),
        "$\\text{分，".repeat(30_000),
        "\u{200b}$\u{a0}".repeat(50_000),
        "`$x$`".repeat(40_000),
    ];
    for input in inputs {
        let spans = find_math(&input);
        check_invariants(&input, &spans);
    }
}

fn delimiters_match(text: &str, display: bool) -> bool {
    if text.starts_with('`') {
        let inner = text.trim_matches('`');
        let ticks = text.len() - text.trim_start_matches('`').len();
        return text.len() - text.trim_end_matches('`').len() == ticks
            && delimiters_match(inner.trim_matches([' ', '\n']), display);
    }
    if let Some(rest) = text.strip_prefix("\\begin{") {
        let name = rest.split('}').next().unwrap_or("");
        return display && text.ends_with(&format!("\\end{{{name}}}"));
    }
    let pairs: &[(&str, &str, bool)] = &[
        ("$$", "$$", true),
        ("$", "$", false),
        ("\\(", "\\)", false),
        ("\\[", "\\]", true),
    ];
    pairs.iter().any(|(open, close, d)| {
        text.len() >= open.len() + close.len()
            && text.starts_with(open)
            && text.ends_with(close)
            && *d == display
    })
}

fn check_invariants(source: &str, spans: &[MathSpan]) {
    let mut rebuilt = String::new();
    let mut last = 0;
    for span in spans {
        let range = span.range.clone();
        assert!(last <= range.start && range.start < range.end && range.end <= source.len());
        assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
        let text = &source[range.clone()];
        assert!(
            delimiters_match(text, span.display),
            "bad delimiters {text:?}"
        );
        assert!(!span.tex.contains('\r'));
        assert!(!span.tex.is_empty() || (span.display && span.block));
        assert!(span.display || !span.block);
        rebuilt.push_str(&source[last..range.start]);
        rebuilt.push_str(text);
        last = range.end;
    }
    rebuilt.push_str(&source[last..]);
    assert_eq!(rebuilt, source);
}

fn markdownish() -> impl Strategy<Value = String> {
    let pieces = [
        "$",
        "$",
        "$",
        "$$",
        "\\",
        "\\",
        "`",
        "```",
        "\n",
        "\n",
        "\r\n",
        "|",
        ">",
        "> ",
        "-",
        "- ",
        " ",
        " ",
        "    ",
        "{",
        "}",
        "a",
        "x",
        "1",
        "中",
        "文",
        "（",
        "\\text{",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "\\begin{align}",
        "\\end{align}",
        "<b>",
        "<",
        "](",
        "[",
        "http://",
        "*",
        "_",
        "#",
        "~~~",
        "1. ",
        "é",
    ];
    prop::collection::vec(prop::sample::select(pieces.to_vec()), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spans_partition_the_source(source in markdownish()) {
        let spans = find_math(&source);
        check_invariants(&source, &spans);
    }

    #[test]
    fn code_span_math_keeps_the_invariants(source in markdownish()) {
        let spans = find_math_with(&source, ScanOptions { code_spans: true });
        check_invariants(&source, &spans);
    }

    #[test]
    fn crlf_is_a_line_ending(source in markdownish()) {
        let lf = source.replace("\r\n", "\n");
        let crlf = lf.replace('\n', "\r\n");
        prop_assert_eq!(render(&find_math(&lf)), render(&find_math(&crlf)));
    }

    #[test]
    fn fenced_code_is_never_math(body in markdownish(), fence in prop::sample::select(vec!["```", "~~~"])) {
        let body = body.replace('`', "'").replace('~', "-");
        let source = format!("{fence}\n{body}\n{fence}\n");
        prop_assert_eq!(find_math(&source), vec![]);
        let quoted = format!("> {fence}\n> {}\n> {fence}\n", body.replace('\n', "\n> "));
        prop_assert_eq!(find_math(&quoted), vec![]);
    }

    #[test]
    fn code_spans_are_never_math(body in markdownish()) {
        let body = body.replace('`', "'").replace(['\n', '\r'], " ");
        let source = format!("文字 `` {body} `` 文字");
        prop_assert_eq!(find_math(&source), vec![]);
    }

    #[test]
    fn never_panics_on_any_text(source in "\\PC*") {
        let spans = find_math(&source);
        check_invariants(&source, &spans);
    }
}

#[test]
fn code_spans_are_math_only_when_asked() {
    let source =
        "式`$x_i$`与`` $$\\sum_i a_i$$ ``，代码`$HOME`、`$ $`、`$$`和`a $b$`\n\n> `$a\n> +b$`";
    assert_eq!(find_math(source), vec![]);
    let on = find_math_with(source, ScanOptions { code_spans: true });
    assert_eq!(
        render(&on),
        [
            ("x_i".to_owned(), false, false),
            ("\\sum_i a_i".to_owned(), true, false),
            ("a\n+b".to_owned(), false, false),
        ]
    );
    let ranges: Vec<&str> = on.iter().map(|s| &source[s.range.clone()]).collect();
    assert_eq!(ranges[..2], ["`$x_i$`", "`` $$\\sum_i a_i$$ ``"]);
}

#[test]
fn code_spans_mix_with_other_formulas_in_order() {
    let source = "$a$ `$b$` $c$";
    let on = find_math_with(source, ScanOptions { code_spans: true });
    let tex: Vec<&str> = on.iter().map(|s| s.tex.as_str()).collect();
    assert_eq!(tex, ["a", "b", "c"]);
    check_invariants(source, &on);
}
