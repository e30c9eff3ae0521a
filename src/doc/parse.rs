//! One pulldown-cmark pass over a page body, into the tree of [`super`].
//!
//! The events are folded into nodes with an explicit stack (a deeply nested page costs no call
//! stack); the masked container lines ([`super::scan`]) open and close containers at the top
//! level; verify fences are placed in the file and their statements read; a `{role}` before a
//! code span becomes a [`super::Role`]; MathJax's `\(…\)` and `\[…\]` (and kramdown's doubled
//! `\\(…\\)`) become formulas. Structural mistakes are located errors; the page-wide ids and
//! footnote numbers are then resolved on the tree ([`super::ids`]).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::ids::normalise;
use super::roles::{self, role_at_end};
use super::scan::{self, ContainerLine, LineKind};
use super::{
    Answer, Block, BlockKind, Card, CodeBlock, Counts, Document, Exercise, Figure, FootnoteRef,
    Heading, Image, Inline, InlineKind, Link, LinkTarget, Math, NodeId, Question, Solution, Table,
    Title, Verify,
};
use crate::diagnostic::{nearest, Diagnostic};
use crate::lang::{lexer, parser};
use crate::source::SourceFile;

/// Deepest nesting of containers a page may have. The author syntax needs three (flashcards,
/// card, answer); the limit keeps every walk of the tree shallow, where 200,000 nested
/// containers once overflowed the stack (issue #14).
pub const MAX_CONTAINER_DEPTH: usize = 16;

/// Deepest nesting of Markdown (lists, blockquotes, emphasis) a page may have: far beyond what
/// a page needs, and shallow enough for every walk of the tree.
pub const MAX_MARKDOWN_DEPTH: usize = 128;

/// The containers of the author syntax.
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
    /// A figure, captioned by the Markdown on its opening line.
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

    fn named(name: &str) -> Option<ContainerKind> {
        ContainerKind::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
    }
}

/// Parses the body at `body` (a byte range of `file`) into a document, with every problem
/// found. The document is fit to build only when the problems are empty.
pub fn parse(file: &Arc<SourceFile>, body: Range<usize>) -> (Document, Vec<Diagnostic>) {
    let (doc, errors, _) = parse_with_card_keys(file, body);
    (doc, errors)
}

/// [`parse`], and the ids the page's cards give themselves ([`scan::card_keys`]), read from
/// the same scan of the body.
pub fn parse_with_card_keys(
    file: &Arc<SourceFile>,
    body: Range<usize>,
) -> (Document, Vec<Diagnostic>, Vec<(String, usize)>) {
    PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scan = scan::scan(file, body.clone());
    let card_keys = scan::card_keys_of(file, &scan.lines);
    let mut builder = Builder::new(file, &scan);
    builder.errors.extend(scan.errors.iter().cloned());
    let text = &scan.masked[body.clone()];
    let parser = Parser::new_ext(text, super::options()).into_offset_iter();
    // The first pass, done when the parser is made, found every reference definition.
    builder.definitions = parser
        .reference_definitions()
        .iter()
        .map(|(_, def)| def.span.start + body.start..def.span.end + body.start)
        .collect();
    let events = parser.map(|(e, r)| (e, r.start + body.start..r.end + body.start));
    // MathJax's delimiters are found in a page's events as a list; any other page's are
    // streamed (collecting them grew a list of thousands by doubling).
    let events: Box<dyn Iterator<Item = (Event, Range<usize>)>> =
        if text.contains("\\(") || text.contains("\\[") {
            Box::new(mathjax(&file.text, events.collect(), &mut builder.errors, file).into_iter())
        } else {
            Box::new(events)
        };
    for (event, span) in events {
        builder.event(event, span);
    }
    let (doc, errors) = builder.finish(scan.unclosed_fence, body);
    (doc, errors, card_keys)
}

/// Pages parsed by this process (a page's variants count one each).
static PARSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many times this process has parsed a page: a test reads it to show that a build parses
/// each page once (and each exercise variant's text once).
pub fn parses() -> usize {
    PARSES.load(std::sync::atomic::Ordering::Relaxed)
}

/// A Markdown element being read.
struct Frame {
    kind: FrameKind,
    id: NodeId,
    span: Range<usize>,
    children: Vec<Node>,
}

enum FrameKind {
    Paragraph,
    Heading(u8, Option<String>),
    BlockQuote(Option<pulldown_cmark::BlockQuoteKind>),
    Code(Option<String>, String),
    Html(String),
    List(Option<u64>),
    Item,
    FootnoteDefinition(String),
    Table(Vec<pulldown_cmark::Alignment>),
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Link(pulldown_cmark::LinkType, String, String, String),
    Image(pulldown_cmark::LinkType, String, String, String),
    /// The title of a container line (index into the scan's lines), or anything deeper than
    /// [`MAX_MARKDOWN_DEPTH`] (`None`), whose content is dropped.
    Title(Option<usize>),
    /// Anything else pulldown-cmark may report; its content is kept, the element dropped.
    Other,
}

/// What a frame collects.
enum Node {
    Block(Block),
    Inline(Inline),
    Cell(Vec<Inline>),
    Row(Vec<Vec<Inline>>, bool),
}

/// A container waiting for its closing line.
struct Open {
    /// `None` stands for an unknown container, already reported.
    kind: Option<ContainerKind>,
    id: NodeId,
    line: Range<usize>,
    title: Title,
    children: Vec<Part>,
}

/// A container's content as it is assembled: blocks, and the parts only some containers hold.
enum Part {
    Block(Block),
    Answer(Answer),
    Solution(Solution),
    Card(Card),
}

impl Part {
    fn open(&self) -> Option<&Range<usize>> {
        match self {
            Part::Block(_) => None,
            Part::Answer(a) => Some(&a.open),
            Part::Solution(s) => Some(&s.open),
            Part::Card(c) => Some(&c.open),
        }
    }
}

struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    lines: &'a [ContainerLine],
    /// The next container line not yet met.
    next_line: usize,
    next_id: u32,
    frames: Vec<Frame>,
    containers: Vec<Open>,
    top: Vec<Part>,
    footnotes: HashMap<String, Vec<Block>>,
    footnote_order: Vec<String>,
    errors: Vec<Diagnostic>,
    /// Openings past the depth limit: counted so their closing lines match, never pushed.
    too_deep: usize,
    reported_depth: bool,
    /// Markdown elements past the depth limit, being skipped.
    skipped: usize,
    counts: Counts,
    /// The last two text events of the current run, to find `[^label]` written for a
    /// footnote that is not defined.
    recent: [Option<(String, Range<usize>)>; 2],
    /// Where link reference definitions and footnote definitions are.
    definitions: Vec<Range<usize>>,
}

impl<'a> Builder<'a> {
    fn new(file: &'a Arc<SourceFile>, scan: &'a scan::Scan) -> Self {
        Builder {
            file,
            lines: &scan.lines,
            next_line: 0,
            next_id: 0,
            frames: Vec::new(),
            containers: Vec::new(),
            top: Vec::new(),
            footnotes: HashMap::new(),
            footnote_order: Vec::new(),
            errors: Vec::new(),
            too_deep: 0,
            reported_depth: false,
            skipped: 0,
            counts: Counts::default(),
            recent: [None, None],
            definitions: Vec::new(),
        }
    }

    fn id(&mut self) -> NodeId {
        self.next_id += 1;
        NodeId(self.next_id)
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        self.errors
            .push(Diagnostic::at(self.file, span, message).with_hint(hint));
    }

    /// The container line starting at `at`, if the scan found one there; lines passed over
    /// (read by CommonMark as part of raw HTML) are skipped.
    fn container_line(&mut self, at: usize) -> Option<usize> {
        while self
            .lines
            .get(self.next_line)
            .is_some_and(|l| l.span.start < at)
        {
            self.next_line += 1;
        }
        let line = self.lines.get(self.next_line)?;
        (line.span.start == at).then(|| {
            self.next_line += 1;
            self.next_line - 1
        })
    }

