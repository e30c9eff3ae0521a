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
pub mod literals;
pub mod ops;
pub mod parser;
pub mod typeset;
pub mod variants;

use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// Number of checked links per scope (the page's, each exercise's).
    pub scope_checks: BTreeMap<ScopeId, usize>,
    /// Circuit figures (HTML) of each block, keyed by the block's start offset.
    pub circuits: BTreeMap<usize, Vec<String>>,
    /// The same figures laid out, for the flashcard PDF to draw (it never evaluates again).
    pub figures: BTreeMap<usize, Vec<Arc<circuit::Figure>>>,
    /// Each exercise's byte range in the file and its scope, in page order.
    pub scopes: Vec<(Range<usize>, ScopeId)>,
    /// The further variants of each exercise with `vary` lines, keyed by the byte offset of
    /// the exercise's opening line.
    pub variants: BTreeMap<usize, Vec<variants::Variant>>,
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

/// Runs one page's blocks in order, then makes and verifies the variants of its exercises
/// that have `vary` lines. Every failing statement is reported; a statement after a failure
/// still runs when it does not depend on the failed one.
pub fn verify_page(page: &Page) -> Result<PageVerification, Vec<Diagnostic>> {
    verify(page, Run::Page)
}

/// What one run of a page's blocks covers.
#[derive(Clone, Copy)]
enum Run<'a> {
    /// The whole page, and its exercises' variants.
    Page,
    /// One variant of one exercise (the page with that variant's numbers): the page's own
    /// blocks and the exercise's, its figures' ids prefixed so they differ from the author's.
    Variant {
        /// The exercise's scope.
        scope: ScopeId,
        /// Put before circuit figures' ids.
        id_prefix: &'a str,
    },
}

/// Verifies one variant's page (see [`Run::Variant`]).
fn verify_variant(
    page: &Page,
    scope: ScopeId,
    id_prefix: &str,
) -> Result<PageVerification, Vec<Diagnostic>> {
    verify(page, Run::Variant { scope, id_prefix })
}

fn verify(page: &Page, run: Run<'_>) -> Result<PageVerification, Vec<Diagnostic>> {
    let id_prefix = match run {
        Run::Page => "",
        Run::Variant { id_prefix, .. } => id_prefix,
    };
    let mut result = PageVerification::default();
    let mut errors = Vec::new();
    let mut failed: HashSet<String> = HashSet::new();
    let mut blocks = Vec::new();
    let mut exercises = Vec::new();
    collect_blocks(
        &page.body,
        eval::PAGE,
        &mut result,
        &mut blocks,
        &mut exercises,
    );
    let mut parsed: Vec<(ScopeId, Vec<ast::Stmt>)> = Vec::new();
    let mut failed_scopes: HashSet<ScopeId> = HashSet::new();
    // The names as each exercise starts, for making its variants (a page name defined after
    // the exercise must not clash with the exercise's own names when it runs again).
    let may_vary = matches!(run, Run::Page) && page.file.text.contains("vary ");
    let mut at_start: HashMap<ScopeId, Env> = HashMap::new();
    for (code, show, scope) in blocks {
        if matches!(run, Run::Variant { scope: only, .. } if scope != eval::PAGE && scope != only) {
            continue;
        }
        if may_vary && scope != eval::PAGE && !at_start.contains_key(&scope) {
            at_start.insert(scope, result.env.clone());
        }
        result.env.set_scope(scope);
        let errors_before = errors.len();
        let src = &page.file.text[code.clone()];
        let stmts = match lexer::lex(src, code.start).and_then(|t| parser::parse(&t)) {
            Ok(stmts) => stmts,
            Err(e) => {
                errors.push(to_diagnostic(&page.file, e));
                failed_scopes.insert(scope);
                continue;
            }
        };
        let mut shown = Vec::new();
        let mut aligned = Vec::new();
        for stmt in &stmts {
            if stmt.directive.is_some() && scope == eval::PAGE {
                errors.push(to_diagnostic(
                    &page.file,
                    VerifyError::new(
                        stmt.span.clone(),
                        "`vary`, `where` and `variants` lines belong in an exercise",
                    )
                    .hint("put them in a verify block inside `::: exercise`"),
                ));
                continue;
            }
            // A statement that uses a name whose definition failed would only report that
            // the name is undefined: the author has already been told the real cause.
            if uses_any(stmt, &failed) {
                continue;
            }
            if let Some(options) = &stmt.circuit {
                match result.env.circuit(stmt) {
                    Ok(trace) => {
                        let call = &page.file.text[stmt.first.span.clone()];
                        let id = format!("{id_prefix}circuit-{}", stmt.span.start);
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
            let ran = result.env.run(stmt);
            // Shown lines are typeset with the names defined so far, so `{x₀}` and
            // `expand(W2 · W1)` write out the numbers they stand for. Lines about variants
            // are for the author, not the reader.
            if show && stmt.directive.is_none() {
                let written = match &ran {
                    Ok(_) => literals::resolve(stmt, &result.env, scope),
                    Err(_) => Ok(std::borrow::Cow::Borrowed(stmt)),
                };
                match written {
                    Ok(s) => {
                        shown.push(typeset::statement(&s));
                        aligned.push(typeset::aligned(&s));
                    }
                    Err(e) => errors.push(to_diagnostic(&page.file, e)),
                }
            }
            match ran {
                Ok(n) => {
                    result.checks += n;
                    *result.scope_checks.entry(scope).or_default() += n;
                }
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
        if errors.len() > errors_before {
            failed_scopes.insert(scope);
        }
        if show {
            result.shown.insert(code.start, shown);
            result.aligned.insert(code.start, aligned);
        }
        parsed.push((scope, stmts));
    }
    // Variants are made of exercises whose own blocks, and the page's, all passed.
    if matches!(run, Run::Page) && !failed_scopes.contains(&eval::PAGE) {
        for (ordinal, (open, title, scope)) in exercises.into_iter().enumerate() {
            if failed_scopes.contains(&scope) {
                continue;
            }
            let Some(start) = at_start.get(&scope) else {
                continue;
            };
            let exercise = variants::Exercise {
                open,
                title,
                ordinal,
                names: start,
                scope,
                statements: parsed
                    .iter()
                    .filter(|(s, _)| *s == scope)
                    .flat_map(|(_, stmts)| stmts)
                    .collect(),
            };
            match variants::generate(page, &result, &exercise) {
                Some(Ok(made)) => {
                    result.variants.insert(open, made);
                }
                Some(Err(e)) => errors.extend(e),
                None => {}
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
/// scope of its own for the blocks inside it (and is listed in `exercises` with its opening
/// line's offset and its title).
fn collect_blocks<'p>(
    blocks: &'p [Block],
    scope: ScopeId,
    result: &mut PageVerification,
    out: &mut Vec<(Range<usize>, bool, ScopeId)>,
    exercises: &mut Vec<(usize, &'p str, ScopeId)>,
) {
    for b in blocks {
        match b {
            Block::Verify(v) => out.push((v.code.clone(), v.show, scope)),
            Block::Container(c) if c.kind == ContainerKind::Exercise => {
                let inner = result.env.new_scope();
                let end = blocks_end(&c.children, c.open.end);
                result.scopes.push((c.open.start..end, inner));
                exercises.push((c.open.start, c.title.as_str(), inner));
                collect_blocks(&c.children, inner, result, out, exercises);
            }
            Block::Container(c) => collect_blocks(&c.children, scope, result, out, exercises),
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
#[cfg(test)]
mod variant_tests;
