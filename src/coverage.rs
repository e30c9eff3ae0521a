//! Verification coverage: every number a worked answer states is either computed or flagged.
//!
//! Inside worked answers (`::: solution` and `::: answer` containers, at any depth) a number
//! written in prose or math is an *unverified claim* unless it is produced by `{eval}`, checked
//! inline by `{verify}`, or stands in a `verify` block or a code block. The rules that tell a
//! claim from a label are in `docs/verify.md` ("Coverage"); in short:
//!
//! - in prose, a number is a claim unless it is a label (`(1)`, `Part 2`, `step 3`, `1st`), a
//!   year, a count of things (`3 hidden units`), part of a name (`W1`), or marked with
//!   ``{label}`…` ``;
//! - in math, what stands after the last relation (`=`, `≈`, `<`, …) is a claim when it holds a
//!   number outside sub- and superscripts (`$df/dq = 2$`); a formula without a relation is one
//!   claim when it holds such a number (`$0.73$`).
//!
//! The stage walks the pages' documents only; it runs beside verification and reports warnings
//! (errors with `--strict` or `verify: { require: all }`).

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::doc::roles::RoleKind;
use crate::doc::{Block, BlockKind, Inline, InlineKind};
use crate::lang::lexer::{lex, Tok};
use crate::model::{Course, Page};
use crate::source::SourceFile;

/// What the scan found on one page, or in a whole course.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Numbers in worked answers that are computed or checked: literals in `verify` chains,
    /// `{eval}` values and `{verify}` statements.
    pub verified: usize,
    /// Numbers in worked answers that nothing checks, with their place.
    pub claims: Vec<Claim>,
}

/// A number stated in a worked answer that nothing checks.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The page's file.
    pub file: Arc<SourceFile>,
    /// Where the number (or the right-hand side of a formula) is written.
    pub span: Range<usize>,
}

impl Coverage {
    /// Numbers in worked answers, verified or not.
    pub fn total(&self) -> usize {
        self.verified + self.claims.len()
    }

    /// Adds another page's coverage to this one.
    pub fn add(&mut self, other: Coverage) {
        self.verified += other.verified;
        self.claims.extend(other.claims);
    }

    /// The line `check` and `build` print: "142 of 150 numbers in worked answers verified".
    pub fn summary(&self) -> String {
        format!(
            "{} of {} number{} in worked answers verified",
            self.verified,
            self.total(),
            if self.total() == 1 { "" } else { "s" }
        )
    }

    /// One located diagnostic per unverified claim (warnings; the caller decides if they fail).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.claims
            .iter()
            .map(|c| {
                let text = c.file.text[c.span.clone()].trim();
                Diagnostic::at(&c.file, c.span.clone(), format!("unverified number in a worked answer: `{text}`"))
                    .with_hint("compute it with {eval}`expr`, check it inline with {verify}`name = value`, state it in a `verify` block, or mark a label with {label}`…`")
            })
            .collect()
    }
}

impl Coverage {
    /// What the build does with the unverified numbers: with `required` (`--strict`, or
    /// `verify: { require: all }`) they are errors; otherwise warnings, and the build goes on.
    /// The one place that decides, for `build`, `check` and `serve` alike.
    pub fn policy(&self, required: bool) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let unverified = self.diagnostics();
        if required && !unverified.is_empty() {
            Err(unverified)
        } else if required {
            Ok(Vec::new())
        } else {
            Ok(unverified.into_iter().map(Diagnostic::warning).collect())
        }
    }
}

/// Coverage of every page of the course.
pub fn course_coverage(course: &Course) -> Coverage {
    let mut total = Coverage::default();
    for page in course.pages() {
        total.add(page_coverage(page));
    }
    total
}

/// Coverage of one page.
pub fn page_coverage(page: &Page) -> Coverage {
    let mut out = Coverage::default();
    scan_blocks(page, &page.doc.blocks, false, &mut out);
    out
}

