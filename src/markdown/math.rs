//! Typesetting formulas with katex-rs, on the server.
//!
//! katex-rs emits attributes in a random order per process, so its output is
//! rewritten with sorted attributes: the same input must give the same bytes.
//! Formulas repeat a lot across notes, so the recent distinct ones are kept
//! for their repeats (see [`Memo`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use katex::macros::MacroDefinition;
use katex::{KatexContext, Settings};

use super::html::escape;
use super::recall::{Forget, Recall};
use crate::util::hash;

/// A formula KaTeX could not typeset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    /// KaTeX's message, e.g. `KaTeX parse error: No such environment: eqnarray`.
    pub message: String,
    /// Advice for common mistakes.
    pub hint: Option<String>,
}

/// Typeset HTML (shared: every occurrence of a formula points at one copy), or the error.
pub type Typeset = Result<Arc<str>, MathError>;

/// Renders TeX to HTML; shared by all threads of a build.
pub struct MathEngine {
    context: KatexContext,
    macros: BTreeMap<String, String>,
    /// The macros as text, part of every persistent cache key.
    macros_key: String,
    cache: Mutex<Memo>,
    store: Arc<dyn Recall>,
}

/// Formulas this engine typeset, for their repeats; bounded.
///
/// Every distinct formula of a site used to stay in memory until the end of
/// the build: 1.25 M of them, 2.6 GB of HTML, at 100,000 articles. Only the
/// recent ones are kept now, in two generations: when `young` is full it
/// becomes `old`, and a formula found in `old` moves back to `young`. The
/// formulas that repeat across notes (the shared notation) stay; one that
/// comes back after falling out is typeset again, which gives the same bytes.
#[derive(Default)]
struct Memo {
    young: HashMap<(bool, String), Typeset>,
    old: HashMap<(bool, String), Typeset>,
    /// A hash of each distinct formula seen, for [`MathEngine::distinct_formulas`].
    seen: HashSet<u64>,
}

/// Formulas in [`Memo::young`] before it turns old: at most twice this many
/// are kept (about 100 MB of HTML).
const MEMO_GENERATION: usize = 16 * 1024;

impl Memo {
    fn get(&mut self, key: &(bool, String)) -> Option<Typeset> {
        if let Some(hit) = self.young.get(key) {
            return Some(hit.clone());
        }
        let (key, hit) = self.old.remove_entry(key)?;
        Some(self.insert(key, hit))
    }

    /// Keeps `value` for `key` unless another thread got there first; returns the kept one.
    fn insert(&mut self, key: (bool, String), value: Typeset) -> Typeset {
        if let Some(kept) = self.young.get(&key) {
            return kept.clone();
        }
        if self.young.len() >= MEMO_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.seen.insert(hash::hash_of(&(key.0, key.1.as_str())));
        self.young.insert(key, value.clone());
        value
    }
}

impl MathEngine {
    /// An engine applying `macros` (name → expansion) to every formula.
    pub fn new(macros: BTreeMap<String, String>) -> Self {
        Self::with_store(macros, Arc::new(Forget))
    }

    /// An engine that also keeps formulas in `store`, across builds.
    pub fn with_store(macros: BTreeMap<String, String>, store: Arc<dyn Recall>) -> Self {
        let macros_key = macros
            .iter()
            .map(|(name, body)| format!("{name}\u{0}{body}\u{0}"))
            .collect();
        Self {
            context: KatexContext::default(),
            macros,
            macros_key,
            cache: Mutex::new(Memo::default()),
            store,
        }
    }

    /// The HTML for `tex`, or why it cannot be typeset. Repeated formulas come from the cache.
    pub fn render(&self, tex: &str, display: bool) -> Typeset {
        let key = (display, tex.to_string());
        if let Some(hit) = self.lock().get(&key) {
            return hit;
        }
        // Rendered outside the lock: other threads keep going meanwhile. Two threads
        // may render the same formula at once; both results are identical.
        let persistent = hash::key(&[
            b"math",
            self.macros_key.as_bytes(),
            &[u8::from(display)],
            tex.as_bytes(),
        ]);
        let result = match self.store.recall(persistent) {
            Some(html) => Ok(html),
            None => {
                let result = self.typeset(tex, display).map(Arc::<str>::from);
                if let Ok(html) = &result {
                    // The same bytes as the engine's own cache, not a copy (290 MB at 10,000 articles).
                    self.store.remember(persistent, html);
                }
                result
            }
        };
        self.lock().insert(key, result)
    }

