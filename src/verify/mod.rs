//! Stage 2, verify: runs every ```` ```verify ```` block of every page, so a wrong number in a
//! worked answer fails the build at its line.
//!
//! The language ([`lexer`] → [`parser`] → [`eval`], every operation's value and gradient in
//! [`ops`], backpropagation in [`autodiff`], what a link claims in [`check`]) is documented in
//! `docs/verify.md`. Each page has one environment: names defined in a block are visible in the
//! later blocks of the same page and in the page's inline `{eval}` values; names defined inside
//! an exercise are visible only within that exercise. Results are data keyed by the ids of the
//! page's document nodes ([`PageVerification`]); typesetting them is the renderer's and the
//! print stage's job.

pub mod account;
pub mod autodiff;
pub mod check;
pub mod circuit;
pub mod eval;
pub mod literals;
pub mod ops;
pub mod variants;

pub use crate::lang::{ast, error, lexer, parser};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::doc::roles::{Format, RoleKind};
use crate::doc::{Block, BlockKind, Document, Exercise, Inline, NodeId, Verify};
use crate::linalg::Value;
use crate::model::{Course, Page};
use crate::source::SourceFile;
use error::VerifyError;
pub use eval::{Env, ScopeId};

pub use crate::lang::{STACK_RED_ZONE, STACK_SEGMENT};

/// What verifying one page found, by the ids of the nodes of its document: what each verify
/// block shows and draws, each role's value, each exercise's variants. Data only; the renderer
/// and the print stage typeset it.
#[derive(Debug, Default)]
pub struct PageVerification {
    /// The names the page's blocks defined.
    pub env: Env,
    /// What each verify block shows and draws.
    pub blocks: BTreeMap<NodeId, Checked>,
    /// Each `{eval}` and `{verify}` role's result.
    pub roles: BTreeMap<NodeId, RoleValue>,
    /// Number of checked links.
    pub checks: usize,
    /// Number of checked links per scope (the page's, each exercise's).
    pub scope_checks: BTreeMap<ScopeId, usize>,
    /// Each exercise's scope, by the exercise's node id.
    pub scopes: BTreeMap<NodeId, ScopeId>,
    /// The further variants of each exercise with `vary` lines, by the exercise's node id
    /// (in page order).
    pub variants: BTreeMap<NodeId, Vec<variants::Variant>>,
    /// Numbers in the page's checks that nothing accounts for ([`account`]): errors under
    /// `--strict`, nothing otherwise. Empty in a variant's verification: its numbers are the
    /// author's, written over, and listed with the author's.
    pub unaccounted: Vec<Diagnostic>,
    /// Units of work making the variants took, charged to the build's allowance (a page taken
    /// from the build cache charges it again, so a cached build passes only what a cold one
    /// would).
    pub variant_work: u64,
}

impl PageVerification {
    /// The value of the expression `code` with the names visible in exercise `exercise` (or
    /// on the page, for `None`), as an inline `{eval}` there computes it.
    pub fn eval(&self, code: &str, exercise: Option<NodeId>) -> Result<Value, VerifyError> {
        let scope = exercise
            .and_then(|id| self.scopes.get(&id).copied())
            .unwrap_or(eval::PAGE);
        let expr = lexer::lex(code, 0).and_then(|tokens| parser::parse_expr(&tokens))?;
        self.env.eval_in_scope(&expr, scope)
    }
}

/// What one verify block gives readers.
#[derive(Debug, Default)]
pub struct Checked {
    /// The statements of a shown block, with `{…}` and `expand` written out, as they are
    /// typeset (nothing for a hidden block).
    pub shown: Vec<ast::Stmt>,
    /// Its circuit figures, drawn whether or not the block is shown.
    pub figures: Vec<Drawn>,
}

/// A circuit figure and where its statement is written (which names it on the page).
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The laid-out figure.
    pub figure: Arc<circuit::Figure>,
    /// Byte offset of the `circuit` statement in the page's file.
    pub at: usize,
}

