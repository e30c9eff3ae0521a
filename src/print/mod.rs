//! Stage 3b, flashcards: the printable decks (one PDF per page with cards, and one for the
//! whole course). A second renderer over the same model as the HTML, as mdBook's renderers are.

pub mod anki;
pub mod figure;
pub mod layout;
pub mod pdf;
pub mod practice;
pub mod practice_pdf;
pub mod sheet;
pub mod text;

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::model::{Course, Page};
use crate::output::{OutputFile, Sink};
use crate::plan::{Plan, DECK_APKG, DECK_PDF, DECK_TSV, PRACTICE_SHEET};
use crate::verify::PageVerification;
use pdf::{deck, PrintOptions, Shrunk};
use text::{lay_out, paragraphs, Para, Paragraph, Source};

/// One card as every output sees it: the PDF deck, the `.apkg`, the `.tsv`.
#[derive(Debug, Clone)]
pub struct CardText {
    /// 1, 2, … on its page.
    pub number: usize,
    /// The author's explicit id for the card, if any.
    pub key: Option<String>,
    /// The question.
    pub question: Vec<Para>,
    /// The answer.
    pub answer: Vec<Para>,
}

/// One card laid out for print.
#[derive(Debug, Clone)]
pub struct DeckCard {
    /// The question's paragraphs.
    pub question: Vec<Paragraph>,
    /// The answer's paragraphs.
    pub answer: Vec<Paragraph>,
}

/// The cards of a page, from its document and its verification.
pub fn page_cards(page: &Page, verification: &PageVerification) -> Vec<CardText> {
    let source = Source {
        file: &page.file,
        verification,
        counts: page.counts(),
    };
    page.doc
        .cards()
        .into_iter()
        .map(|card| CardText {
            number: card.number,
            key: card.key.clone(),
            question: paragraphs(&source, &card.question),
            answer: paragraphs(&source, &card.answer.blocks),
        })
        .collect()
}

/// Cards laid out for the PDF, or every formula print cannot draw, located.
pub fn lay_out_cards(cards: &[CardText]) -> Result<Vec<DeckCard>, Vec<Diagnostic>> {
    all_or_errors(cards.iter().map(
        |card| match (lay_out(&card.question), lay_out(&card.answer)) {
            (Ok(question), Ok(answer)) => Ok(DeckCard { question, answer }),
            (q, a) => Err(q.err().into_iter().chain(a.err()).flatten().collect()),
        },
    ))
}

/// The printable cards of a page, laid out; or every formula of its cards the PDF cannot
/// draw, located.
pub fn page_deck(
    page: &Page,
    verification: &PageVerification,
) -> Result<Vec<DeckCard>, Vec<Diagnostic>> {
    lay_out_cards(&page_cards(page, verification))
}

/// The course's print settings.
fn print_options(course: &Course) -> PrintOptions {
    PrintOptions {
        page_mm: course.config.flashcards.page_size.mm(),
        duplex: course.config.flashcards.duplex,
        sheet: course.config.flashcards.sheet.map(|paper| sheet::Sheet {
            paper_mm: paper.mm(),
            per_sheet: course.config.flashcards.cards_per_sheet.count(),
        }),
    }
}

/// Warnings for the cards of `page` that had to shrink.
fn shrunk_warnings(page: &Page, shrunk: &[Shrunk], deck_name: &str) -> Vec<Diagnostic> {
    let cards = page.doc.cards();
    shrunk
        .iter()
        .filter_map(|s| {
            let card = cards.get(s.card)?;
            Some(
                Diagnostic::at(
                    &page.file,
                    card.open.clone(),
                    format!(
                        "flashcard {} of {deck_name}: its {} is set at {:.1} pt to fit the card, below the readable {} pt",
                        s.card + 1,
                        s.side,
                        s.size,
                        s.readable
                    ),
                )
                .with_hint(if s.side.ends_with("circuit") {
                    "print the cards duplex (`flashcards: duplex: true`) or on a larger `page_size`, or draw fewer gates with `merge`"
                } else {
                    "shorten the card, or split it into two"
                })
                .warning(),
            )
        })
        .collect()
}

/// The files beside a page with cards: `flashcards.tsv` always; `flashcards.pdf` and
/// `flashcards.apkg` when the plan makes decks. Returns the warnings for the cards that shrank.
fn put_page_deck(
    course: &Course,
    page: &Page,
    verification: &PageVerification,
    plan: Plan,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let cards = page_cards(page, verification);
    if cards.is_empty() {
        return Ok(Vec::new());
    }
    sink.put(OutputFile {
        path: format!("{}{DECK_TSV}", page.url),
        bytes: anki::tsv(&cards).into_bytes(),
    });
    if !plan.page_deck(page) {
        return Ok(Vec::new());
    }
    let laid = lay_out_cards(&cards)?;
    let path = format!("{}{DECK_PDF}", page.url);
    let made = deck(page.title(), &laid, print_options(course));
    sink.put(OutputFile {
        path: path.clone(),
        bytes: made.bytes,
    });
    put_apkg(
        &format!("{}::{}", course.config.title, page.title()),
        &[page],
        &[cards.as_slice()],
        &format!("{}{DECK_APKG}", page.url),
        sink,
    )?;
    Ok(shrunk_warnings(page, &made.shrunk, &path))
}

