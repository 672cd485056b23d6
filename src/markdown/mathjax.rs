//! TeX as MathJax (and Typora, which uses it) accepts it, rewritten into TeX
//! KaTeX accepts, and TeX written for Markdown renderers that ran before the
//! math (Hexo's marked and kramed).
//!
//! | Written | Given to KaTeX | Why |
//! | --- | --- | --- |
//! | `\begin{eqnarray}…\end{eqnarray}` (and `eqnarray*`) | `\begin{darray}{rcl}…\end{darray}` | KaTeX has no eqnarray; MathJax sets it as three display-style columns, right, centre, left, unnumbered by default |
//! | `\nonumber`, `\notag` inside eqnarray | removed | nothing is numbered |
//! | `\mbox{…}` | `\text{…}` | KaTeX has no `\mbox` |
//! | `\hat\boldsymbol w` (an accent before a font command, no braces) | `\hat{\boldsymbol w}` | MathJax reads the font command with its argument; KaTeX refuses |
//! | `\label{…}` | removed | KaTeX has no cross-references; the label itself shows nothing |
//! | `\require{…}` | removed | MathJax's extension loader; KaTeX has everything built in |
//!
//! `\bm` needs no translation: KaTeX has it.

use std::borrow::Cow;

/// Font commands MathJax lets an accent take without braces.
const FONT_COMMANDS: &[&str] = &[
    "boldsymbol",
    "bm",
    "pmb",
    "mathbf",
    "mathrm",
    "mathit",
    "mathsf",
    "mathtt",
    "mathcal",
    "mathbb",
    "mathfrak",
    "mathscr",
];

/// Accents (one argument) that may come before a font command.
const ACCENTS: &[&str] = &[
    "hat",
    "widehat",
    "bar",
    "overline",
    "underline",
    "vec",
    "overrightarrow",
    "tilde",
    "widetilde",
    "dot",
    "ddot",
    "check",
    "breve",
    "acute",
    "grave",
    "mathring",
];

