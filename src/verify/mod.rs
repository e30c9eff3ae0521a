//! Stage 2, verify: runs every ```` ```verify ```` block of every page, so a wrong number in a
//! worked answer fails the build at its line.
//!
//! The language ([`lexer`] → [`parser`] → [`eval`], every operation's value and gradient in
//! [`ops`], backpropagation in [`autodiff`], what a link claims in [`check`]) is documented in
//! `docs/verify.md`. Each page has one environment: names defined in a block are visible in the
//! later blocks of the same page and in the page's inline `{eval}` values; names defined inside
//! an exercise are visible only within that exercise.

pub mod ast;
pub mod autodiff;
pub mod check;
pub mod circuit;
pub mod error;
pub mod eval;
pub mod lexer;
pub mod ops;
pub mod parser;
pub mod typeset;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::linalg::Value;
use crate::model::{Block, ContainerKind, Course, Page};
use crate::source::SourceFile;
use error::VerifyError;
pub use eval::{Env, ScopeId};

/// Stack that must be left before a recursive walk of an expression goes one level deeper;
/// below it, [`stacker`] continues on a new segment of [`STACK_SEGMENT`] bytes. Depths are
/// limited anyway, but frames of a debug build are large and threads' stacks small.
pub const STACK_RED_ZONE: usize = 128 * 1024;

/// Size of each stack segment a deep walk grows onto.
pub const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// What verifying one page produced for the render stage.
#[derive(Debug, Default)]
pub struct PageVerification {
    /// The names the page's blocks defined, for inline `{eval}` values.
    pub env: Env,
    /// LaTeX lines of each shown block, keyed by the block's start offset.
    pub shown: BTreeMap<usize, Vec<String>>,
    /// The same lines broken at their relations ([`typeset::aligned`]), where they can be.
    pub aligned: BTreeMap<usize, Vec<Option<String>>>,
    /// Number of checked links.
    pub checks: usize,
    /// Circuit figures (HTML) of each block, keyed by the block's start offset.
    pub circuits: BTreeMap<usize, Vec<String>>,
    /// The same figures laid out, for the flashcard PDF to draw (it never evaluates again).
    pub figures: BTreeMap<usize, Vec<Arc<circuit::Figure>>>,
    /// Each exercise's byte range in the file and its scope, in page order.
    pub scopes: Vec<(Range<usize>, ScopeId)>,
}

impl PageVerification {
    /// Evaluates an inline `{eval}` expression: `code` is the code span's text, `span` where
    /// it is written in the page's file.
    pub fn eval_inline(
        &self,
        file: &Arc<SourceFile>,
        code: &str,
        span: Range<usize>,
    ) -> Result<Value, Diagnostic> {
        if code.trim().is_empty() {
            return Err(Diagnostic::at(
                file,
                span,
                "`{eval}` needs an expression between the backticks",
            ));
        }
        // The code text, not the source between the backticks: a code span may continue on a
        // quoted line or hold escapes, so the two can differ; positions stay close enough.
        let src = code;
        let scope = self.scope_at(span.start);
        lexer::lex(src, span.start)
            .and_then(|tokens| parser::parse_expr(&tokens))
            .and_then(|e| self.env.eval_in_scope(&e, scope))
            .map_err(|e| to_diagnostic(file, e))
    }

    /// Checks an inline `{verify}` statement (`df/dq = 2`) with the names visible where it is
    /// written; returns its LaTeX, typeset like a shown block's line.
    pub fn check_inline(
        &self,
        file: &Arc<SourceFile>,
        code: &str,
        span: Range<usize>,
    ) -> Result<String, Diagnostic> {
        let scope = self.scope_at(span.start);
        let stmt = lexer::lex(code, span.start)
            .and_then(|tokens| parser::parse(&tokens))
            .map_err(|e| to_diagnostic(file, e))?;
        let [stmt] = stmt.as_slice() else {
            return Err(Diagnostic::at(
                file,
                span,
                "`{verify}` takes one check, such as `df/dq = 2`",
            ));
        };
        self.env
            .check(stmt, scope)
            .map_err(|e| to_diagnostic(file, e))?;
        Ok(typeset::statement(stmt))
    }

    /// The scope of the innermost exercise holding byte `at`, or the page's.
    fn scope_at(&self, at: usize) -> ScopeId {
        self.scopes
            .iter()
            .rev()
            .find(|(range, _)| range.contains(&at))
            .map_or(eval::PAGE, |(_, scope)| *scope)
    }
}

/// Verification results for every page, in [`Course::pages`] order.
pub fn verify_course(course: &Course) -> Result<Vec<PageVerification>, Vec<Diagnostic>> {
    let pages: Vec<&Page> = course.pages().collect();
    let results: Vec<Result<PageVerification, Vec<Diagnostic>>> =
        pages.par_iter().map(|p| verify_page(p)).collect();
    all_or_errors(results)
}

