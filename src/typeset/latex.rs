//! LaTeX for shown verification blocks and printed values, so a worked answer can be its own
//! verified source. The render stage turns the LaTeX into MathML like any other math.
//!
//! Everything is written into one buffer as the tree is walked (a shown page has thousands of
//! chains, one per step of every number set; a string per node was a tenth of building it).

use std::fmt::Write as _;

use crate::lang::ast::{BinOp, Binding, Expr, ExprKind, Rel, Stmt};
use crate::linalg::{Num, Value};

/// One statement as a display equation: `let` dropped, each link of the chain kept.
pub fn statement(stmt: &Stmt) -> String {
    forms(stmt, false).0
}

/// [`statement`], and the same statement broken at its relations, one link a row with the
/// relations aligned (`\begin{aligned} L &= … \\ &= 2.9 \end{aligned}`), for a chain too wide
/// for the column: `None` when the statement has fewer than two relations (there is nowhere
/// to break it). Each part is written once for both.
pub fn statement_forms(stmt: &Stmt) -> (String, Option<String>) {
    forms(stmt, true)
}

/// [`statement_forms`], the broken form only when `broken` is asked for.
fn forms(stmt: &Stmt, broken: bool) -> (String, Option<String>) {
    let head = head(stmt);
    let mut parts = Vec::with_capacity(stmt.links.len() + 1);
    let mut first = String::new();
    push_expr(&stmt.first, &mut first);
    parts.push(first);
    for (_, e) in &stmt.links {
        let mut part = String::new();
        push_expr(e, &mut part);
        parts.push(part);
    }
    let rels = stmt.links.iter().map(|(rel, _)| rel_tex(*rel));
    let mut line = String::new();
    if let Some(head) = &head {
        line.push_str(head);
        line.push_str(" = ");
    }
    line.push_str(&parts[0]);
    for (rel, part) in rels.clone().zip(&parts[1..]) {
        line.push(' ');
        line.push_str(rel);
        line.push(' ');
        line.push_str(part);
    }
    // Rows: `head &= first` when bound (else `first` heads the rows), then one per link.
    let rows = parts.len() - usize::from(head.is_none());
    if !broken || rows < 2 {
        return (line, None);
    }
    let mut broken = String::from("\\begin{aligned}");
    let (lead, rest) = match &head {
        Some(head) => (head.as_str(), &parts[..]),
        None => (parts[0].as_str(), &parts[1..]),
    };
    let rels = head.as_ref().map(|_| "=").into_iter().chain(rels);
    for (i, (rel, part)) in rels.zip(rest).enumerate() {
        if i > 0 {
            broken.push_str(" \\\\ ");
        }
        let left = if i == 0 { lead } else { "" };
        broken.push_str(left);
        broken.push_str(" &");
        broken.push_str(rel);
        broken.push(' ');
        broken.push_str(part);
    }
    broken.push_str("\\end{aligned}");
    (line, Some(broken))
}

/// What a statement binds, in LaTeX (`W_{1}`, `f(x, y)`), if it binds anything.
fn head(stmt: &Stmt) -> Option<String> {
    let mut out = String::new();
    match &stmt.binding {
        Some((Binding::Value(name), _)) => push_name(name, &mut out),
        Some((Binding::Function(name, params), _)) => {
            push_name(name, &mut out);
            out.push('(');
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_name(p, &mut out);
            }
            out.push(')');
        }
        None => return None,
    }
    Some(out)
}

fn rel_tex(rel: Rel) -> &'static str {
    match rel {
        Rel::Eq => "=",
        Rel::Approx => "\\approx",
        Rel::Lt => "<",
        Rel::Gt => ">",
        Rel::Le => "\\le",
        Rel::Ge => "\\ge",
        Rel::Ne => "\\ne",
    }
}

/// An expression in LaTeX.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    push_expr(e, &mut out);
    out
}

