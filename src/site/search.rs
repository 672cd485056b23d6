//! The search index that `/search/` loads, built here and read by `static/search.js`.
//!
//! Chinese has no spaces between words, so CJK text is indexed by overlapping
//! character pairs (`注意力` → `注意`, `意力`), and a CJK character standing alone
//! by itself; other text by lowercase words. The script tokenises queries the
//! same way: [`tokens`] and its `tokensOf` must change together.
//!
//! `search-index.json` is one JSON object, kept small without compression:
//!
//! ```json
//! {"docs":[["标题","/posts/x/","2026-03-14","开头的一段纯文本…"]],
//!  "words":{"adamw":"d"},"cjk":"注a意aO 意力aO","version":1}
//! ```
//!
//! - `docs`: the articles, newest first, as `[title, url, date, snippet]`; a
//!   document's id is its position. The snippet is the opening of the article's
//!   plain text, at most [`SNIPPET_CHARS`] characters. Title matches rank first:
//!   the script finds them by tokenising the titles.
//! - `words`: postings of each word.
//! - `cjk`: postings of the CJK tokens, grouped by their first character: groups
//!   separated by spaces, each the first character, the postings of that character
//!   alone (if indexed), then each second character followed by the postings of
//!   the pair. Postings are ASCII and tokens never are, so no other separator is needed.
//! - Postings: one entry per document holding the token (in its title, text,
//!   tags or categories), ids ascending. An entry is the difference from the
//!   previous entry's id (the first's from 0), written as a decimal number of
//!   13s (left out when 0), then one letter of `a`–`z`, `A`–`Z`: at position
//!   13 × level + the rest, where the level says how often the token occurs
//!   (1, 2–3, 4–7, 8 or more times). `2c` is id 2 × 13 + 2 = 28, once; `aO`
//!   is id 0, once, then id 1 (`O` is letter 40 = 13 × 3 + 1: 8 or more times).

use std::fmt::Write as _;
use std::sync::Arc;

use std::time::{Duration, Instant};

use super::Post;
use crate::markdown::is_cjk;

/// The index file, at the output root.
pub const INDEX_FILE: &str = "search-index.json";

/// The version of the index format, checked by the script.
pub const FORMAT_VERSION: u32 = 1;

/// Characters of each article's text kept in the index for result snippets.
pub const SNIPPET_CHARS: usize = 160;

/// Shortest word indexed: single letters and digits are too common to be worth it.
pub const MIN_WORD_CHARS: usize = 2;

/// Longest word indexed, in characters; longer ones (hashes, run-together URLs) are cut.
pub const MAX_WORD_CHARS: usize = 32;

/// The letters ending a postings entry: 4 levels of 13.
const ENTRY_LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The radix of id differences in postings: each level has this many letters.
const RADIX: usize = 13;

/// One article as the index sees it.
#[derive(Debug, Clone)]
struct Doc<'a> {
    /// Title.
    title: &'a str,
    /// URL path.
    url: &'a str,
    /// Date shown in results.
    date: &'a str,
    /// Tags and categories, indexed like the text.
    terms: &'a [&'a str],
}

/// How big the index is, next to the text it indexes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchStats {
    /// Bytes of `search-index.json`.
    pub index_bytes: usize,
    /// Bytes (UTF-8) of the titles, texts, tags and categories indexed.
    pub text_bytes: usize,
}

/// The built index file and its figures.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// The contents of `search-index.json`.
    pub json: String,
    /// Its size against the text.
    pub stats: SearchStats,
}

/// An article's text could not be read back (from the file the build kept it in).
#[derive(Debug, thiserror::Error)]
#[error("cannot read back the article's text for the search index: {error}")]
pub struct UnreadableText {
    /// The article's source, relative to `content/`.
    pub article: std::path::PathBuf,
    /// Why.
    pub error: std::io::Error,
}

/// The plain text of each document by id, read when it is tokenised.
type Texts<'t> = &'t (dyn Fn(usize) -> std::io::Result<Arc<str>> + Sync);

