//! Stage 3b, flashcards: the printable decks (one PDF per page with cards, and one for the
//! whole course). A second renderer over the same model as the HTML, as mdBook's renderers are.

pub mod anki;
mod content;
pub mod figure;
pub mod layout;
pub mod pdf;
mod pdf_file;
pub mod practice;
pub mod practice_pdf;
pub mod sheet;
pub mod text;

use std::cell::RefCell;
use std::collections::BTreeMap;

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
/// `flashcards.apkg` when the plan makes decks. Returns the warnings for the cards that shrank
/// and for cards that would share an identity in Anki.
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
    let decks = plan.page_deck(page);
    let media = RefCell::new(BTreeMap::new());
    let (notes, mut warnings) = anki_notes(course, page, &cards, decks, &media);
    sink.put(OutputFile {
        path: format!("{}{DECK_TSV}", page.url),
        bytes: anki::tsv(&page_deck_name(course, page), &notes).into_bytes(),
    });
    if !decks {
        return Ok(warnings);
    }
    let laid = lay_out_cards(&cards)?;
    let path = format!("{}{DECK_PDF}", page.url);
    let made = deck(page.title(), &laid, print_options(course));
    sink.put(OutputFile {
        path: path.clone(),
        bytes: made.bytes,
    });
    put_apkg(
        course,
        notes,
        media.into_inner(),
        &format!("{}{DECK_APKG}", page.url),
        sink,
    )?;
    warnings.extend(shrunk_warnings(page, &made.shrunk, &path));
    Ok(warnings)
}

/// The Anki deck of a page's cards: `Course::Page`, each a level of Anki's deck tree.
fn page_deck_name(course: &Course, page: &Page) -> String {
    format!(
        "{}::{}",
        anki::deck_component(&course.config.title),
        anki::deck_component(page.title())
    )
}

/// The Anki notes of `page`'s cards, with their GUIDs and fields, and their times when `times`
/// (the `.tsv` has none); the images they show are added to `media`. The warnings are for
/// cards that would share an identity.
fn anki_notes<'c>(
    course: &'c Course,
    page: &Page,
    cards: &[CardText],
    times: bool,
    media: &RefCell<BTreeMap<String, &'c [u8]>>,
) -> (Vec<anki::Note>, Vec<Diagnostic>) {
    let (guids, warnings) = anki::identity::page_guids(course, page);
    let deck = page_deck_name(course, page);
    let image = |source: &str| {
        let (path, file) = crate::model::find_image(&course.media, source)?;
        let name = anki::media_name(path, &file.bytes);
        media
            .borrow_mut()
            .insert(name.clone(), file.bytes.as_slice());
        Some(name)
    };
    let mut notes: Vec<anki::Note> = cards
        .iter()
        .zip(&guids)
        .map(|(card, guid)| {
            let field = |paras: &[Para], side: &str| {
                let id_prefix = format!("{guid}-{side}");
                anki::field_html(
                    paras,
                    &anki::FieldContext {
                        id_prefix: &id_prefix,
                        image: &image,
                    },
                )
            };
            anki::Note {
                guid: guid.clone(),
                question: field(&card.question, "q"),
                answer: field(&card.answer, "a"),
                mtime: 0,
                deck: deck.clone(),
            }
        })
        .collect();
    if times {
        let text = &page.file.text;
        let lines: Vec<anki::history::CardLines> = page
            .doc
            .cards()
            .iter()
            .zip(&notes)
            .map(|(card, note)| {
                let end = card.answer.blocks.last().map_or(card.answer.open.end, |b| {
                    b.span.end.max(card.answer.open.end)
                });
                let source = text.get(card.open.start..end).unwrap_or_default();
                anki::history::CardLines {
                    lines: page.file.line_col(card.open.start).0
                        ..=page.file.line_col(end.saturating_sub(1)).0,
                    // A role's value, a verify block's steps or circuit: computed from the page.
                    computed: source.contains("}`")
                        || source.contains("```verify")
                        || source.contains("~~~verify"),
                    fields: format!("{}\u{1f}{}", note.question, note.answer),
                }
            })
            .collect();
        let mtimes = anki::history::card_times(page, &lines);
        for (note, mtime) in notes.iter_mut().zip(mtimes) {
            note.mtime = mtime;
        }
    }
    (notes, warnings)
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

/// What one page gives the course deck: its cards, and their Anki notes (with the images they
/// show). Made while the page is read, so the course deck never needs the page again.
pub struct DeckPart<'c> {
    /// The page's cards.
    pub cards: Vec<CardText>,
    /// Their notes, in the page's deck under the course's.
    pub notes: Vec<anki::Note>,
    /// The images the notes show, by their name in the package.
    pub media: BTreeMap<String, &'c [u8]>,
}

/// The part of the course deck `page` (read and verified as `verification`) gives.
pub fn deck_part<'c>(
    course: &'c Course,
    page: &Page,
    verification: &PageVerification,
) -> DeckPart<'c> {
    let cards = page_cards(page, verification);
    let media = RefCell::new(BTreeMap::new());
    let notes = if cards.is_empty() {
        Vec::new()
    } else {
        anki_notes(course, page, &cards, true, &media).0
    };
    DeckPart {
        cards,
        notes,
        media: media.into_inner(),
    }
}

/// `flashcards.pdf` and `flashcards.apkg` at the site root, when the plan says the course has
/// them, from every page's part (the page decks' cards, whose warnings those decks already
/// gave).
fn put_course_deck(
    course: &Course,
    parts: Vec<DeckPart<'_>>,
    plan: Plan,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    if !plan.course {
        return Ok(());
    }
    let laid = all_or_errors(parts.iter().map(|p| lay_out_cards(&p.cards)))?;
    let all: Vec<DeckCard> = laid.into_iter().flatten().collect();
    sink.put(OutputFile {
        path: DECK_PDF.into(),
        bytes: deck(&course.config.title, &all, print_options(course)).bytes,
    });
    // Each page's cards in the page's deck, under the course's: the same notes, GUIDs and
    // decks as the page decks, so a student may import either or both.
    let mut notes = Vec::new();
    let mut media = BTreeMap::new();
    for part in parts {
        notes.extend(part.notes);
        media.extend(part.media);
    }
    put_apkg(course, notes, media, DECK_APKG, sink)
}

/// The Anki package of `notes` at `path`.
fn put_apkg(
    course: &Course,
    notes: Vec<anki::Note>,
    media: BTreeMap<String, &[u8]>,
    path: &str,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    if notes.is_empty() {
        return Ok(());
    }
    let course_id = course.config.identity();
    let bytes = anki::apkg(&anki::Package {
        course_id: &course_id,
        title: &anki::deck_component(&course.config.title),
        notes,
        media,
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
/// says the course has them, from every page's [`DeckPart`] in reading order. The page decks
/// report a formula print cannot draw; the course deck's error is the same one again.
pub fn print_course_deck(
    course: &Course,
    parts: Vec<DeckPart<'_>>,
    plan: Plan,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    put_course_deck(course, parts, plan, sink)
}
