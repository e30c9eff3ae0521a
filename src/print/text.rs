//! Card text for print, from the page's document: the blocks of a question or answer as
//! paragraphs of styled spans (regular, bold, italic, code), formulas, links, images and
//! circuit figures. This is the one card model the PDF deck, the practice sheet, the `.apkg`
//! and the `.tsv` all read ([`Para`]); the PDF lays its formulas out ([`lay_out`]) with the
//! same converter as the HTML (math-core's MathML) and [`crate::typeset::layout`]. A shown verify
//! block's steps are the statements verification resolved, and its circuits the figures it
//! laid out, shown or not, as on the page.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use crate::diagnostic::Diagnostic;
use crate::doc::roles::RoleKind;
use crate::doc::{Block, BlockKind, Counts, Inline, InlineKind, LinkTarget, Role};
use crate::source::SourceFile;
use crate::typeset::latex as typeset;
use crate::typeset::layout::{layout_mathml, MathBox};
use crate::typeset::mathml::to_mathml;
use crate::verify::circuit::Figure;
use crate::verify::{PageVerification, RoleValue};

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Style {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Oblique.
    Italic,
    /// DejaVu Sans Mono, for code.
    Mono,
}

/// A formula of card text, with where it is written (for the error when print cannot draw
/// it).
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The LaTeX.
    pub latex: String,
    /// On a line of its own (`$$…$$`, a verified step), set centred.
    pub display: bool,
    /// The file and span an error points at, and its hint.
    pub origin: Origin,
}

/// Where a formula of card text comes from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file (the page's, or a variant's).
    pub file: Arc<SourceFile>,
    /// Where in it.
    pub span: Range<usize>,
    /// What to do when print cannot draw it.
    pub hint: &'static str,
}

impl PartialEq for Origin {
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.file.path == other.file.path
    }
}

/// What a span of card text is.
#[derive(Debug, Clone, PartialEq)]
pub enum SpanKind {
    /// Text in its style.
    Text,
    /// A formula.
    Math(Arc<Formula>),
    /// A circuit figure (a paragraph of its own).
    Figure(Arc<Figure>),
    /// A link's text, and the address on another site it leads to.
    Link(String),
    /// An image: the course file it shows; the span's text is its alt text.
    Image(String),
}

/// A piece of card text.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The style.
    pub style: Style,
    /// The text (a formula's is empty: its glyphs are known once it is laid out).
    pub text: String,
    /// What it is.
    pub kind: SpanKind,
}

/// A paragraph of card text.
pub type Para = Vec<Span>;

/// A typeset formula in a laid-out run.
#[derive(Debug, Clone, PartialEq)]
pub struct MathRun {
    /// The laid-out formula, in em.
    pub boxed: MathBox,
    /// A formula on its own line (`$$…$$`, a verified step), set centred.
    pub display: bool,
    /// The LaTeX it was made from.
    pub latex: String,
}

/// A laid-out piece of text in one style, or one formula: what the PDF draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The style.
    pub style: Style,
    /// The text; for a formula, the text its glyphs stand for (what a PDF reader extracts).
    pub text: String,
    /// The formula, when the run is one.
    pub math: Option<Arc<MathRun>>,
    /// The circuit figure, when the run is one (a paragraph of its own).
    pub figure: Option<Arc<Figure>>,
}

impl Run {
    /// A run of plain text.
    pub fn text(style: Style, text: impl Into<String>) -> Run {
        Run {
            style,
            text: text.into(),
            math: None,
            figure: None,
        }
    }

    /// A circuit figure; its text (for bookmarks and the deck's /ID) names the call and every
    /// wire's labels.
    pub fn figure(figure: Arc<Figure>) -> Run {
        let wires: Vec<String> = figure
            .nodes
            .iter()
            .map(|n| format!("{} {} {}", n.gate, n.value, n.grad))
            .collect();
        Run {
            style: Style::Regular,
            text: format!("Circuit of {}: {}", figure.call, wires.join("; ")),
            math: None,
            figure: Some(figure),
        }
    }
}

