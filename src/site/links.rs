//! Links between the site's own pages: `[见此](./rope.md#旋转矩阵)` becomes the
//! article's URL and anchor, and links to missing articles, files or headings
//! are reported where they are written.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use super::Post;
use super::references::Labels;
use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::markdown::references::reference_of;
use crate::markdown::{LINK_MARKER, LocalLink, links_to_article};
use crate::util::url::percent_decode;

/// The width and height in pixels of the images among some files (paths
/// relative to `content/`), read from the files; those it cannot read are left out.
pub type ImageSizes<'a> = &'a dyn Fn(&[&Path]) -> HashMap<PathBuf, (u32, u32)>;

/// Points relative links at their targets and checks every local link.
///
/// In the article, a file link stays as written (the file is copied beside the
/// page); in the excerpt, shown on list pages, it is made absolute. Images
/// get their size from `image_size`.
pub fn resolve(
    posts: &mut [Post],
    assets: &BTreeSet<PathBuf>,
    image_sizes: ImageSizes<'_>,
) -> Vec<Diagnostic> {
    // The files linked, asked for their sizes at once (the lookup reads them in parallel).
    let files: BTreeSet<PathBuf> = posts
        .iter()
        .flat_map(|post| {
            post.local_links
                .iter()
                .filter(|link| reference_of(&link.url).is_none() && !links_to_article(&link.url))
                .filter_map(|link| linked_file(post, split(&link.url).0, assets))
        })
        .collect();
    let sizes = image_sizes(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let by_source: HashMap<PathBuf, usize> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.clone(), i))
        .collect();
    // Hexo's `post_link` names a post by its file name, wherever it is.
    let mut by_stem: HashMap<String, Option<usize>> = HashMap::new();
    for (i, post) in posts.iter().enumerate() {
        if let Some(stem) = post.source.file_stem() {
            by_stem
                .entry(stem.to_string_lossy().into_owned())
                .and_modify(|unique| *unique = None)
                .or_insert(Some(i));
        }
    }
    let targets: Vec<(String, BTreeSet<String>, String)> = posts
        .iter()
        .map(|p| {
            let anchors = p.anchors.iter().cloned().collect();
            (p.url.clone(), anchors, p.title.clone())
        })
        .collect();
    let (labels, mut diagnostics) = Labels::of(posts);
    let urls: Vec<String> = targets.iter().map(|(url, _, _)| url.clone()).collect();
    for (from, post) in posts.iter_mut().enumerate() {
        let file = Path::new(CONTENT_DIR).join(&post.source);
        let source_dir = post.source.parent().unwrap_or(Path::new("")).to_path_buf();
        let own_anchors: BTreeSet<&str> = post.anchors.iter().map(String::as_str).collect();
        let mut replacements = Vec::new();
        for (index, link) in post.local_links.iter().enumerate() {
            if let Some(reference) = reference_of(&link.url) {
                let (page, excerpt, problem) = labels.resolve(&urls, from, reference, link, &file);
                replacements.push((index, page, excerpt));
                diagnostics.extend(problem);
                continue;
            }
            let (path, fragment) = split(&link.url);
            let problem = if path.is_empty() {
                anchor_problem(fragment, &own_anchors, "this page")
            } else if links_to_article(&link.url) {
                // Relative to the article, else (Hugo's `ref`, Jekyll's `link`)
                // to `content/`.
                let target = resolve_path(&source_dir, path)
                    .and_then(|p| by_source.get(&p))
                    .or_else(|| {
                        resolve_path(Path::new(""), path.trim_start_matches('/'))
                            .and_then(|p| by_source.get(&p))
                    })
                    .copied()
                    .or_else(|| {
                        let stem = Path::new(path).file_stem()?.to_string_lossy().into_owned();
                        (!path.contains('/')).then(|| by_stem.get(&stem).copied().flatten())?
                    });
                match target {
                    Some(target) => {
                        let (url, anchors, title) = &targets[target];
                        let anchors: BTreeSet<&str> = anchors.iter().map(String::as_str).collect();
                        // An empty link to an equation shows its number: `(3)`.
                        let title = labels.text_of(target, fragment).unwrap_or(title);
                        let href = if fragment.is_empty() {
                            url.clone()
                        } else {
                            format!("{url}#{fragment}")
                        };
                        replacements.push((
                            index,
                            LinkTarget::to_article(href.clone(), title),
                            LinkTarget::to_article(href, title),
                        ));
                        anchor_problem(fragment, &anchors, path)
                    }
                    None => {
                        let unresolved = LinkTarget::new(link.url.clone());
                        replacements.push((index, unresolved.clone(), unresolved));
                        Some(format!(
                            "`{}` links to an article that does not exist (or is a draft)",
                            link.url
                        ))
                    }
                }
            } else {
                let file = linked_file(post, path, assets);
                let size = file.as_ref().and_then(|f| sizes.get(f)).copied();
                let in_excerpt = LinkTarget {
                    size,
                    ..LinkTarget::new(format!("{}{}", post.url, link.url))
                };
                let in_page = LinkTarget {
                    size,
                    ..LinkTarget::new(link.url.clone())
                };
                replacements.push((index, in_page, in_excerpt));
                match file {
                    Some(_) => None,
                    None => Some(format!(
                        "`{}` links to a file that does not exist",
                        link.url
                    )),
                }
            };
            if let Some(message) = problem {
                diagnostics.push(broken(&file, link, message));
            }
        }
        if !replacements.is_empty() {
            // The page now shows other articles' URLs: its key must change with them,
            // or a renamed target would leave this page stale.
            post.source_hash = crate::util::hash::hash_of(&(post.source_hash, &replacements));
            let in_excerpt: HashMap<usize, &LinkTarget> = replacements
                .iter()
                .map(|(i, _, excerpt)| (*i, excerpt))
                .collect();
            post.excerpt = replace_markers(&post.excerpt, &in_excerpt).into();
            // Put into the article's HTML when its page is rendered (Post::resolve_links).
            post.link_targets = replacements
                .into_iter()
                .map(|(i, page, _)| (i, page))
                .collect();
        }
    }
    diagnostics
}

