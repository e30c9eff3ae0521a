//! Exercise variants: the same exercise with other numbers, drawn when the site is built and
//! verified exactly as the author's own.
//!
//! An exercise's blocks say which given values vary (`vary x₀ from -5 to 5`), what every
//! variant must satisfy (`where det(W1) ≠ 0`) and how many variants there are (`variants 5`;
//! the author's numbers are the first). For each further variant:
//!
//! 1. The numbers are drawn from a generator seeded by the page and the exercise, so a build
//!    is reproducible and a variant stays the same from build to build; a draw equal to an
//!    earlier variant's, or one a `where` rejects, is drawn again, up to [`MAX_DRAWS`].
//! 2. The exercise's blocks run with the drawn literals in place of the author's, and every
//!    literal a worked step states for a computed value (the ones [`super::check::claims`]
//!    checks: `= [5, -1]` after `W1 · x + b1`, the `3` and `-1` of `x₀ + y₀ = 3 + (-1)`) takes
//!    that value instead, until nothing changes (a chain's later literals depend on earlier
//!    ones).
//! 3. Those values are written into the page's text as substitutions (data), the new text is
//!    parsed into a document (a call down to [`crate::doc`]) and its exercise verified with the
//!    page's names: every check of the worked answer must hold for the variant, and what a
//!    reader sees is exactly what was verified.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use super::ast::{Binding, Directive, Domain, Expr, ExprKind, Stmt};
use super::check::{matched_children, written_precision};
use super::error::VerifyError;
use super::eval::{Env, Literals, ScopeId};
use super::literals::{needs_parentheses, source};
use super::{to_diagnostic, PageVerification};
use crate::diagnostic::Diagnostic;
use crate::doc::{BlockKind, Document, NodeId};
use crate::linalg::{budget, Num, Value};
use crate::source::SourceFile;

/// Variants an exercise with `vary` lines has when neither it nor its page says.
pub const DEFAULT_VARIANTS: usize = 5;

/// Draws tried for one exercise before its conditions are called unsatisfiable.
pub const MAX_DRAWS: usize = 2_000;

/// Rounds of filling in stated values before a variant is called unsettled (a chain of `n`
/// literal steps needs `n`).
const MAX_ROUNDS: usize = 16;

/// Most numbers one `from … to … step …` range may hold.
const MAX_RANGE: u64 = 1_000_000;

/// Work (in the units of [`budget`]) making one exercise's variants may take: 25 top-level
/// expressions at their limit, several seconds in the worst case; the sample's exercises take
/// under 0.1 % of it.
pub const MAX_VARIANT_WORK: u64 = 25 * budget::MAX_WORK;

/// Work making all of one page's variants may take: two exercises at their limit.
pub const MAX_PAGE_VARIANT_WORK: u64 = 2 * MAX_VARIANT_WORK;

/// Work making all the variants of a build may take: ten exercises at their limit (a course of
/// 1,000 copies of the sample practice page takes under 10 % of it).
pub const MAX_BUILD_VARIANT_WORK: u64 = 10 * MAX_VARIANT_WORK;

/// Number sets (beyond the authors' own) one page's exercises may have in all: every set is
/// on the page, built and checked, so the page's size and its build's memory grow with them.
pub const MAX_PAGE_SETS: usize = 1_000;

/// What making variants may still take: for the page being verified, and for the whole build
/// (shared by the threads that verify its pages).
#[derive(Debug)]
pub struct Allowance<'b> {
    /// Number sets the page may still make.
    pub sets: usize,
    /// Units of work the page may still spend.
    pub work: u64,
    /// The build's.
    pub build: &'b BuildAllowance,
}

/// The work every page of a build has spent making variants, against
/// [`MAX_BUILD_VARIANT_WORK`].
#[derive(Debug, Default)]
pub struct BuildAllowance {
    spent: std::sync::atomic::AtomicU64,
}

impl BuildAllowance {
    fn spent(&self) -> u64 {
        self.spent.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn add(&self, units: u64) {
        self.spent
            .fetch_add(units, std::sync::atomic::Ordering::Relaxed);
    }

    /// Charges the work a page's variants took when it was built before (the build cache),
    /// and says whether the build's allowance still holds it.
    pub fn charge(&self, units: u64) -> bool {
        self.add(units);
        self.spent() <= MAX_BUILD_VARIANT_WORK
    }

    /// Gives back what [`BuildAllowance::charge`] took for a cached page that is built
    /// afresh after all (its build charges the work it does).
    pub fn refund(&self, units: u64) {
        self.spent
            .fetch_sub(units, std::sync::atomic::Ordering::Relaxed);
    }
}

impl<'b> Allowance<'b> {
    /// A page's allowance within `build`'s.
    pub fn page(build: &'b BuildAllowance) -> Self {
        Allowance {
            sets: MAX_PAGE_SETS,
            work: MAX_PAGE_VARIANT_WORK,
            build,
        }
    }

