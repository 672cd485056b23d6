//! Where an article is published: `posts/<slug>/` by default, a site-wide
//! pattern (`permalink:` in `blogsmith.yaml`, with Hexo's and Jekyll's
//! tokens), or the article's own `permalink:`/`url:`; and the redirect pages
//! its `aliases:` get, so that a moved blog keeps its addresses.

use jiff::tz::TimeZone;

use crate::content::Page;
use crate::util::url::slugify;

#[cfg(test)]
use crate::config::DEFAULT_PERMALINK as DEFAULT_PATTERN;

/// Where a page is written: its file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `posts/rope/index.html`, `2019/07/29/rope.html`.
    pub file: String,
}

impl Route {
    /// The route of a URL path (`/a/b/`, `a/b.html`, `a/b`): a folder's
    /// `index.html`, or the `.html` file named. `None` for an empty path.
    pub fn of_path(path: &str) -> Option<Self> {
        let parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.is_empty() || parts.contains(&"..") {
            return None;
        }
        let joined = parts.join("/");
        let is_file = !path.ends_with('/')
            && parts
                .last()
                .is_some_and(|last| last.ends_with(".html") || last.ends_with(".htm"));
        let file = match is_file {
            true => joined,
            false => format!("{joined}/index.html"),
        };
        Some(Self { file })
    }

    /// The folder the page is in: its files (images) go there too.
    pub fn dir(&self) -> &str {
        self.file.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// Whether the page is its folder's `index.html` (its URL ends with `/`).
    pub fn is_index(&self) -> bool {
        self.file == "index.html" || self.file.ends_with("/index.html")
    }
}

/// The route of `page`: its own `permalink:` (which may use tokens too),
/// else the site's `pattern`. `None` when the result is empty or leaves the
/// output folder (`..`).
pub fn route(page: &Page, pattern: &str, tz: &TimeZone) -> Option<Route> {
    let pattern = page.permalink.as_deref().unwrap_or(pattern);
    Route::of_path(&expand(pattern, page, tz))
}

/// `pattern` with every token replaced by the page's value.
fn expand(pattern: &str, page: &Page, tz: &TimeZone) -> String {
    let date = page.date.to_zoned(tz.clone());
    // Jekyll's `:categories`: every category, each level a folder; Hexo's
    // `:category`: the last category with its parents (`机器学习/优化`).
    let levels = |category: &String| category.split('/').map(slugify).collect::<Vec<_>>();
    let categories: Vec<String> = page.categories.iter().flat_map(levels).collect();
    let category: String = page
        .categories
        .last()
        .map(levels)
        .unwrap_or_default()
        .join("/");
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let value = match &after[..len] {
            "year" => format!("{:04}", date.year()),
            "month" => format!("{:02}", date.month()),
            "day" => format!("{:02}", date.day()),
            "i_month" => date.month().to_string(),
            "i_day" => date.day().to_string(),
            "hour" => format!("{:02}", date.hour()),
            "minute" => format!("{:02}", date.minute()),
            "second" => format!("{:02}", date.second()),
            "title" | "slug" => page.slug.clone(),
            "name" => name_of(page),
            "categories" => categories.join("/"),
            "category" => category.clone(),
            other => format!(":{other}"),
        };
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The article's file name without its extension and date prefix.
fn name_of(page: &Page) -> String {
    let stem = page
        .relative
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    match stem.get(10..).and_then(|rest| rest.strip_prefix('-')) {
        Some(rest) if stem.as_bytes().get(4) == Some(&b'-') => rest.to_string(),
        _ => stem,
    }
}

/// A redirect page: an HTML meta refresh to `target` (an absolute or
/// root-relative URL) with the canonical link, for search engines.
pub fn redirect_page(target: &str) -> String {
    let target = crate::markdown::escape(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p><a href=\"{target}\">{target}</a></p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_date;

    fn page(slug: &str, date: &str, categories: &[&str]) -> Page {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        Page {
            source: format!("content/_posts/2019-07-29-{slug}.md").into(),
            relative: format!("_posts/2019-07-29-{slug}.md").into(),
            slug: slug.into(),
            title: "T".into(),
            date: parse_date(date, &tz).unwrap(),
            updated: None,
            tags: Vec::new(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            summary: None,
            description: None,
            permalink: None,
            aliases: Vec::new(),
            permalink_at: None,
            aliases_at: None,
            bibliography: Vec::new(),
            bibliography_at: None,
            pinned: false,
            draft: false,
            extra: Default::default(),
            body: String::new(),
            body_line: 1,
            is_bundle: false,
            date_from_file_time: false,
            generated_html: Vec::new(),
            line_map: Vec::new(),
        }
    }

    #[test]
    fn patterns_of_hexo_jekyll_and_hugo() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let p = page("rope", "2019-07-29 08:05:09", &["机器学习/优化"]);
        let file = |pattern: &str| route(&p, pattern, &tz).map(|r| r.file);
        assert_eq!(
            file(DEFAULT_PATTERN).as_deref(),
            Some("posts/rope/index.html")
        );
        assert_eq!(
            file(":year/:month/:day/:title/").as_deref(),
            Some("2019/07/29/rope/index.html"),
            "Hexo's default"
        );
        assert_eq!(
            file("/:categories/:year/:month/:day/:title.html").as_deref(),
            Some("机器学习/优化/2019/07/29/rope.html"),
            "Jekyll's default"
        );
        assert_eq!(
            file("/:year/:i_month/:name").as_deref(),
            Some("2019/7/rope/index.html")
        );
        assert_eq!(
            file("/:category/:title/").as_deref(),
            Some("机器学习/优化/rope/index.html")
        );
        // Jekyll's space-separated categories: each one a folder.
        let flat = page("rope", "2019-07-29", &["ml", "optimization"]);
        let of = |pattern: &str| route(&flat, pattern, &tz).map(|r| r.file);
        assert_eq!(
            of("/:categories/:title.html").as_deref(),
            Some("ml/optimization/rope.html")
        );
        assert_eq!(
            of("/:category/:title/").as_deref(),
            Some("optimization/rope/index.html"),
            "Hexo's last"
        );
        assert_eq!(file("/../x/"), None);
        use crate::config::unknown_permalink_token as unknown;
        assert_eq!(unknown("/:year/:titel/"), Some(":titel".into()));
        assert_eq!(unknown(DEFAULT_PATTERN), None);
        let own = Page {
            permalink: Some("/2019/07/29/old-name/".into()),
            ..p.clone()
        };
        assert_eq!(
            route(&own, DEFAULT_PATTERN, &tz).map(|r| r.file).as_deref(),
            Some("2019/07/29/old-name/index.html")
        );
    }

    #[test]
    fn routes_of_paths() {
        let r = Route::of_path("/a/b.html").unwrap();
        assert_eq!(
            (r.file.as_str(), r.dir(), r.is_index()),
            ("a/b.html", "a", false)
        );
        let r = Route::of_path("a/b").unwrap();
        assert_eq!(
            (r.file.as_str(), r.dir(), r.is_index()),
            ("a/b/index.html", "a/b", true)
        );
        assert_eq!(Route::of_path("/"), None);
    }
}
