//! Time of a flashcard deck PDF: the sample's 9 cards and a 1,000-card deck (its size is
//! printed once, so the note can quote both).

use std::hint::black_box;

use coursegen::flashcards::pdf::{deck_pdf, PrintOptions};
use coursegen::flashcards::text::{Run, Style};
use coursegen::flashcards::DeckCard;
use criterion::{criterion_group, criterion_main, Criterion};

fn deck(n: usize) -> Vec<DeckCard> {
    let para = |t: String| {
        vec![vec![Run {
            style: Style::Regular,
            text: t,
        }]]
    };
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
    group.bench_function("1000-card deck", |b| {
        b.iter(|| deck_pdf("Bench", black_box(&big), options))
    });
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);
