//! The page as one typed document: every later stage reads this tree and nothing else of a
//! page's Markdown.
//!
//! [`parse::parse`] reads a page body with one pulldown-cmark pass. The `:::` container lines
//! are found by a line scan ([`scan`]) and handed to that same pass as headings and rules of the
//! same length, so every byte offset still points into the author's file and CommonMark decides
//! page-wide what it always decides: reference links, footnotes, where a list or a paragraph
//! ends. The events become a tree of [`Block`]s and [`Inline`]s, each with a [`NodeId`] and a
//! source span; containers become types with named parts ([`Question`], [`Exercise`],
//! [`Card`], [`Figure`]); verify fences hold their parsed statements ([`Verify`]); roles are one
//! enum with one parser ([`roles`]). What a page resolves as a whole — footnote numbers, every
//! id an `#anchor` may name, the links to check — is resolved on the tree ([`ids`]).
//!
//! Verification annotates this tree by node id; the HTML renderer, the print stage, coverage
//! and the search index walk it.

pub mod html;
pub mod ids;
pub mod parse;
pub mod roles;
pub mod scan;
pub mod text;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use pulldown_cmark::{Alignment, BlockQuoteKind, LinkType, Options};
use serde::Serialize;

use crate::lang::ast::Stmt;
use crate::lang::error::VerifyError;
use crate::source::SourceFile;
pub use parse::parse;
pub use roles::Role;

/// Markdown extensions the author syntax has: the one set of options every reader of a page
/// shares, because there is one reader.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A node's identity within its document: its place in document order. A page whose text
/// changes only inside numbers (an exercise's variant) has the same ids for the same nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct NodeId(pub u32);

/// One page body as a tree.
#[derive(Debug)]
pub struct Document {
    /// The file the page came from; every span is a byte range of its text.
    pub file: Arc<SourceFile>,
    /// Where the body is in the file (after the front matter).
    pub body: Range<usize>,
    /// The body's blocks, in order.
    pub blocks: Vec<Block>,
    /// The footnotes referenced on the page, in the order of their first reference (a
    /// footnote's number is its place + 1). Defined but never referenced ones are left out.
    pub footnotes: Vec<Footnote>,
    /// How many questions, exercises and cards the body holds.
    pub counts: Counts,
    /// Every id the page defines that an `#anchor` may name, in document order.
    pub anchors: Vec<String>,
    /// The links to other pages or to this page's anchors, to check once every page is known.
    pub links: Vec<InternalLink>,
    /// Where the page defines what any part of it may use: link reference definitions and
    /// footnotes, in order (an exercise's variant is read with these and nothing else of the
    /// page around it).
    pub definitions: Vec<Range<usize>>,
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

/// A footnote: its number, its text and where its first reference is.
#[derive(Debug)]
pub struct Footnote {
    /// The label as written, normalised (case folded, white space collapsed).
    pub label: String,
    /// 1, 2, …: the order of first reference.
    pub number: usize,
    /// The id of its first reference, which the note links back to.
    pub first_ref: String,
    /// The note's blocks.
    pub blocks: Vec<Block>,
}

/// A block with its identity and place.
#[derive(Debug)]
pub struct Block {
    /// Its id.
    pub id: NodeId,
    /// Where it is written (a container: from its opening line to its closing one).
    pub span: Range<usize>,
    /// What it is.
    pub kind: BlockKind,
}

/// The kinds of block a page has: CommonMark's, and the author syntax's containers.
#[derive(Debug)]
pub enum BlockKind {
    /// A paragraph. (Large kinds are boxed: a page holds thousands of nodes, and a node is as
    /// big as its largest kind.)
    Paragraph(Vec<Inline>),
    /// Inline content with no paragraph around it (a tight list item's text).
    Plain(Vec<Inline>),
    /// A heading of the page (not a container's title).
    Heading(Box<Heading>),
    /// A blockquote, with its GitHub alert kind if the author gave one.
    BlockQuote(Option<BlockQuoteKind>, Vec<Block>),
    /// A list: the number it starts at (ordered lists) and its items.
    List(Option<u64>, Vec<Block>),
    /// One list item.
    Item(Vec<Block>),
    /// A code block.
    Code(Box<CodeBlock>),
    /// Raw HTML written by the author, with `<a name>` anchors given ids.
    Html(String),
    /// A thematic break.
    Rule,
    /// A table.
    Table(Box<Table>),
    /// A footnote's definition, where it is written; the note itself is in
    /// [`Document::footnotes`] and is shown at the end of the page.
    FootnoteDefinition(String),
    /// A ```` ```verify ```` block.
    Verify(Box<Verify>),
    /// A self-check question.
    Question(Box<Question>),
    /// An exercise.
    Exercise(Box<Exercise>),
    /// A set of flashcards.
    Flashcards(Vec<Card>),
    /// A figure container.
    Figure(Box<Figure>),
}

/// A heading of the page.
#[derive(Debug)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its id on the page: the author's `{#id}` or its words, unique on the page.
    pub anchor: String,
    /// The id the author gave it (`## Title {#id}`), if any.
    pub explicit: Option<String>,
    /// Its content.
    pub inlines: Vec<Inline>,
}

