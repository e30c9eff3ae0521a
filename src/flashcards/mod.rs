//! Stage 3b, flashcards: the printable decks (one PDF per page with cards, and one for the
//! whole course). A second renderer over the same model as the HTML, as mdBook's renderers are.

pub mod anki;
pub mod figure;
pub mod layout;
pub mod math_font;
pub mod math_layout;
pub mod pdf;
pub mod practice;
pub mod practice_pdf;
pub mod sheet;
pub mod text;

use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::model::{Block, Course, Page};
use crate::render::{OutputFile, Sink};
use crate::verify::PageVerification;
use pdf::{deck, PrintOptions, Shrunk};
use text::{paragraphs, Paragraph, Source};

/// One card as print sees it.
#[derive(Debug, Clone)]
pub struct DeckCard {
    /// The question's paragraphs.
    pub question: Vec<Paragraph>,
    /// The answer's paragraphs.
    pub answer: Vec<Paragraph>,
}

/// The printable cards of a page, with its shown verify blocks typeset from `verification`;
/// or every formula of its cards the PDF cannot draw, located.
pub fn page_deck(
    page: &Page,
    verification: &PageVerification,
) -> Result<Vec<DeckCard>, Vec<Diagnostic>> {
    let source = Source {
        file: &page.file,
        verification,
        body: &page.body,
        counts: page.counts,
    };
    all_or_errors(page.cards().iter().map(|card| {
        let answer: Vec<&Block> = card.answer.children.iter().collect();
        let question = paragraphs(&source, &card.question);
        let answer = paragraphs(&source, &answer);
        match (question, answer) {
            (Ok(question), Ok(answer)) => Ok(DeckCard { question, answer }),
            (q, a) => Err(q.err().into_iter().chain(a.err()).flatten().collect()),
        }
    }))
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

/// Which flashcard decks and practice sheets a build writes: the one place that decides, read
/// by the templates (which link to a PDF only when it exists) and by the PDF stage (which
/// writes exactly these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decks {
    /// Whether PDFs are made at all (`build --no-pdf` makes none).
    pub pdf: bool,
    /// Whether the whole-course deck is written (the course has cards, no more than
    /// `course_deck_limit`).
    pub course: bool,
    /// Number sets a practice sheet holds (`practice_sheets`); 0 when none is written.
    pub practice_sheets: usize,
}

impl Decks {
    /// The decks of `course`, with or without PDFs.
    pub fn of(course: &Course, pdf: bool) -> Decks {
        let total: usize = course.pages().map(|p| p.counts.cards).sum();
        Decks {
            pdf,
            course: pdf && total > 0 && total <= course.config.flashcards.course_deck_limit,
            practice_sheets: match course.config.practice_sheets {
                Some(k) if pdf => k.count(),
                _ => 0,
            },
        }
    }

    /// Whether `page` has a `flashcards.pdf` beside it.
    pub fn page(&self, page: &Page) -> bool {
        self.pdf && page.counts.cards > 0
    }

    /// How many number sets the `practice-sheet.pdf` beside a page verified as
    /// `verification` holds; 0 when it has none (no exercise with variants, or no sheets
    /// asked for).
    pub fn practice_sets(&self, verification: &PageVerification) -> usize {
        practice::set_count(verification, self.practice_sheets)
    }
}

