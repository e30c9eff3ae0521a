//! The evaluator: names and their scopes, statements, and one walk over an expression that
//! computes its value through the operation table ([`super::ops`]) and records every
//! operation on a tape, so the same walk serves a check and a gradient.

use rustc_hash::FxHashMap;
use std::ops::Range;

use super::ast::{BinOp, Binding, Directive, Expr, ExprKind, Rel, Stmt};
use super::autodiff;
use super::check;
use super::error::{Result, VerifyError};
use super::ops::{self, Builtin, Op, BUILTINS, CONSTANTS};
use smallvec::SmallVec;

use crate::linalg::{budget, parse_decimal, LinalgError, Num, Value};

/// A function a block defined with `let f(x, y) = …`.
#[derive(Debug, Clone)]
pub struct Function {
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// The body.
    pub body: Expr,
    /// The scope it was defined in: its body sees that scope's names.
    pub scope: ScopeId,
}

/// Which set of names: the page's ([`PAGE`]) or one exercise's.
pub type ScopeId = usize;

/// The page's own scope, which every exercise also sees.
pub const PAGE: ScopeId = 0;

#[derive(Debug, Default, Clone)]
struct Scope {
    values: FxHashMap<String, Value>,
    functions: FxHashMap<String, Function>,
}

/// Values by the byte range of the literal they stand for (hashed with FxHash: a variant looks
/// them up for every literal it evaluates, and SipHash was 5 % of making variants).
pub type Literals = FxHashMap<(usize, usize), Value>;

/// Names a page's blocks have defined so far. The page has one scope, and each exercise one
/// of its own: an exercise's blocks see the page's names and their own, so two exercises can
/// each define `dz`.
#[derive(Debug, Clone)]
pub struct Env {
    /// The scopes that hold names: the page's, and the exercises' that defined any. A scope
    /// that holds nothing is not stored, so a snapshot for one exercise is small.
    scopes: FxHashMap<ScopeId, Scope>,
    /// The id the next exercise scope gets.
    next: ScopeId,
    current: ScopeId,
    /// Values that stand for literals written in the page, keyed by the literal's byte range:
    /// how an exercise's variant runs its blocks with other numbers (see `verify::variants`).
    overrides: Literals,
}

impl Default for Env {
    fn default() -> Self {
        Env {
            scopes: FxHashMap::from_iter([(PAGE, Scope::default())]),
            next: PAGE + 1,
            current: PAGE,
            overrides: Literals::default(),
        }
    }
}

/// Most operations one walk records (an expression, or a function's body for a gradient, with
/// calls inlined): this bounds the tape's memory as the work budget bounds time.
pub const MAX_NODES: usize = 250_000;

/// Most nested walks (expression levels plus inlined calls) one evaluation may be inside,
/// so a deep expression inside deeply nested function calls cannot overflow the stack.
pub const MAX_NESTING: usize = 400;

pub(super) fn linalg(span: &Range<usize>) -> impl Fn(LinalgError) -> VerifyError + '_ {
    move |e| {
        let hint = e.hint();
        let err = VerifyError::new(span.clone(), e.to_string());
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }
}

impl Env {
    /// Opens a new exercise scope and makes it current.
    pub fn new_scope(&mut self) -> ScopeId {
        self.current = self.next;
        self.next += 1;
        self.current
    }

    /// The names `scope` sees (the page's and its own), and nothing of other exercises: what
    /// an exercise's variant runs with. Its size is the page's names, not the page's.
    pub fn snapshot(&self, scope: ScopeId) -> Env {
        let mut scopes = FxHashMap::default();
        for id in [PAGE, scope] {
            if let Some(s) = self.scopes.get(&id) {
                scopes.insert(id, s.clone());
            }
        }
        Env {
            scopes,
            next: self.next,
            current: scope,
            overrides: Literals::default(),
        }
    }

    fn scope(&self, id: ScopeId) -> Option<&Scope> {
        self.scopes.get(&id)
    }

    fn current_mut(&mut self) -> &mut Scope {
        self.scopes.entry(self.current).or_default()
    }

    /// Empties `scope` of the names it defined and makes it current (a variant's run of an
    /// exercise starts from the page's names only).
    pub fn reset_scope(&mut self, scope: ScopeId) {
        self.scopes.remove(&scope);
        self.set_scope(scope);
    }

    /// Sets the values that replace written literals (keyed by their byte ranges).
    pub fn set_overrides(&mut self, overrides: Literals) {
        self.overrides = overrides;
    }

    /// Replaces the literal at `key` (its byte range) by `value` from now on.
    pub fn set_override(&mut self, key: (usize, usize), value: Value) {
        self.overrides.insert(key, value);
    }

