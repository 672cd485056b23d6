//! One formula of an article, from its TeX to its HTML: Markdown escapes
//! undone, the article's macros expanded, equation numbers and references
//! put in, MathJax-only TeX rewritten, then KaTeX; and what is reported on the way.

use std::path::Path;

use super::placeholder::Formula;
use super::{
    LINK_MARKER, Lines, LocalLink, MarkdownRenderer, PageMacros, Source, equations, escape, math,
    math_scan, mathjax, page_macros, references,
};
use crate::diagnostic::{Diagnostic, Position};

impl MarkdownRenderer<'_> {
    pub(super) fn formula(
        &self,
        span: &math_scan::MathSpan,
        prepared: Result<page_macros::Expanded, math::MathError>,
        context: &FormulaContext<'_>,
        diagnostics: &mut Vec<Diagnostic>,
        pending: &mut Vec<LocalLink>,
    ) -> Formula {
        if span.tex.is_empty() {
            return empty_block(span, context.source, context.lines, diagnostics);
        }
        let at = || context.lines.position(span.range.start);
        let ids = context.numbering.ids(context.index).to_vec();
        let rendered = prepared.and_then(|expanded| {
            if expanded.only_definitions {
                return Ok("".into());
            }
            let tex = context
                .numbering
                .numbered_tex(context.index)
                .unwrap_or(&expanded.tex);
            if let Some((label, parenthesised)) = lone_reference(tex) {
                let link = match context.numbering.number(label) {
                    Some(number) => reference_link(label, number, parenthesised),
                    None => {
                        // Another article's, a theorem's or a figure's: the site stage's.
                        pending.push(LocalLink {
                            url: references::reference_url(label, parenthesised),
                            position: at(),
                        });
                        references::pending_link(&format!("{LINK_MARKER}{}", pending.len() - 1))
                    }
                };
                return Ok(link.into());
            }
            let (tex, missing) = context.numbering.resolve_in_formula(tex);
            for label in missing {
                diagnostics.push(unknown_label(context.source.path, &label, at()));
            }
            self.math.render(&mathjax::compatible(&tex), span.display)
        });
        let html: std::sync::Arc<str> = match rendered.as_ref() {
            Ok(html) => std::sync::Arc::clone(html),
            Err(error) => {
                let mut d = Diagnostic::warning(context.source.path, error.message.clone())
                    .at(at())
                    .strict();
                if let Some(hint) = &error.hint {
                    d = d.with_hint(hint.clone());
                }
                diagnostics.push(d);
                math::error_html(&span.tex, error).into()
            }
        };
        Formula {
            html,
            tex: span.tex.clone(),
            display: span.display,
            failed: rendered.is_err(),
            ids,
        }
    }

    /// A formula as its author meant it, before numbering: Markdown escapes
    /// undone (if asked), the article's own macros defined and expanded.
    pub(super) fn prepare(
        &self,
        tex: &str,
        page_macros: &mut PageMacros,
    ) -> Result<page_macros::Expanded, math::MathError> {
        let tex = match self.markdown_escapes {
            true => mathjax::unescape_markdown(tex),
            false => std::borrow::Cow::Borrowed(tex),
        };
        page_macros.apply(&tex)
    }
}

/// Where a formula sits: its number in the article and the article's equations.
pub(super) struct FormulaContext<'a> {
    pub(super) index: usize,
    pub(super) numbering: &'a equations::Numbering,
    pub(super) source: &'a Source<'a>,
    pub(super) lines: &'a Lines<'a>,
}

/// The label of a formula that is nothing but `\eqref{x}` or `\ref{x}`,
/// and whether it is `\eqref`: it becomes a link to the equation.
fn lone_reference(tex: &str) -> Option<(&str, bool)> {
    let trimmed = tex.trim();
    let references = equations::references(trimmed);
    let [reference] = references.as_slice() else {
        return None;
    };
    (reference.range == (0..trimmed.len())).then_some((reference.label, reference.parenthesised))
}

/// `<a class="eqref" href="#eq:x">(3)</a>`.
pub(super) fn reference_link(label: &str, number: &str, parenthesised: bool) -> String {
    let shown = references::shown(number, parenthesised);
    format!(
        "<a class=\"eqref\" href=\"#{}\">{}</a>",
        escape(label),
        escape(&shown)
    )
}

pub(super) fn unknown_label(path: &Path, label: &str, at: Position) -> Diagnostic {
    Diagnostic::warning(
        path,
        format!("no equation is labelled `{label}` in this article"),
    )
    .at(at)
    .with_hint("a reference inside a formula names an equation of this article (\\label{…}); for theorems, figures and other articles write \\eqref{…} outside the formula")
    .strict()
}

/// An empty display block (a `$$` line, then a `$$` line): nothing to show,
/// and probably a formula lost in editing, so the author is told.
fn empty_block(
    span: &math_scan::MathSpan,
    source: &Source<'_>,
    lines: &Lines<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Formula {
    diagnostics.push(
        Diagnostic::warning(source.path, "empty display formula: nothing is shown")
            .at(lines.position(span.range.start))
            .with_hint(
                "put the formula between the two `$$` (or `\\[`, `\\]`) lines, or delete them",
            ),
    );
    Formula {
        html: std::sync::Arc::from(""),
        tex: String::new(),
        display: true,
        failed: false,
        ids: Vec::new(),
    }
}
