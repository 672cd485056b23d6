//! Which KaTeX font files a page's formulas use, so that the page can
//! preload exactly those.
//!
//! Why: without a preload, a browser asks for a KaTeX font only once layout
//! meets text set in it, at the highest priority. The fonts are shown with
//! `font-display: swap` and never hold back the first paint, but the
//! request comes late (math shows in a fallback face longer) and Lighthouse's
//! simulation, seeing a highest-priority request finish before the first
//! paint, counts it as render-blocking. Preloaded at low priority, the fonts
//! start with the HTML and nothing waits for them.
//!
//! The answer is derived from the theme's KaTeX stylesheet, not a table: its
//! `@font-face` rules name the file of each face (family, weight, style), and
//! its class rules say which face each KaTeX class selects. The formulas'
//! HTML (KaTeX's own output, well-formed spans) is walked with a stack of
//! elements; each piece of text uses the face its element computes. The
//! stylesheet is KaTeX's minified one: rules `selectors{declarations}` and
//! `@font-face` blocks, selectors of classes and tag names joined by
//! descendant and child combinators (what the walk understands; a rule
//! written otherwise is ignored, and its fonts load as they would unpreloaded).
//! `tests/browser` compares the answer with the faces Chromium loads.

use std::collections::BTreeSet;

/// A face of a font family: what `@font-face` maps to a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Face {
    family: String,
    bold: bool,
    italic: bool,
}

/// What a rule sets of the font; `None` leaves the inherited value.
#[derive(Debug, Clone, Default, PartialEq)]
struct FontDeclarations {
    family: Option<String>,
    bold: Option<bool>,
    italic: Option<bool>,
}

/// One compound selector: an optional tag name and classes, all required.
#[derive(Debug, Clone, PartialEq)]
struct Compound {
    tag: Option<String>,
    classes: Vec<String>,
}

/// A selector read right to left: the subject, then each ancestor with
/// whether it must be the immediate parent (`>`).
#[derive(Debug, Clone, PartialEq)]
struct Selector {
    subject: Compound,
    ancestors: Vec<(Compound, bool)>,
}

/// The font rules of a KaTeX stylesheet.
#[derive(Debug, Default)]
pub(crate) struct KatexFonts {
    /// Face → URL of its WOFF2 file.
    files: Vec<(Face, String)>,
    /// Rules that set a font property, in stylesheet order.
    rules: Vec<(Selector, FontDeclarations)>,
}

/// An open element during the walk: its tag, classes and computed face.
struct Open<'h> {
    tag: &'h str,
    classes: Vec<&'h str>,
    face: FontDeclarations,
}

impl KatexFonts {
    /// The rules of `css`; relative font URLs are resolved against `css_dir`
    /// (the URL of the stylesheet's folder, ending in `/`).
    pub(crate) fn from_css(css: &str, css_dir: &str) -> Self {
        let mut fonts = Self::default();
        for (prelude, block) in top_level_rules(css) {
            if prelude.eq_ignore_ascii_case("@font-face") {
                if let Some(face) = font_face(block, css_dir) {
                    fonts.files.push(face);
                }
                continue;
            }
            if prelude.starts_with('@') {
                continue;
            }
            let declarations = font_declarations(block);
            if declarations == FontDeclarations::default() {
                continue;
            }
            for selector in prelude.split(',').filter_map(parse_selector) {
                fonts.rules.push((selector, declarations.clone()));
            }
        }
        fonts
    }

