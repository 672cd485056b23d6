//! Heading ids and the table of contents.

use std::collections::HashSet;

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
    /// The heading's `id`, without `#`.
    pub id: String,
    /// The heading's inner HTML (math rendered, links removed).
    pub title: String,
}

/// A table of contents entry with the entries under it, for templates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocNode {
    /// The heading's level.
    pub level: u8,
    /// The heading's `id`.
    pub id: String,
    /// The heading's inner HTML.
    pub title: String,
    /// Headings one level below, up to the next heading of this level.
    pub children: Vec<TocNode>,
}

/// Nests a page's headings two levels deep: the page's top heading level, and
/// the level under it. Deeper headings are left out: a TOC is a map, not an index.
pub fn nest(entries: &[TocEntry]) -> Vec<TocNode> {
    let Some(top) = entries.iter().map(|e| e.level).min() else {
        return Vec::new();
    };
    let node = |e: &TocEntry| TocNode {
        level: e.level,
        id: e.id.clone(),
        title: e.title.clone(),
        children: Vec::new(),
    };
    let mut nodes: Vec<TocNode> = Vec::new();
    for entry in entries {
        if entry.level == top {
            nodes.push(node(entry));
        } else if entry.level == top + 1 {
            match nodes.last_mut() {
                Some(parent) => parent.children.push(node(entry)),
                None => nodes.push(node(entry)),
            }
        }
    }
    nodes
}

/// Hands out heading ids that are unique within one page.
#[derive(Debug, Default)]
pub struct HeadingIds {
    used: HashSet<String>,
}

impl HeadingIds {
    /// Reserves an id the author wrote (`## 标题 {#my-id}`), so generated ones avoid it.
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// A new unique id for a heading reading `text`.
    ///
    /// Chinese is kept as is (`注意力机制`), ASCII is lowercased, spaces become
    /// `-`, other punctuation is dropped; repeats get `-1`, `-2`, ….
    pub fn id_for(&mut self, text: &str) -> String {
        let base = heading_slug(text);
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 0;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used.insert(id.clone());
        id
    }
}

fn heading_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            slug.push(c);
        } else if c.is_whitespace() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_chinese_and_makes_ids_unique() {
        let mut ids = HeadingIds::default();
        assert_eq!(ids.id_for("注意力机制"), "注意力机制");
        assert_eq!(ids.id_for("注意力机制"), "注意力机制-1");
        assert_eq!(ids.id_for("为什么需要 KV Cache？"), "为什么需要-kv-cache");
        assert_eq!(ids.id_for("Adam vs. AdamW"), "adam-vs-adamw");
        assert_eq!(ids.id_for("？！"), "section");
    }

    #[test]
    fn nests_two_levels() {
        let e = |level, id: &str| TocEntry {
            level,
            id: id.into(),
            title: id.into(),
        };
        let toc = nest(&[
            e(3, "lead"),
            e(2, "a"),
            e(3, "a1"),
            e(4, "deep"),
            e(3, "a2"),
            e(2, "b"),
        ]);
        let shape: Vec<(String, Vec<String>)> = toc
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.children.iter().map(|c| c.id.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("lead".into(), vec![]),
                ("a".into(), vec!["a1".into(), "a2".into()]),
                ("b".into(), vec![])
            ]
        );
    }

    #[test]
    fn reserved_ids_are_avoided() {
        let mut ids = HeadingIds::default();
        ids.reserve("intro");
        assert_eq!(ids.id_for("Intro"), "intro-1");
    }
}