/// A laid-out paragraph: runs set one after the other, wrapped as one block.
pub type Paragraph = Vec<Run>;

/// Where card text comes from: a page's (or a variant's) file and what verifying it produced.
pub struct Source<'a> {
    /// The file.
    pub file: &'a Arc<SourceFile>,
    /// Its verification (shown blocks' steps, roles' values).
    pub verification: &'a PageVerification,
    /// What `{count}` counts on the page.
    pub counts: Counts,
}

/// The paragraphs of some blocks of a page.
pub fn paragraphs(source: &Source, blocks: &[Block]) -> Vec<Para> {
    let mut writer = Writer {
        source,
        out: Vec::new(),
        current: Vec::new(),
        lists: Vec::new(),
    };
    writer.blocks(blocks);
    writer.flush();
    writer.out
}

/// The paragraphs of a title line (an exercise's), in `style`.
pub fn title(source: &Source, inlines: &[Inline], style: Style) -> Para {
    let mut writer = Writer {
        source,
        out: Vec::new(),
        current: Vec::new(),
        lists: Vec::new(),
    };
    writer.inlines(inlines, style);
    writer.flush();
    writer.out.into_iter().flatten().collect()
}

struct Writer<'s, 'a> {
    source: &'s Source<'a>,
    out: Vec<Para>,
    current: Para,
    /// Open lists: each one's next number (`None` for a bulleted list).
    lists: Vec<Option<u64>>,
}

