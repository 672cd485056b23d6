//! The persistent render cache: faster rebuilds, never different output, and
//! safe when its files are damaged.

mod common;

use common::{Fixture, tree};

fn site() -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    for i in 0..6 {
        site.article(
            &format!("a{i}.md"),
            &format!("title: 第{i}篇\ndate: 2026-01-0{}", i + 1),
            &format!("设$x_{i}^2$，且$$\\frac{{a}}{{b_{i}}}$$\n\n```python\nprint({i})\n```\n\n```rust\nfn f() -> u32 {{ {i} }}\n```\n"),
        );
    }
    site
}

fn build(site: &Fixture, cache: bool, output: &str) -> blogsmith::BuildReport {
    let options = blogsmith::BuildOptions {
        cache,
        output: site.root().join(output),
        ..site.options()
    };
    blogsmith::build(&options).expect("builds")
}

#[test]
fn a_second_build_takes_formulas_and_code_from_the_cache_and_writes_the_same_bytes() {
    let site = site();
    let cold = build(&site, true, "cold");
    assert_eq!(cold.cache_hits, 0);
    assert!(site.root().join(".blogsmith-cache/math.bin").is_file());
    assert!(site.root().join(".blogsmith-cache/code.bin").is_file());
    let warm = build(&site, true, "warm");
    assert_eq!(
        warm.cache_hits,
        6 + 6 * 2 + 6 * 2,
        "every article came from the cache without its HTML; a new output needs every page, \
         so each was rendered again with every formula and code block from the cache"
    );
    let uncached = build(&site, false, "uncached");
    assert_eq!(uncached.cache_hits, 0);
    let (cold, warm, uncached) = (
        tree(&site.root().join("cold")),
        tree(&site.root().join("warm")),
        tree(&site.root().join("uncached")),
    );
    assert_eq!(warm, cold, "with and without a warm cache, the same bytes");
    assert_eq!(uncached, cold);
}

#[test]
fn articles_come_from_the_cache_and_only_pages_that_change_are_rendered_again() {
    let site = site();
    build(&site, true, "public");
    // Retitling a1 changes its neighbours' pages (their previous/next links)
    // and the lists, though their articles come from the cache without HTML.
    site.article("a1.md", "title: 新标题\ndate: 2026-01-02", "改写。\n");
    let edited = build(&site, true, "public");
    assert!(!edited.up_to_date);
    assert!(
        edited.rendered_pages < edited.pages,
        "{} of {} pages rendered",
        edited.rendered_pages,
        edited.pages
    );
    let neighbour = std::fs::read_to_string(site.public().join("posts/a0/index.html")).unwrap();
    assert!(
        neighbour.contains("新标题"),
        "a0 links to its retitled neighbour"
    );
    assert!(
        neighbour.contains("print") && neighbour.contains("class=\"katex\""),
        "with its own content (code and formulas), rendered again from its source"
    );
    build(&site, false, "uncached");
    assert_eq!(
        tree(&site.public()),
        tree(&site.root().join("uncached")),
        "the same bytes as a build from scratch"
    );
}

#[test]
fn damaged_cache_files_are_ignored_and_rebuilt() {
    let site = site();
    build(&site, true, "first");
    let expected = tree(&site.root().join("first"));
    let math = site.root().join(".blogsmith-cache/math.bin");
    let code = site.root().join(".blogsmith-cache/code.bin");
    let mut bytes = std::fs::read(&math).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&math, &bytes).unwrap();
    let code_bytes = std::fs::read(&code).unwrap();
    std::fs::write(&code, &code_bytes[..code_bytes.len() - 7]).unwrap();
    build(&site, true, "damaged");
    assert_eq!(
        tree(&site.root().join("damaged")),
        expected,
        "damage never shows in the output"
    );
    std::fs::write(&math, b"\x00\xffnot a cache at all").unwrap();
    std::fs::write(&code, b"").unwrap();
    build(&site, true, "garbage");
    assert_eq!(tree(&site.root().join("garbage")), expected);
    let repaired = build(&site, true, "repaired");
    assert_eq!(
        repaired.cache_hits,
        6 + 24,
        "the damaged caches were written again whole"
    );
}