/// [`expr`], written at the end of `out`.
fn push_expr(e: &Expr, out: &mut String) {
    stacker::maybe_grow(
        crate::lang::STACK_RED_ZONE,
        crate::lang::STACK_SEGMENT,
        || push_expr_unguarded(e, out),
    )
}

/// `{…}` around `e`.
fn push_braced(e: &Expr, out: &mut String) {
    out.push('{');
    push_expr(e, out);
    out.push('}');
}

fn push_expr_unguarded(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Num(n) => out.push_str(n),
        ExprKind::Name(n) => push_name(n, out),
        ExprKind::Neg(x) => {
            out.push('-');
            push_expr(x, out);
        }
        ExprKind::Group(x) => {
            out.push_str("\\left(");
            push_expr(x, out);
            out.push_str("\\right)");
        }
        ExprKind::Transpose(x) => {
            push_braced(x, out);
            out.push_str("^{\\top}");
        }
        ExprKind::Binary(op, a, b) => {
            push_braced(a, out);
            // `Pow`; the parser makes a `Series` of the other operators.
            out.push_str(if matches!(op, BinOp::PowElem) {
                "^{\\circ "
            } else {
                "^{"
            });
            push_expr(b, out);
            out.push('}');
        }
        ExprKind::Series(first, rest) => {
            push_expr(first, out);
            for (op, e) in rest {
                let symbol = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "\\times",
                    BinOp::Dot => "\\cdot",
                    BinOp::Div => "/",
                    BinOp::Pow => "^",
                    BinOp::PowElem => "^\\circ",
                };
                out.push(' ');
                out.push_str(symbol);
                out.push(' ');
                push_expr(e, out);
            }
        }
        ExprKind::List(items) => {
            out.push_str("\\begin{bmatrix}");
            for (i, row) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(" \\\\ ");
                }
                match &row.kind {
                    // A matrix: a row's cells side by side.
                    ExprKind::List(cells) => push_joined(cells, " & ", out),
                    _ => push_expr(row, out),
                }
            }
            out.push_str("\\end{bmatrix}");
        }
        ExprKind::Call(name, args) => {
            push_function(name, out);
            push_args(args, out);
        }
        ExprKind::Partial { func, var, args } => {
            push_partial(func, var, out);
            push_args(args, out);
        }
        ExprKind::Grad(func, args) => {
            out.push_str("\\nabla ");
            push_name(func, out);
            push_args(args, out);
        }
        ExprKind::NumGrad { func, var, args } => {
            match var {
                Some(var) => {
                    out.push_str("\\left(");
                    push_partial(func, var, out);
                    out.push_str("\\right)_{\\text{num}}");
                }
                None => {
                    out.push_str("\\nabla_{\\text{num}} ");
                    push_name(func, out);
                }
            }
            push_args(args, out);
        }
        ExprKind::Index(x, index) => {
            push_braced(x, out);
            out.push_str("_{");
            push_joined(index, ", ", out);
            out.push('}');
        }
        // Shown blocks have their values written in first (`literals::resolve`); elsewhere
        // the expression itself is the best rendering.
        ExprKind::Interp(x) => push_expr(x, out),
    }
}

/// `\frac{\partial f}{\partial x}`.
fn push_partial(func: &str, var: &str, out: &mut String) {
    out.push_str("\\frac{\\partial ");
    push_name(func, out);
    out.push_str("}{\\partial ");
    push_name(var, out);
    out.push('}');
}

/// A call's arguments in parentheses that grow with them.
fn push_args(args: &[Expr], out: &mut String) {
    out.push_str("\\left(");
    push_joined(args, ", ", out);
    out.push_str("\\right)");
}

/// `items` in LaTeX, `separator` between them.
fn push_joined(items: &[Expr], separator: &str, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        push_expr(item, out);
    }
}

fn bmatrix(rows: &[String]) -> String {
    format!("\\begin{{bmatrix}}{}\\end{{bmatrix}}", rows.join(" \\\\ "))
}

