//! Hexo: `_config.yml`, `source/_posts`, `source/_drafts`, pages and files
//! in `source/`, and the Markdown renderer named in `package.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::files::{self, FrontMatter};
use super::old_config::{self, text};
use super::plan::Commented;
use super::{FileAction, Generator, ImportError, Plan};

/// Hexo's own default, used when `_config.yml` sets none.
pub(crate) const DEFAULT_PERMALINK: &str = ":year/:month/:day/:title/";

/// Renderers that unescape Markdown inside formulas (`\_` → `_`).
const ESCAPING_RENDERERS: &[&str] = &["hexo-renderer-marked", "hexo-renderer-kramed"];

/// Plans the import of the Hexo blog at `source`.
pub(crate) fn plan(source: &Path) -> Result<Plan, ImportError> {
    let config_path = source.join("_config.yml");
    let source_dir = source.join("source");
    let missing = match (config_path.is_file(), source_dir.is_dir()) {
        (true, true) => None,
        (false, true) => Some("no _config.yml"),
        (true, false) => Some("no source/ folder"),
        (false, false) => Some("no _config.yml and no source/ folder"),
    };
    if let Some(missing) = missing {
        return Err(ImportError::NotABlog {
            generator: Generator::Hexo,
            path: source.to_path_buf(),
            missing: missing.into(),
        });
    }
    let mut plan = Plan {
        config_file: "_config.yml".into(),
        ..Plan::default()
    };
    map_config(&mut plan, &old_config::read(&config_path)?);
    let found = files::walk(&source_dir)?;
    plan_files(&mut plan, &source_dir, &found)?;
    check_nested_posts(&mut plan, &found);
    if let Some(renderer) = escaping_renderer(source) {
        check_escapes(&mut plan, &source_dir, &found, &renderer);
    }
    Ok(plan)
}

/// Maps the values of `_config.yml` that blogsmith has.
pub(crate) fn map_config(plan: &mut Plan, config: &Value) {
    for key in ["title", "subtitle", "description"] {
        plan.map_text(key, text(config, &[key]), &format!("_config.yml: {key}"));
    }
    let author = config.get("author").and_then(old_config::author);
    plan.map_text("author", author, "_config.yml: author");
    plan.map_language(config.get("language"), "_config.yml: language");
    plan.map_timezone(text(config, &["timezone"]), "_config.yml: timezone");
    if let Some((url, from)) = base_url(config) {
        plan.map_base_url(&url, from);
    }
    match old_config::at(config, &["index_generator", "per_page"]) {
        Some(per_page) => {
            plan.map_paginate(Some(per_page), "_config.yml: index_generator.per_page")
        }
        None => plan.map_paginate(config.get("per_page"), "_config.yml: per_page"),
    }
    match text(config, &["permalink"]) {
        Some(pattern) => plan.map_permalink(&pattern, "_config.yml: permalink"),
        None => plan.map_permalink(
            DEFAULT_PERMALINK,
            "Hexo's default (_config.yml sets no permalink)",
        ),
    }
    report_unmapped(plan, config);
}

/// `url`, with `root` when the blog lives in a subfolder that `url` does not name.
fn base_url(config: &Value) -> Option<(String, &'static str)> {
    let url = text(config, &["url"]);
    let root = text(config, &["root"])
        .map(|r| r.trim_matches('/').to_string())
        .filter(|r| !r.is_empty());
    match (url, root) {
        (Some(url), Some(root)) => {
            let url = url.trim_end_matches('/').to_string();
            // Hexo 5 asks for the subfolder in `url` *and* in `root`.
            match url.ends_with(&format!("/{root}")) {
                true => Some((url, "_config.yml: url")),
                false => Some((format!("{url}/{root}"), "_config.yml: url + root")),
            }
        }
        (Some(url), None) => Some((url, "_config.yml: url")),
        (None, Some(root)) => Some((format!("/{root}/"), "_config.yml: root")),
        (None, None) => None,
    }
}

/// Keys of `_config.yml` that change what a reader sees and that blogsmith has no room for.
fn report_unmapped(plan: &mut Plan, config: &Value) {
    if let Some(theme) = text(config, &["theme"]) {
        plan.not_mapped(format!(
            "_config.yml: theme `{theme}`: blogsmith has its own templates (put yours in templates/)"
        ));
    }
    if config.get("skip_render").is_some_and(|v| !v.is_null()) {
        plan.not_mapped("_config.yml: skip_render: the files it names were imported like the others (Markdown as pages, the rest into static/)");
    }
    for (key, default) in [("tag_dir", "tags"), ("category_dir", "categories")] {
        if let Some(dir) = text(config, &[key]).filter(|d| d.trim_matches('/') != default) {
            plan.not_mapped(format!(
                "_config.yml: {key} `{dir}`: blogsmith's pages for them are under /{default}/"
            ));
        }
    }
}