/// Builds the index of the site's articles (in the order given: newest
/// first), whose plain texts `text_of` gives: the build keeps them out of
/// memory until now.
pub fn build(
    posts: &[Post],
    text_of: &(dyn Fn(&Post) -> std::io::Result<Arc<str>> + Sync),
) -> Result<SearchIndex, UnreadableText> {
    let names: Vec<Vec<&str>> = posts
        .iter()
        .map(|p| {
            p.tags
                .iter()
                .chain(&p.categories)
                .map(|l| l.name.as_str())
                .collect()
        })
        .collect();
    let docs: Vec<Doc<'_>> = posts
        .iter()
        .zip(&names)
        .map(|(p, names)| Doc {
            title: &p.title,
            url: &p.url,
            date: &p.date,
            terms: names,
        })
        .collect();
    index(&docs, &|id| text_of(&posts[id])).map_err(|(id, error)| UnreadableText {
        article: posts[id].source.clone(),
        error,
    })
}

/// The documents holding one token, encoded as they are added.
#[derive(Debug, Default)]
struct Postings {
    next_base: usize,
    encoded: String,
}

impl Postings {
    /// Adds document `id` (greater than the last one added).
    fn add(&mut self, id: usize, occurrences: usize) {
        let delta = id - self.next_base;
        if delta >= RADIX {
            let _ = write!(self.encoded, "{}", delta / RADIX);
        }
        let letter = RADIX * level(occurrences) + delta % RADIX;
        self.encoded.push(char::from(ENTRY_LETTERS[letter]));
        self.next_base = id;
    }
}

/// How often a token occurs, in 4 levels: 1, 2–3, 4–7, 8 or more times.
fn level(occurrences: usize) -> usize {
    match occurrences {
        0 | 1 => 0,
        2..=3 => 1,
        4..=7 => 2,
        _ => 3,
    }
}

/// The tokens of one document and how often each occurs, in no particular
/// order. CJK tokens are their one or two characters packed in a number
/// ([`cjk_key`]), which orders them as their strings are ordered: counting
/// every token as a `String` cost one allocation per token, 7 of the 8 s the
/// index took at 10,000 articles.
#[derive(Debug, Default)]
struct DocTokens {
    cjk: Vec<(u64, usize)>,
    words: Vec<(String, usize)>,
}

/// Shards of the token space whose postings are put together in parallel:
/// each shard's thread reads every document's tokens and keeps its own (a
/// cheap test next to a map insertion).
const SHARDS: usize = 4;