/// The file of the site a link's `path` in `post` names, if it exists:
/// beside the article, else in its asset folder.
fn linked_file(post: &Post, path: &str, assets: &BTreeSet<PathBuf>) -> Option<PathBuf> {
    if path.is_empty() {
        return None;
    }
    let source_dir = post.source.parent().unwrap_or(Path::new(""));
    resolve_path(source_dir, path)
        .filter(|p| assets.contains(p))
        .or_else(|| {
            let folder = post.asset_folder()?;
            resolve_path(&folder, path).filter(|p| assets.contains(p))
        })
}

/// Warnings for links to paths of the site (`/posts/x/`, `/2019/07/29/x/`,
/// `/img/a.png`) that are no file of the output: `exists` says whether the
/// output has a file (`/`-separated, relative to the output folder).
pub fn check_root_links(
    posts: &[Post],
    base_path: &str,
    exists: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for post in posts {
        for link in &post.root_links {
            let (path, _) = split(&link.url);
            let Some(decoded) = percent_decode(path) else {
                continue;
            };
            // A link outside the site's base path may be another site on the same host.
            let Some(inside) = decoded.strip_prefix(base_path.trim_end_matches('/')) else {
                continue;
            };
            let inside = inside.trim_start_matches('/');
            let found = match inside {
                "" => exists("index.html"),
                dir if dir.ends_with('/') => exists(&format!("{dir}index.html")),
                file => exists(file) || exists(&format!("{file}/index.html")),
            };
            if !found {
                let file = Path::new(CONTENT_DIR).join(&post.source);
                diagnostics.push(broken(
                    &file,
                    link,
                    format!("`{}` is no page or file of this site", link.url),
                ));
            }
        }
    }
    diagnostics
}

/// Where one link of an article points, as its HTML gets it.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct LinkTarget {
    /// What replaces the marker in `href`/`src`.
    pub href: String,
    /// The title of the article linked to: the text of a link written without
    /// any (`[](other.md)`, Hexo's `{% post_link other %}`).
    pub title: Option<String>,
    /// An image's width and height, read from its file: an `<img>` showing
    /// it gets them, so the page does not shift when it loads.
    pub size: Option<(u32, u32)>,
}

impl LinkTarget {
    fn new(href: String) -> Self {
        Self {
            href,
            title: None,
            size: None,
        }
    }

    fn to_article(href: String, title: &str) -> Self {
        let title = Some(title.to_string());
        Self {
            href,
            title,
            size: None,
        }
    }

    /// The text of an empty link: the article's title, else the address as written.
    fn text(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.href)
    }
}

