//! The search index and page: what `search-index.json` holds, and how big it is.

mod common;

use std::collections::BTreeMap;

use common::{Fixture, ml_notes_site};
use serde_json::Value;

/// The index of a built site.
fn index(site: &Fixture) -> Value {
    serde_json::from_str(&site.read("search-index.json")).expect("search-index.json is JSON")
}

/// Titles of the documents, in id order.
fn titles(index: &Value) -> Vec<String> {
    index["docs"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| d[0].as_str().expect("a title").to_owned())
        .collect()
}

/// Doc id → how often the token occurs (level 0–3), decoded as `static/search.js` does.
fn decode(encoded: &str) -> BTreeMap<usize, usize> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let (mut id, mut thirteens) = (0, 0);
    let mut docs = BTreeMap::new();
    for c in encoded.chars() {
        if let Some(d) = c.to_digit(10) {
            thirteens = thirteens * 10 + d as usize;
            continue;
        }
        let letter = LETTERS.find(c).expect("a postings letter");
        id += thirteens * 13 + letter % 13;
        thirteens = 0;
        docs.insert(id, letter / 13);
    }
    docs
}

/// Token → (doc id → how often).
fn postings(index: &Value) -> BTreeMap<String, BTreeMap<usize, usize>> {
    let mut all = BTreeMap::new();
    for (word, encoded) in index["words"].as_object().expect("words") {
        all.insert(word.clone(), decode(encoded.as_str().expect("postings")));
    }
    for group in index["cjk"].as_str().expect("cjk").split(' ') {
        let mut chars = group.chars();
        let Some(first) = chars.next() else { continue };
        let mut key = first.to_string();
        let mut encoded = String::new();
        for c in chars {
            if c.is_ascii_alphanumeric() {
                encoded.push(c);
                continue;
            }
            assert!(!encoded.is_empty() || key.chars().count() == 1, "{group}");
            if !encoded.is_empty() {
                all.insert(key, decode(&encoded));
                encoded.clear();
            }
            key = format!("{first}{c}");
        }
        assert!(!encoded.is_empty(), "{group}");
        all.insert(key, decode(&encoded));
    }
    all
}

/// The titles of the documents holding every token, as the script would find them.
fn find(index: &Value, tokens: &[&str]) -> Vec<String> {
    let postings = postings(index);
    let titles = titles(index);
    let mut found: Vec<usize> = (0..titles.len()).collect();
    for token in tokens {
        let docs = postings.get(*token).cloned().unwrap_or_default();
        found.retain(|id| docs.contains_key(id));
    }
    found.into_iter().map(|id| titles[id].clone()).collect()
}

#[test]
fn the_index_lists_published_articles_newest_first() {
    let site = ml_notes_site();
    site.build_ok();
    let index = index(&site);
    assert_eq!(index["version"], 1);
    let titles = titles(&index);
    assert_eq!(
        titles,
        [
            "FlashAttention：IO 感知的精确计算",
            "Transformer 架构笔记",
            "注意力机制：从加权平均说起",
            "AdamW：把权重衰减从梯度里解耦",
            "词向量：word2vec 的两种训练方式",
            "线性回归与最小二乘",
            "转义测试 <b>不是粗体</b>",
        ],
        "drafts are left out"
    );
    let first = &index["docs"][0];
    assert_eq!(first[1], "/posts/flash-attention/");
    assert_eq!(first[2], "2026-03-10");
    let snippet = first[3].as_str().expect("a snippet");
    assert!(
        snippet.starts_with("标准注意力要把N \\times N的分数矩阵"),
        "{snippet}"
    );
    for doc in index["docs"].as_array().expect("docs") {
        let snippet = doc[3].as_str().expect("a snippet");
        assert!(snippet.chars().count() <= 161, "bounded: {snippet}");
    }
}