/// Plans every file of `source/`.
fn plan_files(plan: &mut Plan, source_dir: &Path, found: &[PathBuf]) -> Result<(), ImportError> {
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut pages = Vec::new();
    for relative in found {
        let top = files::top(relative);
        let from = source_dir.join(relative);
        if top == "_posts" || top == "_drafts" {
            plan.copy(from, Path::new("content").join(relative));
        } else if top.starts_with('_') {
            *skipped.entry(top).or_default() += 1;
        } else if crate::content::is_markdown(relative) {
            if page(plan, &from, relative)? {
                pages.push(files::shown(relative));
            }
        } else {
            static_file(plan, &from, relative)?;
        }
    }
    for (folder, count) in skipped {
        plan.not_mapped(format!(
            "source/{folder} ({count} file(s)): not imported; Hexo's `_` folders other than _posts and _drafts are for themes and plugins"
        ));
    }
    if !pages.is_empty() {
        plan.note(format!(
            "{} page(s) of source/ ({}) keep their old address as `permalink:`; blogsmith lists them as articles (on the index and in feeds)",
            pages.len(),
            pages.join(", ")
        ));
    }
    Ok(())
}

/// Plans a Markdown page outside `_posts`: into `content/`, with its old
/// address as `permalink:`. Returns whether the address was added.
fn page(plan: &mut Plan, from: &Path, relative: &Path) -> Result<bool, ImportError> {
    let to = Path::new("content").join(relative);
    let Some(url) = page_url(relative) else {
        plan.not_mapped("source/index.md: not imported; blogsmith writes the home page itself (the list of posts)");
        return Ok(false);
    };
    let Some(text) = files::read_text(from)? else {
        plan.copy(from.to_path_buf(), to);
        plan.note(format!(
            "source/{}: not UTF-8; copied without its old address",
            files::shown(relative)
        ));
        return Ok(false);
    };
    let front = match files::front_matter(&text) {
        Ok(front) => front,
        Err(message) => {
            plan.copy(from.to_path_buf(), to);
            plan.note(format!("source/{}: front matter unreadable ({message}); copied as it is, `blogsmith check` shows where", files::shown(relative)));
            return Ok(false);
        }
    };
    Ok(with_address(
        plan,
        (from, to),
        &text,
        &front,
        ("permalink", &url),
    ))
}

/// Writes a page with `key: url` (`permalink` or `url`) unless it has its
/// own address. Returns whether the address was added.
pub(crate) fn with_address(
    plan: &mut Plan,
    (from, to): (&Path, PathBuf),
    text: &str,
    front: &FrontMatter,
    (key, url): (&str, &str),
) -> bool {
    if front.keys.contains_key("permalink") || front.keys.contains_key("url") {
        plan.copy(from.to_path_buf(), to);
        return false;
    }
    match files::with_key(text, front.format, key, url) {
        Some(text) => {
            plan.files.push(FileAction::Write {
                from: from.to_path_buf(),
                to,
                text,
            });
            true
        }
        None => {
            plan.not_mapped(format!(
                "{}: JSON front matter is not rewritten; give it `\"{key}\": \"{url}\"` to keep its old address",
                files::shown(&to)
            ));
            plan.copy(from.to_path_buf(), to);
            false
        }
    }
}

/// Where Hexo publishes a page of `source/`: `about/index.md` at `/about/`,
/// `links.md` at `/links.html`; `None` for the home page.
pub(crate) fn page_url(relative: &Path) -> Option<String> {
    let parent = files::shown(relative.parent().unwrap_or(Path::new("")));
    let stem = relative.file_stem()?.to_string_lossy().into_owned();
    let folder = match parent.is_empty() {
        true => "/".to_string(),
        false => format!("/{parent}/"),
    };
    match stem.as_str() {
        "index" if parent.is_empty() => None,
        "index" => Some(folder),
        _ => Some(format!("{folder}{stem}.html")),
    }
}

/// A file of `source/` that is not Markdown: into `static/`, unless it is
/// HTML with front matter (Hexo renders it through the theme).
fn static_file(plan: &mut Plan, from: &Path, relative: &Path) -> Result<(), ImportError> {
    let is_html = relative
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if is_html && files::starts_with_front_matter(from)? {
        plan.not_mapped(format!(
            "source/{}: HTML with front matter (rendered by Hexo's theme): not imported",
            files::shown(relative)
        ));
        return Ok(());
    }
    plan.copy(from.to_path_buf(), Path::new("static").join(relative));
    Ok(())
}

