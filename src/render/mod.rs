//! Applying templates to the assembled site and writing the output.

pub mod output;
pub mod theme;

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::site::{Link, ListKind, ListPage, Post, Site, Taxonomy, Term};
pub use output::{Contents, OutputFile};
pub use theme::Theme;

/// The generated highlighting stylesheet, at the output root.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

/// An article as list pages show it: everything but its content.
#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    url: &'a str,
    permalink: &'a str,
    date: &'a str,
    date_iso: &'a str,
    updated: &'a Option<String>,
    tags: &'a [Link],
    categories: &'a [Link],
    excerpt: &'a str,
    has_more: bool,
    reading_minutes: usize,
    word_count: usize,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

impl<'a> From<&'a Post> for Entry<'a> {
    fn from(p: &'a Post) -> Self {
        Self {
            title: &p.title,
            url: &p.url,
            permalink: &p.permalink,
            date: &p.date,
            date_iso: &p.date_iso,
            updated: &p.updated,
            tags: &p.tags,
            categories: &p.categories,
            excerpt: &p.excerpt,
            has_more: p.has_more,
            reading_minutes: p.reading_minutes,
            word_count: p.word_count,
            extra: &p.extra,
        }
    }
}

/// Values every template sees.
#[derive(Serialize)]
struct Globals<'a> {
    config: &'a Config,
    base_path: &'a str,
    taxonomies: &'a [Taxonomy],
    generator: &'static str,
    highlight_css: String,
    katex_css: String,
    style_css: String,
    live_reload: Option<&'a str>,
}

/// How the output is rendered.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// A script tag put in every page (serve mode only; `build` never has it).
    pub live_reload: Option<String>,
}

/// Renders every page of `site` (in parallel) and lists every file to write.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
    highlight_css: &str,
    root: &Path,
    assets: &[PathBuf],
    options: &RenderOptions,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let globals = Globals {
        config,
        base_path: &site.base_path,
        taxonomies: &site.taxonomies,
        generator: concat!("blogsmith ", env!("CARGO_PKG_VERSION")),
        highlight_css: format!("{}{HIGHLIGHT_CSS}", site.base_path),
        katex_css: format!("{}katex/katex.min.css", site.base_path),
        style_css: format!("{}style.css", site.base_path),
        live_reload: options.live_reload.as_deref(),
    };
    let base = match Context::from_serialize(&globals) {
        Ok(context) => context,
        Err(e) => return (Vec::new(), vec![theme.diagnostic(&e)]),
    };
    let jobs = jobs(site);
    let results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|job| render_job(job, site, theme, &base))
        .collect();
    let mut files = Vec::with_capacity(results.len() + theme.static_files.len());
    let mut diagnostics = BTreeSet::new();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(d) => {
                diagnostics.insert(d);
            }
        }
    }
    files.push(OutputFile {
        path: HIGHLIGHT_CSS.into(),
        contents: Contents::Bytes(highlight_css.as_bytes().to_vec()),
    });
    for (path, source) in &theme.static_files {
        files.push(OutputFile {
            path: path.clone(),
            contents: Contents::from_static(source),
        });
    }
    files.extend(article_assets(site, root, assets));
    (files, diagnostics.into_iter().collect())
}

/// One page to render: which template, and for what.
enum Job<'a> {
    Post(&'a Post),
    List(ListPage),
    TaxonomyIndex(&'a Taxonomy),
    NotFound,
}

fn jobs(site: &Site) -> Vec<Job<'_>> {
    let mut jobs: Vec<Job<'_>> = site.posts.iter().map(Job::Post).collect();
    jobs.extend(site.list_pages().into_iter().map(Job::List));
    jobs.extend(site.taxonomies.iter().map(Job::TaxonomyIndex));
    jobs.push(Job::NotFound);
    jobs
}

