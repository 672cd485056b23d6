//! Highlighting speed on one thread, over the fenced code of a folder of Markdown:
//!
//!     cargo run --release --example highlight_speed -- /tmp/corpus/content [BLOCKS]
use blogsmith::markdown::CodeStyle;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "content".into());
    let limit: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let mut blocks: Vec<(String, String)> = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some(lang) = line.strip_prefix("```").filter(|l| !l.is_empty()) {
                let code: Vec<&str> = lines
                    .by_ref()
                    .take_while(|l| !l.starts_with("```"))
                    .collect();
                blocks.push((
                    lang.split(',').next().unwrap_or("").to_string(),
                    code.join("\n") + "\n",
                ));
            }
        }
    }
    blocks.sort();
    blocks.truncate(limit);
    let style = CodeStyle::new("InspiredGitHub", "base16-ocean.dark").expect("built-in themes");
    let bytes: usize = blocks.iter().map(|(_, c)| c.len()).sum();
    let started = std::time::Instant::now();
    let mut out = 0;
    for (lang, code) in &blocks {
        if let blogsmith::markdown::Highlighted::Html(html) = style.highlight(code, lang) {
            out += html.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} blocks, {:.1} MB of code in {secs:.2} s: {:.2} MB/s, HTML {:.1}× the code",
        blocks.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        out as f64 / bytes as f64
    );
}