    /// Adds to `used` the URLs of the font files the formulas in `html` use.
    pub(crate) fn add_used<'a>(&'a self, html: &str, used: &mut BTreeSet<&'a str>) {
        if self.files.is_empty() {
            return;
        }
        let mut rest = html;
        while let Some(start) = rest.find("<span class=\"katex") {
            let formula = &rest[start..];
            let consumed = self.walk_formula(formula, used);
            rest = &formula[consumed.max(1)..];
        }
    }

    /// Walks one formula (from its opening `<span class="katex…">` to the
    /// matching close), adding the files of the faces its text uses; returns
    /// the bytes walked.
    fn walk_formula<'a>(&'a self, html: &str, used: &mut BTreeSet<&'a str>) -> usize {
        let mut stack: Vec<Open<'_>> = Vec::new();
        let mut at = 0;
        while at < html.len() {
            let Some(lt) = html[at..].find('<').map(|i| at + i) else {
                return html.len();
            };
            if !stack.is_empty() && has_text(&html[at..lt]) {
                self.record(&stack, used);
            }
            let Some(gt) = html[lt..].find('>').map(|i| lt + i) else {
                return html.len();
            };
            let tag = &html[lt + 1..gt];
            at = gt + 1;
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                if let Some(depth) = stack.iter().rposition(|open| open.tag == name) {
                    stack.truncate(depth);
                }
                if stack.is_empty() {
                    return at;
                }
                continue;
            }
            if tag.starts_with('!') || tag.starts_with('?') {
                continue;
            }
            let (name, classes) = tag_name_and_classes(tag);
            if tag.ends_with('/') || is_void(name) {
                continue;
            }
            let inherited = stack.last().map(|o| o.face.clone()).unwrap_or_default();
            let mut open = Open {
                tag: name,
                classes,
                face: inherited,
            };
            for (selector, declarations) in &self.rules {
                if matches(selector, &open, &stack) {
                    apply(&mut open.face, declarations);
                }
            }
            stack.push(open);
        }
        html.len()
    }

    /// Adds the file of the face the innermost open element computes.
    fn record<'a>(&'a self, stack: &[Open<'_>], used: &mut BTreeSet<&'a str>) {
        let Some(face) = stack.last().map(|o| &o.face) else {
            return;
        };
        let Some(family) = &face.family else {
            return;
        };
        let wanted = Face {
            family: family.clone(),
            bold: face.bold.unwrap_or(false),
            italic: face.italic.unwrap_or(false),
        };
        if let Some(url) = self.closest_file(&wanted) {
            used.insert(url);
        }
    }

    /// The file for `face`, or the browser's choice when the family lacks
    /// that exact face: the same weight first, then the same style.
    fn closest_file(&self, wanted: &Face) -> Option<&str> {
        let family: Vec<&(Face, String)> = self
            .files
            .iter()
            .filter(|(face, _)| face.family == wanted.family)
            .collect();
        let score = |face: &Face| {
            u8::from(face.bold == wanted.bold) * 2 + u8::from(face.italic == wanted.italic)
        };
        family
            .iter()
            .max_by_key(|(face, _)| score(face))
            .map(|(_, url)| url.as_str())
    }
}

/// Whether text between tags shows something (KaTeX puts no entities for
/// spaces; `&ZeroWidthSpace;`-like text still asks for the font).
fn has_text(text: &str) -> bool {
    text.bytes().any(|b| !b.is_ascii_whitespace())
}

/// Elements that have no closing tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "img" | "hr" | "wbr" | "input" | "meta" | "link" | "col"
    )
}

/// The tag name and the classes of an opening tag's inside (`span class="a b"`).
fn tag_name_and_classes(tag: &str) -> (&str, Vec<&str>) {
    let tag = tag.trim_end_matches('/');
    let name_end = tag
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    let classes = tag
        .find("class=\"")
        .and_then(|i| {
            let value = &tag[i + "class=\"".len()..];
            value.find('"').map(|end| &value[..end])
        })
        .map(|value| value.split_ascii_whitespace().collect())
        .unwrap_or_default();
    (name, classes)
}

/// Whether `selector` matches `element` under its open ancestors `stack`.
fn matches(selector: &Selector, element: &Open<'_>, stack: &[Open<'_>]) -> bool {
    if !compound_matches(&selector.subject, element) {
        return false;
    }
    let mut above = stack.len();
    for (compound, child) in &selector.ancestors {
        if *child {
            if above == 0 || !compound_matches(compound, &stack[above - 1]) {
                return false;
            }
            above -= 1;
        } else {
            match stack[..above]
                .iter()
                .rposition(|open| compound_matches(compound, open))
            {
                Some(i) => above = i,
                None => return false,
            }
        }
    }
    true
}

fn compound_matches(compound: &Compound, element: &Open<'_>) -> bool {
    compound.tag.as_deref().is_none_or(|tag| tag == element.tag)
        && compound
            .classes
            .iter()
            .all(|class| element.classes.contains(&class.as_str()))
}

fn apply(face: &mut FontDeclarations, declarations: &FontDeclarations) {
    if let Some(family) = &declarations.family {
        face.family = Some(family.clone());
    }
    if let Some(bold) = declarations.bold {
        face.bold = Some(bold);
    }
    if let Some(italic) = declarations.italic {
        face.italic = Some(italic);
    }
}