/// Runs one page's blocks in order. Every failing statement is reported; a statement after a
/// failure still runs when it does not depend on the failed one.
pub fn verify_page(page: &Page) -> Result<PageVerification, Vec<Diagnostic>> {
    let mut result = PageVerification::default();
    let mut errors = Vec::new();
    let mut failed: HashSet<String> = HashSet::new();
    let mut blocks = Vec::new();
    collect_blocks(&page.body, eval::PAGE, &mut result, &mut blocks);
    for (code, show, scope) in blocks {
        result.env.set_scope(scope);
        let src = &page.file.text[code.clone()];
        let stmts = match lexer::lex(src, code.start).and_then(|t| parser::parse(&t)) {
            Ok(stmts) => stmts,
            Err(e) => {
                errors.push(to_diagnostic(&page.file, e));
                continue;
            }
        };
        if show {
            // Circuit lines are drawn as figures, not typeset as equations.
            let lines: Vec<&ast::Stmt> = stmts.iter().filter(|s| s.circuit.is_none()).collect();
            result.shown.insert(
                code.start,
                lines.iter().map(|s| typeset::statement(s)).collect(),
            );
            result.aligned.insert(
                code.start,
                lines.iter().map(|s| typeset::aligned(s)).collect(),
            );
        }
        for stmt in &stmts {
            // A statement that uses a name whose definition failed would only report that
            // the name is undefined: the author has already been told the real cause.
            if uses_any(stmt, &failed) {
                continue;
            }
            if let Some(options) = &stmt.circuit {
                match result.env.circuit(stmt) {
                    Ok(trace) => {
                        let call = &page.file.text[stmt.first.span.clone()];
                        let id = format!("circuit-{}", stmt.span.start);
                        let figure = circuit::Figure::new(&trace, call, options.decimals);
                        result
                            .circuits
                            .entry(code.start)
                            .or_default()
                            .push(figure.html(&id));
                        result
                            .figures
                            .entry(code.start)
                            .or_default()
                            .push(Arc::new(figure));
                    }
                    Err(e) => errors.push(to_diagnostic(&page.file, e)),
                }
                continue;
            }
            match result.env.run(stmt) {
                Ok(n) => result.checks += n,
                Err(e) => {
                    if let Some((ast::Binding::Value(name) | ast::Binding::Function(name, _), _)) =
                        &stmt.binding
                    {
                        failed.insert(name.clone());
                    }
                    errors.push(to_diagnostic(&page.file, e));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(result)
    } else {
        Err(errors)
    }
}

/// True if the statement reads any of `names` (as a value or a function).
fn uses_any(stmt: &ast::Stmt, names: &HashSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    let mut found = false;
    let mut stack: Vec<&ast::Expr> = std::iter::once(&stmt.first)
        .chain(stmt.links.iter().map(|(_, e)| e))
        .collect();
    while let Some(e) = stack.pop() {
        if let ast::ExprKind::Name(n) = &e.kind {
            found |= names.contains(n);
        }
        if let Some(f) = e.function_name() {
            found |= names.contains(f);
        }
        stack.extend(e.children());
    }
    found
}

/// The verify blocks in page order, each with the scope it runs in: an exercise opens a
/// scope of its own for the blocks inside it.
fn collect_blocks(
    blocks: &[Block],
    scope: ScopeId,
    result: &mut PageVerification,
    out: &mut Vec<(Range<usize>, bool, ScopeId)>,
) {
    for b in blocks {
        match b {
            Block::Verify(v) => out.push((v.code.clone(), v.show, scope)),
            Block::Container(c) if c.kind == ContainerKind::Exercise => {
                let inner = result.env.new_scope();
                let end = blocks_end(&c.children, c.open.end);
                result.scopes.push((c.open.start..end, inner));
                collect_blocks(&c.children, inner, result, out);
            }
            Block::Container(c) => collect_blocks(&c.children, scope, result, out),
            Block::Markdown(_) => {}
        }
    }
}

/// The end of the last of `blocks` (or `fallback` when there are none).
fn blocks_end(blocks: &[Block], fallback: usize) -> usize {
    match blocks.last() {
        Some(Block::Markdown(r)) => r.end,
        Some(Block::Verify(v)) => v.code.end,
        Some(Block::Container(c)) => blocks_end(&c.children, c.open.end),
        None => fallback,
    }
}

fn to_diagnostic(file: &Arc<SourceFile>, e: VerifyError) -> Diagnostic {
    let d = Diagnostic::at(file, e.span, e.message);
    match e.hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}
#[cfg(test)]
mod tensor_tests;
#[cfg(test)]
mod tests;
