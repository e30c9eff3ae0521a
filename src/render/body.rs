//! A page's document to HTML. The tree is walked once: CommonMark's blocks and inlines go back
//! to pulldown-cmark events for its HTML writer, with what coursegen adds written in their
//! place (heading ids and anchors, MathML, highlighted code, figures, verified steps, role
//! values); containers become `<details>`-based questions, exercises and flashcards. The walk
//! also collects the table of contents and the search index's sections ([`super::search`]).

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Tag, TagEnd};
use serde::Serialize;

use super::circuit;
use super::math::to_mathml;
use super::search::Sections;
use super::Targets;
use crate::diagnostic::Diagnostic;
use crate::doc::ids::footnote_id;
use crate::doc::roles::RoleKind;
use crate::doc::text::plain;
use crate::doc::{
    Block, BlockKind, Card, CodeBlock, Counts, Exercise, Inline, InlineKind, LinkTarget,
};
use crate::model::{media_url, Page};
use crate::source::SourceFile;
use crate::verify::variants::Variant;
use crate::verify::{typeset, PageVerification, RoleValue};

/// One entry of a page's table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's id.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A rendered page body.
#[derive(Debug, Default)]
pub struct BodyHtml {
    /// The HTML.
    pub html: String,
    /// Headings of level 2 and 3.
    pub toc: Vec<TocEntry>,
    /// Every id an `#anchor` may point at: the page's own, and each exercise set's.
    pub anchors: Vec<String>,
    /// The page's sections as the search index holds them.
    pub sections: Vec<super::search::Record>,
}

struct Ctx<'a> {
    page: &'a Page,
    /// The file spans point into: the page's, or a variant's.
    file: &'a Arc<SourceFile>,
    verification: &'a PageVerification,
    targets: &'a Targets<'a>,
    counts: Counts,
    toc: Vec<TocEntry>,
    anchors: Vec<String>,
    errors: Vec<Diagnostic>,
    search: Sections,
    /// `v2-` … while a variant's set is rendered: its figures' ids differ from the author's.
    id_prefix: String,
}

/// Renders the body of `page`, verified as `verification`.
pub fn render_body(
    page: &Page,
    verification: &PageVerification,
    targets: &Targets,
) -> Result<BodyHtml, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        page,
        file: &page.file,
        verification,
        targets,
        counts: page.counts(),
        toc: Vec::new(),
        anchors: page.doc.anchors.clone(),
        errors: Vec::new(),
        search: Sections::default(),
        id_prefix: String::new(),
    };
    // The page's one-line description opens its first section, as the page shows it.
    ctx.search.inline_text(&page.meta.description);
    ctx.search.end_block();
    let mut html = String::new();
    ctx.blocks(&page.doc.blocks, &mut html);
    html.push_str(&ctx.footnotes());
    if ctx.errors.is_empty() {
        Ok(BodyHtml {
            html,
            toc: ctx.toc,
            anchors: ctx.anchors,
            sections: ctx.search.finish(),
        })
    } else {
        Err(ctx.errors)
    }
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Blocks CommonMark itself has (rendered through its HTML writer), as opposed to the author
/// syntax's containers and top-level verified steps.
fn is_markdown(block: &Block) -> bool {
    !matches!(
        block.kind,
        BlockKind::Question(_)
            | BlockKind::Exercise(_)
            | BlockKind::Flashcards(_)
            | BlockKind::Figure(_)
            | BlockKind::Verify(_)
    )
}