/// The stylesheet's top-level rules as (prelude, block) pairs, comments
/// removed; the blocks of nested at-rules (`@media{…{…}}`) come whole.
fn top_level_rules(css: &str) -> Vec<(&str, &str)> {
    let mut rules = Vec::new();
    let bytes = css.as_bytes();
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = css[at + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |i| at + 2 + i + 2);
                start = at;
                continue;
            }
            b'{' => {
                let prelude = css[start..at].trim();
                let mut depth = 0usize;
                let open = at;
                while at < bytes.len() {
                    match bytes[at] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    at += 1;
                }
                rules.push((prelude, &css[open + 1..at.min(bytes.len())]));
                at += 1;
                start = at;
                continue;
            }
            b';' => start = at + 1, // `@import …;` and the like
            _ => {}
        }
        at += 1;
    }
    rules
}

/// `name: value` pairs of a declaration block.
fn declarations(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block.split(';').filter_map(|declaration| {
        let (name, value) = declaration.split_once(':')?;
        Some((name.trim(), value.trim()))
    })
}

/// The first family of a `font-family` list, unquoted.
fn first_family(list: &str) -> String {
    let first = list.split(',').next().unwrap_or("").trim();
    first.trim_matches(|c| c == '"' || c == '\'').to_string()
}

fn is_bold(weight: &str) -> bool {
    weight == "bold" || weight == "bolder" || weight.parse::<u16>().is_ok_and(|w| w >= 600)
}

/// The font properties a rule sets (`font-family`, `font-weight`,
/// `font-style`, and the `font` shorthand).
fn font_declarations(block: &str) -> FontDeclarations {
    let mut found = FontDeclarations::default();
    for (name, value) in declarations(block) {
        match name {
            "font-family" => found.family = Some(first_family(value)),
            "font-weight" => found.bold = Some(is_bold(value)),
            "font-style" => found.italic = Some(value != "normal"),
            "font" => {
                // `[style] [variant] [weight] size[/line-height] family, …`
                let Some(size_at) = value
                    .split_ascii_whitespace()
                    .position(|word| word.starts_with(|c: char| c.is_ascii_digit() || c == '.'))
                else {
                    continue;
                };
                let words: Vec<&str> = value.split_ascii_whitespace().collect();
                let keywords = &words[..size_at];
                found.italic = Some(keywords.iter().any(|w| *w == "italic" || *w == "oblique"));
                found.bold = Some(keywords.iter().any(|w| is_bold(w)));
                found.family = Some(first_family(&words[size_at + 1..].join(" ")));
            }
            _ => {}
        }
    }
    found
}

/// The face and WOFF2 URL of an `@font-face` block.
fn font_face(block: &str, css_dir: &str) -> Option<(Face, String)> {
    let mut face = Face {
        family: String::new(),
        bold: false,
        italic: false,
    };
    let mut url = None;
    for (name, value) in declarations(block) {
        match name {
            "font-family" => face.family = first_family(value),
            "font-weight" => face.bold = is_bold(value),
            "font-style" => face.italic = value != "normal",
            "src" => url = woff2_url(value, css_dir),
            _ => {}
        }
    }
    (!face.family.is_empty()).then_some(())?;
    Some((face, url?))
}

/// The first `url(…)` of a `src` list whose format is WOFF2, resolved.
fn woff2_url(src: &str, css_dir: &str) -> Option<String> {
    src.split(',').find_map(|source| {
        let rest = source.trim().strip_prefix("url(")?;
        let (url, after) = rest.split_once(')')?;
        if !after.contains("woff2") && !url.ends_with(".woff2") {
            return None;
        }
        let url = url.trim_matches(|c| c == '"' || c == '\'');
        Some(resolve(url, css_dir))
    })
}

fn resolve(url: &str, css_dir: &str) -> String {
    if url.starts_with('/') || url.contains("://") || url.starts_with("data:") {
        url.to_string()
    } else {
        format!("{css_dir}{url}")
    }
}

/// A selector of tag names and classes with descendant and child
/// combinators; anything else (attributes, pseudo-classes, ids) is `None`.
fn parse_selector(text: &str) -> Option<Selector> {
    let spaced = text.replace('>', " > ");
    let mut compounds: Vec<(Compound, bool)> = Vec::new();
    let mut child = false;
    for word in spaced.split_ascii_whitespace() {
        if word == ">" {
            child = true;
            continue;
        }
        compounds.push((parse_compound(word)?, child));
        child = false;
    }
    let (subject, subject_child) = compounds.pop()?;
    // Each compound's flag says how it hangs from the one before it; read
    // right to left, an ancestor's flag is its child's.
    let mut ancestors = Vec::new();
    let mut link = subject_child;
    while let Some((compound, its_child)) = compounds.pop() {
        ancestors.push((compound, link));
        link = its_child;
    }
    Some(Selector { subject, ancestors })
}

