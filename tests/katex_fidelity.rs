//! katex-rs (vendored and patched, `vendor/katex-rs/`) typesets every distinct
//! formula of the pumpkin-book corpus like KaTeX.js 0.18.5, the version it ports:
//!
//! - the same bytes, once attributes are in canonical order (katex-rs emits them
//!   in a random order per process): at least [`IDENTICAL_TARGET`] of formulas;
//! - the same box in a real browser: each formula is laid out twice in headless
//!   Chromium, once as katex-rs wrote it and once as KaTeX.js did, with the
//!   theme's CSS and KaTeX fonts (`static/`), and the two boxes are compared.
//!   At least [`SAME_BOX_TARGET`] of formulas within [`SAME_BOX_PX`] in width and
//!   height, none off by more than [`MAX_OFF_PX`].
//!
//! KaTeX.js runs under node (`scripts/katex-fidelity.mjs`), from the copy
//! `scripts/test` installs under `target/tools/katex-js`. Without node, that
//! copy, Chromium or the corpus the test fails, saying what is missing. It
//! writes only to a temporary folder, and prints its figures
//! (`cargo test --test katex_fidelity -- --nocapture`).

#[path = "browser/cdp.rs"]
mod cdp;
#[path = "browser/http.rs"]
mod http;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use blogsmith::markdown::MathEngine;
use blogsmith::markdown::math::canonical_attribute_order;
use blogsmith::markdown::math_scan::find_math;
use serde_json::{Value, json};

/// The KaTeX.js version katex-rs 0.3.0 tracks (and `static/katex/` ships).
const KATEX_JS_VERSION: &str = "0.18.5";
/// Share of distinct formulas whose HTML must be byte-identical (canonical attribute order).
const IDENTICAL_TARGET: f64 = 0.97;
/// Share of distinct formulas whose box must match within [`SAME_BOX_PX`].
const SAME_BOX_TARGET: f64 = 0.999;
/// Width and height may differ this much (CSS px) and still count as the same box.
const SAME_BOX_PX: f64 = 0.5;
/// No formula's box may be off by more than this (CSS px).
const MAX_OFF_PX: f64 = 2.0;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    let dir = std::env::var_os("BLOGSMITH_PUMPKIN_BOOK").map_or_else(
        || repo().join("../shared/corpora/pumpkin-book"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "the pumpkin-book corpus is missing at {}: this test needs it (set \
         BLOGSMITH_PUMPKIN_BOOK to its folder)",
        dir.display()
    );
    dir
}

/// Every distinct (display, TeX) of the corpus, as blogsmith's scanner finds them.
fn distinct_formulas(dir: &Path) -> Vec<(bool, String)> {
    let mut formulas = BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).expect("corpus is UTF-8");
            for span in find_math(&text) {
                formulas.insert((span.display, span.tex));
            }
        }
    }
    assert!(
        formulas.len() > 2_000,
        "only {} distinct formulas found in {}: is the corpus complete?",
        formulas.len(),
        dir.display()
    );
    formulas.into_iter().collect()
}

/// KaTeX.js's HTML for each formula (`None` where it throws), run under node.
fn katex_js(formulas: &[(bool, String)], tmp: &Path) -> Vec<Option<String>> {
    let package = repo().join("target/tools/katex-js/node_modules/katex/package.json");
    let version = std::fs::read_to_string(&package)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_owned));
    assert_eq!(
        version.as_deref(),
        Some(KATEX_JS_VERSION),
        "KaTeX.js {KATEX_JS_VERSION} is not installed at {} (run `scripts/test`, which installs it)",
        package.display()
    );
    let input: Vec<Value> = formulas
        .iter()
        .map(|(display, tex)| json!({"tex": tex, "display": display}))
        .collect();
    let (input_path, output_path) = (tmp.join("formulas.json"), tmp.join("katexjs.json"));
    std::fs::write(&input_path, serde_json::to_string(&input).expect("JSON")).expect("write");
    let status = Command::new("node")
        .current_dir(repo())
        .arg("scripts/katex-fidelity.mjs")
        .arg(&input_path)
        .arg(&output_path)
        .status()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): `scripts/test` installs it"));
    assert!(status.success(), "scripts/katex-fidelity.mjs failed");
    let output: Vec<Option<String>> =
        serde_json::from_str(&std::fs::read_to_string(&output_path).expect("KaTeX.js output"))
            .expect("JSON");
    assert_eq!(output.len(), formulas.len());
    output
}