/// `tex` with the MathJax-only constructs above rewritten; borrowed when there are none.
pub fn compatible(tex: &str) -> Cow<'_, str> {
    if !tex.contains('\\') {
        return Cow::Borrowed(tex);
    }
    let words = control_words(tex);
    let needs_work = words.iter().any(|(_, name)| {
        matches!(*name, "mbox" | "label" | "require")
            || (*name == "begin" || *name == "end") && tex.contains("{eqnarray")
            || ACCENTS.contains(name)
    });
    if !needs_work {
        return Cow::Borrowed(tex);
    }
    let mut out = String::with_capacity(tex.len() + 16);
    let mut copied = 0;
    let in_eqnarray = tex.contains("{eqnarray");
    let mut i = 0;
    while i < words.len() {
        let (at, name) = words[i];
        let end = at + 1 + name.len();
        let replacement: Option<(usize, String)> = match name {
            "mbox" => Some((end, "\\text".into())),
            "label" | "require" => group_end(tex, end).map(|group| (group, String::new())),
            "nonumber" | "notag" if in_eqnarray => Some((end, String::new())),
            "begin" | "end" => eqnarray(tex, name, end),
            accent if ACCENTS.contains(&accent) => braced_font_argument(tex, accent, end),
            _ => None,
        };
        if let Some((until, text)) = replacement {
            out.push_str(&tex[copied..at]);
            out.push_str(&text);
            copied = until;
            while i < words.len() && words[i].0 < until {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out.push_str(&tex[copied..]);
    Cow::Owned(out)
}

/// `\begin{eqnarray}` or `\end{eqnarray*}` starting at the name's end, as darray.
fn eqnarray(tex: &str, name: &str, end: usize) -> Option<(usize, String)> {
    let rest = &tex[end..];
    let after = rest.trim_start();
    let skipped = rest.len() - after.len();
    for environment in ["{eqnarray*}", "{eqnarray}"] {
        if after.starts_with(environment) {
            let text = match name {
                "begin" => "\\begin{darray}{rcl}",
                _ => "\\end{darray}",
            };
            return Some((end + skipped + environment.len(), text.into()));
        }
    }
    None
}

/// `\hat\boldsymbol w` → `\hat{\boldsymbol w}`: the end of what was read and its rewriting.
fn braced_font_argument(tex: &str, accent: &str, end: usize) -> Option<(usize, String)> {
    let rest = &tex[end..];
    let after = rest.trim_start();
    let font_at = end + rest.len() - after.len();
    let font = after.strip_prefix('\\')?;
    let font_len = font
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(font.len());
    if !FONT_COMMANDS.contains(&&font[..font_len]) {
        return None;
    }
    let argument_end = argument_end(tex, font_at + 1 + font_len)?;
    Some((
        argument_end,
        format!("\\{accent}{{{}}}", &tex[font_at..argument_end]),
    ))
}

/// The end of the one argument starting at `from` (after spaces): a group or one token.
fn argument_end(tex: &str, from: usize) -> Option<usize> {
    let rest = &tex[from..];
    let after = rest.trim_start();
    let start = from + rest.len() - after.len();
    let mut chars = after.chars();
    match chars.next()? {
        '{' => group_end(tex, start),
        '\\' => {
            let name = &after[1..];
            let letters = name
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(name.len());
            let len = match letters {
                0 => name.chars().next().map_or(0, char::len_utf8),
                n => n,
            };
            Some(start + 1 + len)
        }
        c => Some(start + c.len_utf8()),
    }
}

/// The end (after the `}`) of the braced group that starts at `from` after spaces.
fn group_end(tex: &str, from: usize) -> Option<usize> {
    let rest = &tex[from..];
    let after = rest.trim_start();
    let start = from + rest.len() - after.len();
    if !after.starts_with('{') {
        return None;
    }
    let bytes = tex.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every control word (`\name`, letters only) with the offset of its backslash.
pub(crate) fn control_words(tex: &str) -> Vec<(usize, &str)> {
    let bytes = tex.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let len = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        if len > 0 {
            words.push((i, &tex[i + 1..i + 1 + len]));
        }
        // A control symbol (`\\`, `\{`) is skipped whole.
        i += 1 + len.max(1);
    }
    words
}

/// TeX as an author wrote it for a Markdown renderer that handled `\`
/// escapes before the math (Hexo's marked and kramed): `\_` and `\*` were
/// written for `_` and `*`, `\\{` `\\}` for `\{` `\}`, `\\\\` for a line
/// break `\\`. Everything else, `\\` alone included, is left as written.
pub fn unescape_markdown(tex: &str) -> Cow<'_, str> {
    if !tex.contains('\\') {
        return Cow::Borrowed(tex);
    }
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let run = rest[at..].bytes().take_while(|b| *b == b'\\').count();
        let next = rest[at + run..].chars().next();
        let kept = match (run, next) {
            // Markdown's rule: each `\\` gave one `\`, a last `\` escaped the `_`.
            (n, Some('_' | '*')) => n / 2,
            (n, Some('{' | '}')) if n % 2 == 0 => n / 2,
            (n, _) if n >= 4 && n % 2 == 0 => n / 2,
            (n, _) => n,
        };
        out.extend(std::iter::repeat_n('\\', kept));
        rest = &rest[at + run..];
    }
    out.push_str(rest);
    if out == tex {
        Cow::Borrowed(tex)
    } else {
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mathjax_only_constructs_are_rewritten() {
        let cases = [
            (
                r"\begin{eqnarray} a &=& b \nonumber \\ c &=& d \end{eqnarray}",
                r"\begin{darray}{rcl} a &=& b  \\ c &=& d \end{darray}",
            ),
            (
                r"\begin {eqnarray*}a&=&b\end{eqnarray*}",
                r"\begin{darray}{rcl}a&=&b\end{darray}",
            ),
            (r"x \mbox{ 若 } y", r"x \text{ 若 } y"),
            (
                r"\hat\boldsymbol w + \bar \mathbf{x}",
                r"\hat{\boldsymbol w} + \bar{\mathbf{x}}",
            ),
            (r"\hat\bm\theta", r"\hat{\bm\theta}"),
            (r"a = b \label{eq:1}", r"a = b "),
            (r"\require{cancel}\cancel{x}", r"\cancel{x}"),
        ];
        for (written, expected) in cases {
            assert_eq!(compatible(written), expected, "{written}");
        }
    }

    #[test]
    fn everything_else_is_untouched() {
        for tex in [
            r"\hat{x} + \hat x + \mboxed \labels",
            r"\begin{aligned}a&=b \nonumber\end{aligned}",
            r"\hat\boldsymbol",
            r"\label{open",
            "x",
        ] {
            assert_eq!(compatible(tex), tex, "{tex}");
        }
    }

    #[test]
    fn markdown_escapes_mean_what_the_author_meant() {
        let cases = [
            (r"a\_i", "a_i"),
            (r"\sum\_{i=1}^n x\_i", r"\sum_{i=1}^n x_i"),
            (r"a\*b", "a*b"),
            (r"\begin{align\*}", r"\begin{align*}"),
            (r"\\{ x \\}", r"\{ x \}"),
            (r"a \\\\ b", r"a \\ b"),
            (r"a \\ b", r"a \\ b"),
            (r"\{ x \}", r"\{ x \}"),
            (r"\alpha + \#", r"\alpha + \#"),
            (r"\\\_", r"\_"),
        ];
        for (written, meant) in cases {
            assert_eq!(unescape_markdown(written), meant, "{written}");
        }
    }
}
