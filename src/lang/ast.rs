//! The syntax tree of a verification block. Every node keeps its byte range in the page's file.

use std::fmt;
use std::ops::Range;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` or `×`: scalar or elementwise product.
    Mul,
    /// `·` or `@`: matrix/dot product (scaling when a side is a scalar).
    Dot,
    /// `/`
    Div,
    /// `^`: a power of a scalar, or the matrix power of a square matrix.
    Pow,
    /// `.^`: elementwise power.
    PowElem,
}

impl BinOp {
    /// The precedence level of a left-associative operator, which a [`ExprKind::Series`]
    /// chains: 1 for `+ -`, 2 for `* · /`; `None` for the right-associative powers.
    pub fn series_level(self) -> Option<u8> {
        match self {
            BinOp::Add | BinOp::Sub => Some(1),
            BinOp::Mul | BinOp::Dot | BinOp::Div => Some(2),
            BinOp::Pow | BinOp::PowElem => None,
        }
    }

    /// The operator as the S-expression and error messages print it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Dot => "·",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::PowElem => ".^",
        }
    }
}

/// An expression and its place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Byte range in the page's file.
    pub span: Range<usize>,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A decimal literal, as written (its decimals give the precision of `≈`).
    Num(String),
    /// A name.
    Name(String),
    /// `-x`
    Neg(Box<Expr>),
    /// `a ^ b` or `a .^ b`: a right-associative power.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a + b - c` or `a · b / c`: left-associative operators of one precedence level, applied
    /// left to right (`((a + b) - c)`). Kept flat, so that a sum of 5,000 terms is one node
    /// that every walk loops over, not a tree 5,000 deep that every walk recurses into; the
    /// nesting limit counts real nesting only (issue #26).
    Series(Box<Expr>, Vec<(BinOp, Expr)>),
    /// `xᵀ`
    Transpose(Box<Expr>),
    /// `(x)`: kept so a shown block typesets the author's parentheses.
    Group(Box<Expr>),
    /// `[a, b]` (a vector) or `[[a, b], [c, d]]` (a matrix, row by row).
    List(Vec<Expr>),
    /// `name(args)`: a built-in or a function the block defined.
    Call(String, Vec<Expr>),
    /// `∂f/∂x(args)`: one partial derivative by backpropagation.
    Partial {
        /// The function.
        func: String,
        /// The parameter.
        var: String,
        /// The point.
        args: Vec<Expr>,
    },
    /// `∇f(args)`: the whole gradient by backpropagation.
    Grad(String, Vec<Expr>),
    /// `numgrad f(args)` (the whole gradient) or `numgrad ∂f/∂x(args)` (one parameter's), by
    /// centred finite differences.
    NumGrad {
        /// The function.
        func: String,
        /// The parameter, for `numgrad ∂f/∂x(…)`.
        var: Option<String>,
        /// The point.
        args: Vec<Expr>,
    },
    /// `v[i]`, `W[i, j]`, `W[i]`: 0-based indexing.
    Index(Box<Expr>, Vec<Expr>),
    /// `{x₀ + 0.01}`: the expression's value, shown as the number it is (so a worked step can
    /// write out the numbers of the exercise it is in, whichever variant that is).
    Interp(Box<Expr>),
}

impl Expr {
    /// The direct children, in order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Num(_) | ExprKind::Name(_) => vec![],
            ExprKind::Neg(x)
            | ExprKind::Transpose(x)
            | ExprKind::Group(x)
            | ExprKind::Interp(x) => {
                vec![x]
            }
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::Series(first, rest) => std::iter::once(&**first)
                .chain(rest.iter().map(|(_, e)| e))
                .collect(),
            ExprKind::List(xs) | ExprKind::Call(_, xs) | ExprKind::Grad(_, xs) => {
                xs.iter().collect()
            }
            ExprKind::Partial { args, .. } | ExprKind::NumGrad { args, .. } => {
                args.iter().collect()
            }
            ExprKind::Index(x, idx) => std::iter::once(&**x).chain(idx).collect(),
        }
    }

    /// The function an expression names, if it calls or differentiates one.
    pub fn function_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Call(f, _)
            | ExprKind::Grad(f, _)
            | ExprKind::Partial { func: f, .. }
            | ExprKind::NumGrad { func: f, .. } => Some(f),
            _ => None,
        }
    }

    /// True for a literal the author wrote out: a number, or a vector or matrix of numbers
    /// (signs and parentheses allowed). A literal is what a worked answer *states*.
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            ExprKind::Num(_) => true,
            ExprKind::Neg(x) | ExprKind::Group(x) => x.is_literal(),
            ExprKind::List(items) => items.iter().all(Expr::is_literal),
            _ => false,
        }
    }

    /// The expression without the parentheses around it.
    pub fn ungrouped(&self) -> &Expr {
        match &self.kind {
            ExprKind::Group(x) => x.ungrouped(),
            _ => self,
        }
    }
}

