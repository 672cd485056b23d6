//! Tree-sitter grammars for the languages ML notes use most.
//!
//! syntect's regex grammars run at 1–2 MB/s per core (Python: 1.0 MB/s on the
//! benchmark corpus) and were half the CPU of a cold build. Tree-sitter parses
//! and highlights the same code at 4–9 MB/s. Its capture names (`keyword`,
//! `string`, …) are translated into TextMate scopes, so the same syntect themes
//! colour both and the stylesheet does not change; other languages keep syntect.

use std::cell::RefCell;
use std::sync::OnceLock;

use syntect::parsing::Scope;
use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

/// Each capture name the grammars' queries use, and the TextMate scope that
/// syntect's grammars give the same kind of token (`None`: default text).
const CAPTURES: &[(&str, Option<&str>)] = &[
    ("attribute", Some("entity.other.attribute-name")),
    ("boolean", Some("constant.language")),
    ("comment", Some("comment")),
    ("comment.documentation", Some("comment")),
    ("constant", Some("constant.other")),
    ("constant.builtin", Some("constant.language")),
    ("constructor", Some("support.class")),
    ("delimiter", None),
    ("embedded", None),
    ("escape", Some("constant.character.escape")),
    ("function", Some("entity.name.function")),
    ("function.builtin", Some("support.function")),
    ("function.macro", Some("support.macro")),
    // Method calls: syntect's `.push(` and `.len(`.
    ("function.method", Some("variable.function")),
    ("function.special", Some("support.macro")),
    ("keyword", Some("keyword.control")),
    ("label", Some("entity.name.label")),
    ("number", Some("constant.numeric")),
    ("operator", Some("keyword.operator")),
    ("property", Some("variable.other.member")),
    ("punctuation.bracket", None),
    ("punctuation.delimiter", None),
    ("punctuation.special", Some("punctuation.section.embedded")),
    ("string", Some("string.quoted")),
    ("string.special.key", Some("support.type.property-name")),
    ("type", Some("support.type")),
    ("type.builtin", Some("storage.type")),
    ("variable", None),
    ("variable.builtin", Some("variable.language")),
    ("variable.parameter", Some("variable.parameter")),
];

/// Largest block handed to tree-sitter. It is quadratic on some broken input
/// (unclosed C++ raw strings: 0.1 s at 3.9 KB, 1.5 s at 15 KB; 100 KB of `(`
/// in Python: 4.6 s); below this size the worst seen is 0.4 s. Real blocks are
/// smaller (the largest in the benchmark corpus and the flagship: 2.7 KB);
/// larger ones go to syntect, which is linear.
const MAX_TREE_SITTER_BYTES: usize = 8 * 1024;

/// Longest YAML line handed to tree-sitter-yaml: its scanner keeps one entry
/// per indentation level and overflows its 1 KiB state (an abort) past ~250
/// levels. Levels are at distinct columns, so short lines keep it far below.
const MAX_YAML_LINE: usize = 200;

/// A grammar with its highlight query, and the scopes of its captures.
pub(super) struct Grammar {
    config: HighlightConfiguration,
    /// `source.python` & co.: the scope every token of the language is under.
    base: Scope,
    /// The scope of each capture, by its index in [`CAPTURES`].
    scopes: Vec<Option<Scope>>,
    /// The longest line it takes, if limited (YAML: [`MAX_YAML_LINE`]).
    max_line: Option<usize>,
}

/// A language tree-sitter highlights: the fence token syntect would use
/// (after aliases), the grammar, its highlight query (parts joined by line
/// breaks) and the TextMate scope all of its tokens are under.
struct Source {
    token: &'static str,
    language: fn() -> tree_sitter::Language,
    query: &'static [&'static str],
    base: &'static str,
}

