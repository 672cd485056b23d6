//! `blogsmith.yaml`: the site configuration.
//!
//! Every key is optional. An unknown key is an error naming the closest valid
//! key, because a misspelt option silently ignored is worse than a failed build.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Position};

/// The file name of the configuration, at the site root.
pub const CONFIG_FILE: &str = "blogsmith.yaml";

/// Where articles are published unless the configuration says otherwise.
pub const DEFAULT_PERMALINK: &str = "/posts/:slug/";

/// The tokens a permalink pattern may use, as Hexo, Jekyll and Hugo name them.
pub const PERMALINK_TOKENS: &[&str] = &[
    "year",
    "month",
    "day",
    "i_month",
    "i_day",
    "hour",
    "minute",
    "second",
    "title",
    "slug",
    "name",
    "categories",
    "category",
];

/// The first token of a permalink pattern that is not one of [`PERMALINK_TOKENS`].
pub fn unknown_permalink_token(pattern: &str) -> Option<String> {
    pattern
        .split(':')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .find(|token| !PERMALINK_TOKENS.contains(&token.as_str()))
        .map(|token| format!(":{token}"))
}

/// The whole site configuration.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title, shown in the header and in `<title>`.
    pub title: String,
    /// A line under the title.
    pub subtitle: String,
    /// Used for meta descriptions and feeds.
    pub description: String,
    /// Where the site is published, e.g. `https://example.com/notes/`.
    /// Its path part prefixes every link, so a site can live in a subfolder.
    pub base_url: String,
    /// `<html lang>`.
    pub language: String,
    /// IANA time zone for dates written without an offset.
    pub timezone: String,
    /// Default author.
    pub author: String,
    /// Articles per index page.
    pub paginate: usize,
    /// Length of automatic excerpts, in characters.
    pub summary_length: usize,
    /// Tag and category pages.
    pub taxonomies: Taxonomies,
    /// Math rendering options.
    pub math: MathConfig,
    /// Markdown options.
    pub markdown: MarkdownConfig,
    /// Code highlighting options.
    pub highlight: HighlightConfig,
    /// Atom and RSS feeds.
    pub feed: FeedConfig,
    /// Where articles are published: a URL path pattern with tokens such as
    /// `:year`, `:month`, `:day`, `:slug` (see [`PERMALINK_TOKENS`]), e.g.
    /// Hexo's `:year/:month/:day/:title/`. An article's own `permalink:` wins.
    pub permalink: String,
    /// `.bib` files every article may cite (paths relative to the site
    /// root): one path or a list. An article's own `bibliography:` adds to them.
    pub bibliography: Bibliographies,
    /// How citations and references look.
    pub citations: CitationsConfig,
    /// Free-form values for templates, as `config.extra`.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            title: "My Notes".into(),
            subtitle: String::new(),
            description: String::new(),
            base_url: "/".into(),
            language: "zh-CN".into(),
            timezone: "Asia/Shanghai".into(),
            author: String::new(),
            paginate: 10,
            summary_length: 350,
            taxonomies: Taxonomies::default(),
            math: MathConfig::default(),
            markdown: MarkdownConfig::default(),
            highlight: HighlightConfig::default(),
            feed: FeedConfig::default(),
            permalink: DEFAULT_PERMALINK.into(),
            bibliography: Bibliographies::default(),
            citations: CitationsConfig::default(),
            extra: BTreeMap::new(),
        }
    }
}

/// The two taxonomies front matter knows about.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Taxonomies {
    /// `tags:` in front matter, pages under `/tags/`.
    pub tags: TaxonomyConfig,
    /// `categories:` in front matter, pages under `/categories/`.
    pub categories: TaxonomyConfig,
}

impl Default for Taxonomies {
    fn default() -> Self {
        Self {
            tags: TaxonomyConfig::named("标签"),
            categories: TaxonomyConfig::named("分类"),
        }
    }
}

/// Options of one taxonomy.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// Whether its pages are written.
    pub enabled: bool,
    /// Its name in page headings.
    pub title: String,
    /// Articles per term page; the site's `paginate` when unset.
    pub paginate: Option<usize>,
}

