//! LaTeX for shown verification blocks and printed values, so a worked answer can be its own
//! verified source. The render stage turns the LaTeX into MathML like any other math.

use crate::lang::ast::{BinOp, Binding, Expr, ExprKind, Rel, Stmt};
use crate::linalg::{Num, Value};

/// One statement as a display equation: `let` dropped, each link of the chain kept.
pub fn statement(stmt: &Stmt) -> String {
    let mut out = String::new();
    match &stmt.binding {
        Some((Binding::Value(name), _)) => {
            out.push_str(&name_tex(name));
            out.push_str(" = ");
        }
        Some((Binding::Function(name, params), _)) => {
            let params: Vec<String> = params.iter().map(|p| name_tex(p)).collect();
            out.push_str(&format!("{}({}) = ", name_tex(name), params.join(", ")));
        }
        None => {}
    }
    out.push_str(&expr(&stmt.first));
    for (rel, e) in &stmt.links {
        out.push_str(&format!(" {} ", rel_tex(*rel)));
        out.push_str(&expr(e));
    }
    out
}

/// The same statement broken at its relations, one link a row with the relations aligned
/// (`\begin{aligned} L &= … \\ &= 2.9 \end{aligned}`), for a chain too wide for the column.
/// `None` when the statement has fewer than two relations: there is nowhere to break it.
pub fn aligned(stmt: &Stmt) -> Option<String> {
    let mut head = String::new();
    let mut rows: Vec<(&str, String)> = Vec::new();
    match &stmt.binding {
        Some((Binding::Value(name), _)) => {
            head.push_str(&name_tex(name));
            rows.push(("=", expr(&stmt.first)));
        }
        Some((Binding::Function(name, params), _)) => {
            let params: Vec<String> = params.iter().map(|p| name_tex(p)).collect();
            head.push_str(&format!("{}({})", name_tex(name), params.join(", ")));
            rows.push(("=", expr(&stmt.first)));
        }
        None => head.push_str(&expr(&stmt.first)),
    }
    for (rel, e) in &stmt.links {
        rows.push((rel_tex(*rel), expr(e)));
    }
    if rows.len() < 2 {
        return None;
    }
    let body: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (rel, e))| {
            let left = if i == 0 { head.as_str() } else { "" };
            format!("{left} &{rel} {e}")
        })
        .collect();
    Some(format!(
        "\\begin{{aligned}}{}\\end{{aligned}}",
        body.join(" \\\\ ")
    ))
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
    stacker::maybe_grow(
        crate::lang::STACK_RED_ZONE,
        crate::lang::STACK_SEGMENT,
        || expr_unguarded(e),
    )
}

fn expr_unguarded(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Num(n) => n.clone(),
        ExprKind::Name(n) => name_tex(n),
        ExprKind::Neg(x) => format!("-{}", expr(x)),
        ExprKind::Group(x) => format!("\\left({}\\right)", expr(x)),
        ExprKind::Transpose(x) => format!("{{{}}}^{{\\top}}", expr(x)),
        ExprKind::Binary(op, a, b) => match op {
            BinOp::PowElem => format!("{{{}}}^{{\\circ {}}}", expr(a), expr(b)),
            // `Pow`; the parser makes a `Series` of the other operators.
            _ => format!("{{{}}}^{{{}}}", expr(a), expr(b)),
        },
        ExprKind::Series(first, rest) => {
            let mut out = expr(first);
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
                out.push_str(&format!(" {symbol} {}", expr(e)));
            }
            out
        }
        ExprKind::List(items) => {
            if items.iter().any(|i| matches!(i.kind, ExprKind::List(_))) {
                let rows: Vec<String> = items
                    .iter()
                    .map(|row| match &row.kind {
                        ExprKind::List(cells) => {
                            cells.iter().map(expr).collect::<Vec<_>>().join(" & ")
                        }
                        _ => expr(row),
                    })
                    .collect();
                bmatrix(&rows)
            } else {
                bmatrix(&items.iter().map(expr).collect::<Vec<_>>())
            }
        }
        ExprKind::Call(name, args) => {
            format!("{}\\left({}\\right)", function_tex(name), args_tex(args))
        }
        ExprKind::Partial { func, var, args } => format!(
            "\\frac{{\\partial {}}}{{\\partial {}}}\\left({}\\right)",
            name_tex(func),
            name_tex(var),
            args_tex(args)
        ),
        ExprKind::Grad(func, args) => format!(
            "\\nabla {}\\left({}\\right)",
            name_tex(func),
            args_tex(args)
        ),
        ExprKind::NumGrad { func, var, args } => match var {
            Some(var) => format!(
                "\\left(\\frac{{\\partial {}}}{{\\partial {}}}\\right)_{{\\text{{num}}}}\\left({}\\right)",
                name_tex(func),
                name_tex(var),
                args_tex(args)
            ),
            None => format!(
                "\\nabla_{{\\text{{num}}}} {}\\left({}\\right)",
                name_tex(func),
                args_tex(args)
            ),
        },
        ExprKind::Index(x, index) => format!("{{{}}}_{{{}}}", expr(x), args_tex(index)),
        // Shown blocks have their values written in first (`literals::resolve`); elsewhere
        // the expression itself is the best rendering.
        ExprKind::Interp(x) => expr(x),
    }
}

fn args_tex(args: &[Expr]) -> String {
    args.iter().map(expr).collect::<Vec<_>>().join(", ")
}

fn bmatrix(rows: &[String]) -> String {
    format!("\\begin{{bmatrix}}{}\\end{{bmatrix}}", rows.join(" \\\\ "))
}

fn function_tex(name: &str) -> String {
    if name.chars().count() > 1 && !name.contains('_') {
        format!("\\operatorname{{{name}}}")
    } else {
        name_tex(name)
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
        let x = Num::Exact(num_rational::BigRational::new(79.into(), 15.into()));
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

    #[test]
    fn underscores_are_subscripts() {
        assert_eq!(name_tex("L_cat"), "L_{\\mathrm{cat}}");
        assert_eq!(name_tex("s_y"), "s_{y}");
        assert_eq!(name_tex("W_1"), "W_{1}");
        assert_eq!(name_tex("f_a'"), "f_{a}'");
        assert_eq!(function_tex("f_a"), "f_{a}");
        assert_eq!(function_tex("softmax"), "\\operatorname{softmax}");
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
