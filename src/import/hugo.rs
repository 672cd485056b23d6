//! Hugo: `hugo.toml` (or `config.*`, `config/_default/`), `content/` with its
//! sections and bundles, `static/`, and blogdown's ways with math.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::files;
use super::hexo::with_address;
use super::old_config::{self, author};
use super::plan::Commented;
use super::{Generator, ImportError, Plan};

/// Configuration files Hugo reads, in the order it looks for them.
const CONFIG_FILES: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
];

/// Folders of a Hugo site that are the theme's or the templates' business.
const NOT_IMPORTED: &[(&str, &str)] = &[
    ("layouts", "templates"),
    ("themes", "the theme"),
    ("assets", "files Hugo Pipes processes (styles, scripts)"),
    ("data", "data files templates read"),
    ("i18n", "translations of the theme's words"),
    ("archetypes", "templates of new posts"),
];

/// Plans the import of the Hugo site at `source`.
pub(crate) fn plan(source: &Path) -> Result<Plan, ImportError> {
    let content = source.join("content");
    let (config, config_file) = match find_config(source) {
        Some(found) if content.is_dir() => found,
        found => {
            return Err(ImportError::NotABlog {
                generator: Generator::Hugo,
                path: source.to_path_buf(),
                missing: match (found, content.is_dir()) {
                    (None, false) => "no hugo.toml (or config.*) and no content/ folder",
                    (None, true) => "no hugo.toml, config.toml, .yaml, .json or config/_default/",
                    _ => "no content/ folder",
                }
                .into(),
            });
        }
    };
    let config = read_config(&config)?;
    let mut plan = Plan {
        config_file,
        ..Plan::default()
    };
    map_config(&mut plan, &config);
    let found = files::walk(&content)?;
    let main = main_section(&found);
    let permalinks = permalinks(&config);
    map_permalink(&mut plan, &main, &permalinks);
    let site = Site {
        content: &content,
        main: &main,
        permalinks: &permalinks,
        ugly: get(&config, "uglyURLs").and_then(Value::as_bool) == Some(true),
        lower: get(&config, "disablePathToLower").and_then(Value::as_bool) != Some(true),
    };
    plan_content(&mut plan, &site, &found)?;
    plan_static(&mut plan, source)?;
    for (folder, what) in NOT_IMPORTED {
        if source.join(folder).is_dir() {
            plan.not_mapped(format!(
                "{folder}/: {what}: not imported; blogsmith has its own templates (put yours in templates/)"
            ));
        }
    }
    check_blogdown(&mut plan, source, &content, &found);
    Ok(plan)
}

/// Where the configuration is: a file, or the folder `config/_default/`.
enum ConfigAt {
    File(PathBuf),
    Folder(PathBuf),
}

/// The configuration Hugo would read, and its name for messages.
fn find_config(source: &Path) -> Option<(ConfigAt, PathBuf)> {
    if let Some(name) = CONFIG_FILES.iter().find(|n| source.join(n).is_file()) {
        return Some((ConfigAt::File(source.join(name)), PathBuf::from(name)));
    }
    let folder = source.join("config").join("_default");
    folder
        .is_dir()
        .then(|| (ConfigAt::Folder(folder), PathBuf::from("config/_default")))
}

/// Reads the configuration; in `config/_default/`, `params.toml` is the
/// value of `params`, and so on for every file but `hugo.*`/`config.*`.
fn read_config(at: &ConfigAt) -> Result<Value, ImportError> {
    let folder = match at {
        ConfigAt::File(path) => return old_config::read(path),
        ConfigAt::Folder(folder) => folder,
    };
    let mut root = match CONFIG_FILES.iter().find(|n| folder.join(n).is_file()) {
        Some(name) => old_config::read(&folder.join(name))?,
        None => Value::Object(Default::default()),
    };
    for relative in files::walk(folder)? {
        let path = folder.join(&relative);
        let Some(stem) = relative
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let known = matches!(
            relative.extension().and_then(|e| e.to_str()),
            Some("toml" | "yaml" | "yml" | "json")
        );
        if !known || relative.components().count() > 1 || stem == "hugo" || stem == "config" {
            continue;
        }
        let value = old_config::read(&path)?;
        if let Value::Object(map) = &mut root {
            map.entry(stem).or_insert(value);
        }
    }
    Ok(root)
}

