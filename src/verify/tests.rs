//! Language tests as tables: each construct, and each error with its message and span.

use super::eval::Env;
use super::lexer::lex;
use super::parser::parse;

/// Runs `src` as one block and returns the number of checked links or the first error.
pub(super) fn run(src: &str) -> Result<usize, (String, std::ops::Range<usize>)> {
    let stmts = lex(src, 0)
        .and_then(|t| parse(&t))
        .map_err(|e| (e.message, e.span))?;
    let mut env = Env::default();
    let mut checks = 0;
    for s in &stmts {
        checks += env.run(s).map_err(|e| (e.message, e.span))?;
    }
    Ok(checks)
}

#[track_caller]
pub(super) fn passes(src: &str) {
    if let Err((message, span)) = run(src) {
        panic!("expected `{src}` to pass, got {message} at {span:?}");
    }
}

#[track_caller]
pub(super) fn fails(src: &str, message: &str, at: &str) {
    let (got, span) = run(src).expect_err("expected the block to fail");
    assert_eq!(got, message, "message for `{src}`");
    let start = src.find(at).expect("the located text is in the source");
    assert_eq!(span.start, start, "span of `{src}` should start at `{at}`");
}

/// Like [`fails`], located at the last occurrence of `at` (the value a chain ends with).
#[track_caller]
pub(super) fn fails_last(src: &str, message: &str, at: &str) {
    let (got, span) = run(src).expect_err("expected the block to fail");
    assert_eq!(got, message, "message for `{src}`");
    let start = src.rfind(at).expect("the located text is in the source");
    assert_eq!(
        span.start, start,
        "span of `{src}` should start at the last `{at}`"
    );
}

#[test]
fn the_step_budget_is_per_expression_not_per_page() {
    let stmts = parse(&lex("let f(x) = x * x + x", 0).unwrap()).unwrap();
    let mut env = Env::default();
    env.run(&stmts[0]).unwrap();
    let call = super::parser::parse_expr(&lex("f(3)", 0).unwrap()).unwrap();
    // Far more evaluations than one budget allows in total, each well within its own.
    for _ in 0..200_000 {
        assert!(env.eval(&call).is_ok());
    }
}

#[test]
fn exact_arithmetic() {
    passes("0.1 + 0.2 = 0.3");
    passes("1/3 + 1/3 + 1/3 = 1");
    passes("(3.01 - 1) * 2 = 4.02");
    passes("2^10 = 1024\n2^-2 = 0.25");
}

#[test]
fn the_sample_chain_checks_every_link() {
    let block = "let W1 = [[1, 2], [0, -1]]\nlet W2 = [[2, 1], [-1, 0]]\n\
        W2 · W1 = [[2·1 + 1·0, 2·2 + 1·(-1)], [-1·1 + 0·0, -1·2 + 0·(-1)]] = [[2, 3], [-1, -2]]";
    assert_eq!(run(block), Ok(2));
    let wrong_middle = block.replace("2·2 + 1·(-1)", "2·2 + 1·(-2)");
    fails(
        &wrong_middle,
        "check failed: the left side is [[2, 3], [-1, -2]], but the right side is [[2, 2], [-1, -2]]",
        "[[2·1",
    );
    let wrong_end = block.replace("[[2, 3], [-1, -2]]", "[[2, 3], [-1, -3]]");
    fails(
        &wrong_end,
        "check failed: computed [[2, 3], [-1, -2]], but the page states [[2, 3], [-1, -3]]",
        "[[2, 3]",
    );
}

