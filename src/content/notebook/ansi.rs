//! Terminal text (tracebacks, coloured logs) to escaped HTML: SGR colour and
//! weight codes become `<span>`s, every other escape sequence is dropped.
//!
//! Sequences are read by `anstyle-parse` (the VTE state machine), so a
//! broken or truncated sequence never leaks bytes into the page.

use anstyle_parse::{DefaultCharAccumulator, Params, Parser, Perform};

/// The 16 standard colours by SGR index, in the class names nbconvert uses
/// (`ansi-red-fg`), so a theme can restyle them.
const COLOURS: [&str; 8] = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
];

/// The state of the text: what the open `<span>` (if any) shows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Style {
    bold: bool,
    faint: bool,
    italic: bool,
    underline: bool,
    foreground: Option<Colour>,
    background: Option<Colour>,
}

/// A colour: one of the 16 named ones, or an exact one (256-colour and RGB codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Colour {
    Named { index: u8, bright: bool },
    Rgb(u8, u8, u8),
}

impl Style {
    fn is_plain(&self) -> bool {
        *self == Self::default()
    }

    /// The opening tag showing this style.
    fn open_tag(&self) -> String {
        let mut classes = Vec::new();
        let mut styles = Vec::new();
        for (on, class) in [
            (self.bold, "ansi-bold"),
            (self.faint, "ansi-faint"),
            (self.italic, "ansi-italic"),
            (self.underline, "ansi-underline"),
        ] {
            if on {
                classes.push(class.to_string());
            }
        }
        for (colour, layer, property) in [
            (self.foreground, "fg", "color"),
            (self.background, "bg", "background-color"),
        ] {
            match colour {
                Some(Colour::Named { index, bright }) => {
                    let name = COLOURS[usize::from(index % 8)];
                    let bright = if bright { "bright-" } else { "" };
                    classes.push(format!("ansi-{bright}{name}-{layer}"));
                }
                Some(Colour::Rgb(r, g, b)) => {
                    styles.push(format!("{property}:#{r:02x}{g:02x}{b:02x}"))
                }
                None => {}
            }
        }
        let mut tag = String::from("<span");
        if !classes.is_empty() {
            tag.push_str(&format!(" class=\"{}\"", classes.join(" ")));
        }
        if !styles.is_empty() {
            tag.push_str(&format!(" style=\"{}\"", styles.join(";")));
        }
        tag.push('>');
        tag
    }

    /// Applies one SGR parameter list (`1;31`, `38;5;208`, `38;2;1;2;3`).
    fn apply(&mut self, codes: &[u16]) {
        let mut rest = codes;
        while let Some((&code, tail)) = rest.split_first() {
            rest = tail;
            match code {
                0 => *self = Self::default(),
                1 => self.bold = true,
                2 => self.faint = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => (self.bold, self.faint) = (false, false),
                23 => self.italic = false,
                24 => self.underline = false,
                30..=37 => self.foreground = Some(named(code - 30, false)),
                39 => self.foreground = None,
                40..=47 => self.background = Some(named(code - 40, false)),
                49 => self.background = None,
                90..=97 => self.foreground = Some(named(code - 90, true)),
                100..=107 => self.background = Some(named(code - 100, true)),
                38 | 48 => {
                    let (colour, used) = extended(rest);
                    rest = &rest[used.min(rest.len())..];
                    match code {
                        38 => self.foreground = colour.or(self.foreground),
                        _ => self.background = colour.or(self.background),
                    }
                }
                _ => {}
            }
        }
    }
}

fn named(index: u16, bright: bool) -> Colour {
    Colour::Named {
        index: u8::try_from(index % 8).unwrap_or(0),
        bright,
    }
}

