//! Macros an article defines in its own formulas: `\newcommand`,
//! `\renewcommand`, `\providecommand`, `\def` (`\gdef`, `\edef`, `\xdef`),
//! `\let` and `\DeclareMathOperator`, written anywhere in a formula (usually
//! a `$…$` at the top of a note, as Typora, MathJax and KaTeX auto-render
//! accept). A definition holds from its formula to the end of the article.
//!
//! blogsmith takes the definitions out of the formula and expands the
//! article's macros itself, under a budget, before KaTeX sees the TeX: a
//! macro that calls itself (`\def\x{{\x}}`) or doubles its argument at each
//! step (`\def\x#1{\x{#1#1}}`) is an error for that formula instead of a
//! stack overflow or gigabytes of memory inside KaTeX, whose `maxExpand`
//! bounds neither.

use std::collections::HashMap;

use super::math::MathError;

/// Most macro expansions in one formula (KaTeX's own limit is 1,000).
const MAX_EXPANSIONS: usize = 10_000;
/// Most tokens a formula may grow to while its macros are expanded.
const MAX_TOKENS: usize = 200_000;
/// Most tokens copied into expansions (bodies and arguments) for one formula:
/// a macro whose argument grows a little at each call stays under the other
/// two limits while its work grows with their product.
const MAX_WORK: usize = 1_000_000;

/// One TeX token, as far as macro expansion needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `\name` (letters) or `\x` (one other character), without the backslash.
    Command(String),
    /// `#1` … `#9` in a macro body.
    Parameter(u8),
    /// Any other character.
    Char(char),
}

/// A macro's parameters and body.
#[derive(Debug, Clone)]
struct Macro {
    parameters: u8,
    /// `\newcommand{\x}[2][default]{…}`: the first parameter is optional.
    optional_default: Option<Vec<Token>>,
    body: Vec<Token>,
}

/// The macros of one article, in the order its formulas define them.
#[derive(Debug, Default)]
pub struct PageMacros {
    macros: HashMap<String, Macro>,
}

/// A formula with the article's macros applied.
#[derive(Debug, PartialEq, Eq)]
pub struct Expanded {
    /// The TeX for KaTeX: definitions removed, the article's macros expanded.
    pub tex: String,
    /// Whether the formula held nothing but definitions (it then shows nothing).
    pub only_definitions: bool,
}

impl PageMacros {
    /// Takes the definitions out of `tex` (remembering them for later
    /// formulas) and expands the macros defined so far in the rest.
    pub fn apply(&mut self, tex: &str) -> Result<Expanded, MathError> {
        let tokens = tokenize(tex);
        let had_definitions = tokens.iter().any(is_definition);
        if self.macros.is_empty() && !had_definitions {
            return Ok(Expanded {
                tex: tex.to_string(),
                only_definitions: false,
            });
        }
        let rest = self.take_definitions(tokens)?;
        let only_definitions = had_definitions && rest.iter().all(is_space);
        let expanded = self.expand(rest)?;
        Ok(Expanded {
            tex: untokenize(&expanded),
            only_definitions,
        })
    }

    /// Reads and removes every definition, left to right; a definition
    /// applies to the formula's text after it as well.
    fn take_definitions(&mut self, tokens: Vec<Token>) -> Result<Vec<Token>, MathError> {
        let mut input = Input::new(tokens);
        let mut rest = Vec::new();
        while let Some(token) = input.next() {
            match &token {
                Token::Command(name) if name == "global" => {}
                Token::Command(name) => match name.as_str() {
                    "newcommand" | "renewcommand" | "providecommand" => {
                        self.newcommand(&mut input, name == "providecommand")?
                    }
                    "def" | "gdef" | "edef" | "xdef" => self.def(&mut input, name)?,
                    "let" => self.let_(&mut input)?,
                    "DeclareMathOperator" => self.operator(&mut input)?,
                    _ => rest.push(token),
                },
                _ => rest.push(token),
            }
        }
        Ok(rest)
    }