impl TaxonomyConfig {
    fn named(title: &str) -> Self {
        Self {
            enabled: true,
            title: title.into(),
            paginate: None,
        }
    }
}

impl Default for TaxonomyConfig {
    fn default() -> Self {
        Self::named("")
    }
}

/// Math options.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MathConfig {
    /// TeX macros applied to every formula, e.g. `\R: \mathbb{R}`.
    pub macros: BTreeMap<String, String>,
    /// Fail the build on formulas KaTeX cannot parse.
    pub strict: bool,
    /// Formulas were written for a Markdown renderer that ran before the math
    /// (Hexo's marked or kramed): `\_`, `\*`, `\\{` and `\\\\` mean `_`,
    /// `*`, `\{` and `\\`.
    pub markdown_escapes: bool,
    /// A code span that is exactly `` `$…$` `` or `` `$$…$$` `` is a formula
    /// (the blogdown and Hugo convention); off by default.
    pub code_spans: bool,
}

/// How equations, theorems and figures are numbered (`markdown.numbering`).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Numbering {
    /// 1, 2, 3 through the article, as LaTeX's `article` class.
    #[default]
    Article,
    /// 2.1, 2.2 in the article's second section: the sections are its
    /// headings of the highest level it uses (`##` in most notes, `#` when it
    /// has them), as `\numberwithin{equation}{section}`; before the first
    /// section, 0.1, 0.2.
    Section,
}

/// Markdown options.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Keep raw HTML written in articles (it is the author's own). `false`
    /// shows it as text instead, for sites built from others' writing.
    pub unsafe_html: bool,
    /// How equations, theorems and figures are numbered: through the article
    /// (`(3)`, the default) or by section (`(2.1)`).
    pub numbering: Numbering,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        Self {
            unsafe_html: true,
            numbering: Numbering::Article,
        }
    }
}

/// `bibliography:`: one `.bib` path or a list of them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(from = "OneOrMany")]
pub struct Bibliographies(pub Vec<String>);

/// What `bibliography:` may be written as.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for Bibliographies {
    fn from(value: OneOrMany) -> Self {
        match value {
            OneOrMany::One(path) => Self(vec![path]),
            OneOrMany::Many(paths) => Self(paths),
        }
    }
}

/// Citation options (see docs/citations.md).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CitationsConfig {
    /// `author-year` (the default) or `numeric`.
    pub style: CitationStyleName,
}

/// The citation styles blogsmith offers.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CitationStyleName {
    /// `（Vaswani et al., 2017）`, references sorted by author (GB/T 7714-2015 author-date).
    #[default]
    AuthorYear,
    /// `[1]`, references numbered in the order first cited (GB/T 7714-2015 numeric).
    Numeric,
}

/// Feed options.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FeedConfig {
    /// How many of the newest articles the feeds carry.
    pub limit: usize,
    /// Whole articles instead of excerpts.
    pub full_content: bool,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            limit: 20,
            full_content: false,
        }
    }
}

/// Code highlighting options.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HighlightConfig {
    /// syntect theme for light mode.
    pub light_theme: String,
    /// syntect theme for dark mode (`prefers-color-scheme: dark`).
    pub dark_theme: String,
    /// Number the lines of every code block (a fence can ask with `linenos`).
    pub line_numbers: bool,
}

impl Default for HighlightConfig {
    fn default() -> Self {
        Self {
            light_theme: "InspiredGitHub".into(),
            dark_theme: "base16-ocean.dark".into(),
            line_numbers: false,
        }
    }
}