fn push_function(name: &str, out: &mut String) {
    if name.chars().count() > 1 && !name.contains('_') {
        let _ = write!(out, "\\operatorname{{{name}}}");
    } else {
        push_name(name, out);
    }
}

/// [`name_tex`] at the end of `out`, remembered per thread: a page names the same few
/// quantities in every step.
fn push_name(name: &str, out: &mut String) {
    thread_local! {
        static NAMES: crate::memo::Table<Box<str>, Box<str>> = Default::default();
    }
    let hit = NAMES.with(|t| {
        let t = t.borrow();
        t.get(name).map(|tex| out.push_str(tex)).is_some()
    });
    if !hit {
        let tex = name_tex(name);
        out.push_str(&tex);
        let _ = crate::memo::get_or_insert(&NAMES, Box::from(name), || {
            Ok::<_, ()>(tex.into_boxed_str())
        });
    }
}

/// `W1` → `W_{1}`, `x₂` → `x_{2}`, `dL/dW` → `\frac{dL}{dW}`, `loss` → `\mathrm{loss}`,
/// `L_cat` → `L_{\mathrm{cat}}`.
pub fn name_tex(name: &str) -> String {
    if let Some((top, bottom)) = name.split_once('/') {
        return format!("\\frac{{{}}}{{{}}}", name_tex(top), name_tex(bottom));
    }
    let (stem, marks) = split_marks(name);
    let mut out = stem_tex(stem);
    out.push_str(&marks);
    out
}

/// A name without its trailing marks, and the marks in LaTeX: primes alone as `'` (`W''`),
/// and with `⁺` or `⁻` (`w1⁺`, how notes write an updated weight) one superscript, `^{+}`.
fn split_marks(name: &str) -> (&str, String) {
    let stem = name.trim_end_matches(['\'', '′', '⁺', '⁻']);
    let tail = &name[stem.len()..];
    if tail.chars().all(|c| c == '\'' || c == '′') {
        return (stem, "'".repeat(tail.chars().count()));
    }
    let sup: Vec<&str> = tail
        .chars()
        .map(|c| match c {
            '⁺' => "+",
            '⁻' => "-",
            _ => "\\prime",
        })
        .collect();
    (stem, format!("^{{{}}}", sup.join(" ")))
}

/// A name without trailing marks: an underscore starts a subscript, as in LaTeX (`s_y`,
/// `L_cat`), and digits after the letters are one (`W1`, `x₂`). A base with digits of its own
/// before an underscore has one subscript for both, `W1_shortcut` → W_{1,shortcut}, since a
/// second subscript is not LaTeX.
fn stem_tex(stem: &str) -> String {
    if let Some((base, sub)) = stem.split_once('_') {
        if !base.is_empty() && !sub.is_empty() {
            let sub = if sub.chars().all(|c| c.is_ascii_digit()) {
                sub.to_string()
            } else {
                name_tex(sub)
            };
            let (letters, digits) = letters_digits(base);
            if !digits.is_empty() && !letters.is_empty() && split_marks(base).1.is_empty() {
                return format!("{}_{{{},{sub}}}", plain(&letters), script_text(&digits));
            }
            return format!("{}_{{{sub}}}", name_tex(base));
        }
    }
    let (letters, digits) = letters_digits(stem);
    if letters.is_empty() {
        // A part that starts with a digit (the `1` of `x_1_2`) is written as it is.
        return script_text(&digits);
    }
    let mut out = plain(&letters);
    if !digits.is_empty() {
        out.push_str(&format!("_{{{}}}", script_text(&digits)));
    }
    out
}

/// The text of a subscript after a name's letters: digits and letters as they are (`1`, `1a`),
/// anything else (`1_`, `1'_`) upright with its underscores escaped, so every name the
/// language accepts typesets.
fn script_text(text: &str) -> String {
    if text.chars().all(char::is_alphanumeric) {
        return text.to_string();
    }
    format!("\\mathrm{{{}}}", escape_word(text))
}