/// One page with every formula twice (katex-rs, KaTeX.js), each in a cell of
/// its own, in the markup blogsmith wraps formulas in.
fn comparison_page(
    formulas: &[(bool, String)],
    ours: &[Option<String>],
    theirs: &[Option<String>],
) -> String {
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">\
         <link rel=\"stylesheet\" href=\"/style.css\">\
         <link rel=\"stylesheet\" href=\"/katex/katex.min.css\">\
         <style>.cell { white-space: nowrap; width: max-content; margin: 4px 0; }</style>\
         </head><body><main class=\"prose\">\n",
    );
    for (i, (display, _)) in formulas.iter().enumerate() {
        for (side, html) in [("rs", &ours[i]), ("js", &theirs[i])] {
            let html = html.as_deref().unwrap_or("");
            if *display {
                let _ = writeln!(
                    page,
                    "<div class=\"cell\" id=\"{side}{i}\"><div class=\"math display\">{html}</div></div>"
                );
            } else {
                let _ = writeln!(
                    page,
                    "<div class=\"cell\" id=\"{side}{i}\"><p><span class=\"math inline\">{html}</span></p></div>"
                );
            }
        }
    }
    page.push_str("</main></body></html>\n");
    page
}

/// The box of each formula's rendering: the union of the rectangles of the
/// children of `.katex-html` (its inline-block bases, a tag), as [width, height].
const MEASURE: &str = r#"
document.fonts.ready.then(() => {
  const n = document.querySelectorAll('.cell').length / 2;
  const box = (id) => {
    const cell = document.getElementById(id);
    const html = cell && cell.querySelector('.katex-html');
    if (!html) return null;
    let [l, t, r, b] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const child of html.children) {
      const rect = child.getBoundingClientRect();
      l = Math.min(l, rect.left); t = Math.min(t, rect.top);
      r = Math.max(r, rect.right); b = Math.max(b, rect.bottom);
    }
    return r >= l ? [r - l, b - t] : [0, 0];
  };
  const out = [];
  for (let i = 0; i < n; i++) out.push([box('rs' + i), box('js' + i)]);
  return out;
})"#;

/// A formula's box, [width, height] in CSS px (`None`: nothing typeset).
type Box2 = Option<[f64; 2]>;

/// Lays the page out in Chromium and returns, per formula, both boxes (katex-rs, KaTeX.js).
fn measure_boxes(tmp: &Path, page: &str) -> Vec<(Box2, Box2)> {
    let site = tmp.join("site");
    std::fs::create_dir_all(site.join("katex/fonts")).expect("create site folder");
    let static_dir = repo().join("static");
    std::fs::copy(static_dir.join("style.css"), site.join("style.css")).expect("copy style.css");
    std::fs::copy(
        static_dir.join("katex/katex.min.css"),
        site.join("katex/katex.min.css"),
    )
    .expect("copy katex.min.css");
    for font in std::fs::read_dir(static_dir.join("katex/fonts")).expect("static/katex/fonts") {
        let font = font.expect("font entry");
        std::fs::copy(font.path(), site.join("katex/fonts").join(font.file_name()))
            .expect("copy a font");
    }
    std::fs::write(site.join("index.html"), page).expect("write the page");

    let server = http::Server::serve(&site);
    let mut browser = cdp::Browser::launch();
    let mut tab = browser.new_page();
    tab.set_viewport(1600, 1000, false);
    // One page of ~6,000 formulas: minutes, not seconds, on a busy 2-core machine.
    assert_eq!(
        tab.navigate_within(&server.url("/"), std::time::Duration::from_secs(300)),
        200
    );
    let loaded = tab.eval(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded').length)",
    );
    assert!(
        loaded.as_u64().is_some_and(|n| n >= 5),
        "KaTeX fonts did not load: {loaded}"
    );
    let boxes = tab.eval(MEASURE);
    let boxes = boxes.as_array().expect("an array of boxes");
    let pair = |v: &Value| {
        v.as_array().map(|wh| {
            [
                wh[0].as_f64().expect("width"),
                wh[1].as_f64().expect("height"),
            ]
        })
    };
    boxes
        .iter()
        .map(|both| (pair(&both[0]), pair(&both[1])))
        .collect()
}

