//! Code highlighting into a few short classes per token: tree-sitter grammars
//! for the languages notes use most (see `grammars`), syntect for the others,
//! with bat's syntaxes (the `two-face` crate: syntect's own set plus TOML,
//! TypeScript, Dockerfile, CMake, Kotlin, Swift, …).
//!
//! Either way each token gets TextMate scopes; a light and a dark syntect
//! theme then resolve the same scopes into styles. A token gets at most one `<span>` whose classes
//! name its colour in each theme's palette (`l3 d5`: light colour 3, dark
//! colour 5) and its font style (`lb`, `di`, …). The palettes are the colours
//! the themes' own rules use, so the stylesheet depends only on the two themes,
//! and the HTML is several times smaller than syntect's nested scope spans.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::LazyLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::grammars::{self, Grammar};
use super::html::escape_into;
use super::recall::{Forget, Recall};
use crate::util::contrast::{self, Rgb};
use crate::util::hash;

/// bat's syntaxes, loaded on the first code block only (a site without code
/// never pays). Loading takes about 2 ms, against 0.7 ms for syntect's smaller
/// own set: each grammar's rules are decoded on its first use, not here.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

/// The backgrounds code sits on in the default theme (`static/style.css`):
/// `--code-bg`, and `--accent-soft` behind highlighted lines; light, then
/// dark. The stylesheet moves each theme colour that reads below WCAG AA on
/// these just far enough, keeping its hue (`tests/contrast.rs` checks the
/// stylesheet against the backgrounds `style.css` sets).
const LIGHT_BACKGROUNDS: [Rgb; 2] = [(0xf4, 0xf2, 0xee), (0xf6, 0xe7, 0xdf)];
/// See [`LIGHT_BACKGROUNDS`].
const DARK_BACKGROUNDS: [Rgb; 2] = [(0x22, 0x26, 0x2b), (0x33, 0x24, 0x1d)];

/// Languages written without a highlighter that are not worth a warning.
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "output", "log"];

/// Names authors use that the syntax set knows under another token (names
/// and file extensions it knows are not listed: `toml`, `ts`, `kt`, …).
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("terminal", "bash"),
    ("shell-session", "bash"),
    ("shellsession", "bash"),
    ("zsh", "bash"),
    ("sh", "bash"),
    ("py", "python"),
    ("python2", "python"),
    ("python3", "python"),
    ("ipython", "python"),
    ("ipython3", "python"),
    ("pycon", "python"),
    ("starlark", "python"),
    ("c++", "cpp"),
    ("cuda", "cpp"),
    ("cu", "cpp"),
    ("cuh", "cpp"),
    // `js` is bat's JavaScript (Babel), which also knows JSX; the name
    // `javascript` alone would pick the older grammar.
    ("javascript", "js"),
    ("yml", "yaml"),
    ("jsonc", "json"),
    ("jsonl", "json"),
    ("ndjson", "json"),
    ("golang", "go"),
    ("docker", "dockerfile"),
    ("pwsh", "powershell"),
    ("ps", "powershell"),
    ("objc", "objective-c"),
    ("csharp", "cs"),
    ("fsharp", "f#"),
    ("elisp", "lisp"),
    ("emacs-lisp", "lisp"),
    ("graphviz", "dot"),
    ("fortran", "f90"),
    ("x86asm", "asm"),
    // GNU Octave is MATLAB's language, with a few additions.
    ("octave", "matlab"),
    // R Markdown: Markdown whose fenced chunks are R.
    ("rmd", "markdown"),
];

/// Every fence name the highlighter knows: aliases, the syntaxes' names and
/// their file extensions. Built on the first unknown language only.
static KNOWN_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = ALIASES.iter().map(|(alias, _)| alias.to_string()).collect();
    for syntax in SYNTAXES.syntaxes() {
        names.push(syntax.name.to_ascii_lowercase());
        names.extend(
            syntax
                .file_extensions
                .iter()
                .map(|e| e.to_ascii_lowercase()),
        );
    }
    // Names with spaces (`bourne again shell (bash)`) are not fence tokens.
    names.retain(|name| !name.contains(' '));
    names.sort();
    names.dedup();
    names
});

