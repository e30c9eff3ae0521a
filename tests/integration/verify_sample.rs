//! The sample page is fully verified: changing any number a worked answer states, one at a
//! time, fails the build at that number's line. So is the fixture page
//! `tests/fixtures/verify/two-layer-net`, a 2-layer network's forward and backward pass.

use std::fs;
use std::ops::Range;
use std::path::Path;

use coursegen::source::line_col;
use coursegen::verify::ast::{BinOp, Binding, Expr, ExprKind};
use coursegen::verify::{lexer, parser};

use super::{build_course, check_strict, copy_tree, fixture, sample_copy};

const PAGE: &str = "content/01-neural-networks/practice-backprop.md";

fn is_zero(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Num(n) if n.parse::<f64>() == Ok(0.0))
}

/// Spans of the number literals in `e` whose change changes `e`'s value: a factor of a product
/// with a literal zero (`0·0`, `1·0`) is left out, since no value of it can be wrong.
fn numbers(e: &Expr, out: &mut Vec<Range<usize>>) {
    match &e.kind {
        ExprKind::Num(_) => out.push(e.span.clone()),
        // A run of products (`0.5·4`, `(-1)·0·x`) with a literal zero factor: only the zeros,
        // and only when some factor is not zero.
        ExprKind::Series(first, rest)
            if rest
                .iter()
                .all(|(op, _)| matches!(op, BinOp::Mul | BinOp::Dot))
                && e.children().into_iter().any(is_zero) =>
        {
            let factors: Vec<&Expr> = std::iter::once(&**first)
                .chain(rest.iter().map(|(_, x)| x))
                .collect();
            if !factors.iter().all(|f| is_zero(f)) {
                out.extend(
                    factors
                        .into_iter()
                        .filter(|f| is_zero(f))
                        .map(|f| f.span.clone()),
                );
            }
        }
        _ => e.children().into_iter().for_each(|x| numbers(x, out)),
    }
}

/// Every number the worked answers state: those in chains (statements that check something),
/// not in the exercise's given definitions or the conditions on its variants.
fn stated_numbers(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut offset = 0;
    let mut in_block = false;
    let mut block_start = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("```verify") {
            in_block = true;
            block_start = offset + line.len();
        } else if in_block && line.starts_with("```") {
            let stmts =
                parser::parse(&lexer::lex(&text[block_start..offset], block_start).expect("lexes"))
                    .expect("parses");
            for stmt in stmts {
                // Conditions on variants' numbers (`where …`) state nothing about the answer.
                if stmt.links.is_empty()
                    || stmt.directive.is_some()
                    || matches!(stmt.binding, Some((Binding::Function(..), _)))
                {
                    continue;
                }
                numbers(&stmt.first, &mut spans);
                for (_, e) in &stmt.links {
                    numbers(e, &mut spans);
                }
            }
            in_block = false;
        }
        offset += line.len();
    }
    spans
}

/// A different number of the same shape: the first digit moved on by one.
fn mutate(number: &str) -> String {
    let mut chars: Vec<char> = number.chars().collect();
    let first = chars
        .iter()
        .position(char::is_ascii_digit)
        .expect("a digit");
    let d = chars[first].to_digit(10).expect("digit");
    chars[first] = char::from_digit((d + 1) % 10, 10).expect("digit");
    chars.into_iter().collect()
}

#[test]
fn changing_any_stated_number_fails_the_build_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    // Expanded products (`expand(W2 · W1)`) and written-in values (`{x₀}`) are computed, not
    // stated, so they are not counted; nor is the finite-difference step, a given since #25
    // (`let h = 0.01`, where `{x₀ + 0.01}` wrote it four times).
    every_stated_number_is_checked(&course, PAGE, 74);
}

/// The fixture page on a 2-layer network's backward pass (issue #11): forward values, `p − y`,
/// `ds · hᵀ`, the ReLU mask, each checked by hand, by backprop and by finite differences.
#[test]
fn changing_any_stated_number_of_the_two_layer_backward_pass_fails_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    copy_tree(&fixture("verify", "two-layer-net"), &course);
    every_stated_number_is_checked(
        &course,
        "content/01-networks/practice-two-layer-backprop.md",
        120,
    );
}

/// Numbers written inside formulas (#25): the computed side of a `let` and a function's body,
/// which no check states. Left out are the places the strict gate takes as the formula's own
/// (exponents, indices, sizes) and the constants 0, 1, 2 and 0.5, which may stand anywhere.
fn formula_numbers(text: &str) -> Vec<Range<usize>> {
    fn walk(e: &Expr, out: &mut Vec<Range<usize>>) {
        match &e.kind {
            ExprKind::Num(n) if !["0", "1", "2", "0.5"].contains(&n.as_str()) => {
                out.push(e.span.clone());
            }
            ExprKind::Binary(BinOp::Pow | BinOp::PowElem, base, _) => walk(base, out),
            ExprKind::Index(x, _) => walk(x, out),
            ExprKind::Call(f, _) if ["zeros", "ones", "eye"].contains(&f.as_str()) => {}
            _ => e.children().into_iter().for_each(|x| walk(x, out)),
        }
    }
    let mut spans = Vec::new();
    let mut offset = 0;
    let mut block_start = None;
    for line in text.split_inclusive('\n') {
        if line.starts_with("```verify") {
            block_start = Some(offset + line.len());
        } else if let (Some(start), true) = (block_start, line.starts_with("```")) {
            let stmts = parser::parse(&lexer::lex(&text[start..offset], start).expect("lexes"))
                .expect("parses");
            for stmt in stmts {
                if stmt.binding.is_some() && stmt.directive.is_none() && !stmt.first.is_literal() {
                    walk(&stmt.first, &mut spans);
                }
            }
            block_start = None;
        }
        offset += line.len();
    }
    spans
}