impl Config {
    /// Reads `blogsmith.yaml` under `root`; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Self, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map_err(|d| Diagnostic {
                path: CONFIG_FILE.into(),
                ..d
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Diagnostic::error(
                CONFIG_FILE,
                format!("cannot read the configuration: {e}"),
            )),
        }
    }

    /// Parses configuration text; errors carry the position in that text.
    pub fn parse(text: &str) -> Result<Self, Diagnostic> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let config: Self = serde_saphyr::from_str(text).map_err(yaml_diagnostic)?;
        if let Some(token) = unknown_permalink_token(&config.permalink) {
            let line = text
                .lines()
                .position(|l| l.starts_with("permalink:"))
                .map_or(1, |i| i + 1);
            return Err(Diagnostic::error(
                CONFIG_FILE,
                format!("permalink `{}`: unknown token `{token}`", config.permalink),
            )
            .at(Position::new(line, 1))
            .with_hint(format!(
                "the tokens are {}",
                PERMALINK_TOKENS
                    .iter()
                    .map(|t| format!(":{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        config.validate()
    }

    fn validate(self) -> Result<Self, Diagnostic> {
        if self.paginate == 0 {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                "`paginate` must be at least 1",
            ));
        }
        if jiff::tz::TimeZone::get(&self.timezone).is_err() {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                format!("unknown time zone `{}`", self.timezone),
            )
            .with_hint("use an IANA name such as Asia/Shanghai or UTC"));
        }
        if let Some(cycle) = recursive_macro(&self.math.macros) {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "math.macros: `{}` expands to itself ({}): KaTeX would expand it until the stack overflows",
                    cycle[0],
                    cycle.join(" → ")
                ),
            )
            .with_hint("define macros in terms of KaTeX's own commands, or of other macros that do not lead back to them"));
        }
        Ok(self)
    }

    /// The time zone for dates written without an offset (validated on load).
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        let url = self.base_url.trim();
        let after_scheme = match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                rest.find('/').map_or("", |j| &rest[j..])
            }
            None => url,
        };
        let trimmed = after_scheme.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }
}

