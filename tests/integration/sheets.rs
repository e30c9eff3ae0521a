//! Cut sheets: cards 4 or 8 to an A4 or Letter sheet with cut marks, and with duplex each
//! answer behind its question (issue #13).

use std::path::{Path, PathBuf};

use coursegen::build::{build, BuildOptions};
use coursegen::config::SheetSize;

use super::{fixture, tool};

/// The math fixture (six cards) with `extra` added to its flashcard options, built with
/// `sheet`; returns the temp dirs (kept alive) and the page deck.
fn built(extra: &str, sheet: Option<SheetSize>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    let from = fixture("print", "math-deck");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("readable");
        let to = course.join(entry.path().strip_prefix(&from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("folder");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    let yaml = std::fs::read_to_string(course.join("course.yaml")).expect("course file");
    std::fs::write(
        course.join("course.yaml"),
        yaml.replace(
            "page_size: a6-landscape",
            &format!("page_size: a6-landscape\n{extra}"),
        ),
    )
    .expect("course file");
    build(&BuildOptions {
        root: course.clone(),
        out: Some(dir.path().join("site")),
        pdf: true,
        sheet,
        strict: false,
        practice_sheets: None,
        cache: false,
    })
    .unwrap_or_else(|e| panic!("{}", e.render()));
    let pdf = dir.path().join("site/math/flashcards.pdf");
    (dir, pdf)
}

/// Each page's width and height in points.
fn page_sizes(pdf: &Path) -> Vec<(f32, f32)> {
    let doc = lopdf::Document::load(pdf).expect("a valid PDF");
    doc.get_pages()
        .values()
        .map(|id| {
            let page = doc.get_dictionary(*id).expect("a page");
            let media = page
                .get(b"MediaBox")
                .and_then(|m| m.as_array())
                .expect("a box");
            let n = |i: usize| media[i].as_float().expect("a number");
            (n(2) - n(0), n(3) - n(1))
        })
        .collect()
}

#[test]
fn four_cards_to_a_landscape_a4_sheet_from_the_command_line() {
    let (_dir, pdf) = built("", Some(SheetSize::A4));
    let sizes = page_sizes(&pdf);
    assert_eq!(sizes.len(), 2, "six cards on two sheets");
    for (w, h) in sizes {
        assert!(
            (w - 841.89).abs() < 0.5 && (h - 595.28).abs() < 0.5,
            "{w} × {h}"
        );
    }
}

#[test]
fn eight_cards_to_a_letter_sheet_from_course_yaml() {
    let (_dir, pdf) = built("  sheet: letter\n  cards_per_sheet: 8\n", None);
    let sizes = page_sizes(&pdf);
    assert_eq!(sizes.len(), 1, "six cards on one sheet");
    let (w, h) = sizes[0];
    assert!(
        (w.min(h) - 612.0).abs() < 0.5 && (w.max(h) - 792.0).abs() < 0.5,
        "{w} × {h}"
    );
}

/// Centre x of the number in the label "card N of …" on `page`, from `pdftotext -bbox`
/// (which lists a line's words in order).
fn label_x(pdf: &Path, page: usize, card: usize) -> f64 {
    let p = page.to_string();
    let html = tool(
        "pdftotext",
        &[
            "-bbox",
            "-f",
            &p,
            "-l",
            &p,
            pdf.to_str().expect("path"),
            "-",
        ],
    );
    let words: Vec<&str> = html.lines().filter(|l| l.contains("<word ")).collect();
    let text =
        |l: &str| l[l.find('>').expect("tag") + 1..l.find("</word>").expect("end")].to_string();
    let at = words
        .windows(2)
        .position(|w| text(w[0]) == "card" && text(w[1]) == card.to_string())
        .unwrap_or_else(|| panic!("card {card} not labelled on page {page}"));
    let line = words[at + 1];
    let attr = |name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        line[start..start + line[start..].find('"').expect("quote")]
            .parse()
            .expect("a number")
    };
    (attr("xMin") + attr("xMax")) / 2.0
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn with_duplex_each_answer_is_behind_its_question() {
    let (_dir, pdf) = built("  duplex: true\n", Some(SheetSize::A4));
    assert_eq!(page_sizes(&pdf).len(), 4, "two sheets, front and back");
    // Card 1's question is top left on the front; its answer is top right on the back, which
    // is top left once the sheet is flipped on its long edge.
    let width = page_sizes(&pdf)[0].0 as f64;
    for (card, front_left) in [(1, true), (2, false), (3, true), (4, false)] {
        let question = label_x(&pdf, 1, card);
        let answer = label_x(&pdf, 2, card);
        assert_eq!(
            question < width / 2.0,
            front_left,
            "card {card} question at {question}"
        );
        assert_eq!(
            answer > width / 2.0,
            front_left,
            "card {card} answer at {answer}"
        );
    }
}