    /// Text of an event that may hold a masked container line CommonMark read as raw HTML or
    /// code: the author's text.
    fn unmasked<'e>(&self, text: CowStr<'e>, span: &Range<usize>) -> CowStr<'e> {
        if self.masked_line_in(span).is_some() && text.len() == span.len() {
            CowStr::from(self.file.text[span.clone()].to_string())
        } else {
            text
        }
    }

    /// The container line that overlaps `span`, if one does (the lines are in order).
    fn masked_line_in(&self, span: &Range<usize>) -> Option<&ContainerLine> {
        let first = self.lines.partition_point(|l| l.span.end <= span.start);
        self.lines
            .get(first)
            .filter(|l| l.span.start < span.end.max(span.start + 1))
    }

    fn event(&mut self, event: Event, span: Range<usize>) {
        if !matches!(event, Event::Text(_)) {
            self.recent = [None, None];
        }
        match event {
            Event::Start(tag) => self.start(tag, span),
            Event::End(tag) => self.end(tag, span),
            Event::Text(text) => {
                let text = self.unmasked(text, &span);
                self.text(text, span)
            }
            Event::Code(code) => {
                let code = self.unmasked(code, &span);
                self.code(String::from(&*code), span)
            }
            Event::InlineMath(latex) => {
                self.math(String::from(&*latex), false, span.start + 1, span)
            }
            Event::DisplayMath(latex) => {
                self.math(String::from(&*latex), true, span.start + 2, span)
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = String::from(&*self.unmasked(html, &span));
                // A `:::` line right after raw HTML is read as part of it (CommonMark ends such
                // HTML only at a blank line): say so, unless the HTML is a comment, which is
                // how an author hides a container.
                if let Some(line) = self.masked_line_in(&span).cloned() {
                    let comment = match self.frames.last() {
                        Some(Frame {
                            kind: FrameKind::Html(text),
                            ..
                        }) => text.trim_start().starts_with("<!--"),
                        _ => false,
                    } || html.trim_start().starts_with("<!--");
                    if !comment {
                        self.error(
                            line.span,
                            "this `:::` line is read as part of the raw HTML above it",
                            "put a blank line between the HTML and the `:::` line",
                        );
                    }
                }
                // A resource is an attribute: HTML without one loads nothing.
                let loads = if html.contains('=') {
                    super::html::external_resource(&html)
                } else {
                    None
                };
                if let Some(url) = loads {
                    self.error(
                        span,
                        format!("HTML that loads from another site: {url}"),
                        "pages make no request outside the site; put the file in assets/ and link it from there",
                    );
                    return;
                }
                if let Some(Frame {
                    kind: FrameKind::Html(text),
                    ..
                }) = self.frames.last_mut()
                {
                    text.push_str(&html);
                } else {
                    let id = self.id();
                    self.inline(Inline {
                        id,
                        span,
                        kind: InlineKind::Html(html),
                    });
                }
            }
            Event::FootnoteReference(label) => {
                let id = self.id();
                self.inline(Inline {
                    id,
                    span,
                    kind: InlineKind::FootnoteRef(Box::new(FootnoteRef {
                        label: normalise(&label),
                        number: 0,
                        id: String::new(),
                    })),
                });
            }
            Event::SoftBreak | Event::HardBreak => {
                let id = self.id();
                let kind = if matches!(event, Event::SoftBreak) {
                    InlineKind::SoftBreak
                } else {
                    InlineKind::HardBreak
                };
                self.inline(Inline { id, span, kind });
            }
            Event::Rule => {
                if self.frames.is_empty() {
                    if let Some(line) = self.container_line(span.start) {
                        self.container_line_event(line, Title::default());
                        return;
                    }
                }
                let id = self.id();
                self.block(Block {
                    id,
                    span,
                    kind: BlockKind::Rule,
                });
            }
            // Task lists are not enabled; nothing else is left.
            Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag, span: Range<usize>) {
        if self.skipped > 0 || self.frames.len() >= MAX_MARKDOWN_DEPTH {
            if self.skipped == 0 {
                self.error(
                    span.clone(),
                    format!("Markdown nested more than {MAX_MARKDOWN_DEPTH} deep"),
                    "lists, quotes and emphasis this deep cannot be read; flatten them",
                );
            }
            self.skipped += 1;
            return;
        }
        let kind = match tag {
            Tag::Heading { level, id, .. } => {
                if self.frames.is_empty() {
                    if let Some(line) = self.container_line(span.start) {
                        let id_ = self.id();
                        self.frames.push(Frame {
                            kind: FrameKind::Title(Some(line)),
                            id: id_,
                            span,
                            children: Vec::new(),
                        });
                        // The explicit id is read again from the line, with the title.
                        let _ = id;
                        return;
                    }
                }
                FrameKind::Heading(level as u8, id.map(|i| String::from(&*i)))
            }
            Tag::Paragraph => FrameKind::Paragraph,
            Tag::BlockQuote(kind) => FrameKind::BlockQuote(kind),
            Tag::CodeBlock(kind) => FrameKind::Code(
                match kind {
                    CodeBlockKind::Fenced(info) => Some(String::from(&*info)),
                    CodeBlockKind::Indented => None,
                },
                String::new(),
            ),
            Tag::HtmlBlock => FrameKind::Html(String::new()),
            Tag::List(start) => FrameKind::List(start),
            Tag::Item => FrameKind::Item,
            Tag::FootnoteDefinition(label) => FrameKind::FootnoteDefinition(normalise(&label)),
            Tag::Table(alignments) => FrameKind::Table(alignments),
            Tag::TableHead => FrameKind::TableHead,
            Tag::TableRow => FrameKind::TableRow,
            Tag::TableCell => FrameKind::TableCell,
            Tag::Emphasis => FrameKind::Emphasis,
            Tag::Strong => FrameKind::Strong,
            Tag::Strikethrough => FrameKind::Strikethrough,
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => FrameKind::Link(
                link_type,
                String::from(&*dest_url),
                String::from(&*title),
                String::from(&*id),
            ),
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => FrameKind::Image(
                link_type,
                String::from(&*dest_url),
                String::from(&*title),
                String::from(&*id),
            ),
            _ => FrameKind::Other,
        };
        let id = self.id();
        self.frames.push(Frame {
            kind,
            id,
            span,
            children: Vec::new(),
        });
    }

    fn end(&mut self, _tag: TagEnd, _span: Range<usize>) {
        if self.skipped > 0 {
            self.skipped -= 1;
            return;
        }
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let Frame {
            kind,
            id,
            span,
            children,
        } = frame;
        let block = |kind: BlockKind| {
            Node::Block(Block {
                id,
                span: span.clone(),
                kind,
            })
        };
        let node = match kind {
            FrameKind::Paragraph => block(BlockKind::Paragraph(inlines(children))),
            FrameKind::Heading(level, explicit) => block(BlockKind::Heading(Box::new(Heading {
                level,
                anchor: String::new(),
                explicit,
                inlines: inlines(children),
            }))),
            FrameKind::BlockQuote(kind) => {
                block(BlockKind::BlockQuote(kind, self.blocks(children)))
            }
            FrameKind::List(start) => block(BlockKind::List(start, self.blocks(children))),
            FrameKind::Item => block(BlockKind::Item(self.blocks(children))),
            FrameKind::Code(info, code) => {
                match info.as_deref().filter(|i| super::is_verify_info(i)) {
                    Some(info) => {
                        let show = info.split_whitespace().any(|w| w == "show");
                        match self.verify(span.clone(), &code, show) {
                            Some(v) => block(BlockKind::Verify(Box::new(v))),
                            None => return,
                        }
                    }
                    None => block(BlockKind::Code(Box::new(CodeBlock { info, code }))),
                }
            }
            FrameKind::Html(html) => block(BlockKind::Html(html)),
            FrameKind::FootnoteDefinition(label) => {
                self.definitions.push(span.clone());
                let blocks = self.blocks(children);
                if !self.footnotes.contains_key(&label) {
                    self.footnote_order.push(label.clone());
                }
                self.footnotes.insert(label.clone(), blocks);
                block(BlockKind::FootnoteDefinition(label))
            }
            FrameKind::Table(alignments) => {
                let mut head = Vec::new();
                let mut rows = Vec::new();
                for child in children {
                    match child {
                        Node::Row(cells, true) => head = cells,
                        Node::Row(cells, false) => rows.push(cells),
                        _ => {}
                    }
                }
                block(BlockKind::Table(Box::new(Table {
                    alignments,
                    head,
                    rows,
                })))
            }
            FrameKind::TableHead | FrameKind::TableRow => Node::Row(
                children
                    .into_iter()
                    .filter_map(|c| match c {
                        Node::Cell(cell) => Some(cell),
                        _ => None,
                    })
                    .collect(),
                matches!(kind, FrameKind::TableHead),
            ),
            FrameKind::TableCell => Node::Cell(inlines(children)),
            FrameKind::Emphasis => inline(id, span, InlineKind::Emphasis(inlines(children))),
            FrameKind::Strong => inline(id, span, InlineKind::Strong(inlines(children))),
            FrameKind::Strikethrough => {
                inline(id, span, InlineKind::Strikethrough(inlines(children)))
            }
            FrameKind::Link(link_type, dest, title, label) => {
                let target = link_target(&self.file.path, &dest);
                inline(
                    id,
                    span,
                    InlineKind::Link(Box::new(Link {
                        link_type,
                        dest,
                        title,
                        label,
                        target,
                        children: inlines(children),
                    })),
                )
            }
            FrameKind::Image(link_type, dest, title, label) => {
                if is_external(&dest) {
                    self.error(
                        span.clone(),
                        "image loaded from another site",
                        "pages make no request outside the site; put the image in assets/ and link it from there",
                    );
                    return;
                }
                let source = image_source(&self.file.path, &dest);
                inline(
                    id,
                    span,
                    InlineKind::Image(Box::new(Image {
                        dest,
                        title,
                        label,
                        link_type,
                        source,
                        alt: inlines(children),
                    })),
                )
            }
            FrameKind::Title(Some(line)) => {
                let title = self.title(line, inlines(children));
                self.container_line_event(line, title);
                return;
            }
            FrameKind::Title(None) => return,
            FrameKind::Other => {
                for child in children {
                    self.push(child);
                }
                return;
            }
        };
        self.push(node);
    }

    /// Adds a finished node to the element being read, or to the page when none is.
    fn push(&mut self, node: Node) {
        match self.frames.last_mut() {
            Some(frame) => {
                if let (Node::Inline(new), Some(Node::Inline(last))) =
                    (&node, frame.children.last_mut())
                {
                    // Adjacent text is one node: pulldown-cmark splits it at escapes and
                    // smart quotes.
                    if let (InlineKind::Text(a), InlineKind::Text(b)) = (&mut last.kind, &new.kind)
                    {
                        a.push_str(b);
                        last.span.end = new.span.end.max(last.span.end);
                        return;
                    }
                }
                frame.children.push(node)
            }
            None => {
                if let Node::Block(block) = node {
                    self.block(block);
                }
            }
        }
    }

    fn inline(&mut self, inline: Inline) {
        if self.skipped > 0 {
            return;
        }
        self.push(Node::Inline(inline));
    }

    /// A finished block: into the element being read, or the innermost open container.
    fn block(&mut self, block: Block) {
        if self.skipped > 0 {
            return;
        }
        if !self.frames.is_empty() {
            self.push(Node::Block(block));
            return;
        }
        self.children().push(Part::Block(block));
    }

    fn children(&mut self) -> &mut Vec<Part> {
        match self.containers.last_mut() {
            Some(open) => &mut open.children,
            None => &mut self.top,
        }
    }

    fn text(&mut self, text: CowStr, span: Range<usize>) {
        // Inside a code block the text is its code.
        if let Some(Frame {
            kind: FrameKind::Code(_, code),
            ..
        }) = self.frames.last_mut()
        {
            code.push_str(&text);
            return;
        }
        // `[^label]` for a footnote the page does not define reaches here as `[`, `^label`,
        // `]`: CommonMark prints it as text, which would hide the mistake.
        if text.as_ref() == "]" {
            if let [Some((open, open_span)), Some((label, _))] = &self.recent {
                if open == "[" {
                    if let Some(label) = label.strip_prefix('^') {
                        if !label.is_empty() && !label.contains(char::is_whitespace) {
                            let at = open_span.start..span.end;
                            let label = label.to_string();
                            self.error(
                                at,
                                format!("footnote `[^{label}]` is never defined"),
                                format!(
                                    "define it anywhere on the page: a line `[^{label}]: the note`"
                                ),
                            );
                        }
                    }
                }
            }
        }
        self.recent = [
            self.recent[1].take(),
            Some((String::from(&*text), span.clone())),
        ];
        let id = self.id();
        self.inline(Inline {
            id,
            span,
            kind: InlineKind::Text(String::from(&*text)),
        });
    }

    /// A code span, or the argument of the role written right before it.
    fn code(&mut self, code: String, span: Range<usize>) {
        let id = self.id();
        let ticks = self.file.text[span.clone()]
            .chars()
            .take_while(|c| *c == '`')
            .count();
        let arg_span = span.start + ticks..span.end.saturating_sub(ticks).max(span.start + ticks);
        let role = self.frames.last_mut().and_then(|frame| {
            let Some(Node::Inline(Inline {
                kind: InlineKind::Text(text),
                ..
            })) = frame.children.last_mut()
            else {
                return None;
            };
            let name = role_at_end(text)?.to_string();
            text.truncate(text.len() - name.len() - 2);
            if text.is_empty() {
                frame.children.pop();
            }
            Some(name)
        });
        let kind = match role {
            Some(name) => match roles::parse(self.file, &name, &code, arg_span) {
                Ok(role) => InlineKind::Role(Box::new(role)),
                Err(d) => {
                    self.errors.push(d);
                    return;
                }
            },
            None => InlineKind::Code(code),
        };
        self.inline(Inline { id, span, kind });
    }

    fn math(&mut self, latex: String, display: bool, start: usize, span: Range<usize>) {
        let id = self.id();
        self.inline(Inline {
            id,
            span,
            kind: InlineKind::Math(Box::new(Math {
                latex,
                display,
                start,
            })),
        });
    }

    /// Blocks from a frame's children; runs of inline content (a tight list item's text)
    /// become plain blocks.
    fn blocks(&mut self, children: Vec<Node>) -> Vec<Block> {
        let mut out = Vec::new();
        let mut run: Vec<Inline> = Vec::new();
        let flush = |run: &mut Vec<Inline>, out: &mut Vec<Block>, id: NodeId| {
            if run.is_empty() {
                return;
            }
            let span = run[0].span.start..run[run.len() - 1].span.end;
            out.push(Block {
                id,
                span,
                kind: BlockKind::Plain(std::mem::take(run)),
            });
        };
        for child in children {
            match child {
                Node::Block(b) => {
                    let id = self.id();
                    flush(&mut run, &mut out, id);
                    out.push(b);
                }
                Node::Inline(i) => run.push(i),
                Node::Cell(_) | Node::Row(..) => {}
            }
        }
        let id = self.id();
        flush(&mut run, &mut out, id);
        out
    }

    /// A verify block: its code placed in the file and its statements read; `None` (with an
    /// error) when the code cannot be checked where it stands.
    fn verify(&mut self, span: Range<usize>, content: &str, show: bool) -> Option<Verify> {
        let text = &self.file.text;
        let block = text[span.clone()].trim_end_matches(['\n', '\r']);
        let first_end = block.find('\n').map_or(block.len(), |i| i + 1);
        let fence = span.start..span.start + block[..first_end].trim_end().len();
        let in_quote = self
            .frames
            .iter()
            .any(|f| matches!(f.kind, FrameKind::BlockQuote(_)));
        let code = place(text, span.clone(), first_end, content);
        let Some(code) = code.filter(|_| !in_quote) else {
            let (_, line) = self.file.line_at(span.start);
            let (what, hint) = if in_quote {
                (
                    "a `verify` block inside a blockquote cannot be checked",
                    "move the block out of the blockquote; verify blocks may stand at the top level, in `:::` containers and in list items",
                )
            } else {
                (
                    "this `verify` block cannot be checked where it stands",
                    "verify blocks may stand at the top level, in `:::` containers and in list items; move it to one of those",
                )
            };
            self.error(span.start..line.end.max(span.start), what, hint);
            return None;
        };
        let statements =
            lexer::lex(&text[code.clone()], code.start).and_then(|t| parser::parse(&t));
        Some(Verify {
            fence,
            code,
            show,
            statements,
        })
    }

    /// A container's title from its masked heading's content.
    fn title(&mut self, line: usize, inlines: Vec<Inline>) -> Title {
        let ContainerLine { span, kind } = &self.lines[line];
        let LineKind::Open { title_start, .. } = kind else {
            return Title::default();
        };
        let mut raw = self.file.text[*title_start..span.end].trim().to_string();
        // `{#id .class}` at the end of the line is the container's attributes, not its title.
        let mut id = None;
        if raw.ends_with('}') {
            if let Some(open) = raw.rfind('{') {
                let attributes = raw[open + 1..raw.len() - 1].to_string();
                let ends_content = inlines
                    .last()
                    .is_none_or(|i| i.span.end <= title_start + open);
                if ends_content && !attributes.contains('{') {
                    id = attributes
                        .split_whitespace()
                        .find_map(|a| a.strip_prefix('#'))
                        .filter(|a| !a.is_empty())
                        .map(str::to_string);
                    raw = raw[..open].trim_end().to_string();
                }
            }
        }
        Title { raw, inlines, id }
    }

    /// A container line met at the top level: opens or closes a container.
    fn container_line_event(&mut self, line: usize, title: Title) {
        let ContainerLine { span, kind } = self.lines[line].clone();
        match kind {
            LineKind::Close if self.too_deep > 0 => self.too_deep -= 1,
            LineKind::Close => match self.containers.pop() {
                Some(open) => self.close(open, span.end),
                None => self.error(
                    span,
                    "`:::` closes nothing: no container is open",
                    "remove this line, or open a container above it with `::: question`",
                ),
            },
            LineKind::Open { .. } if self.containers.len() >= MAX_CONTAINER_DEPTH => {
                if self.too_deep == 0 && !self.reported_depth {
                    self.reported_depth = true;
                    self.error(
                        span,
                        format!("containers nested more than {MAX_CONTAINER_DEPTH} deep"),
                        "a card holds an answer inside flashcards: three levels are all a page needs; check for missing `:::` lines",
                    );
                }
                self.too_deep += 1;
            }
            LineKind::Open { name, .. } => {
                let kind = ContainerKind::named(&name);
                if kind.is_none() {
                    let names: Vec<&str> = ContainerKind::ALL.iter().map(|(n, _)| *n).collect();
                    let hint = match nearest(&name, &names) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => format!("containers are: {}", names.join(", ")),
                    };
                    self.error(span.clone(), format!("unknown container `{name}`"), hint);
                }
                let id = self.id();
                self.containers.push(Open {
                    kind,
                    id,
                    line: span,
                    title,
                    children: Vec::new(),
                });
            }
        }
    }

    /// Assembles a closed container from its parts, checking that it holds what its kind
    /// needs; the result goes to the container around it, or the page.
    fn close(&mut self, open: Open, end: usize) {
        let Open {
            kind,
            id,
            line,
            title,
            children,
        } = open;
        let Some(kind) = kind else { return };
        let span = line.start..end;
        // Parts that may not stand in this container are reported and dropped.
        let mut parts = Vec::new();
        for part in children {
            let child_kind = match &part {
                Part::Block(Block {
                    kind: BlockKind::Question(_),
                    ..
                }) => Some(ContainerKind::Question),
                Part::Block(Block {
                    kind: BlockKind::Exercise(_),
                    ..
                }) => Some(ContainerKind::Exercise),
                Part::Block(Block {
                    kind: BlockKind::Flashcards(_),
                    ..
                }) => Some(ContainerKind::Flashcards),
                Part::Block(Block {
                    kind: BlockKind::Figure(_),
                    ..
                }) => Some(ContainerKind::Figure),
                Part::Block(_) => None,
                Part::Answer(_) => Some(ContainerKind::Answer),
                Part::Solution(_) => Some(ContainerKind::Solution),
                Part::Card(_) => Some(ContainerKind::Card),
            };
            match child_kind.and_then(|c| misplaced(kind, c).map(|m| (c, m))) {
                Some((_, message)) => {
                    let at = match &part {
                        Part::Block(b) => b.span.start..line_end(&self.file.text, b.span.start),
                        other => other.open().cloned().unwrap_or(0..0),
                    };
                    self.errors.push(Diagnostic::at(self.file, at, message));
                }
                None => parts.push(part),
            }
        }
        let part = match kind {
            ContainerKind::Question | ContainerKind::Card => {
                let what = if kind == ContainerKind::Card {
                    "flashcard"
                } else {
                    "question"
                };
                let (prompt, answer) = self.prompt_and_answer(parts, &line, what);
                // Without an answer (already reported) the container is kept, so that where it
                // stands is checked too.
                let answer = answer.unwrap_or(Answer {
                    open: line.clone(),
                    blocks: Vec::new(),
                });
                if kind == ContainerKind::Question {
                    self.counts.questions += 1;
                    Part::Block(Block {
                        id,
                        span,
                        kind: BlockKind::Question(Box::new(Question {
                            number: self.counts.questions,
                            open: line,
                            prompt,
                            answer,
                        })),
                    })
                } else {
                    let asks = prompt.iter().any(|b| {
                        !matches!(
                            b.kind,
                            BlockKind::Verify(_) | BlockKind::FootnoteDefinition(_)
                        )
                    });
                    if !asks {
                        self.error(
                            line.clone(),
                            "flashcard has no question",
                            "write the question before `::: answer`",
                        );
                    }
                    self.no_footnotes(&prompt);
                    self.no_footnotes(&answer.blocks);
                    self.counts.cards += 1;
                    let card = Card {
                        id,
                        open: line.clone(),
                        number: self.counts.cards,
                        key: title.id,
                        question: prompt,
                        answer,
                    };
                    Part::Card(card)
                }
            }
            ContainerKind::Answer => Part::Answer(Answer {
                open: line,
                blocks: self.only_blocks(parts),
            }),
            ContainerKind::Solution => Part::Solution(Solution {
                open: line,
                summary: title.raw,
                blocks: self.only_blocks(parts),
            }),
            ContainerKind::Exercise => {
                let mut statement = Vec::new();
                let mut solution = None;
                for part in parts {
                    match part {
                        Part::Solution(s) if solution.is_none() => solution = Some(s),
                        Part::Solution(s) => self.error(
                            s.open,
                            "an exercise has one worked answer",
                            "merge the two `::: solution` containers into one",
                        ),
                        Part::Block(b) if solution.is_some() && !trailing_ok(&b) => {
                            let at = b.span.start..line_end(&self.file.text, b.span.start);
                            self.error(
                                at,
                                "text after the worked answer of an exercise",
                                "move it above `::: solution`, or into the worked answer",
                            );
                        }
                        Part::Block(b) => statement.push(b),
                        _ => {}
                    }
                }
                self.counts.exercises += 1;
                Part::Block(Block {
                    id,
                    span,
                    kind: BlockKind::Exercise(Box::new(Exercise {
                        number: self.counts.exercises,
                        open: line,
                        title,
                        anchor: String::new(),
                        statement,
                        solution,
                    })),
                })
            }
            ContainerKind::Flashcards => {
                let mut cards = Vec::new();
                for part in parts {
                    match part {
                        Part::Card(card) => cards.push(card),
                        Part::Block(b) if trailing_ok(&b) => {}
                        Part::Block(b) => {
                            let at = text_start(&self.file.text, &b.span);
                            self.error(
                                at..at,
                                "text inside `flashcards` outside any card",
                                "wrap each card in `::: card` … `:::`, or move the text above `::: flashcards`",
                            );
                        }
                        _ => {}
                    }
                }
                Part::Block(Block {
                    id,
                    span,
                    kind: BlockKind::Flashcards(cards),
                })
            }
            ContainerKind::Figure => Part::Block(Block {
                id,
                span,
                kind: BlockKind::Figure(Box::new(Figure {
                    open: line,
                    caption: (!title.raw.is_empty()).then_some(title),
                    blocks: self.only_blocks(parts),
                })),
            }),
        };
        self.children().push(part);
    }

    /// A question's or card's blocks before its answer, and the answer; every other shape is
    /// reported.
    fn prompt_and_answer(
        &mut self,
        parts: Vec<Part>,
        line: &Range<usize>,
        what: &str,
    ) -> (Vec<Block>, Option<Answer>) {
        let mut prompt = Vec::new();
        let mut answer: Option<Answer> = None;
        let mut answers = 0;
        for part in parts {
            match part {
                Part::Answer(a) => {
                    answers += 1;
                    if answer.is_none() {
                        answer = Some(a);
                    }
                }
                Part::Block(b) if answer.is_some() && !trailing_ok(&b) => {
                    let at = b.span.start..line_end(&self.file.text, b.span.start);
                    self.error(
                        at,
                        format!("text after the answer of a {what}"),
                        "move it above `::: answer`, or into the answer",
                    );
                }
                Part::Block(b) if answer.is_some() => drop(b),
                Part::Block(b) => prompt.push(b),
                _ => {}
            }
        }
        match answers {
            0 => self.error(
                line.clone(),
                format!("{what} has no answer"),
                "add `::: answer`, the answer, and `:::` before the closing `:::`",
            ),
            1 => {}
            _ => self.error(
                line.clone(),
                "more than one answer",
                "keep one `::: answer` per question",
            ),
        }
        (prompt, answer)
    }

    /// A card is printed and studied on its own, away from the page whose end holds the
    /// footnotes: a reference to one in a card is an error, not a number that leads nowhere.
    fn no_footnotes(&mut self, blocks: &[Block]) {
        let refs: Vec<Range<usize>> = blocks
            .iter()
            .flat_map(|b| Document::descendants(b))
            .flat_map(|b| super::all_inlines(b.inlines()))
            .filter(|i| matches!(i.kind, InlineKind::FootnoteRef(_)))
            .map(|i| i.span.clone())
            .collect();
        for span in refs {
            self.error(
                span,
                "a footnote in a flashcard",
                "a card is printed and studied away from the page, where footnotes are: write the note into the card",
            );
        }
    }

    fn only_blocks(&mut self, parts: Vec<Part>) -> Vec<Block> {
        let mut blocks = Vec::with_capacity(parts.len());
        blocks.extend(parts.into_iter().filter_map(|p| match p {
            Part::Block(b) => Some(b),
            _ => None,
        }));
        blocks
    }

    fn finish(
        mut self,
        unclosed_fence: Option<usize>,
        body: Range<usize>,
    ) -> (Document, Vec<Diagnostic>) {
        // Elements still open (pulldown-cmark closes them all; this is a safety net).
        while !self.frames.is_empty() {
            self.end(TagEnd::Paragraph, 0..0);
        }
        while let Some(open) = self.containers.pop() {
            if open.kind.is_some() {
                let name = open.kind.map_or("", ContainerKind::name);
                let hint = match unclosed_fence {
                    Some(line) => format!("a code fence opened at line {line} is never closed, so everything after it is code"),
                    None => "close it with a line `:::`".to_string(),
                };
                self.error(
                    open.line.clone(),
                    format!("container `{name}` is never closed"),
                    hint,
                );
            }
            let end = self.file.text.len();
            self.close(open, end);
        }
        let mut blocks = Vec::new();
        for part in std::mem::take(&mut self.top) {
            match part {
                Part::Block(b) => blocks.push(b),
                Part::Answer(a) => self.must_be_inside(a.open, "answer"),
                Part::Solution(s) => self.must_be_inside(s.open, "solution"),
                Part::Card(c) => self.must_be_inside(c.open, "card"),
            }
        }
        let mut definitions = std::mem::take(&mut self.definitions);
        definitions.sort_by_key(|r| r.start);
        let mut doc = Document {
            file: Arc::clone(self.file),
            body,
            blocks,
            footnotes: Vec::new(),
            counts: self.counts,
            anchors: Vec::new(),
            links: Vec::new(),
            definitions,
        };
        let mut errors = self.errors;
        let defined = self
            .footnote_order
            .into_iter()
            .filter_map(|label| {
                let blocks = self.footnotes.remove(&label)?;
                Some((label, blocks))
            })
            .collect();
        super::ids::resolve(&mut doc, defined, &mut errors);
        (doc, errors)
    }

    fn must_be_inside(&mut self, open: Range<usize>, name: &str) {
        let parent = match name {
            "answer" => "a `question` or `card`",
            "solution" => "an `exercise`",
            _ => "`flashcards`",
        };
        self.error(
            open,
            format!("`{name}` must be inside {parent}"),
            "check that the container above was not closed too early",
        );
    }
}