impl Expr {
    /// The expression in the language's own notation, as an author would write it (spacing
    /// normalised, `a + b`, `W · x`, `f(x, 2)`), for messages that name a sub-expression.
    pub fn written(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        let list = |out: &mut String, items: &[Expr]| {
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                x.write_to(out);
            }
        };
        match &self.kind {
            ExprKind::Num(n) | ExprKind::Name(n) => out.push_str(n),
            ExprKind::Neg(x) => {
                out.push('-');
                x.write_to(out);
            }
            ExprKind::Binary(op, a, b) => {
                a.write_to(out);
                out.push_str(op.symbol());
                b.write_to(out);
            }
            ExprKind::Series(first, rest) => {
                first.write_to(out);
                for (op, x) in rest {
                    out.push(' ');
                    out.push_str(op.symbol());
                    out.push(' ');
                    x.write_to(out);
                }
            }
            ExprKind::Transpose(x) => {
                x.write_to(out);
                out.push('ᵀ');
            }
            ExprKind::Group(x) => {
                out.push('(');
                x.write_to(out);
                out.push(')');
            }
            ExprKind::Interp(x) => {
                out.push('{');
                x.write_to(out);
                out.push('}');
            }
            ExprKind::List(items) => {
                out.push('[');
                list(out, items);
                out.push(']');
            }
            ExprKind::Call(f, args) => {
                out.push_str(f);
                out.push('(');
                list(out, args);
                out.push(')');
            }
            ExprKind::Partial { func, var, args } => {
                out.push_str(&format!("∂{func}/∂{var}("));
                list(out, args);
                out.push(')');
            }
            ExprKind::Grad(func, args) => {
                out.push_str(&format!("∇{func}("));
                list(out, args);
                out.push(')');
            }
            ExprKind::NumGrad { func, var, args } => {
                match var {
                    Some(v) => out.push_str(&format!("numgrad ∂{func}/∂{v}(")),
                    None => out.push_str(&format!("numgrad {func}(")),
                }
                list(out, args);
                out.push(')');
            }
            ExprKind::Index(x, idx) => {
                x.write_to(out);
                out.push('[');
                list(out, idx);
                out.push(']');
            }
        }
    }
}

/// How two adjacent links of a chain must compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// `=`: exactly equal; an approximate side is an error (write `≈`).
    Eq,
    /// `≈`: equal when rounded to the precision the author wrote.
    Approx,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `≤` or `<=`
    Le,
    /// `≥` or `>=`
    Ge,
    /// `≠` or `!=`: the values differ (in some entry).
    Ne,
}

impl Rel {
    /// The relation as written in S-expressions and messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Rel::Eq => "=",
            Rel::Approx => "≈",
            Rel::Lt => "<",
            Rel::Gt => ">",
            Rel::Le => "≤",
            Rel::Ge => "≥",
            Rel::Ne => "≠",
        }
    }

    /// True for the order relations (`<`, `>`, `≤`, `≥`).
    pub fn is_order(self) -> bool {
        matches!(self, Rel::Lt | Rel::Gt | Rel::Le | Rel::Ge)
    }
}

/// What a statement binds before its chain is checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// `let name = …`
    Value(String),
    /// `let f(x, y) = …`
    Function(String, Vec<String>),
}

/// One line of a block: an optional `let` binding and a chain of expressions, each link of
/// which is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What `let` binds, if this is a `let`.
    pub binding: Option<(Binding, Range<usize>)>,
    /// The first expression.
    pub first: Expr,
    /// Each further `= expr` or `≈ expr`.
    pub links: Vec<(Rel, Expr)>,
    /// The whole statement.
    pub span: Range<usize>,
    /// `circuit f(…)`: draw the circuit of `first` (a call) instead of checking a chain.
    pub circuit: Option<CircuitOptions>,
    /// `vary …`, `where …` or `variants N`: a line about an exercise's variants.
    pub directive: Option<Directive>,
}