    /// `\newcommand{\name}[n][default]{body}`, also `\newcommand*\name…`.
    fn newcommand(&mut self, input: &mut Input, keep_existing: bool) -> Result<(), MathError> {
        input.skip_char('*');
        let name = input.macro_name().ok_or_else(|| {
            definition_error(
                "\\newcommand",
                "the macro's name, e.g. \\newcommand{\\R}{…}",
            )
        })?;
        let parameters = match input.bracketed() {
            Some(count) => parameter_count(&untokenize(&count))?,
            None => 0,
        };
        let optional_default = if parameters > 0 {
            input.bracketed()
        } else {
            None
        };
        let body = input.argument().ok_or_else(|| {
            definition_error("\\newcommand", &format!("a body for \\{name} in braces"))
        })?;
        if !(keep_existing && self.macros.contains_key(&name)) {
            let definition = Macro {
                parameters,
                optional_default,
                body,
            };
            self.macros.insert(name, definition);
        }
        Ok(())
    }

    /// `\def\name#1#2{body}`: undelimited parameters only.
    fn def(&mut self, input: &mut Input, command: &str) -> Result<(), MathError> {
        let Some(Token::Command(name)) = input.next_non_space() else {
            return Err(definition_error(
                &format!("\\{command}"),
                "a macro name right after it, e.g. \\def\\R{…}",
            ));
        };
        let mut parameters = 0u8;
        loop {
            match input.peek_non_space() {
                Some(Token::Parameter(n)) if *n == parameters + 1 => {
                    parameters = *n;
                    input.next();
                }
                Some(Token::Char('{')) => break,
                _ => {
                    return Err(MathError {
                        message: format!(
                            "KaTeX parse error: \\{command}\\{name}: blogsmith reads only parameters #1, #2, … in order, then the body in braces"
                        ),
                        hint: Some("write it as \\newcommand{\\name}[n]{body}".into()),
                    });
                }
            }
        }
        let body = input.argument().unwrap_or_default();
        let definition = Macro {
            parameters,
            optional_default: None,
            body,
        };
        self.macros.insert(name, definition);
        Ok(())
    }

    /// `\let\a\b` or `\let\a=\b`: `\a` now means what `\b` means.
    fn let_(&mut self, input: &mut Input) -> Result<(), MathError> {
        let name = match input.next_non_space() {
            Some(Token::Command(name)) => name,
            _ => return Err(definition_error("\\let", "two commands, e.g. \\let\\a\\b")),
        };
        if input.peek_non_space() == Some(&Token::Char('=')) {
            input.next_non_space();
        }
        let target = input
            .next_non_space()
            .ok_or_else(|| definition_error("\\let", "two commands, e.g. \\let\\a\\b"))?;
        let definition = match &target {
            Token::Command(other) => self.macros.get(other).cloned(),
            _ => None,
        }
        .unwrap_or(Macro {
            parameters: 0,
            optional_default: None,
            body: vec![target],
        });
        self.macros.insert(name, definition);
        Ok(())
    }

    /// `\DeclareMathOperator{\name}{text}` (with `*`: limits below and above).
    fn operator(&mut self, input: &mut Input) -> Result<(), MathError> {
        let starred = input.skip_char('*');
        let name = input
            .macro_name()
            .ok_or_else(|| definition_error("\\DeclareMathOperator", "a name, e.g. {\\argmax}"))?;
        let text = input.argument().ok_or_else(|| {
            definition_error("\\DeclareMathOperator", "the operator's text in braces")
        })?;
        let mut body = vec![Token::Command("operatorname".into())];
        if starred {
            body.push(Token::Char('*'));
        }
        body.push(Token::Char('{'));
        body.extend(text);
        body.push(Token::Char('}'));
        let definition = Macro {
            parameters: 0,
            optional_default: None,
            body,
        };
        self.macros.insert(name, definition);
        Ok(())
    }