#[test]
fn matrices_vectors_and_builtins() {
    passes("let x = [1, 2]\nlet W = [[1, 2], [0, -1]]\nW · x = [5, -2]\nW @ x = [5, -2]");
    passes("let A = [[1, 2, 3], [4, 5, 6]]\nlet B = [[7, 8], [9, 10], [11, 12]]\n(A · B)ᵀ = Bᵀ · Aᵀ\n(A · B)^T = transpose(B) · transpose(A)");
    passes("ReLU([5, -1]) = [5, 0]\nmax(2, 3) = 3\nmin([1, 5], [2, 4]) = [1, 4]\nsum([[1, 2], [3, 4]]) = 10");
    passes("outer([1, 2], [3, 4]) = [[3, 4], [6, 8]]\n[1, 2] · [3, 4] = 11\n[1, 2] * [3, 4] = [3, 8]\n2 · [1, 2] = [2, 4]");
    passes("sigmoid(1) ≈ 0.73\nexp(0) = 1\nsoftmax([0, 0]) ≈ [0.5, 0.5]\ntanh(0) = 0\nlog(exp(2)) ≈ 2.000");
}

#[test]
fn approximate_values_compare_at_written_precision() {
    passes("sigmoid(1) ≈ 0.731");
    fails(
        "sigmoid(1) ≈ 0.74",
        "check failed: computed 0.7311, but the page states 0.74",
        "0.74",
    );
    passes("1/3 ≈ 0.33");
    fails(
        "1/3 = 0.33",
        "check failed: computed 1/3, but the page states 0.33",
        "0.33",
    );
    passes("sqrt(2) ≈ 1.41421");
}

#[test]
fn bindings_and_functions() {
    passes("let x = 3\nlet y = -1\nlet q = x + y = 3 + (-1) = 2");
    passes("let f(x, y, z) = (x + y) * z\nf(3, -1, 2) = 4\nf(3.01, -1, 2) = (3.01 - 1) * 2 = 4.02");
    passes("let df/dq = 1 * 2 = 2\ndf/dq = 2");
    passes("let W' = [[2, 3], [-1, -2]]\nlet b′ = [1, -1]\nW' · [1, 2] + b′ = [9, -6]");
}

#[test]
fn gradients_by_backprop() {
    passes("let f(x, y, z) = (x + y) * z\n∂f/∂x(3, -1, 2) = 2\n∂f/∂z(3, -1, 2) = 2\n∇f(3, -1, 2) = [2, 2, 2]\ngrad f(3, -1, 2) = [2, 2, 2]");
    passes("let f(x, y, z) = (x + y) * z\nnumgrad f(3, -1, 2) ≈ ∇f(3, -1, 2)\nnumgrad f(3, -1, 2) ≈ [2.000, 2.000, 2.000]");
    passes("let q(x, y) = x + y\nlet f(x, y, z) = q(x, y) * z\n∇f(3, -1, 2) = [2, 2, 2]");
    // Large values and points: finite differences in floating point lose these (a
    // relative error of 3e-5, 6e-6 and 5 %); exact fractions do not.
    passes("let f(x) = x^3 + 10000000\nnumgrad f(3) ≈ ∇f(3)");
    passes("let f(x) = x^2\nnumgrad f(100000) ≈ ∇f(100000)");
    passes("let f(x) = x\nnumgrad f(1000000000) ≈ ∇f(1000000000)");
}

#[test]
fn every_gate_agrees_with_finite_differences() {
    for body in [
        "x + y",
        "x - y",
        "x * y",
        "x / y",
        "max(x, y)",
        "min(x, y)",
        "ReLU(x - y)",
        "exp(x) * y",
        "sigmoid(x * y)",
        "tanh(x) + log(y)",
        "sqrt(x) * y^3",
        "-(x · y)",
        "abs(x - 5)",
    ] {
        for point in ["(1.5, 2)", "(3, 0.5)"] {
            passes(&format!(
                "let f(x, y) = {body}\nnumgrad f{point} ≈ ∇f{point}"
            ));
        }
    }
}