    /// How many distinct formulas were typeset so far.
    pub fn distinct_formulas(&self) -> usize {
        self.lock().seen.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn typeset(&self, tex: &str, display: bool) -> Result<String, MathError> {
        if let Some(command) = macro_definition(tex) {
            return Err(MathError {
                message: format!("KaTeX parse error: blogsmith does not allow macro definitions inside formulas (\\{command})"),
                hint: Some("define the macro under math.macros in blogsmith.yaml; it then works in every formula".into()),
            });
        }
        let depth = nesting_depth(tex);
        if depth > MAX_NESTING {
            return Err(MathError {
                message: format!("KaTeX parse error: formula nested {depth} levels deep (blogsmith's limit is {MAX_NESTING})"),
                hint: Some("no real formula nests this deep: look for unbalanced braces or a runaway macro".into()),
            });
        }
        // Fresh settings per formula: nothing one formula does (definitions are
        // refused above, but KaTeX has other global state) may leak into another,
        // or output would depend on the order threads happen to run in.
        let settings = Settings::builder()
            .display_mode(display)
            .throw_on_error(true)
            .macros(
                self.macros
                    .iter()
                    .map(|(name, body)| (name.clone(), MacroDefinition::String(body.clone())))
                    .collect(),
            )
            .build();
        match katex::render_to_string(&self.context, tex, &settings) {
            Ok(html) => Ok(canonical_attribute_order(&html)),
            Err(error) => {
                let message = error.to_string();
                Err(MathError {
                    hint: hint_for(tex, &message),
                    message,
                })
            }
        }
    }
}

/// Deepest nesting of `{…}`, `\left…\right` and `\begin…\end` blogsmith hands to
/// KaTeX. KaTeX parses recursively: past a few hundred levels it overflows a
/// 2 MB thread stack, which aborts the whole process instead of failing one
/// formula. Real formulas stay far below 100.
pub const MAX_NESTING: usize = 100;

/// How deeply `tex` nests groups (escaped braces `\{` `\}` do not count).
fn nesting_depth(tex: &str) -> usize {
    let bytes = tex.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let name_len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                match &tex[i + 1..i + 1 + name_len] {
                    "left" | "begin" | "bgroup" | "begingroup" => depth += 1,
                    "right" | "end" | "egroup" | "endgroup" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                deepest = deepest.max(depth);
                // A control word, or a control symbol such as `\{`, is skipped whole.
                i += 1 + name_len.max(1);
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
        i += 1;
    }
    deepest
}

/// TeX primitives that define macros inside a formula.
const DEFINITIONS: &[&str] = &[
    "def",
    "gdef",
    "edef",
    "xdef",
    "global",
    "let",
    "futurelet",
    "newcommand",
    "renewcommand",
    "providecommand",
];

/// The first macro-defining command in `tex`, if any.
///
/// A macro defined in a formula can call itself: its expansions then nest
/// groups no brace in the source shows (`\def\x{{\x}}\x` overflows the stack
/// like 1,000 braces would), or double their argument at each step
/// (`\def\x#1{\x{#1#1}}\x{a}` takes gigabytes within KaTeX's 1,000
/// expansions). KaTeX's `maxExpand` bounds neither, so such formulas are
/// refused; `math.macros` covers the real need.
fn macro_definition(tex: &str) -> Option<&'static str> {
    super::mathjax::control_words(tex)
        .into_iter()
        .find_map(|(_, name)| DEFINITIONS.iter().find(|d| **d == name).copied())
}

/// The in-page stand-in for a formula that failed: its source, in red, the message as title.
pub fn error_html(tex: &str, error: &MathError) -> String {
    format!(
        "<span class=\"katex-error math-error\" style=\"color:#cc0000\" title=\"{}\">{}</span>",
        escape(&error.message),
        escape(tex)
    )
}