    /// Expands the article's macros in `tokens`, rescanning each expansion,
    /// within [`MAX_EXPANSIONS`] and [`MAX_TOKENS`].
    fn expand(&self, tokens: Vec<Token>) -> Result<Vec<Token>, MathError> {
        if self.macros.is_empty() {
            return Ok(tokens);
        }
        let mut input = Input::new(tokens);
        let mut out = Vec::new();
        let mut expansions = 0;
        let mut work = 0usize;
        while let Some(token) = input.next() {
            let definition = match &token {
                Token::Command(name) => self.macros.get(name),
                _ => None,
            };
            let Some(definition) = definition else {
                out.push(token);
                continue;
            };
            expansions += 1;
            if expansions > MAX_EXPANSIONS || input.len() + out.len() > MAX_TOKENS {
                return Err(runaway(&token));
            }
            let arguments = self.arguments(definition, &mut input, &token)?;
            let expansion = substitute(&definition.body, &arguments);
            work += expansion.len() + arguments.iter().map(Vec::len).sum::<usize>();
            if work > MAX_WORK {
                return Err(runaway(&token));
            }
            input.push_front(expansion);
        }
        Ok(out)
    }

    fn arguments(
        &self,
        definition: &Macro,
        input: &mut Input,
        token: &Token,
    ) -> Result<Vec<Vec<Token>>, MathError> {
        let mut arguments = Vec::new();
        if let Some(default) = &definition.optional_default {
            arguments.push(input.bracketed().unwrap_or_else(|| default.clone()));
        }
        while arguments.len() < usize::from(definition.parameters) {
            let argument = input.argument().ok_or_else(|| MathError {
                message: format!(
                    "KaTeX parse error: {} expects {} argument(s)",
                    untokenize(std::slice::from_ref(token)),
                    definition.parameters
                ),
                hint: Some("give each argument in braces".into()),
            })?;
            arguments.push(argument);
        }
        Ok(arguments)
    }
}

fn runaway(token: &Token) -> MathError {
    MathError {
        message: format!(
            "KaTeX parse error: the macro {} expands without end (more than {MAX_EXPANSIONS} expansions, {MAX_TOKENS} tokens or {MAX_WORK} tokens copied)",
            untokenize(std::slice::from_ref(token))
        ),
        hint: Some("a macro defined in this article calls itself: look at its definition".into()),
    }
}

fn definition_error(command: &str, expected: &str) -> MathError {
    MathError {
        message: format!("KaTeX parse error: {command} needs {expected}"),
        hint: Some(
            "macros can also be defined for the whole site under math.macros in blogsmith.yaml"
                .into(),
        ),
    }
}

fn parameter_count(text: &str) -> Result<u8, MathError> {
    match text.trim().parse::<u8>() {
        Ok(n) if n <= 9 => Ok(n),
        _ => Err(MathError {
            message: format!(
                "KaTeX parse error: `[{text}]` is not a number of parameters (0 to 9)"
            ),
            hint: Some("write \\newcommand{\\name}[2]{… #1 … #2 …}".into()),
        }),
    }
}

fn is_definition(token: &Token) -> bool {
    matches!(token, Token::Command(name) if matches!(name.as_str(),
        "newcommand" | "renewcommand" | "providecommand" | "def" | "gdef" | "edef"
            | "xdef" | "let" | "DeclareMathOperator"))
}

fn is_space(token: &Token) -> bool {
    matches!(token, Token::Char(c) if c.is_whitespace())
}

/// The body with `#n` replaced by the arguments.
fn substitute(body: &[Token], arguments: &[Vec<Token>]) -> Vec<Token> {
    let mut out = Vec::with_capacity(body.len());
    for token in body {
        match token {
            Token::Parameter(n) => match arguments.get(usize::from(*n) - 1) {
                Some(argument) => out.extend(argument.iter().cloned()),
                None => out.push(token.clone()),
            },
            other => out.push(other.clone()),
        }
    }
    out
}

/// Tokens still to read; expansions are pushed in front.
struct Input {
    /// Reversed: the next token is the last.
    stack: Vec<Token>,
}

impl Input {
    fn new(mut tokens: Vec<Token>) -> Self {
        tokens.reverse();
        Self { stack: tokens }
    }

