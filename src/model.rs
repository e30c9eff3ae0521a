//! The course model every stage reads: a [`Course`] of [`Lesson`]s, each with its lesson page and
//! practice pages. Built by `load`, read by `verify`, `render` and `flashcards`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::CourseConfig;
use crate::source::SourceFile;

/// A whole course, in reading order.
#[derive(Debug)]
pub struct Course {
    /// The course file's settings.
    pub config: CourseConfig,
    /// Lessons in order.
    pub lessons: Vec<Lesson>,
    /// The images under `content/`, by course-relative path; pages show them as figures.
    pub media: BTreeMap<String, MediaFile>,
}

/// An image of the course, read at load so that rendering never touches the disk.
#[derive(Debug)]
pub struct MediaFile {
    /// The file's bytes, copied into the site as they are.
    pub bytes: Vec<u8>,
    /// Width and height in pixels, when the file's header says them.
    pub size: Option<(u32, u32)>,
}

/// Where an image of the course is published: `media/` and its path under `content/`, so two
/// lessons' `fig.png` never collide and the URL does not depend on the page showing it.
pub fn media_url(path: &str) -> String {
    format!("media/{}", path.strip_prefix("content/").unwrap_or(path))
}

impl Course {
    /// Every page in reading order: each lesson page followed by its practice pages.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.lessons
            .iter()
            .flat_map(|l| std::iter::once(&l.page).chain(&l.practice))
    }
}

/// One lesson folder.
#[derive(Debug)]
pub struct Lesson {
    /// The lesson's own page (`index.md`).
    pub page: Page,
    /// Practice pages, in order.
    pub practice: Vec<Page>,
}

/// Whether a page is a lesson page or a practice page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A lesson's `index.md`.
    Lesson,
    /// Any other Markdown file in a lesson folder.
    Practice,
}

/// Front matter of a page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    /// Page title (required).
    pub title: Option<String>,
    /// One line shown in listings and the page's meta description.
    #[serde(default)]
    pub description: String,
    /// Orders pages and lessons; lower comes first. Without it the numeric prefix orders them.
    pub weight: Option<i64>,
    /// How many variants each exercise with `vary` lines has, unless it says (`variants N`).
    pub variants: Option<usize>,
}

/// Keys accepted in page front matter, for error hints.
pub const PAGE_KEYS: &[&str] = &["title", "description", "weight", "variants"];

/// One Markdown page.
#[derive(Debug)]
pub struct Page {
    /// Lesson or practice.
    pub kind: PageKind,
    /// URL path from the site root, ending in `/` (e.g. `neural-networks/practice-backprop/`).
    pub url: String,
    /// Front matter.
    pub meta: PageMeta,
    /// The file the page came from.
    pub file: Arc<SourceFile>,
    /// The body, split into Markdown, verification blocks and containers.
    pub body: Vec<Block>,
    /// How many questions, exercises and cards the body holds (counted once, read by several
    /// stages).
    pub counts: Counts,
}

/// Counts a page's prose can print with `{count}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Self-check questions.
    pub questions: usize,
    /// Exercises.
    pub exercises: usize,
    /// Flashcards.
    pub cards: usize,
}

impl Counts {
    /// Counts the containers of a body.
    pub fn of(body: &[Block]) -> Counts {
        let mut counts = Counts::default();
        for c in containers_in(body) {
            match c.kind {
                ContainerKind::Question => counts.questions += 1,
                ContainerKind::Exercise => counts.exercises += 1,
                ContainerKind::Card if c.child(ContainerKind::Answer).is_some() => {
                    counts.cards += 1
                }
                _ => {}
            }
        }
        counts
    }
}

impl Page {
    /// The title from the front matter (loading fails without one).
    pub fn title(&self) -> &str {
        self.meta.title.as_deref().unwrap_or_default()
    }

    /// How many levels below the site root the page's `index.html` is (for relative links).
    pub fn depth(&self) -> usize {
        self.url.matches('/').count()
    }

    /// The exercise whose opening line starts at byte `open` (the key of a page's variants).
    pub fn exercise_at(&self, open: usize) -> Option<&Container> {
        fn find(blocks: &[Block], open: usize) -> Option<&Container> {
            blocks.iter().find_map(|b| match b {
                Block::Container(c)
                    if c.kind == ContainerKind::Exercise && c.open.start == open =>
                {
                    Some(c)
                }
                Block::Container(c) => find(&c.children, open),
                _ => None,
            })
        }
        find(&self.body, open)
    }