/// The result of an inline role.
#[derive(Debug, Clone)]
pub enum RoleValue {
    /// `{eval}`: the value and how its numbers are printed.
    Value(Value, Format),
    /// `{verify}`: the statement that was checked.
    Statement(Box<ast::Stmt>),
}

/// Verification results for every page, in [`Course::pages`] order.
pub fn verify_course(course: &Course) -> Result<Vec<PageVerification>, Vec<Diagnostic>> {
    let pages: Vec<&Page> = course.pages().collect();
    let build = variants::BuildAllowance::default();
    let results: Vec<Result<PageVerification, Vec<Diagnostic>>> = pages
        .par_iter()
        .map(|p| verify_page_within(p, &build))
        .collect();
    all_or_errors(results)
}

/// Runs one page's blocks in order, evaluates its roles, then makes and verifies the variants
/// of its exercises that have `vary` lines. Every failing statement is reported; a statement
/// after a failure still runs when it does not depend on the failed one.
pub fn verify_page(page: &Page) -> Result<PageVerification, Vec<Diagnostic>> {
    verify_page_within(page, &variants::BuildAllowance::default())
}

/// [`verify_page`] as part of a build, whose variants share `build`'s allowance of work.
pub fn verify_page_within(
    page: &Page,
    build: &variants::BuildAllowance,
) -> Result<PageVerification, Vec<Diagnostic>> {
    verify_page_as(page, build, false)
}

/// [`verify_page_within`]; with `required` (`--strict`), a page that fails reports its
/// unaccounted numbers ([`PageVerification::unaccounted`]) among its errors, so a mistyped
/// number is reported at its place as well as where a check it feeds fails. (A page that
/// passes returns them in its verification, for the caller's policy.)
pub fn verify_page_as(
    page: &Page,
    build: &variants::BuildAllowance,
    required: bool,
) -> Result<PageVerification, Vec<Diagnostic>> {
    let mut walk = Walk::default();
    let mut env = Env::default();
    walk.blocks(&page.doc, &page.doc.blocks, eval::PAGE, &mut env);
    let mut allowance = variants::Allowance::page(build);
    let mut verification = run(
        &page.doc,
        walk,
        env,
        page.meta.variants,
        Some(&mut allowance),
        true,
    )
    .map_err(|(mut errors, unaccounted)| {
        if required {
            errors.extend(unaccounted);
        }
        errors
    })?;
    verification.variant_work = allowance.spent();
    Ok(verification)
}

/// Verifies one exercise of a variant's document: its blocks and roles, run with `names` (the
/// page's names as the exercise starts) in scope `scope`.
fn verify_exercise(
    doc: &Document,
    exercise: &Exercise,
    names: &Env,
    scope: ScopeId,
) -> Result<PageVerification, Vec<Diagnostic>> {
    let mut walk = Walk::default();
    walk.exercise_blocks(doc, exercise, scope);
    let id = doc
        .exercises()
        .into_iter()
        .find(|(_, e)| std::ptr::eq(*e, exercise))
        .map(|(b, _)| b.id);
    // A variant's numbers are the author's, written over: those nothing accounts for are
    // the author's page's, listed (and, with `--strict`, reported) once, from the page.
    let mut result =
        run(doc, walk, names.clone(), None, None, false).map_err(|(errors, _)| errors)?;
    if let Some(id) = id {
        result.scopes.insert(id, scope);
    }
    Ok(result)
}

