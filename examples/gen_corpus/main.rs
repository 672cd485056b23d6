//! Writes a synthetic site of Chinese ML notes, for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --articles 1000 --out /tmp/corpus
//! ```
//!
//! The site (`blogsmith.yaml`, `content/*.md`) and a manifest of what it holds
//! (`corpus.json`: characters, formulas, code bytes, …) are written to `--out`.
//! The same arguments always give the same bytes, and article `i` does not depend
//! on `--articles`: the corpus of 1,000 is the first 1,000 articles of the one of
//! 10,000. See `corpus.rs` for what an article looks like.
//!
//! `--flavour zola` writes the same articles as a Zola site (`zola.rs`), for
//! `scripts/bench --compare zola`.

mod corpus;
mod zola;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen_corpus --articles N --out DIR [--seed S] [--flavour blogsmith|zola]

Writes a deterministic site of N synthetic Chinese ML notes to DIR (blogsmith.yaml,
content/*.md) and DIR/corpus.json, a manifest of its characters, formulas and code.
DIR must be empty, missing, or a corpus written before (its content/ is replaced).
With --flavour zola the site is a Zola site (config.toml, templates/, TOML front matter).";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen_corpus: {message}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut articles = None;
    let mut out = None;
    let mut seed = corpus::DEFAULT_SEED;
    let mut zola = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--articles" | "-n" => {
                let v = value("--articles")?;
                articles = Some(
                    v.parse::<usize>()
                        .map_err(|e| format!("--articles {v}: {e}"))?,
                );
            }
            "--out" | "-o" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse().map_err(|e| format!("--seed {v}: {e}"))?;
            }
            "--flavour" => match value("--flavour")?.as_str() {
                "blogsmith" => zola = false,
                "zola" => zola = true,
                other => return Err(format!("--flavour {other}: blogsmith or zola")),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let articles = articles.ok_or("--articles is required")?;
    let out = out.ok_or("--out is required")?;
    let started = std::time::Instant::now();
    let manifest = corpus::generate(&corpus::Spec { articles, seed }, &out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    if zola {
        let title = format!("合成笔记（{articles} 篇）");
        zola::convert(&out, &title).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    eprintln!(
        "gen_corpus: {} articles, {:.1} MB of Markdown, {} CJK characters, {} formulas, {} code blocks ({:.1} MB) in {:.2} s → {}",
        manifest.articles,
        manifest.markdown_bytes as f64 / 1e6,
        manifest.cjk_chars,
        manifest.formulas,
        manifest.code_blocks,
        manifest.code_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