/// A word for `\mathrm{…}`: underscores escaped.
fn escape_word(word: &str) -> String {
    word.replace('_', "\\_")
}

/// The letters of a name and the digits after them (subscript digits written as digits).
fn letters_digits(base: &str) -> (String, String) {
    let subscript_digit = |c: char| ('₀'..='₉').contains(&c);
    let letters: String = base
        .chars()
        .take_while(|c| !c.is_ascii_digit() && !subscript_digit(*c))
        .collect();
    let digits: String = base[letters.len()..]
        .chars()
        .map(|c| {
            if subscript_digit(c) {
                char::from_digit(c as u32 - '₀' as u32, 10).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    (letters, digits)
}

fn plain(word: &str) -> String {
    if word.chars().count() > 1 {
        format!("\\mathrm{{{}}}", escape_word(word))
    } else if word == "_" {
        "\\_".to_string()
    } else {
        word.to_string()
    }
}

pub use crate::doc::roles::Format;

/// A computed value in LaTeX: a number, or a matrix (vectors as columns).
pub fn value(v: &Value) -> String {
    formatted(v, Format::Auto)
}

/// A computed value in LaTeX, its numbers printed as `format` says.
pub fn formatted(v: &Value, format: Format) -> String {
    let number = |x: &Num| number(x, format);
    match v {
        Value::Scalar(x) => number(x),
        Value::Vector(items) => bmatrix(&items.iter().map(number).collect::<Vec<_>>()),
        Value::Matrix { cols, data, .. } => bmatrix(
            &data
                .chunks((*cols).max(1))
                .map(|row| row.iter().map(number).collect::<Vec<_>>().join(" & "))
                .collect::<Vec<_>>(),
        ),
    }
}

fn number(x: &Num, format: Format) -> String {
    let text = match (format, x) {
        (Format::Decimals(d), _) => x.fixed(d),
        (Format::Fraction, Num::Exact(r)) if !r.is_integer() => {
            format!("{}/{}", r.numer(), r.denom())
        }
        _ => x.to_string(),
    };
    match text.split_once('/') {
        Some((n, d)) => match n.strip_prefix('-') {
            Some(n) => format!("-\\frac{{{n}}}{{{d}}}"),
            None => format!("\\frac{{{n}}}{{{d}}}"),
        },
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_formats() {
        let x = Num::Exact(crate::linalg::Rational::ratio(79, 15));
        assert_eq!(number(&x, Format::Auto), "\\frac{79}{15}");
        assert_eq!(number(&x, Format::Decimals(2)), "5.27");
        assert_eq!(number(&x, Format::Fraction), "\\frac{79}{15}");
        assert_eq!(number(&Num::Approx(1.545645), Format::Decimals(3)), "1.546");
        assert_eq!(number(&Num::Approx(-0.004), Format::Decimals(2)), "0.00");
        assert_eq!(number(&Num::Approx(-0.5), Format::Decimals(2)), "-0.50");
        assert_eq!(number(&Num::int(3), Format::Decimals(1)), "3.0");
        assert_eq!(Format::parse(".2"), Some(Format::Decimals(2)));
        assert_eq!(Format::parse("frac"), Some(Format::Fraction));
        assert_eq!(Format::parse("x"), None);
    }

    /// Both forms of a statement, for each kind of head: a bound value, a function, none;
    /// and one relation alone has no broken form.
    #[test]
    fn a_statement_and_its_broken_form() {
        let stmt = |src: &str| {
            let tokens = crate::lang::lexer::lex(src, 0).expect("lexes");
            crate::lang::parser::parse(&tokens)
                .expect("parses")
                .remove(0)
        };
        let forms = |src: &str| statement_forms(&stmt(src));
        let m = r"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}";
        let (line, broken) = forms("let W1 = [[1, 2], [3, 4]] = [[1, 2], [3, 4]]");
        assert_eq!(line, format!("W_{{1}} = {m} = {m}"));
        assert_eq!(
            broken.as_deref(),
            Some(format!(r"\begin{{aligned}}W_{{1}} &= {m} \\  &= {m}\end{{aligned}}").as_str())
        );
        let (line, broken) = forms("let f(x, y) = x^2 + y");
        assert_eq!(line, "f(x, y) = {x}^{2} + y");
        assert_eq!(broken.as_deref(), None, "one relation: nowhere to break");
        let (line, broken) = forms("x1 + 2 = 3 ≈ 3.0");
        assert_eq!(line, r"x_{1} + 2 = 3 \approx 3.0");
        assert_eq!(
            broken.as_deref(),
            Some(r"\begin{aligned}x_{1} + 2 &= 3 \\  &\approx 3.0\end{aligned}")
        );
        assert_eq!(statement(&stmt("x1 + 2 = 3 ≈ 3.0")), line);
    }

    #[test]
    fn underscores_are_subscripts() {
        assert_eq!(name_tex("L_cat"), "L_{\\mathrm{cat}}");
        assert_eq!(name_tex("s_y"), "s_{y}");
        assert_eq!(name_tex("W_1"), "W_{1}");
        assert_eq!(name_tex("f_a'"), "f_{a}'");
        let function = |name| {
            let mut out = String::new();
            push_function(name, &mut out);
            out
        };
        assert_eq!(function("f_a"), "f_{a}");
        assert_eq!(function("softmax"), "\\operatorname{softmax}");
    }

    #[test]
    fn names_typeset_as_math() {
        assert_eq!(name_tex("W1"), "W_{1}");
        assert_eq!(name_tex("W'"), "W'");
        assert_eq!(name_tex("b1′"), "b_{1}'");
        assert_eq!(name_tex("df/dx"), "\\frac{\\mathrm{df}}{\\mathrm{dx}}");
        assert_eq!(name_tex("x₂"), "x_{2}");
        // A base with its own digits and an underscore: one subscript (#25).
        assert_eq!(name_tex("W1_shortcut"), "W_{1,\\mathrm{shortcut}}");
        assert_eq!(name_tex("dW1_a"), "\\mathrm{dW}_{1,a}");
        assert_eq!(name_tex("W1_2"), "W_{1,2}");
        // `⁺` and `⁻`: an updated weight, as notes write it (#25).
        assert_eq!(name_tex("w1⁺"), "w_{1}^{+}");
        assert_eq!(name_tex("W⁻"), "W^{-}");
        assert_eq!(name_tex("b′⁺"), "b^{\\prime +}");
        assert_eq!(name_tex("w⁺_a"), "w^{+}_{a}");
    }
}

#[cfg(test)]
mod names_typeset {
    use super::name_tex;

    /// Every shape of name the verify language accepts typesets (#25): digits, underscores,
    /// primes, `⁺` and `⁻` in any order, subscript digits, Greek.
    #[test]
    fn every_accepted_name_typesets() {
        let parts = [
            "W", "dW", "x", "α", "1", "₂", "_", "a", "shortcut", "'", "′", "⁺", "⁻",
        ];
        let mut names = Vec::new();
        for a in &parts[..4] {
            names.push(a.to_string());
            for b in &parts {
                names.push(format!("{a}{b}"));
                for c in &parts {
                    names.push(format!("{a}{b}{c}"));
                    for d in &parts {
                        names.push(format!("{a}{b}{c}{d}"));
                    }
                }
            }
        }
        names.extend(["_", "_x", "__", "W1__a", "x_1_2", "L_cat_2"].map(String::from));
        let mut bad = Vec::new();
        for name in &names {
            let tex = name_tex(name);
            if let Err((e, _)) = crate::typeset::mathml::to_mathml(&tex, false) {
                bad.push(format!("{name} -> {tex}: {e}"));
            }
        }
        assert!(
            bad.is_empty(),
            "{} of {}:\n{}",
            bad.len(),
            names.len(),
            bad.join("\n")
        );
    }
}
