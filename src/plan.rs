//! Which files a build writes, and what each is called: the one place that decides, read by
//! the templates (which link to a file only when it exists), the HTML stage, the print stage
//! and `serve` (which drops a page's stale files).

use serde::Serialize;

use crate::config::CourseConfig;
use crate::model::{Course, Page};
use crate::verify::PageVerification;

/// A page's HTML, beside its other files.
pub const PAGE_HTML: &str = "index.html";
/// A page's flashcards as a printable PDF (and the course's, at the site root).
pub const DECK_PDF: &str = "flashcards.pdf";
/// A page's flashcards as an Anki package (and the course's, at the site root).
pub const DECK_APKG: &str = "flashcards.apkg";
/// A page's flashcards as a tab-separated file for Anki's text import.
pub const DECK_TSV: &str = "flashcards.tsv";
/// A page's practice sheet: its exercises with fresh numbers.
pub const PRACTICE_SHEET: &str = "practice-sheet.pdf";
/// The sitemap, at the site root (only with an absolute `base_url`).
pub const SITEMAP: &str = "sitemap.xml";
/// The home page.
pub const HOME: &str = "index.html";
/// The page a static host shows for a missing address.
pub const NOT_FOUND: &str = "404.html";

/// Which decks and practice sheets a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Whether PDFs (and Anki packages) are made at all (`build --no-pdf` makes none).
    pub pdf: bool,
    /// Whether the whole-course deck is written (the course has cards, no more than
    /// `course_deck_limit`).
    pub course: bool,
    /// Number sets a practice sheet holds (`practice_sheets`); 0 when none is written.
    pub practice_sheets: usize,
}

/// The files beside one page, by name (relative to the page), for its template's links.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PageFiles {
    /// The flashcards PDF, when it is written.
    pub deck_pdf: Option<&'static str>,
    /// The Anki package, when it is written.
    pub deck_apkg: Option<&'static str>,
    /// The TSV of the cards, when the page has cards.
    pub deck_tsv: Option<&'static str>,
    /// The practice sheet, when it is written.
    pub practice_sheet: Option<&'static str>,
}

impl PageFiles {
    /// Every file name, written or not, that may stand beside a page besides its HTML.
    pub const ALL: [&'static str; 4] = [DECK_PDF, DECK_APKG, DECK_TSV, PRACTICE_SHEET];
}

impl Plan {
    /// The plan for `course`, whose pages are read, with or without PDFs.
    pub fn of(course: &Course, pdf: bool) -> Plan {
        let total: usize = course.pages().map(|p| p.counts().cards).sum();
        Plan::before_pages(&course.config, pdf).with_cards(total, &course.config)
    }

    /// The plan as far as the course file says, before the pages are read: whether the course
    /// deck is written waits for their cards to be counted ([`Plan::with_cards`]).
    pub fn before_pages(config: &CourseConfig, pdf: bool) -> Plan {
        Plan {
            pdf,
            course: false,
            practice_sheets: match config.practice_sheets {
                Some(k) if pdf => k.count(),
                _ => 0,
            },
        }
    }

    /// The plan once the course's cards are counted: the course deck is written when it has
    /// cards, no more than `course_deck_limit`.
    pub fn with_cards(self, total: usize, config: &CourseConfig) -> Plan {
        Plan {
            course: self.pdf && total > 0 && total <= config.flashcards.course_deck_limit,
            ..self
        }
    }

    /// Whether `page` has a `flashcards.pdf` (and `.apkg`) beside it.
    pub fn page_deck(&self, page: &Page) -> bool {
        self.pdf && page.counts().cards > 0
    }

    /// How many number sets the practice sheet beside a page verified as `verification`
    /// holds: as many as its exercise with the most sets has, at most the sets asked for; 0
    /// when it has none (no exercise with variants, or no sheets asked for).
    pub fn practice_sets(&self, verification: &PageVerification) -> usize {
        verification
            .variants
            .values()
            .filter(|v| !v.is_empty())
            .map(|v| v.len() + 1)
            .max()
            .map_or(0, |most| most.min(self.practice_sheets))
    }

    /// The files written beside `page`.
    pub fn page_files(&self, page: &Page, verification: &PageVerification) -> PageFiles {
        let deck = self.page_deck(page);
        PageFiles {
            deck_pdf: deck.then_some(DECK_PDF),
            deck_apkg: deck.then_some(DECK_APKG),
            deck_tsv: (page.counts().cards > 0).then_some(DECK_TSV),
            practice_sheet: (self.practice_sets(verification) > 0).then_some(PRACTICE_SHEET),
        }
    }
}
