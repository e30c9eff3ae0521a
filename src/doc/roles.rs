//! Inline roles, MyST style: a `{name}` right before a code span gives the span a meaning.
//! {eval}`W'` prints a computed value, {verify}`df/dq = 2` checks a statement and prints it,
//! {label}`1` prints a number that claims nothing, {count}`cards` (or `{Count}`, `{number}`)
//! counts the page's questions, exercises or cards. This is the one place roles are read; an
//! unknown role, format or count is a located error here, for every output alike.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::lang::ast::{Expr, Stmt};
use crate::lang::error::VerifyError;
use crate::lang::{lexer, parser};
use crate::source::SourceFile;

/// A role with the code span it applies to.
#[derive(Debug)]
pub struct Role {
    /// What it does.
    pub kind: RoleKind,
    /// The code span's text.
    pub arg: String,
    /// Where that text is written (inside the backticks).
    pub arg_span: Range<usize>,
}

/// The roles there are.
#[derive(Debug)]
pub enum RoleKind {
    /// `{eval}`, `{eval:.2}`, `{eval:frac}`: the value of an expression, as math.
    Eval {
        /// How its numbers are printed.
        format: Format,
        /// The expression, or why it cannot be read (reported by the verify stage).
        expr: Result<Expr, VerifyError>,
    },
    /// `{verify}`: one checked statement, typeset as math.
    Verify(Result<Stmt, VerifyError>),
    /// `{label}`: the code's text as written, a number that is no claim.
    Label,
    /// `{count}`, `{Count}`, `{number}`: how many of something the page has.
    Count(CountStyle, Countable),
}

/// How a count is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountStyle {
    /// `{count}`: "seven".
    Words,
    /// `{Count}`: "Seven".
    Capitalised,
    /// `{number}`: "7".
    Digits,
}

/// What a page can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countable {
    /// Self-check questions.
    Questions,
    /// Exercises.
    Exercises,
    /// Flashcards.
    Cards,
}

/// How `{eval}` prints numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Exact numbers as decimals when they terminate, else as fractions; floats to 6
    /// significant decimals (`{eval}`).
    #[default]
    Auto,
    /// Rounded to this many decimals, half away from zero (`{eval:.2}`).
    Decimals(u32),
    /// Exact numbers as fractions (`{eval:frac}`: `79/15`, not `5.2666…`).
    Fraction,
}

impl Format {
    /// The format a role's suffix names: `` (auto), `.2`, `frac`; `None` for anything else.
    pub fn parse(spec: &str) -> Option<Format> {
        match spec {
            "" => Some(Format::Auto),
            "frac" => Some(Format::Fraction),
            _ => {
                let places: u32 = spec.strip_prefix('.')?.parse().ok()?;
                (places <= 20).then_some(Format::Decimals(places))
            }
        }
    }
}

/// The role's name when `text` ends with one (`{eval}`, `{eval:.2}`).
pub fn role_at_end(text: &str) -> Option<&str> {
    let open = text.rfind('{')?;
    let name = text[open + 1..].strip_suffix('}')?;
    // A role is a word, optionally with a format after a colon: `{eval:.2}`, `{eval:frac}`.
    let (word, spec) = name.split_once(':').unwrap_or((name, ""));
    let spec_ok = spec.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic()) && spec_ok).then_some(name)
}

/// Reads role `name` applied to the code span `arg` written at `arg_span` of `file`; an
/// unknown role, format or count is an error at the span.
pub fn parse(
    file: &Arc<SourceFile>,
    name: &str,
    arg: &str,
    arg_span: Range<usize>,
) -> Result<Role, Diagnostic> {
    let error = |message: String, hint: &str| {
        Err(Diagnostic::at(file, arg_span.clone(), message).with_hint(hint.to_string()))
    };
    let (word, spec) = name.split_once(':').unwrap_or((name, ""));
    let kind = match word {
        "eval" => {
            let Some(format) = Format::parse(spec) else {
                return error(
                    format!("unknown format `{spec}` in `{{{name}}}`"),
                    "write {eval} (automatic), {eval:.2} (2 decimals) or {eval:frac} (a fraction)",
                );
            };
            RoleKind::Eval {
                format,
                expr: eval_expr(arg, arg_span.clone()),
            }
        }
        _ if !spec.is_empty() => {
            return error(
                format!("`{{{word}}}` takes no format"),
                "only {eval} takes a format, e.g. {eval:.2}",
            )
        }
        "verify" => RoleKind::Verify(verify_stmt(arg, arg_span.clone())),
        "label" => RoleKind::Label,
        "count" | "Count" | "number" => {
            let what = match arg.trim() {
                "questions" => Countable::Questions,
                "exercises" => Countable::Exercises,
                "cards" => Countable::Cards,
                other => {
                    return error(
                        format!("cannot count `{other}`"),
                        "count `questions`, `exercises` or `cards`",
                    )
                }
            };
            let style = match word {
                "count" => CountStyle::Words,
                "Count" => CountStyle::Capitalised,
                _ => CountStyle::Digits,
            };
            RoleKind::Count(style, what)
        }
        other => {
            return error(
                format!("unknown role `{{{other}}}`"),
                "roles are {eval}, {verify}, {label}, {count}, {Count} and {number}",
            )
        }
    };
    Ok(Role {
        kind,
        arg: arg.to_string(),
        arg_span,
    })
}