/// The known language name closest to `lang` (`pyhton` → `python`), for the
/// hint of an unknown language's warning; `None` if nothing is close.
pub fn closest_language(lang: &str) -> Option<String> {
    let lang = lang.trim().to_ascii_lowercase();
    // Transposed letters (`pyhton`) are one edit, not two.
    KNOWN_NAMES
        .iter()
        .map(|name| (strsim::osa_distance(&lang, name), name))
        // One edit in three letters at most: `apache` is not `cmakecache`.
        .filter(|(d, name)| *d <= (name.chars().count() / 3).max(1))
        .min()
        .map(|(_, name)| name.clone())
}

/// A highlighted code block, or why it could not be highlighted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Highlighted {
    /// Highlighted HTML (the inside of `<code>`), one line per `\n`.
    Html(String),
    /// Escaped plain text; the language is not known and deserves a warning.
    UnknownLanguage(String),
    /// Escaped plain text, as asked (no language or `text`).
    Plain(String),
}

/// The colours one theme's rules use, numbered in rule order.
struct Palette {
    default: Color,
    colors: Vec<Color>,
    index: HashMap<(u8, u8, u8), usize>,
}

impl Palette {
    fn of(theme: &Theme) -> Self {
        let default = theme.settings.foreground.unwrap_or(Color::BLACK);
        let mut palette = Self {
            default,
            colors: Vec::new(),
            index: HashMap::new(),
        };
        for color in std::iter::once(default)
            .chain(theme.scopes.iter().filter_map(|item| item.style.foreground))
        {
            let key = (color.r, color.g, color.b);
            if !palette.index.contains_key(&key) {
                palette.index.insert(key, palette.colors.len());
                palette.colors.push(color);
            }
        }
        palette
    }

    /// The palette index of a resolved colour; `None` for the default colour.
    fn class_of(&self, color: Color) -> Option<usize> {
        let index = *self.index.get(&(color.r, color.g, color.b))?;
        (index != 0).then_some(index)
    }
}

/// Two themes ready to highlight and to describe themselves as CSS.
pub struct CodeStyle {
    light: &'static Theme,
    dark: &'static Theme,
    light_palette: Palette,
    dark_palette: Palette,
    /// Names of the two themes, for cache keys.
    pub names: (String, String),
    /// Tells this style's entries apart in the per-thread class cache.
    id: usize,
    store: Arc<dyn Recall>,
}

/// Per [`CodeStyle::id`]: the classes of each scope stack seen.
type ClassCache = HashMap<usize, HashMap<Vec<Scope>, Rc<str>>>;