    /// The work the page's variants have taken so far.
    pub fn spent(&self) -> u64 {
        MAX_PAGE_VARIANT_WORK.saturating_sub(self.work)
    }
}

/// One variant of an exercise beyond the author's own numbers.
#[derive(Debug)]
pub struct Variant {
    /// 2, 3, …: the author's numbers are variant 1.
    pub number: usize,
    /// The given values drawn, as an author writes them (`x₀ = 4, y₀ = -2`).
    pub givens: String,
    /// The page's text with this variant's numbers written in (what its spans point into).
    pub file: Arc<SourceFile>,
    /// The exercise read from that text: the same nodes, with the same ids, as the author's.
    pub exercise: crate::doc::Exercise,
    /// What verifying it produced.
    pub verification: PageVerification,
    /// Links checked in the exercise with this variant's numbers.
    pub checks: usize,
    /// How far the exercise stands further into the page's file than into the variant's
    /// (which leaves out the page around it): what to add to a variant's offset to name the
    /// same place on the page.
    pub shift: usize,
}

/// An exercise as the verify stage saw it.
pub struct Exercise<'a> {
    /// Its node's id (the key of [`PageVerification::variants`]).
    pub id: NodeId,
    /// Its title, for messages and the seed.
    pub title: &'a str,
    /// How many exercises come before it on the page (for the seed: editing text around an
    /// exercise does not change its variants).
    pub ordinal: usize,
    /// Its scope.
    pub scope: ScopeId,
    /// The page's names as the exercise starts (its own scope still empty).
    pub names: &'a Env,
    /// Its verify blocks' statements in page order, then its inline `{verify}` checks'.
    pub statements: Vec<&'a Stmt>,
}

/// A `vary` line made concrete.
struct Varied {
    name: String,
    /// The literal of the name's `let`, which each draw replaces.
    literal: (usize, usize),
    /// The author's value (variant 1).
    original: Value,
    /// What every number (or, for whole choices, the value) is drawn from.
    pool: Pool,
}

enum Pool {
    /// Every entry drawn from `from + k·step`, k = 0 … count - 1.
    Range { from: Num, step: Num, count: u64 },
    /// Every entry drawn from these numbers.
    Entries(Vec<Num>),
    /// The whole value drawn from these.
    Values(Vec<Value>),
}

/// The variants of `exercise` beyond the first, verified; `None` when it has no `vary` line.
pub fn generate(
    doc: &Document,
    page_variants: Option<usize>,
    original: &PageVerification,
    exercise: &Exercise<'_>,
    allowance: &mut Allowance<'_>,
) -> Option<Result<Vec<Variant>, Vec<Diagnostic>>> {
    let stmts = &exercise.statements;
    if !stmts
        .iter()
        .any(|s| matches!(s.directive, Some(Directive::Vary { .. })))
    {
        let stray = stmts
            .iter()
            .find(|s| matches!(s.directive, Some(Directive::Variants(_))))?;
        return Some(Err(vec![Diagnostic::at(
            &doc.file,
            stray.span.clone(),
            "`variants` without a `vary` line: nothing would change",
        )
        .with_hint(
            "say which given values change, e.g. `vary x₀ from -5 to 5`",
        )]));
    }
    Some(generate_varied(
        doc,
        page_variants,
        original,
        exercise,
        MAX_VARIANT_WORK,
        allowance,
    ))
}

/// [`generate`] for an exercise with `vary` lines, within `work` units of work.
pub(super) fn generate_varied(
    doc: &Document,
    page_variants: Option<usize>,
    original: &PageVerification,
    exercise: &Exercise<'_>,
    work: u64,
    allowance: &mut Allowance<'_>,
) -> Result<Vec<Variant>, Vec<Diagnostic>> {
    let start = budget::spent();
    let made = generate_within(doc, page_variants, original, exercise, work, allowance);
    let spent = budget::spent() - start;
    allowance.work = allowance.work.saturating_sub(spent);
    allowance.build.add(spent);
    if let Ok(variants) = &made {
        allowance.sets = allowance.sets.saturating_sub(variants.len());
    }
    made
}