    /// The value a literal at `span` stands for, when it is replaced.
    pub fn overridden(&self, span: &Range<usize>) -> Option<&Value> {
        if self.overrides.is_empty() {
            return None;
        }
        self.overrides.get(&(span.start, span.end))
    }

    /// Makes `scope` current (statements define names there).
    pub fn set_scope(&mut self, scope: ScopeId) {
        self.current = scope;
    }

    /// The value bound to `name` as seen from `scope`.
    pub fn value_in(&self, name: &str, scope: ScopeId) -> Option<&Value> {
        self.scope(scope)
            .and_then(|s| s.values.get(name))
            .or_else(|| self.scope(PAGE).and_then(|s| s.values.get(name)))
    }

    /// Every value `scope` sees (its own names and the page's), in no particular order.
    pub fn visible_values(&self, scope: ScopeId) -> Vec<(&str, &Value)> {
        let mut out: Vec<(&str, &Value)> = Vec::new();
        for id in [scope, PAGE] {
            if let Some(s) = self.scope(id) {
                out.extend(s.values.iter().map(|(n, v)| (n.as_str(), v)));
            }
            if scope == PAGE {
                break;
            }
        }
        out
    }

    /// The function called `name` as seen from `scope`.
    pub fn function_in(&self, name: &str, scope: ScopeId) -> Option<&Function> {
        self.scope(scope)
            .and_then(|s| s.functions.get(name))
            .or_else(|| self.scope(PAGE).and_then(|s| s.functions.get(name)))
    }

