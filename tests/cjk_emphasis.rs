//! CJK-friendly emphasis (vendor/pulldown-cmark, see its PATCHES.md):
//! Chinese bold like `这是**加粗：**后面` works, and the CommonMark spec's own
//! emphasis examples render exactly as before. Spec data: tests/data (CC-BY-SA 4.0).

#![allow(dead_code)]

use pulldown_cmark::{Options, Parser, html};

/// blogsmith's parser options (tables, footnotes, strikethrough, task lists,
/// heading attributes), without the CJK flag.
fn blogsmith_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The options pulldown-cmark's own test-suite runs the CommonMark spec with.
fn pulldown_suite_options() -> Options {
    Options::ENABLE_MATH
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Render with the patched crate.
fn render(md: &str, opts: Options) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, opts));
    out
}

/// Render with the patched crate and the CJK-friendly flag on top of `opts`.
fn render_cjk(md: &str, opts: Options) -> String {
    render(md, opts | Options::ENABLE_CJK_FRIENDLY_EMPHASIS)
}

/// What upstream pulldown-cmark 0.13.6 renders: the patched crate with the flag
/// off, which `vendor/pulldown-cmark`'s own test suite shows to be identical.
fn render_upstream(md: &str, opts: Options) -> String {
    render(md, opts - Options::ENABLE_CJK_FRIENDLY_EMPHASIS)
}

/// The normalisation pulldown-cmark's own spec tests apply before comparing HTML
/// (`html_standardize` in its tests/lib.rs).
fn normalize_html(s: &str) -> String {
    s.replace("<br>", "<br />")
        .replace("<br/>", "<br />")
        .replace("<hr>", "<hr />")
        .replace("<hr/>", "<hr />")
        .replace(">\n<", "><")
}

/// One example of the CommonMark spec.
#[derive(Debug, Clone)]
struct SpecExample {
    number: usize,
    markdown: String,
    html: String,
}

/// Parse `tests/data/commonmark-0.31.2-examples.txt` (spec.txt's example format:
/// a 32-backtick fence + ` example N`, the markdown, a line `.`, the HTML, a fence).
fn parse_spec_examples(text: &str) -> Vec<SpecExample> {
    let fence = "`".repeat(32);
    let open = format!("{fence} example ");
    let mut examples = Vec::new();
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let Some(num) = line.strip_prefix(&open) else {
            continue;
        };
        let number = num.trim_end().parse().expect("example number");
        let (mut markdown, mut html, mut in_html) = (String::new(), String::new(), false);
        for line in lines.by_ref() {
            if line.trim_end_matches('\n') == fence {
                break;
            }
            if !in_html && line == ".\n" {
                in_html = true;
            } else if in_html {
                html.push_str(line);
            } else {
                markdown.push_str(line);
            }
        }
        assert!(in_html, "example {number} has no '.' separator");
        examples.push(SpecExample {
            number,
            markdown,
            html,
        });
    }
    examples
}

// ---- The CommonMark spec regression ----

/// "Emphasis and strong emphasis" in CommonMark 0.31.2: examples 350..=481
/// (349 is the last "Code spans" example, 482 the first "Links" example).
const EMPHASIS: std::ops::RangeInclusive<usize> = 350..=481;

fn examples() -> Vec<SpecExample> {
    let all = parse_spec_examples(include_str!("data/commonmark-0.31.2-examples.txt"));
    assert_eq!(all.len(), 652, "CommonMark 0.31.2 has 652 examples");
    for (i, ex) in all.iter().enumerate() {
        assert_eq!(ex.number, i + 1);
    }
    all
}