fn generate_within(
    doc: &Document,
    page_variants: Option<usize>,
    original: &PageVerification,
    exercise: &Exercise<'_>,
    work: u64,
    allowance: &Allowance<'_>,
) -> Result<Vec<Variant>, Vec<Diagnostic>> {
    let file = &doc.file;
    let varied = varied(original, exercise).map_err(|es| {
        es.into_iter()
            .map(|e| to_diagnostic(file, e))
            .collect::<Vec<_>>()
    })?;
    let count = exercise
        .statements
        .iter()
        .find_map(|s| match s.directive {
            Some(Directive::Variants(n)) => Some(n),
            _ => None,
        })
        .or(page_variants)
        .unwrap_or(DEFAULT_VARIANTS);
    // Inline checks (`{verify}`df/dq = 2``) state values too; they come after the blocks.
    let statements = &exercise.statements;
    let mut rng = ChaCha8Rng::seed_from_u64(seed(&file.path, exercise.title, exercise.ordinal));
    let mut env = exercise.names.clone();
    let scope = exercise.scope;
    let mut seen: Vec<Vec<Value>> = vec![varied.iter().map(|v| v.original.clone()).collect()];
    let mut variants = Vec::new();
    let mut rejected: BTreeMap<usize, usize> = BTreeMap::new();
    let mut draws = 0;
    let template = Template::new(doc, exercise.id, statements);
    let spent = budget::spent();
    let build_spent = allowance.build.spent();
    while variants.len() + 1 < count {
        let here = budget::spent() - spent;
        let at = first_vary(exercise);
        let made = variants.len() + 1;
        let over = |what: String, hint: &str| {
            Err(vec![Diagnostic::at(file, at.clone(), what).with_hint(hint)])
        };
        if here > work {
            return over(
                format!(
                    "making the variants of “{}” takes more than {work} units of work ({made} of {count} sets made)",
                    exercise.title,
                ),
                "ask for fewer variants, or let more draws meet the `where` conditions",
            );
        }
        if here > allowance.work {
            return over(
                format!(
                    "making this page's variants takes more than {MAX_PAGE_VARIANT_WORK} units of work (at “{}”, {made} of {count} sets made)",
                    exercise.title,
                ),
                "ask for fewer variants, loosen the `where` conditions, or split the page",
            );
        }
        if build_spent + here > MAX_BUILD_VARIANT_WORK {
            return over(
                format!(
                    "making the course's variants takes more than {MAX_BUILD_VARIANT_WORK} units of work (at “{}”, {made} of {count} sets made)",
                    exercise.title,
                ),
                "ask for fewer variants (`variants: N` in the front matter), or loosen the `where` conditions",
            );
        }
        if variants.len() >= allowance.sets {
            return over(
                format!(
                    "this page's exercises ask for more than {MAX_PAGE_SETS} number sets in all (at “{}”)",
                    exercise.title,
                ),
                "ask for fewer sets (`variants N`, or `variants: N` in the front matter), or split the page: every set is on it",
            );
        }
        if draws == MAX_DRAWS {
            return Err(vec![unsatisfiable(
                file,
                exercise,
                &varied,
                &rejected,
                variants.len() + 2,
            )]);
        }
        draws += 1;
        let drawn: Vec<Value> = varied.iter().map(|v| draw(&mut rng, v)).collect();
        if seen.contains(&drawn) {
            continue;
        }
        let givens: Literals = varied
            .iter()
            .zip(&drawn)
            .map(|(v, d)| (v.literal, d.clone()))
            .collect();
        let number = variants.len() + 2;
        let description = describe(&varied, &drawn);
        let label = format!("variant {number} of “{}” ({description})", exercise.title);
        let first = match fill_round(&mut env, scope, statements, &givens, &givens, true) {
            Err(i) => {
                *rejected.entry(i).or_default() += 1;
                continue;
            }
            Ok(first) => first,
        };
        seen.push(drawn);
        let labelled = |ds: Vec<Diagnostic>| {
            ds.into_iter()
                .map(|d| d.prefixed(&label))
                .collect::<Vec<_>>()
        };
        // Steps written in the order they compute settle in the first round: its text,
        // verified in full, is the variant, and the round that would only confirm that nothing
        // changes is not run. A text that fails goes on from there, round after round until
        // nothing changes, and the settled text is verified.
        let text = template.text(&first);
        let variant = match verified(
            doc,
            exercise,
            text,
            template.span.start,
            number,
            description.clone(),
        ) {
            Ok(variant) => variant,
            Err(early) => {
                let filled = settle(&mut env, scope, statements, &givens, first.clone())
                    .map_err(|e| vec![to_diagnostic(file, e).prefixed(&label)])?;
                if filled == first {
                    return Err(labelled(early));
                }
                let text = template.text(&filled);
                verified(
                    doc,
                    exercise,
                    text,
                    template.span.start,
                    number,
                    description,
                )
                .map_err(labelled)?
            }
        };
        variants.push(variant);
    }
    Ok(variants)
}