/// A key of Hugo's configuration, whose keys are case-insensitive.
fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A text value at a path of case-insensitive keys.
fn text(config: &Value, keys: &[&str]) -> Option<String> {
    let value = keys.iter().try_fold(config, |v, k| get(v, k))?;
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Maps the values of the configuration that blogsmith has (the permalink apart).
pub(crate) fn map_config(plan: &mut Plan, config: &Value) {
    let name = plan.config_file.to_string_lossy().into_owned();
    let from = |key: &str| format!("{name}: {key}");
    if let Some(url) = text(config, &["baseURL"]) {
        plan.map_base_url(&url, &from("baseURL"));
    }
    plan.map_text("title", text(config, &["title"]), &from("title"));
    plan.map_text(
        "subtitle",
        text(config, &["params", "subtitle"]),
        &from("params.subtitle"),
    );
    let description = text(config, &["params", "description"]);
    plan.map_text("description", description, &from("params.description"));
    match get(config, "author").and_then(author) {
        Some(name) => plan.map_text("author", Some(name), &from("author")),
        None => {
            let name = get(config, "params")
                .and_then(|p| get(p, "author"))
                .and_then(author);
            plan.map_text("author", name, &from("params.author"));
        }
    }
    match get(config, "languageCode") {
        Some(code) => plan.map_language(Some(code), &from("languageCode")),
        None => plan.map_language(
            get(config, "defaultContentLanguage"),
            &from("defaultContentLanguage"),
        ),
    }
    plan.map_timezone(text(config, &["timeZone"]), &from("timeZone"));
    let pager = get(config, "pagination").and_then(|p| get(p, "pagerSize"));
    match get(config, "paginate") {
        Some(paginate) => plan.map_paginate(Some(paginate), &from("paginate")),
        None => plan.map_paginate(pager, &from("pagination.pagerSize")),
    }
    if let Some(theme) = text(config, &["theme"]) {
        plan.not_mapped(format!(
            "{}: theme `{theme}`: blogsmith has its own templates (put yours in templates/)",
            name
        ));
    }
}

/// The section holding the most posts (ties: the first by name); `posts` when none has any.
fn main_section(found: &[PathBuf]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for relative in found.iter().filter(|f| is_page(f)) {
        if relative.components().count() > 1 {
            *counts.entry(files::top(relative)).or_default() += 1;
        }
    }
    let most = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, n)| *n == most)
        .map_or_else(|| "posts".into(), |(section, _)| section)
}

/// A Markdown page of `content/` (not a section's `_index.md`).
fn is_page(relative: &Path) -> bool {
    crate::content::is_markdown(relative) && relative.file_stem().is_none_or(|s| s != "_index")
}

/// `permalinks:` as section → pattern, from both its forms (`posts = …` and `[permalinks.page]`).
fn permalinks(config: &Value) -> BTreeMap<String, String> {
    let Some(Value::Object(table)) = get(config, "permalinks") else {
        return BTreeMap::new();
    };
    let flat = table
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())));
    let pages = table
        .iter()
        .find(|(k, _)| k.as_str() == "page")
        .and_then(|(_, v)| v.as_object())
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())));
    flat.chain(pages).collect()
}

/// Maps the main section's pattern to blogsmith's tokens.
fn map_permalink(plan: &mut Plan, main: &str, permalinks: &BTreeMap<String, String>) {
    let name = plan.config_file.to_string_lossy().into_owned();
    let Some(pattern) = permalinks.get(main) else {
        let from = format!("Hugo's default for the section `{main}`, the one with the most posts");
        plan.map_permalink(&format!("/{main}/:slug/"), &from);
        return;
    };
    let from = format!("{name}: permalinks.{main} `{pattern}` (the section with the most posts)");
    match translate(pattern, main) {
        Ok(translated) => {
            if pattern.contains(":title") {
                plan.note(format!("permalinks.{main}: Hugo's `:title` is the title made into a URL; blogsmith's `:slug` is `slug:` or the file name: posts whose title is not their file name move (give them `slug:`)"));
            } else if pattern.contains(":slug") && !pattern.contains(":slugor") {
                plan.note(format!("permalinks.{main}: Hugo's `:slug` is the title made into a URL when a post has no `slug:`; blogsmith's is the file name: such posts move (give them `slug:`)"));
            }
            plan.map_permalink(&translated, &from);
        }
        Err(token) => plan.not_mapped(format!(
            "{from}: blogsmith has no `{token}`; posts are published at blogsmith's /posts/:slug/ (set `permalink:` by hand)"
        )),
    }
}