    /// The value bound to `name` in the current scope, if any.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.value_in(name, self.current)
    }

    /// Runs one statement in the current scope: binds its `let`, then checks each link.
    /// Returns how many links were checked.
    pub fn run(&mut self, stmt: &Stmt) -> Result<usize> {
        match self.bind(stmt)? {
            Some(first) => self.check_links(stmt, first, self.current),
            None => Ok(0),
        }
    }

    /// [`Env::run`] without checking the links: binds the statement's `let` (a function, or
    /// the value of its first side) and returns the first side's value, if it has one. Filling
    /// in a variant's stated values needs the names bound, not the checks that fail while the
    /// values stated are still the author's.
    pub fn bind(&mut self, stmt: &Stmt) -> Result<Option<Value>> {
        // `vary` and `variants` lines are read by the variants stage; `where` is a check.
        if matches!(
            stmt.directive,
            Some(Directive::Vary { .. } | Directive::Variants(_))
        ) {
            return Ok(None);
        }
        if let Some((Binding::Function(name, params), span)) = &stmt.binding {
            self.check_new_name(name, span)?;
            let mut sorted = params.clone();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(VerifyError::new(
                    span.clone(),
                    format!("parameter `{}` appears twice", w[0]),
                ));
            }
            self.check_names(&stmt.first, params)?;
            let f = Function {
                params: params.clone(),
                body: stmt.first.clone(),
                scope: self.current,
            };
            self.current_mut().functions.insert(name.clone(), f);
            return Ok(None);
        }
        let first = self.eval(&stmt.first)?;
        if let Some((Binding::Value(name), span)) = &stmt.binding {
            self.check_new_name(name, span)?;
            self.current_mut()
                .values
                .insert(name.clone(), first.clone());
        }
        Ok(Some(first))
    }

    /// The traced circuit of a `circuit f(…)` statement: `f` at the point, forward and backward.
    pub fn circuit(&self, stmt: &Stmt) -> Result<autodiff::Trace> {
        let ExprKind::Call(name, args) = &stmt.first.kind else {
            return Err(VerifyError::new(
                stmt.first.span.clone(),
                "`circuit` draws a call",
            ));
        };
        let f = self.function_in(name, self.current).ok_or_else(|| {
            VerifyError::new(
                stmt.first.span.clone(),
                format!("`{name}` is not a function defined on this page"),
            )
            .hint(format!("define it first with `let {name}(x, y) = …`"))
        })?;
        if f.params.len() != args.len() {
            return Err(arity(
                name,
                &f.params.len().to_string(),
                args.len(),
                &stmt.first.span,
            ));
        }
        let point = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>>>()?;
        let merge = stmt
            .circuit
            .as_ref()
            .map(|c| c.merge.clone())
            .unwrap_or_default();
        for m in &merge {
            if self.function_in(m, self.current).is_none() {
                return Err(VerifyError::new(
                    stmt.span.clone(),
                    format!("`merge {m}`: `{m}` is not a function defined on this page"),
                )
                .hint("merge names functions defined with `let`, drawn as one gate each"));
            }
        }
        budget::reset(budget::MAX_WORK);
        autodiff::trace(self, f, &point, &merge, &stmt.first.span)
    }

    /// Checks a statement that defines nothing, as seen from `scope` (an inline `{verify}`);
    /// returns how many links were checked.
    pub fn check(&self, stmt: &Stmt, scope: ScopeId) -> Result<usize> {
        if let Some((_, span)) = &stmt.binding {
            return Err(
                VerifyError::new(span.clone(), "an inline check cannot define a name")
                    .hint("define names in a `verify` block; inline, write `name = value`"),
            );
        }
        if stmt.links.is_empty() {
            return Err(
                VerifyError::new(stmt.span.clone(), "this check checks nothing")
                    .hint("write `expr = value`"),
            );
        }
        let first = self.eval_in_scope(&stmt.first, scope)?;
        self.check_links(stmt, first, scope)
    }

    /// Checks each link of a statement's chain, `first` being the first side's value.
    fn check_links(&self, stmt: &Stmt, first: Value, scope: ScopeId) -> Result<usize> {
        let mut previous = first;
        let mut left = &stmt.first;
        for (rel, right) in &stmt.links {
            let value = self.eval_in_scope(right, scope)?;
            // A step that rounds what it carries (`4 * p ≈ 4 * [0.6037, …]`) is checked by its
            // claims at the decimals written; its two sides differ by that rounding.
            let compared = !(*rel == Rel::Approx && check::fully_claimed(left, right));
            // A call's written-out body first: a wrong number there is the cause of a
            // difference in the whole, and names itself.
            check::body_claims(self, scope, left, *rel, right)?;
            if compared {
                check::compare(left, &previous, *rel, right, &value)?;
            }
            check::claims(self, scope, left, *rel, right, compared)?;
            previous = value;
            left = right;
        }
        Ok(stmt.links.len())
    }

    fn check_new_name(&self, name: &str, span: &Range<usize>) -> Result<()> {
        let taken = |s: &Scope| s.values.contains_key(name) || s.functions.contains_key(name);
        if self.scope(self.current).is_some_and(taken) || self.scope(PAGE).is_some_and(taken) {
            let place = if self.current == PAGE {
                "on this page"
            } else {
                "in this exercise or on its page"
            };
            return Err(VerifyError::new(
                span.clone(),
                format!("`{name}` is already defined {place}"),
            )
            .hint(
                "names cannot be redefined; pick another name, or drop `let` to check the value",
            ));
        }
        if BUILTINS.contains(&name) {
            return Err(VerifyError::new(
                span.clone(),
                format!("`{name}` is a built-in function"),
            ));
        }
        if CONSTANTS.contains(&name) {
            return Err(
                VerifyError::new(span.clone(), format!("`{name}` is a built-in constant"))
                    .hint("`e` is Euler's number and `π` (or `pi`) is pi; pick another name"),
            );
        }
        Ok(())
    }

    /// A function body may use its parameters, names defined before it and other functions.
    fn check_names(&self, e: &Expr, params: &[String]) -> Result<()> {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Name(n)
                    if !params.contains(n)
                        && self.value(n).is_none()
                        && ops::constant(n).is_none()
                        && self.function_in(n, self.current).is_none() =>
                {
                    return Err(self.unknown(n, &e.span, self.current));
                }
                _ => {}
            }
            // Only functions defined before this one may be called, so no function can call
            // itself, directly or through another: evaluation always ends.
            if let Some(f) = e.function_name() {
                if self.function_in(f, self.current).is_none() && !BUILTINS.contains(&f) {
                    return Err(VerifyError::new(
                        e.span.clone(),
                        format!("`{f}` is not a function defined before this one"),
                    )
                    .hint(
                        "a function can call built-ins and functions defined above it, not itself",
                    ));
                }
            }
            stack.extend(e.children());
        }
        Ok(())
    }

    fn unknown(&self, name: &str, span: &Range<usize>, scope: ScopeId) -> VerifyError {
        let mut names: Vec<&str> = Vec::new();
        for s in [scope, PAGE].into_iter().filter_map(|id| self.scope(id)) {
            names.extend(
                s.values
                    .keys()
                    .chain(s.functions.keys())
                    .map(String::as_str),
            );
        }
        // A name of another exercise: names do not carry across exercises (scopes are
        // numbered as the exercises stand on the page, from 1).
        let mut elsewhere: Vec<ScopeId> = self
            .scopes
            .iter()
            .filter(|(id, s)| {
                **id != PAGE
                    && **id != scope
                    && (s.values.contains_key(name) || s.functions.contains_key(name))
            })
            .map(|(id, _)| *id)
            .collect();
        elsewhere.sort_unstable();
        if let Some(first) = elsewhere.first() {
            let here = if scope == PAGE {
                "outside any exercise".to_string()
            } else {
                format!("in exercise {scope}")
            };
            return VerifyError::new(
                span.clone(),
                format!(
                    "`{name}` is not defined {here}: it is defined in exercise {first} of this \
                     page, and names do not carry across exercises"
                ),
            )
            .hint(if scope == PAGE {
                format!(
                    "an exercise's names are seen only inside it; to use `{name}` here, define \
                     it outside any exercise (before the exercise, which then sees it too)"
                )
            } else {
                format!(
                    "define `{name}` again in this exercise, or define it on the page outside \
                     any exercise so every exercise after it sees it"
                )
            });
        }
        let err = VerifyError::new(span.clone(), format!("`{name}` is not defined"));
        match crate::load::yaml::nearest(name, &names) {
            Some(best) => err.hint(format!(
                "did you mean `{best}`? (define new names with `let {name} = …`)"
            )),
            None => err.hint(format!("define it first with `let {name} = …`")),
        }
    }

    /// Evaluates an expression in the current scope. Every top-level expression (each side of
    /// a check, each inline `{eval}`) gets its own work budget, however many came before it.
    pub fn eval(&self, e: &Expr) -> Result<Value> {
        self.eval_in_scope(e, self.current)
    }

    /// Evaluates an expression as seen from `scope`.
    pub fn eval_in_scope(&self, e: &Expr, scope: ScopeId) -> Result<Value> {
        budget::reset(budget::MAX_WORK);
        let mut walk = Walk::new(self);
        let root = walk.expr(e, &Frame::top(scope))?;
        Ok(walk.take(root))
    }

    /// Calls `f` on values (for finite differences): a fresh walk, within the current budget.
    pub(super) fn call(&self, f: &Function, point: &[Value], span: &Range<usize>) -> Result<Value> {
        let mut walk = Walk::new(self);
        let locals = f
            .params
            .iter()
            .zip(point)
            .map(|(p, v)| Ok((p.as_str(), walk.leaf(v.clone(), false, span)?)))
            .collect::<Result<_>>()?;
        let root = walk.expr(
            &f.body,
            &Frame {
                locals: &locals,
                scope: f.scope,
            },
        )?;
        Ok(walk.take(root))
    }
}

