//! Arbitrary text as a code block through `CodeStyle::highlight`. The first
//! byte picks the fence language: the tree-sitter grammars (python, cpp, c,
//! rust, bash, yaml, json), syntect languages (two of bat's) and aliases. Must never
//! panic, abort (tree-sitter's scanners are C) or run away, and the HTML must
//! hold exactly the code's text, one line per line.
#![no_main]

use std::sync::LazyLock;

use blogsmith::config::Config;
use blogsmith::markdown::{CodeStyle, Highlighted};
use libfuzzer_sys::fuzz_target;

static CODE_STYLE: LazyLock<CodeStyle> = LazyLock::new(|| {
    let config = Config::default();
    CodeStyle::new(&config.highlight.light_theme, &config.highlight.dark_theme)
        .expect("the default themes exist")
});

const LANGUAGES: &[&str] = &[
    "python", "cpp", "c", "rust", "bash", "yaml", "json", "go", "sh", "yml", "toml", "ts",
];

/// The text of highlighted HTML: tags dropped, entities decoded.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let lang = LANGUAGES[usize::from(pick) % LANGUAGES.len()];
    let code = String::from_utf8_lossy(rest);
    if let Highlighted::Html(html) = CODE_STYLE.highlight(&code, lang) {
        let text = text_of(&html);
        // Highlighted HTML always ends its last line with `\n`.
        let expected = if code.is_empty() || code.ends_with('\n') {
            code.to_string()
        } else {
            format!("{code}\n")
        };
        assert_eq!(text, expected, "{lang}: the HTML must hold the code");
    }
});
