//! The same corpus as a Zola site, for `scripts/bench --compare zola` (Zola
//! 0.21's configuration: 0.22 renamed the highlighting keys).
//!
//! The articles keep their bytes below the front matter; only the front matter
//! is written again, as TOML (`+++`), with `tags` and `categories` as Zola
//! taxonomies. The site asks Zola for what a blogsmith build makes: the index
//! paginated by 10 (as `paginate: 10`), a page per tag and category, paginated,
//! feeds of the newest 20 (blogsmith's `feed.limit`; Zola's default, every
//! article in full in every tag's feed, wrote 400 MB more), a sitemap, a
//! search index over the whole text, code highlighted with
//! classes in a light and a dark theme, and a table of contents on each page.
//! Zola typesets no math: the formulas stay as text.
//!
//! Two things differ by necessity, not choice: Zola's Chinese search index
//! (`elasticlunr` with `zh`) needs a build feature the packaged Zola lacks, so
//! the index is `fuse_json` (the whole text, as blogsmith's index holds it);
//! and the templates are minimal (blogsmith's theme does more per page).

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// Writes `config.toml`, `templates/` and `content/_index.md` to `out`.
pub fn write_site(out: &Path, title: &str) -> io::Result<()> {
    std::fs::write(out.join("config.toml"), config(title))?;
    std::fs::write(
        out.join("content/_index.md"),
        "+++\nsort_by = \"date\"\npaginate_by = 10\n+++\n",
    )?;
    let templates = out.join("templates");
    std::fs::create_dir_all(&templates)?;
    for (name, text) in TEMPLATES {
        std::fs::write(templates.join(name), text)?;
    }
    Ok(())
}

