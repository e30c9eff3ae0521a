//! The math-heavy deck (`tests/fixtures/print/math-deck`), read back by tools we did not write:
//! fractions with the numerator above the denominator, accents that never print as command
//! names, a shown `verify` block's values on its card, and the same bytes on every build
//! (issue #13). With `--include-ignored`, the pages are also rendered to
//! `target/screenshots/math-deck-N.png`.

use std::path::{Path, PathBuf};

use super::{build_course, fixture, repo, tool};

/// Builds the fixture and returns the temp dir (kept alive) and the deck's path.
fn math_deck() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let report = build_course(
        &fixture("print", "math-deck"),
        Some(&out.path().join("site")),
    )
    .unwrap_or_else(|e| panic!("{}", e.render()));
    // No card is set too small (the fixture's numbers are not verified: coverage may warn).
    let deck_warnings: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| !w.message.starts_with("unverified number"))
        .collect();
    assert!(deck_warnings.is_empty(), "{deck_warnings:?}");
    let pdf = out.path().join("site/math/flashcards.pdf");
    (out, pdf)
}

pub(crate) fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_math_deck_is_the_same_bytes_on_every_build() {
    let (_a, first) = math_deck();
    let (_b, second) = math_deck();
    let (first, second) = (
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap(),
    );
    assert!(first == second, "the deck differs between builds");
    let doc = lopdf::Document::load_mem(&first).expect("a valid PDF");
    assert_eq!(doc.get_pages().len(), 6);
}

/// One word of `pdftotext -bbox`: its text and box (y grows downwards).
pub(crate) struct Word {
    pub text: String,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

pub(crate) fn words(pdf: &Path, page: usize) -> Vec<Word> {
    let p = page.to_string();
    let html = tool("pdftotext", &["-bbox", "-f", &p, "-l", &p, path(pdf), "-"]);
    html.lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix("<word ")?;
            let attr = |name: &str| -> f64 {
                let start = line.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
                line[start..start + line[start..].find('"').expect("quote")]
                    .parse()
                    .expect("a number")
            };
            let text = line[line.find('>')? + 1..line.find("</word>")?].to_string();
            Some(Word {
                text,
                x: (attr("xMin"), attr("xMax")),
                y: (attr("yMin"), attr("yMax")),
            })
        })
        .collect()
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn a_fraction_reads_back_with_its_numerator_above_its_denominator() {
    let (_out, pdf) = math_deck();
    // Card 2 asks for d sigma(x) / dx: numerator and denominator are words of their own, one
    // above the other and overlapping horizontally.
    let words = words(&pdf, 2);
    let numerators: Vec<&Word> = words.iter().filter(|w| w.text == "dσ(x)").collect();
    let denominators: Vec<&Word> = words.iter().filter(|w| w.text == "dx").collect();
    assert!(!numerators.is_empty() && !denominators.is_empty());
    for den in &denominators {
        let num = numerators
            .iter()
            .find(|n| n.x.0 < den.x.1 && den.x.0 < n.x.1)
            .expect("a numerator over each denominator");
        assert!(
            num.y.1 <= den.y.0 + 0.5,
            "numerator {:?} is not above denominator {:?}",
            num.y,
            den.y
        );
    }
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn accents_and_blackboard_letters_never_read_back_as_command_names() {
    let (_out, pdf) = math_deck();
    let text = tool("pdftotext", &[path(&pdf), "-"]);
    for name in ["haty", "vecv", "mathbb", "mathbf", "frac", "sqrt", "\\"] {
        assert!(!text.contains(name), "{name:?} in {text}");
    }
    for glyph in ["ℝ", "∑", "√", "∫", "𝐖"] {
        assert!(text.contains(glyph), "{glyph} missing from {text}");
    }
    // The hat reads back as its own character or composed with its letter (poppler composes).
    assert!(text.contains(['ˆ', '\u{302}', 'ŷ']), "no hat in {text}");
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn a_shown_verify_block_in_an_answer_carries_its_values() {
    let (_out, pdf) = math_deck();
    let text = squash(&tool("pdftotext", &["-f", "5", "-l", "5", path(&pdf), "-"]));
    for step in ["3⋅1+4⋅(−1)", "1⋅1+2⋅(−1)", "W⋅x=", "−1"] {
        assert!(text.contains(step), "{step} missing from card 5: {text}");
    }
}

#[test]
#[ignore = "needs poppler-utils and qpdf; .ci/run installs them and runs ignored tests"]
fn the_math_deck_renders_and_passes_qpdf() {
    let (_out, pdf) = math_deck();
    assert!(tool("qpdf", &["--check", path(&pdf)]).contains("No syntax or stream encoding errors"));
    let fonts = tool("pdffonts", &[path(&pdf)]);
    assert!(fonts.contains("DejaVuMathTeXGyre"), "{fonts}");
    let shots = repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "100",
            path(&pdf),
            path(&shots.join("math-deck")),
        ],
    );
    assert!(shots.join("math-deck-1.png").is_file());
}

#[test]
fn a_card_too_long_to_read_is_a_located_warning_and_the_build_succeeds() {
    let course = tempfile::tempdir().expect("temp dir");
    let lesson = course.path().join("content/01-long");
    std::fs::create_dir_all(&lesson).expect("lesson folder");
    std::fs::write(
        course.path().join("course.yaml"),
        "title: Long\nbase_url: /\n",
    )
    .unwrap();
    let long = "The gradient flows back through every gate of the graph. ".repeat(60);
    std::fs::write(
        lesson.join("index.md"),
        format!(
            "---\ntitle: Long\n---\n\n::: flashcards\n::: card\nShort?\n::: answer\nShort.\n:::\n:::\n\n::: card\nWhy?\n::: answer\n{long}\n:::\n:::\n:::\n"
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().expect("temp dir");
    let report = build_course(course.path(), Some(&out.path().join("site")))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let warning = &report.warnings[0];
    assert_eq!(warning.severity, coursegen::diagnostic::Severity::Warning);
    // Located at the second card's opening line, and naming it.
    assert!(
        warning
            .to_string()
            .starts_with("content/01-long/index.md:13:1: flashcard 2 of long/flashcards.pdf: its answer is set at"),
        "{warning}"
    );
    assert!(
        warning.render().starts_with("warning:"),
        "{}",
        warning.render()
    );
    assert!(out.path().join("site/long/flashcards.pdf").is_file());
}
