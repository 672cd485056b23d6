use super::*;

fn numbered(formulas: &[(&str, bool)]) -> Numbering {
    Numbering::of(formulas.iter().copied())
}

#[test]
fn rows_are_numbered_in_order_with_tags_and_labels() {
    let n = numbered(&[
        (
            r"\begin{equation} E = mc^2 \label{eq:e} \end{equation}",
            true,
        ),
        (r"x_i", false),
        (
            r"\begin{align} a &= b \label{eq:a} \\ c &= d \notag \\ e &= f \tag{*} \label{eq:star} \\ g &= h \end{align}",
            true,
        ),
        (r"y = 1 \label{eq:plain}", true),
        (r"\begin{align*} z &= 0 \end{align*}", true),
    ]);
    assert_eq!(
        n.numbered_tex(0),
        Some(r"\begin{equation*} E = mc^2   \tag{1}\end{equation*}")
    );
    assert_eq!(n.numbered_tex(1), None, "inline math is never numbered");
    assert_eq!(
        n.numbered_tex(2),
        Some(
            r"\begin{align*} a &= b   \tag{2}\\ c &= d  \\ e &= f \tag{*}  \\ g &= h  \tag{3}\end{align*}"
        )
    );
    assert_eq!(n.numbered_tex(3), Some(r"y = 1  \tag{4}"));
    assert_eq!(n.numbered_tex(4), None, "starred: unnumbered");
    assert_eq!(n.number("eq:e"), Some("1"));
    assert_eq!(n.number("eq:a"), Some("2"));
    assert_eq!(n.number("eq:star"), Some("*"));
    assert_eq!(n.number("eq:plain"), Some("4"));
    assert_eq!(n.ids(2), ["eq:a", "eq:star"]);
}

#[test]
fn multline_eqnarray_and_nested_environments() {
    let n = numbered(&[
        (r"\begin{multline} a \\ b \label{m} \end{multline}", true),
        (r"\begin{eqnarray} a &=& b \\ c &=& d \end{eqnarray}", true),
        (
            r"\begin{equation} \begin{split} a &= b \\ &= c \end{split} \end{equation}",
            true,
        ),
        (r"\begin{alignat}{2} a &= b & c &= d \end{alignat}", true),
    ]);
    assert_eq!(
        n.numbered_tex(0),
        Some(r"\begin{gather*} a \\ b   \tag{1}\end{gather*}")
    );
    assert_eq!(n.number("m"), Some("1"));
    assert_eq!(
        n.numbered_tex(1),
        Some(r"\begin{align*} a &= b  \tag{2}\\ c &= d  \tag{3}\end{align*}")
    );
    assert_eq!(
        n.numbered_tex(2),
        Some(r"\begin{equation*} \begin{split} a &= b \\ &= c \end{split}  \tag{4}\end{equation*}"),
        "one number for the equation, not one per split row"
    );
    assert_eq!(
        n.numbered_tex(3),
        Some(r"\begin{alignat*}{2} a &= b & c &= d  \tag{5}\end{alignat*}")
    );
}

#[test]
fn references_in_formulas_become_their_numbers() {
    let n = numbered(&[(r"\begin{equation} a \label{eq:a} \end{equation}", true)]);
    let (tex, missing) = n.resolve_in_formula(r"由 \eqref{eq:a} 与 \ref{eq:a}，\eqref{eq:none}");
    assert_eq!(tex, r"由 \text{(1)} 与 \text{1}，\text{(??)}");
    assert_eq!(missing, ["eq:none"]);
    assert_eq!(
        references(r"见 \eqref{ eq:a } 和 \reference \ref{x"),
        [Reference {
            range: 4..18,
            label: "eq:a",
            parenthesised: true
        }]
    );
}