/// Advice for the mistakes authors coming from LaTeX, MathJax or Typora make most.
fn hint_for(tex: &str, message: &str) -> Option<String> {
    let hint = if message.contains("eqnarray") {
        "KaTeX has no eqnarray: use \\begin{aligned} … \\end{aligned} (with & before =)"
    } else if message.contains("No such environment: align")
        || message.contains("No such environment: equation")
    {
        "this environment only works as display math: put it between $$ … $$ or on its own lines"
    } else if message.contains("\\label")
        || message.contains("\\ref")
        || message.contains("\\eqref")
    {
        "KaTeX has no cross-references: use \\tag{…} to number an equation and write the reference in text"
    } else if message.contains("Undefined control sequence") {
        "if this is your own macro, define it under math.macros in blogsmith.yaml"
    } else if message.contains("Can't use function '$'") || tex.contains('$') {
        "a `$` inside a formula ends it early: write \\$ for a dollar sign"
    } else if message.contains("Expected '}'") || message.contains("Unexpected end of input") {
        "a `{` is not closed: count the braces"
    } else if message.contains("Double subscript") || message.contains("Double superscript") {
        "wrap one of them in braces: x_{a_b} or {x_a}_b"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// Rewrites every tag so its attributes are sorted by name.
///
/// Only valid on KaTeX's own output, which always double-quotes attribute values
/// and escapes `<`, `>` and `"` inside them.
pub fn canonical_attribute_order(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // One list for every tag: most formulas have hundreds of tags.
    let mut attributes: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        match write_sorted_tag(rest, &mut attributes, &mut out) {
            Some(consumed) => rest = &rest[consumed..],
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses the start tag at the beginning of `text` and writes it to `out` with
/// sorted attributes; returns its length, or `None` (writing nothing) when it
/// is not a start tag with several attributes.
fn write_sorted_tag<'t>(
    text: &'t str,
    attributes: &mut Vec<&'t str>,
    out: &mut String,
) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.get(1)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = bytes
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')?;
    attributes.clear();
    let mut i = name_end;
    loop {
        while bytes.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => break,
            b'/' if bytes.get(i + 1) == Some(&b'>') => break,
            _ => {}
        }
        let start = i;
        while !matches!(bytes.get(i)?, b'=' | b'>' | b'/' | b' ') {
            i += 1;
        }
        if bytes[i] == b'=' {
            if bytes.get(i + 1)? != &b'"' {
                return None;
            }
            i += 2 + text[i + 2..].find('"')? + 1;
        }
        attributes.push(&text[start..i]);
    }
    if attributes.len() < 2 {
        return None;
    }
    attributes.sort_by_key(|a| a.split('=').next().unwrap_or(a));
    out.push_str(&text[..name_end]);
    for attribute in attributes.iter() {
        out.push(' ');
        out.push_str(attribute);
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_keeps_recent_and_repeated_formulas_within_its_bound() {
        let mut memo = Memo::default();
        let key = |n: usize| (false, format!("x_{{{n}}}"));
        let html: Typeset = Ok(Arc::from("<span></span>"));
        let _ = memo.insert(key(0), html.clone());
        for n in 1..3 * MEMO_GENERATION {
            let _ = memo.insert(key(n), html.clone());
            // The notation every note uses comes back all the time.
            if n % 1000 == 0 {
                assert!(
                    memo.get(&key(0)).is_some(),
                    "lost the repeated formula at {n}"
                );
            }
            assert!(memo.young.len() + memo.old.len() <= 2 * MEMO_GENERATION);
        }
        assert!(
            memo.get(&key(1)).is_none(),
            "an old formula seen once is let go"
        );
        assert!(memo.get(&key(3 * MEMO_GENERATION - 1)).is_some());
        assert_eq!(memo.seen.len(), 3 * MEMO_GENERATION);
        let _ = memo.insert(key(1), html);
        assert_eq!(
            memo.seen.len(),
            3 * MEMO_GENERATION,
            "counted once, however often typeset"
        );
    }

    #[test]
    fn sorts_attributes_and_keeps_everything_else() {
        let html = r#"<svg xmlns="x" width="4" viewBox="0 0 1 1"><path d="M0"/></svg><span class="a">t</span>"#;
        assert_eq!(
            canonical_attribute_order(html),
            r#"<svg viewBox="0 0 1 1" width="4" xmlns="x"><path d="M0"/></svg><span class="a">t</span>"#
        );
    }

    #[test]
    fn leaves_text_and_odd_tags_alone() {
        for html in ["a < b", "<br>", "<a x=1 y=2>", "</span>", "<"] {
            assert_eq!(canonical_attribute_order(html), html);
        }
    }

    #[test]
    fn output_is_identical_across_engines() {
        // Each engine (like each process) may iterate attributes differently.
        let tex = r"\overrightarrow{AB} + \sqrt{x^2}";
        let first = MathEngine::new(BTreeMap::new()).render(tex, true);
        for _ in 0..5 {
            assert_eq!(MathEngine::new(BTreeMap::new()).render(tex, true), first);
        }
    }

    #[test]
    fn macros_apply() {
        let macros = BTreeMap::from([("\\R".to_string(), "\\mathbb{R}".to_string())]);
        let with = MathEngine::new(macros).render(r"x \in \R", false);
        let html = with.unwrap();
        assert!(html.contains("mathbb"), "{html}");
    }

    #[test]
    fn errors_carry_a_message_and_hint() {
        let engine = MathEngine::new(BTreeMap::new());
        let result = engine.render(r"\begin{eqnarray}a\end{eqnarray}", true);
        let error = result.as_ref().unwrap_err();
        assert!(error.message.contains("eqnarray"), "{}", error.message);
        assert!(error.hint.as_deref().unwrap().contains("aligned"));
        let html = error_html(r"a<b", error);
        assert!(
            html.contains("a&lt;b") && html.contains("katex-error"),
            "{html}"
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_katex_can_overflow_the_stack() {
        assert_eq!(nesting_depth(r"\left( {a} \right) \{ \}"), 2);
        assert_eq!(
            nesting_depth(&r"\leftarrow ".repeat(200)),
            0,
            "\\leftarrow is not \\left"
        );
        let deep = format!("{}x{}", "{".repeat(10_000), "}".repeat(10_000));
        let engine = MathEngine::new(BTreeMap::new());
        let result = engine.render(&deep, false);
        let error = result.as_ref().unwrap_err();
        assert!(
            error.message.contains("10000 levels deep"),
            "{}",
            error.message
        );
        let fine = format!("{}x{}", "{".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        assert!(engine.render(&fine, false).is_ok());
    }

    #[test]
    fn macro_definitions_in_formulas_are_refused() {
        assert_eq!(macro_definition(r"\def\x{{\x}}\x"), Some("def"));
        assert_eq!(macro_definition(r"\gdef\R{\mathbb{R}}"), Some("gdef"));
        assert_eq!(macro_definition(r"\newcommand{\R}{x}"), Some("newcommand"));
        assert_eq!(macro_definition(r"\definecolor \letter \\def \deff"), None);
        assert_eq!(macro_definition(r"\中\"), None);
        let engine = MathEngine::new(BTreeMap::new());
        let error = engine.render(r"\def\x{{\x}}\x", false).unwrap_err();
        assert!(
            error.message.contains("macro definitions"),
            "{}",
            error.message
        );
        assert!(error.hint.as_deref().unwrap().contains("math.macros"));
    }

    #[test]
    fn bgroup_and_begingroup_count_as_nesting() {
        assert_eq!(nesting_depth(r"\bgroup\begingroup x\endgroup\egroup"), 2);
        let deep = format!("{}x{}", r"\bgroup ".repeat(600), r"\egroup ".repeat(600));
        let engine = MathEngine::new(BTreeMap::new());
        let error = engine.render(&deep, false).unwrap_err();
        assert!(
            error.message.contains("600 levels deep"),
            "{}",
            error.message
        );
    }

    #[test]
    fn repeated_formulas_are_rendered_once() {
        let engine = MathEngine::new(BTreeMap::new());
        let a = engine.render("x^2", false).unwrap();
        let b = engine.render("x^2", false).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "one copy of the HTML, shared");
        assert_eq!(engine.distinct_formulas(), 1);
    }
}