/// Under `--strict`, a number inside a formula stands for a value of the page (#25): changing
/// any of them, one at a time, fails the build at its line — though the checks below it would
/// verify the arithmetic of the changed number.
#[test]
fn under_strict_changing_any_number_inside_a_formula_fails_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    copy_tree(&fixture("verify", "formula-literals"), &course);
    let page = "content/01-units/practice-step.md";
    let path = course.join(page);
    let original = fs::read_to_string(&path).expect("read page");
    check_strict(&course).expect("the page passes --strict before any change");
    let spans = formula_numbers(&original);
    assert!(spans.len() >= 9, "found only {} numbers", spans.len());
    let mut survivors = Vec::new();
    for span in &spans {
        let (line, _) = line_col(&original, span.start);
        let number = &original[span.clone()];
        let changed = format!(
            "{}{}{}",
            &original[..span.start],
            mutate(number),
            &original[span.end..]
        );
        fs::write(&path, changed).expect("write page");
        match check_strict(&course) {
            Ok(_) => survivors.push(format!("line {line}: {number} still builds")),
            Err(errors) => {
                let first = &errors.0[0];
                if first.line() != Some(line) {
                    survivors.push(format!("line {line}: {number} failed elsewhere: {first}"));
                }
            }
        }
    }
    fs::write(&path, &original).expect("restore page");
    assert!(survivors.is_empty(), "{}", survivors.join("\n"));
}

/// Changes each number the worked answers of `page` (a path inside `course`) state, one at a
/// time, and expects the build to fail at that number's line; at least `minimum` of them.
fn every_stated_number_is_checked(course: &Path, page: &str, minimum: usize) {
    let path = course.join(page);
    let original = fs::read_to_string(&path).expect("read page");
    build_course(course, None).expect("the page builds before any change");
    let spans = stated_numbers(&original);
    assert!(
        spans.len() >= minimum,
        "found only {} stated numbers in {page}",
        spans.len()
    );

    let mut survivors = Vec::new();
    for span in &spans {
        let (line, _) = line_col(&original, span.start);
        let number = &original[span.clone()];
        let changed = format!(
            "{}{}{}",
            &original[..span.start],
            mutate(number),
            &original[span.end..]
        );
        fs::write(&path, changed).expect("write page");
        match build_course(course, None) {
            Ok(_) => survivors.push(format!(
                "line {line}: {number} -> {} still builds",
                mutate(number)
            )),
            Err(errors) => {
                let first = &errors.0[0];
                if first.line() != Some(line) || !first.location().starts_with(page) {
                    survivors.push(format!("line {line}: {number} failed elsewhere: {first}"));
                }
            }
        }
    }
    fs::write(&path, &original).expect("restore page");
    build_course(course, None).expect("the restored page builds again");
    assert!(
        survivors.is_empty(),
        "{} of {} numbers in {page}:\n{}",
        survivors.len(),
        spans.len(),
        survivors.join("\n")
    );
}

/// Bounded iteration (#25, item 7): the fixture page trains a network with two hidden units on
/// XOR for 1,000 steps of gradient descent with `repeat`, and states its final weights and
/// loss. It passes `--strict`; a wrong final loss fails at its line, with the digits compared.
#[test]
fn a_thousand_steps_of_gradient_descent_verify_and_a_wrong_final_loss_fails_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    copy_tree(&fixture("verify", "training"), &course);
    check_strict(&course).expect("the training page passes --strict");
    let page = "content/01-training/practice-xor.md";
    let path = course.join(page);
    let original = fs::read_to_string(&path).expect("read page");
    let stated = "loss(θ1000) ≈ 0.00198";
    let at = original
        .find(stated)
        .expect("the page states its final loss");
    let (line, _) = line_col(&original, at);
    // Each message shows the computed loss with the digits the page compared and two more
    // (more, where those would read as the stated value).
    for (wrong, computed) in [
        (
            "loss(θ1000) ≈ 0.00189",
            "computed 0.0019798, but the page states 0.00189",
        ),
        (
            "loss(θ1000) ≈ 0.0021",
            "computed 0.001980, but the page states 0.0021",
        ),
        ("loss(θ1000) ≈ 0", "computed 0.002, but the page states 0"),
    ] {
        fs::write(&path, original.replace(stated, wrong)).expect("write page");
        let Err(errors) = check_strict(&course) else {
            panic!("`{wrong}` builds");
        };
        let errors = errors.0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line(), Some(line), "{}", errors[0]);
        assert!(errors[0].to_string().contains(computed), "{}", errors[0]);
    }
    // And the weights: one entry's sign flipped.
    fs::write(&path, original.replace("[5.14, -5.32,", "[5.14, 5.32,")).expect("write page");
    let Err(errors) = check_strict(&course) else {
        panic!("a wrong final weight builds");
    };
    let errors = errors.0;
    assert!(errors[0]
        .to_string()
        .contains("but the page states [5.14, 5.32,"));
}
