//! Stage 3b, flashcards: the printable decks (one PDF per page with cards, and one for the
//! whole course). A second renderer over the same model as the HTML, as mdBook's renderers are.

pub mod layout;
pub mod math_font;
pub mod math_layout;
pub mod pdf;
pub mod text;

use rayon::prelude::*;

use crate::model::{Block, Course, Page};
use crate::render::{OutputFile, Sink};
use pdf::{deck_pdf, PrintOptions};
use text::{paragraphs, Paragraph};

/// One card as print sees it.
#[derive(Debug, Clone)]
pub struct DeckCard {
    /// The question's paragraphs.
    pub question: Vec<Paragraph>,
    /// The answer's paragraphs.
    pub answer: Vec<Paragraph>,
}

/// The printable cards of a page.
pub fn page_deck(page: &Page) -> Vec<DeckCard> {
    page.cards()
        .iter()
        .map(|card| {
            let answer: Vec<&Block> = card.answer.children.iter().collect();
            DeckCard {
                question: paragraphs(&page.file, &card.question),
                answer: paragraphs(&page.file, &answer),
            }
        })
        .collect()
}

/// The course's print settings.
fn print_options(course: &Course) -> PrintOptions {
    PrintOptions {
        page_mm: course.config.flashcards.page_size.mm(),
        duplex: course.config.flashcards.duplex,
    }
}

/// `flashcards.pdf` beside a page with cards.
fn put_page_deck(page: &Page, options: PrintOptions, sink: &dyn Sink) {
    let deck = page_deck(page);
    if !deck.is_empty() {
        sink.put(OutputFile {
            path: format!("{}flashcards.pdf", page.url),
            bytes: deck_pdf(page.title(), &deck, options),
        });
    }
}

/// `flashcards.pdf` at the site root, when the course has cards and no more than
/// `course_deck_limit` of them.
fn put_course_deck(course: &Course, options: PrintOptions, sink: &dyn Sink) {
    let total: usize = course.pages().map(|p| p.counts.cards).sum();
    if total > 0 && total <= course.config.flashcards.course_deck_limit {
        let all: Vec<DeckCard> = course.pages().flat_map(page_deck).collect();
        sink.put(OutputFile {
            path: "flashcards.pdf".into(),
            bytes: deck_pdf(&course.config.title, &all, options),
        });
    }
}

/// The decks that change when `page` changes: its own, and the course deck if it is written.
pub fn render_page_decks(course: &Course, page: &Page, sink: &dyn Sink) {
    let options = print_options(course);
    put_page_deck(page, options, sink);
    put_course_deck(course, options, sink);
}

/// `flashcards.pdf` beside each page with cards, and `flashcards.pdf` for the whole course at
/// the site root (up to `course_deck_limit` cards), each handed to `sink` as soon as it is made.
/// Decks are made in parallel; each is the same bytes as a serial build would give.
pub fn render_decks(course: &Course, sink: &dyn Sink) {
    let options = print_options(course);
    let pages: Vec<&Page> = course.pages().filter(|p| p.counts.cards > 0).collect();
    // The course deck is one long job: it starts at once, beside the page decks, rather than
    // after them.
    rayon::join(
        || put_course_deck(course, options, sink),
        || {
            pages
                .par_iter()
                .for_each(|page| put_page_deck(page, options, sink))
        },
    );
}
