//! Tests of gradients through vectors and matrices, the operations worked answers of a
//! neural-network course use, and the rules that keep a wrong number from passing.

use super::tests::{fails, fails_last, passes, run};

const NET: &str = "let W = [[1, 2], [3, 4]]\nlet x = [1, -1]\nlet f(W, x) = sum(W · x)\n";

#[test]
fn gradients_have_the_shape_of_their_parameter() {
    passes(&format!(
        "{NET}∂f/∂W(W, x) = [[1, -1], [1, -1]]\n∂f/∂x(W, x) = [4, 6]"
    ));
    passes(&format!(
        "{NET}numgrad ∂f/∂W(W, x) ≈ ∂f/∂W(W, x)\nnumgrad ∂f/∂x(W, x) ≈ [4.000, 6.000]"
    ));
    // One parameter: ∇ has its shape.
    passes(
        "let g(v) = sum(v * v)\n∇g([1, 2]) = [2, 4]\n∇g([3]) = [6]\nlet h(s) = s * s\n∇h(3) = 6",
    );
    fails(
        &format!("{NET}∇f(W, x) = 1"),
        "`∇` of a function of several parameters that are not all scalars has no single shape",
        "∇f",
    );
    fails(
        &format!("{NET}∂f/∂W(W, x) = [[1, -1], [1, -2]]"),
        "check failed: computed [[1, -1], [1, -1]], but the page states [[1, -1], [1, -2]]",
        "[[1, -1], [1, -2]]",
    );
}

#[test]
fn a_body_may_use_names_defined_before_it_as_constants() {
    passes("let A = [[2, 1], [1, 3]]\nlet q(x) = x · (A · x)\n∇q([1, 2]) = (A + Aᵀ) · [1, 2] = [8, 14]");
}

#[test]
fn column_vectors_and_rows() {
    let given = "let dout = [1, 2]\nlet x = [3, -1, 0]\n";
    passes(&format!("{given}dout · xᵀ = [[3, -1, 0], [6, -2, 0]]"));
    passes(&format!(
        "{given}xᵀ · x = 10\nx · x = 10\nxᵀ = [[3, -1, 0]]"
    ));
    passes(&format!(
        "{given}(xᵀ)ᵀ = x\nxᵀ · [[1, 0], [0, 1], [1, 1]] = [[3, -1]]"
    ));
    fails_last(
        &format!("{given}xᵀ = [3, -1, 0]"),
        "check failed: computed [[3, -1, 0]], but the page states [3, -1, 0]",
        "[3, -1, 0]",
    );
    fails(
        &format!("{given}x · [[1, 0], [0, 1], [1, 1]] = 1"),
        "shape mismatch: `·` cannot combine a vector of length 3 with a 3×2 matrix",
        "x · [[1",
    );
}

#[test]
fn every_tensor_operation_agrees_with_finite_differences() {
    let given =
        "let W0 = [[0.5, -1], [2, 0.25], [1, 1]]\nlet x0 = [1.5, -0.5]\nlet y = [0, 1, 0]\n";
    for body in [
        "sum(W · x)",
        "sum(ReLU(W · x))",
        "sum(sigmoid(W · x) * y)",
        "sum(tanh(W · x)) + sum(x * x)",
        "-log(softmax(W · x)[1])",
        "-sum(y * log(softmax(W · x)))",
        "max(W · x) + min(W · x)",
        "mean(exp(W · x / 4))",
        "norm(W · x)",
        "sum(max(W · x, 0.1))",
        "sum((W · x) .^ 2)",
        "(Wᵀ · (W · x))[0]",
        "W[2, 1] * x[0] + sum(W[1])",
        "sum(outer(W · x, x))",
        "trace(Wᵀ · W) + det(Wᵀ · W)",
        "sum(inv(Wᵀ · W + eye(2)))",
        "sum(diag(x) · x) + sum(diag(Wᵀ · W))",
        "sum(abs(W · x - 1))",
        "sum((Wᵀ · W)^2)",
        "sum([x[0], x[1] * 2] * x)",
        "sum(sqrt((W · x) * (W · x) + 1))",
        "sum(W · x / (x[0] + 3))",
    ] {
        passes(&format!(
            "{given}let f(W, x) = {body}\n\
             numgrad ∂f/∂W(W0, x0) ≈ ∂f/∂W(W0, x0)\n\
             numgrad ∂f/∂x(W0, x0) ≈ ∂f/∂x(W0, x0)"
        ));
    }
}

