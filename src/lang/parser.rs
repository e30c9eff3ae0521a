//! A Pratt parser from tokens to statements (matklad's `expr_bp` with a binding-power table).
//!
//! Precedence, loosest first: `+ -`, then `* · @ × /`, then unary minus, then `^` (right
//! associative), then postfix `ᵀ`. Nesting is limited to [`MAX_DEPTH`] so no input can overflow
//! the stack.

use std::ops::Range;

use super::ast::{BinOp, Binding, Directive, Domain, Expr, ExprKind, Rel, Stmt};
use super::error::{Result, VerifyError};
use super::lexer::{Tok, Token};

/// Deepest nesting of brackets and operators accepted.
pub const MAX_DEPTH: usize = 200;

/// Most variants an exercise may ask for (`variants N`).
pub const MAX_VARIANTS: usize = 50;

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    /// Nesting of the recursive calls in progress.
    depth: usize,
    /// Height of the tree the last `expr` or `prefix` call built. The Pratt loop builds
    /// `xᵀᵀᵀ…` without recursing, but that tree is as deep as the chain is long, and every
    /// later walk of it recurses: so height is limited too. A sum `1 + 1 + … + 1` is one
    /// [`ExprKind::Series`] node, as high as its tallest term plus one.
    height: usize,
    end: usize,
}

/// Parses a block's tokens into statements.
pub fn parse(tokens: &[Token]) -> Result<Vec<Stmt>> {
    let mut p = Parser::new(tokens);
    let mut stmts = Vec::new();
    while p.peek().is_some() {
        if p.eat(&Tok::Newline) {
            continue;
        }
        stmts.push(p.statement()?);
    }
    Ok(stmts)
}

/// Parses one expression (for inline values in prose).
pub fn parse_expr(tokens: &[Token]) -> Result<Expr> {
    let mut p = Parser::new(tokens);
    let e = p.expr(0)?;
    p.eat(&Tok::Newline);
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(VerifyError::new(
            t.span.clone(),
            "expected the end of the expression",
        )),
    }
}

impl<'t> Parser<'t> {
    fn new(tokens: &'t [Token]) -> Self {
        let end = tokens.last().map_or(0, |t| t.span.end);
        Parser {
            tokens,
            pos: 0,
            depth: 0,
            height: 0,
            end,
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.pos);
        self.pos += 1;
        t
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek_tok() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn here(&self) -> Range<usize> {
        self.peek().map_or(self.end..self.end, |t| t.span.clone())
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Range<usize>> {
        match self.peek() {
            Some(t) if t.tok == tok => {
                let span = t.span.clone();
                self.pos += 1;
                Ok(span)
            }
            _ => Err(VerifyError::new(self.here(), format!("expected {what}"))),
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, Range<usize>)> {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(name),
                span,
            }) => {
                let out = (name.clone(), span.clone());
                self.pos += 1;
                Ok(out)
            }
            _ => Err(VerifyError::new(self.here(), format!("expected {what}"))),
        }
    }