/// One recorded operation: its value, what made it, from which nodes.
pub(super) struct Node {
    /// The value computed.
    pub value: Value,
    /// The operation.
    pub op: Op,
    /// The input nodes (most operations have one or two: no allocation for them).
    pub inputs: SmallVec<[usize; 2]>,
    /// True when a gradient must flow back through this node (it depends on a parameter).
    pub needs_grad: bool,
    /// Where the operation is written, for errors of the backward pass.
    pub span: Range<usize>,
}

/// The nodes a function's parameters stand for while its body is inlined, by name (FxHash:
/// looked up for every name the body reads).
pub(super) type Locals<'l> = FxHashMap<&'l str, usize>;

/// What names mean at a point of the walk: the parameters of the function being inlined, and
/// the scope the body was written in.
pub(super) struct Frame<'l> {
    pub locals: &'l Locals<'l>,
    pub scope: ScopeId,
}

impl Frame<'_> {
    fn top(scope: ScopeId) -> Frame<'static> {
        static EMPTY: std::sync::OnceLock<Locals<'static>> = std::sync::OnceLock::new();
        Frame {
            locals: EMPTY.get_or_init(Locals::default),
            scope,
        }
    }
}

/// One evaluation: the tape it records and how deep it is.
pub(super) struct Walk<'e> {
    pub env: &'e Env,
    pub tape: Vec<Node>,
    nesting: usize,
    /// Functions recorded as one gate instead of inlined (`circuit … merge σ`).
    pub merge: Vec<String>,
    /// Most nodes a drawn circuit may have, and where its `circuit` line is.
    pub gates: Option<(usize, Range<usize>)>,
}

impl<'e> Walk<'e> {
    pub fn new(env: &'e Env) -> Self {
        Walk {
            env,
            // Most expressions of a worked answer record a few dozen operations.
            tape: Vec::with_capacity(32),
            nesting: 0,
            merge: Vec::new(),
            gates: None,
        }
    }

    /// The value of node `i`, moved out of the tape.
    pub fn take(&mut self, i: usize) -> Value {
        std::mem::replace(&mut self.tape[i].value, Value::Scalar(Num::zero()))
    }