/// The expression of an `{eval}`. The code's text is lexed, not the source between the
/// backticks: a code span may continue on a quoted line or hold escapes, so the two can
/// differ; positions stay close enough.
fn eval_expr(code: &str, span: Range<usize>) -> Result<Expr, VerifyError> {
    if code.trim().is_empty() {
        return Err(VerifyError::new(
            span,
            "`{eval}` needs an expression between the backticks",
        ));
    }
    lexer::lex(code, span.start).and_then(|tokens| parser::parse_expr(&tokens))
}

/// The one statement of a `{verify}`.
fn verify_stmt(code: &str, span: Range<usize>) -> Result<Stmt, VerifyError> {
    let stmts = lexer::lex(code, span.start).and_then(|tokens| parser::parse(&tokens))?;
    let mut stmts = stmts.into_iter();
    match (stmts.next(), stmts.next()) {
        (Some(stmt), None) => Ok(stmt),
        _ => Err(VerifyError::new(
            span,
            "`{verify}` takes one check, such as `df/dq = 2`",
        )),
    }
}

/// The English word for small counts ("seven"), digits beyond twenty.
pub fn number_word(n: usize) -> String {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

/// `word` with its first letter in upper case.
pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

impl Role {
    /// The text of a count role with the page's `counts`: "seven", "Seven" or "7".
    pub fn count_text(style: CountStyle, what: Countable, counts: super::Counts) -> String {
        let n = match what {
            Countable::Questions => counts.questions,
            Countable::Exercises => counts.exercises,
            Countable::Cards => counts.cards,
        };
        match style {
            CountStyle::Words => number_word(n),
            CountStyle::Capitalised => capitalise(&number_word(n)),
            CountStyle::Digits => n.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, arg: &str) -> Result<Role, String> {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), arg.to_string()));
        parse(&file, name, arg, 0..arg.len()).map_err(|d| d.to_string())
    }

    #[test]
    fn every_role_is_read_in_one_place() {
        assert!(matches!(
            role("eval:.2", "x + 1").unwrap().kind,
            RoleKind::Eval {
                format: Format::Decimals(2),
                expr: Ok(_)
            }
        ));
        assert!(matches!(
            role("verify", "1 + 1 = 2").unwrap().kind,
            RoleKind::Verify(Ok(_))
        ));
        assert!(matches!(
            role("Count", "cards").unwrap().kind,
            RoleKind::Count(CountStyle::Capitalised, Countable::Cards)
        ));
        assert!(matches!(
            role("verify", "x = 1\ny = 2").unwrap().kind,
            RoleKind::Verify(Err(_))
        ));
    }

    #[test]
    fn unknown_roles_formats_and_counts_are_errors() {
        assert!(role("evl", "x")
            .unwrap_err()
            .contains("unknown role `{evl}`"));
        assert!(role("eval:3", "x")
            .unwrap_err()
            .contains("unknown format `3`"));
        // Once printed "cards" in the decks without a word.
        assert!(role("Count", "answers")
            .unwrap_err()
            .contains("cannot count `answers`"));
        assert!(role("label:x", "1")
            .unwrap_err()
            .contains("takes no format"));
    }

    #[test]
    fn roles_end_text() {
        assert_eq!(role_at_end("so {eval}"), Some("eval"));
        assert_eq!(role_at_end("{eval:.2}"), Some("eval:.2"));
        assert_eq!(role_at_end("a {b c}"), None);
        assert_eq!(role_at_end("{}"), None);
        assert_eq!(number_word(7), "seven");
        assert_eq!(capitalise(&number_word(9)), "Nine");
    }
}