const SOURCES: [Source; 7] = [
    Source {
        token: "python",
        language: || tree_sitter_python::LANGUAGE.into(),
        query: &[tree_sitter_python::HIGHLIGHTS_QUERY],
        base: "source.python",
    },
    Source {
        token: "cpp",
        language: || tree_sitter_cpp::LANGUAGE.into(),
        // tree-sitter-cpp's query only adds C++'s own tokens to C's.
        query: &[
            tree_sitter_cpp::HIGHLIGHT_QUERY,
            tree_sitter_c::HIGHLIGHT_QUERY,
        ],
        base: "source.c++",
    },
    Source {
        token: "c",
        language: || tree_sitter_c::LANGUAGE.into(),
        query: &[tree_sitter_c::HIGHLIGHT_QUERY],
        base: "source.c",
    },
    Source {
        token: "rust",
        language: || tree_sitter_rust::LANGUAGE.into(),
        query: &[tree_sitter_rust::HIGHLIGHTS_QUERY],
        base: "source.rust",
    },
    Source {
        token: "bash",
        language: || tree_sitter_bash::LANGUAGE.into(),
        query: &[tree_sitter_bash::HIGHLIGHT_QUERY],
        base: "source.shell.bash",
    },
    Source {
        token: "yaml",
        language: || tree_sitter_yaml::LANGUAGE.into(),
        query: &[tree_sitter_yaml::HIGHLIGHTS_QUERY],
        base: "source.yaml",
    },
    Source {
        token: "json",
        language: || tree_sitter_json::LANGUAGE.into(),
        query: &[tree_sitter_json::HIGHLIGHTS_QUERY],
        base: "source.json",
    },
];

/// The grammar of each of [`SOURCES`], compiled on first use. Compiling a
/// highlight query is costly (C++'s, which includes C's, takes longer than
/// highlighting a typical article's code), so each language waits until a
/// block needs it, and two threads can compile two languages at once instead
/// of queueing behind one lock.
static GRAMMARS: [OnceLock<Option<Grammar>>; SOURCES.len()] =
    [const { OnceLock::new() }; SOURCES.len()];

/// The tree-sitter grammar for a syntect token (`python`, `cpp`, …), if any;
/// compiled here the first time it is asked for.
pub(super) fn for_token(token: &str) -> Option<&'static Grammar> {
    let i = SOURCES.iter().position(|source| source.token == token)?;
    GRAMMARS[i]
        .get_or_init(|| Grammar::compile(&SOURCES[i]))
        .as_ref()
}

impl Grammar {
    /// The grammar of `source` with its highlight query. `None` if the query
    /// does not compile: the queries ship with the grammars and are tested, and
    /// one that fails leaves its language to syntect rather than failing a build.
    fn compile(source: &Source) -> Option<Grammar> {
        let query = source.query.join("\n");
        let mut config =
            HighlightConfiguration::new((source.language)(), source.token, &query, "", "").ok()?;
        config.configure(&CAPTURES.iter().map(|(name, _)| *name).collect::<Vec<_>>());
        let scopes = CAPTURES
            .iter()
            .map(|(_, scope)| scope.and_then(|s| Scope::new(s).ok()))
            .collect();
        Some(Grammar {
            config,
            base: Scope::new(source.base).ok()?,
            scopes,
            max_line: (source.token == "yaml").then_some(MAX_YAML_LINE),
        })
    }
}

impl Grammar {
    /// Calls `run(text, scopes)` for each stretch of `code` in order, with the
    /// scopes it is under, outermost first; a stretch never spans a `\n`.
    /// `None` if tree-sitter gave up or the code is outside what it handles
    /// well (see [`MAX_TREE_SITTER_BYTES`]): the caller falls back to syntect.
    pub(super) fn runs(&self, code: &str, mut run: impl FnMut(&str, &[Scope])) -> Option<()> {
        if !self.suits(code) {
            return None;
        }
        thread_local! {
            static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::new());
        }
        HIGHLIGHTER.with(|highlighter| {
            let mut highlighter = highlighter.try_borrow_mut().ok()?;
            let events = highlighter
                .highlight(&self.config, code.as_bytes(), None, None, |_| None)
                .ok()?;
            let mut stack = vec![self.base];
            // Captures without a scope still open and close: count them.
            let mut open: Vec<bool> = Vec::new();
            for event in events {
                match event.ok()? {
                    HighlightEvent::HighlightStart(capture) => {
                        let scope = self.scopes.get(capture.0).copied().flatten();
                        if let Some(scope) = scope {
                            stack.push(scope);
                        }
                        open.push(scope.is_some());
                    }
                    HighlightEvent::HighlightEnd => {
                        if open.pop()? {
                            stack.pop();
                        }
                    }
                    HighlightEvent::Source { start, end } => {
                        let text = code.get(start..end)?;
                        for (i, line) in text.split('\n').enumerate() {
                            if i > 0 {
                                run("\n", &stack);
                            }
                            if !line.is_empty() {
                                run(line, &stack);
                            }
                        }
                    }
                }
            }
            Some(())
        })
    }
}

