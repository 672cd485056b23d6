//! References to labels across the site: `\eqref{eq:x}` and `\ref{thm:x}`
//! the Markdown stage could not resolve within their article (a theorem, a
//! figure, another article's equation), and empty links to a label of
//! another article (`[](./other.md#eq:x)`). Labels are site-wide: an
//! article's own label wins over another's of the same name; a label
//! defined twice is reported where it is defined the second time.

use std::collections::HashMap;
use std::path::Path;

use super::Post;
use super::links::LinkTarget;
use crate::content::CONTENT_DIR;
use crate::diagnostic::Diagnostic;
use crate::markdown::LocalLink;
use crate::markdown::references::shown;

/// Where a label is defined: the article (its index) and what references show.
#[derive(Debug, Clone)]
pub(super) struct Defined {
    post: usize,
    number: String,
    text: String,
}

/// Every label of the site, by name.
#[derive(Debug, Default)]
pub(super) struct Labels {
    by_name: HashMap<String, Defined>,
    /// Per article: its own labels, which win over another's of the same name.
    own: Vec<HashMap<String, Defined>>,
}

impl Labels {
    /// The labels of `posts`, and a warning for each defined a second time
    /// (articles taken in the order of their files, for the same answer
    /// whatever their dates).
    pub(super) fn of(posts: &[Post]) -> (Self, Vec<Diagnostic>) {
        let mut order: Vec<usize> = (0..posts.len()).collect();
        order.sort_by(|&a, &b| posts[a].source.cmp(&posts[b].source));
        let mut labels = Self {
            by_name: HashMap::new(),
            own: vec![HashMap::new(); posts.len()],
        };
        let mut first_at: HashMap<&str, (usize, crate::diagnostic::Position)> = HashMap::new();
        let mut diagnostics = Vec::new();
        for i in order {
            for label in &posts[i].labels {
                let defined = Defined {
                    post: i,
                    number: label.number.clone(),
                    text: label.text.clone(),
                };
                if let Some((first, position)) = first_at.get(label.name.as_str()) {
                    let first_file = Path::new(CONTENT_DIR).join(&posts[*first].source);
                    diagnostics.push(
                        Diagnostic::warning(
                            Path::new(CONTENT_DIR).join(&posts[i].source),
                            format!(
                                "the label `{}` is also defined at {}:{}:{}",
                                label.name,
                                first_file.display(),
                                position.line,
                                position.column
                            ),
                        )
                        .at(label.position)
                        .with_hint("labels are site-wide: give one of them another name (references within an article find its own)"),
                    );
                } else {
                    first_at.insert(&label.name, (i, label.position));
                    labels.by_name.insert(label.name.clone(), defined.clone());
                }
                labels.own[i].entry(label.name.clone()).or_insert(defined);
            }
        }
        (labels, diagnostics)
    }

    /// The label `name` as article `from` sees it: its own, else the site's.
    fn find(&self, from: usize, name: &str) -> Option<&Defined> {
        self.own
            .get(from)
            .and_then(|own| own.get(name))
            .or_else(|| self.by_name.get(name))
    }

    /// What a link written without text to `fragment` of article `target`
    /// shows, if the fragment is one of its labels: `(3)`, `定理 1`.
    pub(super) fn text_of(&self, target: usize, fragment: &str) -> Option<&str> {
        let decoded = crate::util::url::percent_decode(fragment)?;
        let own = self.own.get(target)?;
        own.get(&decoded).map(|d| d.text.as_str())
    }

    /// Where the reference `\eqref{label}` (or `\ref`) of article `from`
    /// points, in its page and in its excerpt; a warning if nothing has the label.
    pub(super) fn resolve(
        &self,
        posts_urls: &[String],
        from: usize,
        (label, parenthesised): (&str, bool),
        link: &LocalLink,
        file: &Path,
    ) -> (LinkTarget, LinkTarget, Option<Diagnostic>) {
        let Some(defined) = self.find(from, label) else {
            let unknown = LinkTarget {
                href: format!("#{label}"),
                title: Some(shown("??", parenthesised)),
                size: None,
            };
            let problem = Diagnostic::warning(
                file,
                format!("no equation, theorem or figure of the site is labelled `{label}`"),
            )
            .at(link.position)
            .with_hint("label an equation with \\label{…} in its formula, a theorem or figure with {#…}; labels are case-sensitive")
            .strict();
            return (unknown.clone(), unknown, Some(problem));
        };
        let text = Some(shown(&defined.number, parenthesised));
        let elsewhere = format!("{}#{label}", posts_urls[defined.post]);
        let in_page = match defined.post == from {
            true => format!("#{label}"),
            false => elsewhere.clone(),
        };
        (
            LinkTarget {
                href: in_page,
                title: text.clone(),
                size: None,
            },
            LinkTarget {
                href: elsewhere,
                title: text,
                size: None,
            },
            None,
        )
    }
}