fn render_job(
    job: &Job<'_>,
    site: &Site,
    theme: &Theme,
    base: &Context,
) -> Result<OutputFile, Diagnostic> {
    let mut context = base.clone();
    let (template, dir) = match job {
        Job::Post(post) => {
            context.insert("page", post);
            context.insert("has_math", &post.has_math);
            context.insert("current_url", &post.url);
            ("page.html", Some(post.output_dir.clone()))
        }
        Job::List(list) => {
            let entries: Vec<Entry<'_>> = list
                .posts
                .iter()
                .map(|&i| Entry::from(&site.posts[i]))
                .collect();
            let has_math = list.posts.iter().any(|&i| site.posts[i].excerpt_has_math);
            context.insert("entries", &entries);
            context.insert("paginator", &list.paginator);
            context.insert("has_math", &has_math);
            context.insert("current_url", &site.url_of_dir(&list.output_dir));
            match list.kind {
                ListKind::Index => ("index.html", Some(list.output_dir.clone())),
                ListKind::Term(t, i) => {
                    let taxonomy = &site.taxonomies[t];
                    let term: &Term = &taxonomy.terms[i];
                    context.insert("taxonomy", taxonomy);
                    context.insert("term", term);
                    ("taxonomy_term.html", Some(list.output_dir.clone()))
                }
            }
        }
        Job::TaxonomyIndex(taxonomy) => {
            context.insert("taxonomy", taxonomy);
            context.insert("has_math", &false);
            context.insert("current_url", &taxonomy.url);
            ("taxonomy_list.html", Some(taxonomy.key.to_string()))
        }
        Job::NotFound => {
            context.insert("has_math", &false);
            context.insert("current_url", &format!("{}404.html", site.base_path));
            ("404.html", None)
        }
    };
    let html = theme
        .tera
        .render(template, &context)
        .map_err(|e| theme.diagnostic(&e))?;
    let path = match dir {
        Some(dir) if dir.is_empty() => "index.html".to_string(),
        Some(dir) => format!("{dir}/index.html"),
        None => "404.html".to_string(),
    };
    Ok(OutputFile {
        path,
        contents: Contents::Bytes(html.into_bytes()),
    })
}

/// Files that go beside article pages: everything in a bundle folder, and the
/// files an article links to by a relative path.
fn article_assets(site: &Site, root: &Path, assets: &[PathBuf]) -> Vec<OutputFile> {
    let content_dir = root.join(CONTENT_DIR);
    let known: BTreeSet<&Path> = assets.iter().map(PathBuf::as_path).collect();
    let mut files = BTreeSet::new();
    for post in &site.posts {
        let source_dir = post.source.parent().unwrap_or(Path::new(""));
        if post.is_bundle {
            for asset in assets.iter().filter(|a| a.starts_with(source_dir)) {
                if let Ok(inside) = asset.strip_prefix(source_dir) {
                    files.insert((
                        format!("{}/{}", post.output_dir, slash_path(inside)),
                        content_dir.join(asset),
                    ));
                }
            }
        }
        for link in &post.local_links {
            let Some(relative) = relative_file(link) else {
                continue;
            };
            let asset = source_dir.join(&relative);
            if known.contains(asset.as_path()) {
                files.insert((
                    format!("{}/{}", post.output_dir, slash_path(&relative)),
                    content_dir.join(asset),
                ));
            }
        }
    }
    files
        .into_iter()
        .map(|(path, source)| OutputFile {
            path,
            contents: Contents::Copy(source),
        })
        .collect()
}

/// A link like `fig%201.png?x#y` as a path below the article (`fig 1.png`), if it is one.
fn relative_file(link: &str) -> Option<PathBuf> {
    let path = link.split(['?', '#']).next()?;
    let decoded = percent_decode(path)?;
    let path = PathBuf::from(decoded);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(path)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_files_stay_below_the_article() {
        assert_eq!(relative_file("fig.png"), Some(PathBuf::from("fig.png")));
        assert_eq!(
            relative_file("./img/%E5%9B%BE.png#x"),
            Some(PathBuf::from("./img/图.png"))
        );
        assert_eq!(relative_file("../secret.txt"), None);
        assert_eq!(relative_file("bad%zz"), None);
    }
}