    fn statement(&mut self) -> Result<Stmt> {
        let start = self.here().start;
        if self.eat(&Tok::Circuit) {
            return self.circuit(start);
        }
        if self.eat(&Tok::Vary) {
            return self.vary(start);
        }
        if self.eat(&Tok::Variants) {
            return self.variants(start);
        }
        let condition = self.eat(&Tok::Where);
        if condition && self.peek_tok() == Some(&Tok::Let) {
            return Err(
                VerifyError::new(self.here(), "a `where` condition cannot define a name")
                    .hint("write a condition such as `where det(W1) ≠ 0`"),
            );
        }
        let binding = if self.peek_tok() == Some(&Tok::Let) {
            self.pos += 1;
            let (name, span) = self.ident("a name after `let`")?;
            if self.eat(&Tok::LParen) {
                let mut params = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        params.push(self.ident("a parameter name")?.0);
                        if self.eat(&Tok::RParen) {
                            break;
                        }
                        self.expect(Tok::Comma, "`,` or `)` in the parameter list")?;
                    }
                }
                Some((
                    Binding::Function(name, params),
                    span.start..self.here().start,
                ))
            } else {
                Some((Binding::Value(name), span))
            }
        } else {
            None
        };
        if binding.is_some() {
            self.expect(Tok::Eq, "`=` after the name being defined")?;
        }
        let first = self.expr(0)?;
        let mut links = Vec::new();
        loop {
            let rel = match self.peek_tok() {
                Some(Tok::Eq) => Rel::Eq,
                Some(Tok::Approx) => Rel::Approx,
                Some(Tok::Lt) => Rel::Lt,
                Some(Tok::Gt) => Rel::Gt,
                Some(Tok::Le) => Rel::Le,
                Some(Tok::Ge) => Rel::Ge,
                Some(Tok::Ne) => Rel::Ne,
                _ => break,
            };
            self.pos += 1;
            links.push((rel, self.expr(0)?));
        }
        let end = links.last().map_or(first.span.end, |(_, e)| e.span.end);
        if !self.eat(&Tok::Newline) && self.peek().is_some() {
            return Err(VerifyError::new(
                self.here(),
                "expected an operator, `=` or the end of the line",
            ));
        }
        if condition && links.is_empty() {
            return Err(VerifyError::new(
                first.span.clone(),
                "a `where` condition needs a relation",
            )
            .hint("write e.g. `where det(W1) ≠ 0` or `where min(W1 · x) < 0`"));
        }
        if binding.is_none() && links.is_empty() {
            return Err(
                VerifyError::new(first.span.clone(), "this line checks nothing").hint(
                    "write `expr = value` to check a value, or `let name = expr` to define a name",
                ),
            );
        }
        if let Some((Binding::Function(..), _)) = &binding {
            if let Some((_, e)) = links.first() {
                return Err(VerifyError::new(
                    e.span.clone(),
                    "a function definition cannot be checked",
                )
                .hint("check a call instead, e.g. `f(1, 2) = 3` on a line of its own"));
            }
        }
        Ok(Stmt {
            binding,
            first,
            links,
            span: start..end,
            circuit: None,
            directive: condition.then_some(Directive::Where),
        })
    }

    /// The end of a directive's line, or an error saying what the line may hold.
    fn end_of_line(&mut self, what: &str) -> Result<()> {
        if !self.eat(&Tok::Newline) && self.peek().is_some() {
            return Err(VerifyError::new(
                self.here(),
                format!("expected the end of the line after {what}"),
            ));
        }
        Ok(())
    }

    /// `vary x₀ from -5 to 5 [step 0.5]` or `vary x₀ in {1, 2, 5}`.
    fn vary(&mut self, start: usize) -> Result<Stmt> {
        let usage = "write `vary x₀ from -5 to 5`, `vary h from 0.1 to 0.9 step 0.1` or `vary x₀ in {1, 2, 5}`";
        let (name, name_span) = self.ident("the name of a given value after `vary`")?;
        let keyword = match self.peek_tok() {
            Some(Tok::Ident(w)) if w == "from" || w == "in" => w.clone(),
            _ => {
                return Err(
                    VerifyError::new(self.here(), "expected `from` or `in` after the name")
                        .hint(usage),
                )
            }
        };
        self.pos += 1;
        let domain = if keyword == "in" {
            if !self.eat(&Tok::LBrace) {
                return Err(VerifyError::new(
                    self.here(),
                    "expected `{` and the values to choose from",
                )
                .hint(usage));
            }
            let items = self.comma_list(Tok::RBrace, "`,` or `}`")?;
            if items.is_empty() {
                return Err(VerifyError::new(
                    start..self.prev_end(),
                    "`vary … in {}` needs at least one value",
                )
                .hint(usage));
            }
            Domain::Choices(items)
        } else {
            let from = self.expr(0)?;
            if !matches!(self.peek_tok(), Some(Tok::Ident(w)) if w == "to") {
                return Err(
                    VerifyError::new(self.here(), "expected `to` and the largest value")
                        .hint(usage),
                );
            }
            self.pos += 1;
            let to = self.expr(0)?;
            let step = if matches!(self.peek_tok(), Some(Tok::Ident(w)) if w == "step") {
                self.pos += 1;
                Some(Box::new(self.expr(0)?))
            } else {
                None
            };
            Domain::Range {
                from: Box::new(from),
                to: Box::new(to),
                step,
            }
        };
        let end = self.prev_end();
        self.end_of_line("a `vary` line")?;
        Ok(Stmt {
            binding: None,
            first: Expr {
                kind: ExprKind::Name(name.clone()),
                span: name_span.clone(),
            },
            links: vec![],
            span: start..end,
            circuit: None,
            directive: Some(Directive::Vary {
                name,
                name_span,
                domain: Box::new(domain),
            }),
        })
    }

    /// `variants 5`.
    fn variants(&mut self, start: usize) -> Result<Stmt> {
        let count = match self.next().cloned() {
            Some(Token {
                tok: Tok::Num(n),
                span,
            }) => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_VARIANTS).contains(n))
                .map(|n| (n, span)),
            _ => None,
        };
        let Some((count, span)) = count else {
            return Err(VerifyError::new(
                start..self.prev_end(),
                format!("`variants` takes a whole number from 1 to {MAX_VARIANTS}"),
            )
            .hint("write e.g. `variants 5`"));
        };
        self.end_of_line("`variants N`")?;
        Ok(Stmt {
            binding: None,
            first: Expr {
                kind: ExprKind::Num(count.to_string()),
                span: span.clone(),
            },
            links: vec![],
            span: start..span.end,
            circuit: None,
            directive: Some(Directive::Variants(count)),
        })
    }

    /// `circuit f(-2, 5, -4)` or `circuit f(-2, 5, -4) decimals 2`.
    fn circuit(&mut self, start: usize) -> Result<Stmt> {
        let call = self.expr(0)?;
        if !matches!(call.kind, ExprKind::Call(..)) {
            return Err(VerifyError::new(
                call.span.clone(),
                "`circuit` draws a call of a function defined with `let`",
            )
            .hint("write `circuit f(-2, 5, -4)`"));
        }
        let mut options = super::ast::CircuitOptions::default();
        let mut end = call.span.end;
        if let Some(Tok::Ident(word)) = self.peek_tok() {
            if word == "decimals" {
                self.pos += 1;
                let places = match self.next().cloned() {
                    Some(Token {
                        tok: Tok::Num(n),
                        span,
                    }) => {
                        end = span.end;
                        n.parse::<u32>().ok().filter(|d| *d <= 12)
                    }
                    _ => None,
                };
                options.decimals = Some(places.ok_or_else(|| {
                    VerifyError::new(self.here(), "expected a number of decimals from 0 to 12")
                })?);
            }
        }
        if matches!(self.peek_tok(), Some(Tok::Ident(w)) if w == "merge") {
            self.pos += 1;
            loop {
                let (name, span) = self.ident("a function name after `merge`, as in `merge σ`")?;
                end = span.end;
                options.merge.push(name);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        if !self.eat(&Tok::Newline) && self.peek().is_some() {
            return Err(VerifyError::new(
                self.here(),
                "expected the end of the line after the circuit's call (or `decimals N`, `merge f`)",
            ));
        }
        Ok(Stmt {
            binding: None,
            first: call,
            links: vec![],
            span: start..end,
            circuit: Some(options),
            directive: None,
        })
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(nested_too_deep(self.here()));
        }
        Ok(())
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr> {
        // Depth is limited, but a debug build's frames are large: grow the stack on the heap
        // rather than trust that the thread's is big enough.
        stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.expr_unguarded(min_bp)
        })
    }

    fn expr_unguarded(&mut self, min_bp: u8) -> Result<Expr> {
        self.enter()?;
        let mut lhs = self.prefix()?;
        let mut height = self.height;
        loop {
            let (op, lbp, rbp) = match self.peek_tok() {
                Some(Tok::Plus) => (BinOp::Add, 10, 11),
                Some(Tok::Minus) => (BinOp::Sub, 10, 11),
                Some(Tok::Star) => (BinOp::Mul, 20, 21),
                Some(Tok::Dot) => (BinOp::Dot, 20, 21),
                Some(Tok::Slash) => (BinOp::Div, 20, 21),
                Some(Tok::Caret) => (BinOp::Pow, 41, 40),
                Some(Tok::CaretElem) => (BinOp::PowElem, 41, 40),
                Some(Tok::Transpose) => {
                    let span = self.next().map(|t| t.span.clone()).unwrap_or_default();
                    height = self.grow(height, 0, &span)?;
                    lhs = Expr {
                        span: lhs.span.start..span.end,
                        kind: ExprKind::Transpose(Box::new(lhs)),
                    };
                    continue;
                }
                // `p[0]`: a bracket right after an expression, with no space, indexes it
                // (with a space it would be a list, and `[[1, 2] [3, 4]]` a missing comma).
                Some(Tok::LBracket) if self.here().start == lhs.span.end => {
                    let open = self.here();
                    self.pos += 1;
                    let index = self.comma_list(Tok::RBracket, "`,` or `]` in the index")?;
                    height = self.grow(height, self.height, &open)?;
                    lhs = Expr {
                        span: lhs.span.start..self.prev_end(),
                        kind: ExprKind::Index(Box::new(lhs), index),
                    };
                    continue;
                }
                _ => break,
            };
            if lbp < min_bp {
                break;
            }
            let at = self.here();
            self.pos += 1;
            let rhs = self.expr(rbp)?;
            let span = lhs.span.start..rhs.span.end;
            let level = op.series_level();
            match (&mut lhs.kind, level) {
                // One more term of a run at this level: the run grows wider, not deeper.
                (ExprKind::Series(_, rest), Some(level))
                    if rest.first().and_then(|(o, _)| o.series_level()) == Some(level) =>
                {
                    height = height.max(self.grow(self.height, 0, &at)?);
                    rest.push((op, rhs));
                    lhs.span = span;
                }
                (_, Some(_)) => {
                    height = self.grow(height, self.height, &at)?;
                    lhs = Expr {
                        span,
                        kind: ExprKind::Series(Box::new(lhs), vec![(op, rhs)]),
                    };
                }
                (_, None) => {
                    height = self.grow(height, self.height, &at)?;
                    lhs = Expr {
                        span,
                        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    };
                }
            }
        }
        self.depth -= 1;
        self.height = height;
        Ok(lhs)
    }

    /// The height of a node over children of heights `a` and `b`, or an error at `at`.
    fn grow(&self, a: usize, b: usize, at: &Range<usize>) -> Result<usize> {
        let height = a.max(b) + 1;
        if height > MAX_DEPTH {
            return Err(nested_too_deep(at.clone()));
        }
        Ok(height)
    }

    fn prefix(&mut self) -> Result<Expr> {
        let Some(token) = self.next().cloned() else {
            return Err(VerifyError::new(
                self.end..self.end,
                "expected an expression",
            ));
        };
        let span = token.span.clone();
        self.height = 1;
        let kind = match token.tok {
            Tok::Num(n) => ExprKind::Num(n),
            Tok::Minus => {
                // Unary minus binds tighter than `·` but looser than `^`: -x^2 is -(x^2).
                let e = self.expr(30)?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..e.span.end,
                    kind: ExprKind::Neg(Box::new(e)),
                });
            }
            Tok::LParen => {
                let e = self.expr(0)?;
                let close = self.expect(Tok::RParen, "`)`")?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..close.end,
                    kind: ExprKind::Group(Box::new(e)),
                });
            }
            Tok::LBrace => {
                let e = self.expr(0)?;
                let close = self.expect(Tok::RBrace, "`}` after the value to write out")?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..close.end,
                    kind: ExprKind::Interp(Box::new(e)),
                });
            }
            Tok::LBracket => {
                let items = self.comma_list(Tok::RBracket, "`,` or `]`")?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..self.prev_end(),
                    kind: ExprKind::List(items),
                });
            }
            Tok::Ident(name) => {
                if self.eat(&Tok::LParen) {
                    let args = self.comma_list(Tok::RParen, "`,` or `)`")?;
                    self.height = self.grow(self.height, 0, &span)?;
                    return Ok(Expr {
                        span: span.start..self.prev_end(),
                        kind: ExprKind::Call(name, args),
                    });
                }
                ExprKind::Name(name)
            }
            Tok::Partial => {
                let (func, var) = self.partial()?;
                let args = self.point("∂")?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..self.prev_end(),
                    kind: ExprKind::Partial { func, var, args },
                });
            }
            Tok::NumGrad if self.eat(&Tok::Partial) => {
                let (func, var) = self.partial()?;
                let args = self.point("numgrad ∂")?;
                self.height = self.grow(self.height, 0, &span)?;
                return Ok(Expr {
                    span: span.start..self.prev_end(),
                    kind: ExprKind::NumGrad {
                        func,
                        var: Some(var),
                        args,
                    },
                });
            }
            Tok::Nabla | Tok::NumGrad => {
                let (func, _) = self.ident("a function name, as in `∇f(1, 2)`")?;
                let args = self.point(if token.tok == Tok::Nabla {
                    "∇"
                } else {
                    "numgrad"
                })?;
                self.height = self.grow(self.height, 0, &span)?;
                let kind = if token.tok == Tok::Nabla {
                    ExprKind::Grad(func, args)
                } else {
                    ExprKind::NumGrad {
                        func,
                        var: None,
                        args,
                    }
                };
                return Ok(Expr {
                    span: span.start..self.prev_end(),
                    kind,
                });
            }
            other => {
                return Err(VerifyError::new(
                    span,
                    format!("expected an expression, found {}", describe(&other)),
                ));
            }
        };
        Ok(Expr { span, kind })
    }

    /// `f/∂x` after a `∂`: the function and the parameter.
    fn partial(&mut self) -> Result<(String, String)> {
        let (func, _) = self.ident("a function name after `∂`, as in `∂f/∂x(1, 2)`")?;
        self.expect(Tok::Slash, "`/∂` and a parameter, as in `∂f/∂x(1, 2)`")?;
        self.expect(Tok::Partial, "`∂` and a parameter, as in `∂f/∂x(1, 2)`")?;
        let (var, _) = self.ident("a parameter name, as in `∂f/∂x(1, 2)`")?;
        Ok((func, var))
    }

    fn point(&mut self, what: &str) -> Result<Vec<Expr>> {
        if !self.eat(&Tok::LParen) {
            return Err(VerifyError::new(
                self.here(),
                format!("`{what}` needs the point: the arguments in parentheses"),
            ));
        }
        self.comma_list(Tok::RParen, "`,` or `)`")
    }

    fn prev_end(&self) -> usize {
        self.tokens
            .get(self.pos.saturating_sub(1))
            .map_or(self.end, |t| t.span.end)
    }

    /// Items up to `close`; `self.height` is left at the tallest item's height.
    fn comma_list(&mut self, close: Tok, what: &str) -> Result<Vec<Expr>> {
        // Each item is an `expr`, which counts the nesting level itself.
        let mut items = Vec::new();
        let mut tallest = 0;
        if !self.eat(&close) {
            loop {
                items.push(self.expr(0)?);
                tallest = tallest.max(self.height);
                if self.eat(&close) {
                    break;
                }
                self.expect(Tok::Comma, what)?;
            }
        }
        self.height = tallest;
        Ok(items)
    }
}

