//! Stage 3b, flashcards: the printable decks (one PDF per page with cards, and one for the
//! whole course). A second renderer over the same model as the HTML, as mdBook's renderers are.

pub mod layout;
pub mod pdf;
pub mod text;

use rayon::prelude::*;

use crate::model::{Block, Course, Page};
use crate::render::OutputFile;
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

/// `flashcards.pdf` beside each page with cards, and `flashcards.pdf` for the whole course at
/// the site root (up to `course_deck_limit` cards). Decks are made in parallel; each is the same bytes as a serial build.
pub fn render_decks(course: &Course) -> Vec<OutputFile> {
    let options = PrintOptions {
        page_mm: course.config.flashcards.page_size.mm(),
        duplex: course.config.flashcards.duplex,
    };
    let decks: Vec<(&Page, Vec<DeckCard>)> = course
        .pages()
        .map(|p| (p, page_deck(p)))
        .filter(|(_, d)| !d.is_empty())
        .collect();
    let all: Vec<DeckCard> = decks.iter().flat_map(|(_, d)| d.iter().cloned()).collect();
    let mut jobs: Vec<(String, &str, &[DeckCard])> = decks
        .iter()
        .map(|(p, d)| {
            (
                format!("{}flashcards.pdf", p.url),
                p.title.as_str(),
                d.as_slice(),
            )
        })
        .collect();
    if !all.is_empty() && all.len() <= course.config.flashcards.course_deck_limit {
        jobs.push((
            "flashcards.pdf".into(),
            course.config.title.as_str(),
            all.as_slice(),
        ));
    }
    jobs.par_iter()
        .map(|(path, title, cards)| OutputFile {
            path: path.clone(),
            bytes: deck_pdf(title, cards, options),
        })
        .collect()
}
