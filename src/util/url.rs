//! Slugs and URL paths that keep Chinese readable; percent-encoding by the
//! `percent-encoding` crate.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Turns a name into a URL segment: Chinese and other letters are kept, ASCII
/// is lowercased, and runs of spaces and punctuation become one `-`.
///
/// `自监督学习` stays `自监督学习`; `Adam vs. AdamW` becomes `adam-vs-adamw`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c);
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// What a URL path keeps as it is: letters, digits, the unreserved `-._~`, and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// What a path in an HTTP header keeps: also the sub-delimiters, `:` and `@`.
const HEADER_PATH: &AsciiSet = &PATH
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encodes a URL path, leaving `/` and unreserved ASCII as they are.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Percent-encodes a path for an HTTP header (`Location`): everything but
/// unreserved characters, sub-delimiters, `:`, `@` and `/`.
pub fn encode_header_path(path: &str) -> String {
    utf8_percent_encode(path, HEADER_PATH).to_string()
}

/// Decodes `%XX` escapes; `None` for a malformed escape (`%zz`, `%+1`, a
/// `%` near the end) or a result that is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// A relative path as `/`-separated text, without `.` or `..` parts.
pub fn slash_path(path: &std::path::Path) -> String {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_chinese_and_lowercases_ascii() {
        assert_eq!(slugify("自监督学习"), "自监督学习");
        assert_eq!(slugify("Adam vs. AdamW"), "adam-vs-adamw");
        assert_eq!(slugify("  RoPE：旋转位置编码!  "), "rope-旋转位置编码");
        assert_eq!(slugify("PyTorch"), slugify("pytorch"));
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn encodes_non_ascii_but_not_slashes() {
        assert_eq!(
            encode_path("/tags/自监督/"),
            "/tags/%E8%87%AA%E7%9B%91%E7%9D%A3/"
        );
        assert_eq!(encode_path("/posts/a-b_c/"), "/posts/a-b_c/");
        assert_eq!(encode_path("a b?#%"), "a%20b%3F%23%25");
        assert_eq!(encode_header_path("/a b/图(1)"), "/a%20b/%E5%9B%BE(1)");
    }

    #[test]
    fn decoding_refuses_malformed_escapes() {
        assert_eq!(percent_decode("%E5%9B%BE.png").as_deref(), Some("图.png"));
        assert_eq!(percent_decode("a%2fb").as_deref(), Some("a/b"));
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(percent_decode("%+1"), None, "not U+0001");
        assert_eq!(percent_decode("end%4"), None);
        assert_eq!(percent_decode("%FF"), None, "not UTF-8");
    }
}
