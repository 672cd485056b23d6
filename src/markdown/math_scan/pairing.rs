//! Whether a `$…$` pair is a formula: the padding rules, the protections for
//! prices and shell prompts, and the test that keeps Chinese prose out of
//! math when dollars are mis-paired. Also the web whitespace that TeX sees
//! as spaces.

/// Math fonts whose argument is usually a word: like the text commands
/// (`super::scanner::TEXT_COMMANDS`), Chinese inside them is a label, not
/// prose caught between mis-paired dollars.
const WORD_FONT_COMMANDS: &[&str] = &[
    "mathrm",
    "mathbf",
    "mathit",
    "mathsf",
    "mathtt",
    "operatorname",
];

/// Sentence punctuation of Chinese prose; next to an ideograph it means the
/// "formula" is a sentence.
const CJK_SENTENCE_PUNCTUATION: &[char] = &['，', '。', '、', '；', '：', '！', '？'];

/// Invisible characters that web pages and editors leave in text (zero-width
/// space and joiners, word joiner, byte order mark). TeX has no use for them.
pub(super) fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Whitespace for pairing: Unicode whitespace (NBSP, U+3000, thin spaces…)
/// and the zero-width characters, which look like nothing or a space.
pub(super) fn is_padding(c: char) -> bool {
    c.is_whitespace() || is_zero_width(c)
}

/// The TeX KaTeX should see: Unicode spaces become ASCII spaces (KaTeX
/// rejects or mis-spaces some of them), zero-width characters go.
pub(super) fn normalize_whitespace(tex: &str) -> String {
    tex.chars()
        .filter(|c| !is_zero_width(*c))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect()
}

/// Whether any character of `tex` would be changed by [`normalize_whitespace`].
pub(super) fn needs_normalizing(tex: &str) -> bool {
    tex.chars()
        .any(|c| is_zero_width(c) || (c.is_whitespace() && !c.is_ascii()))
}

/// A `$` right after `~` with a space after it is a shell prompt
/// (`~$ git status`): it neither opens nor closes a formula.
pub(super) fn is_shell_prompt(source: &str, dollar: usize) -> bool {
    char_before(source, dollar) == Some('~') && char_after(source, dollar).is_none_or(is_padding)
}

/// The delimiter rules for a pair of single dollars at `open` and `close`,
/// before looking at the TeX between them.
///
/// Padding may be on one side or both (`$x $`, `$ x$`, `$ x $`), as in
/// MathJax and Typora. A padded side must not touch an ASCII letter or digit
/// from outside (`a$ x $b`, `$5 and $HOME` are text), a closing `$` followed
/// by a digit does not close (`价格$5和$6元`), and a pair padded only at the
/// end whose TeX starts with a digit and has spaces inside reads as a price
/// (`$5 for the $`).
pub(super) fn delimiters_allow(source: &str, open: usize, close: usize) -> bool {
    let after = char_after(source, close);
    if after.is_some_and(|c| c.is_ascii_digit()) || is_shell_prompt(source, close) {
        return false;
    }
    let is_ascii_alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let opens_loose = char_after(source, open).is_none_or(is_padding);
    let closes_loose = char_before(source, close).is_some_and(is_padding);
    if (opens_loose && is_ascii_alnum(char_before(source, open)))
        || (closes_loose && is_ascii_alnum(after))
    {
        return false;
    }
    !(closes_loose && !opens_loose && looks_like_price(source.get(open + 1..close).unwrap_or("")))
}

/// `5 for the ` between `$5 for the $`: a digit first, then words.
fn looks_like_price(content: &str) -> bool {
    content.starts_with(|c: char| c.is_ascii_digit()) && content.trim_end().contains(is_padding)
}

/// Whether `tex` is Chinese prose caught between two unrelated dollars: an
/// ideograph next to Chinese sentence punctuation, outside text-mode groups
/// (`分，这`; but not `\text{当}x，y` nor `x_1，x_2`).
pub(super) fn is_chinese_prose(tex: &str) -> bool {
    let mut previous: Option<char> = None;
    let mut rest = tex;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            rest = skip_command(rest);
            previous = None;
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if is_padding(c) {
            continue;
        }
        if let Some(p) = previous
            && ((is_ideograph(p) && is_sentence_punctuation(c))
                || (is_sentence_punctuation(p) && is_ideograph(c)))
        {
            return true;
        }
        previous = Some(c);
    }
    false
}

/// The rest of `tex` after the command at its start, and after its argument
/// when that argument is text (`\text{…}`), so that text is not examined.
fn skip_command(tex: &str) -> &str {
    let name_len = tex[1..].bytes().take_while(u8::is_ascii_alphabetic).count();
    if name_len == 0 {
        // A control symbol (`\{`, `\,`) or a lone backslash.
        let symbol = tex[1..].chars().next().map_or(0, char::len_utf8);
        return &tex[1 + symbol..];
    }
    let after_name = &tex[1 + name_len..];
    let name = &tex[1..1 + name_len];
    if !super::scanner::TEXT_COMMANDS.contains(&name) && !WORD_FONT_COMMANDS.contains(&name) {
        return after_name;
    }
    let argument = after_name.trim_start_matches([' ', '\t']);
    match argument.strip_prefix('{') {
        Some(inside) => &inside[group_end(inside)..],
        None => after_name,
    }
}

/// Length of a brace group's content plus its closing brace (or of all of
/// `inside` when the group is not closed); `\{` and `\}` do not count.
fn group_end(inside: &str) -> usize {
    let bytes = inside.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' if depth == 0 => return i + 1,
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    inside.len()
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

fn is_sentence_punctuation(c: char) -> bool {
    CJK_SENTENCE_PUNCTUATION.contains(&c)
}

/// The character after the ASCII byte at `pos`.
pub(super) fn char_after(source: &str, pos: usize) -> Option<char> {
    source.get(pos + 1..)?.chars().next()
}

/// The character before `pos`.
pub(super) fn char_before(source: &str, pos: usize) -> Option<char> {
    source.get(..pos)?.chars().next_back()
}
