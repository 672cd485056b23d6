//! Tests of the tag translation: what each tag becomes, positions, problems.

use super::*;

fn text(source: &str) -> String {
    translate(source, Language::Chinese).text.into_owned()
}

fn problems(source: &str) -> Vec<(usize, String, bool)> {
    translate(source, Language::Chinese)
        .problems
        .into_iter()
        .map(|p| (p.offset, p.message, p.error))
        .collect()
}

#[test]
fn articles_without_tags_are_borrowed_untouched() {
    let t = translate("正文 $x$ 和 {{ 模板 }}。\n", Language::Chinese);
    assert!(matches!(t.text, Cow::Borrowed(_)));
    assert!(t.problems.is_empty());
}

#[test]
fn hexo_asset_and_post_tags_become_markdown() {
    assert_eq!(
        text("见 {% asset_img fig.png 结构 图 %}。"),
        "见 ![结构 图](fig.png)。"
    );
    assert_eq!(
        text("{% asset_img big.png 300 200 '标题' %}"),
        "![标题](big.png)"
    );
    assert_eq!(text("[pdf]({% asset_path a b.pdf %})"), "[pdf](a)");
    assert_eq!(text("{% asset_link data.csv 数据 %}"), "[数据](data.csv)");
    assert_eq!(text("{% post_link rope 旋转编码 %}"), "[旋转编码](rope.md)");
    assert_eq!(
        text("{% post_link rope %}"),
        "[](rope.md)",
        "titled when resolved"
    );
    assert_eq!(text("{% post_url 2010-07-21-name %}"), "2010-07-21-name.md");
    assert_eq!(
        text("{% link 主页 https://x.org/ %}"),
        "[主页](https://x.org/)"
    );
}

#[test]
fn code_blocks_and_raw_content_are_taken_as_they_are() {
    let hexo = "{% codeblock 例子.py lang:python line_number:true mark:2 %}\nprint('{% not a tag %}')\n{% endcodeblock %}\n";
    assert_eq!(
        text(hexo),
        "```python,linenos,hl_lines=\"2\",title=\"例子.py\"\nprint('{% not a tag %}')\n```\n"
    );
    let jekyll = "{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n";
    assert_eq!(text(jekyll), "```ruby,linenos\nputs 1\n```\n");
    assert_eq!(
        text("{% raw %}{{ x }} {% if %}{% endraw %}"),
        "{{ x }} {% if %}"
    );
    let hugo =
        "{{< highlight go \"linenos=table,hl_lines=1\" >}}\nfunc f() {}\n{{< /highlight >}}\n";
    assert_eq!(
        text(hugo),
        "```go,linenos,hl_lines=\"1\"\nfunc f() {}\n```\n"
    );
    assert_eq!(text("{{< math >}}\nx^2\n{{< /math >}}\n"), "$$\nx^2\n$$\n");
}

#[test]
fn tags_in_code_are_text() {
    let source = "行内 `{% asset_img a.png %}`\n\n```\n{{< figure src=\"a.png\" >}}\n```\n";
    assert_eq!(text(source), source);
    assert!(problems(source).is_empty());
}

#[test]
fn blocks_become_sentinels_for_generated_html() {
    let t = translate(
        "{% note info %}\n**注意**\n{% endnote %}\n",
        Language::Chinese,
    );
    assert_eq!(t.html, ["<div class=\"callout callout-info\">", "</div>"]);
    assert_eq!(
        t.text,
        "\n\n<!--blogsmith:html:0-->\n\n\n**注意**\n\n\n<!--blogsmith:html:1-->\n\n\n"
    );
    let t = translate(
        "{{< details summary=\"展开 <看>\" >}}内容{{< /details >}}",
        Language::Chinese,
    );
    assert_eq!(
        t.html,
        ["<details><summary>展开 &lt;看&gt;</summary>", "</details>"]
    );
    let t = translate(
        "{{< admonition warning \"小心\" >}}x{{< /admonition >}}",
        Language::Chinese,
    );
    assert_eq!(
        t.html[0],
        "<div class=\"callout callout-warning\"><p class=\"callout-title\">小心</p>"
    );
    let t = translate("{% youtube dQw4w9WgXcQ %}", Language::Chinese);
    assert!(t.html[0].contains("youtube-nocookie.com/embed/dQw4w9WgXcQ"));
    let t = translate("{% iframe javascript:alert(1) %}", Language::Chinese);
    assert!(t.html.is_empty(), "only web pages are framed");
    assert!(t.problems[0].message.contains("does not know"));
}

#[test]
fn hugo_shortcodes_become_markdown() {
    assert_eq!(
        text("{{< figure src=\"/img/a b.png\" caption=\"说明\" >}}"),
        "![说明](</img/a b.png>)"
    );
    assert_eq!(
        text("[SVM]({{< ref \"posts/svm.md\" >}})"),
        "[SVM](posts/svm.md)"
    );
    assert_eq!(text("{{% relref svm.md %}}"), "svm.md");
    assert_eq!(
        text("写法：{{</* figure src=\"x\" */>}}"),
        "写法：`{{< figure src=\"x\" >}}`"
    );
}

#[test]
fn unknown_unclosed_and_unbalanced_tags_are_reported_where_they_are() {
    assert_eq!(
        problems("ab {% include foo.html %}"),
        [(
            3,
            "`{% include foo.html %}` is a tag blogsmith does not know; it is shown as text".into(),
            false
        )]
    );
    assert_eq!(
        problems("x {% asset_img a.png"),
        [(2, "`{%` tag never closed with `%}`".into(), true)]
    );
    assert_eq!(
        problems("{{< figure src=\"a.png >}}"),
        [(0, "`{{<` tag with an unclosed `\"` quote".into(), true)]
    );
    assert_eq!(
        problems("{% note %}\n正文\n"),
        [(0, "block never closed with `{% endnote %}`".into(), true)]
    );
    assert_eq!(
        problems("{% codeblock lang:c %}\nint x;\n"),
        [(
            0,
            "`{% codeblock lang:c %}` is never closed with `{% endcodeblock %}`".into(),
            true
        )]
    );
    assert!(
        problems("{% endnote %}")[0].1.contains("does not know"),
        "a stray closer"
    );
}

#[test]
fn offsets_map_back_to_the_article() {
    let source = "前 {% asset_img fig.png 图 %} 后 $x$";
    let t = translate(source, Language::Chinese);
    let after = t.text.find("后").unwrap();
    assert_eq!(t.map.original(after), source.find("后").unwrap());
    let inside = t.text.find("fig").unwrap();
    assert_eq!(t.map.original(inside), source.find("{%").unwrap());
    assert_eq!(t.map.original(0), 0);
}