/// A code block.
#[derive(Debug)]
pub struct CodeBlock {
    /// The fence's info string; `None` for an indented block.
    pub info: Option<String>,
    /// The code.
    pub code: String,
}

impl CodeBlock {
    /// The language a fenced block names (the info string's first word), if any.
    pub fn language(&self) -> Option<&str> {
        self.info.as_deref()?.split_whitespace().next()
    }
}

/// A table.
#[derive(Debug)]
pub struct Table {
    /// Each column's alignment.
    pub alignments: Vec<Alignment>,
    /// The head row's cells.
    pub head: Vec<Vec<Inline>>,
    /// The body rows' cells.
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// A verification block.
#[derive(Debug)]
pub struct Verify {
    /// The opening fence line.
    pub fence: Range<usize>,
    /// The code between the fences, as a byte range of the file.
    pub code: Range<usize>,
    /// Marked `show`: its steps are typeset for readers.
    pub show: bool,
    /// Its statements, or the first error that stopped reading them (the verify stage
    /// reports it, so a page with one bad block still has its other checks run).
    pub statements: Result<Vec<Stmt>, VerifyError>,
}

/// True when a fenced block's info string makes it a verification block (`verify`, `verify
/// show`).
pub fn is_verify_info(info: &str) -> bool {
    info.split_whitespace().next() == Some("verify")
}

/// A container's opening line and its title, as written after the kind.
#[derive(Debug, Default)]
pub struct Title {
    /// The title as written (trimmed), for messages, ids and seeds.
    pub raw: String,
    /// The title read as Markdown.
    pub inlines: Vec<Inline>,
    /// The author's explicit id (`{#relu}` at the end of the line), if any.
    pub id: Option<String>,
}

/// The answer of a question or a card.
#[derive(Debug)]
pub struct Answer {
    /// Its opening line.
    pub open: Range<usize>,
    /// What it says.
    pub blocks: Vec<Block>,
}

/// A self-check question: its prompt and its collapsible answer.
#[derive(Debug)]
pub struct Question {
    /// 1, 2, … on the page (its id is `question-N`).
    pub number: usize,
    /// Its opening line.
    pub open: Range<usize>,
    /// What it asks.
    pub prompt: Vec<Block>,
    /// Its answer.
    pub answer: Answer,
}

/// An exercise: a title, what it asks and, optionally, a worked answer.
#[derive(Debug)]
pub struct Exercise {
    /// 1, 2, … on the page.
    pub number: usize,
    /// Its opening line.
    pub open: Range<usize>,
    /// Its title ("Part A: …").
    pub title: Title,
    /// Its heading's id on the page.
    pub anchor: String,
    /// What it asks: everything before the worked answer.
    pub statement: Vec<Block>,
    /// Its worked answer.
    pub solution: Option<Solution>,
}

impl Exercise {
    /// The title readers see: the author's, or "Exercise N".
    pub fn display_title(&self) -> String {
        if self.title.raw.is_empty() {
            format!("Exercise {}", self.number)
        } else {
            self.title.raw.clone()
        }
    }
}

/// The collapsible worked answer of an exercise.
#[derive(Debug)]
pub struct Solution {
    /// Its opening line.
    pub open: Range<usize>,
    /// What its summary says instead of "Worked answer", if anything.
    pub summary: String,
    /// The worked answer.
    pub blocks: Vec<Block>,
}

/// A flashcard: a question and its answer.
#[derive(Debug)]
pub struct Card {
    /// Its id.
    pub id: NodeId,
    /// Its opening line.
    pub open: Range<usize>,
    /// 1, 2, … on the page (its id is `card-N`).
    pub number: usize,
    /// The author's explicit id (`::: card {#relu}`), which names it for good in Anki.
    pub key: Option<String>,
    /// The question.
    pub question: Vec<Block>,
    /// The answer.
    pub answer: Answer,
}

/// A figure container: what it holds, captioned by its opening line.
#[derive(Debug)]
pub struct Figure {
    /// Its opening line.
    pub open: Range<usize>,
    /// The caption, if the line has one.
    pub caption: Option<Title>,
    /// What it shows.
    pub blocks: Vec<Block>,
}

/// An inline node with its identity and place.
#[derive(Debug)]
pub struct Inline {
    /// Its id.
    pub id: NodeId,
    /// Where it is written.
    pub span: Range<usize>,
    /// What it is.
    pub kind: InlineKind,
}

/// The kinds of inline content.
#[derive(Debug)]
pub enum InlineKind {
    /// Text, with smart punctuation and escapes applied.
    Text(String),
    /// A code span.
    Code(String),
    /// `*emphasis*`.
    Emphasis(Vec<Inline>),
    /// `**strong**`.
    Strong(Vec<Inline>),
    /// `~~struck~~`.
    Strikethrough(Vec<Inline>),
    /// A link.
    Link(Box<Link>),
    /// An image.
    Image(Box<Image>),
    /// A formula.
    Math(Box<Math>),
    /// An inline role: {eval}`…`, {verify}`…`, {label}`…`, {count}`…`.
    Role(Box<Role>),
    /// Raw inline HTML (with `<a name>` anchors given ids).
    Html(String),
    /// A line break inside a paragraph.
    SoftBreak,
    /// A hard line break.
    HardBreak,
    /// A reference to a footnote.
    FootnoteRef(Box<FootnoteRef>),
}

/// A reference to a footnote, numbered by the order of first references on the page.
#[derive(Debug)]
pub struct FootnoteRef {
    /// The footnote's label, normalised.
    pub label: String,
    /// The footnote's number.
    pub number: usize,
    /// This reference's id (the note links back to the first one).
    pub id: String,
}

/// A link, with where it leads.
#[derive(Debug)]
pub struct Link {
    /// How it was written (inline, reference, autolink, …).
    pub link_type: LinkType,
    /// The destination as written (a reference link's, as its definition says).
    pub dest: String,
    /// Its title.
    pub title: String,
    /// A reference link's label.
    pub label: String,
    /// Where it leads.
    pub target: LinkTarget,
    /// Its text.
    pub children: Vec<Inline>,
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Another site, or anything the course does not check (`mailto:`, a file).
    Elsewhere,
    /// An anchor of this page.
    Anchor(String),
    /// A page of the course, by its file's course-relative path, and an anchor on it.
    Page(String, Option<String>),
}

/// An internal link to check: to a page of the course or an anchor.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InternalLink {
    /// Course-relative path of the target page's file, or `None` for this page.
    pub target: Option<String>,
    /// The `#fragment`, if any.
    pub fragment: Option<String>,
    /// Where the link is written.
    pub span: Range<usize>,
}