impl<'a> Ctx<'a> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file, span, message)
    }

    fn blocks(&mut self, blocks: &'a [Block], html: &mut String) {
        let mut in_questions = false;
        let mut run: Vec<&'a Block> = Vec::new();
        for block in blocks {
            let is_question = matches!(block.kind, BlockKind::Question(_));
            if in_questions && !is_question {
                html.push_str("</ol>\n");
                in_questions = false;
            }
            if is_markdown(block) {
                run.push(block);
                continue;
            }
            self.markdown(&std::mem::take(&mut run), html);
            if is_question && !in_questions {
                html.push_str("<ol class=\"questions\">\n");
                in_questions = true;
            }
            self.container(block, html);
        }
        self.markdown(&run, html);
        if in_questions {
            html.push_str("</ol>\n");
        }
    }

    /// CommonMark blocks through pulldown-cmark's writer, with coursegen's parts in place.
    fn markdown(&mut self, blocks: &[&'a Block], html: &mut String) {
        if blocks.is_empty() {
            return;
        }
        let mut events = Vec::new();
        for block in blocks {
            self.block_events(block, &mut events);
        }
        let mut piece = String::new();
        html::push_html(&mut piece, events.into_iter());
        // A code block wider than the column scrolls; keyboard users must be able to scroll
        // it too, so it takes focus (axe: scrollable-region-focusable).
        html.push_str(&piece.replace("<pre>", "<pre tabindex=\"0\">"));
    }

    fn block_events(&mut self, block: &'a Block, out: &mut Vec<Event<'a>>) {
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                if let Some(figure) = self.lone_figure(inlines) {
                    out.push(Event::Html(figure.into()));
                    return;
                }
                out.push(Event::Start(Tag::Paragraph));
                self.inline_events(inlines, out);
                out.push(Event::End(TagEnd::Paragraph));
                self.search.end_block();
            }
            BlockKind::Plain(inlines) => {
                self.inline_events(inlines, out);
                self.search.end_block();
            }
            BlockKind::Heading(h) => {
                let title = plain(&h.inlines, self.counts);
                if h.level == 2 || h.level == 3 {
                    self.toc.push(TocEntry {
                        level: h.level,
                        id: h.anchor.clone(),
                        title: title.clone(),
                    });
                }
                // A section starts at a heading of level 2 to 4; the page's title is not part
                // of what its sections say (each result names its page already).
                let searched = (2..=4).contains(&h.level);
                let paused = (h.level == 1).then(|| self.search.pause());
                if searched {
                    self.search.start_heading(&h.anchor);
                }
                let mut inner = Vec::new();
                self.inline_events(&h.inlines, &mut inner);
                if searched {
                    self.search.end_heading();
                }
                if let Some(before) = paused {
                    self.search.resume(before);
                }
                let mut inner_html = String::new();
                html::push_html(&mut inner_html, inner.into_iter());
                out.push(Event::Html(
                    heading_html(h.level, &h.anchor, &inner_html, &title).into(),
                ));
            }
            BlockKind::BlockQuote(kind, blocks) => {
                out.push(Event::Start(Tag::BlockQuote(*kind)));
                for b in blocks {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::BlockQuote(*kind)));
            }
            BlockKind::List(start, items) => {
                out.push(Event::Start(Tag::List(*start)));
                for b in items {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::List(start.is_some())));
            }
            BlockKind::Item(blocks) => {
                out.push(Event::Start(Tag::Item));
                for b in blocks {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::Item));
            }
            BlockKind::Code(code) => self.code_block(code, out),
            BlockKind::Html(raw) => {
                out.push(Event::Start(Tag::HtmlBlock));
                out.push(Event::Html(raw.as_str().into()));
                out.push(Event::End(TagEnd::HtmlBlock));
            }
            BlockKind::Rule => out.push(Event::Rule),
            BlockKind::Table(t) => {
                out.push(Event::Start(Tag::Table(t.alignments.clone())));
                out.push(Event::Start(Tag::TableHead));
                for cell in &t.head {
                    out.push(Event::Start(Tag::TableCell));
                    self.inline_events(cell, out);
                    out.push(Event::End(TagEnd::TableCell));
                }
                out.push(Event::End(TagEnd::TableHead));
                for row in &t.rows {
                    out.push(Event::Start(Tag::TableRow));
                    for cell in row {
                        out.push(Event::Start(Tag::TableCell));
                        self.inline_events(cell, out);
                        out.push(Event::End(TagEnd::TableCell));
                    }
                    out.push(Event::End(TagEnd::TableRow));
                }
                out.push(Event::End(TagEnd::Table));
                self.search.end_block();
            }
            // The note is shown at the end of the page.
            BlockKind::FootnoteDefinition(_) => {}
            // A verify block in a list item: its steps are typeset where its fence stands.
            BlockKind::Verify(_) => {
                let mut typeset = String::new();
                self.verified(block, &mut typeset);
                out.push(Event::Html(typeset.into()));
            }
            BlockKind::Question(_)
            | BlockKind::Exercise(_)
            | BlockKind::Flashcards(_)
            | BlockKind::Figure(_) => {
                let mut html = String::new();
                self.container(block, &mut html);
                out.push(Event::Html(html.into()));
            }
        }
    }

    /// A fenced code block with a language: highlighted when the language is known, always
    /// with the `language-…` class CommonMark renderers give it.
    fn code_block(&mut self, code: &'a CodeBlock, out: &mut Vec<Event<'a>>) {
        self.search.text(&code.code);
        self.search.end_block();
        match (&code.info, code.language()) {
            (Some(_), Some(lang)) => {
                let body = super::highlight::highlight(lang, &code.code)
                    .unwrap_or_else(|| escape(&code.code));
                let mut class = String::new();
                pulldown_cmark_escape::escape_html(&mut class, lang).expect("writing to a String");
                out.push(Event::Html(
                    format!("<pre><code class=\"language-{class}\">{body}</code></pre>\n").into(),
                ));
            }
            (info, _) => {
                let kind = match info {
                    Some(info) => CodeBlockKind::Fenced(info.as_str().into()),
                    None => CodeBlockKind::Indented,
                };
                out.push(Event::Start(Tag::CodeBlock(kind)));
                if !code.code.is_empty() {
                    out.push(Event::Text(code.code.as_str().into()));
                }
                out.push(Event::End(TagEnd::CodeBlock));
            }
        }
    }

    /// A paragraph holding only a captioned image is a `<figure>` (a figure may not stand
    /// inside a paragraph).
    fn lone_figure(&mut self, inlines: &'a [Inline]) -> Option<String> {
        let [inline] = inlines else { return None };
        let InlineKind::Image(image) = &inline.kind else {
            return None;
        };
        let caption = image.title.trim();
        if caption.is_empty() {
            return None;
        }
        let tag = self.image(inline);
        self.search.text(caption);
        self.search.end_block();
        Some(format!(
            "<figure>\n{tag}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(caption)
        ))
    }

    fn inline_events(&mut self, inlines: &'a [Inline], out: &mut Vec<Event<'a>>) {
        for inline in inlines {
            self.inline_event(inline, out);
        }
    }

    fn inline_event(&mut self, inline: &'a Inline, out: &mut Vec<Event<'a>>) {
        match &inline.kind {
            InlineKind::Text(t) => {
                self.search.inline_text(t);
                out.push(Event::Text(t.as_str().into()));
            }
            InlineKind::Code(c) => {
                self.search.inline_text(c);
                out.push(Event::Code(c.as_str().into()));
            }
            InlineKind::Emphasis(c) => {
                out.push(Event::Start(Tag::Emphasis));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Emphasis));
            }
            InlineKind::Strong(c) => {
                out.push(Event::Start(Tag::Strong));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Strong));
            }
            InlineKind::Strikethrough(c) => {
                out.push(Event::Start(Tag::Strikethrough));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Strikethrough));
            }
            InlineKind::Link(l) => {
                let dest = self.href(&l.target, &l.dest);
                out.push(Event::Start(Tag::Link {
                    link_type: l.link_type,
                    dest_url: dest,
                    title: l.title.as_str().into(),
                    id: l.label.as_str().into(),
                }));
                self.inline_events(&l.children, out);
                out.push(Event::End(TagEnd::Link));
            }
            InlineKind::Image(_) => {
                let tag = self.image(inline);
                out.push(Event::InlineHtml(tag.into()));
            }
            InlineKind::Math(m) => {
                let mut html = String::new();
                self.math_at(&m.latex, m.display, m.start, inline.span.clone(), &mut html);
                out.push(Event::InlineHtml(html.into()));
            }
            InlineKind::Role(role) => match &role.kind {
                RoleKind::Label => {
                    self.search.inline_text(&role.arg);
                    out.push(Event::Text(role.arg.as_str().into()));
                }
                RoleKind::Count(style, what) => {
                    let text = crate::doc::Role::count_text(*style, *what, self.counts);
                    self.search.inline_text(&text);
                    out.push(Event::Text(text.into()));
                }
                RoleKind::Eval { .. } | RoleKind::Verify(_) => {
                    let latex = match self.verification.roles.get(&inline.id) {
                        Some(RoleValue::Value(v, format)) => typeset::formatted(v, *format),
                        Some(RoleValue::Statement(s)) => typeset::statement(s),
                        // Verification reported why there is no value.
                        None => return,
                    };
                    let mut html = String::new();
                    self.math(&latex, false, role.arg_span.clone(), &mut html);
                    out.push(Event::InlineHtml(html.into()));
                }
            },
            InlineKind::Html(raw) => out.push(Event::InlineHtml(raw.as_str().into())),
            InlineKind::SoftBreak => {
                self.search.inline_text(" ");
                out.push(Event::SoftBreak)
            }
            InlineKind::HardBreak => {
                self.search.inline_text(" ");
                out.push(Event::HardBreak)
            }
            InlineKind::FootnoteRef(f) => {
                self.search.inline_text(&f.number.to_string());
                out.push(Event::InlineHtml(
                    format!(
                        "<sup class=\"footnote-ref\"><a href=\"#{}\" id=\"{}\">{}</a></sup>",
                        footnote_id(f.number),
                        f.id,
                        f.number
                    )
                    .into(),
                ));
            }
        }
    }

    /// Where a link goes in the site: a link to a page's Markdown file becomes the page's URL.
    fn href(&self, target: &LinkTarget, dest: &'a str) -> CowStr<'a> {
        let LinkTarget::Page(path, fragment) = target else {
            return dest.into();
        };
        let Some(url) = self.targets.urls.get(path) else {
            return dest.into();
        };
        let href = format!("{}{url}", "../".repeat(self.page.depth()));
        match fragment {
            Some(f) => format!("{href}#{f}").into(),
            None => href.into(),
        }
    }

    /// An image's `<img>`. Width and height let the browser reserve the space before the file
    /// arrives; CSS scales the image down to the column. A missing file is an error here, like
    /// a broken link.
    fn image(&mut self, inline: &'a Inline) -> String {
        let InlineKind::Image(image) = &inline.kind else {
            return String::new();
        };
        let source = &image.source;
        let file = self.targets.media.get(source);
        if file.is_none() {
            // Suggest a file of the same folder with a similar name: a typo or a wrong extension.
            let (folder, name) = source.rsplit_once('/').unwrap_or(("", source));
            let siblings: Vec<&str> = self
                .targets
                .media
                .keys()
                .filter_map(|k| {
                    k.rsplit_once('/')
                        .filter(|(f, _)| *f == folder)
                        .map(|(_, n)| n)
                })
                .collect();
            let hint = match crate::diagnostic::nearest(name, &siblings) {
                Some(best) => format!("did you mean `{best}`, in the same folder?"),
                None => format!(
                    "image paths are relative to the page's file, so this one is looked for in {folder}/"
                ),
            };
            let d = self
                .error(inline.span.clone(), format!("image not found: {source}"))
                .with_hint(hint);
            self.errors.push(d);
        }
        let src = format!("{}{}", "../".repeat(self.page.depth()), media_url(source));
        let mut escaped = String::new();
        pulldown_cmark_escape::escape_href(&mut escaped, &src).expect("writing to a String");
        let size = file
            .and_then(|f| f.size)
            .map_or_else(String::new, |(w, h)| {
                format!(" width=\"{w}\" height=\"{h}\"")
            });
        format!(
            "<img src=\"{escaped}\" alt=\"{}\"{size} loading=\"lazy\" decoding=\"async\">",
            escape(&plain(&image.alt, self.counts))
        )
    }

    fn math(&mut self, latex: &str, display: bool, span: Range<usize>, html: &mut String) {
        match to_mathml(latex, display) {
            Ok(m) => {
                self.search.math(&m);
                html.push_str(&m)
            }
            Err((message, _)) => {
                let d = self.error(span, message);
                self.errors.push(d);
            }
        }
    }

    /// Math written in the page at byte `start`: an error points into the LaTeX itself when
    /// the converter says where (falling back to the whole `span`).
    fn math_at(
        &mut self,
        latex: &str,
        display: bool,
        start: usize,
        span: Range<usize>,
        html: &mut String,
    ) {
        match to_mathml(latex, display) {
            Ok(m) => {
                self.search.math(&m);
                html.push_str(&m)
            }
            Err((message, at)) => {
                let located = start + at.start..(start + at.end).max(start + at.start + 1);
                let located = if located.end <= span.end {
                    located
                } else {
                    span
                };
                let d = self.error(located, message);
                self.errors.push(d);
            }
        }
    }

    /// A verify block's typeset steps (nothing for a hidden one), then its circuit figures.
    fn verified(&mut self, block: &Block, html: &mut String) {
        let BlockKind::Verify(v) = &block.kind else {
            return;
        };
        let Some(checked) = self.verification.blocks.get(&block.id) else {
            return;
        };
        if !checked.shown.is_empty() {
            html.push_str("<div class=\"verified\" role=\"group\" aria-label=\"Worked steps, checked when the site was built\">\n");
            for stmt in &checked.shown {
                let line = typeset::statement(stmt);
                let broken = typeset::aligned(stmt);
                self.chain(&line, broken.as_deref(), v.fence.clone(), html);
            }
            html.push_str("</div>\n");
            self.search.end_block();
        }
        for drawn in &checked.figures {
            let id = format!("{}circuit-{}", self.id_prefix, drawn.at);
            html.push_str(&circuit::html(&drawn.figure, &id));
            // What the figure says: its call and every wire's value and gradient.
            let figure = &drawn.figure;
            self.search.text(&format!("Circuit of {}", figure.call));
            for node in &figure.nodes {
                self.search
                    .text(&format!("{} {} {}", node.gate, node.value, node.grad));
            }
        }
    }

    /// One shown line. A chain wider than the narrowest column it may meet is written twice,
    /// on one line and broken at its relations; the stylesheet shows the one-line form only
    /// while its column is wide enough (a container query per width class), so nothing is
    /// clipped at any width and no script is needed. Each form scrolls if it still overflows.
    fn chain(&mut self, line: &str, broken: Option<&str>, span: Range<usize>, html: &mut String) {
        let mut one = String::new();
        self.math(line, true, span.clone(), &mut one);
        let fit = fit_class(super::width::estimate(&one));
        match (broken, fit) {
            (Some(broken), Some(fit)) => {
                let mut rows = String::new();
                // The broken form says the same again: the index has it once.
                let before = self.search.pause();
                self.math(broken, true, span, &mut rows);
                self.search.resume(before);
                html.push_str(&format!(
                    "<div class=\"chain {fit}\"><div class=\"chain-line\">{one}</div><div class=\"chain-aligned\">{rows}</div></div>\n"
                ));
            }
            _ => html.push_str(&one),
        }
    }

    fn container(&mut self, block: &'a Block, html: &mut String) {
        match &block.kind {
            BlockKind::Question(q) => {
                let id = format!("question-{}", q.number);
                html.push_str(&format!("<li class=\"question\" id=\"{id}\">\n"));
                let mut prompt = String::new();
                self.blocks(&q.prompt, &mut prompt);
                // "Show answer" is chrome, not content.
                let mut answer = String::new();
                self.blocks(&q.answer.blocks, &mut answer);
                html.push_str(&format!(
                    "<div class=\"prompt\">\n{prompt}</div>\n<details class=\"answer\">\n<summary>Show answer</summary>\n<div class=\"answer-body\">\n{answer}</div>\n</details>\n"
                ));
                html.push_str("</li>\n");
            }
            BlockKind::Flashcards(cards) => {
                // The controls need JavaScript, so the script reveals them; without it every
                // card is still a working <details>.
                html.push_str(concat!(
                    "<section class=\"flashcards\" data-flashcards aria-label=\"Flashcards\">\n",
                    "<div class=\"flashcard-controls\" hidden>",
                    "<button type=\"button\" data-cards=\"show\">Show all answers</button> ",
                    "<button type=\"button\" data-cards=\"hide\">Hide all answers</button> ",
                    "<button type=\"button\" data-cards=\"print\">Print flashcards</button>",
                    "</div>\n<ol class=\"cards\">\n",
                ));
                for card in cards {
                    self.card(card, html);
                }
                html.push_str("</ol>\n</section>\n");
            }
            BlockKind::Exercise(e) => self.exercise(block, e, html),
            BlockKind::Figure(f) => {
                let mut body = String::new();
                self.blocks(&f.blocks, &mut body);
                let caption = match &f.caption {
                    Some(c) => {
                        let mut events = Vec::new();
                        self.inline_events(&c.inlines, &mut events);
                        self.search.end_block();
                        let mut inner = String::new();
                        html::push_html(&mut inner, events.into_iter());
                        format!("<figcaption>{}</figcaption>\n", inner.trim_end())
                    }
                    None => String::new(),
                };
                html.push_str(&format!("<figure>\n{body}{caption}</figure>\n"));
            }
            BlockKind::Verify(_) => self.verified(block, html),
            _ => self.markdown(&[block], html),
        }
    }

    /// A flashcard: the question is the summary, so the card works without JavaScript. A
    /// summary holds phrasing content, so a one-paragraph question loses its `<p>`.
    fn card(&mut self, card: &'a Card, html: &mut String) {
        let id = format!("card-{}", card.number);
        html.push_str(&format!("<li class=\"flashcard\" id=\"{id}\">\n"));
        let mut prompt = String::new();
        self.blocks(&card.question, &mut prompt);
        let mut answer = String::new();
        self.blocks(&card.answer.blocks, &mut answer);
        let prompt = unwrap_paragraph(&prompt);
        html.push_str(&format!(
            "<details class=\"card\">\n<summary class=\"card-question\">{prompt}</summary>\n<div class=\"card-answer\">\n{answer}</div>\n</details>\n"
        ));
        html.push_str("</li>\n");
    }

    fn exercise(&mut self, block: &'a Block, e: &'a Exercise, html: &mut String) {
        let title = e.display_title();
        let id = e.anchor.as_str();
        self.toc.push(TocEntry {
            level: 3,
            id: id.to_string(),
            title: title.clone(),
        });
        self.search.start_heading(id);
        self.search.inline_text(&title);
        self.search.end_heading();
        html.push_str(&format!(
            "<section class=\"exercise\" aria-labelledby=\"{id}\">\n"
        ));
        html.push_str(&heading_html(3, id, &escape(&title), &title));
        let verification: &'a PageVerification = self.verification;
        match verification.variants.get(&block.id) {
            Some(variants) if !variants.is_empty() => self.variants(e, id, &title, variants, html),
            _ => self.exercise_parts(e, html),
        }
        html.push_str("</section>\n");
    }

    /// An exercise's statement and its collapsible worked answer.
    fn exercise_parts(&mut self, e: &'a Exercise, html: &mut String) {
        self.blocks(&e.statement, html);
        if let Some(s) = &e.solution {
            let summary = if s.summary.is_empty() {
                "Worked answer"
            } else {
                s.summary.as_str()
            };
            html.push_str(&format!(
                "<details class=\"solution\">\n<summary>{}</summary>\n<div class=\"solution-body\">\n",
                escape(summary)
            ));
            self.blocks(&s.blocks, html);
            html.push_str("</div>\n</details>\n");
        }
    }

    /// An exercise with variants: a picker (links that work without JavaScript, through
    /// `:target`; the script adds "New numbers"), then each set's statement and worked answer,
    /// each rendered from its own verified document. The search index holds the first set.
    fn variants(
        &mut self,
        e: &'a Exercise,
        id: &str,
        title: &str,
        variants: &'a [Variant],
        html: &mut String,
    ) {
        let count = variants.len() + 1;
        html.push_str(&format!(
            "<div class=\"variants\" data-variants>\n<nav class=\"variant-picker\" aria-label=\"Number sets of {}\">\n<span>Numbers:</span> ",
            escape(title)
        ));
        for k in 1..=count {
            // Each set has an address (`#part-b-v2`) an author may link to.
            self.anchors.push(format!("{id}-v{k}"));
            let current = if k == 1 { " aria-current=\"true\"" } else { "" };
            html.push_str(&format!(
                "<a href=\"#{id}-v{k}\" data-variant-link=\"{k}\"{current}>set {k}</a> "
            ));
        }
        html.push_str(concat!(
            "<button type=\"button\" class=\"new-numbers\" data-new-numbers hidden>New numbers</button>\n",
            "<span class=\"variant-status sr-only\" role=\"status\" data-variant-status></span>\n</nav>\n",
        ));
        html.push_str(&format!(
            "<div class=\"variant\" id=\"{id}-v1\" data-variant=\"1\">\n"
        ));
        self.exercise_parts(e, html);
        html.push_str("</div>\n");
        let original = (self.file, self.verification);
        let searching = self.search.pause();
        for v in variants {
            (self.file, self.verification) = (&v.file, &v.verification);
            self.id_prefix = format!("v{}-", v.number);
            let before = self.errors.len();
            html.push_str(&format!(
                "<div class=\"variant variant-extra\" id=\"{id}-v{}\" data-variant=\"{}\">\n",
                v.number, v.number
            ));
            self.exercise_parts(&v.exercise, html);
            html.push_str("</div>\n");
            let label = format!("variant {} of “{title}” ({})", v.number, v.givens);
            for e in &mut self.errors[before..] {
                *e = e.clone().prefixed(&label);
            }
        }
        self.search.resume(searching);
        self.id_prefix.clear();
        (self.file, self.verification) = original;
        html.push_str("</div>\n");
    }

    /// The footnotes at the end of the page, numbered by first reference; each links back to
    /// its first reference. Empty when nothing was referenced.
    fn footnotes(&mut self) -> String {
        let notes = &self.page.doc.footnotes;
        if notes.is_empty() {
            return String::new();
        }
        let mut out =
            String::from("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n");
        for note in notes {
            let mut events = Vec::new();
            for b in &note.blocks {
                self.block_events(b, &mut events);
            }
            let mut text = String::new();
            html::push_html(&mut text, events.into_iter());
            let n = note.number;
            let back = format!(
                " <a class=\"footnote-back\" href=\"#{}\" aria-label=\"Back to reference {n}\">↩</a>",
                note.first_ref
            );
            // The link back ends the note's last paragraph, as on GitHub, not a line of its own.
            let text = text.trim_end();
            let body = match text.strip_suffix("</p>") {
                Some(inner) => format!("{inner}{back}</p>"),
                None => format!("{text}{back}"),
            };
            out.push_str(&format!("<li id=\"{}\">\n{body}\n</li>\n", footnote_id(n)));
        }
        out.push_str("</ol>\n</section>\n");
        out
    }
}

