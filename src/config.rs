//! The course file, `course.yaml`: title, description, base URL and options.

use serde::Deserialize;

/// Name of the course file at the root of a course folder.
pub const COURSE_FILE: &str = "course.yaml";

/// A printed card's margin, as a share of its shorter side: the PDF decks and the browser's
/// print layout of the page's cards both use it.
pub const CARD_MARGIN: f32 = 0.07;

/// Keys accepted in `course.yaml`, for error hints.
pub const COURSE_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "base_url",
    "language",
    "flashcards",
    "verify",
    "practice_sheets",
];

/// Settings of a whole course.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseConfig {
    /// The course's identity for good (`id: neural-networks-2f9c41d7`, which `coursegen new
    /// course` writes): every Anki note, note type and deck is named by it, so two courses
    /// never take each other's notes. Without it the title stands in ([`CourseConfig::identity`]).
    #[serde(default)]
    pub id: Option<CourseId>,
    /// Shown in every page's header and the browser tab.
    pub title: String,
    /// One paragraph shown on the course home page.
    #[serde(default)]
    pub description: String,
    /// Where the site is hosted (e.g. `https://example.org/course/`); pages link to each other
    /// with relative URLs, so this is used only for canonical links.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The `lang` attribute of every page.
    #[serde(default = "default_language")]
    pub language: String,
    /// Options for the printable flashcards.
    #[serde(default)]
    pub flashcards: FlashcardOptions,
    /// Options for verification.
    #[serde(default)]
    pub verify: VerifyOptions,
    /// A practice-sheet PDF beside every page with exercise variants, with this many number
    /// sets and their worked answers (`build --practice-sheets` sets it for one build); none
    /// when absent.
    #[serde(default)]
    pub practice_sheets: Option<PracticeSheets>,
}

/// How many number sets a practice sheet holds: 1 or more (an exercise with fewer sets gives
/// the sets it has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct PracticeSheets(pub std::num::NonZeroUsize);

impl TryFrom<u64> for PracticeSheets {
    type Error = String;
    fn try_from(n: u64) -> Result<Self, String> {
        usize::try_from(n)
            .ok()
            .and_then(std::num::NonZeroUsize::new)
            .map(PracticeSheets)
            .ok_or_else(|| {
                format!("practice_sheets is how many number sets a practice sheet holds, 1 or more, not {n}")
            })
    }
}

impl PracticeSheets {
    /// The number of sets.
    pub fn count(self) -> usize {
        self.0.get()
    }
}

/// Options for verification.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyOptions {
    /// Which numbers in worked answers must be verified.
    #[serde(default)]
    pub require: Require,
}

/// How strict coverage is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Require {
    /// Unverified numbers in worked answers are warnings.
    #[default]
    Checks,
    /// Every number in a worked answer must be computed or checked: unverified ones are
    /// errors (as with `--strict`).
    All,
}

/// A course's `id`: one line of 1 to 200 characters, no control characters. Whatever the
/// author writes is the identity (`course-1` and `Course-1` are two courses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CourseId(String);

impl TryFrom<String> for CourseId {
    type Error = String;
    fn try_from(id: String) -> Result<Self, String> {
        let trimmed = id.trim();
        if trimmed.is_empty() {
            return Err(
                "id is empty: it names the course for good in Anki (e.g. `id: my-course-2f9c41d7`)"
                    .into(),
            );
        }
        if trimmed.chars().count() > 200 {
            return Err("id is longer than 200 characters".into());
        }
        if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
            return Err(format!(
                "id holds the control character {}: an id is one line of text",
                c.escape_unicode()
            ));
        }
        Ok(CourseId(trimmed.to_string()))
    }
}

impl CourseId {
    /// The id as written (without surrounding spaces).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CourseConfig {
    /// What names the course for good in its Anki decks: its `id`, or, for a course file
    /// without one, its title. A title stands in badly: renaming the course, or a second
    /// course with the same title, changes or shares every note's identity (docs/authoring.md,
    /// "Flashcards in Anki").
    pub fn identity(&self) -> String {
        match &self.id {
            Some(id) => format!("id:{}", id.as_str()),
            None => format!("title:{}", self.title.trim()),
        }
    }

    /// Settings used to keep checking pages when the course file itself has an error.
    pub fn fallback() -> CourseConfig {
        CourseConfig {
            id: None,
            title: String::new(),
            description: String::new(),
            base_url: default_base_url(),
            language: default_language(),
            flashcards: FlashcardOptions::default(),
            verify: VerifyOptions::default(),
            practice_sheets: None,
        }
    }
}

fn default_base_url() -> String {
    "/".into()
}