#[test]
fn exact_circuits_have_exact_gradients() {
    // `=` accepts only exact values, so these pass only if backprop stayed exact.
    passes("let f(W, x) = sum((W · x) .^ 2)\n∂f/∂x([[1, 2], [3, 4]], [1, 1]) = [48, 68]");
    passes("let f(A) = det(A)\n∇f([[1, 2], [3, 4]]) = [[4, -3], [-2, 1]]\n∇f([[1, 2], [2, 4]]) = [[4, -2], [-2, 1]]");
    passes("let f(v) = log(v[0])\n∇f([2, 5]) = [0.5, 0]");
}

#[test]
fn softmax_cross_entropy_gradient_is_p_minus_y() {
    passes(
        "let s = [1, 2, 3]\nlet y = [0, 1, 0]\nlet L(s) = -log(softmax(s)[1])\n\
         let p = softmax(s)\n∇L(s) ≈ p - y\np ≈ [0.09, 0.245, 0.665]\np[2] > p[1]\nsum(p) ≈ 1",
    );
    // Invariance: a claim about two computed values, checked as written.
    passes("let s = [1, 2, 3]\nsoftmax(s) ≈ softmax(s - 789)\nsoftmax(s - max(s)) ≈ softmax(s)");
    // `=` between two computed values is an identity, compared at the float tolerance
    // (#25); only a written literal must say its decimals with `≈`.
    passes("let s = [1, 2, 3]\nsoftmax(s) = softmax(s - 789)");
    fails(
        "let s = [1, 2, 3]\nsoftmax(s) = [0.090031, 0.244728, 0.665241]",
        "`=` with an approximate value: computed [0.09003057, 0.24472847, 0.66524096], the page states [0.090031, 0.244728, 0.665241]",
        "[0.090031",
    );
}

#[test]
fn indexing_is_zero_based() {
    let given = "let p = [0.5, 0.25, 0.25]\nlet W = [[1, 2, 3], [4, 5, 6]]\n";
    passes(&format!(
        "{given}p[0] = 0.5\np[-1] = 0.25\nW[1, 2] = 6\nW[1] = [4, 5, 6]\nW[0][1] = 2"
    ));
    fails(
        &format!("{given}p[3] = 0"),
        "index 3 is outside the vector (indices start at 0, as in NumPy: the last is 2)",
        "p[3]",
    );
    fails(
        &format!("{given}W[0, 3] = 0"),
        "index 3 is outside the matrix's columns (indices start at 0, as in NumPy: the last is 2)",
        "W[0, 3]",
    );
    fails(
        &format!("{given}p[0.5] = 0"),
        "expected a whole number, not 0.5",
        "0.5]",
    );
}

#[test]
fn reductions_constructors_and_matrix_functions() {
    passes("max([1, 5, 2]) = 5\nmin([1, 5, 2]) = 1\nargmax([1, 5, 2]) = 1\nargmin([1, 5, 2]) = 0");
    passes("mean([1, 2, 3, 6]) = 3\nnorm([3, 4]) = 5\nnorm([1, 1]) ≈ 1.414");
    passes("zeros(2) = [0, 0]\nones(2, 3) = [[1, 1, 1], [1, 1, 1]]\neye(2) = [[1, 0], [0, 1]]");
    passes("diag([1, 2]) = [[1, 0], [0, 2]]\ndiag([[1, 2], [3, 4]]) = [1, 4]\ntrace([[1, 2], [3, 4]]) = 5");
    passes("det([[1, 2], [3, 4]]) = -2\ninv([[1, 2], [3, 4]]) = [[-2, 1], [1.5, -0.5]]\ninv([[2, 0], [0, 4]]) · [[2, 0], [0, 4]] = eye(2)");
    passes("e ≈ 2.718\nπ ≈ 3.14159\npi ≈ 3.1416\nexp(1) ≈ e");
    passes("let s = [3, 1]\ns - max(s) = [0, -2]\ns - 789 = [-786, -788]\n2 * s + 1 = [7, 3]");
    fails(
        "inv([[1, 2], [2, 4]]) = 0",
        "the matrix is singular (its determinant is 0): it has no inverse",
        "inv",
    );
    fails("let e = 1", "`e` is a built-in constant", "e = 1");
}