/// Hands out [`CodeStyle::id`]s.
static NEXT_STYLE_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl CodeStyle {
    /// The style for syntect's built-in themes `light` and `dark`.
    pub fn new(light: &str, dark: &str) -> Result<Self, String> {
        let theme = |name: &str| {
            THEMES.themes.get(name).ok_or_else(|| {
                let known: Vec<&str> = THEMES.themes.keys().map(String::as_str).collect();
                format!(
                    "unknown highlight theme `{name}`; known themes: {}",
                    known.join(", ")
                )
            })
        };
        let (light_theme, dark_theme) = (theme(light)?, theme(dark)?);
        Ok(Self {
            light: light_theme,
            dark: dark_theme,
            light_palette: Palette::of(light_theme),
            dark_palette: Palette::of(dark_theme),
            names: (light.to_string(), dark.to_string()),
            id: NEXT_STYLE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            store: Arc::new(Forget),
        })
    }

    /// The same style, keeping highlighted blocks in `store` across builds.
    pub fn with_store(self, store: Arc<dyn Recall>) -> Self {
        Self { store, ..self }
    }

    /// Highlights `code` written in `lang` (the fence's language).
    pub fn highlight(&self, code: &str, lang: &str) -> Highlighted {
        let lang = lang.trim().to_ascii_lowercase();
        if PLAIN.contains(&lang.as_str()) {
            return Highlighted::Plain(plain(code));
        }
        let token = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lang)
            .map_or(lang.as_str(), |(_, token)| *token);
        let Some(syntax) = SYNTAXES.find_syntax_by_token(token) else {
            return Highlighted::UnknownLanguage(plain(code));
        };
        let key = hash::key(&[b"code", lang.as_bytes(), code.as_bytes()]);
        if let Some(html) = self.store.recall(key) {
            return Highlighted::Html(html.to_string());
        }
        let html = match grammars::for_token(token) {
            Some(grammar) => self
                .highlight_tree(code, grammar)
                .or_else(|| self.highlight_lines(code, syntax)),
            None => self.highlight_lines(code, syntax),
        };
        match html {
            Some(html) => {
                self.store.remember(key, &Arc::from(html.as_str()));
                Highlighted::Html(html)
            }
            None => Highlighted::Plain(plain(code)),
        }
    }

    /// Highlights with a tree-sitter grammar: the same HTML shape as
    /// [`Self::highlight_lines`], from the scopes the grammar's captures map to.
    fn highlight_tree(&self, code: &str, grammar: &Grammar) -> Option<String> {
        let mut html = String::with_capacity(code.len() * 4);
        let mut open: Option<Rc<str>> = None;
        grammar.runs(code, |text, scopes| {
            let mut writer = LineWriter {
                html: &mut html,
                open: open.take(),
            };
            if text == "\n" {
                writer.close();
                writer.html.push('\n');
            } else {
                writer.write(text, self.classes_for(scopes));
                open = writer.open;
            }
        })?;
        let mut writer = LineWriter {
            html: &mut html,
            open,
        };
        writer.close();
        // Like syntect's lines, the last line ends with `\n` even when the code does not.
        if !code.is_empty() && !code.ends_with('\n') {
            html.push('\n');
        }
        Some(html)
    }

    fn highlight_lines(&self, code: &str, syntax: &SyntaxReference) -> Option<String> {
        let mut parse = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut html = String::with_capacity(code.len() * 4);
        for line in LinesWithEndings::from(code) {
            let ops = parse.parse_line(line, &SYNTAXES).ok()?;
            let text = line.strip_suffix('\n').unwrap_or(line);
            let mut writer = LineWriter {
                html: &mut html,
                open: None,
            };
            let mut from = 0;
            for (at, op) in &ops {
                let at = (*at).min(text.len());
                if at > from {
                    writer.write(&text[from..at], self.classes_for(stack.as_slice()));
                    from = at;
                }
                stack.apply(op).ok()?;
            }
            if from < text.len() {
                writer.write(&text[from..], self.classes_for(stack.as_slice()));
            }
            writer.close();
            html.push('\n');
        }
        Some(html)
    }

    /// The classes for a scope stack. A style depends only on the stack, and
    /// stacks repeat all the time: each thread resolves each distinct stack once
    /// (theme selector matching costs as much as parsing).
    fn classes_for(&self, scopes: &[Scope]) -> Rc<str> {
        thread_local! {
            static CACHE: std::cell::RefCell<ClassCache> = std::cell::RefCell::new(HashMap::new());
        }
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cache = cache.entry(self.id).or_default();
            if let Some(classes) = cache.get(scopes) {
                return Rc::clone(classes);
            }
            // Made only on a miss: a theme's highlighter sorts its rules on
            // creation, which cost more than a short block's lookups.
            let (light, dark) = (Highlighter::new(self.light), Highlighter::new(self.dark));
            let classes: Rc<str> = self
                .classes(
                    Some(light.style_for_stack(scopes)),
                    Some(dark.style_for_stack(scopes)),
                )
                .into();
            cache.insert(scopes.to_vec(), Rc::clone(&classes));
            classes
        })
    }

    /// `l3 d5 lb`: what a token looks like in each theme; empty for default text.
    fn classes(&self, light: Option<Style>, dark: Option<Style>) -> String {
        let mut classes = String::new();
        let mut add = |class: String| {
            if !classes.is_empty() {
                classes.push(' ');
            }
            classes.push_str(&class);
        };
        for (prefix, style, palette) in [
            ("l", light, &self.light_palette),
            ("d", dark, &self.dark_palette),
        ] {
            let Some(style) = style else { continue };
            if let Some(i) = palette.class_of(style.foreground) {
                add(format!("{prefix}{i}"));
            }
            for (flag, letter) in [
                (FontStyle::BOLD, 'b'),
                (FontStyle::ITALIC, 'i'),
                (FontStyle::UNDERLINE, 'u'),
            ] {
                if style.font_style.contains(flag) {
                    add(format!("{prefix}{letter}"));
                }
            }
        }
        classes
    }

    /// The CSS for both themes: light by default, dark on screens under
    /// `prefers-color-scheme: dark`; each colour moved as little as needed
    /// to read at WCAG AA on the default theme's code backgrounds.
    pub fn stylesheet(&self) -> String {
        let (light, dark) = &self.names;
        let mut css = format!(
            "/* Code highlighting: {light} (light), {dark} (dark). Generated by blogsmith. */\n"
        );
        // Each colour as readable as WCAG AA asks on the backgrounds.
        let (hex, dark_hex) = (
            |c: Color| readable_hex(c, &LIGHT_BACKGROUNDS),
            |c: Color| readable_hex(c, &DARK_BACKGROUNDS),
        );
        let _ = writeln!(
            css,
            "pre.code code {{ color: {}; }}",
            hex(self.light_palette.default)
        );
        for (i, color) in self.light_palette.colors.iter().enumerate().skip(1) {
            let _ = writeln!(css, "pre.code .l{i} {{ color: {}; }}", hex(*color));
        }
        css.push_str("pre.code .lb { font-weight: bold; }\npre.code .li { font-style: italic; }\npre.code .lu { text-decoration: underline; }\n");
        // Dark on screen only: a printed page is always light.
        css.push_str("@media screen and (prefers-color-scheme: dark) {\n");
        let _ = writeln!(
            css,
            "  pre.code code {{ color: {}; }}",
            dark_hex(self.dark_palette.default)
        );
        // Light colours and font styles step back, then the dark ones apply.
        for i in 1..self.light_palette.colors.len() {
            let _ = writeln!(css, "  pre.code .l{i} {{ color: inherit; }}");
        }
        css.push_str("  pre.code .lb { font-weight: inherit; }\n  pre.code .li { font-style: inherit; }\n  pre.code .lu { text-decoration: inherit; }\n");
        for (i, color) in self.dark_palette.colors.iter().enumerate().skip(1) {
            let _ = writeln!(css, "  pre.code .d{i} {{ color: {}; }}", dark_hex(*color));
        }
        css.push_str("  pre.code .db { font-weight: bold; }\n  pre.code .di { font-style: italic; }\n  pre.code .du { text-decoration: underline; }\n}\n");
        css
    }
}