/// The verify blocks, roles and exercises of a document in reading order, each with the
/// scope it runs in.
#[derive(Default)]
struct Walk<'d> {
    blocks: Vec<(NodeId, &'d Verify, ScopeId)>,
    roles: Vec<(&'d Inline, ScopeId)>,
    exercises: Vec<(NodeId, &'d Exercise, ScopeId)>,
}

impl<'d> Walk<'d> {
    fn blocks(&mut self, doc: &'d Document, blocks: &'d [Block], scope: ScopeId, env: &mut Env) {
        for b in blocks {
            self.block(doc, b, scope, env);
        }
    }

    fn block(&mut self, doc: &'d Document, b: &'d Block, scope: ScopeId, env: &mut Env) {
        match &b.kind {
            BlockKind::Verify(v) => self.blocks.push((b.id, v, scope)),
            BlockKind::Exercise(e) => {
                let inner = env.new_scope();
                self.exercises.push((b.id, e, inner));
                self.inlines(&b.inlines(), inner);
                for c in b.children() {
                    self.block(doc, c, inner, env);
                }
            }
            BlockKind::FootnoteDefinition(label) => {
                if let Some(f) = doc.footnotes.iter().find(|f| &f.label == label) {
                    self.blocks(doc, &f.blocks, scope, env);
                }
            }
            _ => {
                self.inlines(&b.inlines(), scope);
                for c in b.children() {
                    self.block(doc, c, scope, env);
                }
            }
        }
    }

    /// The blocks of one exercise, in the scope it was given.
    fn exercise_blocks(&mut self, doc: &'d Document, exercise: &'d Exercise, scope: ScopeId) {
        // Scopes are only made for exercises nested in this one, which cannot exist.
        let mut env = Env::default();
        self.inlines(&exercise.title.inlines.iter().collect::<Vec<_>>(), scope);
        for b in exercise
            .statement
            .iter()
            .chain(exercise.solution.iter().flat_map(|s| &s.blocks))
        {
            self.block(doc, b, scope, &mut env);
        }
    }

    fn inlines(&mut self, inlines: &[&'d Inline], scope: ScopeId) {
        for inline in crate::doc::all_inlines(inlines.iter().copied()) {
            if let crate::doc::InlineKind::Role(role) = &inline.kind {
                if matches!(role.kind, RoleKind::Eval { .. } | RoleKind::Verify(_)) {
                    self.roles.push((inline, scope));
                }
            }
        }
    }
}

/// Runs what `walk` found with `env`; makes variants when `variants` is asked for, and lists
/// the numbers nothing accounts for ([`PageVerification::unaccounted`]) when `account` is.
fn run(
    doc: &Document,
    walk: Walk<'_>,
    env: Env,
    page_variants: Option<usize>,
    allowance: Option<&mut variants::Allowance<'_>>,
    account: bool,
) -> Result<PageVerification, (Vec<Diagnostic>, Vec<Diagnostic>)> {
    let make_variants = allowance.is_some();
    let file = &doc.file;
    let mut result = PageVerification {
        env,
        ..PageVerification::default()
    };
    let mut errors = Vec::new();
    // Names whose definition failed, by the scope they belong to (a page name is failed in
    // every exercise too).
    let mut failed: HashSet<(ScopeId, String)> = HashSet::new();
    let mut failed_scopes: HashSet<ScopeId> = HashSet::new();
    // The names as each exercise starts, for making its variants (a page name defined after
    // the exercise must not clash with the exercise's own names when it runs again).
    let may_vary = make_variants && file.text.contains("vary ");
    let mut at_start: HashMap<ScopeId, Env> = HashMap::new();
    let mut statements: Vec<(ScopeId, &ast::Stmt)> = Vec::new();
    // Gates the page's circuits have drawn so far.
    let mut gates = 0usize;
    for &(id, _, scope) in &walk.exercises {
        result.scopes.insert(id, scope);
    }
    for &(id, verify, scope) in &walk.blocks {
        if may_vary && scope != eval::PAGE && !at_start.contains_key(&scope) {
            at_start.insert(scope, result.env.snapshot(scope));
        }
        result.env.set_scope(scope);
        let errors_before = errors.len();
        let stmts = match &verify.statements {
            Ok(stmts) => stmts,
            Err(e) => {
                errors.push(to_diagnostic(file, e.clone()));
                failed_scopes.insert(scope);
                continue;
            }
        };
        let mut checked = Checked::default();
        for stmt in stmts {
            if stmt.directive.is_some() && scope == eval::PAGE {
                errors.push(to_diagnostic(
                    file,
                    VerifyError::new(
                        stmt.span.clone(),
                        "`vary`, `where` and `variants` lines belong in an exercise",
                    )
                    .hint("put them in a verify block inside `::: exercise`"),
                ));
                continue;
            }
            // A statement that uses a name whose definition failed would only report that
            // the name is undefined: the author has already been told the real cause. What it
            // defines is poisoned in turn (as rustc does), so no later level of dependents
            // reports either.
            if uses_any(stmt_exprs(stmt), scope, &failed) {
                if let Some((ast::Binding::Value(name) | ast::Binding::Function(name, _), _)) =
                    &stmt.binding
                {
                    failed.insert((scope, name.clone()));
                }
                continue;
            }
            if let Some(options) = &stmt.circuit {
                match result.env.circuit(stmt) {
                    Ok(trace) if gates + trace.nodes.len() > circuit::MAX_PAGE_GATES => {
                        errors.push(to_diagnostic(
                            file,
                            VerifyError::new(
                                stmt.span.clone(),
                                format!(
                                    "this page's circuits draw more than {} gates and inputs in all",
                                    circuit::MAX_PAGE_GATES
                                ),
                            )
                            .hint("draw fewer circuits on the page, or draw them smaller with `merge`"),
                        ));
                    }
                    Ok(trace) => {
                        gates += trace.nodes.len();
                        let call = &file.text[stmt.first.span.clone()];
                        let figure = circuit::Figure::new(&trace, call, options.decimals);
                        checked.figures.push(Drawn {
                            figure: Arc::new(figure),
                            at: stmt.span.start,
                        });
                    }
                    Err(e) => errors.push(to_diagnostic(file, e)),
                }
                continue;
            }
            let ran = result.env.run(stmt);
            // Shown lines are written out with the names defined so far, so `{x₀}` and
            // `expand(W2 · W1)` show the numbers they stand for. Lines about variants are
            // for the author, not the reader.
            if verify.show && stmt.directive.is_none() {
                let written = match &ran {
                    Ok(_) => literals::resolve(stmt, &result.env, scope),
                    Err(_) => Ok(std::borrow::Cow::Borrowed(stmt)),
                };
                match written {
                    Ok(s) => checked.shown.push(s.into_owned()),
                    Err(e) => errors.push(to_diagnostic(file, e)),
                }
            }
            match ran {
                Ok(n) => {
                    result.checks += n;
                    *result.scope_checks.entry(scope).or_default() += n;
                    if account {
                        result.unaccounted.extend(
                            account::unaccounted(stmt, &result.env, scope)
                                .into_iter()
                                .map(|e| to_diagnostic(file, e)),
                        );
                    }
                }
                Err(e) => {
                    if let Some((ast::Binding::Value(name) | ast::Binding::Function(name, _), _)) =
                        &stmt.binding
                    {
                        failed.insert((scope, name.clone()));
                    }
                    errors.push(to_diagnostic(file, e));
                }
            }
        }
        if errors.len() > errors_before {
            failed_scopes.insert(scope);
        }
        if verify.show || !checked.figures.is_empty() {
            result.blocks.insert(id, checked);
        }
        statements.extend(stmts.iter().map(|s| (scope, s)));
    }
    // Roles read the names every block defined, in their exercise's scope.
    for &(inline, scope) in &walk.roles {
        let crate::doc::InlineKind::Role(role) = &inline.kind else {
            continue;
        };
        // A value that reads a name whose definition failed was reported with it.
        let poisoned = match &role.kind {
            RoleKind::Eval { expr: Ok(e), .. } => uses_any(vec![e], scope, &failed),
            RoleKind::Verify(Ok(stmt)) => uses_any(stmt_exprs(stmt), scope, &failed),
            _ => false,
        };
        if poisoned {
            continue;
        }
        let value = match &role.kind {
            RoleKind::Eval { format, expr } => expr
                .clone()
                .and_then(|e| result.env.eval_in_scope(&e, scope))
                .map(|v| RoleValue::Value(v, *format)),
            RoleKind::Verify(stmt) => stmt.clone().and_then(|s| {
                result.env.check(&s, scope)?;
                if account {
                    result.unaccounted.extend(
                        account::unaccounted(&s, &result.env, scope)
                            .into_iter()
                            .map(|e| to_diagnostic(file, e)),
                    );
                }
                Ok(RoleValue::Statement(Box::new(s)))
            }),
            _ => continue,
        };
        match value {
            Ok(v) => {
                result.roles.insert(inline.id, v);
            }
            Err(e) => errors.push(to_diagnostic(file, e)),
        }
    }
    // Variants are made of exercises whose own blocks, and the page's, all passed.
    if let (Some(allowance), false) = (allowance, failed_scopes.contains(&eval::PAGE)) {
        for (ordinal, &(id, exercise, scope)) in walk.exercises.iter().enumerate() {
            if failed_scopes.contains(&scope) {
                continue;
            }
            let Some(start) = at_start.get(&scope) else {
                continue;
            };
            let inline =
                walk.roles
                    .iter()
                    .filter(|(_, s)| *s == scope)
                    .filter_map(|(i, _)| match &i.kind {
                        crate::doc::InlineKind::Role(r) => match &r.kind {
                            RoleKind::Verify(Ok(stmt)) => Some(stmt),
                            _ => None,
                        },
                        _ => None,
                    });
            let exercise = variants::Exercise {
                id,
                title: &exercise.title.raw,
                ordinal,
                names: start,
                scope,
                statements: statements
                    .iter()
                    .filter(|(s, _)| *s == scope)
                    .map(|(_, stmt)| *stmt)
                    .chain(inline)
                    .collect(),
            };
            match variants::generate(doc, page_variants, &result, &exercise, allowance) {
                Some(Ok(made)) => {
                    let stale = variants::stale(&exercise, &result.env, &made);
                    if stale.is_empty() {
                        result.variants.insert(id, made);
                    } else {
                        errors.extend(stale.into_iter().map(|e| to_diagnostic(file, e)));
                    }
                }
                Some(Err(e)) => errors.extend(e),
                None => {}
            }
        }
    }
    if errors.is_empty() {
        Ok(result)
    } else {
        Err((errors, result.unaccounted))
    }
}

/// The expressions of a statement's chain.
fn stmt_exprs(stmt: &ast::Stmt) -> Vec<&ast::Expr> {
    std::iter::once(&stmt.first)
        .chain(stmt.links.iter().map(|(_, e)| e))
        .collect()
}

/// True if the expressions read, as seen from `scope`, any name whose definition failed (as a
/// value or a function).
fn uses_any(exprs: Vec<&ast::Expr>, scope: ScopeId, failed: &HashSet<(ScopeId, String)>) -> bool {
    if failed.is_empty() {
        return false;
    }
    let poisoned = |n: &str| {
        failed.contains(&(scope, n.to_string())) || failed.contains(&(eval::PAGE, n.to_string()))
    };
    let mut found = false;
    let mut stack = exprs;
    while let Some(e) = stack.pop() {
        if let ast::ExprKind::Name(n) = &e.kind {
            found |= poisoned(n);
        }
        if let Some(f) = e.function_name() {
            found |= poisoned(f);
        }
        stack.extend(e.children());
    }
    found
}

fn to_diagnostic(file: &Arc<SourceFile>, e: VerifyError) -> Diagnostic {
    let mut d = Diagnostic::at(file, e.span, e.message);
    if let Some((span, label)) = e.also.map(|b| *b) {
        d = d.with_also(span, label);
    }
    match e.hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}
#[cfg(test)]
mod iteration_tests;
#[cfg(test)]
mod soundness_tests;
#[cfg(test)]
mod tensor_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod variant_tests;