    fn push(&mut self, node: Node) -> Result<usize> {
        if let Some((limit, at)) = &self.gates {
            if self.tape.len() >= *limit {
                return Err(super::circuit::too_large(at, &self.merge));
            }
        }
        if self.tape.len() >= MAX_NODES {
            return Err(VerifyError::new(
                node.span.clone(),
                format!("computation takes more than {MAX_NODES} operations"),
            )
            .hint("functions that call each other repeatedly grow exponentially; simplify the circuit"));
        }
        // Copying values into the tape is work too, in proportion to their size.
        budget::charge(1 + node.value.elements().len() as u64 / 8).map_err(linalg(&node.span))?;
        self.tape.push(node);
        Ok(self.tape.len() - 1)
    }

    /// Records a value with no inputs: a literal, a name's value, a parameter.
    pub fn leaf(&mut self, value: Value, needs_grad: bool, span: &Range<usize>) -> Result<usize> {
        self.push(Node {
            value,
            op: Op::Leaf,
            inputs: SmallVec::new(),
            needs_grad,
            span: span.clone(),
        })
    }

    /// Applies `op` to recorded nodes and records the result.
    fn apply(
        &mut self,
        op: Op,
        inputs: SmallVec<[usize; 2]>,
        span: &Range<usize>,
    ) -> Result<usize> {
        let value = {
            let args: SmallVec<[&Value; 2]> = inputs.iter().map(|&i| &self.tape[i].value).collect();
            ops::forward(&op, &args)
        }
        .map_err(linalg(span))?;
        let needs_grad = inputs.iter().any(|&i| self.tape[i].needs_grad);
        self.push(Node {
            value,
            op,
            inputs,
            needs_grad,
            span: span.clone(),
        })
    }