/// Replaces every `="<LINK_MARKER><n>"` attribute value in one pass, and gives
/// a link written without text (`<a href="…"></a>`) the title of its article.
pub fn replace_markers(html: &str, targets: &HashMap<usize, &LinkTarget>) -> String {
    let pattern = format!("=\"{LINK_MARKER}");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(&pattern) {
        let after = &rest[at + pattern.len()..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let target = after[..digits].parse().ok().and_then(|i| targets.get(&i));
        match target {
            Some(target) if after[digits..].starts_with('"') => {
                let is_href = rest[..at].ends_with(" href");
                let in_img = rest[..at].ends_with(" src")
                    && rest[..at]
                        .rfind('<')
                        .is_some_and(|open| rest[open..].starts_with("<img "));
                out.push_str(&rest[..at]);
                out.push_str("=\"");
                out.push_str(&crate::markdown::escape(&target.href));
                rest = &after[digits..];
                if in_img && let Some(size) = target.size {
                    // After the closing quote of `src`.
                    out.push('"');
                    rest = &rest[1..];
                    out.push_str(&size_attributes(rest, size));
                    continue;
                }
                const EMPTY_LINK: &str = "\"></a>";
                if is_href && rest.starts_with(EMPTY_LINK) {
                    out.push_str("\">");
                    out.push_str(&crate::markdown::escape(target.text()));
                    out.push_str("</a>");
                    rest = &rest[EMPTY_LINK.len()..];
                }
            }
            _ => {
                out.push_str(&rest[..at + pattern.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `width`/`height` attributes an `<img>` whose attributes after `src`
/// are `tag_rest` lacks: both from the file; only `height` when the author
/// gave a width in pixels (the file's aspect kept); none when it has both
/// or a height of its own.
fn size_attributes(tag_rest: &str, (width, height): (u32, u32)) -> String {
    let tag = &tag_rest[..tag_rest.find('>').unwrap_or(tag_rest.len())];
    let attribute = |name: &str| {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(&tag[at..at + tag[at..].find('"')?])
    };
    if attribute("height").is_some() || width == 0 {
        return String::new();
    }
    match attribute("width") {
        None => format!(" width=\"{width}\" height=\"{height}\""),
        Some(given) => match given.parse::<u64>() {
            Ok(given) => {
                let scaled = (given * u64::from(height) + u64::from(width) / 2) / u64::from(width);
                format!(" height=\"{scaled}\"")
            }
            Err(_) => String::new(),
        },
    }
}

fn broken(file: &Path, link: &LocalLink, message: String) -> Diagnostic {
    Diagnostic::warning(file, format!("broken link: {message}"))
        .at(link.position)
        .with_hint("check the path (relative to this article) and the heading's id")
        .strict()
}

/// `path#fragment` (the query dropped), both percent-decoded where possible.
fn split(url: &str) -> (&str, &str) {
    let (before, fragment) = url.split_once('#').unwrap_or((url, ""));
    let path = before.split('?').next().unwrap_or("");
    (path, fragment)
}

fn anchor_problem(fragment: &str, anchors: &BTreeSet<&str>, page: &str) -> Option<String> {
    if fragment.is_empty() {
        return None;
    }
    let decoded = percent_decode(fragment).unwrap_or_else(|| fragment.to_string());
    (!anchors.contains(decoded.as_str())).then(|| format!("no heading `#{decoded}` in {page}"))
}

/// `dir/relative`, normalised, if it stays inside `content/`.
fn resolve_path(dir: &Path, relative: &str) -> Option<PathBuf> {
    let decoded = percent_decode(relative)?;
    let mut parts: Vec<&std::ffi::OsStr> = dir.iter().collect();
    for component in Path::new(&decoded).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_content_only() {
        assert_eq!(
            resolve_path(Path::new("notes"), "./rope.md"),
            Some(PathBuf::from("notes/rope.md"))
        );
        assert_eq!(
            resolve_path(Path::new("notes"), "../img/%E5%9B%BE.png"),
            Some(PathBuf::from("img/图.png"))
        );
        assert_eq!(resolve_path(Path::new(""), "../outside.md"), None);
        assert_eq!(resolve_path(Path::new(""), "bad%zz"), None);
    }

    #[test]
    fn anchors_are_decoded_before_checking() {
        let anchors = BTreeSet::from(["旋转矩阵"]);
        assert_eq!(
            anchor_problem("%E6%97%8B%E8%BD%AC%E7%9F%A9%E9%98%B5", &anchors, "x"),
            None
        );
        assert!(anchor_problem("没有", &anchors, "x").is_some());
        assert_eq!(split("a.md?x=1#h"), ("a.md", "h"));
    }
}
