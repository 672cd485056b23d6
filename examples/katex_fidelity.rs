//! Compares katex-rs with KaTeX.js on every formula of a folder of Markdown.
//!
//!     cargo run --release --example katex_fidelity -- ../shared/corpora/pumpkin-book
//!
//! It writes the formulas (as found by blogsmith's scanner) and katex-rs's HTML
//! to `target/fidelity/` (`formulas.json`, `katexrs.json`), runs
//! `scripts/katex-fidelity.mjs` (KaTeX.js under node, `katexjs.json`) on the same
//! formulas, and reports how many render to identical HTML once attributes are
//! in canonical order, with the first differences. `tests/katex_fidelity.rs`
//! checks the same in a browser, against targets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use blogsmith::markdown::MathEngine;
use blogsmith::markdown::math::canonical_attribute_order;
use blogsmith::markdown::math_scan::find_math;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("content"));
    let mut formulas: BTreeSet<(bool, String)> = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for span in find_math(&text).into_iter().filter(|s| !s.tex.is_empty()) {
                formulas.insert((span.display, span.tex));
            }
        }
    }
    let out = Path::new("target/fidelity");
    std::fs::create_dir_all(out).expect("target/fidelity");
    let input: Vec<serde_json::Value> = formulas
        .iter()
        .map(|(display, tex)| serde_json::json!({"tex": tex, "display": display}))
        .collect();
    std::fs::write(
        out.join("formulas.json"),
        serde_json::to_string(&input).expect("json"),
    )
    .expect("write");
    let engine = MathEngine::new(Default::default());
    let ours: Vec<Option<String>> = formulas
        .iter()
        .map(|(display, tex)| engine.render(tex, *display).ok().map(|h| h.to_string()))
        .collect();
    std::fs::write(
        out.join("katexrs.json"),
        serde_json::to_string(&ours).expect("json"),
    )
    .expect("write");
    let status = Command::new("node")
        .arg("scripts/katex-fidelity.mjs")
        .arg(out.join("formulas.json"))
        .arg(out.join("katexjs.json"))
        .status()
        .expect("node runs");
    assert!(status.success(), "scripts/katex-fidelity.mjs failed");
    let theirs: Vec<Option<String>> = serde_json::from_str(
        &std::fs::read_to_string(out.join("katexjs.json")).expect("katexjs.json"),
    )
    .expect("json");
    let (mut same, mut differ, mut errors) = (0, Vec::new(), 0);
    let mut pairs = String::new();
    for (((display, tex), ours), theirs) in formulas.iter().zip(&ours).zip(&theirs) {
        match (ours, theirs) {
            (Some(a), Some(b)) if *a == canonical_attribute_order(b) => same += 1,
            (None, None) => errors += 1,
            _ => {
                if differ.len() < 50 {
                    let theirs = theirs
                        .as_deref()
                        .map(canonical_attribute_order)
                        .unwrap_or_default();
                    pairs.push_str(&format!(
                        "TEX {tex}\nRS  {}\nJS  {theirs}\n\n",
                        ours.as_deref().unwrap_or("(error)")
                    ));
                }
                differ.push((display, tex.clone()));
            }
        }
    }
    std::fs::write(out.join("pairs.txt"), pairs).expect("write");
    let total = formulas.len();
    println!(
        "{total} distinct formulas: {same} identical HTML ({:.2}%), {} different, {errors} errors in both",
        100.0 * same as f64 / total as f64,
        differ.len()
    );
    let listing: String = differ
        .iter()
        .map(|(d, tex)| {
            format!(
                "{}\t{}\n",
                if **d { "display" } else { "inline" },
                tex.replace('\n', " ")
            )
        })
        .collect();
    std::fs::write(out.join("different.tsv"), listing).expect("write");
    println!("the differing formulas are in target/fidelity/different.tsv");
}