/// A line about an exercise's variants (see `docs/authoring.md#variants`).
#[derive(Debug, Clone, PartialEq)]
pub enum Directive {
    /// `vary x₀ from -5 to 5 [step 0.5]` or `vary x₀ in {1, 2, 5}`: where a given value's
    /// numbers are drawn from.
    Vary {
        /// The name, defined by a `let` of a literal in the same block.
        name: String,
        /// Where the name is written in the `vary` line.
        name_span: Range<usize>,
        /// What each number is drawn from.
        domain: Box<Domain>,
    },
    /// `where det(W1) ≠ 0`: a condition every variant's numbers must meet (checked as a chain
    /// in every variant, including the first).
    Where,
    /// `variants 5`: how many variants the exercise has, the author's numbers being the first.
    Variants(usize),
}

/// Where a varied number is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// `from lo to hi [step s]`: every `lo + k·s` up to `hi` (`s` is 1 when not written).
    Range {
        /// The smallest value.
        from: Box<Expr>,
        /// The largest value.
        to: Box<Expr>,
        /// The distance between values.
        step: Option<Box<Expr>>,
    },
    /// `in {a, b, c}`: one of the values listed.
    Choices(Vec<Expr>),
}

/// What a `circuit` line asks for besides the call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CircuitOptions {
    /// Decimals for approximate values (`decimals 2`); exact values print exactly.
    pub decimals: Option<u32>,
    /// Functions drawn as one gate each instead of their inside (`merge σ, g`).
    pub merge: Vec<String>,
}

fn list(f: &mut fmt::Formatter<'_>, head: &str, items: &[Expr]) -> fmt::Result {
    write!(f, "({head}")?;
    for e in items {
        write!(f, " {e}")?;
    }
    write!(f, ")")
}

impl fmt::Display for Expr {
    /// S-expressions, so parser tests read `(· W2 W1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Num(n) => write!(f, "{n}"),
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::Neg(e) => write!(f, "(- {e})"),
            ExprKind::Binary(op, a, b) => write!(f, "({} {a} {b})", op.symbol()),
            // As the nested binary operations it stands for: `(- (+ a b) c)`.
            ExprKind::Series(first, rest) => {
                for (op, _) in rest.iter().rev() {
                    write!(f, "({} ", op.symbol())?;
                }
                write!(f, "{first}")?;
                for (_, e) in rest {
                    write!(f, " {e})")?;
                }
                Ok(())
            }
            ExprKind::Transpose(e) => write!(f, "(ᵀ {e})"),
            ExprKind::Group(e) => write!(f, "{e}"),
            ExprKind::List(items) => list(f, "list", items),
            ExprKind::Call(name, args) => list(f, name, args),
            ExprKind::Partial { func, var, args } => list(f, &format!("∂{func}/∂{var}"), args),
            ExprKind::Grad(func, args) => list(f, &format!("∇{func}"), args),
            ExprKind::NumGrad { func, var, args } => match var {
                Some(v) => list(f, &format!("numgrad ∂{func}/∂{v}"), args),
                None => list(f, &format!("numgrad {func}"), args),
            },
            ExprKind::Interp(e) => write!(f, "{{{e}}}"),
            ExprKind::Index(x, idx) => {
                write!(f, "(index {x}")?;
                for i in idx {
                    write!(f, " {i}")?;
                }
                write!(f, ")")
            }
        }
    }
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.circuit.is_some() {
            return write!(f, "(circuit {})", self.first);
        }
        match &self.directive {
            Some(Directive::Vary { name, domain, .. }) => {
                return match &**domain {
                    Domain::Range { from, to, step } => {
                        write!(f, "(vary {name} {from} {to}")?;
                        if let Some(s) = step {
                            write!(f, " {s}")?;
                        }
                        write!(f, ")")
                    }
                    Domain::Choices(items) => list(f, &format!("vary {name} in"), items),
                }
            }
            Some(Directive::Variants(n)) => return write!(f, "(variants {n})"),
            Some(Directive::Where) => write!(f, "(where ")?,
            None => {}
        }
        match &self.binding {
            Some((Binding::Value(name), _)) => write!(f, "(let {name} ")?,
            Some((Binding::Function(name, params), _)) => {
                write!(f, "(let ({name} {}) ", params.join(" "))?
            }
            None if self.directive.is_some() => {}
            None => write!(f, "(check ")?,
        }
        write!(f, "{}", self.first)?;
        for (rel, e) in &self.links {
            write!(f, " {} {e}", rel.symbol())?;
        }
        write!(f, ")")
    }
}
