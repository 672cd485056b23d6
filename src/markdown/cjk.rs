//! Chinese and Japanese text rules that CommonMark does not know.

/// Whether `c` is written without spaces around it: Han, kana, and the
/// full-width punctuation used with them. Hangul is not: Korean uses spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK punctuation: 、。「」
        | 0x3040..=0x30FF    // hiragana, katakana
        | 0x3100..=0x312F    // bopomofo
        | 0x31C0..=0x31FF    // strokes, katakana extension
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // vertical forms
        | 0xFF00..=0xFF60    // full-width forms: ，：（）！？
        | 0xFF61..=0xFF9F    // half-width katakana
        | 0x20000..=0x3FFFF  // Han extensions B and later
    )
}

/// Counts what a reader reads: CJK characters one by one, other text by words.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextCount {
    /// CJK characters (punctuation excluded).
    pub cjk_chars: usize,
    /// Runs of letters and digits outside CJK.
    pub words: usize,
}

impl TextCount {
    /// Adds the words and characters of `text`.
    pub fn add(&mut self, text: &str) {
        let mut in_word = false;
        for c in text.chars() {
            if is_cjk(c) {
                if c.is_alphanumeric() {
                    self.cjk_chars += 1;
                }
                in_word = false;
            } else if c.is_alphanumeric() {
                if !in_word {
                    self.words += 1;
                }
                in_word = true;
            } else {
                in_word = false;
            }
        }
    }

    /// Minutes to read, at about 400 CJK characters or 200 words a minute; at least 1.
    pub fn reading_minutes(&self) -> usize {
        let minutes = self.cjk_chars as f64 / 400.0 + self.words as f64 / 200.0;
        (minutes.ceil() as usize).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_characters() {
        for c in ['中', '。', '，', 'あ', 'カ', '（'] {
            assert!(is_cjk(c), "{c}");
        }
        for c in ['a', '1', ' ', '한', '$'] {
            assert!(!is_cjk(c), "{c}");
        }
    }

    #[test]
    fn counts_characters_and_words() {
        let mut count = TextCount::default();
        count.add("注意力机制 is all you need，好。");
        assert_eq!(
            count,
            TextCount {
                cjk_chars: 6,
                words: 4
            }
        );
        assert_eq!(count.reading_minutes(), 1);
        let mut long = TextCount::default();
        long.add(&"字".repeat(900));
        assert_eq!(long.reading_minutes(), 3);
    }
}
