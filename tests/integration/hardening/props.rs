//! Structure-aware property tests: generated containers, front matter and LaTeX, in long and
//! deep shapes, built in-process (an abort fails the whole test binary). Each case must end in
//! a report, not a panic, within a generous time bound: the bound catches hangs and quadratic
//! walks, not a slow machine. The case count is fixed so CI time is too.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::course_with;
use crate::build_course;

/// Generous: a real page builds in milliseconds.
const BOUND: Duration = Duration::from_secs(10);

fn config() -> Config {
    Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Writes `page` as the course's only page and checks the course, in memory.
fn check(course: &Path, page: &str) {
    fs::write(course.join("content/01-intro/index.md"), page).expect("write page");
    let start = Instant::now();
    let result = build_course(course, None);
    let took = start.elapsed();
    assert!(
        took < BOUND,
        "took {took:?} for a page of {} bytes",
        page.len()
    );
    if let Err(errors) = result {
        // Every report is located in the page (or names it) and is capped per file.
        assert!(errors.len() <= 51, "{} errors", errors.len());
        for d in &errors.0 {
            assert!(d.location().starts_with("content/01-intro/index.md"), "{d}");
        }
    }
}

/// One line of a page body, from the constructs that give pages their structure.
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("::: question".to_string()),
        Just("::: answer".to_string()),
        Just("::: exercise Part A".to_string()),
        Just("::: solution".to_string()),
        Just("::: flashcards".to_string()),
        Just("::: card".to_string()),
        Just("::: questoin".to_string()),
        Just(":::".to_string()),
        Just("::::".to_string()),
        Just("```".to_string()),
        Just("```verify".to_string()),
        Just("- item".to_string()),
        Just("  ```verify".to_string()),
        Just("> ```verify".to_string()),
        Just("1 + 1 = 2".to_string()),
        Just(String::new()),
        "[a-z $*_`]{0,20}",
    ]
}

/// A body: a soup of structural lines, or a deep nest of one container, closed or not.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(body_line(), 0..3000).prop_map(|lines| lines.join("\n")),
        (
            0usize..60_000,
            0usize..60_000,
            prop::sample::select(vec!["exercise", "question", "card", "nope"])
        )
            .prop_map(|(open, close, kind)| {
                format!(
                    "{}{}",
                    format!("::: {kind}\n").repeat(open),
                    ":::\n".repeat(close)
                )
            }),
        (1usize..40, 0usize..20).prop_map(|(depth, items)| {
            let mut page = String::new();
            for d in 0..depth {
                page.push_str(&format!("{}- level {d}\n\n", "  ".repeat(d)));
            }
            let pad = "  ".repeat(depth);
            for i in 0..items {
                page.push_str(&format!(
                    "{pad}```verify\n{pad}{i} + 1 = {}\n{pad}```\n\n",
                    i + 1
                ));
            }
            page
        }),
    ]
}

/// Front matter: real keys and the shapes that stress a YAML parser, deep and long.
fn front_matter() -> impl Strategy<Value = String> {
    let deep = (
        0usize..50_000,
        prop::sample::select(vec!["[", "{", "- ", "? ", "&a [", "\"", "'"]),
    )
        .prop_map(|(n, piece)| format!("title: {}\n", piece.repeat(n)));
    let keys = prop::collection::vec(
        prop_oneof![
            Just("title: T".to_string()),
            Just("description: d".to_string()),
            Just("weight: 3".to_string()),
            Just("weight: 99999999999999999999999".to_string()),
            Just("titel: T".to_string()),
            Just("a: &x [1, 2]\nb: [*x, *x, *x]".to_string()),
            "[a-z]{1,8}: [a-z0-9\\[\\]{}:,'\" -]{0,30}",
        ],
        0..200,
    )
    .prop_map(|lines| lines.join("\n") + "\n");
    let closed = prop_oneof![Just(true), Just(false)];
    (prop_oneof![deep, keys], closed).prop_map(|(yaml, closed)| {
        format!(
            "---\n{yaml}{}Body.\n",
            if closed { "---\n\n" } else { "\n" }
        )
    })
}

/// LaTeX: a construct nested to a random depth, or a long soup of tokens.
fn latex() -> impl Strategy<Value = String> {
    let nest = (
        0usize..4000,
        prop::sample::select(vec![
            ("\\frac{1}{", "}"),
            ("{", "}"),
            ("\\sqrt{", "}"),
            ("\\sqrt", ""),
            ("\\frac1", ""),
            ("\\left(", "\\right)"),
            ("\\begin{bmatrix}", "\\end{bmatrix}"),
            ("x^{", "}"),
            ("x_{", "}"),
            ("\\mathrm{", "}"),
        ]),
    )
        .prop_map(|(n, (open, close))| format!("{}x{}", open.repeat(n), close.repeat(n)));
    let soup = prop::collection::vec(
        prop::sample::select(vec![
            "\\frac",
            "{",
            "}",
            "^",
            "_",
            "\\sqrt",
            "x",
            "1",
            "&",
            "\\\\",
            "\\left(",
            "\\right)",
            "\\begin{bmatrix}",
            "\\end{bmatrix}",
            "\\cdot",
            " ",
            "\\",
        ]),
        0..3000,
    )
    .prop_map(|tokens| tokens.concat());
    prop_oneof![nest, soup]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_container_structure_ends_with_a_report(body in body()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let course = course_with(dir.path(), &[("index.md", "")]);
        check(&course, &format!("---\ntitle: T\n---\n\n{body}"));
    }

    #[test]
    fn any_front_matter_ends_with_a_report(page in front_matter()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let course = course_with(dir.path(), &[("index.md", "")]);
        check(&course, &page);
    }

    #[test]
    fn any_latex_ends_with_a_report(latex in latex(), display in any::<bool>(), in_card in any::<bool>()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let course = course_with(dir.path(), &[("index.md", "")]);
        let math = if display { format!("$${latex}$$") } else { format!("${latex}$") };
        let body = if in_card {
            format!("::: flashcards\n::: card\nQ {math}\n::: answer\nA {math}\n:::\n:::\n:::\n")
        } else {
            format!("Text {math}\n")
        };
        check(&course, &format!("---\ntitle: T\n---\n\n{body}"));
    }
}
