//! HTML lexing for the layout: which parts of raw HTML keep math out. Tags,
//! comments and raw elements (`<pre>`, `<code>`, …) are guarded; the text
//! between tags stays open to math.

use std::ops::Range;

use super::layout::{Guard, GuardKind};

/// HTML elements whose content is code or otherwise not prose.
const RAW_ELEMENTS: &[&str] = &["pre", "code", "kbd", "samp", "script", "style", "textarea"];

pub(super) fn tag_name(bytes: &[u8]) -> &[u8] {
    let len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    &bytes[..len]
}

pub(super) fn raw_element(name: &[u8]) -> Option<&'static str> {
    RAW_ELEMENTS
        .iter()
        .copied()
        .find(|raw| raw.as_bytes().eq_ignore_ascii_case(name))
}

/// Lexer state for the raw text of an HTML block.
#[derive(Clone, Copy)]
enum HtmlState {
    Text,
    Tag {
        start: usize,
        quote: Option<u8>,
        raw: Option<&'static str>,
        kind: GuardKind,
    },
    Opaque {
        start: usize,
        end_marker: &'static [u8],
    },
    Raw {
        start: usize,
        name: &'static str,
    },
}

/// Guards for the tags, comments and raw elements of an HTML block, whose
/// lines are `lines`; the text between tags stays open to math.
pub(super) fn html_block_guards(bytes: &[u8], lines: &[Range<usize>], guards: &mut Vec<Guard>) {
    let mut state = HtmlState::Text;
    let mut resume = 0;
    for line in lines {
        let mut i = line.start.max(resume);
        while i < line.end {
            let b = bytes[i];
            match state {
                HtmlState::Text => {
                    if b == b'<'
                        && let Some((next, len)) = markup_start(&bytes[i..], i)
                    {
                        state = next;
                        i += len;
                        continue;
                    }
                }
                HtmlState::Tag {
                    start,
                    quote,
                    raw,
                    kind,
                } => match quote {
                    Some(q) if b == q => {
                        state = HtmlState::Tag {
                            start,
                            quote: None,
                            raw,
                            kind,
                        }
                    }
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => {
                        state = HtmlState::Tag {
                            start,
                            quote: Some(b),
                            raw,
                            kind,
                        }
                    }
                    None if b == b'>' => {
                        guards.push(Guard {
                            range: start..i + 1,
                            kind,
                        });
                        let self_closing = i > 0 && bytes[i - 1] == b'/';
                        state = match raw {
                            Some(name) if !self_closing => HtmlState::Raw { start, name },
                            _ => HtmlState::Text,
                        };
                    }
                    None => {}
                },
                HtmlState::Opaque { start, end_marker } => {
                    if bytes[i..].starts_with(end_marker) {
                        let end = i + end_marker.len();
                        guards.push(Guard {
                            range: start..end,
                            kind: GuardKind::Hard,
                        });
                        state = HtmlState::Text;
                        i = end;
                        continue;
                    }
                }
                HtmlState::Raw { start, name } => {
                    if bytes[i..].starts_with(b"</")
                        && bytes
                            .get(i + 2..i + 2 + name.len())
                            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                    {
                        // The closing tag ends the raw element's guard.
                        state = HtmlState::Tag {
                            start,
                            quote: None,
                            raw: None,
                            kind: GuardKind::Hard,
                        };
                        i += 2;
                        continue;
                    }
                }
            }
            i += 1;
        }
        resume = i;
    }
    let end = lines.last().map_or(0, |l| l.end);
    match state {
        HtmlState::Text => {}
        HtmlState::Tag { start, kind, .. } => guards.push(Guard {
            range: start..end,
            kind,
        }),
        HtmlState::Opaque { start, .. } | HtmlState::Raw { start, .. } => guards.push(Guard {
            range: start..end,
            kind: GuardKind::Hard,
        }),
    }
}

/// The lexer state entered by markup starting at `rest` (a `<` at `pos`),
/// and how many bytes it consumes.
fn markup_start(rest: &[u8], pos: usize) -> Option<(HtmlState, usize)> {
    let opaque = |end_marker, len| {
        Some((
            HtmlState::Opaque {
                start: pos,
                end_marker,
            },
            len,
        ))
    };
    let tag = |raw, len| {
        Some((
            HtmlState::Tag {
                start: pos,
                quote: None,
                raw,
                kind: GuardKind::Soft,
            },
            len,
        ))
    };
    let letter_at = |i: usize| rest.get(i).is_some_and(u8::is_ascii_alphabetic);
    if rest.starts_with(b"<!--") {
        opaque(b"-->".as_slice(), 4)
    } else if rest.starts_with(b"<![CDATA[") {
        opaque(b"]]>".as_slice(), 9)
    } else if rest.starts_with(b"<?") {
        opaque(b"?>".as_slice(), 2)
    } else if rest.starts_with(b"<!") && letter_at(2) {
        opaque(b">".as_slice(), 2)
    } else if rest.starts_with(b"</") && letter_at(2) {
        tag(None, 2)
    } else if letter_at(1) {
        tag(raw_element(tag_name(&rest[1..])), 1)
    } else {
        None
    }
}