impl Writer<'_, '_> {
    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.out.push(std::mem::take(&mut self.current));
        }
    }

    fn push(&mut self, style: Style, text: &str) {
        match self.current.last_mut() {
            Some(last) if last.style == style && last.kind == SpanKind::Text => {
                last.text.push_str(text)
            }
            _ => self.current.push(Span {
                style,
                text: text.to_string(),
                kind: SpanKind::Text,
            }),
        }
    }

    fn formula(&mut self, latex: String, display: bool, span: Range<usize>, hint: &'static str) {
        let formula = Arc::new(Formula {
            latex,
            display,
            origin: Origin {
                file: Arc::clone(self.source.file),
                span,
                hint,
            },
        });
        let span = Span {
            style: Style::Regular,
            text: String::new(),
            kind: SpanKind::Math(formula),
        };
        if display {
            // A display formula is a paragraph of its own, centred.
            self.flush();
            self.out.push(vec![span]);
        } else {
            self.current.push(span);
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match &block.kind {
            BlockKind::Paragraph(inlines) | BlockKind::Plain(inlines) => {
                self.inlines(inlines, Style::Regular);
                if matches!(block.kind, BlockKind::Paragraph(_)) {
                    self.flush();
                }
            }
            BlockKind::Heading(h) => {
                self.inlines(&h.inlines, Style::Regular);
                self.flush();
            }
            BlockKind::BlockQuote(_, blocks) => self.blocks(blocks),
            BlockKind::List(start, items) => {
                self.flush();
                self.lists.push(*start);
                for item in items {
                    self.block(item);
                }
                self.lists.pop();
            }
            BlockKind::Item(blocks) => {
                // Each item starts its own line, indented by its depth (no-break spaces, which
                // the line breaker keeps), with its bullet or number.
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_string(),
                };
                self.push(
                    Style::Regular,
                    &format!("{}{marker}", "\u{a0}\u{a0}".repeat(depth)),
                );
                self.blocks(blocks);
                self.flush();
            }
            BlockKind::Code(code) => {
                // Code keeps its lines and indentation, in the monospace face.
                self.flush();
                for line in code.code.lines() {
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    let text = format!("{}{}", "\u{a0}".repeat(indent), &line[indent..]);
                    let text = if text.is_empty() {
                        "\u{a0}".to_string()
                    } else {
                        text
                    };
                    self.out.push(vec![Span {
                        style: Style::Mono,
                        text,
                        kind: SpanKind::Text,
                    }]);
                }
            }
            BlockKind::Table(t) => {
                // One line per row, cells side by side.
                self.flush();
                for row in std::iter::once(&t.head).chain(&t.rows) {
                    for (i, cell) in row.iter().enumerate() {
                        if i > 0 {
                            self.push(Style::Regular, " | ");
                        }
                        self.inlines(cell, Style::Regular);
                    }
                    self.flush();
                }
            }
            BlockKind::Verify(_) => {
                self.flush();
                self.verified(block);
            }
            BlockKind::Question(q) => {
                self.blocks(&q.prompt);
                self.blocks(&q.answer.blocks);
            }
            BlockKind::Exercise(e) => {
                self.blocks(&e.statement);
                if let Some(s) = &e.solution {
                    self.blocks(&s.blocks);
                }
            }
            BlockKind::Flashcards(cards) => {
                for card in cards {
                    self.blocks(&card.question);
                    self.blocks(&card.answer.blocks);
                }
            }
            BlockKind::Figure(f) => {
                self.blocks(&f.blocks);
                if let Some(caption) = &f.caption {
                    self.flush();
                    self.inlines(&caption.inlines, Style::Italic);
                    self.flush();
                }
            }
            BlockKind::Html(_) | BlockKind::Rule | BlockKind::FootnoteDefinition(_) => {}
        }
    }

    /// A shown verify block's steps, one display formula each, as the page typesets them;
    /// then the block's circuit figures, each a paragraph of its own (drawn whether or not the
    /// block is shown, as on the page).
    fn verified(&mut self, block: &Block) {
        let BlockKind::Verify(v) = &block.kind else {
            return;
        };
        let Some(checked) = self.source.verification.blocks.get(&block.id) else {
            return;
        };
        for stmt in &checked.shown {
            self.formula(
                typeset::statement(stmt),
                true,
                v.fence.clone(),
                "this verified step cannot be printed on a flashcard",
            );
        }
        for drawn in &checked.figures {
            self.out.push(vec![Span {
                style: Style::Regular,
                text: String::new(),
                kind: SpanKind::Figure(Arc::clone(&drawn.figure)),
            }]);
        }
    }

    fn inlines(&mut self, inlines: &[Inline], style: Style) {
        for inline in inlines {
            self.inline(inline, style);
        }
    }

    fn inline(&mut self, inline: &Inline, style: Style) {
        match &inline.kind {
            InlineKind::Text(t) => self.push(style, t),
            InlineKind::Code(c) => self.push(Style::Mono, c),
            // Bold wins over italic.
            InlineKind::Emphasis(c) => {
                let inner = if style == Style::Bold {
                    Style::Bold
                } else {
                    Style::Italic
                };
                self.inlines(c, inner)
            }
            InlineKind::Strong(c) => self.inlines(c, Style::Bold),
            InlineKind::Strikethrough(c) => self.inlines(c, style),
            InlineKind::Link(l) => {
                // A link to another site keeps where it leads; a link within the course means
                // nothing on a card studied on its own, and keeps its text.
                let web = l.target == LinkTarget::Elsewhere
                    && (l.dest.starts_with("https://") || l.dest.starts_with("http://"));
                let href = web.then(|| l.dest.clone());
                match href {
                    Some(href) => {
                        let mut inner = Writer {
                            source: self.source,
                            out: Vec::new(),
                            current: Vec::new(),
                            lists: Vec::new(),
                        };
                        inner.inlines(&l.children, style);
                        inner.flush();
                        let text: String = inner
                            .out
                            .iter()
                            .flatten()
                            .map(|s| s.text.as_str())
                            .collect();
                        self.current.push(Span {
                            style,
                            text,
                            kind: SpanKind::Link(href),
                        });
                    }
                    None => self.inlines(&l.children, style),
                }
            }
            InlineKind::Image(image) => {
                let alt = crate::doc::text::plain(&image.alt, self.source.counts);
                self.current.push(Span {
                    style,
                    text: alt,
                    kind: SpanKind::Image(image.source.clone()),
                });
            }
            InlineKind::Math(m) => self.formula(
                m.latex.clone(),
                m.display,
                inline.span.clone(),
                "the flashcard PDF cannot print this formula; the page can",
            ),
            InlineKind::Role(role) => self.role(inline, role),
            InlineKind::SoftBreak | InlineKind::HardBreak => self.push(style, " "),
            InlineKind::FootnoteRef(f) => self.push(style, &format!("[{}]", f.number)),
            InlineKind::Html(_) => {}
        }
    }

    /// An inline role as print sets it, as the page does: `{eval}` and `{verify}` typeset from
    /// the page's verification, `{label}` as written, `{count}` in words.
    fn role(&mut self, inline: &Inline, role: &Role) {
        match &role.kind {
            RoleKind::Eval { .. } | RoleKind::Verify(_) => {
                let latex = match self.source.verification.roles.get(&inline.id) {
                    Some(RoleValue::Value(v, format)) => typeset::formatted(v, *format),
                    Some(RoleValue::Statement(s)) => typeset::statement(s),
                    // Verification reported why there is no value.
                    None => return,
                };
                self.formula(
                    latex,
                    false,
                    role.arg_span.clone(),
                    "the PDF cannot print this value; the page can",
                );
            }
            RoleKind::Count(style, what) => {
                let text = Role::count_text(*style, *what, self.source.counts);
                self.push(Style::Regular, &text);
            }
            RoleKind::Label => self.push(Style::Regular, &role.arg),
        }
    }
}

