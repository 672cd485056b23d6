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
        6 * 2 + 6 * 2,
        "every distinct formula and code block came from the cache"
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
        repaired.cache_hits, 24,
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
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(!site.root().join(".blogsmith-cache").exists());
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
