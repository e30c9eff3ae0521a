//! Issue #25, "no wrong number builds green": each class of mistake a careless author makes,
//! refused at its place, and the true form beside it passing.

use super::tests::{fails, fails_last, passes, run};

/// The message of the first error of `src`, for tests that name only part of it.
#[track_caller]
fn message(src: &str) -> String {
    run(src).expect_err("expected the block to fail").0
}

#[test]
fn approximations_must_say_what_the_value_is() {
    // True forms: each within 5 % of the value it rounds.
    passes("let g = -0.197\ng ≈ -0.20\ng ≈ -0.2");
    passes("let h = 0.197\nh ≈ 0.2");
    passes("let p = [0.870, 0.129, 0.001]\np ≈ [0.87, 0.13, 0.00]");
    passes("sigmoid(2) ≈ 0.88\ntanh(3) ≈ 1.00\nexp(3) ≈ 20");
    passes("let f(w) = (w - 2)^2\nnumgrad f(2) ≈ 0");
    // A slope of -0.31 is not 0, though it rounds to it.
    fails_last(
        "let slope = -0.31\nslope ≈ 0",
        "check failed: computed -0.31, but the page states 0",
        "0",
    );
    // A gain of 0.004 stated as 0 or 0.00 hides it.
    fails_last(
        "let gain = 0.004\ngain ≈ 0",
        "check failed: computed 0.004, but the page states 0",
        "0",
    );
    fails_last(
        "let gain = 0.004\ngain ≈ 0.00",
        "check failed: computed 0.004, but the page states 0.00",
        "0.00",
    );
    // A probability vector stated as a one-hot, or at one decimal (off by 8 % as a whole).
    let p = "let p = softmax([1.7, 0.7, 0.1])\n";
    fails(
        &format!("{p}p ≈ [1, 0, 0]"),
        "check failed: computed [0.64, 0.23, 0.13], but the page states [1, 0, 0]",
        "[1, 0, 0]",
    );
    fails(
        &format!("{p}p ≈ [0.6, 0.2, 0.1]"),
        "check failed: computed [0.637, 0.234, 0.129], but the page states [0.6, 0.2, 0.1]",
        "[0.6,",
    );
    passes(&format!("{p}p ≈ [0.64, 0.23, 0.13]"));
    // A scalar at too few digits: 1.4 is not "about 1".
    fails_last(
        "let r = 1.4\nr ≈ 1",
        "check failed: computed 1.4, but the page states 1",
        "1",
    );
    // A matrix whole: [[0.5, 0.46], [0, 1.4]] is not about [[0, 0], [0, 1]].
    fails(
        "[[0.5, 0.46], [0.04, 1.04]] ≈ [[0.5, 0.5], [0.0, 1.0]]",
        "check failed: computed [[0.5, 0.46], [0.04, 1.04]], but the page states [[0.5, 0.5], [0.0, 1.0]]",
        "[[0.5, 0.5]",
    );
}

#[test]
fn a_refused_approximation_says_why_and_what_to_write() {
    let m = run("let p = softmax([1.7, 0.7, 0.1])\np ≈ [0.6, 0.2, 0.1]");
    let (_, span) = m.unwrap_err();
    assert_eq!(span.start, "let p = softmax([1.7, 0.7, 0.1])\np ≈ ".len());
    let block = "let slope = -0.31\nslope ≈ 0";
    let stmts = super::parser::parse(&super::lexer::lex(block, 0).unwrap()).unwrap();
    let mut env = super::eval::Env::default();
    env.run(&stmts[0]).unwrap();
    let err = env.run(&stmts[1]).unwrap_err();
    let hint = err.hint.unwrap_or_default();
    assert!(
        hint.contains("`≈ 0` states a value that is not zero"),
        "{hint}"
    );
    assert!(hint.contains("e.g. `≈ -0.3`"), "{hint}");
    let stmts = super::parser::parse(
        &super::lexer::lex("let q = softmax([1.7, 0.7, 0.1])\nq ≈ [0.6, 0.2, 0.1]", 0).unwrap(),
    )
    .unwrap();
    let mut env = super::eval::Env::default();
    env.run(&stmts[0]).unwrap();
    let hint = env.run(&stmts[1]).unwrap_err().hint.unwrap_or_default();
    assert!(hint.contains("off by 8 %"), "{hint}");
    assert!(hint.contains("e.g. `≈ [0.64, 0.23, 0.13]`"), "{hint}");
}

