//! Circuit figures on printed cards (`tests/fixtures/print/circuit-deck`, issue #16): a card
//! whose answer or question holds a `circuit` line prints the same figure as the page, every
//! wire's value and gradient as the page's SVG has them, inside the card, the same bytes on
//! every build. With `--include-ignored`, the cards are also rendered to
//! `target/screenshots/circuit-deck-N.png`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::math_deck::{path, words};
use super::{build_course, fixture, repo, tool};

/// Builds the fixture; returns the temp dir (kept alive), the deck and the page's HTML.
fn circuit_deck() -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let report = build_course(&fixture("print", "circuit-deck"), Some(&site))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let html = std::fs::read_to_string(site.join("circuits/index.html")).expect("the page");
    (out, site.join("circuits/flashcards.pdf"), html)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Each circuit figure of the page, as the texts its SVG draws: gate labels, values and
/// gradients.
fn svg_labels(html: &str) -> Vec<BTreeMap<&'static str, Vec<String>>> {
    html.split("<figure class=\"circuit\"")
        .skip(1)
        .map(|figure| {
            let svg = &figure[..figure.find("</svg>").expect("an SVG")];
            let mut labels: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
            for class in ["gate", "value", "grad"] {
                let open = format!("<text class=\"{class}\"");
                for text in svg.split(open.as_str()).skip(1) {
                    let text = &text[text.find('>').expect("tag end") + 1..];
                    let text = &text[..text.find("</text>").expect("text end")];
                    labels.entry(class).or_default().push(unescape(text));
                }
            }
            labels
        })
        .collect()
}

#[test]
fn the_circuit_deck_is_the_same_bytes_on_every_build() {
    let (_a, first, html) = circuit_deck();
    let (_b, second, _) = circuit_deck();
    let (first, second) = (
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap(),
    );
    assert!(first == second, "the deck differs between builds");
    let doc = lopdf::Document::load_mem(&first).expect("a valid PDF");
    // Duplex: two cards, question and answer each.
    assert_eq!(doc.get_pages().len(), 4);
    assert_eq!(svg_labels(&html).len(), 2, "two figures on the page");
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn every_wire_label_of_the_page_figure_prints_on_its_card_inside_the_page() {
    let (_out, pdf, html) = circuit_deck();
    let figures = svg_labels(&html);
    // The neuron is card 1's answer (page 2); the merged neuron card 2's question (page 3).
    for (figure, page) in figures.iter().zip([2, 3]) {
        let words = words(&pdf, page);
        let mut printed: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &words {
            *printed.entry(w.text.as_str()).or_default() += 1;
        }
        // Every label the SVG draws, as many times as it draws it.
        let mut wanted: BTreeMap<&str, usize> = BTreeMap::new();
        for label in figure.values().flatten() {
            *wanted.entry(label.as_str()).or_default() += 1;
        }
        assert!(wanted.len() > 5, "{figure:?}");
        for (label, n) in &wanted {
            let got = printed.get(label).copied().unwrap_or(0);
            assert!(
                got >= *n,
                "page {page}: {label:?} printed {got} times, the SVG draws it {n} times; words: {:?}",
                words.iter().map(|w| &w.text).collect::<Vec<_>>()
            );
        }
        // The legend says which label is which.
        let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert!(text
            .join(" ")
            .contains("value above each wire · gradient below"));
        // Every word inside the card's margins (A6 landscape: 419.5 × 297.6 pt, 7% margin).
        let (w, h, margin) = (148.0 * 72.0 / 25.4, 105.0 * 72.0 / 25.4, 20.8);
        for word in &words {
            assert!(
                word.x.0 >= margin - 1.0
                    && word.x.1 <= w - margin + 1.0
                    && word.y.0 >= margin - 1.0
                    && word.y.1 <= h - margin + 1.0,
                "page {page}: {:?} at {:?} × {:?} is outside the card",
                word.text,
                word.x,
                word.y
            );
        }
    }
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn the_circuit_deck_renders() {
    let (_out, pdf, _) = circuit_deck();
    let shots = repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let prefix = shots.join("circuit-deck");
    tool("pdftoppm", &["-png", "-r", "80", path(&pdf), path(&prefix)]);
    assert!(Path::new(&format!("{}-2.png", path(&prefix))).is_file());
}

#[test]
fn a_circuit_too_big_for_a_one_sided_card_is_a_located_warning() {
    // The fixture's page, printed one-sided: the answer has half an A6 card for the neuron.
    let course = tempfile::tempdir().expect("temp dir");
    super::copy_tree(&fixture("print", "circuit-deck"), course.path());
    std::fs::write(
        course.path().join("course.yaml"),
        "title: Circuits\nbase_url: /\nflashcards:\n  page_size: a6-landscape\n",
    )
    .unwrap();
    let out = tempfile::tempdir().expect("temp dir");
    let report = build_course(course.path(), Some(&out.path().join("site")))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let circuits: Vec<String> = report
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("circuit"))
        .collect();
    assert!(!circuits.is_empty(), "{:?}", report.warnings);
    assert!(
        circuits[0].starts_with(
            "content/01-circuits/index.md:8:1: flashcard 1 of circuits/flashcards.pdf: its answer's circuit is set at"
        ) && circuits[0].contains("below the readable 5 pt"),
        "{circuits:?}"
    );
    assert!(out.path().join("site/circuits/flashcards.pdf").is_file());
}
