//! The benchmark corpus generator (`examples/gen_corpus`) writes a site that
//! builds clean, with exactly the formulas and code blocks its manifest counts,
//! and the same bytes every time. A correctness test of the generator, not a
//! benchmark: `scripts/bench` measures.

#[path = "../examples/gen_corpus/corpus.rs"]
mod corpus;
#[path = "../examples/gen_corpus/zola.rs"]
mod zola;

use std::collections::BTreeMap;
use std::path::Path;

use blogsmith::BuildOptions;

fn generate(articles: usize, out: &Path) -> corpus::Manifest {
    corpus::generate(
        &corpus::Spec {
            articles,
            seed: corpus::DEFAULT_SEED,
        },
        out,
    )
    .expect("corpus written")
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("readable")
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

#[test]
fn a_small_corpus_builds_clean_with_what_its_manifest_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = generate(5, dir.path());

    assert_eq!(manifest.articles, 5);
    assert!(
        (5 * 20..=5 * 30).contains(&manifest.formulas),
        "{manifest:?}"
    );
    assert!(
        (5 * 2..=5 * 4).contains(&manifest.code_blocks),
        "{manifest:?}"
    );
    assert!(manifest.pool_formulas > 0 && manifest.pool_formulas < manifest.formulas);
    assert!(manifest.cjk_chars > 5 * 2_000, "{manifest:?}");
    let json = std::fs::read_to_string(dir.path().join(corpus::MANIFEST)).expect("manifest");
    assert!(
        json.contains(&format!("\"code_bytes\": {}", manifest.code_bytes)),
        "{json}"
    );

    for (name, bytes) in files(&dir.path().join("content")) {
        let text = String::from_utf8(bytes).expect("UTF-8");
        let fences: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("```"))
            .map(|(i, _)| i)
            .collect();
        assert!(
            (4..=8).contains(&fences.len()),
            "{name}: {} fences",
            fences.len()
        );
        for pair in fences.chunks(2) {
            let lines = pair[1] - pair[0] - 1;
            assert!(
                (10..=60).contains(&lines),
                "{name}: a block of {lines} lines"
            );
        }
    }

    let report = blogsmith::build(&BuildOptions::new(dir.path()))
        .unwrap_or_else(|failure| panic!("the corpus does not build: {:#?}", failure.diagnostics));
    assert!(
        report.warnings.is_empty(),
        "warnings: {:#?}",
        report.warnings
    );
    assert_eq!(report.articles, 5);
    assert_eq!(report.formulas, manifest.formulas, "every formula is found");
    assert_eq!(report.code_blocks, manifest.code_blocks);
}

#[test]
fn the_corpus_is_deterministic_and_prefix_stable() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let small = generate(3, a.path());
    let large = generate(6, b.path());
    let (small_files, large_files) = (
        files(&a.path().join("content")),
        files(&b.path().join("content")),
    );
    assert_eq!(small_files.len(), 3);
    for (name, bytes) in &small_files {
        assert_eq!(
            large_files.get(name),
            Some(bytes),
            "{name} depends on the corpus size"
        );
    }
    assert!(large.formulas > small.formulas);

    // Regenerating over a previous corpus replaces its articles.
    assert_eq!(generate(3, b.path()), small);
    assert_eq!(files(&b.path().join("content")), small_files);

    // A folder that is not a corpus is left alone.
    let c = tempfile::tempdir().unwrap();
    std::fs::write(c.path().join("notes.md"), "mine").unwrap();
    assert!(
        corpus::generate(
            &corpus::Spec {
                articles: 1,
                seed: 1
            },
            c.path()
        )
        .is_err()
    );
}

/// The Zola flavour (`scripts/bench --compare zola`) keeps every article's
/// body byte for byte and carries its front matter over as TOML.
#[test]
fn the_zola_flavour_keeps_the_articles() {
    let dir = tempfile::tempdir().unwrap();
    generate(40, dir.path());
    let before = files(&dir.path().join("content"));
    zola::convert(dir.path(), "合成笔记").expect("converted");
    let after = files(&dir.path().join("content"));
    assert!(!dir.path().join("blogsmith.yaml").exists());
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(
        config.contains("build_search_index = true") && config.contains("generate_feeds = true")
    );
    for name in ["index.html", "page.html", "taxonomy_single.html"] {
        assert!(dir.path().join("templates").join(name).is_file(), "{name}");
    }
    assert!(after.contains_key("_index.md"));
    let mut summaries = 0;
    for (name, yaml) in &before {
        let (yaml, toml) = (
            String::from_utf8_lossy(yaml),
            String::from_utf8_lossy(&after[name]),
        );
        let body = |text: &str, fence: &str| text.splitn(3, fence).nth(2).unwrap().to_string();
        assert_eq!(
            body(&yaml, "---\n"),
            body(&toml, "+++\n"),
            "{name}: the body changed"
        );
        let front = toml.split("+++\n").nth(1).unwrap();
        assert!(front.starts_with("title = \""), "{name}: {front}");
        assert!(front.contains("+08:00\n"), "{name}: {front}");
        assert!(
            front.contains("\n[taxonomies]\ntags = [\""),
            "{name}: {front}"
        );
        assert!(front.contains("\ncategories = [\""), "{name}: {front}");
        summaries += usize::from(front.contains("\ndescription = \""));
    }
    assert!(summaries > 0, "no article carried a summary over");
}