/// `color` as CSS, moved as little as needed to read at WCAG AA on `backgrounds`.
fn readable_hex(color: Color, backgrounds: &[Rgb]) -> String {
    let (r, g, b) = contrast::readable_on(
        (color.r, color.g, color.b),
        backgrounds,
        contrast::AA_NORMAL,
    );
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Writes the runs of one line, sharing one span between runs with the same classes.
struct LineWriter<'h> {
    html: &'h mut String,
    open: Option<Rc<str>>,
}

impl LineWriter<'_> {
    fn write(&mut self, text: &str, classes: Rc<str>) {
        if self.open.as_deref() != Some(&*classes) {
            self.close();
            if !classes.is_empty() {
                self.html.push_str("<span class=\"");
                self.html.push_str(&classes);
                self.html.push_str("\">");
            }
            self.open = Some(classes);
        }
        escape_into(self.html, text);
    }

    fn close(&mut self) {
        if self.open.take().is_some_and(|c| !c.is_empty()) {
            self.html.push_str("</span>");
        }
    }
}

fn plain(code: &str) -> String {
    let mut html = String::with_capacity(code.len() + 16);
    escape_into(&mut html, code);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> CodeStyle {
        CodeStyle::new("InspiredGitHub", "base16-ocean.dark").unwrap()
    }

    #[test]
    fn known_languages_get_short_flat_classes() {
        let Highlighted::Html(html) =
            style().highlight("def f(x):\n    return x  # 注释\n", "python")
        else {
            panic!("python should highlight");
        };
        assert!(html.contains("<span class=\"l"), "{html}");
        assert!(
            !html.contains("<span class=\"l") || !html.contains("<span><span"),
            "{html}"
        );
        assert_eq!(html.lines().count(), 2, "one line per line: {html}");
        assert!(html.contains("注释"), "{html}");
        for line in html.lines() {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "balanced: {line}"
            );
            assert!(
                !line.contains("<span class=\"l1\"><span"),
                "never nested: {line}"
            );
        }
        assert!(matches!(
            style().highlight("fn main() {}", "rust"),
            Highlighted::Html(_)
        ));
        assert!(matches!(
            style().highlight("ls -la", "shell"),
            Highlighted::Html(_)
        ));
    }

    /// The text of highlighted HTML: tags dropped, entities decoded.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
    }

    #[test]
    fn text_survives_exactly() {
        let code = "if a < b && c > 'd':\n\tprint(\"中文\")\n";
        let Highlighted::Html(html) = style().highlight(code, "python") else {
            panic!()
        };
        assert_eq!(text_of(&html), code);
    }

    #[test]
    fn every_common_language_keeps_odd_text_whole() {
        // Unclosed strings, comments and tags, tabs, Chinese, a lone CR.
        let code = "\"未闭合 /* <a href='x\n\t${x} \\\r\n<?php <<EOF\n```\n$$ \\begin{x}\n";
        let style = style();
        for lang in COMMON_FENCES {
            let Highlighted::Html(html) = style.highlight(code, lang) else {
                panic!("{lang}")
            };
            assert_eq!(text_of(&html), code, "{lang}");
        }
    }

    /// 72 fence names common in study notes (docs/code.md lists them).
    #[rustfmt::skip]
    const COMMON_FENCES: &[&str] = &[
        "python", "py", "ipython", "r", "julia", "matlab", "c", "cpp", "c++", "cuda", "cu",
        "glsl", "rust", "go", "java", "kotlin", "scala", "swift", "js", "javascript", "jsx",
        "ts", "typescript", "tsx", "html", "css", "scss", "less", "json", "jsonc", "yaml",
        "yml", "toml", "ini", "xml", "svg", "sql", "bash", "sh", "shell", "zsh", "fish",
        "powershell", "ps1", "bat", "cmd", "dockerfile", "docker", "makefile", "make", "cmake",
        "nginx", "diff", "patch", "latex", "tex", "bibtex", "markdown", "md", "haskell",
        "ocaml", "elixir", "lua", "perl", "php", "ruby", "protobuf", "graphql", "terraform",
        "hcl", "nix", "csv",
    ];

    /// Lines that some token of every language colours: a comment, a string, a
    /// number, a heading, a diff line, a key, a tag, a TeX command.
    const SAMPLE: &str = "# note\n+ \"text\" = 42 // note\n- key: 'a' -- note\n\
                          <?php echo 1; ?><a href=\"b\">\\emph{c}</a>\n";

    #[test]
    fn common_fence_names_are_highlighted() {
        assert_eq!(COMMON_FENCES.len(), 72);
        let style = style();
        let plain: Vec<&str> = COMMON_FENCES
            .iter()
            .copied()
            .filter(|lang| match style.highlight(SAMPLE, lang) {
                Highlighted::Html(html) => !html.contains("<span class="),
                _ => true,
            })
            .collect();
        // Every one today; the issue asks for at least 95%.
        assert!(plain.is_empty(), "not highlighted: {plain:?}");
    }

    #[test]
    fn aliases_name_known_syntaxes() {
        for (alias, token) in ALIASES {
            assert!(
                SYNTAXES.find_syntax_by_token(token).is_some(),
                "{alias} → {token}"
            );
        }
        for name in KNOWN_NAMES.iter() {
            let known = ALIASES.iter().any(|(alias, _)| alias == name)
                || SYNTAXES.find_syntax_by_token(name).is_some();
            assert!(known, "a suggestion must be a name that works: {name}");
        }
    }

    #[test]
    fn unknown_languages_get_the_closest_name() {
        for (typo, name) in [
            ("pyhton", Some("python")),
            ("Typscript", Some("typescript")),
            ("dokerfile", Some("dockerfile")),
            ("kotiln", Some("kotlin")),
        ] {
            assert_eq!(closest_language(typo).as_deref(), name, "{typo}");
        }
        for unknown in [
            "brainfudge",
            "mermaid",
            "klingon",
            "plantuml",
            "apache",
            "prolog",
        ] {
            assert_eq!(closest_language(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn unknown_language_falls_back_to_escaped_text() {
        assert_eq!(
            style().highlight("a < b", "brainfudge"),
            Highlighted::UnknownLanguage("a &lt; b".into())
        );
        assert_eq!(
            style().highlight("a < b", ""),
            Highlighted::Plain("a &lt; b".into())
        );
    }

    #[test]
    fn stylesheet_has_both_palettes() {
        let css = style().stylesheet();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(
            css.contains("pre.code .l1 {") && css.contains("pre.code .d1 {"),
            "{css}"
        );
        assert!(
            CodeStyle::new("nope", "base16-ocean.dark")
                .err()
                .unwrap()
                .contains("unknown")
        );
    }

    #[test]
    fn the_html_is_smaller_than_nested_scope_spans() {
        let code = "import torch\nx = torch.ones(3, dtype=torch.float32)\nprint({'a': [1, 2]})\n"
            .repeat(20);
        let Highlighted::Html(html) = style().highlight(&code, "python") else {
            panic!()
        };
        assert!(
            html.len() < code.len() * 6,
            "{} bytes of HTML for {} of code",
            html.len(),
            code.len()
        );
    }
}