/// Numbers of a varied exercise that would go stale (#25): a number written where the
/// exercise computes it (`0.5 * (t - 0.8125)^2` for `out` = 0.8125) is right for the author's
/// set and copied unchanged into every variant, whose worked answer then computes from it.
/// A name varies when some variant gives it another value than the author's set (`made`);
/// each number of the exercise's statements that nothing claims and that equals, at its
/// decimals, the author's value of such a name (or an entry of it, or its negation) is an
/// error. The formula constants 0, 1, 2 and 0.5 are left alone: a varied value that happens
/// to be one of them in the author's set would make every `1 - σ` an error.
pub fn stale(exercise: &Exercise<'_>, original: &Env, made: &[Variant]) -> Vec<VerifyError> {
    let scope = exercise.scope;
    let varying: Vec<(&str, &Value)> = original
        .visible_values(scope)
        .into_iter()
        .filter(|(name, value)| {
            made.iter().any(|v| {
                v.verification
                    .env
                    .value_in(name, scope)
                    .is_some_and(|other| other != *value)
            })
        })
        .collect();
    if varying.is_empty() {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for stmt in &exercise.statements {
        for number in super::account::unclaimed(stmt, original, scope) {
            let text = super::account::number_text(number);
            if super::account::CONSTANTS.contains(&text.trim_start_matches('-')) {
                continue;
            }
            let Some(written) = crate::linalg::parse_decimal(&text) else {
                continue;
            };
            let places = written_precision(number)
                .and_then(|p| p.first().copied().flatten())
                .unwrap_or(0);
            let mut matches = varying.iter().filter(|(_, v)| {
                v.elements()
                    .iter()
                    .any(|x| x.round_to(places) == written || -x.round_to(places) == written)
            });
            let Some((name, value)) = matches.next() else {
                continue;
            };
            let shown = match value {
                Value::Scalar(_) => format!("`{name}`"),
                _ => format!("an entry of `{name}`"),
            };
            errors.push(
                VerifyError::new(
                    number.span.clone(),
                    format!(
                        "{text} is {shown} for the author's numbers, written as a number: every \
                         variant would publish it unchanged"
                    ),
                )
                .hint(format!(
                    "write the name (`{name}`), or `{{{name}}}` to show its value, so each \
                     variant computes its own"
                )),
            );
        }
    }
    errors
}

/// Variant `number`: the page's `text` with its numbers written in, read into a document (a
/// call down to [`crate::doc`]), and its exercise (at byte `page_start` of the page) verified
/// with the page's names.
fn verified(
    doc: &Document,
    exercise: &Exercise<'_>,
    text: String,
    page_start: usize,
    number: usize,
    givens: String,
) -> Result<Variant, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(
        doc.file.path.clone(),
        doc.file.disk_path.clone(),
        text,
    ));
    let (mut variant_doc, errors) = crate::doc::parse(&file, 0..file.text.len());
    if !errors.is_empty() {
        return Err(errors);
    }
    // The window holds one exercise.
    let index = variant_doc
        .blocks
        .iter()
        .position(|b| matches!(b.kind, BlockKind::Exercise(_)))
        .ok_or_else(|| {
            vec![Diagnostic::at(
                &file,
                0..0,
                "the variant's text no longer holds its exercise (a coursegen bug)",
            )]
        })?;
    let verification = {
        let BlockKind::Exercise(e) = &variant_doc.blocks[index].kind else {
            unreachable!("found as an exercise above")
        };
        super::verify_exercise(&variant_doc, e, exercise.names, exercise.scope)?
    };
    let shift = page_start.saturating_sub(variant_doc.blocks[index].span.start);
    // Only the exercise is kept: the rest of the variant's page is the author's page.
    let block = variant_doc.blocks.swap_remove(index);
    let BlockKind::Exercise(exercise_node) = block.kind else {
        unreachable!("found as an exercise above")
    };
    // The variant's window is a document of its own, with ids of its own; the page's id of the
    // exercise names its scope too.
    let mut verification = verification;
    verification.scopes.insert(exercise.id, exercise.scope);
    Ok(Variant {
        shift,
        checks: verification
            .scope_checks
            .get(&exercise.scope)
            .copied()
            .unwrap_or(0),
        number,
        givens,
        file,
        exercise: *exercise_node,
        verification,
    })
}