fn option_sets() -> [(&'static str, Options); 3] {
    [
        ("commonmark", Options::empty()),
        ("blogsmith", blogsmith_options()),
        ("pulldown-suite", pulldown_suite_options()),
    ]
}

#[test]
fn emphasis_section_boundaries() {
    let all = examples();
    assert_eq!(all[349].markdown, "*foo bar*\n");
    assert_eq!(all[480].markdown, "__a<https://foo.bar/?q=__>\n");
    assert_eq!(all[481].markdown, "[link](/uri \"title\")\n");
}

/// Every emphasis example renders to the spec's HTML with the flag on, and
/// byte-for-byte like upstream pulldown-cmark 0.13.6 (flag on and off).
#[test]
fn emphasis_examples_unchanged() {
    let all = examples();
    let mut checked = 0;
    for ex in &all[*EMPHASIS.start() - 1..*EMPHASIS.end()] {
        for (name, opts) in option_sets() {
            let upstream = render_upstream(&ex.markdown, opts);
            let cjk = render_cjk(&ex.markdown, opts);
            let plain = render(&ex.markdown, opts);
            assert_eq!(
                cjk, upstream,
                "example {} ({name}): flag on differs from upstream",
                ex.number
            );
            assert_eq!(
                plain, upstream,
                "example {} ({name}): flag off differs from upstream",
                ex.number
            );
            // Same normalisation as pulldown-cmark's own spec tests.
            assert_eq!(
                normalize_html(&cjk),
                normalize_html(&ex.html),
                "example {} ({name}): differs from the spec",
                ex.number
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 132);
    eprintln!("checked {checked} emphasis examples x 3 option sets: all identical");
}

/// The whole spec, as a wider net: flag on == upstream for all 652 examples.
#[test]
fn all_spec_examples_identical_to_upstream() {
    for ex in examples() {
        for (name, opts) in option_sets() {
            assert_eq!(
                render_cjk(&ex.markdown, opts),
                render_upstream(&ex.markdown, opts),
                "example {} ({name})",
                ex.number
            );
        }
    }
}

// ---- CJK cases ----

/// (markdown, expected HTML with the flag). Upstream renders all of these differently
/// (`**` stays literal): that is asserted too, so each case really exercises the patch.
const FIXED: &[(&str, &str)] = &[
    // The three reported cases.
    (
        "这是**加粗：**后面",
        "<p>这是<strong>加粗：</strong>后面</p>\n",
    ),
    ("**“引号”**是重点", "<p><strong>“引号”</strong>是重点</p>\n"),
    ("a **粗体。**b", "<p>a <strong>粗体。</strong>b</p>\n"),
    // Chinese punctuation inside the closing delimiter.
    ("**真，**她", "<p><strong>真，</strong>她</p>\n"),
    ("**真。**她", "<p><strong>真。</strong>她</p>\n"),
    ("**真、**她", "<p><strong>真、</strong>她</p>\n"),
    ("**真；**她", "<p><strong>真；</strong>她</p>\n"),
    ("**真？**她", "<p><strong>真？</strong>她</p>\n"),
    ("**真！**她", "<p><strong>真！</strong>她</p>\n"),
    ("**真”**她", "<p><strong>真”</strong>她</p>\n"),
    ("**真’**她", "<p><strong>真’</strong>她</p>\n"),
    ("**真）**她", "<p><strong>真）</strong>她</p>\n"),
    ("**真】**她", "<p><strong>真】</strong>她</p>\n"),
    ("**真》**她", "<p><strong>真》</strong>她</p>\n"),
    ("**真—**她", "<p><strong>真—</strong>她</p>\n"),
    ("**真…**她", "<p><strong>真…</strong>她</p>\n"),
    ("**真·**她", "<p><strong>真·</strong>她</p>\n"),
    ("**真-**她", "<p><strong>真-</strong>她</p>\n"),
    (
        "**推荐几个框架：**React、Vue等前端框架。",
        "<p><strong>推荐几个框架：</strong>React、Vue等前端框架。</p>\n",
    ),
    (
        "**该星号不会被识别，而是直接显示。**这是因为它没有被识别为强调符号。",
        "<p><strong>该星号不会被识别，而是直接显示。</strong>这是因为它没有被识别为强调符号。</p>\n",
    ),
    // Brackets / quotes right after the opening delimiter.
    ("真**（她**", "<p>真<strong>（她</strong></p>\n"),
    ("真**【她**", "<p>真<strong>【她</strong></p>\n"),
    ("真**《她**", "<p>真<strong>《她</strong></p>\n"),
    (
        "他说**“你好”**然后走了",
        "<p>他说<strong>“你好”</strong>然后走了</p>\n",
    ),
    (
        "模型**（Transformer）**很重要",
        "<p>模型<strong>（Transformer）</strong>很重要</p>\n",
    ),
    (
        "模型**(Transformer)**很重要",
        "<p>模型<strong>(Transformer)</strong>很重要</p>\n",
    ),
    (
        "Git**（注：不是GitHub）**",
        "<p>Git<strong>（注：不是GitHub）</strong></p>\n",
    ),
    // Single `*` (emphasis) and triple.
    ("*斜体：*后面", "<p><em>斜体：</em>后面</p>\n"),
    ("这是*斜体。*后面", "<p>这是<em>斜体。</em>后面</p>\n"),
    (
        "***粗斜体。***后面",
        "<p><em><strong>粗斜体。</strong></em>后面</p>\n",
    ),
    (
        "**外层*内层。*外层。**后面",
        "<p><strong>外层<em>内层。</em>外层。</strong>后面</p>\n",
    ),
    // Japanese.
    (
        "これは**私のやりたかったこと。**だからするの。",
        "<p>これは<strong>私のやりたかったこと。</strong>だからするの。</p>\n",
    ),
    (
        "太郎は**「こんにちわ」**といった",
        "<p>太郎は<strong>「こんにちわ」</strong>といった</p>\n",
    ),
    (
        "太郎は**\"Hello\"**といった",
        "<p>太郎は<strong>\"Hello\"</strong>といった</p>\n",
    ),
    (
        "税込**¥10,000**で入手できます。",
        "<p>税込<strong>¥10,000</strong>で入手できます。</p>\n",
    ),
    (
        "これは**「重要」**です",
        "<p>これは<strong>「重要」</strong>です</p>\n",
    ),
    (
        "**テスト。**テスト",
        "<p><strong>テスト。</strong>テスト</p>\n",
    ),
    (
        "Go**「初心者」**を対象とした記事です。",
        "<p>Go<strong>「初心者」</strong>を対象とした記事です。</p>\n",
    ),
    (
        "カッコに注意**（太字にならない）**文が続く場合に要警戒。",
        "<p>カッコに注意<strong>（太字にならない）</strong>文が続く場合に要警戒。</p>\n",
    ),
    (
        "**さようなら︙**と太郎はいった。",
        "<p><strong>さようなら︙</strong>と太郎はいった。</p>\n",
    ),
    // Korean (Hangul counts as CJK).
    (
        "**스크립트(script)**라고",
        "<p><strong>스크립트(script)</strong>라고</p>\n",
    ),
    (
        "**안녕(hello)**하세요.",
        "<p><strong>안녕(hello)</strong>하세요.</p>\n",
    ),
    (
        "패키지를 발행하려면 **`npm publish`**를 실행하십시오.",
        "<p>패키지를 발행하려면 <strong><code>npm publish</code></strong>를 실행하십시오.</p>\n",
    ),
    ("ᅡ**(a)**", "<p>ᅡ<strong>(a)</strong></p>\n"),
    ("**(k)**ᄏ", "<p><strong>(k)</strong>ᄏ</p>\n"),
    // Links and code spans next to the delimiters.
    (
        "**[产品](./product)**和**[文档](./docs)**",
        "<p><strong><a href=\"./product\">产品</a></strong>和<strong><a href=\"./docs\">文档</a></strong></p>\n",
    ),
    (
        "国际规格**[ECMA-262](https://tc39.es/ecma262/)**",
        "<p>国际规格<strong><a href=\"https://tc39.es/ecma262/\">ECMA-262</a></strong></p>\n",
    ),
    (
        "运行**`cargo test`**即可",
        "<p>运行<strong><code>cargo test</code></strong>即可</p>\n",
    ),
    // Non-BMP ideographs before brackets.
    (
        "𰻞𰻞**(ビャンビャン)**麺",
        "<p>𰻞𰻞<strong>(ビャンビャン)</strong>麺</p>\n",
    ),
    ("𠮟**(正式)**", "<p>𠮟<strong>(正式)</strong></p>\n"),
    // Ideographic variation selector (U+E0100) after the base ideograph.
    (
        "葛\u{E0100}**(正式表記)**城市",
        "<p>葛\u{E0100}<strong>(正式表記)</strong>城市</p>\n",
    ),
    // Standardized variation selector (U+FE00) after a CJK compatibility base.
    (
        "大塚\u{FE00}**(U+585A U+FE00)**",
        "<p>大塚\u{FE00}<strong>(U+585A U+FE00)</strong></p>\n",
    ),
    // CJK symbol + text presentation selector (U+FE0E).
    (
        "a**〽\u{FE0E}a**a",
        "<p>a<strong>〽\u{FE0E}a</strong>a</p>\n",
    ),
    (
        "〽\u{FE0E}**(庵点)**は、",
        "<p>〽\u{FE0E}<strong>(庵点)</strong>は、</p>\n",
    ),
    // blogsmith masks formulas as U+E000 <index> U+E001 (private use: letter-like,
    // neither CJK nor punctuation) before parsing.
    (
        "这是**公式\u{E000}0\u{E001}：**后面",
        "<p>这是<strong>公式\u{E000}0\u{E001}：</strong>后面</p>\n",
    ),
    (
        "**结果：**\u{E000}0\u{E001}",
        "<p><strong>结果：</strong>\u{E000}0\u{E001}</p>\n",
    ),
    (
        "\u{E000}0\u{E001}**（注）**",
        "<p>\u{E000}0\u{E001}<strong>（注）</strong></p>\n",
    ),
    ("**结果：**x", "<p><strong>结果：</strong>x</p>\n"),
    // `_`: a punctuation + variation selector sequence counts as punctuation (rules 2, 6).
    (
        "正體字。\u{FE01}_Traditional._",
        "<p>正體字。\u{FE01}<em>Traditional.</em></p>\n",
    ),
    (
        "简体字。\u{FE00}__Simplified.__",
        "<p>简体字。\u{FE00}<strong>Simplified.</strong></p>\n",
    ),
];

/// Already fine with plain CommonMark; must stay that way with the flag.
const ALREADY_OK: &[(&str, &str)] = &[
    ("**该词**、", "<p><strong>该词</strong>、</p>\n"),
    ("**真**，她", "<p><strong>真</strong>，她</p>\n"),
    ("**真，** 她", "<p><strong>真，</strong> 她</p>\n"),
    ("这是**加粗**后面", "<p>这是<strong>加粗</strong>后面</p>\n"),
    ("**推荐：** 后面", "<p><strong>推荐：</strong> 后面</p>\n"),
    ("中文*强调*中文", "<p>中文<em>强调</em>中文</p>\n"),
    (
        "__注意__：注意事项",
        "<p><strong>注意</strong>：注意事项</p>\n",
    ),
    (
        "注意：__注意事项__",
        "<p>注意：<strong>注意事项</strong></p>\n",
    ),
    ("「__下划线__」", "<p>「<strong>下划线</strong>」</p>\n"),
    ("__下划线__", "<p><strong>下划线</strong></p>\n"),
    ("_斜体_", "<p><em>斜体</em></p>\n"),
    // Fullwidth-form curly quotes (U+201C/U+201D + U+FE01, "CJK ambiguous punctuation
    // sequences") count as CJK punctuation, so this keeps working; a plain
    // punctuation + variation selector pair would now block the closer (see below).
    (
        "**“\u{FE01}Git”\u{FE01}**Hub",
        "<p><strong>“\u{FE01}Git”\u{FE01}</strong>Hub</p>\n",
    ),
    (
        "IDが**００１号**になります。",
        "<p>IDが<strong>００１号</strong>になります。</p>\n",
    ),
];

/// Must render exactly as upstream with the flag on (non-CJK text, and the
/// intraword `_` rule, which the amendment deliberately keeps).
const UNCHANGED: &[&str] = &[
    // Spec-style counter-examples.
    "a**\"foo\"**",
    "a*\"foo\"*",
    "a__\"foo\"__",
    "foo__bar__",
    "*$*alpha.",
    "*£*bravo.",
    "пристаням_стремятся_",
    "**foo.**bar",
    "**foo:**bar",
    "**\"quoted\"**word",
    // Non-CJK punctuation/symbols, BMP and non-BMP (from the amendment's tests).
    "a**a«**a",
    "a**»a**a",
    "a**a∇**a",
    "a**∇a**a",
    "a**a\u{1D735}**a",
    "a**\u{1D735}a**a",
    "a**\u{10B3B}a**a",
    "a**a\u{10B3B}**a",
    // Emoji (Emoji_Presentation) are not CJK, with or without U+FE0F.
    "a**😀**a",
    "a**❌\u{FE0F}a**a",
    "a**a⭕\u{FE0F}**a",
    // `_` stays non-intraword next to CJK letters.
    "中文__下划线__中文",
    "中文_下划线_中文",
    "snake_case_名字",
    "__加粗：__后面",
    // Other delimiters are untouched by the patch.
    "~~删除~~",
    "这是~~删除。~~后面",
    "H~2~O",
];

#[test]
fn cjk_cases_become_emphasis() {
    let mut failures = Vec::new();
    for &(md, want) in FIXED {
        for opts in [Options::empty(), blogsmith_options()] {
            let got = render_cjk(md, opts);
            if got != want {
                failures.push(format!("{md:?}: got {got:?}, want {want:?}"));
            }
            let up = render_upstream(md, opts);
            if up == want {
                failures.push(format!(
                    "{md:?}: upstream already renders it; move to ALREADY_OK"
                ));
            }
            // Without the flag the patched crate behaves like upstream.
            assert_eq!(
                render(md, opts),
                up,
                "{md:?}: flag off differs from upstream"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cases_fine_before_stay_fine() {
    for &(md, want) in ALREADY_OK {
        for opts in [Options::empty(), blogsmith_options()] {
            assert_eq!(render_upstream(md, opts), want, "{md:?} (upstream)");
            assert_eq!(render_cjk(md, opts), want, "{md:?} (cjk)");
        }
    }
}

#[test]
fn non_cjk_counter_examples_unchanged() {
    for &md in UNCHANGED {
        for opts in [
            Options::empty(),
            blogsmith_options(),
            blogsmith_options() | Options::ENABLE_SUBSCRIPT,
        ] {
            assert_eq!(render_cjk(md, opts), render_upstream(md, opts), "{md:?}");
        }
    }
}

/// Specific counter-examples whose exact output documents the amendment's limits.
#[test]
fn documented_limits() {
    let o = blogsmith_options();
    // `_` closing between CJK punctuation and a CJK letter is intraword: stays literal.
    assert_eq!(render_cjk("__加粗：__后面", o), "<p>__加粗：__后面</p>\n");
    // Strikethrough is not covered by this patch.
    assert_eq!(
        render_cjk("这是~~删除。~~后面", o),
        "<p>这是~~删除。~~后面</p>\n"
    );
    // Emoji is not CJK: `a**😀**a` stays literal, as in CommonMark.
    assert_eq!(render_cjk("a**😀**a", o), "<p>a**😀**a</p>\n");
    // Non-CJK punctuation (here U+201D) before the closer, then a non-CJK letter or a
    // formula placeholder: CommonMark's rule still applies, so it stays literal.
    assert_eq!(render_cjk("**“引号”**x", o), "<p>**“引号”**x</p>\n");
    assert_eq!(
        render_cjk("**“引号”**\u{E000}0\u{E001}", o),
        "<p>**“引号”**\u{E000}0\u{E001}</p>\n"
    );
}

/// The only non-CJK inputs whose rendering changes: a non-CJK punctuation character
/// followed by a variation selector U+FE00..=U+FE0E is treated as punctuation (the
/// amendment looks through the selector), where CommonMark sees a non-punctuation
/// character. CommonMark's own examples contain no variation selectors.
#[test]
fn variation_selector_after_non_cjk_punctuation() {
    let o = Options::empty();
    let md = "**\"\u{FE0E}Git\"\u{FE0E}**Hub";
    assert_eq!(
        render_upstream(md, o),
        "<p><strong>\"\u{FE0E}Git\"\u{FE0E}</strong>Hub</p>\n"
    );
    assert_eq!(render_cjk(md, o), "<p>**\"\u{FE0E}Git\"\u{FE0E}**Hub</p>\n");
    let md = "a**a⭕\u{FE0E}**a";
    assert_eq!(
        render_upstream(md, o),
        "<p>a<strong>a⭕\u{FE0E}</strong>a</p>\n"
    );
    assert_eq!(render_cjk(md, o), "<p>a**a⭕\u{FE0E}**a</p>\n");
}

/// blogsmith-style documents: tables, headings, lists, footnotes, task lists.
#[test]
fn block_contexts() {
    let o = blogsmith_options();
    assert_eq!(
        render_cjk("## **注意：**这里 {#note}\n", o),
        "<h2 id=\"note\"><strong>注意：</strong>这里</h2>\n"
    );
    assert_eq!(
        render_cjk(
            "| 项 | 说明 |\n|---|---|\n| **损失函数：**交叉熵 | *学习率。*0.1 |\n",
            o
        ),
        "<table><thead><tr><th>项</th><th>说明</th></tr></thead><tbody>\n\
         <tr><td><strong>损失函数：</strong>交叉熵</td><td><em>学习率。</em>0.1</td></tr>\n\
         </tbody></table>\n"
    );
    assert_eq!(
        render_cjk("- [x] **完成：**训练\n- **待办：**评估\n", o),
        "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n<strong>完成：</strong>训练</li>\n\
         <li><strong>待办：</strong>评估</li>\n</ul>\n"
    );
    assert_eq!(
        render_cjk("> **结论：**有效[^1]\n\n[^1]: **来源：**论文\n", o),
        render_upstream(
            "> <strong>结论：</strong>有效[^1]\n\n[^1]: <strong>来源：</strong>论文\n",
            o
        )
    );
    // Multi-line paragraph: the run at the start of the second line.
    assert_eq!(
        render_cjk("第一行**加粗：\n**后面", o),
        render_upstream("第一行**加粗：\n**后面", o)
    );
}