#[test]
fn order_relations_must_hold() {
    passes("1 < 2\n2 > 1\n2 ≤ 2\n2 >= 2\n[1, 2] < [2, 3]\nsigmoid(1) > 0.5\n0 ≤ [0, 1]");
    fails_last(
        "let loss1 = 2.9\nlet loss2 = 3.1\nloss1 > loss2",
        "check failed: the left side is 2.9, but the right side is 3.1",
        "loss2",
    );
    fails(
        "[1, 3] < [2, 3] = 1",
        "check failed: computed [1, 3], but the page states [2, 3]",
        "[2, 3]",
    );
}

#[test]
fn matrix_power_is_not_elementwise() {
    let given = "let A = [[1, 1], [0, 1]]\n";
    passes(&format!("{given}A^2 = A · A = [[1, 2], [0, 1]]\nA .^ 2 = [[1, 1], [0, 1]]\nA^0 = eye(2)\nA^-1 = [[1, -1], [0, 1]]"));
    fails_last(
        &format!("{given}A^2 = [[1, 1], [0, 1]]"),
        "check failed: computed [[1, 2], [0, 1]], but the page states [[1, 1], [0, 1]]",
        "[[1, 1], [0, 1]]",
    );
    fails(
        "[1, 2]^2 = [1, 4]",
        "shape mismatch: `^` cannot combine a vector of length 2 with a scalar",
        "[1, 2]^2",
    );
    passes("[1, 2] .^ 2 = [1, 4]");
}

#[test]
fn equals_means_exact() {
    for (wrong, at) in [
        ("exp(1) = 3", "3"),
        ("sqrt(2) = 1", "1"),
        ("sigmoid(2) = 1", "1"),
        ("e = 2.718281828459045", "2.718"),
    ] {
        let (message, span) = run(wrong).expect_err(wrong);
        assert!(
            message.starts_with("`=` with an approximate value"),
            "{wrong}: {message}"
        );
        assert_eq!(span.start, wrong.rfind(at).unwrap(), "{wrong}");
    }
    // Where the function's value is rational, it is exact.
    passes(
        "exp(0) = 1\nsqrt(9/4) = 3/2\nsigmoid(0) = 0.5\ntanh(0) = 0\nlog(1) = 0\nsqrt(2) ≈ 1.41",
    );
}

#[test]
fn a_literal_claims_the_value_of_what_it_stands_for() {
    let given = "let a = 2.9\nlet b = -3.5\n";
    passes(&format!(
        "{given}max(0, a) + max(0, b) = max(0, 2.9) + max(0, -3.5) = 2.9"
    ));
    // Both sides are 2.9, but -3.4 is not b.
    fails(
        &format!("{given}max(0, a) + max(0, b) = max(0, 2.9) + max(0, -3.4) = 2.9"),
        "check failed: `b` computes -3.5, but the page states -3.4",
        "-3.4",
    );
    // A zero in v hides the wrong entry of W · V from the product, not from the claim.
    let wv = "let W = [[1, 2], [3, 4]]\nlet V = [[1, 0], [0, 1]]\nlet v = [1, 0]\n";
    passes(&format!("{wv}W · V · v = [[1, 2], [3, 4]] · v = [1, 3]"));
    fails(
        &format!("{wv}W · V · v = [[1, 2], [3, 5]] · v = [1, 3]"),
        "check failed: `W · V` computes [[1, 2], [3, 4]], but the page states [[1, 2], [3, 5]]",
        "[[1, 2], [3, 5]]",
    );
    // Two literals state nothing but their values.
    passes("max(1, 2) = max(2, 1)");
    passes(&format!("{given}a * 2 ≈ 2.9 * 2"));
}