#[test]
fn equals_between_computed_expressions_is_an_identity() {
    // d/dt (1/t) at d, times the upstream gradient g: both sides approximate, meant exactly.
    passes(
        "let d = 1.37\nlet g = exp(0.1)\nlet recip(t) = 1 / t\n\
         ∂recip/∂t(d) * g = -g / d^2 ≈ -0.59",
    );
    passes("let s = [2, -1, 0.5]\nsoftmax(s) = softmax(s + 10)\nexp(log(7)) = 7 * exp(0)");
    passes("sqrt(2) * sqrt(2) = sqrt(4) * exp(0)");
    // Computed sides still have to agree.
    fails_last(
        "exp(1) = sqrt(7)",
        "check failed: the left side is 2.718282, but the right side is 2.645751",
        "sqrt(7)",
    );
    // Only a written literal needs `≈`.
    fails(
        "exp(1) = 2.718",
        "`=` with an approximate value: computed 2.71828, the page states 2.718",
        "2.718",
    );
    fails(
        "2.718 = exp(1)",
        "`=` with an approximate value: computed 2.71828, the page states 2.718",
        "2.718",
    );
    // An exact mismatch between two expressions never speaks of what the page states.
    let m = message("let a = 3\nlet b = 4\na + b = b * 2");
    assert_eq!(
        m,
        "check failed: the left side is 7, but the right side is 8"
    );
}

#[test]
fn a_call_and_its_written_out_body_are_paired() {
    let g = "let g(x, y, z) = (x + y) * z\n";
    // True: the body written with the call's numbers, a negative `y` written `- 1`.
    passes(&format!("{g}g(2.5, -1, 4) = (2.5 - 1) * 4 = 6"));
    passes(&format!("{g}g(2.5, -1, 4) = (2.5 + (-1)) * 4 = 6"));
    passes(&format!("{g}let out = g(2.5, -1, 4) = (2.5 - 1) * 4 = 6"));
    // Wrong numbers that still multiply out to 6.
    fails(
        &format!("{g}g(2.5, -1, 4) = (2.6 - 1.1) * 4 = 6"),
        "check failed: this number stands for `x` in the body of `g`, which the call `g(…)` \
         passes as 2.5, but the page writes 2.6",
        "2.6",
    );
    fails(
        &format!("{g}g(2.5, -1, 4) = (2.5 - 1) * 4 = 6\ng(3, -1.5, 4) = (3 - 1) * 3 = 6"),
        "check failed: this number stands for `y` in the body of `g`, which the call `g(…)` \
         passes as -1.5, but the page writes -1",
        "1) * 3",
    );
    // The body on the left and the call on the right pair the same way.
    fails(
        &format!("{g}(2 + 1) * 2 = g(1, 2, 2)"),
        "check failed: this number stands for `x` in the body of `g`, which the call `g(…)` \
         passes as 1, but the page writes 2",
        "2 + 1",
    );
    // An approximate argument pairs at the decimals written.
    let h = "let h(w, t) = 0.5 * (t - sigmoid(w))^2\n";
    passes(&format!(
        "{h}h(1.2, 1) = 0.5 * (1 - sigmoid(1.2))^2 ≈ 0.027"
    ));
    fails(
        &format!("{h}h(1.2, 1) = 0.5 * (1 - sigmoid(1.3))^2 ≈ 0.027"),
        "check failed: this number stands for `w` in the body of `h`, which the call `h(…)` \
         passes as 1.2, but the page writes 1.3",
        "1.3",
    );
    fails(
        &format!("{h}h(1.2, 1) ≈ 0.5 * (1 - sigmoid(1.25))^2 ≈ 0.027"),
        "check failed: this number stands for `w` in the body of `h`, which the call `h(…)` \
         passes as 1.2, but the page writes 1.25",
        "1.25",
    );
    // A name the body reads, written out as a number, claims that name's value.
    fails(
        "let m = 3\nlet k(u) = u * m\nk(4) = 4 * 3.5",
        "check failed: this number stands for `m` in the body of `k`, which is 3, but the \
         page writes 3.5",
        "3.5",
    );
    passes("let m = 3\nlet k(u) = u * m\nk(2) = 2 * 3 = 6");
}

