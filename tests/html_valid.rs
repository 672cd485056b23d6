//! Every page of the flagship site is valid HTML, per the Nu HTML Checker (the
//! W3C validator). `scripts/test` installs it (Java + the vnu-jar npm package)
//! and passes its path in `BLOGSMITH_VNU`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// KaTeX.js 0.18.5 itself writes `A_{\log}` as `<msub><mi>A</mi><mi>log</mi><mo>⁡</mo></msub>`
/// (three children), and katex-rs copies it faithfully. It is in the hidden MathML
/// copy, not the HTML readers see; we match KaTeX rather than patch its output.
const KATEX_MATHML_QUIRKS: &[&str] = &[
    "not allowed as child of element “msub”",
    "not allowed as child of element “msup”",
];

fn validator() -> PathBuf {
    let path = std::env::var_os("BLOGSMITH_VNU")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/vnu-26.9.27.jar")
        });
    assert!(
        path.is_file(),
        "the HTML validator is missing at {}: run scripts/test, which installs it",
        path.display()
    );
    path
}

/// Validation errors for every HTML file under `dir`, as `file:line:col: message`.
fn validate(dir: &Path) -> Vec<String> {
    let output = Command::new("java")
        .arg("-jar")
        .arg(validator())
        .args(["--errors-only", "--skip-non-html", "--format", "json"])
        .arg(dir)
        .output()
        .expect("java runs (scripts/test installs it)");
    let report: serde_json::Value = serde_json::from_slice(&output.stderr)
        .or_else(|_| serde_json::from_slice(&output.stdout))
        .expect("vnu prints a JSON report");
    report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["type"] == "error")
        .map(|m| {
            format!(
                "{}:{}:{}: {}",
                m["url"].as_str().unwrap_or("?").trim_start_matches("file:"),
                m["lastLine"],
                m["firstColumn"],
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
fn the_validator_catches_invalid_html() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.html"),
        "<!DOCTYPE html><html lang=en><title>x</title><p><div>x</div></p>",
    )
    .unwrap();
    assert!(
        !validate(dir.path()).is_empty(),
        "a <div> inside <p> must be reported"
    );
}

#[test]
fn every_page_of_the_flagship_site_is_valid_html() {
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = blogsmith::BuildOptions {
        output: out.path().join("public"),
        // The render cache would go into the checkout.
        cache: false,
        ..blogsmith::BuildOptions::new(root)
    };
    let report = blogsmith::build(&options).expect("the flagship site builds");
    assert!(report.pages > 40);
    let errors: Vec<String> = validate(&out.path().join("public"))
        .into_iter()
        .filter(|e| !KATEX_MATHML_QUIRKS.iter().any(|q| e.contains(q)))
        .collect();
    assert!(
        errors.is_empty(),
        "{} HTML errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