/// The colour of `5;n` or `2;r;g;b` after a 38/48, and how many codes it used.
fn extended(codes: &[u16]) -> (Option<Colour>, usize) {
    let byte = |i: usize| codes.get(i).and_then(|&c| u8::try_from(c).ok());
    match codes.first() {
        Some(5) => (byte(1).map(palette), 2),
        Some(2) => match (byte(1), byte(2), byte(3)) {
            (Some(r), Some(g), Some(b)) => (Some(Colour::Rgb(r, g, b)), 4),
            _ => (None, codes.len()),
        },
        _ => (None, 0),
    }
}

/// Colour `n` of the xterm 256-colour palette.
fn palette(n: u8) -> Colour {
    match n {
        0..=7 => Colour::Named {
            index: n,
            bright: false,
        },
        8..=15 => Colour::Named {
            index: n - 8,
            bright: true,
        },
        16..=231 => {
            let n = n - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            Colour::Rgb(level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        232..=255 => {
            let grey = 8 + (n - 232) * 10;
            Colour::Rgb(grey, grey, grey)
        }
    }
}

/// Collects the HTML while the parser walks the bytes.
#[derive(Default)]
struct Writer {
    html: String,
    style: Style,
    /// Whether a `<span>` for `style` is open.
    open: bool,
}

impl Writer {
    fn text(&mut self, c: char) {
        if !self.open && !self.style.is_plain() {
            self.html.push_str(&self.style.open_tag());
            self.open = true;
        }
        match c {
            '&' => self.html.push_str("&amp;"),
            '<' => self.html.push_str("&lt;"),
            '>' => self.html.push_str("&gt;"),
            '"' => self.html.push_str("&quot;"),
            c => self.html.push(c),
        }
    }

    fn close(&mut self) {
        if self.open {
            self.html.push_str("</span>");
            self.open = false;
        }
    }
}

impl Perform for Writer {
    fn print(&mut self, c: char) {
        self.text(c);
    }

    fn execute(&mut self, byte: u8) {
        // Line breaks and tabs are text; bells, backspaces and other controls are not.
        if matches!(byte, b'\n' | b'\t') {
            self.text(char::from(byte));
        }
    }

    fn csi_dispatch(&mut self, params: &Params, _intermediates: &[u8], ignore: bool, action: u8) {
        if action != b'm' || ignore {
            return;
        }
        let codes: Vec<u16> = params.iter().flatten().copied().collect();
        let mut style = self.style.clone();
        // `ESC[m` is a reset, like `ESC[0m`.
        style.apply(if codes.is_empty() { &[0] } else { &codes });
        if style != self.style {
            self.close();
            self.style = style;
        }
    }
}

/// `text` with its SGR codes as `<span>`s, everything else escaped.
pub fn to_html(text: &str) -> String {
    let mut parser = Parser::<DefaultCharAccumulator>::new();
    let mut writer = Writer {
        html: String::with_capacity(text.len() + text.len() / 8),
        ..Writer::default()
    };
    for &byte in text.as_bytes() {
        parser.advance(&mut writer, byte);
    }
    writer.close();
    writer.html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_become_spans_and_text_is_escaped() {
        let html = to_html("\x1b[0;31mValueError\x1b[0m: <b>&\n");
        assert_eq!(
            html,
            "<span class=\"ansi-red-fg\">ValueError</span>: &lt;b&gt;&amp;\n"
        );
    }

    #[test]
    fn bold_bright_extended_and_reset() {
        let html = to_html("\x1b[1;92mok\x1b[22m x\x1b[38;5;208my\x1b[38;2;1;2;3mz\x1b[mw");
        assert_eq!(
            html,
            "<span class=\"ansi-bold ansi-bright-green-fg\">ok</span>\
             <span class=\"ansi-bright-green-fg\"> x</span>\
             <span style=\"color:#ff8700\">y</span>\
             <span style=\"color:#010203\">z</span>w"
        );
    }

    #[test]
    fn other_sequences_and_broken_ones_leave_no_bytes() {
        assert_eq!(to_html("a\x1b[2Kb\x1b]0;title\x07c\x07"), "abc");
        assert_eq!(to_html("a\x1b[38;5m\x1b[38;2;1mb\x1b["), "ab");
    }
}
