//! What CommonMark resolves page-wide, for a page rendered piece by piece: link reference
//! definitions (`[ref]: url`) and footnotes (`[^1]`).
//!
//! Containers and verify blocks split a page into Markdown runs that are parsed one at a time,
//! so a `[text][ref]` in a question whose definition sits at the end of the page printed
//! literally (issue #12). A first pass parses the whole body once, with the `:::` lines
//! blanked (they would otherwise glue a definition to the paragraph above), and collects every
//! definition; each run then resolves unknown references through pulldown-cmark's broken-link
//! callback. Footnotes are numbered in the order they are first referenced on the page, and
//! their texts are gathered into one list at the end of the page.

use std::collections::{BTreeMap, HashMap};

use pulldown_cmark::{Event, Parser, Tag};

use super::markdown::options;
use crate::model::{Block, Page};

/// The definitions a whole page offers to every one of its Markdown runs.
#[derive(Debug, Default)]
pub struct PageDefinitions {
    /// Link reference definitions by normalised label: destination and title.
    pub links: HashMap<String, (String, String)>,
    /// Footnote labels (normalised) defined anywhere on the page.
    pub footnotes: Vec<String>,
}

/// A label as CommonMark matches it: case-insensitive, runs of white space as one space.
pub fn normalise(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl PageDefinitions {
    /// Collects the definitions of the body of `page`.
    pub fn of(page: &Page) -> PageDefinitions {
        let text = &page.file.text;
        let body_start = page.body.first().map_or(text.len(), block_start);
        // Same length as the file, so nothing here needs offsets mapped; only what the
        // definitions say is kept.
        let mut blanked = String::with_capacity(text.len());
        blanked.extend(
            text[..body_start]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        for line in text[body_start..].split_inclusive('\n') {
            if line.trim_start().starts_with(":::") {
                blanked.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            } else {
                blanked.push_str(line);
            }
        }
        let mut defs = PageDefinitions::default();
        if !blanked.contains("]:") {
            return defs;
        }
        let parser = Parser::new_ext(&blanked, options());
        for (label, def) in parser.reference_definitions().iter() {
            defs.links.insert(
                normalise(label),
                (
                    def.dest.to_string(),
                    def.title.as_deref().unwrap_or("").to_string(),
                ),
            );
        }
        for event in parser {
            if let Event::Start(Tag::FootnoteDefinition(label)) = event {
                let label = normalise(&label);
                if !defs.footnotes.contains(&label) {
                    defs.footnotes.push(label);
                }
            }
        }
        defs
    }
}

fn block_start(block: &Block) -> usize {
    match block {
        Block::Markdown(range) => range.start,
        Block::Verify(v) => v.fence.start,
        Block::Container(c) => c.open.start,
    }
}

/// The page's footnotes as they are rendered: numbers by first reference, texts by label.
#[derive(Debug, Default)]
pub struct Footnotes {
    /// Labels in the order of their first reference; a footnote's number is its place + 1.
    order: Vec<String>,
    /// The id of each footnote's first reference, for the link back.
    first_ref: HashMap<String, String>,
    /// Each footnote's rendered text.
    texts: BTreeMap<String, String>,
}

impl Footnotes {
    /// The number of the footnote `label`, numbering it if this is its first reference.
    pub fn number(&mut self, label: &str) -> usize {
        match self.order.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                self.order.push(label.to_string());
                self.order.len()
            }
        }
    }

    /// Records the id of a reference; the first one is where the footnote links back to.
    pub fn referenced_at(&mut self, label: &str, id: &str) {
        self.first_ref
            .entry(label.to_string())
            .or_insert_with(|| id.to_string());
    }

    /// Keeps the rendered text of footnote `label`.
    pub fn define(&mut self, label: &str, html: String) {
        self.texts.insert(label.to_string(), html);
    }

    /// The list at the end of the page (empty when nothing was referenced). A footnote
    /// defined but never referenced is left out, as GitHub and pulldown-cmark do.
    pub fn html(&self, note_id: impl Fn(usize) -> String) -> String {
        if self.order.is_empty() {
            return String::new();
        }
        let mut out =
            String::from("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n");
        for (i, label) in self.order.iter().enumerate() {
            let n = i + 1;
            let text = self.texts.get(label).map_or("", String::as_str);
            let back = self
                .first_ref
                .get(label)
                .map_or_else(String::new, |id| {
                    format!(" <a class=\"footnote-back\" href=\"#{id}\" aria-label=\"Back to reference {n}\">↩</a>")
                });
            // The link back ends the note's last paragraph, as on GitHub, not a line of its own.
            let text = text.trim_end();
            let body = match text.strip_suffix("</p>") {
                Some(inner) => format!("{inner}{back}</p>"),
                None => format!("{text}{back}"),
            };
            out.push_str(&format!("<li id=\"{}\">\n{body}\n</li>\n", note_id(n)));
        }
        out.push_str("</ol>\n</section>\n");
        out
    }
}
