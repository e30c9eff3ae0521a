//! Tests of the variant lines, `{…}`, `expand` and `≠`, and of variants made from a page.

use std::path::PathBuf;
use std::sync::Arc;

use super::eval::Env;
use super::lexer::lex;
use super::literals;
use super::parser::parse;
use super::tests::{fails, passes};
use crate::source::SourceFile;
use crate::typeset::latex as typeset;

/// The first statement of `src`, shown as a verify-show block shows it.
fn shown(src: &str) -> String {
    let stmts = parse(&lex(src, 0).unwrap()).unwrap();
    let mut env = Env::default();
    let last = stmts.len() - 1;
    for s in &stmts[..last] {
        env.run(s).unwrap();
    }
    env.run(&stmts[last]).unwrap();
    let resolved = literals::resolve(&stmts[last], &env, super::eval::PAGE).unwrap();
    typeset::statement(&resolved)
}

#[test]
fn variant_lines_parse() {
    let s = |src: &str| parse(&lex(src, 0).unwrap()).unwrap()[0].to_string();
    assert_eq!(s("vary x from -5 to 5"), "(vary x (- 5) 5)");
    assert_eq!(s("vary h from 0.1 to 0.9 step 0.1"), "(vary h 0.1 0.9 0.1)");
    assert_eq!(s("vary x in {1, 2, 5}"), "(vary x in 1 2 5)");
    assert_eq!(s("where det(W) ≠ 0"), "(where (det W) ≠ 0)");
    assert_eq!(s("variants 5"), "(variants 5)");
    // Only at the start of a line: elsewhere they are names.
    assert_eq!(s("let vary = 2"), "(let vary 2)");
}

#[test]
fn variant_lines_run_as_written() {
    // `where` is a check; `vary` and `variants` check nothing by themselves.
    passes("let x = 3\nvary x from 1 to 5\nwhere x ≠ 0\nvariants 3");
    fails(
        "let x = 3\nwhere x * x ≠ 9",
        "check failed: `≠` but both sides are 9",
        "9",
    );
    passes("[1, 2] ≠ [1, 3]\n[1, 2] != [2, 1]");
}

#[test]
fn variant_line_errors() {
    for (src, message) in [
        ("vary x to 5", "expected `from` or `in` after the name"),
        ("vary x from 1", "expected `to` and the largest value"),
        (
            "vary x in 1, 2",
            "expected `{` and the values to choose from",
        ),
        ("vary x in {}", "`vary … in {}` needs at least one value"),
        ("variants 0", "`variants` takes a whole number from 1 to 50"),
        (
            "variants 51",
            "`variants` takes a whole number from 1 to 50",
        ),
        ("where x", "a `where` condition needs a relation"),
        (
            "where let x = 1",
            "a `where` condition cannot define a name",
        ),
        ("{1 + 2", "this `{` is never closed"),
    ] {
        let err = lex(src, 0).and_then(|t| parse(&t)).expect_err(src).message;
        assert_eq!(err, message, "{src}");
    }
}

#[test]
fn written_in_values_are_shown_as_numbers() {
    assert_eq!(
        shown("let x = -1\n2 * {x} = -2"),
        "2 \\times \\left(-1\\right) = -2"
    );
    assert_eq!(shown("let x = -1\n{x} * 2 = -2"), "-1 \\times 2 = -2");
    assert_eq!(shown("let x = 3\nlet f = {x + 0.01}"), "f = 3.01");
    assert_eq!(
        shown("let v = [1, -2]\n{v} = v"),
        "\\begin{bmatrix}1 \\\\ -2\\end{bmatrix} = v"
    );
    assert_eq!(shown("let x = 1/3\n{x} = x"), "1 / 3 = x");
    // A `{…}` evaluates to its value like any expression.
    passes("let x = 2\n{x} * {x + 1} = 6");
}

