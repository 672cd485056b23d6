//! Every colour the code highlighting stylesheet gives, in the light theme and
//! the dark one, reads at WCAG AA (4.5:1) on the backgrounds code sits on in
//! that theme: the code block's (`--code-bg`) and a highlighted line's
//! (`--accent-soft`). Both stylesheets are the ones a build writes; colours
//! are parsed with `csscolorparser` and the contrast computed here from the
//! WCAG 2.x definition, independently of the code that adjusts them.

mod common;

use common::Fixture;

/// WCAG AA for normal-size text.
const AA: f64 = 4.5;

/// WCAG 2.x relative luminance.
fn luminance(color: &str) -> f64 {
    let [r, g, b, _] = csscolorparser::parse(color)
        .unwrap_or_else(|e| panic!("`{color}` is a CSS colour: {e}"))
        .to_rgba8();
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The value of the custom property `name` in `block`.
fn variable(block: &str, name: &str) -> String {
    let at = block
        .find(&format!("{name}:"))
        .unwrap_or_else(|| panic!("{name} is set in\n{block}"));
    let rest = &block[at + name.len() + 1..];
    rest[..rest.find(';').expect("a declaration ends")]
        .trim()
        .to_owned()
}

/// `style.css`'s code backgrounds, (light, dark).
fn backgrounds(style: &str) -> (Vec<String>, Vec<String>) {
    let dark_at = style
        .find("prefers-color-scheme: dark")
        .expect("style.css has a dark theme");
    let (light, dark) = style.split_at(dark_at);
    let dark = &dark[..dark.find("}\n}").expect("the dark block ends")];
    let of = |block: &str| {
        ["--code-bg", "--accent-soft"]
            .iter()
            .map(|name| variable(block, name))
            .collect()
    };
    (of(light), of(dark))
}

/// `(selector, colour)` of every rule in `css` that sets a colour (not `inherit`).
fn colours(css: &str) -> Vec<(String, String)> {
    css.lines()
        .filter_map(|line| {
            let (selector, rest) = line.trim().split_once('{')?;
            let value = rest.trim().strip_prefix("color:")?;
            let value = value
                .trim()
                .trim_end_matches('}')
                .trim()
                .trim_end_matches(';');
            (value != "inherit").then(|| (selector.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// Builds a site with code in the given syntect themes (`None`: the default
/// ones) and checks every colour of its highlighting stylesheet.
fn check_themes(themes: Option<(&str, &str)>) {
    let site = Fixture::new();
    if let Some((light, dark)) = themes {
        site.write(
            "blogsmith.yaml",
            &format!("highlight:\n  light_theme: \"{light}\"\n  dark_theme: \"{dark}\"\n"),
        );
    }
    site.article(
        "a.md",
        "title: A\ndate: 2026-01-01",
        "```python,hl_lines=1\n# 注释\ndef f(x: int) -> str:\n    return f\"{x}\" * 2\n```\n",
    );
    site.build_ok();
    let highlight = site.read("highlight.css");
    let (light_bgs, dark_bgs) = backgrounds(&site.read("style.css"));
    let dark_at = highlight
        .find("@media")
        .expect("highlight.css has a dark part");
    let (light_css, dark_css) = highlight.split_at(dark_at);
    let mut failures = Vec::new();
    for (name, css, bgs, prefix) in [
        ("light", light_css, &light_bgs, ".l"),
        ("dark", dark_css, &dark_bgs, ".d"),
    ] {
        let rules = colours(css);
        let classes = rules.iter().filter(|(s, _)| s.contains(prefix)).count();
        assert!(
            classes >= 5,
            "{name}: too few colour classes found ({classes}) in\n{css}"
        );
        assert!(
            rules.iter().any(|(s, _)| s == "pre.code code"),
            "{name}: the default code colour is set"
        );
        for (selector, colour) in &rules {
            for bg in bgs {
                let ratio = contrast(colour, bg);
                if ratio < AA {
                    failures.push(format!("{name}: {selector} {colour} on {bg}: {ratio:.2}:1"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "themes {themes:?}: colours below {AA}:1:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_contrast_check_sees_a_failing_colour() {
    // The issue's example: InspiredGitHub's `#0086b3` on `#f4f2ee`.
    let ratio = contrast("#0086b3", "#f4f2ee");
    assert!((ratio - 3.71).abs() < 0.01, "{ratio}");
    assert!(ratio < AA);
    assert_eq!(
        colours("pre.code .l4 { color: #0086b3; }\n  pre.code .l1 { color: inherit; }\n"),
        vec![("pre.code .l4".to_owned(), "#0086b3".to_owned())]
    );
}

#[test]
fn default_code_themes_meet_wcag_aa_on_their_backgrounds() {
    check_themes(None);
}

#[test]
fn other_syntect_themes_are_made_to_meet_wcag_aa_too() {
    check_themes(Some(("Solarized (light)", "Solarized (dark)")));
    check_themes(Some(("base16-ocean.light", "base16-eighties.dark")));
}