/// The seed of an exercise's draws: its page's path, its title and how many exercises come
/// before it (FNV-1a, fixed by definition, so a variant is the same on every machine and
/// toolchain, and stays the same when the text around the exercise is edited).
fn seed(path: &str, title: &str, ordinal: usize) -> u64 {
    let bytes = path
        .bytes()
        .chain([0])
        .chain(title.bytes())
        .chain([0])
        .chain((ordinal as u64).to_le_bytes());
    crate::fingerprint::fnv1a(bytes, 0)
}

/// A uniform index below `n` (`n` ≥ 1), without modulo bias.
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

fn draw(rng: &mut ChaCha8Rng, v: &Varied) -> Value {
    match &v.pool {
        Pool::Values(values) => values[below(rng, values.len() as u64) as usize].clone(),
        Pool::Entries(numbers) => {
            let data: Vec<Num> = v
                .original
                .elements()
                .iter()
                .map(|_| numbers[below(rng, numbers.len() as u64) as usize].clone())
                .collect();
            v.original.with_elements(data)
        }
        Pool::Range { from, step, count } => {
            let data: Vec<Num> = v
                .original
                .elements()
                .iter()
                .map(|_| {
                    let k = below(rng, *count) as i64;
                    // Cannot fail: the range's largest number was computed the same way.
                    step.mul(&Num::int(k))
                        .and_then(|d| from.add(&d))
                        .unwrap_or_else(|_| from.clone())
                })
                .collect();
            v.original.with_elements(data)
        }
    }
}