#[test]
fn expand_writes_the_arithmetic_the_author_would() {
    let by_hand = "W2 · W1 = [[2·1 + 1·0, 2·2 + 1·(-1)], [-1·1 + 0·0, -1·2 + 0·(-1)]]";
    let expanded = "W2 · W1 = expand(W2 · W1)";
    let defs = "let W1 = [[1, 2], [0, -1]]\nlet W2 = [[2, 1], [-1, 0]]\n";
    assert_eq!(
        shown(&format!("{defs}{expanded}")),
        shown(&format!("{defs}{by_hand}"))
    );
    // Matrix times vector, vector dot vector, entrywise sums.
    let defs = "let W = [[1, 2], [0, -1]]\nlet x = [1, 2]\nlet b = [0, 1]\n";
    assert_eq!(
        shown(&format!("{defs}W · x = expand(W · x)")),
        shown(&format!("{defs}W · x = [1·1 + 2·2, 0·1 + (-1)·2]"))
    );
    assert_eq!(
        shown(&format!("{defs}x · b = expand(x · b)")),
        shown(&format!("{defs}x · b = 1·0 + 2·1"))
    );
    assert_eq!(
        shown(&format!("{defs}x + b = expand(x + b)")),
        shown(&format!("{defs}x + b = [1 + 0, 2 + 1]"))
    );
    passes(&format!("{defs}W · x + b = expand(W · x) + b = [5, -1]"));
    fails(
        &format!("{defs}expand(W) = W"),
        "`expand` writes out `A · B`, `A + B`, `A - B` or `A * B`",
        "expand",
    );
}

/// A one-page course in memory with `body` as the page's text after the front matter.
pub(super) fn page(body: &str) -> crate::model::Page {
    let text = format!("---\ntitle: Practice\n---\n\n{body}");
    let start = text.len() - body.len();
    let file = Arc::new(SourceFile::new(
        "content/01-x/practice.md",
        PathBuf::from("practice.md"),
        text,
    ));
    let (doc, errors) = crate::doc::parse(&file, start..file.text.len());
    assert!(errors.is_empty(), "{errors:?}");
    crate::model::Page {
        kind: crate::model::PageKind::Practice,
        url: "x/practice/".into(),
        meta: Default::default(),
        card_keys: Vec::new(),
        source_digest: crate::load::source_digest(&file),
        doc: doc.into(),
        file,
    }
}

/// The scope of the first exercise a verification ran.
fn exercise_scope(v: &super::PageVerification) -> super::ScopeId {
    *v.scope_checks
        .keys()
        .find(|s| **s != super::eval::PAGE)
        .expect("an exercise ran")
}

const CIRCUIT: &str = "::: exercise Part B
```verify show
let x₀ = 3
let y₀ = -1
vary x₀ from -9 to 9
vary y₀ in {-3, -1, 2, 7}
where x₀ + y₀ ≠ 0
variants 6
```

::: solution
```verify show
let q = x₀ + y₀ = 3 + (-1) = 2
let r = q * q = 2 * 2 = 4
[q, r] = [2, 4]
```
Inline: {verify}`r = 4`.
:::
:::
";

