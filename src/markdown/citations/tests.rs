use super::*;

fn keys(cites: &[Cite]) -> Vec<Vec<&str>> {
    cites
        .iter()
        .map(|c| c.items.iter().map(|i| i.key.as_str()).collect())
        .collect()
}

#[test]
fn bracketed_citations_with_locators_and_several_keys() {
    let text = "如前 [@a; @b] 与 [see @c, p. 3] 以及 [-@d]。";
    let found = find(text, |_| false);
    assert_eq!(keys(&found), vec![vec!["a", "b"], vec!["c"], vec!["d"]]);
    assert_eq!(&text[found[0].range.clone()], "[@a; @b]");
    assert_eq!(found[1].items[0].prefix, "see");
    assert_eq!(found[1].items[0].suffix, "p. 3");
    assert!(found[2].items[0].suppress_author);
    assert_eq!(&text[found[1].items[0].at..][..2], "@c");
}

#[test]
fn textual_citations_only_for_known_keys() {
    let text = "如@vaswani2017所示，@someone 说过，写信给 me@example.com。";
    let found = find(text, |key| key == "vaswani2017");
    assert_eq!(keys(&found), vec![vec!["vaswani2017"]]);
    assert!(!found[0].bracketed);
    assert!(find("me@vaswani2017", |_| true).is_empty());
}

#[test]
fn keys_follow_pandoc() {
    assert_eq!(key_at("@Foo_bar.baz.", 1), Some(("Foo_bar.baz".into(), 12)));
    assert_eq!(key_at("@Foo_bar--baz", 1), Some(("Foo_bar".into(), 8)));
    assert_eq!(
        key_at("@{Foo_bar.baz.}", 1),
        Some(("Foo_bar.baz.".into(), 15))
    );
    assert_eq!(key_at("@", 1), None);
}

#[test]
fn links_and_footnote_references_are_not_citations() {
    // (Text inside links never reaches `find`: pulldown-cmark made it a link.)
    assert!(find("[@a](https://x.org)", |_| false).is_empty());
    assert!(find("[^note] [text]", |_| true).is_empty());
}

#[test]
fn locators() {
    assert_eq!(locator("p. 3"), Some((Locator::Page, "3")));
    assert_eq!(locator("pp. 33-35"), Some((Locator::Page, "33-35")));
    assert_eq!(locator("chap. 2"), Some((Locator::Chapter, "2")));
    assert_eq!(locator("第 12 页"), Some((Locator::Page, "12")));
    assert_eq!(locator("第 6 章"), Some((Locator::Chapter, "6")));
    assert_eq!(locator("12"), Some((Locator::Page, "12")));
    assert_eq!(locator("and passim"), Some((Locator::Custom, "and passim")));
    assert_eq!(locator(""), None);
}

#[test]
fn text_runs_map_offsets_to_the_source() {
    let source = "a [@k] b";
    let pieces: Vec<(CowStr<'_>, usize)> = vec![
        ("a ".into(), 0),
        ("[".into(), 2),
        ("@k".into(), 3),
        ("] b".into(), 5),
    ];
    let run = TextRun::new(&pieces, source);
    assert_eq!(run.text, source);
    assert_eq!(run.offset(3), 3);
    assert_eq!(run.offset(6), 6);
}

proptest::proptest! {
    /// Any text: no panic, and every citation's range and keys lie within it.
    #[test]
    fn finding_citations_never_panics(text in "[\\[\\]@;,{}\\-a-z0-9 .:/周志华]{0,40}") {
        for cite in find(&text, |key| key.len() % 2 == 0) {
            proptest::prop_assert!(text.get(cite.range.clone()).is_some());
            for item in &cite.items {
                proptest::prop_assert!(text[item.at..].starts_with('@'));
                let _ = locator(&item.suffix);
            }
        }
    }
}
