//! The flashcard PDFs, read back: one page per card, each card's text on its page, a subset
//! font, text inside the page, identical bytes on every build — and, with `--include-ignored`,
//! the same files through qpdf and poppler, readers no one here wrote.

use coursegen::load::load_course;
use coursegen::print::pdf::{deck_pdf, PrintOptions};
use coursegen::print::text::{Run, Style};
use coursegen::print::{page_deck, DeckCard};
use coursegen::verify::verify_course;

use super::{build_course, repo, tool};

const A6: PrintOptions = PrintOptions {
    page_mm: (148.0, 105.0),
    duplex: false,
    sheet: None,
};

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn plain(paragraphs: &[Vec<Run>]) -> String {
    paragraphs
        .iter()
        .flatten()
        .map(|r| r.text.as_str())
        .collect()
}

fn sample_deck() -> Vec<DeckCard> {
    let (course, errors) = load_course(&repo());
    assert!(errors.is_empty(), "{}", errors.render());
    let page = course.lessons[0]
        .practice
        .first()
        .expect("the practice page");
    let verifications = verify_course(&course).expect("the sample verifies");
    let index = course
        .pages()
        .position(|p| std::ptr::eq(p, page))
        .expect("a page of the course");
    page_deck(page, &verifications[index]).expect("every card prints")
}

fn card(question: &str, answer: &str) -> DeckCard {
    let para = |t: &str| vec![vec![Run::text(Style::Regular, t)]];
    DeckCard {
        question: para(question),
        answer: para(answer),
    }
}

#[test]
fn one_page_per_card_with_its_question_and_answer() {
    let cards = sample_deck();
    assert_eq!(cards.len(), 9);
    let doc = lopdf::Document::load_mem(&deck_pdf("Sample", &cards, A6)).expect("a valid PDF");
    assert_eq!(doc.get_pages().len(), 9);
    for (i, card) in cards.iter().enumerate() {
        let text = squash(&doc.extract_text(&[i as u32 + 1]).expect("text"));
        assert!(
            text.contains(&squash(&plain(&card.question))),
            "page {}: {text}",
            i + 1
        );
        assert!(
            text.contains(&squash(&plain(&card.answer))),
            "page {}: {text}",
            i + 1
        );
    }
    let page8 = doc.extract_text(&[8]).expect("text");
    for glyph in ['←', '−', 'α', '∇', '·'] {
        assert!(page8.contains(glyph), "{glyph} missing from {page8}");
    }
}

#[test]
fn a_500_card_deck_has_500_pages_and_duplex_doubles_them() {
    let cards: Vec<DeckCard> = (0..500)
        .map(|i| card(&format!("Question {i}?"), &format!("Answer {i}.")))
        .collect();
    let doc = lopdf::Document::load_mem(&deck_pdf("Big", &cards, A6)).expect("valid");
    assert_eq!(doc.get_pages().len(), 500);
    assert_eq!(
        squash(&doc.extract_text(&[437]).expect("text")),
        squash("Big · card 437 of 500 Question 436? Answer 436.")
    );
    let duplex = PrintOptions { duplex: true, ..A6 };
    let doc = lopdf::Document::load_mem(&deck_pdf("Big", &cards[..10], duplex)).expect("valid");
    assert_eq!(doc.get_pages().len(), 20);
    assert!(doc.extract_text(&[2]).expect("text").contains("Answer 0."));
}

#[test]
fn the_font_is_an_embedded_subset_and_the_deck_is_small() {
    let bytes = deck_pdf("Sample", &sample_deck(), A6);
    assert!(bytes.len() < 80_000, "9-card deck is {} bytes", bytes.len());
    let doc = lopdf::Document::load_mem(&bytes).expect("valid");
    let mut subset_fonts = 0;
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict() {
            if dict.get(b"Type").and_then(|t| t.as_name()).ok()
                == Some(b"FontDescriptor".as_slice())
            {
                let name = dict
                    .get(b"FontName")
                    .and_then(|n| n.as_name())
                    .expect("a font name");
                let name = String::from_utf8_lossy(name);
                assert!(
                    name.len() > 7 && name.as_bytes()[6] == b'+',
                    "{name} has no subset tag"
                );
                assert!(dict.get(b"FontFile2").is_ok(), "{name} is not embedded");
                subset_fonts += 1;
            }
        }
    }
    assert!(subset_fonts >= 1);
}