/// `practice-sheet.pdf` beside a page with exercise variants, when the plan says it has one;
/// warnings for what had to be set below a readable size.
fn put_practice_sheet(
    course: &Course,
    page: &Page,
    verification: &PageVerification,
    plan: Plan,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let count = plan.practice_sets(verification);
    if count == 0 {
        return Ok(Vec::new());
    }
    let sets = practice::practice_sets(page, verification, count)?;
    // The cut sheets' paper, when the course prints on A4 or Letter; A4 otherwise.
    let paper = course
        .config
        .flashcards
        .sheet
        .map_or(crate::config::SheetSize::A4.mm(), |s| s.mm());
    let made = practice_pdf::practice_sheet(page.title(), &sets, paper);
    let path = format!("{}{PRACTICE_SHEET}", page.url);
    let warnings = made
        .shrunk
        .iter()
        .map(|s| {
            let line = page.file.line_at(s.open).1;
            Diagnostic::at(
                &page.file,
                s.open..line.end.max(s.open),
                format!(
                    "{path}: set {}'s {} is set at {:.1} pt to fit the page's width, below the readable {} pt",
                    s.set, s.part, s.size, s.readable
                ),
            )
            .with_hint("break the long formula into shorter steps")
            .warning()
        })
        .collect();
    sink.put(OutputFile {
        path,
        bytes: made.bytes,
    });
    Ok(warnings)
}

/// `flashcards.pdf` and `flashcards.apkg` at the site root, when the plan says the course has
/// them: `cards[i]` are the cards of `pages[i]` (the page decks' cards, whose warnings those
/// decks already gave).
fn put_course_deck(
    course: &Course,
    pages: &[&Page],
    cards: &[Vec<CardText>],
    plan: Plan,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    if !plan.course {
        return Ok(());
    }
    let laid = all_or_errors(cards.iter().map(|c| lay_out_cards(c)))?;
    let all: Vec<DeckCard> = laid.into_iter().flatten().collect();
    sink.put(OutputFile {
        path: DECK_PDF.into(),
        bytes: deck(&course.config.title, &all, print_options(course)).bytes,
    });
    let per_page: Vec<&[CardText]> = cards.iter().map(Vec::as_slice).collect();
    put_apkg(&course.config.title, pages, &per_page, DECK_APKG, sink)
}

/// The Anki deck `name` of `pages`' cards (`cards[i]` are page i's), at `path`.
fn put_apkg(
    name: &str,
    pages: &[&Page],
    cards: &[&[CardText]],
    path: &str,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    // A note is named for good by its page and position, so a rebuilt deck updates it.
    let keyed: Vec<(String, &CardText)> = pages
        .iter()
        .zip(cards)
        .flat_map(|(page, cards)| {
            cards
                .iter()
                .map(move |c| (format!("{}#card-{}", page.url, c.number), c))
        })
        .collect();
    if keyed.is_empty() {
        return Ok(());
    }
    // Anki keeps the newer of two versions of a note: the newest page file's time says when
    // the cards last changed (the same on every build of the same files).
    let modified = pages
        .iter()
        .filter_map(|p| std::fs::metadata(&p.file.disk_path).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
        .unwrap_or(0);
    let bytes = anki::apkg(&anki::AnkiDeck {
        name,
        cards: keyed,
        modified,
    })
    .map_err(|e| vec![Diagnostic::in_path(path.to_string(), e)])?;
    sink.put(OutputFile {
        path: path.to_string(),
        bytes,
    });
    Ok(())
}

/// The print files beside one page: `flashcards.tsv` when it has cards, its deck and Anki
/// package and its practice sheet as the plan says. Returns the warnings for what had to
/// shrink, or every formula print cannot draw.
pub fn print_page(
    course: &Course,
    page: &Page,
    verification: &PageVerification,
    plan: Plan,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let mut warnings = put_page_deck(course, page, verification, plan, sink)?;
    warnings.extend(put_practice_sheet(course, page, verification, plan, sink)?);
    Ok(warnings)
}

/// `flashcards.pdf` and `flashcards.apkg` for the whole course at the site root, when the plan
/// says the course has them: `cards[i]` are the cards of `pages[i]` ([`page_cards`]). The page
/// decks report a formula print cannot draw; the course deck's error is the same one again.
pub fn print_course_deck(
    course: &Course,
    pages: &[&Page],
    cards: &[Vec<CardText>],
    plan: Plan,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    put_course_deck(course, pages, cards, plan, sink)
}
