//! Time of a flashcard deck PDF: 9 cards (with the fonts' subsets cached, and subset afresh)
//! and a 1,000-card deck (sizes are printed once, so the note can quote them).

use std::hint::black_box;

use coursegen::print::pdf::{deck_pdf, PrintOptions};
use coursegen::print::text::{Run, Style};
use coursegen::print::DeckCard;
use criterion::{criterion_group, criterion_main, Criterion};

fn deck(n: usize) -> Vec<DeckCard> {
    let para = |t: String| vec![vec![Run::text(Style::Regular, t)]];
    (0..n)
        .map(|i| DeckCard {
            question: para(format!("Card {i}: what does a node do on the backward pass?")),
            answer: para(format!(
                "It multiplies the upstream gradient by its local gradient (∇, α, ←) and sends the result to each input; card {i}."
            )),
        })
        .collect()
}

fn pdf(c: &mut Criterion) {
    let options = PrintOptions {
        page_mm: (148.0, 105.0),
        duplex: false,
        sheet: None,
    };
    let big = deck(1000);
    let small = deck(9);
    eprintln!(
        "1000-card deck: {} bytes; 9-card deck: {} bytes",
        deck_pdf("Bench", &big, options).len(),
        deck_pdf("Bench", &small, options).len()
    );
    let mut group = c.benchmark_group("flashcards");
    group.sample_size(10);
    group.bench_function("9-card deck", |b| {
        b.iter(|| deck_pdf("Bench", black_box(&small), options))
    });
    // Decks of a real course rarely share a character set, so most decks subset their fonts
    // afresh; here every deck gets a pair of characters no earlier deck had.
    let fresh: Vec<char> = ('\u{100}'..='\u{17f}')
        .chain('\u{391}'..='\u{3c9}')
        .collect();
    let mut n = 0usize;
    group.bench_function("9-card deck, fonts subset afresh", |b| {
        b.iter(|| {
            n += 1;
            let (x, y) = (
                fresh[n % fresh.len()],
                fresh[(n / fresh.len()) % fresh.len()],
            );
            let mut cards = small.clone();
            cards[0].question[0][0].text.push_str(&format!(" {x}{y}"));
            deck_pdf("Bench", black_box(&cards), options)
        })
    });
    group.bench_function("1000-card deck", |b| {
        b.iter(|| deck_pdf("Bench", black_box(&big), options))
    });
    // The math fixture: six cards of fractions, sums, roots, accents, a matrix and a shown
    // verify block, typeset with the math font (subset by glyph).
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/print/math-deck");
    let (course, errors) = coursegen::load::load_course(&root);
    assert!(errors.is_empty());
    let verifications = coursegen::verify::verify_course(&course).expect("the fixture verifies");
    let page = course.pages().next().expect("a page");
    let math = coursegen::print::page_deck(page, &verifications[0]).expect("cards print");
    eprintln!(
        "6-card math deck: {} bytes",
        deck_pdf("Bench", &math, options).len()
    );
    group.bench_function("6-card math deck", |b| {
        b.iter(|| deck_pdf("Bench", black_box(&math), options))
    });
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);