#[test]
fn each_entry_compares_at_its_own_decimals() {
    // Each entry at its decimals, the whole within 5 % (here 2.8 %).
    passes("[0.72, 0.042, 0.238] ≈ [0.7, 0.04, 0.24]");
    fails(
        "[0.76, 0.042, 0.258] ≈ [0.7, 0.04, 0.26]",
        "check failed: computed [0.76, 0.042, 0.258], but the page states [0.7, 0.04, 0.26]",
        "[0.7,",
    );
    fails(
        "[0.74, 0.046, 0.258] ≈ [0.7, 0.04, 0.26]",
        "check failed: computed [0.74, 0.046, 0.258], but the page states [0.7, 0.04, 0.26]",
        "[0.7,",
    );
}

#[test]
fn no_nan_or_infinity_reaches_a_comparison() {
    passes("softmax([1e400, 0]) ≈ [1, 0]");
    fails(
        "softmax([1e400, 0]) ≈ [0, 0]",
        "check failed: computed [1.00, 0.00], but the page states [0, 0]",
        "[0, 0]",
    );
    let (message, _) = run("let f(x) = x * 1e400\nnumgrad f(1) ≈ 0").unwrap_err();
    assert!(
        message.contains("beyond the floating-point range"),
        "{message}"
    );
    let (message, _) = run("exp(1000) ≈ 1").unwrap_err();
    assert!(
        message.contains("beyond the floating-point range"),
        "{message}"
    );
    let (message, _) = run("exp(1e400) ≈ 1").unwrap_err();
    assert!(
        message.contains("beyond the floating-point range"),
        "{message}"
    );
}

#[test]
fn tolerance_between_computed_values_is_relative() {
    fails(
        "exp(-20) ≈ exp(-15)",
        "check failed: the left side is 2.061153622438558e-9, but the right side is 3.059023205018258e-7",
        "exp(-15)",
    );
    passes("exp(-20) ≈ exp(-20) * (1 + 1e-9)");
    // A zero gradient and its finite-difference estimate agree.
    passes("let f(x, y) = exp(x) * 0 + y * y\nnumgrad f(1, 0) ≈ ∇f(1, 0)");
}

#[test]
fn domain_errors_say_so() {
    fails(
        "log(0) ≈ 0",
        "log is not defined at 0 (its domain is x > 0)",
        "log",
    );
    fails(
        "(-8)^(1/3) ≈ -2",
        "-8 to the power 1/3 has no real value (a negative number to a fractional power)",
        "(-8)",
    );
    passes("1^100000 = 1\n(-1)^100001 = -1\n0^100000 = 0");
}

#[test]
fn huge_values_are_abbreviated_in_messages() {
    let (message, _) = run("10^600 = 1").unwrap_err();
    assert!(message.len() < 200, "{message}");
    let big = format!("let v = [{}]\nv = v + 1", vec!["1"; 5000].join(", "));
    let (message, _) = run(&big).unwrap_err();
    assert!(message.len() < 300, "{message}");
}