fn nested_too_deep(at: Range<usize>) -> VerifyError {
    VerifyError::new(at, format!("expression nested more than {MAX_DEPTH} deep"))
        .hint("split it into steps with `let`, one name per intermediate value")
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Newline => "the end of the line".into(),
        Tok::Eq => "`=`".into(),
        Tok::Approx => "`≈`".into(),
        Tok::RParen => "`)`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Let => "`let`".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    #[track_caller]
    fn check(src: &str, expected: &str) {
        let stmts = parse(&lex(src, 0).unwrap()).unwrap();
        let printed: Vec<String> = stmts.iter().map(|s| s.to_string()).collect();
        assert_eq!(printed.join("\n"), expected);
    }

    #[track_caller]
    fn check_error(src: &str, message: &str, span: Range<usize>) {
        let err = lex(src, 0).and_then(|t| parse(&t)).unwrap_err();
        assert_eq!((err.message.as_str(), err.span), (message, span));
    }

    #[test]
    fn statements() {
        check("let W' = W2 · W1", "(let W' (· W2 W1))");
        check(
            "W2 · W1 = [[2, 3], [-1, -2]]",
            "(check (· W2 W1) = (list (list 2 3) (list (- 1) (- 2))))",
        );
        check(
            "let f(x, y, z) = (x + y) * z",
            "(let (f x y z) (* (+ x y) z))",
        );
        check("a = b ≈ c", "(check a = b ≈ c)");
    }

    #[test]
    fn precedence() {
        check("x = 1 + 2 · 3", "(check x = (+ 1 (· 2 3)))");
        check("x = -1·2", "(check x = (· (- 1) 2))");
        check("x = -x^2", "(check x = (- (^ x 2)))");
        check("x = 2^3^2", "(check x = (^ 2 (^ 3 2)))");
        check("x = Wᵀ · v", "(check x = (· (ᵀ W) v))");
        check("x = (A · B)^T", "(check x = (ᵀ (· A B)))");
        check("x = a - b - c", "(check x = (- (- a b) c))");
    }

    #[test]
    fn gradients() {
        check("∂f/∂x(3, -1, 2) = 2", "(check (∂f/∂x 3 (- 1) 2) = 2)");
        check("∇f(1, 2) = grad f(1, 2)", "(check (∇f 1 2) = (∇f 1 2))");
        check("numgrad f(1) ≈ 2", "(check (numgrad f 1) ≈ 2)");
        check(
            "ReLU([5, -1]) = [5, 0]",
            "(check (ReLU (list 5 (- 1))) = (list 5 0))",
        );
    }

    #[test]
    fn errors() {
        check_error("x", "this line checks nothing", 0..1);
        check_error("x = (1 + 2", "this `(` is never closed", 4..5);
        check_error("x = (1 + 2]", "this `(` is closed by a `]`", 4..5);
        check_error(
            "x = 1 2",
            "expected an operator, `=` or the end of the line",
            6..7,
        );
        check_error("let = 2", "expected a name after `let`", 4..5);
        check_error(
            "x = ∇f",
            "`∇` needs the point: the arguments in parentheses",
            8..8,
        );
        check_error(
            "let f(x) = x = 2",
            "a function definition cannot be checked",
            15..16,
        );
        check_error("x = [1, 2", "this `[` is never closed", 4..5);
        check_error("x = [1 2]", "expected `,` or `]`", 7..8);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let err = parse(&lex(&src, 0).unwrap()).unwrap_err();
        assert!(err.message.contains("nested more than"), "{}", err.message);
    }
}