/// Warnings for the cards of `page` (the cards `first..` of a deck) that had to shrink.
fn shrunk_warnings(page: &Page, shrunk: &[Shrunk], deck_name: &str) -> Vec<Diagnostic> {
    let cards = page.containers(crate::model::ContainerKind::Card);
    shrunk
        .iter()
        .filter_map(|s| {
            let card = cards
                .iter()
                .filter(|c| c.child(crate::model::ContainerKind::Answer).is_some())
                .nth(s.card)?;
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

/// `flashcards.pdf` and `flashcards.apkg` beside a page with cards; warnings for the cards
/// that shrank.
fn put_page_deck(
    course: &Course,
    page: &Page,
    verification: &PageVerification,
    options: PrintOptions,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let cards = page_deck(page, verification)?;
    if cards.is_empty() {
        return Ok(Vec::new());
    }
    let made = deck(page.title(), &cards, options);
    sink.put(OutputFile {
        path: format!("{}flashcards.pdf", page.url),
        bytes: made.bytes,
    });
    put_apkg(
        &format!("{}::{}", course.config.title, page.title()),
        &[page],
        &[cards.as_slice()],
        &format!("{}flashcards.apkg", page.url),
        sink,
    )?;
    Ok(shrunk_warnings(
        page,
        &made.shrunk,
        &format!("{}flashcards.pdf", page.url),
    ))
}

/// `practice-sheet.pdf` beside a page with exercise variants, when `decks` says it has one;
/// warnings for what had to be set below a readable size.
fn put_practice_sheet(
    course: &Course,
    page: &Page,
    verification: &PageVerification,
    decks: Decks,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let count = decks.practice_sets(verification);
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
    let path = format!("{}practice-sheet.pdf", page.url);
    let warnings = made
        .shrunk
        .iter()
        .map(|s| {
            let line = page.file.text[s.open..]
                .find('\n')
                .map_or(page.file.text.len(), |i| s.open + i);
            Diagnostic::at(
                &page.file,
                s.open..line,
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

/// `flashcards.pdf` at the site root, when [`Decks::of`] says the course has one. Its cards are
/// the page decks' cards, whose warnings those decks already gave.
fn put_course_deck<'v>(
    course: &Course,
    verification: &(dyn Fn(usize) -> &'v PageVerification + Sync),
    options: PrintOptions,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    if !Decks::of(course, true).course {
        return Ok(());
    }
    let decks = all_or_errors(
        course
            .pages()
            .enumerate()
            .map(|(i, page)| page_deck(page, verification(i))),
    )?;
    let all: Vec<DeckCard> = decks.iter().flatten().cloned().collect();
    sink.put(OutputFile {
        path: "flashcards.pdf".into(),
        bytes: deck(&course.config.title, &all, options).bytes,
    });
    let pages: Vec<&Page> = course.pages().collect();
    let per_page: Vec<&[DeckCard]> = decks.iter().map(Vec::as_slice).collect();
    put_apkg(
        &course.config.title,
        &pages,
        &per_page,
        "flashcards.apkg",
        sink,
    )
}

/// The Anki deck `name` of `pages`' cards (`cards[i]` are page i's), at `path`.
fn put_apkg(
    name: &str,
    pages: &[&Page],
    cards: &[&[DeckCard]],
    path: &str,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    // A note is named for good by its page and position, so a rebuilt deck updates it.
    let keyed: Vec<(String, &DeckCard)> = pages
        .iter()
        .zip(cards)
        .flat_map(|(page, cards)| {
            cards
                .iter()
                .enumerate()
                .map(move |(i, c)| (format!("{}#card-{}", page.url, i + 1), c))
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

/// The decks that change when page `index` changes: its own, and the course deck if it is
/// written. `current` is the page's new verification; the other pages' are `verifications`.
/// Returns the page deck's warnings, or the formulas no deck can print.
pub fn render_page_decks(
    course: &Course,
    verifications: &[PageVerification],
    index: usize,
    current: &PageVerification,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let options = print_options(course);
    let Some(page) = course.pages().nth(index) else {
        return Ok(Vec::new());
    };
    let mut warnings = put_page_deck(course, page, current, options, sink)?;
    warnings.extend(put_practice_sheet(
        course,
        page,
        current,
        Decks::of(course, true),
        sink,
    )?);
    let empty = PageVerification::default();
    let verification = |i: usize| {
        if i == index {
            current
        } else {
            verifications.get(i).unwrap_or(&empty)
        }
    };
    put_course_deck(course, &verification, options, sink)?;
    Ok(warnings)
}

/// `flashcards.pdf` beside each page with cards, `flashcards.pdf` for the whole course at the
/// site root (up to `course_deck_limit` cards), and `practice-sheet.pdf` beside each page with
/// exercise variants when the course asks for them; each handed to `sink` as soon as it is made.
/// Decks are made in parallel; each is the same bytes as a serial build would give. Returns the
/// warnings (cards set below a readable size), or every formula the decks cannot print.
/// `verifications` are the pages' results, in [`Course::pages`] order.
pub fn render_decks(
    course: &Course,
    verifications: &[PageVerification],
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let options = print_options(course);
    let decks = Decks::of(course, true);
    let pages: Vec<(&Page, &PageVerification)> = course
        .pages()
        .zip(verifications)
        .filter(|(p, v)| p.counts.cards > 0 || decks.practice_sets(v) > 0)
        .collect();
    let course_result = Mutex::new(Ok(()));
    // The course deck is one long job: it starts at once, beside the page decks, rather than
    // after them.
    let (_, page_results) = rayon::join(
        || {
            *course_result.lock().unwrap_or_else(|p| p.into_inner()) =
                put_course_deck(course, &|i| &verifications[i], options, sink)
        },
        || {
            pages
                .par_iter()
                .map(|(page, v)| {
                    let mut warnings = put_page_deck(course, page, v, options, sink)?;
                    warnings.extend(put_practice_sheet(course, page, v, decks, sink)?);
                    Ok(warnings)
                })
                .collect::<Vec<_>>()
        },
    );
    let warnings = all_or_errors(page_results)?;
    // The page decks report a bad formula; the course deck's error is the same one again.
    course_result
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())?;
    Ok(warnings.into_iter().flatten().collect())
}