/// Turns a YAML error into a diagnostic, adding the closest key for unknown keys.
fn yaml_diagnostic(error: serde_saphyr::Error) -> Diagnostic {
    let position = error
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Position::new(l.line() as usize, l.column().max(1) as usize));
    let message = yaml_message(&error);
    let mut diagnostic = Diagnostic::error(CONFIG_FILE, message.clone());
    if let Some(p) = position {
        diagnostic = diagnostic.at(p);
    }
    if let Some(hint) = unknown_key_hint(&message) {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

/// The YAML error's message without the source snippet or its own position.
pub(crate) fn yaml_message(error: &serde_saphyr::Error) -> String {
    let text = error.without_snippet().to_string();
    let first = text.lines().next().unwrap_or_default();
    // serde-saphyr appends " at line L, column C"; we print our own position.
    let message = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    // Advice meant for programmers using the library, not for authors.
    message
        .trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable")
        .to_string()
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" message, suggests the closest key.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, expected) = rest.split_once('`')?;
    let expected = expected
        .split_once("expected")?
        .1
        .trim_start_matches(" one of");
    let candidates: Vec<&str> = expected
        .split([',', ' '])
        .map(|c| c.trim_matches(|c: char| c == '`' || c.is_whitespace()))
        .filter(|c| !c.is_empty() && *c != "or")
        .collect();
    let best = closest(unknown, &candidates)?;
    Some(format!("did you mean `{best}`?"))
}

/// A chain of macros that leads back to its first one (`\A → \B → \A`), if
/// any: expanding it never ends, and KaTeX's expansion limit does not stop
/// the stack from overflowing when each step opens a group (`\R: "{\R}"`).
fn recursive_macro(macros: &BTreeMap<String, String>) -> Option<Vec<String>> {
    let uses = |body: &str| -> Vec<&str> {
        macros
            .keys()
            .filter(|name| {
                body.match_indices(name.as_str()).any(|(at, _)| {
                    // `\R` in `\Rightarrow` is not a use of `\R`.
                    !body[at + name.len()..].chars().next().is_some_and(|c| {
                        c.is_ascii_alphabetic() && name.ends_with(|e: char| e.is_ascii_alphabetic())
                    })
                })
            })
            .map(String::as_str)
            .collect()
    };
    // Depth-first search for a cycle, from every macro in turn (there are few).
    fn visit<'a>(
        name: &'a str,
        macros: &'a BTreeMap<String, String>,
        uses: &dyn Fn(&'a str) -> Vec<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| *p == name) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| (*s).to_string()).collect();
            cycle.push(name.to_string());
            return Some(cycle);
        }
        if path.len() > macros.len() {
            return None;
        }
        path.push(name);
        for next in uses(macros.get(name).map_or("", String::as_str)) {
            if let Some(cycle) = visit(next, macros, uses, path) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    macros
        .keys()
        .find_map(|name| visit(name, macros, &uses, &mut Vec::new()))
}

/// The candidate closest to `word` by edit distance, if any is reasonably close.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 2).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_all_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.paginate, 10);
        assert_eq!(c.summary_length, 350);
        assert_eq!(c.language, "zh-CN");
        assert!(c.taxonomies.tags.enabled);
        assert!(!c.math.code_spans, "code spans are code unless asked");
    }

    #[test]
    fn reads_nested_values() {
        let c = Config::parse(
            "title: 笔记\npaginate: 3\nmath:\n  macros:\n    \\R: \\mathbb{R}\n  strict: true\n  code_spans: true\n",
        )
        .unwrap();
        assert_eq!(c.title, "笔记");
        assert_eq!(c.paginate, 3);
        assert_eq!(c.math.macros["\\R"], "\\mathbb{R}");
        assert!(c.math.strict);
        assert!(c.math.code_spans);
    }

    #[test]
    fn numbering_is_by_article_unless_by_section() {
        assert_eq!(
            Config::parse("").unwrap().markdown.numbering,
            Numbering::Article
        );
        let c = Config::parse("markdown:\n  numbering: section\n").unwrap();
        assert_eq!(c.markdown.numbering, Numbering::Section);
        assert!(
            c.markdown.unsafe_html,
            "the other markdown keys keep their defaults"
        );
        let d = Config::parse("markdown:\n  numbering: chapter\n").unwrap_err();
        assert_eq!(d.position.map(|p| p.line), Some(2), "{d}");
    }

    #[test]
    fn unknown_key_names_the_closest_valid_one() {
        let d = Config::parse("title: a\npaginte: 5\n").unwrap_err();
        assert!(d.message.contains("paginte"), "{d}");
        assert_eq!(d.hint.as_deref(), Some("did you mean `paginate`?"));
        assert_eq!(d.position.map(|p| p.line), Some(2), "{d}");
    }

    #[test]
    fn unknown_nested_key_is_rejected_too() {
        let d = Config::parse("math:\n  strct: true\n").unwrap_err();
        assert_eq!(d.hint.as_deref(), Some("did you mean `strict`?"), "{d}");
    }

    #[test]
    fn wrong_type_is_an_error_with_position() {
        let d = Config::parse("title: a\npaginate: many\n").unwrap_err();
        assert_eq!(d.position.map(|p| p.line), Some(2), "{d}");
    }

    #[test]
    fn zero_paginate_and_bad_timezone_are_rejected() {
        assert!(Config::parse("paginate: 0").is_err());
        assert!(Config::parse("timezone: Mars/Olympus").is_err());
    }

    #[test]
    fn base_path_is_the_url_path() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "/");
        c.base_url = "https://example.com/notes".into();
        assert_eq!(c.base_path(), "/notes/");
        c.base_url = "https://example.com".into();
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn recursive_macros_are_refused() {
        let macros = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        assert_eq!(recursive_macro(&macros(&[("\\R", "\\mathbb{R}")])), None);
        assert_eq!(
            recursive_macro(&macros(&[("\\R", "{\\R}")])),
            Some(vec!["\\R".into(), "\\R".into()])
        );
        let cycle = recursive_macro(&macros(&[
            ("\\A", "\\B+1"),
            ("\\B", "{\\A}"),
            ("\\C", "\\A"),
        ]))
        .expect("a cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert!(cycle.len() == 3, "{cycle:?}");
        // Names that only start like another macro are not uses of it.
        assert_eq!(
            recursive_macro(&macros(&[
                ("\\R", "\\Rightarrow"),
                ("\\Rightarrow", "\\to")
            ])),
            None
        );
        let error = Config::parse("math:\n  macros:\n    \\R: '{\\R}'\n").unwrap_err();
        assert!(
            error.message.contains("expands to itself"),
            "{}",
            error.message
        );
    }

    #[test]
    fn closest_ignores_far_words() {
        assert_eq!(closest("titel", &["title", "paginate"]), Some("title"));
        assert_eq!(closest("zzzzzz", &["title", "paginate"]), None);
    }
}