/// Runs `src` (which must pass) and returns what the strict gate reports: each number that
/// nothing accounts for, as its message and the text it starts at.
#[track_caller]
fn unaccounted(src: &str) -> Vec<(String, usize)> {
    let stmts = super::parser::parse(&super::lexer::lex(src, 0).unwrap()).unwrap();
    let mut env = super::eval::Env::default();
    let mut out = Vec::new();
    for s in &stmts {
        env.run(s).expect("the block passes");
        out.extend(
            super::account::unaccounted(s, &env, super::eval::PAGE)
                .into_iter()
                .map(|e| (e.message, e.span.start)),
        );
    }
    out
}

#[test]
fn under_strict_every_number_is_accounted_for() {
    // A score mistyped inside a formula: the arithmetic of the wrong number checks.
    let scores = "let s = [3.2, 5.1, -2.3]\n";
    let src = format!("{scores}let p = exp(-2.31) ≈ 0.0993");
    assert_eq!(
        unaccounted(&src),
        vec![(
            "-2.31 matches no value on this page; nearest: `s[2]` = -2.3, `s[0]` = 3.2".into(),
            src.find("-2.31").unwrap()
        )]
    );
    // The true form names the score, or restates it at its decimals.
    assert_eq!(
        unaccounted(&format!("{scores}let p = exp(s[2]) ≈ 0.1003")),
        vec![]
    );
    assert_eq!(
        unaccounted(&format!("{scores}let p = exp(-2.3) ≈ 0.1003")),
        vec![]
    );
    // A hinge margin of 1 written 3 (the other numbers are the page's scores).
    let hinge = "let s_y = 4\nlet s_j = 9\nlet Δ = 1\n";
    let src = format!("{hinge}let L = max(0, s_j - s_y + 3) = max(0, 9 - 4 + 3) = 8");
    let got = unaccounted(&src);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0].0,
        "3 matches no value on this page; nearest: `s_y` = 4, `Δ` = 1"
    );
    assert_eq!(got[0].1, src.find("3)").unwrap());
    assert_eq!(
        unaccounted(&format!(
            "{hinge}let L = max(0, s_j - s_y + Δ) = max(0, 9 - 4 + 1) = 6"
        )),
        vec![]
    );
    // Givens, stated values, claims, constants and the point of a call are accounted for.
    assert_eq!(
        unaccounted(
            "let w = [0.4, -1.3]\nlet x = [2.5, 1.5]\nlet z = w · x = 0.4 * 2.5 + (-1.3) * 1.5 = -0.95\n\
             let f(a) = 0.5 * (a - 1)^2\nf(3) = 2\n∇f(3) = 2\nzeros(7) = [0, 0, 0, 0, 0, 0, 0]\n\
             x[1] ≈ 1.5\nsigmoid(z) ≈ 0.28"
        ),
        vec![]
    );
    // A number in a function's body that is no constant and no page value.
    let src = "let c = 0.8125\nlet loss(t) = 0.5 * (t - 0.8152)^2\nloss(1) ≈ 0.017";
    let got = unaccounted(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0]
        .0
        .starts_with("0.8152 matches no value on this page; nearest: `c` = 0.8125"));
}

/// A varied exercise: a unit's output and its squared error, the output written either by
/// name or, stale, as the author's number.
fn neuron(loss: &str) -> String {
    format!(
        "::: exercise A unit's error
```verify
let w = 1.5
let x = 0.5
let t = 1
vary w in {{1.5, -0.5, 2.5, 3}}
variants 4
```

::: solution
```verify
let out = w * x = 0.75
{loss}
```
:::
:::
"
    )
}

/// The messages and the text each error starts at, when verifying `body` fails.
fn page_errors(body: &str) -> Vec<(String, String)> {
    let p = super::variant_tests::page(body);
    let errors = super::verify_page(&p).expect_err("the page fails");
    errors
        .iter()
        .map(|d| {
            let at = d.span.clone().expect("located");
            let text = p.file.text[at.start..].chars().take(12).collect();
            (d.message.clone(), text)
        })
        .collect()
}