/// `x₀ = 4, W1 = [[1, 0], [2, -1]]`.
fn describe(varied: &[Varied], drawn: &[Value]) -> String {
    varied
        .iter()
        .zip(drawn)
        .map(|(v, d)| format!("{} = {}", v.name, source(d, None)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The exercise's `vary` lines, each tied to its `let` and its pool evaluated; every line's
/// error when any is wrong.
fn varied(
    original: &PageVerification,
    exercise: &Exercise<'_>,
) -> Result<Vec<Varied>, Vec<VerifyError>> {
    let mut out: Vec<Varied> = Vec::new();
    let mut errors = Vec::new();
    for stmt in &exercise.statements {
        let Some(Directive::Vary {
            name,
            name_span,
            domain,
        }) = &stmt.directive
        else {
            continue;
        };
        match one_varied(original, exercise, stmt, name, name_span, domain) {
            Ok(v) if out.iter().any(|o| o.name == v.name) => errors.push(VerifyError::new(
                name_span.clone(),
                format!("`{name}` is varied twice"),
            )),
            Ok(v) => out.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn one_varied(
    original: &PageVerification,
    exercise: &Exercise<'_>,
    stmt: &Stmt,
    name: &str,
    name_span: &Range<usize>,
    domain: &Domain,
) -> Result<Varied, VerifyError> {
    let literal = exercise
        .statements
        .iter()
        .find_map(|s| match &s.binding {
            Some((Binding::Value(n), _)) if n == name && s.first.ungrouped().is_literal() => {
                let e = s.first.ungrouped();
                Some((e.span.start, e.span.end))
            }
            _ => None,
        })
        .ok_or_else(|| {
            VerifyError::new(
                name_span.clone(),
                format!("`vary {name}` needs `let {name} = …` with the numbers written out in this exercise"),
            )
            .hint(format!("e.g. `let {name} = 3` or `let {name} = [[1, 2], [0, -1]]` in the exercise's given values"))
        })?;
    let original_value = original
        .env
        .value_in(name, exercise.scope)
        .cloned()
        .ok_or_else(|| VerifyError::new(name_span.clone(), format!("`{name}` is not defined")))?;
    let pool = pool(
        &original.env,
        exercise.scope,
        domain,
        &original_value,
        &stmt.span,
    )?;
    Ok(Varied {
        name: name.to_string(),
        literal,
        original: original_value,
        pool,
    })
}

/// The numbers or values a `vary` line draws from.
fn pool(
    env: &Env,
    scope: ScopeId,
    domain: &Domain,
    original: &Value,
    span: &Range<usize>,
) -> Result<Pool, VerifyError> {
    let exact = |e: &Expr| -> Result<Num, VerifyError> {
        match env.eval_in_scope(e, scope)? {
            Value::Scalar(n @ Num::Exact(_)) => Ok(n),
            _ => Err(VerifyError::new(
                e.span.clone(),
                "a range of a `vary` line is written with exact numbers",
            )
            .hint("e.g. `vary h from 0.1 to 0.9 step 0.1`")),
        }
    };
    match domain {
        Domain::Range { from, to, step } => {
            let (lo, hi) = (exact(from)?, exact(to)?);
            let step = match step {
                Some(s) => exact(s)?,
                None => Num::int(1),
            };
            let bad = |message: &str| Err(VerifyError::new(span.clone(), message.to_string()));
            if step.compare(&Num::zero()).is_le() {
                return bad("the step of a `vary` range must be positive");
            }
            if hi.compare(&lo).is_lt() {
                return bad("a `vary` range must go from the smaller number to the larger");
            }
            let steps = hi
                .sub(&lo)
                .and_then(|d| d.div(&step))
                .map_err(super::eval::linalg(span))?;
            let n = steps
                .exact()
                .map(|r| r.big().floor())
                .and_then(|r| num_traits::ToPrimitive::to_u64(&r.to_integer()))
                .filter(|&n| n < MAX_RANGE)
                .ok_or_else(|| {
                    VerifyError::new(
                        span.clone(),
                        format!("a `vary` range may hold at most {MAX_RANGE} numbers"),
                    )
                })?;
            Ok(Pool::Range {
                from: lo,
                step,
                count: n + 1,
            })
        }
        Domain::Choices(items) => {
            let values = items
                .iter()
                .map(|e| env.eval_in_scope(e, scope))
                .collect::<Result<Vec<_>, _>>()?;
            if values.iter().all(|v| matches!(v, Value::Scalar(_))) {
                return Ok(Pool::Entries(
                    values
                        .into_iter()
                        .map(|v| v.elements()[0].clone())
                        .collect(),
                ));
            }
            if let Some(odd) = values.iter().find(|v| v.shape() != original.shape()) {
                return Err(VerifyError::new(
                    span.clone(),
                    format!(
                        "a choice is a {}, but the value varied is a {}",
                        odd.shape(),
                        original.shape()
                    ),
                )
                .hint("list numbers (each entry is drawn from them) or whole values of the same shape"));
            }
            Ok(Pool::Values(values))
        }
    }
}

/// One round of filling in: runs the exercise with `filled` in place of the author's literals
/// and returns `givens` with every literal a step states for a computed value, at that value.
/// In the `first` round a `where` that does not hold rejects the draw (`Err`, its index).
fn fill_round(
    env: &mut Env,
    scope: ScopeId,
    stmts: &[&Stmt],
    givens: &Literals,
    filled: &Literals,
    first: bool,
) -> Result<Literals, usize> {
    env.reset_scope(scope);
    env.set_overrides(filled.clone());
    let mut next = givens.clone();
    let mut rejected = None;
    for (i, stmt) in stmts.iter().enumerate() {
        match stmt.directive {
            Some(Directive::Vary { .. } | Directive::Variants(_)) => continue,
            Some(Directive::Where) => {
                if first && env.check(stmt, scope).is_err() {
                    rejected = Some(i);
                    break;
                }
                continue;
            }
            None => {}
        }
        if stmt.circuit.is_some() {
            continue;
        }
        // Checks would fail here while stated values are still the author's; the variant's
        // text is verified in full afterwards, so only the bindings matter.
        let _ = env.bind(stmt);
        let sides: Vec<&Expr> = std::iter::once(&stmt.first)
            .chain(stmt.links.iter().map(|(_, e)| e))
            .collect();
        for pair in sides.windows(2) {
            let mut stated = Vec::new();
            state(env, scope, pair[0], pair[1], &mut next, &mut stated);
            // A value stated replaces its literal at once, for the sides and steps after it:
            // steps written in the order they compute settle in one round, where waiting for
            // the next round took a round per link of a chain.
            for key in stated {
                if let Some(value) = next.get(&key) {
                    env.set_override(key, value.clone());
                }
            }
        }
    }
    env.set_overrides(Literals::default());
    rejected.map_or(Ok(next), Err)
}

/// Fills in round after round from `filled` (the first round's values) until nothing
/// changes; the literals as they settled.
fn settle(
    env: &mut Env,
    scope: ScopeId,
    stmts: &[&Stmt],
    givens: &Literals,
    mut filled: Literals,
) -> Result<Literals, VerifyError> {
    for _ in 1..MAX_ROUNDS {
        let Ok(next) = fill_round(env, scope, stmts, givens, &filled, false) else {
            break; // only a first round rejects a draw
        };
        if next == filled {
            return Ok(filled);
        }
        filled = next;
    }
    let span = stmts.first().map_or(0..0, |s| s.span.clone());
    Err(VerifyError::new(
        span,
        format!("the stated values did not settle in {MAX_ROUNDS} rounds"),
    ))
}

fn key(e: &Expr) -> (usize, usize) {
    (e.span.start, e.span.end)
}

/// Where one side of a link writes a literal for what the other side computes, the literal
/// takes that value; a literal standing for another literal that took a value follows it. The
/// keys of the literals given a value are pushed to `stated`.
fn state(
    env: &Env,
    scope: ScopeId,
    a: &Expr,
    b: &Expr,
    out: &mut Literals,
    stated: &mut Vec<(usize, usize)>,
) {
    let (a, b) = (a.ungrouped(), b.ungrouped());
    let value = |e: &Expr| env.eval_in_scope(e, scope).ok();
    match (a.is_literal(), b.is_literal()) {
        (false, true) => {
            if let Some(v) = value(a) {
                out.insert(key(b), v);
                stated.push(key(b));
            }
        }
        (true, false) => {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(key(a)) {
                if let Some(v) = value(b) {
                    slot.insert(v);
                    stated.push(key(a));
                }
            }
        }
        (true, true) => {
            let known = out
                .get(&key(a))
                .cloned()
                .or_else(|| env.overridden(&a.span).cloned());
            if let Some(v) = known {
                out.insert(key(b), v);
                stated.push(key(b));
            }
        }
        (false, false) => {
            for (x, y) in matched_children(a, b) {
                state(env, scope, &x, &y, out, stated);
            }
        }
    }
}

/// A literal of a statement as a variant may rewrite it: the expression, whether a sign may
/// stand without parentheses where it is, and the parentheses written right around it (if
/// any).
struct Written<'s> {
    expr: &'s Expr,
    bare: bool,
    group: Option<(usize, usize)>,
    /// What the author wrote there, found when a set first fills the literal in (many never
    /// are).
    author: OnceCell<Author>,
}

/// A literal as the author wrote it: its value (a literal that keeps it keeps its spelling)
/// and the decimals written in each entry.
struct Author {
    value: Option<Value>,
    precision: Option<Vec<Option<u32>>>,
}

/// The literals of the statements, by byte range.
fn literals<'s>(stmts: &[&'s Stmt]) -> FxHashMap<(usize, usize), Written<'s>> {
    fn walk<'s>(e: &'s Expr, bare: bool, out: &mut FxHashMap<(usize, usize), Written<'s>>) {
        let written = |expr, bare, group| Written {
            expr,
            bare,
            group,
            author: OnceCell::new(),
        };
        if e.is_literal() && !matches!(e.kind, ExprKind::Group(_)) {
            out.entry(key(e)).or_insert_with(|| written(e, bare, None));
        }
        if let ExprKind::Group(x) = &e.kind {
            if x.is_literal() && !matches!(x.kind, ExprKind::Group(_)) {
                out.insert(key(x), written(x, true, Some(key(e))));
            }
        }
        match &e.kind {
            ExprKind::Binary(_, a, b) => {
                walk(a, bare, out);
                walk(b, false, out);
            }
            ExprKind::Series(a, rest) => {
                walk(a, bare, out);
                rest.iter().for_each(|(_, b)| walk(b, false, out));
            }
            ExprKind::Neg(x) | ExprKind::Transpose(x) => walk(x, false, out),
            ExprKind::Index(x, idx) => {
                walk(x, false, out);
                idx.iter().for_each(|i| walk(i, true, out));
            }
            _ => e.children().into_iter().for_each(|c| walk(c, true, out)),
        }
    }
    let mut found = FxHashMap::default();
    for s in stmts {
        walk(&s.first, true, &mut found);
        for (_, e) in &s.links {
            walk(e, true, &mut found);
        }
    }
    found
}

/// What every number set of one exercise is written into, prepared once for all its sets: the
/// exercise's literals, its text, and the rest of the page as a variant's text holds it.
struct Template<'d> {
    literals: FxHashMap<(usize, usize), Written<'d>>,
    /// Names nothing: what the author's literals are evaluated in.
    plain: Env,
    /// Where the exercise stands in the page's text (the whole text when it is not found).
    span: Range<usize>,
    /// The page's text.
    text: &'d str,
    /// The page before and after the exercise, as [`Template::text`] keeps it.
    before: String,
    after: String,
}