/// A Hugo pattern in blogsmith's tokens; `Err` with the first token blogsmith has no match for.
pub(crate) fn translate(pattern: &str, section: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let token = &after[..len];
        out.push_str(match token {
            "year" | "month" | "day" => &rest[at..at + 1 + len],
            "slug"
            | "title"
            | "filename"
            | "contentbasename"
            | "slugorfilename"
            | "slugorcontentbasename" => ":slug",
            "section" | "sections" => section,
            _ => return Err(format!(":{token}")),
        });
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What the content plan needs to know about the site.
struct Site<'a> {
    content: &'a Path,
    main: &'a str,
    permalinks: &'a BTreeMap<String, String>,
    ugly: bool,
    lower: bool,
}

/// Plans every file of `content/`.
fn plan_content(plan: &mut Plan, site: &Site<'_>, found: &[PathBuf]) -> Result<(), ImportError> {
    let (mut lists, mut rmarkdown, mut html, mut pages) = (0, 0, Vec::new(), Vec::new());
    for relative in found {
        let from = site.content.join(relative);
        let to = Path::new("content").join(relative);
        let extension = relative
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if relative.file_stem().is_some_and(|s| s == "_index") {
            lists += 1;
        } else if extension == "rmd" || extension == "rmarkdown" {
            rmarkdown += 1;
        } else if !crate::content::is_markdown(relative) {
            if extension == "html" && files::starts_with_front_matter(&from)? {
                html.push(files::shown(relative));
            } else {
                plan.copy(from, to);
            }
        } else if relative.components().count() > 1 && files::top(relative) == site.main {
            plan.copy(from, to);
        } else if page(plan, site, relative)? {
            pages.push(files::shown(relative));
        }
    }
    report_content(plan, lists, rmarkdown, &html, &pages);
    Ok(())
}

/// A Markdown page outside the main section: copied with its old address
/// as `url:`. Returns whether the address was added.
fn page(plan: &mut Plan, site: &Site<'_>, relative: &Path) -> Result<bool, ImportError> {
    let from = site.content.join(relative);
    let to = Path::new("content").join(relative);
    let section = match relative.components().count() {
        1 => String::new(),
        _ => files::top(relative),
    };
    let shown = files::shown(relative);
    if let Some(pattern) = site.permalinks.get(&section) {
        plan.copy(from, to);
        plan.not_mapped(format!("content/{shown}: its section has its own pattern `{pattern}`; copied without its old address"));
        return Ok(false);
    }
    let front = match files::read_text(&from)? {
        Some(text) => files::front_matter(&text).ok().map(|front| (text, front)),
        None => None,
    };
    let Some((text, front)) = front else {
        plan.copy(from, to);
        plan.note(format!("content/{shown}: front matter unreadable or not UTF-8; copied as it is, `blogsmith check` shows where"));
        return Ok(false);
    };
    let url = page_url(relative, front.string("slug"), site.ugly, site.lower);
    Ok(with_address(
        plan,
        (&from, to),
        &text,
        &front,
        ("url", &url),
    ))
}

/// Where Hugo publishes a page by default: its folder and its name (or
/// `slug:`), lower-cased unless the site says not to.
pub(crate) fn page_url(relative: &Path, slug: Option<&str>, ugly: bool, lower: bool) -> String {
    let is_bundle = relative.file_stem().is_some_and(|s| s == "index");
    let mut parts: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match (is_bundle, slug) {
        (true, Some(slug)) => {
            parts.pop();
            parts.push(slug.to_string());
        }
        (true, None) => {}
        (false, slug) => parts.push(slug.map_or(name, str::to_string)),
    }
    let path = parts.join("/");
    let path = if lower { path.to_lowercase() } else { path };
    match ugly {
        true => format!("/{path}.html"),
        false => format!("/{path}/"),
    }
}

/// Says what of `content/` was left out, and which pages keep their address.
fn report_content(
    plan: &mut Plan,
    lists: usize,
    rmarkdown: usize,
    html: &[String],
    pages: &[String],
) {
    if lists > 0 {
        plan.not_mapped(format!("{lists} _index.md file(s) (the texts of list pages): not imported; blogsmith writes its own index, tag and category pages"));
    }
    if rmarkdown > 0 {
        plan.not_mapped(format!("{rmarkdown} R Markdown file(s) (.Rmd, .Rmarkdown): not imported; knit them to .md with blogdown first, then import again"));
    }
    if !html.is_empty() {
        plan.not_mapped(format!(
            "{}: HTML pages with front matter: not imported; blogsmith reads Markdown",
            files::listed(html)
        ));
    }
    if !pages.is_empty() {
        plan.note(format!(
            "{} page(s) outside the main section ({}) keep their old address as `url:`; blogsmith lists them as articles (on the index and in feeds)",
            pages.len(),
            files::listed(pages)
        ));
    }
}

