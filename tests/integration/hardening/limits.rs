//! Bounded structure outside the verification language: deep containers, stray `:::` lines,
//! deep YAML and deep or long LaTeX each end quickly with a located error (the inputs are
//! generated here, at the sizes that aborted or hung before). Time bounds are generous: they
//! catch a hang or a quadratic walk, not a slow machine.

use std::time::{Duration, Instant};

use super::{build_cli, course_with, stderr};

/// Checks the one-page course `body` (a page body, or a whole page when it starts with `---`)
/// and returns the exit code and standard error, asserting it took less than `bound`.
fn check_page(body: &str, bound: Duration) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", body)]);
    let site = dir.path().join("site");
    let start = Instant::now();
    let run = build_cli(&course, &site);
    let took = start.elapsed();
    assert!(took < bound, "took {took:?}");
    assert!(!site.exists(), "a failed build wrote a site");
    (run.status.code(), stderr(&run))
}

const BOUND: Duration = Duration::from_secs(20);

#[test]
fn two_hundred_thousand_nested_containers_are_one_located_error() {
    let body = format!(
        "{}{}",
        "::: exercise\n".repeat(200_000),
        ":::\n".repeat(200_000)
    );
    let (code, err) = check_page(&body, BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:21:1: containers nested more than 16 deep"),
        "{err}"
    );
    assert_eq!(err.matches("nested more than").count(), 1, "{err}");
}

#[test]
fn twenty_thousand_stray_closings_are_capped_with_a_count() {
    let (code, err) = check_page(&":::\n".repeat(20_000), BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:5:1: `:::` closes nothing: no container is open"),
        "{err}"
    );
    assert!(
        err.contains("content/01-intro/index.md: and 19950 more errors in this file"),
        "{err}"
    );
    assert_eq!(err.matches("closes nothing").count(), 50);
}

#[test]
fn deep_yaml_is_refused_before_it_is_parsed() {
    let page = format!("---\ntitle: {}\n---\n\nText.\n", "[".repeat(40_000));
    let (code, err) = check_page(&page, BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:2:40: YAML nested more than 32 levels deep"),
        "{err}"
    );
    let page = format!("---\ntitle: x\ndescription: {}\n---\n", "a".repeat(70_000));
    let (code, err) = check_page(&page, BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:2:1: YAML is larger than the 64 KiB limit"),
        "{err}"
    );
}

#[test]
fn deep_and_long_latex_is_a_located_error_not_an_abort() {
    let mut frac = "1".to_string();
    for _ in 0..700 {
        frac = format!("\\frac{{1}}{{{frac}}}");
    }
    let (code, err) = check_page(&format!("$${frac}$$\n"), BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:5:908: formula nested more than 100 levels deep"),
        "{err}"
    );
    let braces = format!("${}x{}$\n", "{".repeat(2000), "}".repeat(2000));
    let (code, err) = check_page(&braces, BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:5:102: formula nested more than 100 levels deep"),
        "{err}"
    );
    let (code, err) = check_page(&format!("${}2$\n", "\\sqrt".repeat(5000)), BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("formula too large: more than 1000 commands, braces and scripts"),
        "{err}"
    );
    // In a flashcard, whose text also goes to the PDF.
    let card = format!(
        "::: flashcards\n::: card\nQ ${}x{}$\n::: answer\nA\n:::\n:::\n:::\n",
        "{".repeat(2000),
        "}".repeat(2000)
    );
    let (code, err) = check_page(&card, BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("index.md:7:104: formula nested more than 100 levels deep"),
        "{err}"
    );
}

#[test]
fn unclosed_front_matter_says_so() {
    let (code, err) = check_page("---\ntitle: X\n\nBody text.\n", BOUND);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:1:1: front matter is never closed"),
        "{err}"
    );
    assert!(err.contains("help: end it with a line `---`"), "{err}");
    assert!(!err.contains("no front matter"), "{err}");
}