#[test]
fn no_cache_leaves_no_cache_behind_and_clean_removes_it() {
    let site = site();
    build(&site, false, "public");
    assert!(!site.root().join(".blogsmith-cache").exists());
    build(&site, true, "public");
    let removed = blogsmith::clean(site.root(), &site.public()).expect("clean");
    assert_eq!(
        removed.len(),
        4,
        "output, spare output, its lock, cache: {removed:?}"
    );
    assert!(!site.root().join(".blogsmith-cache").exists());
    assert!(!site.root().join(".public.blogsmith-tmp-spare").exists());
    assert!(!site.public().exists());
    assert!(
        site.root().join("content/a0.md").is_file(),
        "sources are never touched"
    );
    assert!(
        blogsmith::clean(site.root(), site.root()).is_err(),
        "the site itself is never removed"
    );
}

#[test]
fn an_unchanged_site_is_not_rebuilt_and_any_change_is() {
    let site = site();
    site.article(
        "warn.md",
        "title: 警告\ndate: 2026-02-01",
        "```nosuchlang\nx\n```\n",
    );
    let first = build(&site, true, "public");
    assert!(!first.up_to_date);
    assert!(!first.warnings.is_empty(), "the unknown language warns");
    let expected = tree(&site.root().join("public"));

    let again = build(&site, true, "public");
    assert!(again.up_to_date, "nothing changed");
    assert_eq!(
        again.warnings, first.warnings,
        "its warnings are shown again"
    );
    assert_eq!((again.articles, again.pages), (first.articles, first.pages));
    assert_eq!(tree(&site.root().join("public")), expected);

    // The output damaged or tampered with: rebuilt, and whole again.
    std::fs::remove_file(site.root().join("public/index.html")).unwrap();
    assert!(
        !build(&site, true, "public").up_to_date,
        "a file is missing"
    );
    assert_eq!(tree(&site.root().join("public")), expected);
    std::fs::write(site.root().join("public/extra.txt"), "x").unwrap();
    assert!(!build(&site, true, "public").up_to_date, "a file was added");
    assert_eq!(tree(&site.root().join("public")), expected);
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(site.root().join("public/404.html"), "changed").unwrap();
    assert!(
        !build(&site, true, "public").up_to_date,
        "a file was rewritten"
    );
    assert_eq!(tree(&site.root().join("public")), expected);

    // An input changed: rebuilt with the change.
    site.article(
        "a0.md",
        "title: 改过的标题\ndate: 2026-01-01",
        "新的正文。\n",
    );
    let edited = build(&site, true, "public");
    assert!(!edited.up_to_date);
    let index = std::fs::read_to_string(site.root().join("public/index.html")).unwrap();
    assert!(index.contains("改过的标题"));
    assert!(build(&site, true, "public").up_to_date);

    // Without the cache, a build always runs.
    assert!(!build(&site, false, "public").up_to_date);
}

#[cfg(unix)]
#[test]
fn unchanged_files_are_linked_from_the_previous_output_not_written_again() {
    use std::os::unix::fs::MetadataExt;
    let site = site();
    let out = site.root().join("public");
    build(&site, true, "public");
    let inode = |path: &str| std::fs::metadata(out.join(path)).unwrap().ino();
    let (untouched, edited) = (inode("posts/a3/index.html"), inode("posts/a1/index.html"));

    site.article(
        "a1.md",
        "title: 第1篇\ndate: 2026-01-02",
        "改写过的正文，$y$。\n",
    );
    let report = build(&site, true, "public");
    assert!(report.unchanged_files > 0 && report.unchanged_files < report.files);
    assert_eq!(
        inode("posts/a3/index.html"),
        untouched,
        "linked, not rewritten"
    );
    assert_ne!(
        inode("posts/a1/index.html"),
        edited,
        "the edited page is new"
    );
    assert!(
        std::fs::read_to_string(out.join("posts/a1/index.html"))
            .unwrap()
            .contains("改写过的正文")
    );
    build(&site, false, "uncached");
    assert_eq!(
        tree(&out),
        tree(&site.root().join("uncached")),
        "linking changes nothing in the output"
    );
}