/// `static/` as it is.
fn plan_static(plan: &mut Plan, source: &Path) -> Result<(), ImportError> {
    let dir = source.join("static");
    if dir.is_dir() {
        for relative in files::walk(&dir)? {
            plan.copy(dir.join(&relative), Path::new("static").join(relative));
        }
    }
    Ok(())
}

/// blogdown sites write math in code spans (`` `$x$` ``) so Pandoc keeps it.
fn check_blogdown(plan: &mut Plan, source: &Path, content: &Path, found: &[PathBuf]) {
    let r_project = source.join(".Rprofile").is_file()
        || std::fs::read_dir(source)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "Rproj"));
    let r_markdown = found.iter().any(|f| {
        f.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("rmd") || e.eq_ignore_ascii_case("rmarkdown"))
    });
    let spans = files::markdown_texts(content, found)
        .filter(|(_, text)| text.contains("`$"))
        .count();
    if !(r_project || r_markdown || spans > 0) {
        return;
    }
    plan.commented.push(Commented {
        key: "code_spans",
        available: true,
        why: "A blogdown site: formulas may be written in code spans (`$x$`) so that\n\
              Pandoc leaves them alone; this reads such a code span as the formula."
            .into(),
    });
    plan.note(format!(
        "blogdown: math in code spans ({spans} post(s) write `` `$ ``): math.code_spans is on in blogsmith.yaml"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(toml: &str) -> Plan {
        let mut plan = Plan {
            config_file: "hugo.toml".into(),
            ..Plan::default()
        };
        map_config(&mut plan, &old_config::parse(toml, "toml").unwrap());
        plan
    }

    #[test]
    fn config_values_blogsmith_has() {
        let plan = mapped(
            "baseurl = \"https://example.org/notes\"\ntitle = \"笔记\"\ndefaultContentLanguage = \"zh-cn\"\n\
             timeZone = \"Asia/Shanghai\"\n[pagination]\npagerSize = 7\n[params]\nsubtitle = \"副\"\n\
             description = \"说明\"\n[params.author]\nname = \"王五\"\n",
        );
        assert_eq!(
            plan.value("base_url").as_deref(),
            Some("\"https://example.org/notes/\"")
        );
        assert_eq!(plan.value("language").as_deref(), Some("\"zh-cn\""));
        assert_eq!(plan.value("paginate").as_deref(), Some("7"));
        assert_eq!(plan.value("subtitle").as_deref(), Some("\"副\""));
        assert_eq!(plan.value("author").as_deref(), Some("\"王五\""));
        assert_eq!(plan.value("timezone").as_deref(), Some("\"Asia/Shanghai\""));
    }

    #[test]
    fn permalinks_in_blogsmith_s_tokens() {
        assert_eq!(
            translate("/:year/:month/:slug/", "posts").as_deref(),
            Ok("/:year/:month/:slug/")
        );
        assert_eq!(
            translate("/:section/:filename/", "blog").as_deref(),
            Ok("/blog/:slug/")
        );
        assert_eq!(translate("/:title/", "posts").as_deref(), Ok("/:slug/"));
        assert_eq!(
            translate("/:year/:monthname/:slug/", "posts"),
            Err(":monthname".into())
        );
        let config = old_config::parse(
            "[permalinks]\ntags = \"/t/:slug/\"\n[permalinks.page]\nposts = \"/:year/:slug/\"\n",
            "toml",
        )
        .unwrap();
        let found = permalinks(&config);
        assert_eq!(
            found.get("posts").map(String::as_str),
            Some("/:year/:slug/")
        );
        let mut plan = Plan::default();
        map_permalink(&mut plan, "posts", &found);
        assert_eq!(
            plan.value("permalink").as_deref(),
            Some("\"/:year/:slug/\"")
        );
        let mut plan = Plan::default();
        map_permalink(&mut plan, "blog", &BTreeMap::new());
        assert_eq!(plan.value("permalink").as_deref(), Some("\"/blog/:slug/\""));
    }

    #[test]
    fn main_section_and_page_addresses() {
        let found: Vec<PathBuf> = [
            "about.md",
            "notes/a.md",
            "posts/a.md",
            "posts/b/index.md",
            "posts/_index.md",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(main_section(&found), "posts");
        assert_eq!(
            page_url(Path::new("about.md"), None, false, true),
            "/about/"
        );
        assert_eq!(
            page_url(Path::new("About/index.md"), None, false, true),
            "/about/"
        );
        assert_eq!(
            page_url(Path::new("notes/x.md"), Some("y"), false, true),
            "/notes/y/"
        );
        assert_eq!(
            page_url(Path::new("notes/x.md"), None, true, true),
            "/notes/x.html"
        );
    }
}
