//! What a page resolves as a whole, on the tree: every id an `#anchor` may name (headings,
//! exercises, questions, cards, footnotes and the ids of raw HTML), footnote numbers in the
//! order of first reference, and the links to check.
//!
//! Ids are given in reading order, the order the page shows them: questions, cards and
//! footnotes have fixed ids (`#question-3` is a promise to readers), so a heading whose words
//! make one of them takes a suffix instead, as does a heading whose words repeat another's.

use std::collections::HashMap;
use std::ops::Range;

use super::html::with_ids;
use super::text::plain;
use super::{
    Block, BlockKind, Counts, Document, Footnote, Inline, InlineKind, InternalLink, LinkTarget,
};
use crate::diagnostic::Diagnostic;

/// A label as CommonMark matches it: case-insensitive, runs of white space as one space.
pub fn normalise(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A heading's id: lowercase words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !slug.ends_with('-')
            && !slug.is_empty()
        {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// The id of footnote `n` in the list at the end of a page.
pub fn footnote_id(n: usize) -> String {
    format!("fn-{n}")
}

struct Resolver<'a> {
    file: &'a std::sync::Arc<crate::source::SourceFile>,
    counts: Counts,
    taken: HashMap<String, usize>,
    anchors: Vec<String>,
    links: Vec<InternalLink>,
    /// Footnotes defined on the page, by label, until their definition is walked.
    defined: HashMap<String, Vec<Block>>,
    /// Referenced footnotes by label: number and first reference's id.
    numbers: HashMap<String, (usize, String)>,
    /// Walked definitions, by label.
    walked: HashMap<String, Vec<Block>>,
    errors: &'a mut Vec<Diagnostic>,
}

/// Resolves the ids, footnotes and links of `doc`, whose footnote definitions are `defined`
/// (label and blocks, in the order they are written).
pub fn resolve(
    doc: &mut Document,
    defined: Vec<(String, Vec<Block>)>,
    errors: &mut Vec<Diagnostic>,
) {
    let file = std::sync::Arc::clone(&doc.file);
    let mut taken = HashMap::new();
    let fixed = (1..=doc.counts.questions)
        .map(|n| format!("question-{n}"))
        .chain((1..=doc.counts.cards).map(|n| format!("card-{n}")))
        .chain((1..=defined.len()).map(footnote_id));
    for id in fixed {
        taken.insert(id, 1);
    }
    let mut r = Resolver {
        file: &file,
        counts: doc.counts,
        taken,
        anchors: Vec::new(),
        links: Vec::new(),
        defined: defined.into_iter().collect(),
        numbers: HashMap::new(),
        walked: HashMap::new(),
        errors,
    };
    r.blocks(&mut doc.blocks);
    let mut footnotes: Vec<Footnote> = r
        .numbers
        .drain()
        .map(|(label, (number, first_ref))| Footnote {
            blocks: r
                .walked
                .remove(&label)
                .or_else(|| r.defined.remove(&label))
                .unwrap_or_default(),
            label,
            number,
            first_ref,
        })
        .collect();
    footnotes.sort_by_key(|f| f.number);
    for f in &footnotes {
        r.anchors.push(footnote_id(f.number));
    }
    doc.footnotes = footnotes;
    doc.anchors = r.anchors;
    doc.links = r.links;
}

impl Resolver<'_> {
    fn unique(&mut self, base: String) -> String {
        let n = self.taken.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 {
            base
        } else {
            format!("{base}-{}", *n - 1)
        };
        self.anchors.push(id.clone());
        id
    }

    fn blocks(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &mut Block) {
        match &mut block.kind {
            BlockKind::Paragraph(inlines) | BlockKind::Plain(inlines) => self.inlines(inlines),
            BlockKind::Heading(h) => {
                // The heading's content first: a footnote reference in it is numbered where
                // the page shows it.
                self.inlines(&mut h.inlines);
                let base = h
                    .explicit
                    .clone()
                    .unwrap_or_else(|| slugify(&plain(&h.inlines, self.counts)));
                h.anchor = self.unique(base);
            }
            BlockKind::BlockQuote(_, b) | BlockKind::List(_, b) | BlockKind::Item(b) => {
                self.blocks(b)
            }
            BlockKind::Table(t) => {
                for cell in t.head.iter_mut().chain(t.rows.iter_mut().flatten()) {
                    self.inlines(cell);
                }
            }
            BlockKind::Html(html) => *html = self.raw_html(html, block.span.clone()),
            BlockKind::FootnoteDefinition(label) => {
                if let Some(mut blocks) = self.defined.remove(label.as_str()) {
                    self.blocks(&mut blocks);
                    self.walked.insert(label.clone(), blocks);
                }
            }
            BlockKind::Question(q) => {
                self.anchors.push(format!("question-{}", q.number));
                self.blocks(&mut q.prompt);
                self.blocks(&mut q.answer.blocks);
            }
            BlockKind::Exercise(e) => {
                e.anchor = self.unique(slugify(&e.display_title()));
                self.blocks(&mut e.statement);
                if let Some(s) = &mut e.solution {
                    self.blocks(&mut s.blocks);
                }
            }
            BlockKind::Flashcards(cards) => {
                for card in cards {
                    self.anchors.push(format!("card-{}", card.number));
                    self.blocks(&mut card.question);
                    self.blocks(&mut card.answer.blocks);
                }
            }
            BlockKind::Figure(f) => {
                self.blocks(&mut f.blocks);
                if let Some(c) = &mut f.caption {
                    self.inlines(&mut c.inlines);
                }
            }
            BlockKind::Code(_) | BlockKind::Rule | BlockKind::Verify(_) => {}
        }
    }

    fn inlines(&mut self, inlines: &mut [Inline]) {
        for inline in inlines {
            let span = inline.span.clone();
            match &mut inline.kind {
                InlineKind::FootnoteRef(f) => {
                    let next = self.numbers.len() + 1;
                    let number = match self.numbers.get(&f.label) {
                        Some((n, _)) => *n,
                        None => next,
                    };
                    let id = self.unique(format!("fnref-{number}"));
                    self.numbers
                        .entry(f.label.clone())
                        .or_insert_with(|| (number, id.clone()));
                    f.number = number;
                    f.id = id;
                }
                InlineKind::Html(html) => *html = self.raw_html(html, span),
                InlineKind::Link(l) => {
                    match &l.target {
                        LinkTarget::Anchor(f) => self.links.push(InternalLink {
                            target: None,
                            fragment: Some(f.clone()),
                            span,
                        }),
                        LinkTarget::Page(path, fragment) => self.links.push(InternalLink {
                            target: Some(path.clone()),
                            fragment: fragment.clone(),
                            span,
                        }),
                        LinkTarget::Elsewhere => {}
                    }
                    self.inlines(&mut l.children);
                }
                InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Strikethrough(c) => {
                    self.inlines(c)
                }
                _ => {}
            }
        }
    }

    /// Raw HTML with its `<a name>` anchors made link targets; each id it holds is one more of
    /// the page's, and one already taken is an error at `span`.
    fn raw_html(&mut self, raw: &str, span: Range<usize>) -> String {
        // Ids and names are attributes: HTML without one needs no reading.
        if !raw.contains('=') {
            return raw.to_string();
        }
        let (html, ids) = with_ids(raw);
        for id in ids {
            if self.taken.contains_key(&id) {
                self.errors.push(
                    Diagnostic::at(
                        self.file,
                        span.clone(),
                        format!("id `{id}` is already used on this page"),
                    )
                    .with_hint("ids name one place on a page: choose another, e.g. with a suffix"),
                );
            } else {
                self.taken.insert(id.clone(), 1);
                self.anchors.push(id);
            }
        }
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Try it yourself: collapse two linears"),
            "try-it-yourself-collapse-two-linears"
        );
        assert_eq!(slugify("Self-check"), "self-check");
        assert_eq!(slugify("“?”"), "section");
        assert_eq!(normalise("  A  b\nC "), "a b c");
    }
}
