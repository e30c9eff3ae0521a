//! The Anki decks, opened with tools we did not write: unzip and sqlite3 here (the notes, the
//! deck name, the math in `\( \)`, the same note ids and bytes after a second build, issue #13);
//! Anki's own library in `library.rs` (a student's collection through edits, issue #27); the
//! identity warnings and byte-identical decks of fresh copies in `identity.rs`.

mod identity;
pub mod library;

use std::path::Path;

use super::{build_course, repo, tool};

/// Unzips `apkg` into `dir` and runs `sql` on its collection.
fn query(apkg: &Path, dir: &Path, sql: &str) -> String {
    tool(
        "unzip",
        &[
            "-o",
            "-q",
            apkg.to_str().unwrap(),
            "-d",
            dir.to_str().unwrap(),
        ],
    );
    tool(
        "sqlite3",
        &[dir.join("collection.anki2").to_str().unwrap(), sql],
    )
}

#[test]
#[ignore = "needs unzip and sqlite3; .ci/run installs them and runs ignored tests"]
fn the_anki_deck_holds_the_cards_with_mathjax_math_and_stable_ids() {
    let out = tempfile::tempdir().expect("temp dir");
    build_course(&repo(), Some(&out.path().join("a"))).expect("build");
    build_course(&repo(), Some(&out.path().join("b"))).expect("build");
    let deck = "neural-networks/practice-backprop/flashcards.apkg";
    let (a, b) = (
        out.path().join("a").join(deck),
        out.path().join("b").join(deck),
    );
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "the deck differs between builds"
    );
    let ids = |apkg: &Path, dir: &str| {
        query(
            apkg,
            &out.path().join(dir),
            "SELECT id, guid FROM notes ORDER BY id",
        )
    };
    let first = ids(&a, "ua");
    assert_eq!(first.lines().count(), 9, "{first}");
    assert_eq!(
        first,
        ids(&b, "ub"),
        "note ids and guids change between builds"
    );

    let dir = out.path().join("ua");
    let decks = query(&a, &dir, "SELECT decks FROM col");
    assert!(
        decks.contains(
            "\"Neural Networks from Scratch::Practice: Neural networks and backpropagation\""
        ),
        "{decks}"
    );
    let fields = query(&a, &dir, "SELECT flds FROM notes");
    assert!(
        fields.contains(r"\(W \leftarrow W - \alpha \cdot \nabla L\)"),
        "{fields}"
    );
    assert!(
        !fields.contains("<math"),
        "MathML in an Anki field: {fields}"
    );
    let cards = query(
        &a,
        &dir,
        "SELECT count(*) FROM cards JOIN notes ON cards.nid = notes.id",
    );
    assert_eq!(cards.trim(), "9");

    let course = out.path().join("a/flashcards.apkg");
    let notes = query(
        &course,
        &out.path().join("uc"),
        "SELECT count(*) FROM notes",
    );
    assert_eq!(notes.trim(), "9", "the course deck holds every card");
}

#[test]
#[ignore = "needs unzip and sqlite3; .ci/run installs them and runs ignored tests"]
fn a_card_with_a_circuit_carries_its_figure_into_anki() {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build_course(&super::fixture("print", "circuit-deck"), Some(&site)).expect("build");
    let html = std::fs::read_to_string(site.join("circuits/index.html")).expect("the page");
    let fields = query(
        &site.join("circuits/flashcards.apkg"),
        &out.path().join("apkg"),
        "SELECT flds FROM notes ORDER BY id",
    );
    // The figure travels with its own style rules: Anki has no site stylesheet.
    assert!(fields.contains("<svg class=\"circuit-svg\""), "{fields}");
    assert!(fields.contains(".value{fill:#1a7f37"), "{fields}");
    // Every figure of the page is in the deck, with the same labels.
    let figures = |text: &str| -> Vec<Vec<String>> {
        let mut all: Vec<Vec<String>> = text
            .split("<svg class=\"circuit-svg\"")
            .skip(1)
            .map(|svg| {
                svg[..svg.find("</svg>").expect("its end")]
                    .split("<text class=\"")
                    .skip(1)
                    .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].to_string())
                    .collect()
            })
            .collect();
        all.sort();
        all
    };
    assert!(!figures(&html).is_empty());
    assert_eq!(figures(&html), figures(&fields));
}