fn scan_blocks(page: &Page, blocks: &[Block], worked: bool, out: &mut Coverage) {
    for block in blocks {
        scan_block(page, block, worked, out);
    }
}

fn scan_block(page: &Page, block: &Block, worked: bool, out: &mut Coverage) {
    match &block.kind {
        BlockKind::Verify(v) if worked => {
            out.verified += stated_literals(&page.file, v.code.clone())
        }
        // Code and raw HTML state nothing a reader takes as a result.
        BlockKind::Code(_) | BlockKind::Html(_) | BlockKind::Verify(_) => {}
        BlockKind::Question(q) => {
            scan_blocks(page, &q.prompt, worked, out);
            scan_blocks(page, &q.answer.blocks, true, out);
        }
        BlockKind::Exercise(e) => {
            scan_blocks(page, &e.statement, worked, out);
            if let Some(s) = &e.solution {
                scan_blocks(page, &s.blocks, true, out);
            }
        }
        BlockKind::Flashcards(cards) => {
            for card in cards {
                scan_blocks(page, &card.question, worked, out);
                scan_blocks(page, &card.answer.blocks, true, out);
            }
        }
        _ => {
            if worked {
                scan_inlines(&page.file, &block.inlines(), out);
            }
            for child in block.children() {
                scan_block(page, child, worked, out);
            }
        }
    }
}

/// Number literals a verify block states: those in statements that check something.
fn stated_literals(file: &SourceFile, code: Range<usize>) -> usize {
    let Ok(tokens) = lex(&file.text[code.clone()], code.start) else {
        return 0;
    };
    tokens
        .split(|t| t.tok == Tok::Newline)
        .filter(|line| {
            line.iter().any(|t| {
                matches!(
                    t.tok,
                    Tok::Eq | Tok::Approx | Tok::Lt | Tok::Gt | Tok::Le | Tok::Ge
                )
            })
        })
        .filter(|line| !is_function_definition(line))
        .map(|line| line.iter().filter(|t| matches!(t.tok, Tok::Num(_))).count())
        .sum()
}

fn is_function_definition(line: &[crate::lang::lexer::Token]) -> bool {
    matches!(line, [l, name, paren, ..] if l.tok == Tok::Let && matches!(name.tok, Tok::Ident(_)) && paren.tok == Tok::LParen)
}

/// The claims and checked values among some inline content of a worked answer.
fn scan_inlines(file: &Arc<SourceFile>, inlines: &[&Inline], out: &mut Coverage) {
    for inline in crate::doc::all_inlines(inlines.iter().copied()) {
        match &inline.kind {
            InlineKind::Text(_) => {
                // The source, not the text: claims are located in the file, and a role's
                // `{name}` before its code span is text there, no claim.
                let (body, _) = split_role(&file.text[inline.span.clone()]);
                prose_claims(file, inline.span.start, body, out);
            }
            InlineKind::Role(role) => {
                if matches!(role.kind, RoleKind::Eval { .. } | RoleKind::Verify(_)) {
                    out.verified += 1;
                }
            }
            InlineKind::Math(m) => {
                if let Some(span) = math_claim(&m.latex) {
                    out.claims.push(Claim {
                        file: Arc::clone(file),
                        span: m.start + span.start..m.start + span.end,
                    });
                }
            }
            _ => {}
        }
    }
}

/// The text without a trailing `{role}`, and the role.
fn split_role(source: &str) -> (&str, Option<String>) {
    if let Some(open) = source.rfind('{') {
        if let Some(name) = source[open + 1..].strip_suffix('}') {
            let word = name.split(':').next().unwrap_or("");
            if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic()) {
                return (&source[..open], Some(name.to_string()));
            }
        }
    }
    (source, None)
}

/// Words after which a number is a label, not a result.
const LABEL_WORDS: &[&str] = &[
    "part", "step", "steps", "exercise", "question", "card", "figure", "fig.", "table", "section",
    "chapter", "lesson", "layer", "equation", "eq.", "line", "page", "row", "column", "entry",
    "index", "unit", "class", "item", "case", "version", "week", "day", "example", "§", "#",
];