fn inline(id: NodeId, span: Range<usize>, kind: InlineKind) -> Node {
    Node::Inline(Inline { id, span, kind })
}

/// The inline nodes of a frame's children.
fn inlines(children: Vec<Node>) -> Vec<Inline> {
    // Room for every child at once: collected from a filter, the list grew by doubling.
    let mut out = Vec::with_capacity(children.len());
    out.extend(children.into_iter().filter_map(|c| match c {
        Node::Inline(i) => Some(i),
        _ => None,
    }));
    out
}

/// Blocks that may follow an answer or worked answer without being text after it: a footnote's
/// definition (page-wide) and a hidden verify block (it shows nothing).
fn trailing_ok(block: &Block) -> bool {
    match &block.kind {
        BlockKind::FootnoteDefinition(_) => true,
        BlockKind::Verify(v) => !v.show,
        _ => false,
    }
}

/// Why `child` may not stand inside `parent`, if it may not.
fn misplaced(parent: ContainerKind, child: ContainerKind) -> Option<String> {
    use ContainerKind::*;
    let allowed = match child {
        Answer => matches!(parent, Question | Card),
        Solution => parent == Exercise,
        Card => parent == Flashcards,
        Figure => parent != Flashcards,
        Question | Exercise | Flashcards => false,
    };
    (!allowed).then(|| {
        let belongs = match child {
            Answer => "a `question` or `card`",
            Solution => "an `exercise`",
            Card => "`flashcards`",
            Figure => "the page, a question, an answer, an exercise or a card, not directly in `flashcards`",
            _ => "the page itself, not inside another container",
        };
        format!(
            "`{}` cannot stand inside `{}`; it belongs in {belongs}",
            child.name(),
            parent.name()
        )
    })
}

