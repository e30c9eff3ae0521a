//! Turns a verification block into tokens, each with its byte range in the page's file.
//!
//! Names are written as the prose writes them: `W1`, `b'`, `W′`, `x₁`, `α`, and `dL/dW` (a `d`
//! name, a slash and a `d` name with no spaces is one name). Newlines end statements except
//! inside brackets and parentheses, so a matrix can span lines.

use std::ops::Range;

use super::error::{Result, VerifyError};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A decimal literal, as written.
    Num(String),
    /// A name.
    Ident(String),
    /// `let`
    Let,
    /// `circuit`, at the start of a line
    Circuit,
    /// `vary`, at the start of a line
    Vary,
    /// `where`, at the start of a line
    Where,
    /// `variants`, at the start of a line
    Variants,
    /// `grad` or `∇`
    Nabla,
    /// `numgrad`
    NumGrad,
    /// `∂`
    Partial,
    /// `=`
    Eq,
    /// `≈` or `~=`
    Approx,
    /// `+`
    Plus,
    /// `-` or `−`
    Minus,
    /// `*` or `×`
    Star,
    /// `·` or `@`
    Dot,
    /// `/`
    Slash,
    /// `^`
    Caret,
    /// `.^`
    CaretElem,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `≤` or `<=`
    Le,
    /// `≥` or `>=`
    Ge,
    /// `≠` or `!=`
    Ne,
    /// `ᵀ` or `^T`
    Transpose,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// End of a statement.
    Newline,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Byte range in the page's file.
    pub span: Range<usize>,
}

const TRANSPOSE: char = 'ᵀ';

fn ident_start(c: char) -> bool {
    (c.is_alphabetic() || c == '_') && c != TRANSPOSE
}

fn ident_continue(c: char) -> bool {
    (c.is_alphanumeric() || matches!(c, '_' | '\'' | '′' | '⁺' | '⁻')) && c != TRANSPOSE
}

/// Splits `src` (which starts at byte `base` of the file) into tokens.
pub fn lex(src: &str, base: usize) -> Result<Vec<Token>> {
    // About a token for every two or three bytes of a verify block: room for them at once rather
    // than growing (and copying) the list by doubling.
    let mut tokens = Vec::with_capacity(src.len() / 2 + 4);
    // Open brackets, so one that is never closed is reported where it opens.
    let mut open: Vec<(char, Range<usize>)> = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        let start = base + i;
        let one = |tok| Token {
            tok,
            span: start..start + c.len_utf8(),
        };
        match c {
            '#' => {
                while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                    chars.next();
                }
            }
            '\n' => {
                chars.next();
                if open.is_empty() && tokens.last().is_some_and(|t: &Token| t.tok != Tok::Newline) {
                    tokens.push(one(Tok::Newline));
                }
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            c if c.is_ascii_digit()
                || (c == '.' && src[i + 1..].starts_with(|d: char| d.is_ascii_digit())) =>
            {
                let end = number_end(src, i);
                if end - i > 600 {
                    return Err(VerifyError::new(
                        start..base + end,
                        "number has too many digits",
                    ));
                }
                tokens.push(Token {
                    tok: Tok::Num(src[i..end].to_string()),
                    span: start..base + end,
                });
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            c if ident_start(c) => {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if j == i || ident_continue(d) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                // `dL/dW` with no spaces is one name, the way worked answers write derivatives.
                let word = &src[i..end];
                if word.starts_with('d') && word.len() > 1 && src[end..].starts_with("/d") {
                    let rest = &src[end + 2..];
                    let len = rest
                        .char_indices()
                        .take_while(|&(_, d)| ident_continue(d))
                        .last()
                        .map_or(0, |(j, d)| j + d.len_utf8());
                    if len > 0 {
                        let new_end = end + 2 + len;
                        while chars.peek().is_some_and(|&(j, _)| j < new_end) {
                            chars.next();
                        }
                        end = new_end;
                    }
                }
                let text = &src[i..end];
                // Keywords of whole lines only count at the start of a statement, so `circuit`,
                // `vary`, `where` and `variants` stay usable as names elsewhere.
                let line_start = tokens.last().is_none_or(|t: &Token| t.tok == Tok::Newline);
                let tok = match text {
                    "let" => Tok::Let,
                    "circuit" if line_start => Tok::Circuit,
                    "vary" if line_start => Tok::Vary,
                    "where" if line_start => Tok::Where,
                    "variants" if line_start => Tok::Variants,
                    "grad" => Tok::Nabla,
                    "numgrad" => Tok::NumGrad,
                    _ => Tok::Ident(text.to_string()),
                };
                tokens.push(Token {
                    tok,
                    span: start..base + end,
                });
            }
            '^' if src[i + 1..].starts_with('T') && !src[i + 2..].starts_with(ident_continue) => {
                chars.next();
                chars.next();
                tokens.push(Token {
                    tok: Tok::Transpose,
                    span: start..start + 2,
                });
            }
            '~' | '.' | '<' | '>' | '!' if two_char(&src[i..]).is_some() => {
                chars.next();
                chars.next();
                tokens.push(Token {
                    tok: two_char(&src[i..]).expect("checked"),
                    span: start..start + 2,
                });
            }
            _ => {
                let tok = match c {
                    '=' => Tok::Eq,
                    '≈' => Tok::Approx,
                    '+' => Tok::Plus,
                    '-' | '−' => Tok::Minus,
                    '*' | '×' => Tok::Star,
                    '·' | '@' | '⋅' => Tok::Dot,
                    '/' => Tok::Slash,
                    '^' => Tok::Caret,
                    '<' => Tok::Lt,
                    '>' => Tok::Gt,
                    '≤' => Tok::Le,
                    '≥' => Tok::Ge,
                    '≠' => Tok::Ne,
                    TRANSPOSE => Tok::Transpose,
                    '∇' => Tok::Nabla,
                    '∂' => Tok::Partial,
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    '{' => Tok::LBrace,
                    '}' => Tok::RBrace,
                    ',' => Tok::Comma,
                    other => {
                        return Err(VerifyError::new(
                            start..start + other.len_utf8(),
                            format!("unexpected character `{other}`"),
                        ))
                    }
                };
                match tok {
                    Tok::LParen | Tok::LBracket | Tok::LBrace => open.push((c, start..start + 1)),
                    Tok::RParen | Tok::RBracket | Tok::RBrace => {
                        let want = match c {
                            ')' => '(',
                            ']' => '[',
                            _ => '{',
                        };
                        match open.pop() {
                            Some((o, _)) if o == want => {}
                            Some((o, span)) => {
                                return Err(VerifyError::new(
                                    span,
                                    format!("this `{o}` is closed by a `{c}`"),
                                )
                                .hint(format!("close it with `{}`", closing(o))))
                            }
                            None => {
                                return Err(VerifyError::new(
                                    start..start + 1,
                                    format!("this `{c}` closes nothing"),
                                ))
                            }
                        }
                    }
                    _ => {}
                }
                tokens.push(one(tok));
                chars.next();
            }
        }
    }
    if let Some((o, span)) = open.pop() {
        return Err(
            VerifyError::new(span, format!("this `{o}` is never closed")).hint(format!(
                "close it with `{}`; a line continues while a bracket is open",
                closing(o)
            )),
        );
    }
    if tokens.last().is_some_and(|t| t.tok != Tok::Newline) {
        let end = base + src.len();
        tokens.push(Token {
            tok: Tok::Newline,
            span: end..end,
        });
    }
    Ok(tokens)
}