#[test]
fn touched_articles_come_from_the_cache_unless_they_take_their_date_from_the_file() {
    let site = site();
    site.write("content/undated.md", "# 没有日期\n\n正文。\n");
    let set_time = |path: &str, secs: u64| {
        std::fs::File::options()
            .write(true)
            .open(site.root().join(path))
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    };
    set_time("content/undated.md", 1_700_000_000); // 2023-11-14
    build(&site, true, "public");
    // A fresh clone or a checkout touches every file.
    for i in 0..6 {
        set_time(&format!("content/a{i}.md"), 1_800_000_000);
    }
    set_time("content/undated.md", 1_800_000_000); // 2027-01-15
    let touched = build(&site, true, "public");
    assert!(!touched.up_to_date);
    assert_eq!(
        touched.articles_from_cache, 6,
        "dated articles are unchanged by a touch; the undated one is read again"
    );
    let page = std::fs::read_to_string(site.public().join("posts/undated/index.html")).unwrap();
    assert!(page.contains("2027-01-15"), "the new file time is its date");
    build(&site, false, "uncached");
    assert_eq!(tree(&site.public()), tree(&site.root().join("uncached")));
}

#[test]
fn pages_are_written_as_they_are_rendered_and_the_spill_folder_goes_away() {
    let site = site();
    let out = site.root().join("public");
    let cold = build(&site, true, "public");
    assert_eq!(cold.unchanged_files, 0, "a cold build writes every file");
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("-pages"))
        .collect();
    assert!(leftovers.is_empty(), "spill folders left: {leftovers:?}");
    // Every page is a file of its own in the output (a link count of 1: the
    // spill folder's names are gone), and holds the whole page.
    use std::os::unix::fs::MetadataExt;
    let page = out.join("posts/a2/index.html");
    assert_eq!(std::fs::metadata(&page).unwrap().nlink(), 1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("print") && html.trim_end().ends_with("</html>"),
        "{html}"
    );
    // The same bytes as a session's pages, which stay in memory.
    let mut session = blogsmith::Session::new(site.options());
    session.refresh().expect("builds");
    for (path, file) in session.files() {
        if let blogsmith::Contents::Bytes(bytes) = &file.contents {
            assert_eq!(
                std::fs::read(out.join(path)).unwrap(),
                bytes.to_vec(),
                "{path}"
            );
        }
    }
}

/// The cache is keyed by content, not by where the site sits: a CI job that
/// restores `.blogsmith-cache/` into a checkout at another path (another
/// runner, another workspace name), with every file's time new, uses it whole
/// and writes the same bytes.
#[test]
fn a_cache_made_in_one_checkout_is_used_from_another_path() {
    let first = site();
    build(&first, true, "public");
    let second = common::Fixture::new();
    for (path, bytes) in tree(first.root()) {
        if path.starts_with("public/") {
            continue;
        }
        let to = second.root().join(&path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    assert_ne!(first.root(), second.root());
    let moved = build(&second, true, "public");
    assert_eq!(
        moved.cache_hits,
        6 + 6 * 2 + 6 * 2,
        "every article, formula and code block came from the cache made elsewhere"
    );
    assert_eq!(
        tree(&second.root().join("public")),
        tree(&first.root().join("public"))
    );
}

#[test]
fn references_across_articles_follow_a_renumbered_equation_between_builds() {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "base_url: https://example.com/\n");
    site.article(
        "scale.md",
        "title: 缩放\ndate: 2026-01-01",
        "$$\n\\frac{q \\cdot k}{\\sqrt{d}} \\label{eq:scaled}\n$$\n",
    );
    site.article(
        "grad.md",
        "title: 梯度\ndate: 2026-01-02",
        "由 \\eqref{eq:scaled} 得。\n",
    );
    build(&site, true, "public");
    let page =
        || std::fs::read_to_string(site.root().join("public/posts/grad/index.html")).expect("page");
    assert!(page().contains("#eq:scaled\">(1)</a>"), "{}", page());
    site.article(
        "scale.md",
        "title: 缩放\ndate: 2026-01-01",
        "$$\nx \\label{eq:x}\n$$\n\n$$\n\\frac{q \\cdot k}{\\sqrt{d}} \\label{eq:scaled}\n$$\n",
    );
    let report = build(&site, true, "public");
    assert!(
        report.cache_hits >= 1,
        "grad.md itself comes from the cache: {report:?}"
    );
    assert!(page().contains("#eq:scaled\">(2)</a>"), "{}", page());
}