/// The end of the line holding `at`.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// Where the first non-blank character of a range is (errors point at text, not blank lines).
fn text_start(text: &str, range: &Range<usize>) -> usize {
    let t = &text[range.clone()];
    range.start + (t.len() - t.trim_start().len())
}

/// The block's code range in the file, when the code as written (less each line's
/// indentation, which the verify language ignores) is exactly the content CommonMark gives
/// it. A blockquote's `>` markers break that, and such a block is not placed.
fn place(text: &str, span: Range<usize>, first_end: usize, content: &str) -> Option<Range<usize>> {
    let block = text[span.clone()].trim_end_matches(['\n', '\r']);
    let code_start = span.start + first_end;
    // The closing fence, if the block has one (a list item may end the block without it).
    let last_start = block.rfind('\n').map_or(0, |i| i + 1);
    let last = block[last_start..].trim();
    let closes = last_start > 0
        && last.len() >= 3
        && (last.chars().all(|c| c == '`') || last.chars().all(|c| c == '~'));
    let code_end = if closes {
        span.start + last_start
    } else {
        span.start + block.len()
    };
    let code = code_start.min(span.start + block.len())..code_end.max(code_start);
    let written = text.get(code.clone())?;
    let same = written
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .eq(content.lines().map(str::trim).filter(|l| !l.is_empty()));
    same.then_some(code)
}