/// What is wrong with a `base_url`, if anything. It is printed into every page (the canonical
/// link) and is where the 404 page's links start, so it must be a URL and nothing else: an
/// `http(s)://` URL with a host, or a path from the host's root (`/course/`). A `javascript:`
/// or `data:` URL, a protocol-relative `//host`, a query or fragment, quotes, angle brackets,
/// spaces and control characters are refused (issue #26).
pub fn base_url_problem(url: &str) -> Option<String> {
    if url.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = url
        .chars()
        .find(|&c| c.is_control() || c.is_whitespace() || "\"<>\\^`{|}".contains(c))
    {
        let c: String = match c {
            ' ' => "a space".into(),
            c if c.is_control() || c.is_whitespace() => format!("{}", c.escape_unicode()),
            c => format!("`{c}`"),
        };
        return Some(format!("holds {c}, which a URL cannot"));
    }
    if let Some(c) = url.chars().find(|c| matches!(c, '?' | '#')) {
        return Some(format!(
            "holds `{c}`: a base URL has no query or fragment, since page paths follow it"
        ));
    }
    let lower = url.to_ascii_lowercase();
    let after_scheme = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    match after_scheme {
        Some(rest) if rest.split('/').next().is_some_and(|host| !host.is_empty()) => None,
        Some(_) => Some(format!("`{url}` names no host")),
        None if url.starts_with("//") => Some(format!(
            "`{url}` is a protocol-relative URL, which names another host"
        )),
        None if url.starts_with('/') => None,
        None => Some(format!(
            "`{url}` is neither an http(s) URL nor a path from the host's root"
        )),
    }
}

fn default_language() -> String {
    "en".into()
}

/// Options for the flashcard PDFs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlashcardOptions {
    /// Paper size of one card.
    #[serde(default)]
    pub page_size: PageSize,
    /// Question on the front page and answer on the back, for double-sided printing.
    #[serde(default)]
    pub duplex: bool,
    /// The whole course's deck (`flashcards.pdf` at the site root) is written only up to this
    /// many cards: past it the file would be thousands of pages no one prints, and would cost
    /// more to build than every page's own deck together.
    #[serde(default = "default_course_deck_limit")]
    pub course_deck_limit: usize,
    /// Cut sheets for home printers: the cards laid out several to an A4 or Letter sheet with
    /// cut marks, instead of one card per page (`build --sheet` sets it for one build).
    #[serde(default)]
    pub sheet: Option<SheetSize>,
    /// Cards on one cut sheet: 4 or 8.
    #[serde(default)]
    pub cards_per_sheet: CardsPerSheet,
}

/// The paper a cut sheet is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SheetSize {
    /// A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 inches.
    Letter,
}

impl SheetSize {
    /// Width and height in millimetres, portrait.
    pub fn mm(self) -> (f32, f32) {
        match self {
            SheetSize::A4 => (210.0, 297.0),
            SheetSize::Letter => (215.9, 279.4),
        }
    }
}

/// How many cards a cut sheet holds: 4 (2 × 2) or 8 (2 × 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u8")]
pub enum CardsPerSheet {
    /// Four cards, two by two.
    #[default]
    Four,
    /// Eight cards, two by four.
    Eight,
}

impl TryFrom<u8> for CardsPerSheet {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        match n {
            4 => Ok(CardsPerSheet::Four),
            8 => Ok(CardsPerSheet::Eight),
            other => Err(format!("cards_per_sheet is 4 or 8, not {other}")),
        }
    }
}

impl CardsPerSheet {
    /// The number of cards.
    pub fn count(self) -> usize {
        match self {
            CardsPerSheet::Four => 4,
            CardsPerSheet::Eight => 8,
        }
    }
}

fn default_course_deck_limit() -> usize {
    2000
}

impl Default for FlashcardOptions {
    fn default() -> Self {
        FlashcardOptions {
            page_size: PageSize::default(),
            duplex: false,
            course_deck_limit: default_course_deck_limit(),
            sheet: None,
            cards_per_sheet: CardsPerSheet::default(),
        }
    }
}

/// Page sizes for printed flashcards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageSize {
    /// A6 landscape, 148 × 105 mm: four cards cut from one A4 sheet, the size of a postcard.
    #[default]
    A6Landscape,
    /// A 5 × 3 inch index card.
    IndexCard,
    /// A4 portrait.
    A4,
    /// US Letter portrait.
    Letter,
}

impl PageSize {
    /// Width and height in millimetres.
    pub fn mm(self) -> (f32, f32) {
        match self {
            PageSize::A6Landscape => (148.0, 105.0),
            PageSize::IndexCard => (127.0, 76.2),
            PageSize::A4 => (210.0, 297.0),
            PageSize::Letter => (215.9, 279.4),
        }
    }
}