fn shard_of_cjk(key: u64) -> usize {
    // Both characters: the first alone would put most of a language in a few shards.
    ((key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % SHARDS
}

fn shard_of_word(word: &str) -> usize {
    let mut hasher = FxHasher::default();
    std::hash::Hasher::write(&mut hasher, word.as_bytes());
    (std::hash::Hasher::finish(&hasher) >> 60) as usize % SHARDS
}

/// One token as the tokeniser finds it.
enum Token<'a> {
    Cjk(u64),
    Word(&'a str),
}

fn cjk_key(first: char, second: Option<char>) -> u64 {
    (u64::from(first) << 32) | second.map_or(0, u64::from)
}

/// The characters of a CJK token's key.
fn cjk_chars(key: u64) -> impl Iterator<Item = char> {
    // Keys are made of chars by `cjk_key`, so both halves are valid (0: none).
    [key >> 32, key & 0xFFFF_FFFF]
        .into_iter()
        .filter(|&c| c != 0)
        .filter_map(|c| char::from_u32(u32::try_from(c).unwrap_or(0)))
}

/// A fast, deterministic hasher for the index's maps (their order never shows:
/// the index is written in sorted order).
#[derive(Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Documents tokenised at a time: their tokens are added to the postings
/// before the next ones are tokenised. Tokenising every document first held
/// all their tokens at once (2.3 GB at 100,000 articles).
const CHUNK: usize = 2048;

/// The postings of one shard while they are put together.
#[derive(Default)]
struct Shard {
    cjk: FxMap<u64, Postings>,
    words: FxMap<String, Postings>,
}

impl Shard {
    /// Adds the tokens of this shard from `per_doc`, the documents from `first_id` on.
    fn add(&mut self, shard: usize, first_id: usize, per_doc: &[DocTokens]) {
        for (id, tokens) in (first_id..).zip(per_doc) {
            for &(key, occurrences) in &tokens.cjk {
                if shard_of_cjk(key) == shard {
                    self.cjk.entry(key).or_default().add(id, occurrences);
                }
            }
            for (word, occurrences) in &tokens.words {
                if shard_of_word(word) == shard {
                    match self.words.get_mut(word.as_str()) {
                        Some(postings) => postings.add(id, *occurrences),
                        None => {
                            let mut postings = Postings::default();
                            postings.add(id, *occurrences);
                            self.words.insert(word.clone(), postings);
                        }
                    }
                }
            }
        }
    }
}

/// Builds the index of `docs`; a document's id is its position. Fails with
/// the id of a document whose text cannot be read.
fn index(docs: &[Doc<'_>], texts: Texts<'_>) -> Result<SearchIndex, (usize, std::io::Error)> {
    index_in_chunks(docs, texts, CHUNK)
}

/// [`index`], tokenising `chunk` documents at a time.
fn index_in_chunks(
    docs: &[Doc<'_>],
    texts: Texts<'_>,
    chunk: usize,
) -> Result<SearchIndex, (usize, std::io::Error)> {
    use rayon::prelude::*;
    let (mut tokenising, mut merging) = (Duration::ZERO, Duration::ZERO);
    let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
    let mut snippets = Vec::with_capacity(docs.len());
    let mut text_bytes = 0;
    for (number, some) in docs.chunks(chunk.max(1)).enumerate() {
        // Tokenised in parallel; postings are then added in id order, each
        // shard's on its own thread.
        let phase = Instant::now();
        let first = number * chunk;
        let read: Vec<std::io::Result<Tokenised>> = some
            .par_iter()
            .enumerate()
            .map(|(i, doc)| Ok(tokenise(doc, &texts(first + i)?)))
            .collect();
        let mut per_doc = Vec::with_capacity(read.len());
        for (id, tokenised) in (first..).zip(read) {
            let tokenised = tokenised.map_err(|error| (id, error))?;
            per_doc.push(tokenised.tokens);
            snippets.push(tokenised.snippet);
            text_bytes += tokenised.text_bytes;
        }
        tokenising += phase.elapsed();
        let phase = Instant::now();
        shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(shard, postings)| postings.add(shard, number * chunk, &per_doc));
        merging += phase.elapsed();
    }
    crate::util::trace::took("search: tokenise", tokenising);
    crate::util::trace::took("search: merge", merging);
    let phase = Instant::now();
    let mut cjk_postings: Vec<(u64, Postings)> = Vec::new();
    let mut word_postings: Vec<(String, Postings)> = Vec::new();
    for shard in shards {
        cjk_postings.extend(shard.cjk);
        word_postings.extend(shard.words);
    }
    cjk_postings.par_sort_unstable_by_key(|(key, _)| *key);
    // Sorted, so that the file does not depend on how the work was split.
    word_postings.par_sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let json = write_json(docs, &snippets, cjk_postings, word_postings);
    crate::util::trace::phase("search: write", phase);
    Ok(SearchIndex {
        stats: SearchStats {
            index_bytes: json.len(),
            text_bytes,
        },
        json,
    })
}

/// The index file's text: its keys in the order of their names, written as
/// they come rather than through a JSON tree (which held the index twice).
fn write_json(
    docs: &[Doc<'_>],
    snippets: &[String],
    cjk_postings: Vec<(u64, Postings)>,
    word_postings: Vec<(String, Postings)>,
) -> String {
    let postings_bytes: usize = cjk_postings.iter().map(|(_, p)| p.encoded.len() + 8).sum();
    let docs_bytes: usize = snippets.iter().map(|s| s.len() + 64).sum();
    let mut json = Vec::with_capacity(postings_bytes + docs_bytes);
    json.extend_from_slice(b"{\"cjk\":\"");
    // Each postings list is dropped once written: the lists and the file
    // are not held whole side by side.
    let mut group = None;
    let mut token = String::new();
    for (key, postings) in cjk_postings {
        let mut chars = cjk_chars(key);
        let Some(first) = chars.next() else { continue };
        token.clear();
        if group != Some(first) {
            if group.is_some() {
                token.push(' ');
            }
            token.push(first);
            group = Some(first);
        }
        token.extend(chars);
        push_json_fragment(&mut json, &token);
        push_json_fragment(&mut json, &postings.encoded);
    }
    json.extend_from_slice(b"\",\"docs\":[");
    for (i, (doc, snippet)) in docs.iter().zip(snippets).enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_json(&mut json, &[doc.title, doc.url, doc.date, snippet]);
    }
    json.extend_from_slice(format!("],\"version\":{FORMAT_VERSION},\"words\":{{").as_bytes());
    for (i, (word, postings)) in word_postings.into_iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_json(&mut json, &word);
        json.push(b':');
        push_json(&mut json, &postings.encoded);
    }
    json.extend_from_slice(b"}}");
    // JSON written by serde_json from strings is UTF-8.
    String::from_utf8(json).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends `text` as the inside of a JSON string (escaped, without quotes).
fn push_json_fragment(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    push_json(out, text);
    // Drops the quotes serde_json put around it.
    out.pop();
    out.remove(start);
}

/// Appends `value` as JSON.
fn push_json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    // Strings and arrays of strings cannot fail to serialise.
    let _ = serde_json::to_writer(out, value);
}

/// What the index takes from one document: its tokens, its snippet, and
/// the bytes of text indexed.
struct Tokenised {
    tokens: DocTokens,
    snippet: String,
    text_bytes: usize,
}

/// Tokenises a document whose text is `text`.
fn tokenise(doc: &Doc<'_>, text: &str) -> Tokenised {
    let text_bytes =
        doc.title.len() + text.len() + doc.terms.iter().map(|t| t.len()).sum::<usize>();
    Tokenised {
        tokens: doc_tokens(doc, text),
        snippet: snippet(text),
        text_bytes,
    }
}

/// Every token of a document whose text is `text`, with how often it occurs in it.
fn doc_tokens(doc: &Doc<'_>, text: &str) -> DocTokens {
    // Sized up front: growing the maps was a tenth of the tokenising. A CJK
    // character is 3 bytes of UTF-8, and about one in two pairs is new.
    let mut cjk: FxMap<u64, usize> =
        FxMap::with_capacity_and_hasher(text.len() / 6, Default::default());
    let mut words: FxMap<String, usize> =
        FxMap::with_capacity_and_hasher(text.len() / 64, Default::default());
    let text = [doc.title, text]
        .into_iter()
        .chain(doc.terms.iter().copied());
    for part in text {
        each_token(part, |token| match token {
            Token::Cjk(key) => *cjk.entry(key).or_default() += 1,
            Token::Word(word) => match words.get_mut(word) {
                Some(count) => *count += 1,
                None => {
                    words.insert(word.to_string(), 1);
                }
            },
        });
    }
    DocTokens {
        cjk: cjk.into_iter().collect(),
        words: words.into_iter().collect(),
    }
}

/// The opening of a text, at most [`SNIPPET_CHARS`] characters, `…` when cut.
fn snippet(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((end, _)) => format!("{}…", text[..end].trim_end().trim_end_matches('…')),
        None => text.to_string(),
    }
}

/// What a character is to the tokeniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A Han character or kana: indexed in pairs.
    Cjk,
    /// A letter or digit of another script: part of a word.
    Word,
    /// Anything else: separates tokens.
    Gap,
}