#[test]
fn katex_rs_renders_pumpkin_book_like_katex_js() {
    let formulas = distinct_formulas(&corpus());
    let tmp = tempfile::tempdir().expect("temporary folder");
    let engine = MathEngine::new(Default::default());
    let ours: Vec<Option<String>> = formulas
        .iter()
        .map(|(display, tex)| engine.render(tex, *display).ok().map(|h| h.to_string()))
        .collect();
    let theirs = katex_js(&formulas, tmp.path());
    let total = formulas.len();

    // (a) Bytes.
    let mut identical = 0;
    let mut both_fail = 0;
    let mut different = Vec::new();
    for (i, (display, tex)) in formulas.iter().enumerate() {
        match (&ours[i], &theirs[i]) {
            (Some(a), Some(b)) if *a == canonical_attribute_order(b) => identical += 1,
            (None, None) => both_fail += 1,
            _ => different.push(format!(
                "{}\t{tex}",
                if *display { "display" } else { "inline" }
            )),
        }
    }
    let identical_share = identical as f64 / total as f64;

    // (b) Boxes in Chromium.
    let boxes = measure_boxes(tmp.path(), &comparison_page(&formulas, &ours, &theirs));
    assert_eq!(boxes.len(), total, "a box for every formula");
    let mut same_box = 0;
    let mut misses: Vec<(f64, String)> = Vec::new();
    for (i, (display, tex)) in formulas.iter().enumerate() {
        let off = match boxes[i] {
            (Some([w1, h1]), Some([w2, h2])) => (w1 - w2).abs().max((h1 - h2).abs()),
            (None, None) => 0.0,
            _ => f64::INFINITY,
        };
        if off <= SAME_BOX_PX {
            same_box += 1;
        } else {
            let (rs, js) = boxes[i];
            misses.push((
                off,
                format!(
                    "{off:.2} px\t{}\t{tex}\trs {rs:?} js {js:?}",
                    if *display { "display" } else { "inline" }
                ),
            ));
        }
    }
    misses.sort_by(|a, b| b.0.total_cmp(&a.0));
    let same_box_share = same_box as f64 / total as f64;
    let far_off = misses.iter().filter(|(off, _)| *off > MAX_OFF_PX).count();

    println!(
        "katex-rs vs KaTeX.js {KATEX_JS_VERSION}, {total} distinct pumpkin-book formulas \
         ({both_fail} rejected by both):\n\
         \x20 byte-identical: {identical} ({:.2}%, target ≥ {:.1}%)\n\
         \x20 same box within {SAME_BOX_PX} px: {same_box} ({:.2}%, target ≥ {:.1}%)\n\
         \x20 off by more than {MAX_OFF_PX} px: {far_off} (target 0)",
        100.0 * identical_share,
        100.0 * IDENTICAL_TARGET,
        100.0 * same_box_share,
        100.0 * SAME_BOX_TARGET,
    );
    if !misses.is_empty() {
        println!("boxes that differ (largest first):");
        for (_, line) in &misses {
            println!("  {line}");
        }
    }
    let shown: Vec<&String> = different.iter().take(20).collect();
    assert!(
        identical_share >= IDENTICAL_TARGET,
        "{:.2}% byte-identical, below {:.1}%; {} differ, the first:\n{}",
        100.0 * identical_share,
        100.0 * IDENTICAL_TARGET,
        different.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        same_box_share >= SAME_BOX_TARGET && far_off == 0,
        "{:.2}% of formulas the same box (target ≥ {:.1}%), {far_off} off by more than {MAX_OFF_PX} px:\n{}",
        100.0 * same_box_share,
        100.0 * SAME_BOX_TARGET,
        misses
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
