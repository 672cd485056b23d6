//! Jekyll: `_config.yml`, `_posts`, `_drafts`, pages with front matter, and
//! the files Jekyll copies as they are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::files;
use super::hexo::{page_url, with_address};
use super::old_config::{self, text};
use super::{Generator, ImportError, Plan};

/// Jekyll's default style, `date`.
pub(crate) const DEFAULT_PERMALINK: &str = "/:categories/:year/:month/:day/:title.html";

/// Files Jekyll never publishes, besides those `exclude:` names.
const EXCLUDED: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "gemfiles",
    "vendor",
    "node_modules",
];

/// Plans the import of the Jekyll blog at `source`.
pub(crate) fn plan(source: &Path) -> Result<Plan, ImportError> {
    let config_path = source.join("_config.yml");
    if !config_path.is_file() && !source.join("_posts").is_dir() {
        return Err(ImportError::NotABlog {
            generator: Generator::Jekyll,
            path: source.to_path_buf(),
            missing: "no _config.yml and no _posts/ folder".into(),
        });
    }
    let config = match config_path.is_file() {
        true => old_config::read(&config_path)?,
        false => Value::Object(Default::default()),
    };
    let mut plan = Plan {
        config_file: "_config.yml".into(),
        ..Plan::default()
    };
    let pretty = map_config(&mut plan, &config);
    let excluded = excluded(&config);
    let found: Vec<PathBuf> = files::walk(source)?
        .into_iter()
        .filter(|f| !is_excluded(f, &excluded))
        .collect();
    plan_files(&mut plan, source, &found, pretty)?;
    check_inline_display_math(&mut plan, source, &found);
    Ok(plan)
}

/// Maps the values of `_config.yml` that blogsmith has. Returns whether
/// pages are published as folders (`/about/`) rather than files (`/about.html`).
pub(crate) fn map_config(plan: &mut Plan, config: &Value) -> bool {
    plan.map_text("title", text(config, &["title"]), "_config.yml: title");
    plan.map_text(
        "subtitle",
        text(config, &["tagline"]),
        "_config.yml: tagline",
    );
    let description = text(config, &["description"]);
    plan.map_text("description", description, "_config.yml: description");
    let author = config.get("author").and_then(old_config::author);
    plan.map_text("author", author, "_config.yml: author");
    match config.get("lang") {
        Some(lang) => plan.map_language(Some(lang), "_config.yml: lang"),
        None => plan.map_language(config.get("locale"), "_config.yml: locale"),
    }
    plan.map_timezone(text(config, &["timezone"]), "_config.yml: timezone");
    if let Some((url, from)) = base_url(config) {
        plan.map_base_url(&url, from);
    }
    plan.map_paginate(config.get("paginate"), "_config.yml: paginate");
    if let Some(theme) = text(config, &["theme"]).or_else(|| text(config, &["remote_theme"])) {
        plan.not_mapped(format!(
            "_config.yml: theme `{theme}`: blogsmith has its own templates (put yours in templates/)"
        ));
    }
    map_permalink(plan, config)
}

/// `url` + `baseurl`.
fn base_url(config: &Value) -> Option<(String, &'static str)> {
    let url = text(config, &["url"]);
    let base = text(config, &["baseurl"])
        .map(|b| b.trim_matches('/').to_string())
        .filter(|b| !b.is_empty());
    match (url, base) {
        (Some(url), Some(base)) => Some((
            format!("{}/{base}", url.trim_end_matches('/')),
            "_config.yml: url + baseurl",
        )),
        (Some(url), None) => Some((url, "_config.yml: url")),
        (None, Some(base)) => Some((format!("/{base}/"), "_config.yml: baseurl")),
        (None, None) => None,
    }
}

/// Maps `permalink:` (a style name or a pattern); returns whether pages end in `/`.
fn map_permalink(plan: &mut Plan, config: &Value) -> bool {
    let written = text(config, &["permalink"]);
    let (pattern, from) = match written.as_deref() {
        None => (
            DEFAULT_PERMALINK.to_string(),
            "Jekyll's default, date (_config.yml sets no permalink)".to_string(),
        ),
        Some("date") => (
            DEFAULT_PERMALINK.to_string(),
            "_config.yml: permalink date".into(),
        ),
        Some("pretty") => (
            "/:categories/:year/:month/:day/:title/".into(),
            "_config.yml: permalink pretty".into(),
        ),
        Some("none") => (
            "/:categories/:title.html".into(),
            "_config.yml: permalink none".into(),
        ),
        Some(style @ ("ordinal" | "weekdate")) => {
            plan.not_mapped(format!("_config.yml: permalink {style}: blogsmith has no day-of-year or week tokens; posts are published at blogsmith's /posts/:slug/"));
            return false;
        }
        Some(pattern) if pattern.contains(":output_ext") => {
            plan.note(format!("_config.yml: permalink `{pattern}`: `:output_ext` is `.html` for Markdown posts, and written so"));
            (
                pattern.replace(":output_ext", ".html"),
                "_config.yml: permalink".into(),
            )
        }
        Some(pattern) => (pattern.to_string(), "_config.yml: permalink".into()),
    };
    plan.map_permalink(&pattern, &from);
    pattern.ends_with('/')
}

