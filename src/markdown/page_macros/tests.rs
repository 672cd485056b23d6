use super::*;

fn apply(macros: &mut PageMacros, tex: &str) -> String {
    macros.apply(tex).unwrap().tex
}

#[test]
fn a_definition_holds_for_the_rest_of_the_article() {
    let mut page = PageMacros::default();
    let first = page.apply(r"\newcommand{\R}{\mathbb{R}}").unwrap();
    assert!(
        first.only_definitions,
        "a formula of definitions shows nothing"
    );
    assert_eq!(apply(&mut page, r"x \in \R^n"), r"x \in \mathbb{R}^n");
    assert_eq!(apply(&mut page, r"\R x"), r"\mathbb{R} x");
}

#[test]
fn every_way_of_defining() {
    let mut page = PageMacros::default();
    page.apply(
        r"\newcommand\E{\mathbb{E}} \renewcommand*{\norm}[1]{\left\|#1\right\|}
          \def\inner#1#2{\langle #1, #2\rangle} \gdef\T{^\top}
          \DeclareMathOperator*{\argmax}{arg\,max} \let\eps=\varepsilon
          \newcommand{\pd}[2][x]{\partial_{#1} #2}",
    )
    .unwrap();
    assert_eq!(apply(&mut page, r"\E[X]"), r"\mathbb{E}[X]");
    assert_eq!(apply(&mut page, r"\norm{w}_2"), r"\left\|w\right\|_2");
    assert_eq!(apply(&mut page, r"\inner{a}{b}"), r"\langle a, b\rangle");
    assert_eq!(apply(&mut page, r"W\T"), r"W^\top");
    assert_eq!(
        apply(&mut page, r"\argmax_w"),
        r"\operatorname*{arg\,max}_w"
    );
    assert_eq!(apply(&mut page, r"\eps"), r"\varepsilon");
    assert_eq!(apply(&mut page, r"\pd{f}"), r"\partial_{x} f");
    assert_eq!(apply(&mut page, r"\pd[t]{f}"), r"\partial_{t} f");
    assert_eq!(
        apply(&mut page, r"\epsilon"),
        r"\epsilon",
        "a longer name is another command"
    );
}

#[test]
fn definitions_mid_formula_apply_to_what_follows() {
    let mut page = PageMacros::default();
    let out = page.apply(r"\def\x{y} \x^2").unwrap();
    assert!(!out.only_definitions);
    assert_eq!(out.tex.trim(), "y^2");
    assert_eq!(apply(&mut page, r"\xi"), r"\xi");
}

#[test]
fn providecommand_keeps_an_existing_definition() {
    let mut page = PageMacros::default();
    page.apply(r"\newcommand{\a}{1}\providecommand{\a}{2}\providecommand{\b}{3}")
        .unwrap();
    assert_eq!(apply(&mut page, r"\a\b"), "13");
}

#[test]
fn formulas_without_macros_are_untouched() {
    let mut page = PageMacros::default();
    let tex = "  a \\,b \\\\ c#  ";
    assert_eq!(apply(&mut page, tex), tex);
    page.apply(r"\def\z{0}").unwrap();
    assert_eq!(apply(&mut page, r"\alpha x \beta{}y"), r"\alpha x \beta{}y");
}

#[test]
fn runaway_macros_are_errors_not_hangs() {
    for definition in [
        r"\def\x{{\x}}",
        r"\def\x{\x}",
        r"\def\x#1{\x{#1#1}}",
        r"\newcommand{\a}{\b\b}\newcommand{\b}{\a\a}",
        r"\def\x{\def\x{\x\x}\x\x}",
        // Found by the fuzzer: the argument grows by a few tokens per call, so
        // 10,000 calls copied 300 million tokens.
        r"\def\x#1{\x{#1#, \a1}}",
    ] {
        let mut page = PageMacros::default();
        page.apply(definition).unwrap();
        let user = if definition.contains("#1") {
            r"\x{a}"
        } else if definition.contains(r"\a") {
            r"\a"
        } else {
            r"\x"
        };
        let error = page.apply(user).unwrap_err();
        assert!(
            error.message.contains("expands without end"),
            "{definition}: {}",
            error.message
        );
    }
}

#[test]
fn malformed_definitions_are_errors() {
    for tex in [
        r"\newcommand",
        r"\newcommand{\a}[x]{1}",
        r"\newcommand{\a}",
        r"\def{x}",
        r"\def\a#1.{x}",
        r"\let",
        r"\DeclareMathOperator{x}{y}",
    ] {
        let error = PageMacros::default().apply(tex);
        assert!(error.is_err(), "{tex}: {error:?}");
    }
    let mut page = PageMacros::default();
    page.apply(r"\newcommand{\f}[2]{#1+#2}").unwrap();
    let error = page.apply(r"\f{a}").unwrap_err();
    assert!(
        error.message.contains("expects 2 argument"),
        "{}",
        error.message
    );
}

#[test]
fn nested_definitions_are_read_whole() {
    let mut page = PageMacros::default();
    page.apply(r"\def\outer{\def\inner{z}}").unwrap();
    // Using \outer leaves a \def for KaTeX, which refuses it: a located error,
    // handled by the engine, never a loop here.
    assert_eq!(apply(&mut page, r"\outer"), r"\def\inner{z}");
}
