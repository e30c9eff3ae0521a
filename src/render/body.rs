//! A page's document to HTML. The tree is walked once, by the parts of `Ctx` in this folder:
//! CommonMark's blocks and inlines go back to pulldown-cmark events for its HTML writer
//! (`events`), with what coursegen adds written in their place — images (`media`), formulas
//! and verified steps (`steps`) — and the containers become `<details>`-based questions,
//! exercises and flashcards (`containers`). The walk also collects the table of contents and
//! the search index's sections ([`super::search`]).

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::Event;
use serde::Serialize;

use super::search::Sections;
use super::Targets;
use crate::diagnostic::Diagnostic;
use crate::doc::{Block, BlockKind, Counts};
use crate::model::Page;
use crate::source::SourceFile;
use crate::verify::PageVerification;

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

pub(super) struct Ctx<'a> {
    pub(super) page: &'a Page,
    /// The file spans point into: the page's, or a variant's.
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) verification: &'a PageVerification,
    pub(super) targets: &'a Targets<'a>,
    pub(super) counts: Counts,
    pub(super) toc: Vec<TocEntry>,
    pub(super) anchors: Vec<String>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) search: Sections,
    /// `v2-` … while a variant's set is rendered: its figures' ids differ from the author's.
    pub(super) id_prefix: String,
    /// What to add to an offset of the file being rendered to name the place on the page (a
    /// variant's file holds its exercise only).
    pub(super) shift: usize,
    /// The events of a run of CommonMark blocks, kept between runs so that the list is not
    /// grown from empty for each (taken while a run is written).
    pub(super) events: Vec<Event<'a>>,
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
        shift: 0,
        events: Vec::new(),
    };
    // The page's one-line description opens its first section, as the page shows it.
    ctx.search.inline_text(&page.meta.description);
    ctx.search.end_block();
    // Room for the whole body at once rather than grown by doubling (each doubling copies what
    // is written so far). The body runs 4 to 7 times its Markdown (MathML and the worked
    // answers' markup): 3 times fell short on most pages. Each further number set of an
    // exercise is that exercise's Markdown again.
    let sets: usize = verification
        .variants
        .values()
        .flatten()
        .map(|v| exercise_len(&v.exercise))
        .sum();
    let mut html = String::with_capacity((page.file.text.len() + sets) * 5);
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

/// How many bytes of Markdown an exercise spans, from its opening line to its last block.
fn exercise_len(e: &crate::doc::Exercise) -> usize {
    let last = e
        .solution
        .as_ref()
        .and_then(|s| s.blocks.last())
        .or(e.statement.last());
    last.map_or(e.open.end, |b| b.span.end)
        .saturating_sub(e.open.start)
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::new();
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Blocks CommonMark itself has (rendered through its HTML writer), as opposed to the author
/// syntax's containers and top-level verified steps.
pub(super) fn is_markdown(block: &Block) -> bool {
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
    pub(super) fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file, span, message)
    }

    pub(super) fn blocks(&mut self, blocks: &'a [Block], html: &mut String) {
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
            self.markdown(&run, html);
            run.clear();
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

/// [`unwrap_paragraph`] on what `html` holds from `start`, in place.
pub(super) fn unwrap_paragraph_from(html: &mut String, start: usize) {
    let written = &html[start..];
    let inner = unwrap_paragraph(written);
    if inner.len() != written.len() {
        let (from, len) = (
            inner.as_ptr() as usize - written.as_ptr() as usize,
            inner.len(),
        );
        html.truncate(start + from + len);
        html.replace_range(start..start + from, "");
    }
}

/// A heading with its id and a link to itself whose accessible name reads "Section titled …".
pub(super) fn heading_html(level: u8, id: &str, inner_html: &str, title: &str) -> String {
    format!(
        "<div class=\"heading-wrapper level-h{level}\"><h{level} id=\"{id}\">{inner_html}</h{level}><a class=\"anchor-link\" href=\"#{id}\"><span aria-hidden=\"true\">#</span><span class=\"sr-only\">Section titled “{}”</span></a></div>\n",
        escape(title)
    )
}