impl<'d> Template<'d> {
    /// The template of `exercise` (its node) with the verify statements `stmts`. Of the rest
    /// of the page a variant keeps only what any part of it may use (link reference
    /// definitions, footnotes); every other line is left empty, so lines keep their numbers
    /// and the variant's errors point at the author's lines. Reading the whole page again for
    /// every set cost time and memory with the size of the page (a page of 300 varied
    /// exercises took 4 GB).
    fn new(doc: &'d Document, exercise: NodeId, stmts: &[&'d Stmt]) -> Self {
        let text = doc.file.text.as_str();
        let span = doc
            .blocks
            .iter()
            .find(|b| b.id == exercise)
            .map_or(0..text.len(), |b| b.span.clone());
        let defined = |start: usize, end: usize| {
            doc.definitions
                .iter()
                .any(|d| d.start < end && start < d.end)
        };
        let kept = |range: Range<usize>| {
            let part = &text[range.clone()];
            if !defined(range.start, range.end) {
                // Nothing to keep (most pages): only the line breaks.
                return "\n".repeat(memchr::memchr_iter(b'\n', part.as_bytes()).count());
            }
            let mut out = String::new();
            for (offset, line) in part.split_inclusive('\n').scan(range.start, |at, line| {
                let start = *at;
                *at += line.len();
                Some((start, line))
            }) {
                if defined(offset, offset + line.len()) {
                    out.push_str(line);
                } else if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            out
        };
        Template {
            literals: literals(stmts),
            plain: Env::default(),
            before: kept(0..span.start),
            after: kept(span.end..text.len()),
            span,
            text,
        }
    }

    /// The text a variant is read from: the page as [`Template::new`] keeps it, with the
    /// exercise's `filled` literals written in at the decimals the author wrote there.
    fn text(&self, filled: &Literals) -> String {
        let span = &self.span;
        let edits = self
            .substitutions(filled)
            .into_iter()
            .filter(|((s, e), _)| span.start <= *s && *e <= span.end)
            .map(|((s, e), w)| ((s - span.start, e - span.start), w))
            .collect();
        let body = apply(&self.text[span.clone()], edits);
        let mut out = String::with_capacity(self.before.len() + body.len() + self.after.len());
        out.push_str(&self.before);
        out.push_str(&body);
        out.push_str(&self.after);
        out
    }

    /// Each filled-in literal's byte range and its value, written at the decimals the author
    /// wrote there: what a variant changes in the page's text.
    fn substitutions(&self, filled: &Literals) -> Vec<((usize, usize), String)> {
        let mut edits: Vec<((usize, usize), String)> = Vec::new();
        for (&span, value) in filled {
            let Some(literal) = self.literals.get(&span) else {
                continue;
            };
            let author = literal.author.get_or_init(|| Author {
                value: self.plain.eval(literal.expr).ok(),
                precision: written_precision(literal.expr),
            });
            // A literal that keeps its value keeps its spelling.
            if author.value.as_ref() == Some(value) {
                continue;
            }
            let written = source(value, author.precision.as_deref());
            match literal.group {
                // `3 + (-1)` with 4 for -1 reads `3 + 4`.
                Some(group) if !needs_parentheses(&written) => edits.push((group, written)),
                _ if !literal.bare && needs_parentheses(&written) => {
                    edits.push((span, format!("({written})")))
                }
                _ => edits.push((span, written)),
            }
        }
        edits
    }
}

