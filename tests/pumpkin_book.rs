//! The pumpkin-book corpus (a real Chinese ML textbook, ~5,200 formulas) builds
//! clean: every formula typeset, no `$` left in the text, no KaTeX errors.
//!
//! The corpus lives beside the repository (`../shared/corpora/pumpkin-book`) and
//! is not part of it; without it the tests fail, saying where it belongs
//! (`BLOGSMITH_PUMPKIN_BOOK` may point elsewhere).

mod common;

use std::path::{Path, PathBuf};

use common::{Fixture, tree};

/// Formulas in the corpus at commit a8d8b5b (its SOURCE.md); counted independently
/// by pairing delimiters outside code, and by pulldown-cmark's own math option (5,222:
/// it breaks one `$$` block whose line starts with `- `).
const FORMULAS: usize = 5_223;

fn corpus() -> PathBuf {
    let dir = std::env::var_os("BLOGSMITH_PUMPKIN_BOOK").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/pumpkin-book"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "the pumpkin-book corpus is missing at {}: these tests need it (set \
         BLOGSMITH_PUMPKIN_BOOK to its folder)",
        dir.display()
    );
    dir
}

#[test]
fn pumpkin_book_builds_clean() {
    let corpus = corpus();
    let site = Fixture::new();
    for entry in std::fs::read_dir(&corpus)
        .expect("corpus readable")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "SOURCE.md" {
            let text = std::fs::read_to_string(entry.path()).expect("corpus is UTF-8");
            site.write(&format!("content/{name}"), &text);
        }
    }
    let report = site.build_ok();
    let katex_warnings: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("KaTeX"))
        .map(ToString::to_string)
        .collect();
    assert!(
        katex_warnings.is_empty(),
        "KaTeX errors:\n{}",
        katex_warnings.join("\n")
    );
    assert_eq!(report.formulas, FORMULAS);

    let mut stray = Vec::new();
    for (path, bytes) in tree(&site.public()) {
        if !path.starts_with("posts/") || !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).expect("UTF-8 output");
        assert!(
            !html.contains("class=\"katex-error"),
            "{path} has a KaTeX error span"
        );
        let text = visible_text_outside_code_and_math(&html);
        for (i, _) in text.match_indices('$') {
            let from = text.floor_char_boundary(i.saturating_sub(40));
            let to = text.ceil_char_boundary((i + 40).min(text.len()));
            stray.push(format!("{path}: …{}…", &text[from..to]));
        }
    }
    assert!(
        stray.is_empty(),
        "{} `$` left in the text:\n{}",
        stray.len(),
        stray.join("\n")
    );
}

/// The page's text with code (`<pre>`, `<code>`) and typeset math removed.
fn visible_text_outside_code_and_math(html: &str) -> String {
    let body = html.split_once("<main").map_or(html, |(_, b)| b);
    let without_math = remove_elements(body, "<span class=\"katex\">", "span");
    let without_code = remove_elements(
        &remove_elements(&without_math, "<pre", "pre"),
        "<code",
        "code",
    );
    common::text_of(&without_code)
}

/// Removes every element starting with `open` (and its nested same-name elements).
fn remove_elements(html: &str, open: &str, name: &str) -> String {
    let (open_tag, close_tag) = (format!("<{name}"), format!("</{name}>"));
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let mut depth = 0usize;
        let mut i = start;
        loop {
            let next_open = rest[i..].find(&open_tag).map(|p| p + i);
            let Some(next_close) = rest[i..].find(&close_tag).map(|p| p + i) else {
                i = rest.len();
                break;
            };
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    i = o + open_tag.len();
                }
                _ => {
                    depth -= 1;
                    i = next_close + close_tag.len();
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
        rest = &rest[i..];
    }
    out.push_str(rest);
    out
}

#[test]
fn element_removal_handles_nesting() {
    let html = "a<span class=\"katex\"><span>$x$</span></span>b<pre><code>$</code></pre>c";
    assert_eq!(visible_text_outside_code_and_math(html), "abc");
    assert_eq!(
        visible_text_outside_code_and_math("<p>价格$5</p>"),
        "价格$5",
        "a stray dollar is seen"
    );
}