#[test]
fn chinese_is_found_by_character_pairs() {
    let site = ml_notes_site();
    site.build_ok();
    let index = index(&site);
    assert_eq!(
        find(&index, &["注意", "意力"]),
        [
            "FlashAttention：IO 感知的精确计算",
            "Transformer 架构笔记",
            "注意力机制：从加权平均说起",
        ],
        "word2vec's 需要注意 has 注意 but not 意力"
    );
    let postings = postings(&index);
    assert_eq!(postings["意力"][&1], 2, "six times in the text");
    assert_eq!(postings["意力"][&0], 0, "once in the text");
    assert_eq!(find(&index, &["adamw"]), ["AdamW：把权重衰减从梯度里解耦"]);
    assert_eq!(postings["adamw"][&3], 1, "title, text and inline code");
    assert_eq!(find(&index, &["优化"]), ["AdamW：把权重衰减从梯度里解耦"]);
    assert!(find(&index, &["量子", "子纠", "纠缠"]).is_empty());
}

#[test]
fn code_blocks_and_display_math_are_not_indexed() {
    let site = ml_notes_site();
    site.build_ok();
    let postings = postings(&index(&site));
    assert!(postings.contains_key("zzinlinemath"), "inline math as TeX");
    assert!(postings.contains_key("softmax"));
    assert!(!postings.contains_key("qqcodeblockword"));
    assert!(!postings.contains_key("zzdisplaymath"));
    assert!(!postings.keys().any(|t| t.contains('草')), "no draft text");
}

#[test]
fn the_search_page_loads_the_index_and_every_page_links_to_it() {
    let site = ml_notes_site();
    site.write(
        "blogsmith.yaml",
        "title: 笔记\nbase_url: https://example.com/notes/\n",
    );
    let report = site.build_ok();
    let page = site.read("search/index.html");
    assert!(
        page.contains("data-index=\"/notes/search-index.json?v="),
        "{page}"
    );
    assert!(page.contains("<script src=\"/notes/search.js\" defer>"));
    assert!(site.has("search.js"));
    let home = site.read("index.html");
    assert!(home.contains("<form class=\"site-search\" role=\"search\" action=\"/notes/search/\""));
    assert!(!site.read("sitemap.xml").contains("/search/"));
    let index = index(&site);
    assert_eq!(index["docs"][0][1], "/notes/posts/flash-attention/");
    assert_eq!(
        report.search.index_bytes,
        site.read("search-index.json").len()
    );
}

#[test]
fn a_site_base_template_of_an_older_theme_still_builds() {
    let site = ml_notes_site();
    site.write(
        "templates/base.html",
        "<!DOCTYPE html><title>{% block title %}{% endblock title %}</title>\n\
         {% block description %}{% endblock description %}{% block og %}{% endblock og %}\n\
         {% block head %}{% endblock head %}{% block content %}{% endblock content %}",
    );
    site.build_ok();
    let page = site.read("search/index.html");
    assert!(page.contains("search.js"), "{page}");
}

#[test]
fn the_index_url_changes_with_the_index() {
    let site = ml_notes_site();
    site.build_ok();
    let url = |site: &Fixture| {
        let page = site.read("search/index.html");
        let attribute = common::between(&page, "data-index=", ">").expect("data-index");
        attribute.to_owned()
    };
    let before = url(&site);
    site.article("new.md", "title: 新文章\ndate: 2026-04-01", "新的正文。\n");
    site.build_ok();
    assert_ne!(url(&site), before);
}

#[test]
fn the_flagship_index_stays_small() {
    let out = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = blogsmith::BuildOptions {
        output: out.path().join("public"),
        // The render cache would go into the checkout.
        cache: false,
        ..blogsmith::BuildOptions::new(root)
    };
    let report = blogsmith::build(&options).expect("the flagship site builds");
    let stats = report.search;
    eprintln!(
        "flagship search index: {} bytes for {} bytes of text ({:.0}%)",
        stats.index_bytes,
        stats.text_bytes,
        100.0 * stats.index_bytes as f64 / stats.text_bytes as f64
    );
    assert!(stats.text_bytes > 100_000, "{stats:?}");
    assert!(
        stats.index_bytes * 10 < stats.text_bytes * 6,
        "the index is under 60% of the text: {stats:?}"
    );
}