/// A formula laid out for print, or why it cannot be. Each formula is laid out once per
/// process: decks repeat their notation card after card, and the course deck repeats every
/// page deck.
fn laid_out(latex: &str, display: bool) -> Result<MathBox, String> {
    type Cache = Mutex<HashMap<(String, bool), Result<MathBox, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (latex.to_string(), display);
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return hit.clone();
    }
    let boxed = to_mathml(latex, display)
        .map_err(|(message, _)| message)
        .and_then(|mathml| layout_mathml(&mathml));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    // A bound on what one process remembers; a course repeats far fewer formulas.
    if cache.len() > 20_000 {
        cache.clear();
    }
    cache.insert(key, boxed.clone());
    boxed
}

/// Card text laid out for the PDF: formulas typeset, links and images as their text; or every
/// formula print cannot draw, located.
pub fn lay_out(paras: &[Para]) -> Result<Vec<Paragraph>, Vec<Diagnostic>> {
    let mut out = Vec::with_capacity(paras.len());
    let mut errors = Vec::new();
    for para in paras {
        let mut runs: Paragraph = Vec::with_capacity(para.len());
        for span in para {
            // Paper cannot follow a link: a link to another site prints its address after
            // its text (once, when the text is the address).
            let text = match &span.kind {
                SpanKind::Link(href) if span.text.trim() != href => {
                    format!("{} ({href})", span.text)
                }
                _ => span.text.clone(),
            };
            let run = match &span.kind {
                SpanKind::Text | SpanKind::Link(_) | SpanKind::Image(_) => match runs.last_mut() {
                    Some(last)
                        if last.style == span.style
                            && last.math.is_none()
                            && last.figure.is_none() =>
                    {
                        last.text.push_str(&text);
                        continue;
                    }
                    _ => Run::text(span.style, text),
                },
                SpanKind::Figure(f) => Run::figure(Arc::clone(f)),
                SpanKind::Math(f) => match laid_out(&f.latex, f.display) {
                    Ok(boxed) => Run {
                        style: Style::Regular,
                        text: boxed.text(),
                        math: Some(Arc::new(MathRun {
                            boxed,
                            display: f.display,
                            latex: f.latex.clone(),
                        })),
                        figure: None,
                    },
                    Err(message) => {
                        errors.push(
                            Diagnostic::at(&f.origin.file, f.origin.span.clone(), message)
                                .with_hint(f.origin.hint),
                        );
                        continue;
                    }
                },
            };
            runs.push(run);
        }
        if !runs.is_empty() {
            out.push(runs);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The words of card text as a reader extracts them: text, formulas' LaTeX, images' alt text.
pub fn plain_text(paras: &[Para]) -> String {
    paras
        .iter()
        .map(|p| {
            p.iter()
                .map(|s| match &s.kind {
                    SpanKind::Math(f) => f.latex.as_str(),
                    _ => s.text.as_str(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<Para> {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        let (doc, errors) = crate::doc::parse(&file, 0..text.len());
        assert!(errors.is_empty(), "{errors:?}");
        let verification = PageVerification::default();
        let source = Source {
            file: &file,
            verification: &verification,
            counts: doc.counts,
        };
        paragraphs(&source, &doc.blocks)
    }

    fn laid(text: &str) -> Vec<Paragraph> {
        lay_out(&paras(text)).expect("lays out")
    }

    #[test]
    fn math_is_typeset_not_spelt_out() {
        let out =
            laid("Predict $\\hat{y} = \\frac{1}{2}$ now.\n\n$$\\vec{v} \\in \\mathbb{R}^n$$\n");
        assert_eq!(out.len(), 2, "{out:?}");
        let inline = out[0].iter().find(|r| r.math.is_some()).expect("a formula");
        assert!(!inline.math.as_ref().unwrap().display);
        assert!(!inline.text.contains("hat"), "{}", inline.text);
        let display = &out[1][0];
        assert!(display.math.as_ref().unwrap().display);
        assert!(display.text.contains('ℝ'), "{}", display.text);
    }

    #[test]
    fn lists_and_code_blocks_keep_their_lines() {
        let out = laid("- one\n  - nested\n- two\n\n1. first\n2. second\n\n```python\ndef f(x):\n    return x\n```\n");
        let lines: Vec<String> = out
            .iter()
            .map(|p| p.iter().map(|r| r.text.as_str()).collect())
            .collect();
        let nbsp = '\u{a0}';
        assert_eq!(
            lines,
            [
                "• one".to_string(),
                format!("{nbsp}{nbsp}• nested"),
                "• two".into(),
                "1. first".into(),
                "2. second".into(),
                "def f(x):".into(),
                format!("{}return x", nbsp.to_string().repeat(4))
            ]
        );
        assert!(out[5].iter().all(|r| r.style == Style::Mono));
    }

    #[test]
    fn roles_print_their_value_not_their_markup() {
        let out = laid("Start with {label}`1`, {Count}`cards` cards and `code`.");
        let text: String = out[0].iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "Start with 1, Zero cards and code.");
        assert!(out[0]
            .iter()
            .any(|r| r.style == Style::Mono && r.text == "code"));
    }

    #[test]
    fn emphasis_and_code_become_styled_runs() {
        let out = laid("Plain **bold** *it* `code`.\n\nSecond.");
        assert_eq!(out.len(), 2);
        let styles: Vec<Style> = out[0].iter().map(|r| r.style).collect();
        assert_eq!(
            styles,
            [
                Style::Regular,
                Style::Bold,
                Style::Regular,
                Style::Italic,
                Style::Regular,
                Style::Mono,
                Style::Regular
            ]
        );
    }

    #[test]
    fn links_keep_where_they_lead() {
        let p = paras("See [the docs](https://example.org/x) and [here](#a).");
        let links: Vec<&SpanKind> = p[0]
            .iter()
            .map(|s| &s.kind)
            .filter(|k| matches!(k, SpanKind::Link(_)))
            .collect();
        assert_eq!(links, [&SpanKind::Link("https://example.org/x".into())]);
        assert_eq!(plain_text(&p), "See the docs and here.");
        // On paper the address follows the link's text.
        let printed: String = lay_out(&p).expect("lays out")[0]
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(printed, "See the docs (https://example.org/x) and here.");
    }
}
