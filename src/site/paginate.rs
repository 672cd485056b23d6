//! Splitting lists into pages, and the pager under them.

use serde::Serialize;

/// One item of the pager: a page number or a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PagerItem {
    /// A link to page `number` (or the current page, not linked).
    Page {
        /// 1-based page number.
        number: usize,
        /// Its URL.
        url: String,
        /// Whether it is the page being shown.
        current: bool,
    },
    /// `…`: pages left out.
    Gap,
}

/// How many pages the pager shows on each side of the current one.
const AROUND_CURRENT: usize = 2;

/// The pager for page `current` of `total`, like Hexo's: first and last page
/// always, the current one ±2, and `…` for the gaps. `url(n)` gives page n's URL.
pub fn pager(current: usize, total: usize, url: impl Fn(usize) -> String) -> Vec<PagerItem> {
    let mut items = Vec::new();
    if total <= 1 {
        return items;
    }
    let shown = |n: usize| n == 1 || n == total || n.abs_diff(current) <= AROUND_CURRENT;
    for n in 1..=total {
        if shown(n) {
            items.push(PagerItem::Page {
                number: n,
                url: url(n),
                current: n == current,
            });
        } else if items.last() != Some(&PagerItem::Gap) {
            items.push(PagerItem::Gap);
        }
    }
    items
}

/// The items of each page: `len` items, `per_page` at a time; always at least one (maybe empty) page.
pub fn chunks(len: usize, per_page: usize) -> Vec<std::ops::Range<usize>> {
    let per_page = per_page.max(1);
    if len == 0 {
        // One empty page, so an empty site still has an index.
        return std::iter::once(0..0).collect();
    }
    (0..len.div_ceil(per_page))
        .map(|i| i * per_page..((i + 1) * per_page).min(len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(current: usize, total: usize) -> String {
        pager(current, total, |n| n.to_string())
            .iter()
            .map(|item| match item {
                PagerItem::Page {
                    number,
                    current: true,
                    ..
                } => format!("[{number}]"),
                PagerItem::Page { number, .. } => number.to_string(),
                PagerItem::Gap => "…".into(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn pager_matches_hexo() {
        assert_eq!(render(1, 1), "");
        assert_eq!(render(1, 3), "[1] 2 3");
        assert_eq!(render(1, 5), "[1] 2 3 … 5");
        assert_eq!(render(3, 5), "1 2 [3] 4 5");
        assert_eq!(render(5, 5), "1 … 3 4 [5]");
        assert_eq!(render(6, 12), "1 … 4 5 [6] 7 8 … 12");
        assert_eq!(render(12, 12), "1 … 10 11 [12]");
    }

    #[test]
    fn chunks_cover_everything_once() {
        assert_eq!(chunks(0, 10), std::iter::once(0..0).collect::<Vec<_>>());
        assert_eq!(chunks(25, 10), [0..10, 10..20, 20..25]);
        assert_eq!(chunks(20, 10), [0..10, 10..20]);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    proptest! {
        /// Pagination covers every article exactly once, in order, in full pages but the last.
        #[test]
        fn chunks_cover_every_item_exactly_once(len in 0usize..5_000, per_page in 1usize..200) {
            let chunks = super::chunks(len, per_page);
            let covered: Vec<usize> = chunks.iter().flat_map(|r| r.clone()).collect();
            prop_assert_eq!(covered, (0..len).collect::<Vec<_>>());
            let (last, full) = chunks.split_last().expect("at least one page");
            prop_assert!(full.iter().all(|r| r.len() == per_page));
            prop_assert!(last.len() <= per_page);
            prop_assert!(len == 0 || !last.is_empty());
        }

        /// The pager always shows the first, last and current page, and never two gaps in a row.
        #[test]
        fn pager_shows_first_last_and_current(total in 1usize..300, current_seed in 0usize..300) {
            let current = current_seed % total + 1;
            let items = super::pager(current, total, |n| n.to_string());
            let numbers: Vec<usize> = items.iter().filter_map(|i| match i {
                super::PagerItem::Page { number, .. } => Some(*number),
                super::PagerItem::Gap => None,
            }).collect();
            if total > 1 {
                prop_assert!(numbers.contains(&1) && numbers.contains(&total) && numbers.contains(&current));
            }
            prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(!items.windows(2).any(|w| w[0] == super::PagerItem::Gap && w[1] == super::PagerItem::Gap));
        }
    }
}