/// An image.
#[derive(Debug)]
pub struct Image {
    /// The destination as written.
    pub dest: String,
    /// Its title: a caption when the image stands alone in its paragraph.
    pub title: String,
    /// A reference image's label.
    pub label: String,
    /// How it was written.
    pub link_type: LinkType,
    /// The course file it shows: a course-relative path (`content/01-x/fig.png`), or with a
    /// leading `/` a root-relative one the course resolves (`/assets/x.png`).
    pub source: String,
    /// Its alt text.
    pub alt: Vec<Inline>,
}

/// A formula.
#[derive(Debug)]
pub struct Math {
    /// The LaTeX.
    pub latex: String,
    /// On a line of its own (`$$…$$`, `\[…\]`).
    pub display: bool,
    /// Byte offset in the file where the LaTeX starts, to locate errors inside it.
    pub start: usize,
}

/// Anything that walks a document in reading order sees each node through these.
impl Block {
    /// The blocks directly inside this one, in reading order (a question's prompt, then its
    /// answer; an exercise's statement, then its worked answer).
    pub fn children(&self) -> Vec<&Block> {
        match &self.kind {
            BlockKind::BlockQuote(_, b) | BlockKind::List(_, b) | BlockKind::Item(b) => {
                b.iter().collect()
            }
            BlockKind::Question(q) => q.prompt.iter().chain(&q.answer.blocks).collect(),
            BlockKind::Exercise(e) => e
                .statement
                .iter()
                .chain(e.solution.iter().flat_map(|s| &s.blocks))
                .collect(),
            BlockKind::Flashcards(cards) => cards
                .iter()
                .flat_map(|c| c.question.iter().chain(&c.answer.blocks))
                .collect(),
            BlockKind::Figure(f) => f.blocks.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The inline content directly in this block (a paragraph's, a heading's, a table's
    /// cells, a figure's caption).
    pub fn inlines(&self) -> Vec<&Inline> {
        match &self.kind {
            BlockKind::Paragraph(i) | BlockKind::Plain(i) => i.iter().collect(),
            BlockKind::Heading(h) => h.inlines.iter().collect(),
            BlockKind::Table(t) => t
                .head
                .iter()
                .chain(t.rows.iter().flatten())
                .flatten()
                .collect(),
            BlockKind::Figure(f) => f.caption.iter().flat_map(|c| &c.inlines).collect(),
            BlockKind::Exercise(e) => e.title.inlines.iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl Inline {
    /// The inline nodes directly inside this one.
    pub fn children(&self) -> &[Inline] {
        match &self.kind {
            InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Strikethrough(c) => c,
            InlineKind::Link(l) => &l.children,
            InlineKind::Image(i) => &i.alt,
            _ => &[],
        }
    }
}

impl Document {
    /// The one empty document of every page whose body is not read yet (a build's outline):
    /// shared, so an outline of 20,000 pages holds one. Its file is no page's (an empty path):
    /// nothing is located in a body that was not read.
    pub fn none() -> Arc<Document> {
        static NONE: OnceLock<Arc<Document>> = OnceLock::new();
        Arc::clone(NONE.get_or_init(|| {
            Arc::new(Document::empty(Arc::new(SourceFile::new(
                "",
                std::path::PathBuf::new(),
                String::new(),
            ))))
        }))
    }

    /// The document of a page whose body is not read (yet).
    pub fn empty(file: Arc<SourceFile>) -> Document {
        Document {
            body: 0..0,
            file,
            blocks: Vec::new(),
            footnotes: Vec::new(),
            counts: Counts::default(),
            anchors: Vec::new(),
            links: Vec::new(),
            definitions: Vec::new(),
        }
    }

    /// Every block of the page, depth first, in reading order (footnotes' blocks last).
    pub fn all_blocks(&self) -> Vec<&Block> {
        let mut out = Vec::new();
        let mut stack: Vec<&Block> = self
            .blocks
            .iter()
            .chain(self.footnotes.iter().flat_map(|f| &f.blocks))
            .rev()
            .collect();
        while let Some(b) = stack.pop() {
            out.push(b);
            stack.extend(b.children().into_iter().rev());
        }
        out
    }

    /// `block` and every block inside it, depth first, in reading order.
    pub fn descendants(block: &Block) -> Vec<&Block> {
        let mut out = Vec::new();
        let mut stack = vec![block];
        while let Some(b) = stack.pop() {
            out.push(b);
            stack.extend(b.children().into_iter().rev());
        }
        out
    }

    /// The exercises of the page, in order.
    pub fn exercises(&self) -> Vec<(&Block, &Exercise)> {
        self.blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Exercise(e) => Some((b, e.as_ref())),
                _ => None,
            })
            .collect()
    }

    /// The exercise block with id `id`.
    pub fn exercise(&self, id: NodeId) -> Option<&Exercise> {
        self.exercises()
            .into_iter()
            .find(|(b, _)| b.id == id)
            .map(|(_, e)| e)
    }

    /// The flashcards of the page, in order.
    pub fn cards(&self) -> Vec<&Card> {
        self.blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Flashcards(cards) => Some(cards),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

/// Every inline of `inlines`, depth first, in order (walked as asked for: its callers look at
/// each once, and a list of them grown by doubling was 0.6 % of a build).
pub fn all_inlines<'a>(
    inlines: impl IntoIterator<Item = &'a Inline>,
) -> impl Iterator<Item = &'a Inline> {
    let mut stack: Vec<&Inline> = inlines.into_iter().collect();
    stack.reverse();
    std::iter::from_fn(move || {
        let i = stack.pop()?;
        stack.extend(i.children().iter().rev());
        Some(i)
    })
}