fn config(title: &str) -> String {
    format!(
        "# A synthetic corpus written by examples/gen_corpus --flavour zola: benchmark data.
base_url = \"https://bench.example.org\"
title = \"{title}\"
description = \"自动生成的中文机器学习笔记，用于比较构建速度。\"
default_language = \"zh\"
build_search_index = true
generate_feeds = true
feed_filenames = [\"atom.xml\"]
feed_limit = 20
taxonomies = [
  {{ name = \"tags\", paginate_by = 10, feed = true }},
  {{ name = \"categories\", paginate_by = 10, feed = true }},
]

[markdown]
highlight_code = true
highlight_theme = \"css\"
highlight_themes_css = [
  {{ theme = \"base16-ocean-light\", filename = \"syntax-theme-light.css\" }},
  {{ theme = \"base16-ocean-dark\", filename = \"syntax-theme-dark.css\" }},
]

[search]
index_format = \"fuse_json\"
"
    )
}

/// `text` (an article with blogsmith's YAML front matter, as `corpus.rs` writes
/// it) with Zola's TOML front matter instead. `None` if the front matter is not
/// the generator's.
pub fn article(text: &str) -> Option<String> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let (yaml, body) = (&rest[..end], &rest[end + "\n---\n".len()..]);
    let mut toml = String::from("+++\n");
    let mut taxonomies = String::from("[taxonomies]\n");
    for line in yaml.lines() {
        let (key, value) = line.split_once(": ")?;
        match key {
            "title" => writeln!(toml, "title = {value}").ok()?,
            "summary" => writeln!(toml, "description = {value}").ok()?,
            // `2019-03-07 14:05`, Asia/Shanghai as the corpus's timezone says.
            "date" => writeln!(toml, "date = {}:00+08:00", value.replacen(' ', "T", 1)).ok()?,
            "tags" => {
                let list = value.strip_prefix('[')?.strip_suffix(']')?;
                let quoted: Vec<String> = list.split(", ").map(|t| format!("\"{t}\"")).collect();
                writeln!(taxonomies, "tags = [{}]", quoted.join(", ")).ok()?
            }
            "categories" => writeln!(taxonomies, "categories = [\"{value}\"]").ok()?,
            _ => return None,
        }
    }
    toml.push_str(&taxonomies);
    toml.push_str("+++\n");
    toml.push_str(body);
    Some(toml)
}

const BASE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
<link rel="stylesheet" href="{{ get_url(path='syntax-theme-light.css') }}">
<link rel="alternate" type="application/atom+xml" href="{{ get_url(path='atom.xml') }}">
</head>
<body>
<header><a href="{{ config.base_url }}">{{ config.title }}</a>
<nav><a href="{{ get_url(path='tags/') }}">标签</a> <a href="{{ get_url(path='categories/') }}">分类</a></nav></header>
<main>{% block content %}{% endblock content %}</main>
</body>
</html>
"#;

const LIST: &str = r#"{% macro list(pages) %}
<ul class="posts">
{% for page in pages %}
<li><h2><a href="{{ page.permalink }}">{{ page.title }}</a></h2>
<time>{{ page.date | date(format="%Y-%m-%d") }}</time>
{% if page.taxonomies.tags %}{% for tag in page.taxonomies.tags %}<a href="{{ get_taxonomy_url(kind='tags', name=tag) }}">{{ tag }}</a> {% endfor %}{% endif %}
{% if page.summary %}{{ page.summary | safe }}{% elif page.description %}<p>{{ page.description }}</p>{% endif %}</li>
{% endfor %}
</ul>
{% endmacro list %}
{% macro pager(paginator) %}
<nav class="pager">{% if paginator.previous %}<a href="{{ paginator.previous }}">上一页</a>{% endif %}
{{ paginator.current_index }} / {{ paginator.number_pagers }}
{% if paginator.next %}<a href="{{ paginator.next }}">下一页</a>{% endif %}</nav>
{% endmacro pager %}
"#;

const INDEX: &str = r#"{% extends "base.html" %}
{% import "list.html" as list %}
{% block content %}
<h1>最近更新</h1>
{{ list::list(pages=paginator.pages) }}
{{ list::pager(paginator=paginator) }}
{% endblock content %}
"#;

const PAGE: &str = r#"{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
<time>{{ page.date | date(format="%Y-%m-%d") }}</time>
<nav class="toc"><ul>
{% for h in page.toc %}<li><a href="{{ h.permalink | safe }}">{{ h.title }}</a>
{% if h.children %}<ul>{% for c in h.children %}<li><a href="{{ c.permalink | safe }}">{{ c.title }}</a></li>{% endfor %}</ul>{% endif %}</li>
{% endfor %}</ul></nav>
{{ page.content | safe }}
<nav>{% if page.lower %}<a href="{{ page.lower.permalink }}">{{ page.lower.title }}</a>{% endif %}
{% if page.higher %}<a href="{{ page.higher.permalink }}">{{ page.higher.title }}</a>{% endif %}</nav>
</article>
{% endblock content %}
"#;

const TAXONOMY_LIST: &str = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ taxonomy.name }}</h1>
<ul>{% for term in terms %}<li><a href="{{ term.permalink }}">{{ term.name }}</a> ({{ term.pages | length }})</li>{% endfor %}</ul>
{% endblock content %}
"#;

const TAXONOMY_SINGLE: &str = r#"{% extends "base.html" %}
{% import "list.html" as list %}
{% block content %}
<h1>{{ term.name }}</h1>
{{ list::list(pages=paginator.pages) }}
{{ list::pager(paginator=paginator) }}
{% endblock content %}
"#;

const TEMPLATES: [(&str, &str); 6] = [
    ("base.html", BASE),
    ("list.html", LIST),
    ("index.html", INDEX),
    ("page.html", PAGE),
    ("taxonomy_list.html", TAXONOMY_LIST),
    ("taxonomy_single.html", TAXONOMY_SINGLE),
];

/// Turns the blogsmith corpus written to `out` into a Zola site: every
/// article's front matter in TOML, Zola's configuration and templates
/// instead of `blogsmith.yaml`.
pub fn convert(out: &Path, title: &str) -> io::Result<()> {
    let content = out.join("content");
    let mut names: Vec<_> = std::fs::read_dir(&content)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    names.sort();
    for path in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let text = std::fs::read_to_string(path)?;
        let converted = article(&text).ok_or_else(|| {
            io::Error::other(format!(
                "{}: not the generator's front matter",
                path.display()
            ))
        })?;
        std::fs::write(path, converted)?;
    }
    std::fs::remove_file(out.join("blogsmith.yaml"))?;
    write_site(out, title)
}