/// Words after an integer that make it something other than a count of things.
const NOT_A_THING: &[&str] = &[
    "and", "or", "but", "is", "are", "was", "so", "then", "which", "while", "when", "because",
    "since", "as", "in", "on", "at", "to", "for", "from", "with", "by", "of", "times", "plus",
    "minus", "over", "divided", "gives", "give", "equals", "into", "if", "not", "than",
];

fn prose_claims(file: &Arc<SourceFile>, base: usize, text: &str, out: &mut Coverage) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let starts_number = c.is_ascii_digit()
            || ((c == b'-' || c == b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        if c == b'[' && looks_like_list(&text[i..]) {
            let end = i + matching_bracket(&text[i..]).unwrap_or(1);
            out.claims.push(Claim {
                file: Arc::clone(file),
                span: base + i..base + end,
            });
            i = end;
            continue;
        }
        if !starts_number {
            // Only ASCII bytes start anything above, and no byte of a longer character is
            // ASCII: one byte at a time stays on characters where it stops.
            i += 1;
            continue;
        }
        let end = number_end(bytes, i);
        if !is_label(text, i, end) {
            out.claims.push(Claim {
                file: Arc::clone(file),
                span: base + i..base + end,
            });
        }
        i = end;
    }
}

/// A number: sign, digits, a decimal part, and a fraction `/digits`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    let digits = |j: &mut usize| {
        while *j < bytes.len() && bytes[*j].is_ascii_digit() {
            *j += 1;
        }
    };
    digits(&mut j);
    // Thousands separators: `10,000` is one number, as `10000` is (#25). A group is a comma
    // and exactly three digits, after a first group of one to three digits.
    let first = j - start - usize::from(bytes[start] == b'-');
    if (1..=3).contains(&first) {
        while bytes.get(j) == Some(&b',')
            && j + 3 < bytes.len()
            && bytes[j + 1..=j + 3].iter().all(u8::is_ascii_digit)
            && !bytes.get(j + 4).is_some_and(u8::is_ascii_digit)
        {
            j += 4;
        }
    }
    if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
        j += 1;
        digits(&mut j);
    }
    if j + 1 < bytes.len() && bytes[j] == b'/' && bytes[j + 1].is_ascii_digit() {
        j += 1;
        digits(&mut j);
    }
    j
}

fn is_label(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    let number = &text[start..end];
    // Part of a name or word: W1, x2, 2D, h_1.
    let glued_before = before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    let glued_after = after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    if glued_before || glued_after {
        // An ordinal (1st, 2nd) or a name: a label either way.
        return true;
    }
    // (1), (2): step labels.
    if before.ends_with('(') && after.starts_with(')') {
        return true;
    }
    // Part 2, step 3, Figure 1.
    let previous_word = before
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_lowercase();
    if before.ends_with(char::is_whitespace) && LABEL_WORDS.contains(&previous_word.as_str()) {
        return true;
    }
    // `10,000` is the whole number 10000.
    let number = number.replace(',', "");
    let number = number.as_str();
    let integer = number.chars().all(|c| c.is_ascii_digit());
    // Years.
    if integer && number.len() == 4 && (number.starts_with("19") || number.starts_with("20")) {
        return true;
    }
    // A count of things: "3 hidden units", "9 flashcards".
    if integer && after.starts_with(' ') {
        let next: String = after[1..]
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect();
        let lower = next.to_lowercase();
        if !next.is_empty() && !NOT_A_THING.contains(&lower.as_str()) {
            return true;
        }
    }
    false
}

/// `[1, 2]`, `[[1, 0], [0, 1]]`: a written-out vector or matrix (not a link's `[text]`).
fn looks_like_list(text: &str) -> bool {
    let Some(end) = matching_bracket(text) else {
        return false;
    };
    let inner = &text[1..end - 1];
    !inner.is_empty()
        && inner.chars().any(|c| c.is_ascii_digit())
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || " ,.-−[]/".contains(c))
}

