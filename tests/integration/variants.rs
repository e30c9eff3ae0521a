//! Exercise variants (issue #17): every variant of the sample's Parts A and B is verified, a
//! variant's numbers are stable, and a wrong step or an unsatisfiable condition is a located
//! error (the error fixtures `variant-*` show the messages).

use std::fs;
use std::path::Path;

use coursegen::load::load_course;
use coursegen::verify::variants::Variant;
use coursegen::verify::verify_page;

use super::{build_course, repo, sample_copy};

const PAGE: &str = "content/01-neural-networks/practice-backprop.md";

/// Each exercise's variants on the sample practice page of the course at `root`, in page order.
fn sample_variants(root: &Path) -> Vec<Vec<(String, String)>> {
    let (course, diagnostics) = load_course(root);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let page = course
        .pages()
        .find(|p| p.file.path == PAGE)
        .expect("the practice page");
    let verification = verify_page(page).expect("the page verifies");
    verification
        .variants
        .values()
        .map(|vs| {
            vs.iter()
                .map(|v: &Variant| {
                    assert!(v.checks > 0, "variant {} checks something", v.number);
                    (v.givens.clone(), v.file.text.clone())
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_variant_of_the_sample_exercises_is_verified_and_differs() {
    let report = build_course(&repo(), None).expect("the sample builds");
    assert_eq!(report.variants, 8, "Parts A and B have 4 variants each");
    let variants = sample_variants(&repo());
    assert_eq!(variants.len(), 2, "Parts A and B");
    let original = fs::read_to_string(repo().join(PAGE)).expect("read");
    for exercise in &variants {
        assert_eq!(exercise.len(), 4, "5 sets: the author's and 4 more");
        let mut givens: Vec<&str> = exercise.iter().map(|(g, _)| g.as_str()).collect();
        givens.sort();
        givens.dedup();
        assert_eq!(givens.len(), 4, "every set of numbers differs: {givens:?}");
        for (_, text) in exercise {
            assert_ne!(text, &original, "a variant's text has its own numbers");
            // Only numbers change: every line stays where it was.
            assert_eq!(text.lines().count(), original.lines().count());
        }
    }
    // Each set is on the page, after the author's.
    let html = report
        .files
        .iter()
        .find(|f| f.path == "neural-networks/practice-backprop/index.html")
        .map(|f| String::from_utf8_lossy(&f.bytes).to_string())
        .expect("the practice page");
    for k in 1..=5 {
        assert_eq!(
            html.matches(&format!("data-variant=\"{k}\"")).count(),
            2,
            "set {k} of Parts A and B"
        );
    }
}

#[test]
fn a_variants_numbers_stay_the_same_when_text_around_the_exercise_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let before = sample_variants(&course);
    let page = course.join(PAGE);
    let text = fs::read_to_string(&page).expect("read");
    fs::write(
        &page,
        text.replacen(
            "## Try it yourself",
            "A paragraph added above the exercises.\n\n## Try it yourself",
            1,
        ),
    )
    .expect("write");
    let after = sample_variants(&course);
    assert!(
        before.iter().all(|e| e.len() == 4),
        "the sample has its variants"
    );
    let givens = |v: &Vec<Vec<(String, String)>>| -> Vec<Vec<String>> {
        v.iter()
            .map(|e| e.iter().map(|(g, _)| g.clone()).collect())
            .collect()
    };
    assert_eq!(givens(&before), givens(&after));
}

#[test]
fn two_builds_of_a_course_with_variants_are_byte_identical() {
    let first = build_course(&repo(), None).expect("builds");
    let second = build_course(&repo(), None).expect("builds");
    assert!(
        first
            .files
            .iter()
            .any(|f| f.path.ends_with("practice-backprop/index.html")),
        "the build holds the page with variants"
    );
    assert_eq!(first.files.len(), second.files.len());
    for (a, b) in first.files.iter().zip(&second.files) {
        assert_eq!(a.path, b.path);
        assert!(a.bytes == b.bytes, "{} differs between builds", a.path);
    }
}