#[test]
fn stated_values_follow_each_variants_numbers() {
    let p = page(CIRCUIT);
    let v = super::verify_page(&p).expect("verifies");
    let variants = v
        .variants
        .values()
        .next()
        .expect("the exercise has variants");
    assert_eq!(variants.len(), 5);
    for variant in variants {
        let env = &variant.verification.env;
        let scope = exercise_scope(&variant.verification);
        let x = env.value_in("x₀", scope).unwrap().to_string();
        let y = env.value_in("y₀", scope).unwrap().to_string();
        let q: i64 = x.parse::<i64>().unwrap() + y.parse::<i64>().unwrap();
        let text = &variant.file.text;
        // Every stated value of the worked answer, written in for this set.
        let y_written = if y.starts_with('-') {
            format!("({y})")
        } else {
            y.clone()
        };
        let q_sq = if q < 0 {
            format!("({q})")
        } else {
            q.to_string()
        };
        assert!(
            text.contains(&format!("= {x} + {y_written} = {q}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("= {q} * {q_sq} = {}\n", q * q)),
            "{text}"
        );
        assert!(
            text.contains(&format!("[q, r] = [{q}, {}]", q * q)),
            "{text}"
        );
        assert!(
            text.contains(&format!("{{verify}}`r = {}`", q * q)),
            "{text}"
        );
        assert!(["-3", "-1", "2", "7"].contains(&y.as_str()));
        assert!((-9..=9).contains(&x.parse::<i64>().unwrap()) && q != 0);
    }
    // The same page gives the same variants.
    let again = super::verify_page(&p).expect("verifies");
    let texts = |v: &super::PageVerification| -> Vec<String> {
        v.variants
            .values()
            .flatten()
            .map(|x| x.file.text.clone())
            .collect()
    };
    assert_eq!(texts(&v), texts(&again));
}

#[test]
fn decimal_steps_keep_their_decimals() {
    let p = page(
        "::: exercise
```verify show
let h = 0.50
vary h from 0.25 to 2 step 0.25
variants 4
```

::: solution
```verify show
2 * h = 1.00
```
:::
:::
",
    );
    let v = super::verify_page(&p).expect("verifies");
    for variant in v.variants.values().flatten() {
        let text = &variant.file.text;
        let line = text.lines().find(|l| l.starts_with("let h = ")).unwrap();
        let h = &line["let h = ".len()..];
        assert!(
            h.split_once('.').is_some_and(|(_, d)| d.len() == 2),
            "{line}"
        );
        let stated = text.lines().find(|l| l.starts_with("2 * h = ")).unwrap();
        assert!(
            stated.split_once('.').is_some_and(|(_, d)| d.len() == 2),
            "{stated}"
        );
    }
}

#[test]
fn making_variants_is_bounded_by_work_not_only_by_draws() {
    let p = page(CIRCUIT);
    let original = super::verify_page(&p).expect("verifies");
    let scope = exercise_scope(&original);
    // Every verify block of the page (all inside the exercise).
    let text = &p.file.text;
    let mut stmts: Vec<super::ast::Stmt> = Vec::new();
    for (at, _) in text.match_indices("```verify show\n") {
        let start = at + "```verify show\n".len();
        let end = start + text[start..].find("```").unwrap();
        stmts.extend(parse(&lex(&text[start..end], start).unwrap()).unwrap());
    }
    // And the inline check, which states a value too.
    let start = text.find("{verify}`").unwrap() + "{verify}`".len();
    let end = start + text[start..].find('`').unwrap();
    stmts.extend(parse(&lex(&text[start..end], start).unwrap()).unwrap());
    let exercise = super::variants::Exercise {
        id: p.doc.exercises()[0].0.id,
        title: "Part B",
        ordinal: 0,
        scope,
        names: &{
            let mut env = original.env.clone();
            env.reset_scope(scope);
            env
        },
        statements: stmts.iter().collect(),
    };
    // The real allowance is far above what the sample-sized exercise needs.
    let build = super::variants::BuildAllowance::default();
    let mut allowance = super::variants::Allowance::page(&build);
    assert!(super::variants::generate_varied(
        &p.doc,
        None,
        &original,
        &exercise,
        super::variants::MAX_VARIANT_WORK,
        &mut allowance,
    )
    .is_ok());
    let needed = allowance.spent();
    assert!(needed > 100, "making the variants is counted: {needed}");
    // Half of what it takes runs out, at the first `vary` line.
    let tiny = needed / 2;
    let build = super::variants::BuildAllowance::default();
    let errors = super::variants::generate_varied(
        &p.doc,
        None,
        &original,
        &exercise,
        tiny,
        &mut super::variants::Allowance::page(&build),
    )
    .expect_err("a tiny allowance runs out");
    assert!(
        errors[0].message.starts_with(&format!(
            "making the variants of “Part B” takes more than {tiny} units of work"
        )),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].line(), Some(9), "at the first `vary` line");
}

#[test]
fn a_page_name_defined_after_the_exercise_does_not_disturb_its_variants() {
    // The page defines `q` after the exercise that defines its own `q`: each variant runs the
    // exercise with the names the page had when the exercise started.
    let p = page(&format!(
        "{CIRCUIT}\n```verify\nlet q = 100\nq = 100\n```\n"
    ));
    let v = super::verify_page(&p).expect("every variant verifies");
    assert_eq!(v.variants.values().flatten().count(), 5);
}

#[test]
fn an_inline_check_in_a_code_block_is_text_not_a_check() {
    // Shown as code, `{verify}` is not a role: the variants leave it as written.
    let body = CIRCUIT.replace(
        "Inline: {verify}`r = 4`.",
        "Inline: {verify}`r = 4`.\n\n```markdown\nWrite {verify}`r = 4` to check it.\n```",
    );
    let v = super::verify_page(&page(&body)).expect("verifies");
    for variant in v.variants.values().flatten() {
        assert!(variant
            .file
            .text
            .contains("Write {verify}`r = 4` to check it."));
    }
}

#[test]
fn a_page_and_a_build_share_their_allowance_of_work_and_sets() {
    // Two exercises whose sets are cheap: the page's allowance of sets runs out first.
    let two = format!("{CIRCUIT}\n{}", CIRCUIT.replace("Part B", "Part C"));
    let p = page(&two);
    let build = super::variants::BuildAllowance::default();
    let original = super::verify_page(&p).expect("verifies");
    assert_eq!(original.variants.values().map(Vec::len).sum::<usize>(), 10);
    let scope = exercise_scope(&original);
    let text = &p.file.text;
    let mut stmts: Vec<super::ast::Stmt> = Vec::new();
    for (at, _) in text.match_indices("```verify show\n").take(2) {
        let start = at + "```verify show\n".len();
        let end = start + text[start..].find("```").unwrap();
        stmts.extend(parse(&lex(&text[start..end], start).unwrap()).unwrap());
    }
    let start = text.find("{verify}`").unwrap() + "{verify}`".len();
    let end = start + text[start..].find('`').unwrap();
    stmts.extend(parse(&lex(&text[start..end], start).unwrap()).unwrap());
    let names = {
        let mut env = original.env.clone();
        env.reset_scope(scope);
        env
    };
    let exercise = super::variants::Exercise {
        id: p.doc.exercises()[0].0.id,
        title: "Part B",
        ordinal: 0,
        scope,
        names: &names,
        statements: stmts.iter().collect(),
    };
    let generate = |allowance: &mut super::variants::Allowance| {
        super::variants::generate_varied(
            &p.doc,
            None,
            &original,
            &exercise,
            super::variants::MAX_VARIANT_WORK,
            allowance,
        )
    };
    // Sets: 5 asked for, 3 allowed.
    let mut allowance = super::variants::Allowance::page(&build);
    allowance.sets = 3;
    let errors = generate(&mut allowance).expect_err("too many sets");
    assert!(
        errors[0]
            .message
            .starts_with("this page's exercises ask for more than 1000 number sets in all"),
        "{}",
        errors[0].message
    );
    // Work: what the first exercise spent is taken from the page's allowance.
    let mut allowance = super::variants::Allowance::page(&build);
    let before = allowance.work;
    assert_eq!(generate(&mut allowance).expect("makes its sets").len(), 5);
    assert!(allowance.work < before && allowance.sets == super::variants::MAX_PAGE_SETS - 5);
    allowance.work = 10;
    let errors = generate(&mut allowance).expect_err("the page's work is spent");
    assert!(
        errors[0]
            .message
            .starts_with("making this page's variants takes more than"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_variant_whose_worked_answer_cannot_hold_is_an_error_naming_its_numbers() {
    // Every draw settles in one round; the one whose text fails is filled in again until
    // nothing changes, and the error is the settled text's.
    let p = page(
        "::: exercise Roots
```verify
let x = 4
vary x in {4, 9, -1}
variants 3
```

::: solution
```verify
let r = sqrt(x) = 2
```
:::
:::
",
    );
    let errors = super::verify_page(&p).expect_err("the draw x = -1 has no square root");
    let messages: Vec<String> = errors.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        messages,
        ["variant 3 of “Roots” (x = -1): sqrt is not defined at -1 (its domain is x ≥ 0)"]
    );
}
