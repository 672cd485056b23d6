//! Slugs and URL paths that keep Chinese readable.

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

/// Percent-encodes a URL path, leaving `/` and unreserved ASCII as they are.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
    }
}