#[test]
fn a_varied_exercise_never_publishes_a_stale_number() {
    // True: the loss is written with the name (or `{out}`), and every variant computes its own.
    let named = super::variant_tests::page(&neuron("let L = 0.5 * (t - out)^2 ≈ 0.03"));
    let v = super::verify_page(&named).expect("verifies");
    assert_eq!(v.variants.values().next().map(Vec::len), Some(3));
    super::verify_page(&super::variant_tests::page(&neuron(
        "let L = 0.5 * (t - {out})^2 ≈ 0.03",
    )))
    .expect("verifies");
    // Wrong: 0.75 is `out` for the author's numbers only.
    assert_eq!(
        page_errors(&neuron("let L = 0.5 * (t - 0.75)^2 ≈ 0.03")),
        vec![(
            "0.75 is `out` for the author's numbers, written as a number: every variant \
             would publish it unchanged"
                .to_string(),
            "0.75)^2 ≈ 0.".to_string()
        )]
    );
    // A varied given written out is stale the same way (-1.5 is `w`, negated).
    assert_eq!(
        page_errors(&neuron("let L = 0.5 * (t - out)^2 ≈ 0.03\nL * 1.5 ≈ 0.047")),
        vec![(
            "1.5 is `w` for the author's numbers, written as a number: every variant would \
             publish it unchanged"
                .to_string(),
            "1.5 ≈ 0.047\n".to_string()
        )]
    );
    // A number that stands for nothing that varies is left to `--strict`.
    super::verify_page(&super::variant_tests::page(&neuron(
        "let L = 0.5 * (t - out)^2 ≈ 0.03\nL * 4 ≈ 0.13",
    )))
    .expect("verifies");
}

/// A failed claim names the sub-expression it was compared with, and the full report
/// underlines it beside the literal (#25).
#[test]
fn a_failed_claim_names_and_underlines_its_sub_expression() {
    use std::sync::Arc;
    let src = "let out = sigmoid(1.1)\nout * (1 - out) ≈ 0.75026 * 0.186815602";
    let stmts = super::parser::parse(&super::lexer::lex(src, 0).unwrap()).unwrap();
    let mut env = super::eval::Env::default();
    env.run(&stmts[0]).unwrap();
    let err = env.run(&stmts[1]).unwrap_err();
    assert_eq!(
        err.message,
        "check failed: `1 - out` computes 0.24973989440, but the page states 0.186815602"
    );
    let sub = src.find("1 - out").unwrap();
    assert_eq!(
        err.also.as_deref(),
        Some(&(sub..sub + 7, "computed here".to_string()))
    );
    let file = Arc::new(crate::source::SourceFile::new(
        "p.md",
        "p.md".into(),
        src.to_string(),
    ));
    let mut d = crate::diagnostic::Diagnostic::at(&file, err.span.clone(), err.message.clone());
    let (span, label) = *err.also.unwrap();
    d = d.with_also(span, label);
    let report = d.render();
    assert!(
        report.contains("-------") && report.contains("computed here"),
        "{report}"
    );
    // The one-line form is unchanged.
    assert!(!d.to_string().contains("computed here"));
}

/// Follow-on errors of a failed `let` are suppressed at every depth, and a name of another
/// exercise is named as such (#25).
#[test]
fn poisoned_names_and_exercise_scope() {
    let page = |body: &str| {
        let text = format!("---\ntitle: P\n---\n\n{body}");
        let file = std::sync::Arc::new(crate::source::SourceFile::new(
            "p.md",
            "p.md".into(),
            text.clone(),
        ));
        let (doc, errors) = crate::doc::parse(&file, 0..text.len());
        assert!(errors.is_empty(), "{errors:?}");
        let mut walk = super::Walk::default();
        let mut env = super::Env::default();
        walk.blocks(&doc, &doc.blocks, super::eval::PAGE, &mut env);
        match super::run(&doc, walk, env, None, None, true) {
            Ok(_) => vec![],
            Err((errors, _)) => errors.into_iter().map(|d| d.message).collect::<Vec<_>>(),
        }
    };
    assert_eq!(
        page("```verify\nlet a = b + 1\nlet c = a * 2\nlet d = c - 1\nlet f(x) = x * d\nf(1) = 3\nd = 3\n```\n"),
        ["`b` is not defined"]
    );
    assert_eq!(
        page("::: exercise A\n\n```verify\nlet x = 3\n```\n\n:::\n\n::: exercise B\n\n```verify\nlet y = x + 1\n```\n\n:::\n"),
        ["`x` is not defined in exercise 2: it is defined in exercise 1 of this page, and names do not carry across exercises"]
    );
}