/// Narrowest chain width (in em of the page's root font) that gets a broken form: a column is
/// never narrower than about 20 em (a 375 px phone).
const CHAIN_MIN_EM: f32 = 20.0;

/// Widest class the stylesheet has; wider chains share it.
const CHAIN_MAX_EM: f32 = 120.0;

/// The `fit-N` class of a chain `width` em wide (in the math's font size): the one-line form
/// needs a column of at least N em. `None` when it fits any column. The stylesheet has one
/// container query per class, N = 20, 25, … 120.
fn fit_class(width: f32) -> Option<String> {
    // The math is set at 1.05 × 1.0625 of the root font size; queries count in root em.
    let needed = width * 1.05 * 1.0625;
    if needed < CHAIN_MIN_EM {
        return None;
    }
    let n = ((needed / 5.0).ceil() * 5.0).min(CHAIN_MAX_EM);
    Some(format!("fit-{n}"))
}

/// `<p>text</p>` → `text`, when the HTML is exactly one paragraph.
fn unwrap_paragraph(html: &str) -> &str {
    let inner = html
        .trim_end()
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"));
    match inner {
        Some(inner) if !inner.contains("<p>") => inner,
        _ => html,
    }
}

/// A heading with its id and a link to itself whose accessible name reads "Section titled …".
fn heading_html(level: u8, id: &str, inner_html: &str, title: &str) -> String {
    format!(
        "<div class=\"heading-wrapper level-h{level}\"><h{level} id=\"{id}\">{inner_html}</h{level}><a class=\"anchor-link\" href=\"#{id}\"><span aria-hidden=\"true\">#</span><span class=\"sr-only\">Section titled “{}”</span></a></div>\n",
        escape(title)
    )
}