/// The `exclude:` entries of `_config.yml`, without their trailing `/`.
fn excluded(config: &Value) -> Vec<String> {
    let listed = config
        .get("exclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|e| e.trim().trim_matches('/').to_string());
    EXCLUDED
        .iter()
        .map(|e| (*e).to_string())
        .chain(listed)
        .collect()
}

/// Whether `relative` is, or is inside, an excluded path; `*` in an entry
/// stands for any run of characters, as in Jekyll's globs.
fn is_excluded(relative: &Path, excluded: &[String]) -> bool {
    let path = files::shown(relative);
    let top = files::top(relative);
    if top.starts_with("_config") {
        return true;
    }
    excluded.iter().any(|entry| {
        path == *entry
            || path.starts_with(&format!("{entry}/"))
            || (entry.contains('*') && (wildcard(entry, &path) || wildcard(entry, &top)))
    })
}

/// `text` matches `pattern`, where `*` is any run of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// What was left out, named together.
#[derive(Default)]
struct Left {
    folders: BTreeMap<String, usize>,
    no_front_matter: Vec<String>,
    processed: Vec<String>,
    pages: Vec<String>,
}

/// Plans every file of the blog.
fn plan_files(
    plan: &mut Plan,
    source: &Path,
    found: &[PathBuf],
    pretty: bool,
) -> Result<(), ImportError> {
    let mut left = Left::default();
    for relative in found {
        let top = files::top(relative);
        let from = source.join(relative);
        if top == "_posts" || top == "_drafts" {
            plan.copy(from, Path::new("content").join(relative));
        } else if top.starts_with('_') {
            *left.folders.entry(top).or_default() += 1;
        } else if crate::content::is_markdown(relative) {
            page(plan, &from, relative, pretty, &mut left)?;
        } else if files::starts_with_front_matter(&from)? {
            left.processed.push(files::shown(relative));
        } else {
            plan.copy(from, Path::new("static").join(relative));
        }
    }
    report(plan, left);
    Ok(())
}

/// A Markdown file outside the `_` folders: a page when it has front matter.
fn page(
    plan: &mut Plan,
    from: &Path,
    relative: &Path,
    pretty: bool,
    left: &mut Left,
) -> Result<(), ImportError> {
    let shown = files::shown(relative);
    let Some(url) = page_url(relative) else {
        plan.not_mapped(
            "index.md: not imported; blogsmith writes the home page itself (the list of posts)",
        );
        return Ok(());
    };
    let front = match files::read_text(from)? {
        Some(text) => files::front_matter(&text).ok().map(|front| (text, front)),
        None => None,
    };
    match front {
        Some((_, front)) if front.format.is_none() => left.no_front_matter.push(shown),
        Some((text, front)) => {
            let url = match pretty {
                true => url
                    .strip_suffix(".html")
                    .map_or(url.clone(), |u| format!("{u}/")),
                false => url,
            };
            let to = Path::new("content").join(relative);
            if with_address(plan, (from, to), &text, &front, ("permalink", &url)) {
                left.pages.push(shown);
            }
        }
        None => {
            plan.copy(from.to_path_buf(), Path::new("content").join(relative));
            plan.note(format!("{shown}: front matter unreadable or not UTF-8; copied as it is, `blogsmith check` shows where"));
        }
    }
    Ok(())
}

/// Says what was left out, and which pages keep their address.
fn report(plan: &mut Plan, left: Left) {
    for (folder, count) in left.folders {
        plan.not_mapped(format!(
            "{folder}/ ({count} file(s)): not imported; Jekyll's `_` folders other than _posts and _drafts are layouts, includes, styles and data of the theme"
        ));
    }
    if !left.no_front_matter.is_empty() {
        plan.not_mapped(format!(
            "{}: Markdown without front matter, which Jekyll publishes as it is: not imported",
            files::listed(&left.no_front_matter)
        ));
    }
    if !left.processed.is_empty() {
        plan.not_mapped(format!(
            "{}: files with front matter that Jekyll fills in with Liquid (feeds, styles, layouts' pages): not imported; blogsmith writes its own feeds and styles",
            files::listed(&left.processed)
        ));
    }
    if !left.pages.is_empty() {
        plan.note(format!(
            "{} page(s) ({}) keep their old address as `permalink:`; blogsmith lists them as articles (on the index and in feeds)",
            left.pages.len(),
            files::listed(&left.pages)
        ));
    }
}

/// Posts writing inline math as kramdown does, `$$…$$` inside a line.
fn check_inline_display_math(plan: &mut Plan, source: &Path, found: &[PathBuf]) {
    let posts: Vec<String> = files::markdown_texts(source, found)
        .filter(|(_, text)| text.lines().any(inline_double_dollars))
        .map(|(path, _)| files::shown(path))
        .collect();
    if !posts.is_empty() {
        plan.note(format!(
            "{}: inline math written `$$…$$` (kramdown's way); blogsmith typesets every `$$…$$` as a display formula: change those to `$…$`",
            files::listed(&posts)
        ));
    }
}

/// A line holding `$$` beside other text (not a display formula on its own line).
fn inline_double_dollars(line: &str) -> bool {
    let line = line.trim();
    line.contains("$$") && !(line.starts_with("$$") && line.ends_with("$$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(yaml: &str) -> (Plan, bool) {
        let mut plan = Plan::default();
        let pretty = map_config(&mut plan, &old_config::parse(yaml, "yml").unwrap());
        (plan, pretty)
    }

    #[test]
    fn config_values_blogsmith_has() {
        let (plan, pretty) = mapped(
            "title: 笔记\ntagline: 副标题\ndescription: 说明\nauthor:\n  name: 张三\n  email: a@b.c\n\
             locale: zh_CN\ntimezone: Asia/Shanghai\nurl: https://a.github.io\nbaseurl: /notes\npaginate: 5\n",
        );
        assert_eq!(plan.value("subtitle").as_deref(), Some("\"副标题\""));
        assert_eq!(plan.value("author").as_deref(), Some("\"张三\""));
        assert_eq!(plan.value("language").as_deref(), Some("\"zh-CN\""));
        assert_eq!(
            plan.value("base_url").as_deref(),
            Some("\"https://a.github.io/notes/\"")
        );
        assert_eq!(plan.value("paginate").as_deref(), Some("5"));
        assert_eq!(
            plan.value("permalink").as_deref(),
            Some("\"/:categories/:year/:month/:day/:title.html\"")
        );
        assert!(!pretty);
    }

    #[test]
    fn permalink_styles() {
        let pattern = |yaml: &str| {
            let (plan, pretty) = mapped(yaml);
            (plan.value("permalink"), pretty, plan.not_mapped)
        };
        assert_eq!(
            pattern("permalink: pretty\n").0.as_deref(),
            Some("\"/:categories/:year/:month/:day/:title/\"")
        );
        assert!(pattern("permalink: pretty\n").1);
        assert_eq!(
            pattern("permalink: none\n").0.as_deref(),
            Some("\"/:categories/:title.html\"")
        );
        assert_eq!(
            pattern("permalink: /:year/:title:output_ext\n")
                .0
                .as_deref(),
            Some("\"/:year/:title.html\"")
        );
        let (none, _, said) = pattern("permalink: ordinal\n");
        assert_eq!(none, None);
        assert!(said[0].contains("ordinal"), "{said:?}");
        let (none, _, said) = pattern("permalink: /:short_year/:title/\n");
        assert_eq!(none, None);
        assert!(said[0].contains(":short_year"), "{said:?}");
    }

    #[test]
    fn excluded_paths() {
        let excluded = excluded(
            &old_config::parse("exclude: [README.md, docs/, \"*.log\"]\n", "yml").unwrap(),
        );
        for path in [
            "Gemfile",
            "vendor/bundle/x.rb",
            "README.md",
            "docs/a.png",
            "debug.log",
            "_config.dev.yml",
        ] {
            assert!(is_excluded(Path::new(path), &excluded), "{path}");
        }
        assert!(!is_excluded(Path::new("images/logo.png"), &excluded));
        assert!(wildcard("a*c*e", "abcde") && !wildcard("a*c", "abd"));
    }

    #[test]
    fn inline_double_dollars_are_found() {
        assert!(inline_double_dollars("设 $$x$$ 为"));
        assert!(!inline_double_dollars("$$x^2$$"));
        assert!(!inline_double_dollars("$$"));
    }
}