#[test]
fn pathological_inputs_end_with_an_error() {
    // Each of these aborted the process or ran for seconds to forever.
    let nested = format!("{}1{} = 300", "1 + (".repeat(299), ")".repeat(299));
    let (message, span) = run(&nested).unwrap_err();
    assert!(message.contains("nested more than 200 deep"), "{message}");
    assert!(span.start > 0);
    let transposes = format!("let x = [1]\nx{} = x", "ᵀ".repeat(2000));
    assert!(run(&transposes).unwrap_err().0.contains("nested more than"));
    let mut chain = String::from("let id(x) = x\nlet g1(x) = id(id(x))\n");
    for i in 2..=40 {
        chain.push_str(&format!("let g{i}(x) = g{}(g{}(x))\n", i - 1, i - 1));
    }
    let (message, _) = run(&format!("{chain}∇g40(1) = 1")).unwrap_err();
    assert!(message.contains("units of work"), "{message}");
    let hilbert: Vec<String> = (0..100)
        .map(|i| {
            let row: Vec<String> = (0..100).map(|j| format!("1/{}", i + j + 1)).collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    let h = format!("let H = [{}]\nH · H · H = H", hilbert.join(", "));
    let (message, _) = run(&h).unwrap_err();
    assert!(message.contains("units of work"), "{message}");
}

/// Issue #26, item 5: a run of `+ -` or `* · /` is flat, however long; only real nesting
/// counts against the depth limit.
#[test]
fn flat_sums_and_products_of_any_length_verify() {
    let terms: Vec<String> = (1..=5000).map(|i| (i % 7).to_string()).collect();
    let total: usize = (1..=5000).map(|i| i % 7).sum();
    passes(&format!("{} = {total}", terms.join(" + ")));
    // Signs alternate: `1 - 2 + 3 - …` is ((1 - 2) + 3) - …, left to right.
    let mut alternating = String::from("0");
    let mut value: i64 = 0;
    for i in 1..=5000i64 {
        let sign = if i % 2 == 0 { '+' } else { '-' };
        alternating.push_str(&format!(" {sign} {i}"));
        value += if i % 2 == 0 { i } else { -i };
    }
    passes(&format!("{alternating} = {value}"));
    passes(&format!("{} · 3 / 3 = 1", vec!["1"; 5000].join(" · ")));
    // A long sum inside a function, differentiated; and each literal term claims its own.
    let xs = vec!["x"; 5000].join(" + ");
    passes(&format!(
        "let f(x) = {xs}\n∇f(2) = 5000\nnumgrad f(2) ≈ 5000.000\nlet a = 2\n{} = {} = 10000",
        vec!["a"; 5000].join(" + "),
        vec!["2"; 5000].join(" + ")
    ));
    // Two wrong terms that cancel: the sums agree, the claims do not.
    let mut wrong = vec!["2"; 5000];
    wrong[100] = "1";
    wrong[4321] = "3";
    let (message, _) = run(&format!(
        "let a = 2\n{} = {}",
        vec!["a"; 5000].join(" + "),
        wrong.join(" + ")
    ))
    .unwrap_err();
    assert_eq!(
        message,
        "check failed: `a` computes 2, but the page states 3"
    );
    // Real nesting is still limited.
    let deep = format!("{}1{} = 1", "(".repeat(300), ")".repeat(300));
    assert!(run(&deep)
        .unwrap_err()
        .0
        .contains("nested more than 200 deep"));
}

#[test]
fn a_run_pairs_with_a_shorter_run_from_the_right() {
    // `W · V · v` against `[[…]] · v`: the literal claims the run before `v`, `W · V`.
    let wv = "let W = [[1, 2], [3, 4]]\nlet V = [[1, 0], [0, 1]]\nlet v = [1, 0]\n";
    let long = format!("{} · v", vec!["V"; 300].join(" · "));
    passes(&format!("{wv}W · {long} = [[1, 2], [3, 4]] · v = [1, 3]"));
    fails(
        &format!("{wv}W · {long} = [[1, 2], [3, 5]] · v = [1, 3]"),
        "check failed: `W · V · V · V · V · V · V · V · V · V · V · V · V · V · V ·…` computes [[1, 2], [3, 4]], but the page states [[1, 2], [3, 5]]",
        "[[1, 2], [3, 5]]",
    );
}

#[test]
fn an_unclosed_bracket_is_reported_where_it_opens() {
    fails(
        "let W = [[1, 2], [3, 4]\nlet x = 1",
        "this `[` is never closed",
        "[[1, 2]",
    );
}

#[test]
fn names_are_scoped_per_exercise() {
    use super::eval::Env;
    use super::lexer::lex;
    use super::parser::parse;
    let mut env = Env::default();
    let stmts = |src: &str| parse(&lex(src, 0).unwrap()).unwrap();
    env.run(&stmts("let W = 2")[0]).unwrap();
    let first = env.new_scope();
    env.run(&stmts("let dz = W * 3")[0]).unwrap();
    env.new_scope();
    env.run(&stmts("let dz = W * 4")[0]).unwrap();
    let err = env.run(&stmts("let W = 1")[0]).unwrap_err();
    assert_eq!(
        err.message,
        "`W` is already defined in this exercise or on its page"
    );
    env.set_scope(first);
    env.run(&stmts("dz = 6")[0]).unwrap();
    env.set_scope(super::eval::PAGE);
    assert!(env.run(&stmts("dz = 6")[0]).is_err());
}

#[test]
fn the_benchmarked_two_layer_block_passes() {
    let bench = include_str!("../../benches/verify.rs");
    let start = bench.find("const TWO_LAYER: &str = \"").unwrap() + 25;
    let end = start + bench[start..].find("\";").unwrap();
    passes(&bench[start..end]);
}

#[test]
fn every_verify_block_in_the_language_reference_passes() {
    let doc = include_str!("../../docs/verify.md");
    let mut blocks = 0;
    for (i, _) in doc.match_indices("```verify\n") {
        let start = i + "```verify\n".len();
        let end = start + doc[start..].find("```").unwrap();
        passes(&doc[start..end]);
        blocks += 1;
    }
    assert!(blocks >= 2, "found {blocks} blocks");
}

#[test]
fn a_step_may_carry_rounded_values() {
    let p = "let p = softmax([2, 1.5, -1])\n";
    passes(&format!(
        "{p}4 * p ≈ 4 * [0.6037, 0.3662, 0.0301] ≈ [2.4148, 1.4648, 0.1204]"
    ));
    passes(&format!("{p}-log(p[0]) ≈ -log(0.6037)"));
    // Each rounded literal is still checked at its decimals.
    fails(
        &format!("{p}4 * p ≈ 4 * [0.6037, 0.3672, 0.0301]"),
        "check failed: `p` computes [0.603749, 0.366192, 0.030059], but the page states [0.6037, 0.3672, 0.0301]",
        "[0.6037, 0.3672",
    );
    // Where the sides differ otherwise, the values are compared as before.
    fails(
        &format!("{p}let q = p\n4 * p ≈ 4 * q + 0.001"),
        "check failed: the left side is [2.414996, 1.464769, 0.120236], but the right side is [2.415996, 1.465769, 0.121236]",
        "4 * q",
    );
}

mod shapes {
    //! Structure-aware properties: expressions built from the grammar, long and deep, end
    //! with a pass or a located error — never an abort — and in bounded time.
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    const PRELUDE: &str = "let x = [1, -2]\nlet W = [[1, 2], [3, 4]]\nlet s = 3\n\
        let f(a, b) = sum(a * b) + max(a)\n";

    fn leaf() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "x",
            "W",
            "s",
            "1",
            "-2.5",
            "0",
            "1e300",
            "[1, 2]",
            "[[1, 0], [0, 1]]",
            "e",
            "π",
        ])
        .prop_map(str::to_string)
    }

    fn expr() -> impl Strategy<Value = String> {
        leaf().prop_recursive(12, 256, 4, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "*", "·", "/", "^", ".^"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                (
                    prop::sample::select(vec![
                        "exp",
                        "log",
                        "sqrt",
                        "ReLU",
                        "softmax",
                        "sum",
                        "max",
                        "norm",
                        "inv",
                        "det",
                        "transpose",
                        "argmax",
                        "mean"
                    ]),
                    inner.clone()
                )
                    .prop_map(|(f, a)| format!("{f}({a})")),
                inner.clone().prop_map(|a| format!("{a}ᵀ")),
                (inner.clone(), 0i64..3).prop_map(|(a, i)| format!("{a}[{i}]")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("f({a}, {b})")),
            ]
        })
    }

    /// A chain of `n` copies of `part` joined by `op`, or nested `n` deep.
    fn long_or_deep() -> impl Strategy<Value = String> {
        (
            expr(),
            1usize..3000,
            prop::bool::ANY,
            prop::sample::select(vec!["+", "·", "*"]),
        )
            .prop_map(|(part, n, deep, op)| {
                if deep {
                    format!("{}{part}{}", "(".repeat(n), ")".repeat(n))
                } else {
                    vec![part; n.min(400)].join(&format!(" {op} "))
                }
            })
    }

    fn ends_in_time(src: &str) {
        let start = Instant::now();
        let _ = super::run(&format!("{PRELUDE}{src}"));
        // Generous: a debug build on a shared machine; an abort or a hang fails outright.
        assert!(start.elapsed() < Duration::from_secs(20), "{src:.200}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn grammar_shaped_checks_end(a in expr(), b in expr()) {
            ends_in_time(&format!("{a} = {b}\n∇f({a}, {b}) ≈ numgrad f({a}, {b})"));
        }

        #[test]
        fn long_and_deep_expressions_end(e in long_or_deep()) {
            ends_in_time(&format!("{e} = 1"));
        }
    }
}