#[test]
fn a_2000_character_answer_shrinks_to_stay_inside_the_page() {
    let long = "The chain rule multiplies upstream by local gradients. ".repeat(37);
    assert!(long.len() >= 2000);
    let cards = vec![card("A long one?", &long)];
    let doc = lopdf::Document::load_mem(&deck_pdf("Long", &cards, A6)).expect("valid");
    assert_eq!(doc.get_pages().len(), 1, "the card stays on one page");
    // Every text position on the page lies inside the page box.
    let page = doc.get_pages()[&1];
    let content = doc.get_and_decode_page_content(page).expect("content");
    let mut positions = 0;
    for op in content.operations.iter().filter(|o| o.operator == "Tm") {
        let n: Vec<f32> = op
            .operands
            .iter()
            .map(|o| o.as_float().expect("number"))
            .collect();
        let (x, y) = (n[4], n[5]);
        assert!(
            (0.0..=419.6).contains(&x) && (0.0..=297.7).contains(&y),
            "text at ({x}, {y}) is off the page"
        );
        positions += 1;
    }
    assert!(positions > 10, "the long answer wraps onto many lines");
    let text = squash(&doc.extract_text(&[1]).expect("text"));
    assert!(text.contains(&squash(&long)), "the whole answer is there");
}

#[test]
fn two_builds_give_identical_pdfs() {
    let cards = sample_deck();
    assert!(
        deck_pdf("Sample", &cards, A6) == deck_pdf("Sample", &cards, A6),
        "one process, two decks"
    );
    let out = tempfile::tempdir().expect("temp dir");
    build_course(&repo(), Some(&out.path().join("a"))).expect("build");
    build_course(&repo(), Some(&out.path().join("b"))).expect("build");
    for pdf in [
        "flashcards.pdf",
        "neural-networks/practice-backprop/flashcards.pdf",
    ] {
        let a = std::fs::read(out.path().join("a").join(pdf)).expect("pdf");
        assert!(
            a == std::fs::read(out.path().join("b").join(pdf)).expect("pdf"),
            "{pdf} differs between builds"
        );
    }
}

#[test]
#[ignore = "needs qpdf and poppler-utils; .ci/run installs them and runs ignored tests"]
fn real_pdf_readers_accept_the_deck() {
    let out = tempfile::tempdir().expect("temp dir");
    build_course(&repo(), Some(&out.path().join("site"))).expect("build");
    let pdf = out
        .path()
        .join("site/neural-networks/practice-backprop/flashcards.pdf");
    let pdf = pdf.to_str().expect("utf-8 path");
    assert!(tool("qpdf", &["--check", pdf]).contains("No syntax or stream encoding errors"));
    let fonts = tool("pdffonts", &[pdf]);
    let row = fonts.lines().nth(2).expect("a font row");
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert!(cols[0].contains('+'), "subset tag: {row}");
    assert_eq!(
        &cols[cols.len() - 5..cols.len() - 2],
        ["yes", "yes", "yes"],
        "emb sub uni: {row}"
    );
    let text = tool("pdftotext", &["-layout", pdf, "-"]);
    for card in sample_deck() {
        assert!(
            squash(&text).contains(&squash(&plain(&card.question))),
            "{text}"
        );
    }
    for glyph in ['∇', 'α', '←'] {
        assert!(text.contains(glyph), "{glyph} not extracted");
    }
    let png = out.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            pdf,
            png.to_str().expect("path"),
        ],
    );
    assert!(out.path().join("page-1.png").is_file() || out.path().join("page-01.png").is_file());
}

#[test]
fn a_long_deck_title_is_shortened_so_the_card_number_shows() {
    let title = "A very long course title about linear layers, non-linearities and backpropagation for beginners";
    let cards = vec![card("Q?", "A."), card("Q2?", "A2 日本.")];
    let index_card = PrintOptions {
        page_mm: (127.0, 76.2),
        duplex: false,
        sheet: None,
    };
    let doc = lopdf::Document::load_mem(&deck_pdf(title, &cards, index_card)).expect("valid");
    let text = doc.extract_text(&[2]).expect("text");
    assert!(text.contains("card 2 of 2"), "{text}");
    assert!(text.contains('…'), "{text}");
    assert!(
        text.contains('\u{fffd}'),
        "characters no font has show as missing: {text}"
    );
}