fn parse_compound(word: &str) -> Option<Compound> {
    if word.contains(['[', ':', '#', '*', '+', '~']) {
        return None;
    }
    let mut parts = word.split('.');
    let tag = parts.next().filter(|t| !t.is_empty()).map(str::to_string);
    let classes: Vec<String> = parts.map(str::to_string).collect();
    if classes.iter().any(String::is_empty) {
        return None;
    }
    Some(Compound { tag, classes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSS: &str = include_str!("../../static/katex/katex.min.css");

    fn used(tex: &str, display: bool) -> Vec<String> {
        let engine = crate::markdown::MathEngine::new(Default::default());
        let html = engine.render(tex, display).expect("the formula typesets");
        let fonts = KatexFonts::from_css(CSS, "/katex/");
        let mut used = BTreeSet::new();
        fonts.add_used(&html, &mut used);
        used.into_iter()
            .map(|url| {
                url.trim_start_matches("/katex/fonts/KaTeX_")
                    .trim_end_matches(".woff2")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn every_face_of_the_stylesheet_has_its_file() {
        let fonts = KatexFonts::from_css(CSS, "/katex/");
        assert_eq!(fonts.files.len(), 20, "{:?}", fonts.files);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/katex/fonts");
        for (_, url) in &fonts.files {
            let file = url.trim_start_matches("/katex/fonts/");
            assert!(dir.join(file).is_file(), "{url}");
        }
    }

    #[test]
    fn a_variable_uses_main_and_math_italic() {
        assert_eq!(used("x + 1", false), ["Main-Regular", "Math-Italic"]);
        assert_eq!(used("1", false), ["Main-Regular"]);
    }

    #[test]
    fn alphabets_bold_and_big_operators_use_their_fonts() {
        assert_eq!(used(r"\mathbb{R}", false), ["AMS-Regular", "Main-Regular"]);
        assert_eq!(used(r"\mathbf{1}", false), ["Main-Bold", "Main-Regular"]);
        assert_eq!(
            used(r"\boldsymbol{w}", false),
            ["Main-Regular", "Math-BoldItalic"]
        );
        assert!(used(r"\sum_i", false).contains(&"Size1-Regular".to_string()));
        assert!(used(r"\sum_i", true).contains(&"Size2-Regular".to_string()));
        assert!(used(r"\mathcal{L}", false).contains(&"Caligraphic-Regular".to_string()));
        assert!(used(r"\textbf{a}", false).contains(&"Main-Bold".to_string()));
    }

    #[test]
    fn tall_delimiters_use_the_size_fonts() {
        let big = used(r"\left( \frac{\frac{a}{b}}{\frac{c}{d}} \right)", true);
        assert!(big.iter().any(|f| f.starts_with("Size")), "{big:?}");
    }

    #[test]
    fn text_outside_formulas_and_pages_without_math_use_nothing() {
        let fonts = KatexFonts::from_css(CSS, "/katex/");
        let mut used = BTreeSet::new();
        fonts.add_used(
            "<p class=\"mathbb\">正文</p><span class=\"mathnormal\">x</span>",
            &mut used,
        );
        assert!(used.is_empty(), "{used:?}");
    }

    #[test]
    fn selectors_read_right_to_left() {
        let selector =
            parse_selector(".katex .delimsizing.mult .delim-size1>span").expect("parses");
        assert_eq!(selector.subject.tag.as_deref(), Some("span"));
        assert_eq!(selector.ancestors[0].0.classes, ["delim-size1"]);
        assert!(selector.ancestors[0].1, "the parent is a child link");
        assert!(!selector.ancestors[1].1);
        assert_eq!(selector.ancestors[2].0.classes, ["katex"]);
        assert!(parse_selector(".katex .x:hover").is_none());
    }

    #[test]
    fn broken_html_ends_the_walk_without_panicking() {
        let fonts = KatexFonts::from_css(CSS, "/katex/");
        let mut used = BTreeSet::new();
        for html in [
            "<span class=\"katex",
            "<span class=\"katex\">x</",
            "<span class=\"katex\"><span>x",
        ] {
            fonts.add_used(html, &mut used);
        }
    }
}