    /// All containers of a kind, depth first, in document order.
    pub fn containers(&self, kind: ContainerKind) -> Vec<&Container> {
        containers_in(&self.body)
            .into_iter()
            .filter(|c| c.kind == kind)
            .collect()
    }

    /// The flashcards of the page, in order.
    pub fn cards(&self) -> Vec<Card<'_>> {
        self.containers(ContainerKind::Card)
            .into_iter()
            .filter_map(Card::from_container)
            .collect()
    }
}

/// Every container of a body, depth first, in document order.
fn containers_in(blocks: &[Block]) -> Vec<&Container> {
    fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a Container>) {
        for b in blocks {
            if let Block::Container(c) = b {
                out.push(c);
                walk(&c.children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &mut out);
    out
}

/// A piece of a page body.
#[derive(Debug)]
pub enum Block {
    /// Plain Markdown, as a byte range of the page's file.
    Markdown(Range<usize>),
    /// A fenced ```` ```verify ```` block.
    Verify(VerifyBlock),
    /// A `::: name` … `:::` container.
    Container(Container),
}

/// A verification block's place in the file.
#[derive(Debug)]
pub struct VerifyBlock {
    /// The block's source (between the fences), as a byte range of the page's file.
    pub code: Range<usize>,
    /// True when the block is marked `show` and is typeset for readers.
    pub show: bool,
    /// Byte range of the opening fence line.
    pub fence: Range<usize>,
    /// True when the block sits inside a list item of a Markdown run (CommonMark puts fenced
    /// blocks there too): the Markdown renderer typesets it in place, and the block itself
    /// follows that run in the body only so the verify stage runs it in page order.
    pub nested: bool,
}

/// True when a fenced block's info string makes it a verification block (`verify`, `verify
/// show`). The one rule the loader, the HTML renderer and the card text all use, so a block
/// one of them treats as code is never checked by another.
pub fn is_verify_info(info: &str) -> bool {
    info.split_whitespace().next() == Some("verify")
}

/// The kinds of container the author syntax has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// A self-check question; holds its prompt and one `answer`.
    Question,
    /// The collapsible answer of a question or card.
    Answer,
    /// An exercise ("Part A: …"); holds its text and optionally a `solution`.
    Exercise,
    /// The collapsible worked answer of an exercise.
    Solution,
    /// A set of flashcards; holds only `card`s.
    Flashcards,
    /// One flashcard: the question, then one `answer`.
    Card,
    /// A figure: what it holds (images, a table, a diagram), captioned by the Markdown on its
    /// opening line (`::: figure Figure 2. Scores $s = Wx$`).
    Figure,
}

impl ContainerKind {
    /// Every kind with its name in the author syntax.
    pub const ALL: [(&'static str, ContainerKind); 7] = [
        ("question", ContainerKind::Question),
        ("answer", ContainerKind::Answer),
        ("exercise", ContainerKind::Exercise),
        ("solution", ContainerKind::Solution),
        ("flashcards", ContainerKind::Flashcards),
        ("card", ContainerKind::Card),
        ("figure", ContainerKind::Figure),
    ];

    /// The name an author writes after `:::`.
    pub fn name(self) -> &'static str {
        ContainerKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }
}

/// A `::: kind title` … `:::` container.
#[derive(Debug)]
pub struct Container {
    /// What it is.
    pub kind: ContainerKind,
    /// Text after the kind on the opening line (an exercise's title, a solution's summary).
    pub title: String,
    /// Byte range of the opening line.
    pub open: Range<usize>,
    /// What is inside.
    pub children: Vec<Block>,
}

impl Container {
    /// The first child container of a kind.
    pub fn child(&self, kind: ContainerKind) -> Option<&Container> {
        self.children.iter().find_map(|b| match b {
            Block::Container(c) if c.kind == kind => Some(c),
            _ => None,
        })
    }
}

/// A flashcard: its question blocks and its answer container.
#[derive(Debug)]
pub struct Card<'a> {
    /// The blocks before the answer.
    pub question: Vec<&'a Block>,
    /// The answer.
    pub answer: &'a Container,
}

impl<'a> Card<'a> {
    fn from_container(card: &'a Container) -> Option<Card<'a>> {
        let answer = card.child(ContainerKind::Answer)?;
        let question = card
            .children
            .iter()
            .take_while(|b| !matches!(b, Block::Container(c) if c.kind == ContainerKind::Answer))
            .collect();
        Some(Card { question, answer })
    }
}
