//! The whole pipeline on arbitrary prose (issue #23): UTF-8 text mixed with Markdown syntax,
//! HTML entities and tags, smart quotes, right-to-left and combining characters, `:::` lines
//! and role fragments, loaded, verified, rendered and printed (PDF, `.apkg`, `.tsv`) in
//! memory. Every case must end in a built site or located errors, never a panic; smart quotes
//! after `&` once panicked every build. The case count is fixed so the run is bounded; a
//! deeper run: `PROPTEST_CASES=5000 cargo test --test integration prose`.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::course_with;
use crate::build_course;

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(96),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A piece of prose: the constructs pages are made of, and the text that broke readers of it.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "x < y is \"true\"",
        "R&D — \"fast\"",
        "Q&A ÄÄÄ",
        "&amp;",
        "&#x41;",
        "&#xZZ;",
        "&",
        "&ÄÄÄÄ;",
        "<b>",
        "</b>",
        "<i>x</i>",
        "<a name=\"old\">",
        "<span id=\"s\">",
        "<!-- c -->",
        "<div>",
        "'single'",
        "don't",
        "--",
        "...",
        "שלום עולם",
        "مرحبا",
        "e\u{301}",
        "\u{202e}rtl",
        "🙂",
        "::: question",
        "::: answer",
        "::: exercise Part A",
        "::: solution",
        "::: flashcards",
        "::: card",
        "::: figure A *caption*",
        ":::",
        "::::",
        "::: card {#id}",
        "{eval}`1 + 1`",
        "{verify}`1 + 1 = 2`",
        "{count}`cards`",
        "{Count}`questions`",
        "{label}`3`",
        "{eval}`",
        "{evl}`x`",
        "{count}`nothing`",
        "{eval:.2}`1/3`",
        "{verify}`x = 1`",
        "$x^2$",
        "$$\\frac{1}{2}$$",
        "\\(a_1\\)",
        "\\[b\\]",
        "\\(",
        "\\\\(c\\\\)",
        "$\\unknown$",
        "[^1]",
        "[^1]: a note",
        "[^nope]",
        "[link](other.md#x)",
        "[ref][r]",
        "[r]: /x",
        "![alt](missing.png)",
        "`code`",
        "**bold**",
        "*it*",
        "_u_",
        "~~s~~",
        "- item",
        "1. first",
        "> quote",
        "## Heading",
        "# Title {#t}",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "```verify\nlet x = 1\nx = 1\n```",
        "```verify show\n1 + 1 = 2\n```",
        "```python\nx\n```",
        "```",
        "~~~",
        "    indented code",
        "---",
        "***",
        "\n",
        "\n\n",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => fixed,
        1 => "\\PC{0,12}",
        1 => "[ -~]{0,12}",
    ]
}

/// A page body: pieces joined by spaces or line breaks.
fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (piece(), prop::sample::select(vec![" ", "\n", "\n\n", ""])),
        0..40,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, sep)| format!("{p}{sep}"))
            .collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_prose_builds_or_gives_located_errors(body in body()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let course = course_with(dir.path(), &[("index.md", &body)]);
        let start = Instant::now();
        // In memory, with PDFs: load, verify, render, print.
        let result = build_course(&course, None);
        prop_assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
        if let Err(errors) = result {
            prop_assert!(!errors.0.is_empty());
            for d in &errors.0 {
                prop_assert!(
                    d.location().starts_with("content/01-intro/index.md:"),
                    "not located in the page: {d}"
                );
            }
        }
    }
}
