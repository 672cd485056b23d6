// [blogsmith patch] CJK-friendly emphasis (not part of upstream pulldown-cmark 0.13.6).
// See PATCHES.md at the root of this crate.
//
//! Character classes of the "CommonMark CJK-friendly amendments" specification
//! (<https://github.com/tats-u/markdown-cjk-friendly/blob/main/specification.md>),
//! used by `delim_run_can_open` / `delim_run_can_close` in `firstpass.rs` when
//! [`crate::Options::ENABLE_CJK_FRIENDLY_EMPHASIS`] is set, for `*` and `_` runs only.
//!
//! Terms used below (all from the amendment):
//! - *CJK character*: East Asian Width W, F or H and not an emoji-presentation
//!   character, or any Hangul character.
//! - *non-emoji general-use variation selector* (NEVS): U+FE00..=U+FE0E.
//! - *ideographic variation selector* (IVS): U+E0100..=U+E01EF.
//! - *non-CJK punctuation sequence*: a Unicode punctuation character that is not a
//!   CJK character, optionally followed by a NEVS. The four "CJK ambiguous
//!   punctuation sequences" (U+2018/2019/201C/201D followed by U+FE01, i.e. the
//!   fullwidth forms of curly quotes) count as CJK punctuation, not as non-CJK.

use crate::puncttable::is_punctuation;

/// A *CJK character*. Ranges for Unicode 17, as listed in the amendment's `ranges.md`
/// (derived from EastAsianWidth.txt, Scripts.txt and emoji-data.txt).
pub(crate) fn is_cjk(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x1100 {
        return false;
    }
    matches!(
        cp,
        0x1100..=0x11FF
            | 0x20A9
            | 0x2329..=0x232A
            | 0x2630..=0x2637
            | 0x268A..=0x268F
            | 0x2E80..=0x2E99
            | 0x2E9B..=0x2EF3
            | 0x2F00..=0x2FD5
            | 0x2FF0..=0x303E
            | 0x3041..=0x3096
            | 0x3099..=0x30FF
            | 0x3105..=0x312F
            | 0x3131..=0x318E
            | 0x3190..=0x31E5
            | 0x31EF..=0x321E
            | 0x3220..=0x3247
            | 0x3250..=0xA48C
            | 0xA490..=0xA4C6
            | 0xA960..=0xA97C
            | 0xAC00..=0xD7A3
            | 0xD7B0..=0xD7C6
            | 0xD7CB..=0xD7FB
            | 0xF900..=0xFAFF
            | 0xFE10..=0xFE19
            | 0xFE30..=0xFE52
            | 0xFE54..=0xFE66
            | 0xFE68..=0xFE6B
            | 0xFF01..=0xFFBE
            | 0xFFC2..=0xFFC7
            | 0xFFCA..=0xFFCF
            | 0xFFD2..=0xFFD7
            | 0xFFDA..=0xFFDC
            | 0xFFE0..=0xFFE6
            | 0xFFE8..=0xFFEE
            | 0x16FE0..=0x16FE4
            | 0x16FF0..=0x16FF6
            | 0x17000..=0x18CD5
            | 0x18CFF..=0x18D1E
            | 0x18D80..=0x18DF2
            | 0x1AFF0..=0x1AFF3
            | 0x1AFF5..=0x1AFFB
            | 0x1AFFD..=0x1AFFE
            | 0x1B000..=0x1B122
            | 0x1B132
            | 0x1B150..=0x1B152
            | 0x1B155
            | 0x1B164..=0x1B167
            | 0x1B170..=0x1B2FB
            | 0x1D300..=0x1D356
            | 0x1D360..=0x1D376
            | 0x1F200
            | 0x1F202
            | 0x1F210..=0x1F219
            | 0x1F21B..=0x1F22E
            | 0x1F230..=0x1F231
            | 0x1F237
            | 0x1F23B
            | 0x1F240..=0x1F248
            | 0x1F260..=0x1F265
            | 0x20000..=0x3FFFD
    )
}

/// A Unicode punctuation character (CommonMark 0.31.2: P* or S*) that is not CJK.
pub(crate) fn is_non_cjk_punctuation(c: char) -> bool {
    is_punctuation(c) && !is_cjk(c)
}

/// Non-emoji general-use variation selector: U+FE00..=U+FE0E (not U+FE0F).
fn is_nevs(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0E)
}

/// Ideographic variation selector: U+E0100..=U+E01EF.
fn is_ivs(c: char) -> bool {
    matches!(c as u32, 0xE0100..=0xE01EF)
}

/// `before` is the text preceding a `*` run: does it end with a
/// *non-CJK punctuation sequence*? (Replaces "preceded by a Unicode punctuation
/// character" in the right-flanking rule.)
pub(crate) fn ends_with_non_cjk_punctuation(before: &str) -> bool {
    let mut rev = before.chars().rev();
    match rev.next() {
        Some(vs) if is_nevs(vs) => match rev.next() {
            // Fullwidth-form curly quotes (CJK ambiguous punctuation sequence) are CJK.
            Some('\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}') if vs == '\u{FE01}' => false,
            Some(base) => is_non_cjk_punctuation(base),
            None => false,
        },
        Some(c) => is_non_cjk_punctuation(c),
        None => false,
    }
}

/// `before` is the non-empty text preceding a `*` or `_` run whose last character is
/// neither whitespace nor Unicode punctuation. Returns whether the amendment lets the
/// run open anyway:
/// - `*` (left-flanking 2b): preceded by a CJK sequence, an IVS, or a non-CJK
///   punctuation sequence (punctuation + NEVS);
/// - `_` (rules 2 and 6): preceded by a Unicode punctuation sequence (punctuation + NEVS).
pub(crate) fn prev_allows_open(before: &str, delim: u8) -> bool {
    let mut rev = before.chars().rev();
    match rev.next() {
        // A variation selector is transparent: classify its base character.
        Some(vs) if is_nevs(vs) => match rev.next() {
            Some(base) => is_punctuation(base) || (delim == b'*' && is_cjk(base)),
            None => false,
        },
        Some(c) => delim == b'*' && (is_cjk(c) || is_ivs(c)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for c in [
            '中', '。', '，', '：', '「', '」', '（', '）', '、', 'あ', 'ア', '한', 'ｱ', '！',
        ] {
            assert!(is_cjk(c), "{c:?}");
        }
        for c in ['a', '"', '“', '”', '—', '…', '·', '€', '😀', 'é', 'я'] {
            assert!(!is_cjk(c), "{c:?}");
        }
        assert!(is_non_cjk_punctuation('“'));
        assert!(!is_non_cjk_punctuation('。'));
        assert!(!is_non_cjk_punctuation('a'));
        assert!(ends_with_non_cjk_punctuation("a\""));
        assert!(ends_with_non_cjk_punctuation("a\"\u{FE0E}"));
        assert!(!ends_with_non_cjk_punctuation("a\u{201C}\u{FE01}"));
        assert!(!ends_with_non_cjk_punctuation("中。"));
        assert!(prev_allows_open("中", b'*'));
        assert!(!prev_allows_open("中", b'_'));
        assert!(prev_allows_open("。\u{FE00}", b'_'));
        assert!(prev_allows_open("葛\u{E0100}", b'*'));
        assert!(!prev_allows_open("a", b'*'));
    }
}