#[test]
fn errors_name_what_and_where() {
    fails("x = 1", "`x` is not defined", "x");
    fails("let W1 = 1\nW2 = 1", "`W2` is not defined", "W2");
    fails(
        "let x = 1\nlet x = 2",
        "`x` is already defined on this page",
        "x = 2",
    );
    fails(
        "[1, 2] + [1, 2, 3] = 0",
        "shape mismatch: `+` cannot combine a vector of length 2 with a vector of length 3",
        "[1, 2] +",
    );
    fails("[[1, 2], [3]] = 0", "shape mismatch: `matrix rows` cannot combine a vector of length 2 with a vector of length 1", "[[1");
    fails("1 / 0 = 1", "division by zero", "1 / 0");
    fails(
        "10^(10^10) = 1",
        "10 to the power 10000000000 (over 2048 bits) is too large",
        "10^(10^10)",
    );
    fails("foo(1) = 1", "unknown function `foo`", "foo");
    fails(
        "let f(x) = x\n∂f/∂y(1) = 1",
        "`f` has no parameter `y`",
        "∂f",
    );
    fails(
        "let f(x) = x\nf(1, 2) = 1",
        "`f` takes 1 argument, not 2",
        "f(1, 2)",
    );
    fails(
        "let f(x) = [x, x]\n∇f(1) = 1",
        "gradients need a function returning a scalar, not a vector of length 2",
        "∇f(1)",
    );
    fails(
        "[1, 2] = [1, 2, 3]",
        "check failed: computed [1, 2], but the page states [1, 2, 3]",
        "[1, 2, 3]",
    );
    fails("let f(x) = y", "`y` is not defined", "y");
    fails(
        "log(-1) ≈ 0",
        "log is not defined at -1 (its domain is x > 0)",
        "log",
    );
    fails(
        "let f(x) = f(x)\nf(1) = 1",
        "`f` is not a function defined before this one",
        "f(x)\n",
    );
    fails(
        "let g(x) = h(x)\nlet h(x) = g(x)",
        "`h` is not a function defined before this one",
        "h(x)",
    );
}

#[test]
fn huge_inputs_fail_fast() {
    let big = format!("let v = [{}]", vec!["1"; 20_000].join(", "));
    assert!(run(&big).is_err());
    assert!(run("let x = [[1]]\n2^100000 = 1").is_err());
    let mut chain = String::from("let f0(x) = x * x\n");
    for i in 1..60 {
        chain.push_str(&format!("let f{i}(x) = f{}(x) * f{}(x)\n", i - 1, i - 1));
    }
    let (message, _) = run(&format!("{chain}∇f59(1) = 1")).unwrap_err();
    assert_eq!(message, "computation takes more than 250000 operations");
    let deep = format!("x = {}1{}", "[".repeat(199), "]".repeat(199));
    assert!(
        run(&format!("{deep} ")).is_err_and(|(m, _)| !m.contains("nested")),
        "199 brackets are within the limit"
    );
    let (message, _) = run(&format!("{chain}f59(1) = 1")).unwrap_err();
    assert_eq!(message, "computation takes more than 250000 operations");
}

mod properties {
    //! No input makes the lexer, parser or evaluator panic or run away.
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "let ",
        "x",
        "W1",
        "b'",
        "f",
        "df/dx",
        "(",
        ")",
        "[",
        "]",
        ",",
        " = ",
        " ≈ ",
        "+",
        "-",
        "·",
        "*",
        "/",
        "^",
        "ᵀ",
        "^T",
        "∂",
        "∇",
        "grad ",
        "numgrad ",
        "ReLU",
        "max",
        "exp",
        "sigmoid",
        "softmax",
        "0",
        "1",
        "2.5",
        "1e300",
        "99999999999",
        "\n",
        " ",
        "#c\n",
        "@",
        "×",
        "$",
    ];

    fn program() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.concat())
    }

    fn run_all(src: &str) {
        let prelude = "let f(x, y) = x * y + max(x, y)\nlet x = 2\nlet W1 = [[1, 2], [3, 4]]\n";
        let full = format!("{prelude}{src}");
        if let Ok(tokens) = super::lex(&full, 0) {
            if let Ok(stmts) = super::parse(&tokens) {
                let mut env = super::Env::default();
                for s in &stmts {
                    let _ = env.run(s);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn token_soup_never_panics(src in program()) {
            run_all(&src);
        }

        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,120}") {
            run_all(&src);
        }
    }
}