/// The end (exclusive) of the bracket group starting at 0.
fn matching_bracket(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Relations that end the left side of a formula.
const RELATIONS: &[&str] = &[
    "=", "\\approx", "≈", "<", ">", "\\le", "\\ge", "\\leq", "\\geq", "\\lt", "\\gt", "\\neq",
];

/// Where the left side of `latex` ends: after the last occurrence of the relation that occurs
/// last, each relation's last occurrence counting unless it is a command followed by a letter
/// (`\le` inside `\left`); 0 without one. One pass over the formula (a dozen reverse searches
/// per formula were about a third of the coverage stage's time).
fn left_side_end(latex: &str) -> usize {
    let bytes = latex.as_bytes();
    let mut last = [None; RELATIONS.len()];
    for (i, b) in bytes.iter().enumerate() {
        // Every relation starts with one of these (0xE2 leads `≈`).
        if matches!(b, b'=' | b'<' | b'>' | b'\\' | 0xE2) {
            for (at, r) in last.iter_mut().zip(RELATIONS) {
                if bytes[i..].starts_with(r.as_bytes()) {
                    *at = Some(i);
                }
            }
        }
    }
    let mut start = 0;
    for (i, r) in last.iter().zip(RELATIONS) {
        let Some(i) = *i else { continue };
        let after = &latex[i + r.len()..];
        if r.starts_with('\\') && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        start = start.max(i + r.len());
    }
    start
}

/// The claim a formula makes: the part after its last relation (or all of it, without one),
/// when that part holds a number outside sub- and superscripts. The range is inside `latex`.
fn math_claim(latex: &str) -> Option<Range<usize>> {
    // `\(…\)` is read as `{…}`: the braces are the delimiters'.
    let body = if latex.starts_with('{') && latex.ends_with('}') && matching_brace(latex) {
        1..latex.len() - 1
    } else {
        0..latex.len()
    };
    let latex = &latex[body.clone()];
    let start = left_side_end(latex);
    let rhs = &latex[start..];
    // A right side with a variable is a formula (`\max(0, z)`, `2x + 1`), not a value.
    (has_free_number(rhs) && !has_free_letter(rhs)).then(|| {
        let trimmed = rhs.trim();
        let lead = rhs.len() - rhs.trim_start().len();
        body.start + start + lead..body.start + start + lead + trimmed.len()
    })
}

/// True when the `{` that starts `latex` is closed by its last character.
fn matching_brace(latex: &str) -> bool {
    let mut depth = 0usize;
    for (i, c) in latex.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == latex.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// True when `latex` has a letter outside commands, environment names and sub/superscripts: a
/// variable.
fn has_free_letter(latex: &str) -> bool {
    let bytes = latex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                // `\begin{bmatrix}`: the environment's name is no variable.
                if matches!(&latex[start..i], "begin" | "end") && bytes.get(i) == Some(&b'{') {
                    while i < bytes.len() && bytes[i] != b'}' {
                        i += 1;
                    }
                }
            }
            b'_' | b'^' => {
                i += 1;
                if bytes.get(i) == Some(&b'{') {
                    while i < bytes.len() && bytes[i] != b'}' {
                        i += 1;
                    }
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() => return true,
            _ => i += 1,
        }
    }
    false
}

/// True when `latex` has a digit that is not in a sub/superscript nor part of a command.
fn has_free_number(latex: &str) -> bool {
    let bytes = latex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' | b'^' => {
                i += 1;
                if bytes.get(i) == Some(&b'{') {
                    let mut depth = 0;
                    while i < bytes.len() {
                        match bytes[i] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
                i += 1;
            }
            b'\\' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
            }
            c if c.is_ascii_digit() => {
                let glued = i > 0 && (bytes[i - 1].is_ascii_alphabetic());
                if !glued {
                    return true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one pass finds what searching back for each relation finds.
        #[test]
        fn the_left_side_ends_where_the_last_relation_does(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "=", "\\approx", "≈", "<", ">", "\\le", "\\ge", "\\leq", "\\geq", "\\lt",
                    "\\gt", "\\neq", "\\left", "\\lefteq", "x", "2", " ", "\\", "{", "}", "é", "\\l",
                ]),
                0..12,
            )
        ) {
            let latex = parts.concat();
            let mut expected = 0;
            for r in RELATIONS {
                if let Some(i) = latex.rfind(r) {
                    let after = &latex[i + r.len()..];
                    if r.starts_with('\\') && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        continue;
                    }
                    expected = expected.max(i + r.len());
                }
            }
            proptest::prop_assert_eq!(left_side_end(&latex), expected, "{:?}", latex);
        }
    }

    fn claims_in(prose: &str) -> Vec<String> {
        let file = Arc::new(SourceFile::new("x.md", "x.md".into(), prose.to_string()));
        let (doc, errors) = crate::doc::parse(&file, 0..prose.len());
        assert!(errors.is_empty(), "{errors:?}");
        let mut out = Coverage::default();
        for block in doc.all_blocks() {
            if !matches!(block.kind, BlockKind::Code(_)) {
                scan_inlines(&file, &block.inlines(), &mut out);
            }
        }
        out.claims
            .iter()
            .map(|c| prose[c.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn numbers_in_prose_and_math_are_claims() {
        assert_eq!(claims_in("so the gradient is 2."), ["2"]);
        assert_eq!(
            claims_in("a change of 0.02 and -3.5 and 1/3"),
            ["0.02", "-3.5", "1/3"]
        );
        assert_eq!(claims_in("the output [10, -6] differs"), ["[10, -6]"]);
        assert_eq!(claims_in("with $df/dq = 2$ here"), ["2"]);
        assert_eq!(
            claims_in("$$W = \\begin{bmatrix}1 & 2\\end{bmatrix}$$"),
            ["\\begin{bmatrix}1 & 2\\end{bmatrix}"]
        );
        assert_eq!(claims_in("probability $0.73$"), ["0.73"]);
        assert_eq!(claims_in("MathJax style \\(p = 0.73\\)"), ["0.73"]);
        assert!(claims_in("a label \\(W_2\\)").is_empty());
    }

    #[test]
    fn labels_are_not_claims() {
        assert!(claims_in("**(1) Collapse.** Part A, step 2, Figure 3, the 1st row").is_empty());
        assert!(claims_in("In 2015, a net with 3 hidden units and 9 flashcards").is_empty());
        assert!(claims_in("the weights W1 and $W_2 \\cdot W_1$ and $x^2$").is_empty());
        assert!(claims_in("$\\mathrm{ReLU}(z) = \\max(0, z)$ and $f(x) = 2x + 1$").is_empty());
        assert!(claims_in("{label}`3` and {eval}`df/dx` and {verify}`q = 2`").is_empty());
        assert!(claims_in("see [the notes](page2.md) and `x = 3`").is_empty());
        assert!(claims_in("```\nx = 3\n```\n").is_empty());
    }

    #[test]
    fn thousands_separators_make_one_number() {
        // A count with a separator is a count, as without one (#25).
        assert!(claims_in("after 10,000 steps and 10000 steps").is_empty());
        assert!(claims_in("1,000,000 samples").is_empty());
        assert_eq!(claims_in("the error is 10,000."), ["10,000"]);
        assert_eq!(
            claims_in("a loss of 1,234.5 and -2,500"),
            ["1,234.5", "-2,500"]
        );
        // Not thousands: a list of small numbers, or four digits after the comma.
        assert_eq!(
            claims_in("the values 1,2 and 3,4567"),
            ["1", "2", "3", "4567"]
        );
    }
}