    fn len(&self) -> usize {
        self.stack.len()
    }

    fn next(&mut self) -> Option<Token> {
        self.stack.pop()
    }

    fn peek(&self) -> Option<&Token> {
        self.stack.last()
    }

    fn push_front(&mut self, tokens: Vec<Token>) {
        self.stack.extend(tokens.into_iter().rev());
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.stack.pop();
        }
    }

    fn next_non_space(&mut self) -> Option<Token> {
        self.skip_spaces();
        self.next()
    }

    fn peek_non_space(&mut self) -> Option<&Token> {
        self.skip_spaces();
        self.peek()
    }

    /// Skips `c` if it comes next (after spaces); whether it did.
    fn skip_char(&mut self, c: char) -> bool {
        if self.peek_non_space() == Some(&Token::Char(c)) {
            self.next();
            return true;
        }
        false
    }

    /// `{\name}` or `\name`.
    fn macro_name(&mut self) -> Option<String> {
        match self.next_non_space()? {
            Token::Command(name) => Some(name),
            Token::Char('{') => {
                let group = self.group_after_open()?;
                match group.as_slice() {
                    [Token::Command(name)] => Some(name.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `[…]` if it comes next, without the brackets.
    fn bracketed(&mut self) -> Option<Vec<Token>> {
        if self.peek_non_space() != Some(&Token::Char('[')) {
            return None;
        }
        self.next();
        let mut depth = 0usize;
        let mut out = Vec::new();
        while let Some(token) = self.next() {
            match token {
                Token::Char(']') if depth == 0 => return Some(out),
                Token::Char('{') => depth += 1,
                Token::Char('}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push(token);
        }
        Some(out)
    }

    /// One argument: a braced group without its braces, or one token.
    fn argument(&mut self) -> Option<Vec<Token>> {
        match self.next_non_space()? {
            Token::Char('{') => self.group_after_open(),
            Token::Char('}') => None,
            other => Some(vec![other]),
        }
    }

    /// The tokens up to the `}` matching an already read `{`.
    fn group_after_open(&mut self) -> Option<Vec<Token>> {
        let mut depth = 0usize;
        let mut out = Vec::new();
        while let Some(token) = self.next() {
            match token {
                Token::Char('}') if depth == 0 => return Some(out),
                Token::Char('{') => depth += 1,
                Token::Char('}') => depth -= 1,
                _ => {}
            }
            out.push(token);
        }
        None
    }
}

fn tokenize(tex: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(tex.len());
    let mut chars = tex.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                let rest = &tex[at + 1..];
                let letters = rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                let name = match letters {
                    0 => match rest.chars().next() {
                        Some(symbol) => symbol.to_string(),
                        None => String::new(),
                    },
                    n => rest[..n].to_string(),
                };
                for _ in 0..name.chars().count() {
                    chars.next();
                }
                tokens.push(Token::Command(name));
            }
            '#' => match chars.peek() {
                Some((_, d @ '1'..='9')) => {
                    tokens.push(Token::Parameter(*d as u8 - b'0'));
                    chars.next();
                }
                _ => tokens.push(Token::Char('#')),
            },
            other => tokens.push(Token::Char(other)),
        }
    }
    tokens
}

fn untokenize(tokens: &[Token]) -> String {
    let mut out = String::with_capacity(tokens.len());
    let mut after_word = false;
    for token in tokens {
        match token {
            Token::Command(name) => {
                out.push('\\');
                out.push_str(name);
                after_word = name.starts_with(|c: char| c.is_ascii_alphabetic());
                continue;
            }
            Token::Parameter(n) => {
                out.push('#');
                out.push(char::from(b'0' + n));
            }
            Token::Char(c) => {
                // `\alpha` then `x` must not become `\alphax`.
                if after_word && c.is_ascii_alphabetic() {
                    out.push(' ');
                }
                out.push(*c);
            }
        }
        after_word = false;
    }
    out
}

#[cfg(test)]
mod tests;
