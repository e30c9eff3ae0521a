//! The author syntax's containers on a page: questions and flashcards as `<details>` that work
//! without JavaScript, exercises with their worked answers and number sets, figures with their
//! captions, and the footnotes at the end of the page.

use std::fmt::Write as _;

use pulldown_cmark::html;

use super::body::{escape, heading_html, unwrap_paragraph_from, Ctx, TocEntry};
use crate::doc::ids::footnote_id;
use crate::doc::{Block, BlockKind, Card, Exercise};
use crate::verify::variants::Variant;
use crate::verify::PageVerification;

impl<'a> Ctx<'a> {
    pub(super) fn container(&mut self, block: &'a Block, html: &mut String) {
        match &block.kind {
            BlockKind::Question(q) => {
                // Written in place: the prompt and the answer are not made apart and copied.
                let _ = write!(
                    html,
                    "<li class=\"question\" id=\"question-{}\">\n<div class=\"prompt\">\n",
                    q.number
                );
                self.blocks(&q.prompt, html);
                // "Show answer" is chrome, not content.
                html.push_str("</div>\n<details class=\"answer\">\n<summary>Show answer</summary>\n<div class=\"answer-body\">\n");
                self.blocks(&q.answer.blocks, html);
                html.push_str("</div>\n</details>\n</li>\n");
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
                html.push_str("<figure>\n");
                self.blocks(&f.blocks, html);
                if let Some(c) = &f.caption {
                    let mut events = Vec::new();
                    self.inline_events(&c.inlines, &mut events);
                    self.search.end_block();
                    html.push_str("<figcaption>");
                    let start = html.len();
                    html::push_html(html, events.into_iter());
                    html.truncate(start + html[start..].trim_end().len());
                    html.push_str("</figcaption>\n");
                }
                html.push_str("</figure>\n");
            }
            BlockKind::Verify(_) => self.verified(block, html),
            _ => self.markdown(&[block], html),
        }
    }
    /// A flashcard: the question is the summary, so the card works without JavaScript. A
    /// summary holds phrasing content, so a one-paragraph question loses its `<p>`.
    pub(super) fn card(&mut self, card: &'a Card, html: &mut String) {
        let _ = write!(
            html,
            "<li class=\"flashcard\" id=\"card-{}\">\n<details class=\"card\">\n<summary class=\"card-question\">",
            card.number
        );
        // The question is written in place and loses its `<p>` there; the answer after it.
        let start = html.len();
        self.blocks(&card.question, html);
        unwrap_paragraph_from(html, start);
        html.push_str("</summary>\n<div class=\"card-answer\">\n");
        self.blocks(&card.answer.blocks, html);
        html.push_str("</div>\n</details>\n</li>\n");
    }
    pub(super) fn exercise(&mut self, block: &'a Block, e: &'a Exercise, html: &mut String) {
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
        let _ = writeln!(
            html,
            "<section class=\"exercise\" aria-labelledby=\"{id}\">"
        );
        html.push_str(&heading_html(3, id, &escape(&title), &title));
        let verification: &'a PageVerification = self.verification;
        match verification.variants.get(&block.id) {
            Some(variants) if !variants.is_empty() => self.variants(e, id, &title, variants, html),
            _ => self.exercise_parts(e, html),
        }
        html.push_str("</section>\n");
    }
    /// An exercise's statement and its collapsible worked answer.
    pub(super) fn exercise_parts(&mut self, e: &'a Exercise, html: &mut String) {
        self.blocks(&e.statement, html);
        if let Some(s) = &e.solution {
            let summary = if s.summary.is_empty() {
                "Worked answer"
            } else {
                s.summary.as_str()
            };
            let _ = write!(
                html,
                "<details class=\"solution\">\n<summary>{}</summary>\n<div class=\"solution-body\">\n",
                escape(summary)
            );
            self.blocks(&s.blocks, html);
            html.push_str("</div>\n</details>\n");
        }
    }
    /// An exercise with variants: a picker (links that work without JavaScript, through
    /// `:target`; the script adds "New numbers"), then each set's statement and worked answer,
    /// each rendered from its own verified document. The search index holds the first set.
    pub(super) fn variants(
        &mut self,
        e: &'a Exercise,
        id: &str,
        title: &str,
        variants: &'a [Variant],
        html: &mut String,
    ) {
        let count = variants.len() + 1;
        let _ = write!(
            html,
            "<div class=\"variants\" data-variants>\n<nav class=\"variant-picker\" aria-label=\"Number sets of {}\">\n<span>Numbers:</span> ",
            escape(title)
        );
        for k in 1..=count {
            // Each set has an address (`#part-b-v2`) an author may link to.
            self.anchors.push(format!("{id}-v{k}"));
            let current = if k == 1 { " aria-current=\"true\"" } else { "" };
            let _ = write!(
                html,
                "<a href=\"#{id}-v{k}\" data-variant-link=\"{k}\"{current}>set {k}</a> "
            );
        }
        html.push_str(concat!(
            "<button type=\"button\" class=\"new-numbers\" data-new-numbers hidden>New numbers</button>\n",
            "<span class=\"variant-status sr-only\" role=\"status\" data-variant-status></span>\n</nav>\n",
        ));
        let _ = writeln!(
            html,
            "<div class=\"variant\" id=\"{id}-v1\" data-variant=\"1\">"
        );
        self.exercise_parts(e, html);
        html.push_str("</div>\n");
        let original = (self.file, self.verification);
        let searching = self.search.pause();
        for v in variants {
            (self.file, self.verification) = (&v.file, &v.verification);
            self.id_prefix = format!("v{}-", v.number);
            self.shift = v.shift;
            let before = self.errors.len();
            let _ = writeln!(
                html,
                "<div class=\"variant variant-extra\" id=\"{id}-v{}\" data-variant=\"{}\">",
                v.number, v.number
            );
            self.exercise_parts(&v.exercise, html);
            html.push_str("</div>\n");
            let label = format!("variant {} of “{title}” ({})", v.number, v.givens);
            for e in &mut self.errors[before..] {
                *e = e.clone().prefixed(&label);
            }
        }
        self.search.resume(searching);
        self.id_prefix.clear();
        self.shift = 0;
        (self.file, self.verification) = original;
        html.push_str("</div>\n");
    }
    /// The footnotes at the end of the page, numbered by first reference; each links back to
    /// its first reference. Empty when nothing was referenced.
    pub(super) fn footnotes(&mut self) -> String {
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