impl Grammar {
    /// Whether tree-sitter can take `code` safely and in linear time.
    fn suits(&self, code: &str) -> bool {
        if code.len() > MAX_TREE_SITTER_BYTES {
            return false;
        }
        self.max_line
            .is_none_or(|max| code.lines().all(|line| line.len() <= max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(code: &str, lang: &str) -> Vec<(String, String)> {
        let mut runs = Vec::new();
        for_token(lang)
            .unwrap()
            .runs(code, |text, scopes| {
                let names: Vec<String> = scopes.iter().map(|s| s.build_string()).collect();
                runs.push((text.to_string(), names.join(" ")));
            })
            .unwrap();
        runs
    }

    fn scope_of(runs: &[(String, String)], text: &str) -> String {
        runs.iter()
            .find(|(t, _)| t == text)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no run {text:?} in {runs:?}"))
    }

    #[test]
    fn every_grammar_compiles_its_query() {
        for token in ["python", "cpp", "c", "rust", "bash", "yaml", "json"] {
            assert!(for_token(token).is_some(), "{token}");
        }
        assert!(for_token("haskell").is_none());
    }

    #[test]
    fn python_tokens_get_textmate_scopes() {
        let runs = scoped(
            "def f(x):\n    return \"s\"  # 注释\nprint(True, 42)\n",
            "python",
        );
        assert_eq!(scope_of(&runs, "def"), "source.python keyword.control");
        assert_eq!(scope_of(&runs, "f"), "source.python entity.name.function");
        assert_eq!(scope_of(&runs, "\"s\""), "source.python string.quoted");
        assert_eq!(scope_of(&runs, "# 注释"), "source.python comment");
        assert_eq!(scope_of(&runs, "print"), "source.python support.function");
        assert_eq!(scope_of(&runs, "42"), "source.python constant.numeric");
        let text: String = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            text,
            "def f(x):\n    return \"s\"  # 注释\nprint(True, 42)\n"
        );
    }

    #[test]
    fn runs_never_cross_a_line_end() {
        let code = "s = \"\"\"a\nb\"\"\"\n";
        let runs = scoped(code, "python");
        assert!(
            runs.iter().all(|(t, _)| t == "\n" || !t.contains('\n')),
            "{runs:?}"
        );
        assert_eq!(scope_of(&runs, "b\"\"\""), "source.python string.quoted");
    }

    #[test]
    fn cpp_uses_c_tokens_too() {
        let runs = scoped("int main() { return 0; } // c\n", "cpp");
        assert_eq!(scope_of(&runs, "int"), "source.c++ support.type");
        assert_eq!(scope_of(&runs, "return"), "source.c++ keyword.control");
        assert_eq!(scope_of(&runs, "// c"), "source.c++ comment");
    }

    #[test]
    fn big_blocks_and_long_yaml_lines_are_left_to_syntect() {
        let rust = for_token("rust").unwrap();
        assert!(rust.runs(&"r#\"".repeat(3_000), |_, _| {}).is_none());
        assert!(rust.runs(&"r#\"".repeat(2_000), |_, _| {}).is_some());
        let yaml = for_token("yaml").unwrap();
        // 500 nested sequences: tree-sitter-yaml's scanner would abort the process.
        assert!(yaml.runs(&"- ".repeat(500), |_, _| {}).is_none());
        assert!(yaml.runs("a:\n  - b\n", |_, _| {}).is_some());
        // As deep as the limits allow: a level per column, on one line and across lines.
        let one_line = format!("{}k\n", "- ".repeat(MAX_YAML_LINE / 2 - 1));
        let mut across = String::new();
        for depth in 0.. {
            let line = format!("{}k:\n", " ".repeat(depth));
            if across.len() + line.len() > MAX_TREE_SITTER_BYTES {
                break;
            }
            across.push_str(&line);
        }
        for deepest in [one_line, across] {
            let mut text = String::new();
            assert!(yaml.runs(&deepest, |t, _| text.push_str(t)).is_some());
            assert_eq!(text, deepest);
        }
    }

    #[test]
    fn garbage_that_tree_sitter_takes_keeps_every_byte() {
        for (lang, code) in [
            ("json", "[1,".repeat(1_000) + &"]".repeat(2_000)),
            ("python", "(".repeat(8_000)),
            ("cpp", "/* \" \\ R\"x(".repeat(350)),
            ("yaml", "- - - - - - - - - -\n  ".repeat(300)),
            ("bash", "$(".repeat(1_000) + &"'\"".repeat(2_000)),
            ("rust", "r#\"".repeat(2_000)),
        ] {
            let mut text = String::new();
            for_token(lang)
                .unwrap()
                .runs(&code, |t, _| text.push_str(t))
                .unwrap();
            assert_eq!(text, code, "{lang}: every byte kept");
        }
    }
}