/// Hexo's `:title` is a post's path under `_posts` (`ml/attention`), blogsmith's the slug alone.
fn check_nested_posts(plan: &mut Plan, found: &[PathBuf]) {
    let uses_title = plan
        .values
        .iter()
        .any(|m| m.key == "permalink" && m.value.contains(":title"));
    let nested: Vec<String> = found
        .iter()
        .filter(|f| files::top(f) == "_posts" && f.components().count() > 2)
        .filter(|f| crate::content::is_markdown(f))
        .map(|f| files::shown(f))
        .collect();
    if uses_title && !nested.is_empty() {
        plan.note(format!(
            "{}: in a folder under _posts; Hexo's `:title` includes the folder, blogsmith's is the file name alone: give them `permalink:` to keep their address",
            files::listed(&nested)
        ));
    }
}

/// The renderer named in `package.json` that unescapes Markdown inside formulas.
fn escaping_renderer(source: &Path) -> Option<String> {
    let text = std::fs::read_to_string(source.join("package.json")).ok()?;
    let package: Value = serde_json::from_str(&text).ok()?;
    ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|key| package.get(key).and_then(Value::as_object))
        .flat_map(|deps| deps.keys())
        .find(|name| ESCAPING_RENDERERS.contains(&name.as_str()))
        .cloned()
}

/// Posts whose formulas hold `\_`, written for a renderer that unescapes it.
fn check_escapes(plan: &mut Plan, source_dir: &Path, found: &[PathBuf], renderer: &str) {
    let posts = files::markdown_texts(source_dir, found)
        .filter(|(_, text)| files::formula_has(text, "\\_"))
        .count();
    if posts == 0 {
        return;
    }
    plan.commented.push(Commented {
        key: "markdown_escapes",
        why: format!(
            "{posts} post(s) write `\\_` in formulas for {renderer}, which reads formulas as\n\
             Markdown first and gives KaTeX `_`; this reads them the same way."
        ),
        available: true,
    });
    plan.note(format!(
        "{renderer}: {posts} post(s) write `\\_` in formulas: math.markdown_escapes is on in blogsmith.yaml"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(yaml: &str) -> Plan {
        let mut plan = Plan::default();
        map_config(&mut plan, &old_config::parse(yaml, "yml").unwrap());
        plan
    }

    #[test]
    fn config_values_blogsmith_has() {
        let plan = mapped(
            "title: 学习笔记\nsubtitle: 一步一个公式\ndescription: 机器学习\nauthor: 张三\n\
             language: [zh-CN, en]\ntimezone: Asia/Shanghai\nurl: https://example.com\nroot: /blog/\n\
             per_page: 8\nindex_generator:\n  per_page: 6\npermalink: :year/:i_month/:title.html\ntheme: next\n",
        );
        assert_eq!(plan.value("title").as_deref(), Some("\"学习笔记\""));
        assert_eq!(plan.value("subtitle").as_deref(), Some("\"一步一个公式\""));
        assert_eq!(plan.value("author").as_deref(), Some("\"张三\""));
        assert_eq!(plan.value("language").as_deref(), Some("\"zh-CN\""));
        assert_eq!(
            plan.value("base_url").as_deref(),
            Some("\"https://example.com/blog/\"")
        );
        assert_eq!(
            plan.value("paginate").as_deref(),
            Some("6"),
            "the index's own"
        );
        assert_eq!(
            plan.value("permalink").as_deref(),
            Some("\":year/:i_month/:title.html\"")
        );
        assert!(
            plan.not_mapped.iter().any(|m| m.contains("theme `next`")),
            "{:?}",
            plan.not_mapped
        );
    }

    #[test]
    fn what_cannot_be_mapped_is_said() {
        let plan = mapped(
            "url: https://example.com/blog\nroot: /blog/\nper_page: 0\npermalink: :year/:post_title/\ntimezone: Mars/Base\nlanguage: default\n",
        );
        assert_eq!(
            plan.value("base_url").as_deref(),
            Some("\"https://example.com/blog/\""),
            "root already in url"
        );
        assert_eq!(plan.value("paginate"), None);
        assert_eq!(plan.value("permalink"), None);
        assert_eq!(plan.value("timezone"), None);
        assert_eq!(plan.value("language"), None);
        let said = plan.not_mapped.join("\n");
        for part in ["per_page 0", ":post_title", "Mars/Base"] {
            assert!(said.contains(part), "{part}: {said}");
        }
        let default = mapped("title: x\n");
        assert_eq!(
            default.value("permalink").as_deref(),
            Some("\":year/:month/:day/:title/\"")
        );
    }

    #[test]
    fn pages_keep_their_addresses() {
        assert_eq!(
            page_url(Path::new("about/index.md")).as_deref(),
            Some("/about/")
        );
        assert_eq!(
            page_url(Path::new("links.md")).as_deref(),
            Some("/links.html")
        );
        assert_eq!(page_url(Path::new("a/b.md")).as_deref(), Some("/a/b.html"));
        assert_eq!(page_url(Path::new("index.md")), None);
    }
}