/// `text` with `edits` made; where edits overlap, the outermost wins (a vector replaced whole
/// takes its entries with it).
fn apply(text: &str, mut edits: Vec<((usize, usize), String)>) -> String {
    edits.sort_by_key(|((s, e), _)| (*s, std::cmp::Reverse(*e)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for ((start, end), written) in edits {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&written);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where the exercise's first `vary` line is.
fn first_vary(exercise: &Exercise<'_>) -> Range<usize> {
    exercise
        .statements
        .iter()
        .find(|s| matches!(s.directive, Some(Directive::Vary { .. })))
        .map_or(0..0, |s| s.span.clone())
}

/// The error for an exercise whose conditions no draw met: at the `where` that rejected the
/// most draws (or the first `vary` line when duplicates used them up).
fn unsatisfiable(
    file: &Arc<SourceFile>,
    exercise: &Exercise<'_>,
    varied: &[Varied],
    rejected: &BTreeMap<usize, usize>,
    number: usize,
) -> Diagnostic {
    let worst = rejected
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(i, n)| (*i, *n));
    let names: Vec<&str> = varied.iter().map(|v| v.name.as_str()).collect();
    match worst {
        Some((i, n)) => Diagnostic::at(
            file,
            exercise.statements[i].span.clone(),
            format!(
                "no numbers for variant {number} of “{}” in {MAX_DRAWS} draws of {}: this condition rejected {n} of them{}",
                exercise.title,
                names.join(", "),
                if n < MAX_DRAWS { " and the others repeated earlier numbers" } else { "" }
            ),
        )
        .with_hint("widen the `vary` ranges, relax the condition, or ask for fewer variants"),
        None => Diagnostic::at(
            file,
            first_vary(exercise),
            format!(
                "only {} different sets of numbers for “{}” were found in {MAX_DRAWS} draws of {}",
                number - 1,
                exercise.title,
                names.join(", ")
            ),
        )
        .with_hint("widen the `vary` ranges or ask for fewer variants"),
    }
}