fn class(c: char) -> Class {
    if !c.is_alphanumeric() {
        Class::Gap
    } else if is_cjk(c) {
        Class::Cjk
    } else {
        Class::Word
    }
}

/// A character as the index compares it: full-width ASCII as ASCII, then lowercase
/// (when lowercasing gives one character, so positions stay the same).
fn fold(c: char) -> char {
    let c = match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The tokens of `text`, in order, repeats included: lowercase words of at least
/// [`MIN_WORD_CHARS`] characters (cut at [`MAX_WORD_CHARS`]), and CJK runs as
/// overlapping pairs of characters, a run of one character as itself.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |token| match token {
        Token::Cjk(key) => out.push(cjk_chars(key).collect()),
        Token::Word(word) => out.push(word.to_string()),
    });
    out
}

/// Calls `found` with each token of `text`, in order (see [`tokens`]).
fn each_token(text: &str, mut found: impl FnMut(Token<'_>)) {
    let mut word = String::new();
    let mut word_chars = 0;
    let mut previous_cjk: Option<char> = None;
    // Whether the current CJK run has had a pair yet: a run of one character
    // is a token by itself.
    let mut run_paired = false;
    fn flush_cjk(
        previous: &mut Option<char>,
        paired: &mut bool,
        found: &mut impl FnMut(Token<'_>),
    ) {
        if let Some(alone) = previous.take()
            && !*paired
        {
            found(Token::Cjk(cjk_key(alone, None)));
        }
        *paired = false;
    }
    fn flush_word(word: &mut String, chars: &mut usize, found: &mut impl FnMut(Token<'_>)) {
        if *chars >= MIN_WORD_CHARS {
            found(Token::Word(word));
        }
        word.clear();
        *chars = 0;
    }
    for c in text.chars() {
        // Fast paths for ASCII and common Han, which are most of the text and
        // fold and classify the same as through `fold` and `class`.
        let (c, class) = if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                (c.to_ascii_lowercase(), Class::Word)
            } else {
                (c, Class::Gap)
            }
        } else if matches!(u32::from(c), 0x4E00..=0x9FFF) {
            (c, Class::Cjk)
        } else {
            let c = fold(c);
            (c, class(c))
        };
        match class {
            Class::Cjk => {
                flush_word(&mut word, &mut word_chars, &mut found);
                if let Some(first) = previous_cjk {
                    found(Token::Cjk(cjk_key(first, Some(c))));
                    run_paired = true;
                }
                previous_cjk = Some(c);
            }
            Class::Word => {
                flush_cjk(&mut previous_cjk, &mut run_paired, &mut found);
                if word_chars < MAX_WORD_CHARS {
                    word.push(c);
                }
                word_chars += 1;
            }
            Class::Gap => {
                flush_cjk(&mut previous_cjk, &mut run_paired, &mut found);
                flush_word(&mut word, &mut word_chars, &mut found);
            }
        }
    }
    flush_cjk(&mut previous_cjk, &mut run_paired, &mut found);
    flush_word(&mut word, &mut word_chars, &mut found);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document and its text.
    fn doc<'a>(title: &'a str, text: &'a str) -> (Doc<'a>, &'a str) {
        let doc = Doc {
            title,
            url: "/posts/x/",
            date: "2026-01-01",
            terms: &[],
        };
        (doc, text)
    }

    /// The index of `docs`, tokenising `chunk` of them at a time.
    fn index_in_chunks(docs: &[(Doc<'_>, &str)], chunk: usize) -> SearchIndex {
        let (docs, texts): (Vec<Doc<'_>>, Vec<&str>) = docs.iter().cloned().unzip();
        super::index_in_chunks(&docs, &|id| Ok(Arc::from(texts[id])), chunk)
            .expect("texts in memory")
    }

    /// The index of `docs`.
    fn index(docs: &[(Doc<'_>, &str)]) -> SearchIndex {
        index_in_chunks(docs, CHUNK)
    }

    /// The postings of `token` in an index, as written.
    fn postings(json: &str, token: &str) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        if let Some(encoded) = value["words"].get(token) {
            return encoded.as_str().map(str::to_owned);
        }
        let mut chars = token.chars();
        let (first, second) = (chars.next()?, chars.next());
        let group = value["cjk"]
            .as_str()
            .expect("cjk")
            .split(' ')
            .find(|g| g.starts_with(first))?;
        let rest = &group[first.len_utf8()..];
        let rest = match second {
            None => rest,
            Some(second) => rest.split_once(second)?.1,
        };
        let encoded: String = rest.chars().take_while(char::is_ascii).collect();
        (!encoded.is_empty()).then_some(encoded)
    }

    #[test]
    fn the_index_does_not_depend_on_how_many_documents_are_tokenised_at_a_time() {
        let texts: Vec<String> = (0..23)
            .map(|i| {
                format!(
                    "第{i}篇 注意力机制 attention{} 梯度{}",
                    i % 4,
                    "下降".repeat(i % 9)
                )
            })
            .collect();
        let docs: Vec<_> = texts.iter().map(|t| doc("标题 Title", t)).collect();
        let whole = index_in_chunks(&docs, 1000).json;
        for chunk in [1, 2, 5, 22] {
            assert_eq!(
                index_in_chunks(&docs, chunk).json,
                whole,
                "{chunk} at a time"
            );
        }
        assert_eq!(postings(&whole, "attention3").as_deref(), Some("deeee"));
        let value: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(
            value["docs"][22],
            json!(["标题 Title", "/posts/x/", "2026-01-01", texts[22]])
        );
    }

    #[test]
    fn chinese_is_cut_into_overlapping_pairs() {
        assert_eq!(tokens("注意力机制"), ["注意", "意力", "力机", "机制"]);
        assert_eq!(tokens("注意力，机制。"), ["注意", "意力", "机制"]);
        assert_eq!(tokens("用 的 字"), ["用", "的", "字"]);
        assert_eq!(tokens("カタカナ"), ["カタ", "タカ", "カナ"]);
    }

    #[test]
    fn other_text_is_lowercase_words() {
        assert_eq!(
            tokens("AdamW vs. Adam: GPT-4 in 2017"),
            ["adamw", "vs", "adam", "gpt", "in", "2017"]
        );
        assert_eq!(tokens("a b c 1 2"), Vec::<String>::new());
        assert_eq!(tokens("x_i"), Vec::<String>::new());
        assert_eq!(tokens(&"z".repeat(50)), ["z".repeat(MAX_WORD_CHARS)]);
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        assert_eq!(
            tokens("用PyTorch实现LoRA微调"),
            ["用", "pytorch", "实现", "lora", "微调"]
        );
        assert_eq!(
            tokens("Ｔｒａｎｓｆｏｒｍｅｒ（注意）"),
            ["transformer", "注意"]
        );
    }

    #[test]
    fn folding_keeps_one_character_per_character() {
        assert_eq!(fold('Ａ'), 'a');
        assert_eq!(fold('１'), '1');
        assert_eq!(fold('Σ'), 'σ');
        assert_eq!(fold('İ'), 'İ', "lowercases to two characters: kept");
        assert_eq!(fold('中'), '中');
    }

    #[test]
    fn postings_are_delta_encoded_with_a_letter_per_document() {
        let docs = [
            doc("注意力机制", "注意力就是加权平均。"),
            doc("AdamW", "优化器"),
            doc("其他", "注意力注意力注意力"),
        ];
        let built = index(&docs);
        assert_eq!(postings(&built.json, "注意").as_deref(), Some("np"));
        assert_eq!(postings(&built.json, "adamw").as_deref(), Some("b"));
        assert_eq!(postings(&built.json, "优化").as_deref(), Some("b"));
        assert_eq!(postings(&built.json, "加权").as_deref(), Some("a"));
        assert_eq!(postings(&built.json, "量子"), None);
    }

    #[test]
    fn words_are_written_sorted_whatever_the_shard() {
        let texts: Vec<String> = (0..40)
            .map(|i| format!("word{i} zeta alpha{} mid{}", i % 7, i % 3))
            .collect();
        let docs: Vec<_> = texts.iter().map(|t| doc("", t)).collect();
        let built = index(&docs);
        // The keys as written in the file (the JSON map keeps their order).
        let value: serde_json::Value = serde_json::from_str(&built.json).expect("JSON");
        let keys: Vec<&String> = value["words"].as_object().expect("words").keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys.len(), 40 + 1 + 7 + 3);
        assert_eq!(keys, sorted);
        assert_eq!(postings(&built.json, "word39").as_deref(), Some("3a"));
        assert_eq!(
            postings(&built.json, "zeta").as_deref(),
            Some(&*format!("a{}", "b".repeat(39)))
        );
    }

    #[test]
    fn cjk_tokens_are_grouped_by_their_first_character() {
        let built = index(&[doc("", "注意 注意力 注 意")]);
        let value: serde_json::Value = serde_json::from_str(&built.json).expect("JSON");
        assert_eq!(value["cjk"], "意a力a 注a意n");
        assert_eq!(value["words"], json!({}));
    }

    #[test]
    fn large_id_gaps_are_written_in_13s() {
        let docs: Vec<_> = (0..60)
            .map(|i| match i {
                0 | 28 => "稀有",
                29 => "稀有 稀有 稀有 稀有 稀有 稀有 稀有 稀有",
                _ => "",
            })
            .map(|text| doc("", text))
            .collect();
        let built = index(&docs);
        assert_eq!(postings(&built.json, "稀有").as_deref(), Some("a2cO"));
    }

    #[test]
    fn occurrences_are_counted_in_four_levels() {
        let levels: Vec<usize> = [1, 2, 3, 4, 7, 8, 100].into_iter().map(level).collect();
        assert_eq!(levels, [0, 1, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn the_document_table_has_bounded_snippets() {
        let long = "很长的正文。".repeat(100);
        let built = index(&[doc("标题 <b>", &long), doc("短", "短文。")]);
        let value: serde_json::Value = serde_json::from_str(&built.json).expect("JSON");
        assert_eq!(value["version"], FORMAT_VERSION);
        let first = &value["docs"][0];
        assert_eq!(first[0], "标题 <b>");
        assert_eq!(first[1], "/posts/x/");
        assert_eq!(first[2], "2026-01-01");
        let snippet = first[3].as_str().expect("snippet");
        assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
        assert!(snippet.ends_with('…'));
        assert_eq!(value["docs"][1][3], "短文。");
    }

    #[test]
    fn tags_are_searchable_and_stats_count_bytes() {
        let terms = ["深度学习"];
        let (d, text) = doc("标题", "正文");
        let built = index(&[(Doc { terms: &terms, ..d }, text)]);
        assert_eq!(postings(&built.json, "深度").as_deref(), Some("a"));
        assert_eq!(built.stats.index_bytes, built.json.len());
        assert_eq!(built.stats.text_bytes, "标题正文深度学习".len());
    }

    #[test]
    fn a_text_that_cannot_be_read_back_names_its_document() {
        let docs = [doc("甲", "").0, doc("乙", "").0, doc("丙", "").0];
        let texts = |id| match id {
            1 => Err(std::io::Error::other("gone")),
            _ => Ok(Arc::from("注意力")),
        };
        let (id, error) = super::index(&docs, &texts).unwrap_err();
        assert_eq!((id, error.to_string().as_str()), (1, "gone"));
    }

    #[test]
    fn an_empty_site_has_an_empty_index() {
        let built = index(&[]);
        assert_eq!(built.json, r#"{"cjk":"","docs":[],"version":1,"words":{}}"#);
    }
}