/// The bracket that closes `open`.
fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The two-character operators: `~=`, `.^`, `<=`, `>=`, `!=`.
fn two_char(s: &str) -> Option<Tok> {
    Some(match s.get(..2)? {
        "~=" => Tok::Approx,
        ".^" => Tok::CaretElem,
        "<=" => Tok::Le,
        ">=" => Tok::Ge,
        "!=" => Tok::Ne,
        _ => return None,
    })
}

/// End of the number starting at byte `i`: digits, a fraction, an exponent.
fn number_end(src: &str, i: usize) -> usize {
    let bytes = src.as_bytes();
    let mut j = i;
    let digits = |j: &mut usize| {
        while *j < bytes.len() && bytes[*j].is_ascii_digit() {
            *j += 1;
        }
    };
    digits(&mut j);
    if j < bytes.len() && bytes[j] == b'.' && j + 1 < bytes.len() && bytes[j + 1].is_ascii_digit() {
        j += 1;
        digits(&mut j);
    }
    if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
        let mut k = j + 1;
        if k < bytes.len() && (bytes[k] == b'-' || bytes[k] == b'+') {
            k += 1;
        }
        if k < bytes.len() && bytes[k].is_ascii_digit() {
            j = k;
            digits(&mut j);
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src, 0).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn names_as_prose_writes_them() {
        assert_eq!(
            toks("W′ = Wᵀ"),
            [
                Tok::Ident("W′".into()),
                Tok::Eq,
                Tok::Ident("W".into()),
                Tok::Transpose,
                Tok::Newline
            ]
        );
        assert_eq!(toks("df/dx")[0], Tok::Ident("df/dx".into()));
        assert_eq!(toks("d / x")[1], Tok::Slash);
        assert_eq!(toks("W^T")[1], Tok::Transpose);
        assert_eq!(toks("x^Tmp")[1], Tok::Caret);
        assert_eq!(
            toks("3.01e-2 # comment"),
            [Tok::Num("3.01e-2".into()), Tok::Newline]
        );
    }

    #[test]
    fn newlines_inside_brackets_do_not_end_statements() {
        assert_eq!(
            toks("[1,\n 2]\nx")
                .iter()
                .filter(|t| **t == Tok::Newline)
                .count(),
            2
        );
    }

    #[test]
    fn spans_are_file_offsets() {
        let t = lex("x = ∂", 10).unwrap();
        assert_eq!(t[2].span, 14..17);
        assert_eq!(lex("x $ 1", 0).unwrap_err().span, 2..3);
    }
}