    /// Records `e` and returns its node.
    pub fn expr(&mut self, e: &Expr, frame: &Frame<'_>) -> Result<usize> {
        // Every visit is work, even one that records nothing (`id(x) = x` inlined 2⁴⁰ times).
        budget::charge(1).map_err(linalg(&e.span))?;
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(VerifyError::new(
                e.span.clone(),
                format!("evaluation nested more than {MAX_NESTING} deep"),
            )
            .hint(
                "functions that call functions nest their bodies; split the computation with `let`",
            ));
        }
        let node = stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.expr_inner(e, frame)
        });
        self.nesting -= 1;
        node
    }

    fn expr_inner(&mut self, e: &Expr, frame: &Frame<'_>) -> Result<usize> {
        let span = &e.span;
        if let Some(v) = self.env.overridden(span) {
            if e.is_literal() {
                return self.leaf(v.clone(), false, span);
            }
        }
        match &e.kind {
            ExprKind::Interp(x) => self.expr(x, frame),
            ExprKind::Num(text) => {
                let n = parse_decimal(text).ok_or_else(|| {
                    VerifyError::new(
                        span.clone(),
                        format!("`{text}` is not a number this language can hold"),
                    )
                })?;
                self.leaf(Value::Scalar(Num::Exact(n)), false, span)
            }
            ExprKind::Name(name) => {
                if let Some(&node) = frame.locals.get(name.as_str()) {
                    return Ok(node);
                }
                let value = self
                    .env
                    .value_in(name, frame.scope)
                    .cloned()
                    .or_else(|| ops::constant(name));
                match value {
                    Some(v) => self.leaf(v, false, span),
                    None if self.env.function_in(name, frame.scope).is_some() => {
                        Err(VerifyError::new(
                            span.clone(),
                            format!("`{name}` is a function; call it with arguments"),
                        ))
                    }
                    None => Err(self.env.unknown(name, span, frame.scope)),
                }
            }
            ExprKind::Group(x) => self.expr(x, frame),
            ExprKind::Neg(x) => {
                let a = self.expr(x, frame)?;
                self.apply(Op::Neg, smallvec::smallvec![a], span)
            }
            ExprKind::Transpose(x) => {
                let a = self.expr(x, frame)?;
                self.apply(Op::Transpose, smallvec::smallvec![a], span)
            }
            ExprKind::Binary(op, x, y) => {
                let a = self.expr(x, frame)?;
                self.binary(*op, a, y, span.clone(), frame)
            }
            // Left to right, one operation a term, in a loop: each step's place is the run
            // up to its term, as the nested operations it stands for would have.
            ExprKind::Series(first, rest) => {
                let mut a = self.expr(first, frame)?;
                for (op, y) in rest {
                    a = self.binary(*op, a, y, span.start..y.span.end, frame)?;
                }
                Ok(a)
            }
            ExprKind::List(items) => {
                let nodes = items
                    .iter()
                    .map(|x| self.expr(x, frame))
                    .collect::<Result<SmallVec<_>>>()?;
                self.list(nodes, span)
            }
            ExprKind::Index(x, index) => {
                let a = self.expr(x, frame)?;
                let mut at = Vec::with_capacity(index.len());
                for i in index {
                    let node = self.expr(i, frame)?;
                    at.push(self.integer(node, &i.span)?);
                }
                self.apply(Op::Index(at), smallvec::smallvec![a], span)
            }
            // `expand(A · B)` is `A · B`; only a shown step writes it differently.
            ExprKind::Call(name, args)
                if name == "expand" && self.env.function_in(name, frame.scope).is_none() =>
            {
                match args.as_slice() {
                    [x] if super::literals::expandable(x) => self.expr(x, frame),
                    [_] => Err(super::literals::not_expandable(span)),
                    _ => Err(arity(name, "1", args.len(), span)),
                }
            }
            // `repeat(N, step, x0)`: `step` applied N times (#25, bounded iteration).
            ExprKind::Call(name, args)
                if name == "repeat" && self.env.function_in(name, frame.scope).is_none() =>
            {
                self.repeat(args, frame, span)
            }
            ExprKind::Call(name, args) => {
                let nodes = args
                    .iter()
                    .map(|x| self.expr(x, frame))
                    .collect::<Result<SmallVec<[usize; 2]>>>()?;
                let env: &'e Env = self.env;
                if let Some(f) = env.function_in(name, frame.scope) {
                    if f.params.len() != nodes.len() {
                        return Err(arity(name, &f.params.len().to_string(), nodes.len(), span));
                    }
                    if self.merge.iter().any(|m| m == name) {
                        return self.merged(name, f, nodes, span);
                    }
                    let locals = f.params.iter().map(String::as_str).zip(nodes).collect();
                    return self.expr(
                        &f.body,
                        &Frame {
                            locals: &locals,
                            scope: f.scope,
                        },
                    );
                }
                match Builtin::lookup(name, nodes.len()) {
                    Ok(Some(b)) => self.apply(Op::Call(b), nodes, span),
                    Ok(None) => Err(self.unknown_function(name, frame.scope, span)),
                    Err(want) => Err(arity(name, want, nodes.len(), span)),
                }
            }
            ExprKind::Partial { func, var, args } => {
                self.gradient(func, Some(var), args, false, frame, span)
            }
            ExprKind::Grad(func, args) => self.gradient(func, None, args, false, frame, span),
            ExprKind::NumGrad { func, var, args } => {
                self.gradient(func, var.as_deref(), args, true, frame, span)
            }
        }
    }

    /// `a op y`, `a` already recorded: records `y` and the operation.
    fn binary(
        &mut self,
        op: BinOp,
        a: usize,
        y: &Expr,
        span: Range<usize>,
        frame: &Frame<'_>,
    ) -> Result<usize> {
        let b = self.expr(y, frame)?;
        let op = match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            BinOp::Dot => Op::Dot,
            BinOp::Div => Op::Div,
            BinOp::PowElem => Op::PowElem,
            BinOp::Pow => self.power_op(a, b, y)?,
        };
        let inputs = match op {
            Op::MatPow(_) => smallvec::smallvec![a],
            _ => smallvec::smallvec![a, b],
        };
        self.apply(op, inputs, &span)
    }

    /// A call drawn as one gate: its value, and its local gradients (one per argument, by
    /// backpropagation through its body) as the gate's backward rule.
    fn merged(
        &mut self,
        name: &str,
        f: &Function,
        nodes: SmallVec<[usize; 2]>,
        span: &Range<usize>,
    ) -> Result<usize> {
        let point: Vec<Value> = nodes.iter().map(|&i| self.tape[i].value.clone()).collect();
        let value = self.env.call(f, &point, span)?;
        // Every argument's local gradient from one backward pass through the body.
        let locals = autodiff::gradients(self.env, f, &point, |_| true, span)?;
        let needs_grad = nodes.iter().any(|&i| self.tape[i].needs_grad);
        self.push(Node {
            value,
            op: Op::Merged(name.to_string(), locals),
            inputs: nodes,
            needs_grad,
            span: span.clone(),
        })
    }

    /// `repeat(N, step, x0)`: the page function `step` (of one parameter) applied N times,
    /// starting from `x0`; each step must return a value of `x0`'s shape. Every step charges
    /// the expression's work budget, so a count too large for it is an error at the call, not
    /// a hang. When the start needs a gradient (a `repeat` inside a function being
    /// differentiated) or a circuit is being drawn, the steps are recorded on this tape, so
    /// backpropagation flows through them; otherwise each step runs on a tape of its own and
    /// only its value is kept, so memory does not grow with N.
    fn repeat(&mut self, args: &[Expr], frame: &Frame<'_>, span: &Range<usize>) -> Result<usize> {
        let usage = "write `repeat(N, step, x0)`: N a whole number of steps, `step` a function \
                     of one parameter defined with `let`, x0 the value to start from";
        let [count, step, start] = args else {
            return Err(arity("repeat", "3", args.len(), span).hint(usage));
        };
        let count_node = self.expr(count, frame)?;
        if self.tape[count_node].needs_grad {
            return Err(VerifyError::new(
                count.span.clone(),
                "`repeat`'s number of steps cannot be a variable being differentiated",
            ));
        }
        let n = match &self.tape[count_node].value {
            Value::Scalar(x) => x
                .to_integer()
                .filter(|&n| n >= 0 && !x.is_approx())
                .ok_or_else(|| x.brief()),
            other => Err(format!("a {}", other.shape())),
        }
        .map_err(|what| {
            VerifyError::new(
                count.span.clone(),
                format!("`repeat` runs a whole, non-negative number of steps, not {what}"),
            )
            .hint(usage)
        })? as u64;
        let env: &'e Env = self.env;
        let (f, step_name) = match &step.ungrouped().kind {
            ExprKind::Name(name) => (
                env.function_in(name, frame.scope).ok_or_else(|| {
                    VerifyError::new(
                        step.span.clone(),
                        format!("`{name}` is not a function defined on this page"),
                    )
                    .hint(format!(
                        "define the step first, e.g. `let {name}(w) = w - lr * ∇loss(w)`"
                    ))
                })?,
                name.as_str(),
            ),
            _ => {
                return Err(VerifyError::new(
                    step.span.clone(),
                    "`repeat`'s second argument is the step: the name of a function of one \
                     parameter",
                )
                .hint(usage))
            }
        };
        if f.params.len() != 1 {
            return Err(VerifyError::new(
                step.span.clone(),
                format!(
                    "`{step_name}` takes {} parameters, and `repeat` applies a function of one",
                    f.params.len()
                ),
            )
            .hint(
                "carry several weights in one vector or matrix: `let step(θ) = θ - lr * ∇loss(θ)`, \
                 reading them as `θ[0]`, `θ[1]`, …",
            ));
        }
        let mut x = self.expr(start, frame)?;
        let shape = self.tape[x].value.shape();
        // Each step costs at least a unit of work: a count past the budget cannot finish.
        let out_of_budget = |done: u64| {
            VerifyError::new(
                span.clone(),
                format!(
                    "`repeat` ran out of work after {done} of its {n} steps (one expression may \
                     take {} units of work)",
                    budget::MAX_WORK
                ),
            )
            .hint(
                "take fewer steps or a smaller step function; docs/limits.md gives what a step \
                 costs",
            )
        };
        if n > budget::MAX_WORK {
            return Err(out_of_budget(0));
        }
        let wrong_shape = |got: &Value| {
            VerifyError::new(
                step.span.clone(),
                format!(
                    "`{step_name}` returns a {}, but `repeat` started from a {shape}",
                    got.shape()
                ),
            )
            .hint("a step must return a value of its argument's shape (the next weights)")
        };
        let in_step = |e: VerifyError, i: u64| {
            if budget::left() == 0 {
                return out_of_budget(i);
            }
            let message = format!("{} (in step {} of {n} of `repeat`)", e.message, i + 1);
            VerifyError { message, ..e }
        };
        let record = self.tape[x].needs_grad || self.gates.is_some() || !self.merge.is_empty();
        if record {
            for i in 0..n {
                budget::charge(1).map_err(|_| out_of_budget(i))?;
                let locals = Locals::from_iter([(f.params[0].as_str(), x)]);
                let frame = Frame {
                    locals: &locals,
                    scope: f.scope,
                };
                x = self.expr(&f.body, &frame).map_err(|e| in_step(e, i))?;
                if self.tape[x].value.shape() != shape {
                    return Err(wrong_shape(&self.tape[x].value));
                }
            }
            return Ok(x);
        }
        let mut value = self.tape[x].value.clone();
        for i in 0..n {
            budget::charge(1).map_err(|_| out_of_budget(i))?;
            value = env
                .call(f, std::slice::from_ref(&value), span)
                .map_err(|e| in_step(e, i))?;
            if value.shape() != shape {
                return Err(wrong_shape(&value));
            }
        }
        self.push(Node {
            value,
            op: Op::Opaque,
            inputs: smallvec::smallvec![count_node, x],
            needs_grad: false,
            span: span.clone(),
        })
    }

    /// `^` is the matrix power when the base is a matrix (or a row), else the scalar power.
    fn power_op(&self, base: usize, exponent: usize, exponent_expr: &Expr) -> Result<Op> {
        if matches!(self.tape[base].value, Value::Scalar(_)) {
            return Ok(Op::Pow);
        }
        if matches!(self.tape[base].value, Value::Matrix { .. }) {
            if self.tape[exponent].needs_grad {
                return Err(VerifyError::new(
                    exponent_expr.span.clone(),
                    "a matrix power's exponent cannot be a variable being differentiated",
                ));
            }
            return Ok(Op::MatPow(self.integer(exponent, &exponent_expr.span)?));
        }
        // A vector to a power: elementwise is almost surely meant, but `^` must not guess.
        Ok(Op::Pow)
    }

    /// The whole number at node `i` (an index, a matrix power's exponent).
    fn integer(&self, i: usize, span: &Range<usize>) -> Result<i64> {
        match &self.tape[i].value {
            Value::Scalar(x) => x.to_integer().ok_or_else(|| {
                VerifyError::new(
                    span.clone(),
                    format!("expected a whole number, not {}", x.brief()),
                )
            }),
            other => Err(VerifyError::new(
                span.clone(),
                format!("expected a whole number, not a {}", other.shape()),
            )),
        }
    }

    /// `[scalars]` is a vector, `[vectors]` a matrix, row by row: an operation of its own
    /// (it stacks its items), so gradients flow back into the items.
    fn list(&mut self, nodes: SmallVec<[usize; 2]>, span: &Range<usize>) -> Result<usize> {
        if nodes.is_empty() {
            return self.leaf(Value::Vector(vec![]), false, span);
        }
        self.apply(Op::Stack, nodes, span)
    }

    fn unknown_function(&self, name: &str, scope: ScopeId, span: &Range<usize>) -> VerifyError {
        let mut names: Vec<&str> = BUILTINS.to_vec();
        for s in [scope, PAGE]
            .into_iter()
            .filter_map(|id| self.env.scope(id))
        {
            names.extend(s.functions.keys().map(String::as_str));
        }
        let err = VerifyError::new(span.clone(), format!("unknown function `{name}`"));
        match crate::load::yaml::nearest(name, &names) {
            Some(best) => err.hint(format!("did you mean `{best}`?")),
            None => err.hint(format!("define it with `let {name}(x) = …`")),
        }
    }

    /// `∂f/∂x(point)`, `∇f(point)` or their `numgrad` forms: computed on a tape of its own,
    /// recorded here as one opaque node whose inputs are the point's nodes.
    fn gradient(
        &mut self,
        func: &str,
        var: Option<&str>,
        args: &[Expr],
        numeric: bool,
        frame: &Frame<'_>,
        span: &Range<usize>,
    ) -> Result<usize> {
        let env: &'e Env = self.env;
        let f = env.function_in(func, frame.scope).ok_or_else(|| {
            VerifyError::new(
                span.clone(),
                format!("`{func}` is not a function defined on this page"),
            )
            .hint(format!("define it first with `let {func}(x, y) = …`"))
        })?;
        if f.params.len() != args.len() {
            return Err(arity(func, &f.params.len().to_string(), args.len(), span));
        }
        let nodes = args
            .iter()
            .map(|a| self.expr(a, frame))
            .collect::<Result<SmallVec<[usize; 2]>>>()?;
        let point: Vec<Value> = nodes.iter().map(|&i| self.tape[i].value.clone()).collect();
        let which = match var {
            Some(v) => {
                autodiff::Wrt::One(f.params.iter().position(|p| p == v).ok_or_else(|| {
                    VerifyError::new(span.clone(), format!("`{func}` has no parameter `{v}`"))
                        .hint(format!("its parameters are {}", f.params.join(", ")))
                })?)
            }
            None => autodiff::Wrt::All,
        };
        let value = if numeric {
            autodiff::finite_difference(env, func, f, &point, which, span)?
        } else {
            autodiff::backprop(env, f, &point, which, span)?
        };
        let needs_grad = nodes.iter().any(|&i| self.tape[i].needs_grad);
        self.push(Node {
            value,
            op: Op::Opaque,
            inputs: nodes,
            needs_grad,
            span: span.clone(),
        })
    }
}

/// An arity error: `want` says how many arguments `name` takes ("2", "1 or 2 arguments").
pub(super) fn arity(name: &str, want: &str, got: usize, span: &Range<usize>) -> VerifyError {
    let want = match want.parse::<usize>() {
        Ok(1) => "1 argument".to_string(),
        Ok(n) => format!("{n} arguments"),
        Err(_) => want.to_string(),
    };
    VerifyError::new(span.clone(), format!("`{name}` takes {want}, not {got}"))
}