/// True for a URL on another site (pages must not load anything from one).
pub fn is_external(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// Where a link leads, from the page whose file is `from`.
fn link_target(from: &str, dest: &str) -> LinkTarget {
    if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with("//") {
        return LinkTarget::Elsewhere;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    if path.is_empty() {
        return match fragment {
            Some(f) => LinkTarget::Anchor(f),
            None => LinkTarget::Elsewhere,
        };
    }
    if !path.ends_with(".md") {
        return LinkTarget::Elsewhere;
    }
    LinkTarget::Page(resolve(from, path), fragment)
}

/// The course file an image shows, from the page whose file is `from`: a relative path
/// resolved against the page's folder; a root-relative one (`/assets/x.png`) kept with its `/`,
/// for the course to resolve ([`crate::model::find_image`]).
fn image_source(from: &str, dest: &str) -> String {
    let path = dest.split(['#', '?']).next().unwrap_or(dest);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    match decoded.strip_prefix('/') {
        Some(rooted) => format!("/{}", resolve("", rooted)),
        None => resolve(from, &decoded),
    }
}

/// Resolves `link` (relative to the file at `from`) to a course-relative path.
pub fn resolve(from: &str, link: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// MathJax's `\(…\)` and `\[…\]`, and kramdown's doubled `\\(…\\)` and `\\[…\\]`: CommonMark
/// reads `\(` as an escaped `(`, so without this the formula prints as literal LaTeX (issue
/// #12). Each pair in one block, never inside code, HTML or `$` math (those are not text
/// events), becomes one math event whose LaTeX is the source between the delimiters (line
/// prefixes of quotes and list items left out). An inline `\(` never closed is an error.
fn mathjax<'e>(
    src: &str,
    events: Vec<(Event<'e>, Range<usize>)>,
    errors: &mut Vec<Diagnostic>,
    file: &Arc<SourceFile>,
) -> Vec<(Event<'e>, Range<usize>)> {
    // A delimiter: where its backslash(es) start, whether it opens, display or inline, and
    // how many bytes the delimiter takes.
    let delimiter = |event: &Event, span: &Range<usize>| -> Option<(usize, bool, bool, usize)> {
        let Event::Text(text) = event else {
            return None;
        };
        let bytes = src.as_bytes();
        // Where the parenthesis or bracket is in the source: a text event starts at it (after
        // an escape), or at the second backslash of `\\` right before it.
        let at_bracket = |i: usize| matches!(bytes.get(i), Some(b'(' | b')' | b'[' | b']'));
        let bracket = match text.as_bytes() {
            [b'(' | b')' | b'[' | b']', ..] if at_bracket(span.start) => span.start,
            [b'\\', b'(' | b')' | b'[' | b']', ..] if at_bracket(span.start + 1) => span.start + 1,
            _ => return None,
        };
        let backslashes = bytes[..bracket]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        // One backslash (or an odd number: escaped backslashes, then the escape) is MathJax's
        // `\(`; two (an even number) is kramdown's `\\(`.
        let len = match backslashes {
            0 => return None,
            n if n % 2 == 1 => 2,
            _ => 3,
        };
        let c = bytes[bracket];
        Some((
            bracket + 1 - len,
            matches!(c, b'(' | b'['),
            matches!(c, b'[' | b']'),
            len,
        ))
    };
    // Find the pairs: an opening delimiter, then the first closing one of its kind at the same
    // depth before its block ends.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<(usize, usize, bool, usize)> = None;
    let mut depth = 0usize;
    for (i, (event, span)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                if let Some((at, d, display, len)) = open {
                    if depth == d {
                        // The block ended first. A lone kramdown `\\(` is a backslash and a
                        // parenthesis, as CommonMark reads it; a lone `\(` is broken math.
                        if !display && len == 2 {
                            let start = events[at].1.start - 1;
                            errors.push(
                                Diagnostic::at(file, start..start + 2, "`\\(` is never closed: the formula would print as LaTeX")
                                    .with_hint("close inline math with `\\)` in the same paragraph, or write `\\\\(` for a literal backslash"),
                            );
                        }
                        open = None;
                    }
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        let Some((_, opens, display, len)) = delimiter(event, span) else {
            continue;
        };
        match open {
            None if opens => open = Some((i, depth, display, len)),
            Some((at, d, o_display, _)) if !opens && d == depth && o_display == display => {
                pairs.push((at, i));
                open = None;
            }
            _ => {}
        }
    }
    if pairs.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().enumerate().peekable();
    let mut pairs = pairs.into_iter().peekable();
    while let Some((i, (event, span))) = events.next() {
        let Some(&(_, to)) = pairs.peek().filter(|(from, _)| *from == i) else {
            out.push((event, span));
            continue;
        };
        pairs.next();
        let (start, _, display, open_len) =
            delimiter(&event, &span).unwrap_or((span.start, true, false, 2));
        // The `\\` of a kramdown `\\[` is a text event of its own before the bracket's.
        while out.last().is_some_and(|(e, s): &(Event, Range<usize>)| {
            matches!(e, Event::Text(_)) && s.start >= start
        }) {
            out.pop();
        }
        let content_start = start + open_len;
        // The source between the delimiters, without the line prefixes CommonMark removed.
        let mut latex = String::new();
        let mut cursor = content_start;
        let mut closing = None;
        let mut inner = vec![(event, span)];
        for (j, item) in events.by_ref() {
            if j == to {
                closing = Some(item);
                break;
            }
            inner.push(item);
        }
        let Some((close_event, close_span)) = closing else {
            out.extend(inner);
            continue;
        };
        let (close_at, _, _, close_len) =
            delimiter(&close_event, &close_span).unwrap_or((close_span.start, false, display, 2));
        for (k, (e, s)) in inner.iter().enumerate() {
            if matches!(e, Event::SoftBreak | Event::HardBreak) {
                let next = inner.get(k + 1).map_or(close_at, |(_, s)| s.start);
                latex.push_str(&src[cursor..s.end.min(next).max(cursor)]);
                // Skip the next line's prefix (a quote's `>`, a list item's indentation), not
                // an escape's backslash.
                cursor = s.end.max(cursor);
                while cursor < next && matches!(src.as_bytes()[cursor], b' ' | b'\t' | b'>') {
                    cursor += 1;
                }
            }
        }
        latex.push_str(&src[cursor.min(close_at)..close_at]);
        let (latex, latex_start) = if display {
            (latex, content_start)
        } else {
            // A brace group renders like its content, as `${…}$` did before this pass.
            (format!("{{{latex}}}"), content_start - 1)
        };
        let math = if display {
            Event::DisplayMath(latex.into())
        } else {
            Event::InlineMath(latex.into())
        };
        // The math event's span keeps the offset the LaTeX starts at (start + 1 or + 2).
        let math_span = latex_start - if display { 2 } else { 1 }..close_at + close_len;
        // Text the first event held before its delimiter cannot exist (the escape starts a
        // new text event); text after the closing one is kept.
        out.push((math, math_span));
        let Event::Text(close_text) = close_event else {
            continue;
        };
        // What the closing event says after its bracket (it starts at the bracket, or at the
        // backslash before it).
        let skip = (close_at + close_len).saturating_sub(close_span.start);
        let rest = close_text.get(skip.min(close_text.len())..).unwrap_or("");
        if !rest.is_empty() {
            out.push((
                Event::Text(rest.to_string().into()),
                close_at + close_len..close_span.end,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
