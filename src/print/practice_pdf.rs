//! A practice sheet's PDF: for each number set, the exercises' statements on pages headed
//! "Practice set k" under the page's title; then, from a new page, each set's worked answers on pages of
//! their own. Text flows from page to page at a fixed size (a paragraph that does not fit
//! continues on the next page; only a formula or circuit wider than the page is set smaller),
//! with the decks' fonts, formulas and figures ([`super::pdf`]), page numbers, and bytes that
//! depend only on the content.

use printpdf::{Mm, PdfDocument, PdfPage};

use super::figure::MIN_FIGURE_PT;
use super::layout::{figures, fit, wrap, Block};
use super::pdf::{mm, ops, runs_fingerprint, Fonts, PageLayout, Unsaved, MIN_READABLE_PT};
use super::practice::PracticeSet;
use super::text::{Paragraph, Run, Style};

/// The body text's size: a printed page read at a desk.
const BODY_PT: f32 = 11.0;
/// An exercise's title.
const TITLE_PT: f32 = 12.5;
/// The heading at the top of every page ("Practice set 2").
const HEADING_PT: f32 = 16.0;
/// The page's title, above the heading.
const PAGE_TITLE_PT: f32 = 9.5;
/// The page number at the foot of every page.
const FOOTER_PT: f32 = 8.5;
/// The margins.
const MARGIN_MM: f32 = 18.0;
/// Space between two exercises, in points.
const EXERCISE_GAP: f32 = 2.0 * BODY_PT;
/// Space between a page's heading and its text, in points.
const HEADING_GAP: f32 = 1.2 * BODY_PT;

/// A paragraph of a practice sheet set smaller than [`MIN_READABLE_PT`] to fit the page's
/// width (a formula too wide), or a circuit whose labels fell below [`MIN_FIGURE_PT`].
#[derive(Debug, Clone, PartialEq)]
pub struct SheetShrunk {
    /// Byte offset of the exercise's opening line on the page.
    pub open: usize,
    /// The number set.
    pub set: usize,
    /// `"statement"` or `"worked answer"`, or `"… circuit"`.
    pub part: &'static str,
    /// The size it was set at, in points.
    pub size: f32,
    /// The readable size it fell below, in points.
    pub readable: f32,
}

/// A practice sheet's bytes, and what had to shrink.
pub struct PracticeSheet {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Paragraphs set below a readable size.
    pub shrunk: Vec<SheetShrunk>,
}

/// Paragraphs that follow one another, with space above the first; the first is kept on a
/// page with the first line of the second (a title is never left alone at a page's foot).
struct Piece {
    /// Each paragraph and its size in points.
    paragraphs: Vec<(Paragraph, f32)>,
    /// Space above, in points (none at the top of a page).
    space_above: f32,
    /// Where a warning about it points: the exercise, the set and the part.
    origin: (usize, usize, &'static str),
}

/// A run of pages under one heading, starting on a new page.
struct Section {
    /// The heading of its first page.
    heading: String,
    /// What its PDF bookmark and page labels say.
    label: String,
    /// Its content.
    pieces: Vec<Piece>,
}

/// One page of a section: blocks with their top, measured down from the top of the text
/// area.
#[derive(Debug)]
struct Laid {
    section: usize,
    blocks: Vec<(Block, f32)>,
}

/// The practice sheet of the page `title` with `sets`, on paper `paper_mm` (portrait).
pub fn practice_sheet(title: &str, sets: &[PracticeSet], paper_mm: (f32, f32)) -> PracticeSheet {
    let (document, shrunk) = practice_document(title, sets, paper_mm);
    PracticeSheet {
        bytes: document.save(),
        shrunk,
    }
}

/// A practice sheet's document, and what had to shrink below a readable size.
pub(super) fn practice_document(
    title: &str,
    sets: &[PracticeSet],
    paper_mm: (f32, f32),
) -> (Unsaved, Vec<SheetShrunk>) {
    let (w, h) = (mm(paper_mm.0), mm(paper_mm.1));
    let margin = mm(MARGIN_MM);
    let width = w - 2.0 * margin;
    let sections = sections(sets);
    // Every page: the page's title small, then the section's heading (the longer of its first
    // and continued forms sets where the text starts).
    let page_title = wrap(
        &[vec![Run::text(Style::Regular, title)]],
        width,
        PAGE_TITLE_PT,
        false,
    );
    let headings: Vec<(Block, Block)> = sections
        .iter()
        .map(|s| {
            (
                heading_block(&s.heading, width),
                heading_block(&format!("{} (continued)", s.heading), width),
            )
        })
        .collect();
    let heading_top = h - margin - page_title.height() - 0.3 * HEADING_PT;
    let heading_h = headings
        .iter()
        .map(|(a, b)| a.height().max(b.height()))
        .fold(0.0, f32::max);
    let body_top = heading_top - heading_h - HEADING_GAP;
    // The foot keeps two lines of page number clear of the text.
    let body_h = body_top - margin - 2.0 * FOOTER_PT;
    let (pages, shrunk) = paginate(&sections, width, body_h);

    let total = pages.len();
    let mut labels = Vec::new();
    let layouts: Vec<PageLayout> = pages
        .into_iter()
        .enumerate()
        .map(|(i, page)| {
            let first = i == 0 || !matches!(labels.last(), Some((s, _)) if *s == page.section);
            let in_section = if first {
                1
            } else {
                labels.last().map_or(1, |(_, n)| n + 1)
            };
            labels.push((page.section, in_section));
            let heading = if first {
                headings[page.section].0.clone()
            } else {
                headings[page.section].1.clone()
            };
            let footer = wrap(
                &[vec![Run::text(
                    Style::Regular,
                    format!("page {} of {total}", i + 1),
                )]],
                width,
                FOOTER_PT,
                true,
            );
            let mut blocks = vec![(heading, margin, heading_top)];
            blocks.extend(
                page.blocks
                    .into_iter()
                    .map(|(b, top)| (b, margin, body_top - top)),
            );
            PageLayout {
                grey: vec![
                    (page_title.clone(), margin, h - margin),
                    (footer, margin, margin + FOOTER_PT),
                ],
                blocks,
                fold: None,
            }
        })
        .collect();

    let mut doc = PdfDocument::new(title);
    let fonts = Fonts::embed(&mut doc, layouts.iter());
    for layout in &layouts {
        doc.pages.push(PdfPage::new(
            Mm(paper_mm.0),
            Mm(paper_mm.1),
            ops(layout, &fonts, margin, w),
        ));
    }
    for (i, (section, n)) in labels.iter().enumerate() {
        if *n == 1 {
            doc.add_bookmark(&sections[*section].label, i + 1);
        }
    }
    let page_labels: Vec<String> = labels
        .iter()
        .map(|(s, n)| match n {
            1 => sections[*s].label.clone(),
            n => format!("{} ({n})", sections[*s].label),
        })
        .collect();
    let document = Unsaved {
        doc,
        labels: page_labels,
        fingerprint: fingerprint(title, sets, paper_mm),
    };
    (document, shrunk)
}

/// A page's heading, bold, wrapped to the width.
fn heading_block(text: &str, width: f32) -> Block {
    wrap(
        &[vec![Run::text(Style::Bold, text)]],
        width,
        HEADING_PT,
        false,
    )
}

/// The problems of each set, then the answers of each set.
fn sections(sets: &[PracticeSet]) -> Vec<Section> {
    let problems = sets.iter().map(|set| Section {
        heading: format!("Practice set {}", set.number),
        label: format!("Set {} problems", set.number),
        pieces: set
            .exercises
            .iter()
            .map(|e| Piece {
                paragraphs: std::iter::once((e.title.clone(), TITLE_PT))
                    .chain(e.statement.iter().map(|p| (p.clone(), BODY_PT)))
                    .collect(),
                space_above: EXERCISE_GAP,
                origin: (e.open, set.number, "statement"),
            })
            .collect(),
    });
    let answers = sets.iter().map(|set| Section {
        heading: format!("Answers to practice set {}", set.number),
        label: format!("Set {} answers", set.number),
        pieces: set
            .exercises
            .iter()
            .filter(|e| !e.answer.is_empty())
            .map(|e| {
                let mut heading = e.title.clone();
                heading.push(Run::text(Style::Bold, format!(" — set {}", set.number)));
                Piece {
                    paragraphs: std::iter::once((heading, TITLE_PT))
                        .chain(e.answer.iter().map(|p| (p.clone(), BODY_PT)))
                        .collect(),
                    space_above: EXERCISE_GAP,
                    origin: (e.open, set.number, "worked answer"),
                }
            })
            .collect(),
    });
    problems.chain(answers).collect()
}

/// A paragraph's lines at `size`, set smaller only if a formula is wider than the page (or a
/// circuit taller than `height`): text never shrinks to save height, it flows on.
fn lay(paragraph: &Paragraph, size: f32, width: f32, height: f32) -> Block {
    let figure = matches!(paragraph.as_slice(), [run] if run.figure.is_some());
    let height = if figure { height } else { f32::INFINITY };
    fit(
        std::slice::from_ref(paragraph),
        width,
        height,
        size,
        false,
        MIN_READABLE_PT,
    )
}

/// Flows the sections onto pages `height` points tall: each section from a new page, a
/// paragraph that does not fit split between lines; and what had to shrink.
fn paginate(sections: &[Section], width: f32, height: f32) -> (Vec<Laid>, Vec<SheetShrunk>) {
    let mut pages: Vec<Laid> = Vec::new();
    let mut shrunk = Vec::new();
    for (s, section) in sections.iter().enumerate() {
        pages.push(Laid {
            section: s,
            blocks: Vec::new(),
        });
        let mut cursor = 0.0f32;
        for piece in &section.pieces {
            let blocks: Vec<Block> = piece
                .paragraphs
                .iter()
                .map(|(p, size)| lay(p, *size, width, height))
                .collect();
            for block in &blocks {
                note(block, piece.origin, &mut shrunk);
            }
            let mut space = if cursor > 0.0 { piece.space_above } else { 0.0 };
            for (k, block) in blocks.iter().enumerate() {
                if k > 0 && cursor > 0.0 {
                    space += block.paragraph_gap;
                }
                // A title, or a paragraph ending in a colon, stays with the next one's first
                // line (a circuit and the sentence introducing it are on one page).
                let next = blocks.get(k + 1).filter(|n| !n.lines.is_empty());
                let introduces = k == 0 || ends_with_colon(&piece.paragraphs[k].0);
                if let Some(next) = next.filter(|_| introduces) {
                    let keep = next.paragraph_gap + next.line_height(0);
                    if cursor > 0.0 && cursor + space + block.height() + keep > height + 0.01 {
                        new_page(&mut pages, s, &mut cursor, &mut space);
                    }
                }
                let n = block.lines.len();
                let mut start = 0;
                while start < n {
                    let room = height - cursor - space;
                    let (mut take, mut used) = (0, 0.0);
                    while start + take < n && used + block.line_height(start + take) <= room + 0.01
                    {
                        used += block.line_height(start + take);
                        take += 1;
                    }
                    if take == 0 && cursor > 0.0 {
                        new_page(&mut pages, s, &mut cursor, &mut space);
                        continue;
                    }
                    // A line taller than a whole page cannot be split: it stands alone.
                    if take == 0 {
                        take = 1;
                        used = block.line_height(start);
                    }
                    let page = pages.last_mut().expect("a section starts a page");
                    page.blocks
                        .push((block.lines_of(start..start + take), cursor + space));
                    cursor += space + used;
                    space = 0.0;
                    start += take;
                    if start < n {
                        new_page(&mut pages, s, &mut cursor, &mut space);
                    }
                }
            }
        }
    }
    (pages, shrunk)
}

/// Whether a paragraph's text ends with a colon (it introduces what follows).
fn ends_with_colon(paragraph: &Paragraph) -> bool {
    paragraph
        .last()
        .is_some_and(|r| r.math.is_none() && r.text.trim_end().ends_with(':'))
}

fn new_page(pages: &mut Vec<Laid>, section: usize, cursor: &mut f32, space: &mut f32) {
    pages.push(Laid {
        section,
        blocks: Vec::new(),
    });
    *cursor = 0.0;
    *space = 0.0;
}

/// Records a block set below a readable size, or holding a circuit that is.
fn note(
    block: &Block,
    (open, set, part): (usize, usize, &'static str),
    out: &mut Vec<SheetShrunk>,
) {
    if block.size < MIN_READABLE_PT {
        out.push(SheetShrunk {
            open,
            set,
            part,
            size: block.size,
            readable: MIN_READABLE_PT,
        });
    }
    if let Some(size) = figures(block)
        .map(|f| f.label_pt())
        .reduce(f32::min)
        .filter(|pt| *pt < MIN_FIGURE_PT - 1e-3)
    {
        out.push(SheetShrunk {
            open,
            set,
            part: if part == "statement" {
                "statement's circuit"
            } else {
                "worked answer's circuit"
            },
            size,
            readable: MIN_FIGURE_PT,
        });
    }
}

/// A hash of everything the sheet is made from, for its /ID.
fn fingerprint(title: &str, sets: &[PracticeSet], paper_mm: (f32, f32)) -> u64 {
    let runs = sets
        .iter()
        .flat_map(|s| &s.exercises)
        .flat_map(|e| {
            std::iter::once(&e.title)
                .chain(&e.statement)
                .chain(&e.answer)
        })
        .flatten();
    runs_fingerprint(title, runs, &format!("{paper_mm:?}"), 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Paragraph {
        vec![Run::text(Style::Regular, text)]
    }

    fn text_of(block: &Block) -> Vec<String> {
        block
            .lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn content_longer_than_a_page_continues_on_the_next_and_nothing_is_lost() {
        // Forty numbered paragraphs, one of them itself longer than a page.
        let mut paragraphs: Vec<(Paragraph, f32)> = (1..=40)
            .map(|i| {
                (
                    para(&format!("Paragraph {i} says something about step {i}.")),
                    BODY_PT,
                )
            })
            .collect();
        let long: String = (1..=400).map(|i| format!("w{i} ")).collect();
        paragraphs.insert(20, (para(long.trim_end()), BODY_PT));
        let sections = vec![Section {
            heading: "Sheet".into(),
            label: "Set 1 problems".into(),
            pieces: vec![Piece {
                paragraphs: paragraphs.clone(),
                space_above: EXERCISE_GAP,
                origin: (0, 1, "statement"),
            }],
        }];
        let (width, height) = (300.0, 200.0);
        let (pages, shrunk) = paginate(&sections, width, height);
        assert!(shrunk.is_empty(), "nothing shrinks: {shrunk:?}");
        assert!(pages.len() > 3, "{} pages", pages.len());
        for page in &pages {
            assert!(!page.blocks.is_empty(), "no empty page");
            for (block, top) in &page.blocks {
                assert_eq!(block.size, BODY_PT, "text keeps its size");
                assert!(
                    top + block.height() <= height + 0.01,
                    "inside the page: {top} + {}",
                    block.height()
                );
            }
        }
        // Every line of every paragraph, once and in order.
        let laid: Vec<String> = pages
            .iter()
            .flat_map(|p| &p.blocks)
            .flat_map(|(b, _)| text_of(b))
            .collect();
        let expected: Vec<String> = paragraphs
            .iter()
            .flat_map(|(p, size)| text_of(&wrap(std::slice::from_ref(p), width, *size, false)))
            .collect();
        assert_eq!(laid, expected);
        // The long paragraph starts on one page and ends on a later one.
        let holding = |word: &str| {
            pages
                .iter()
                .position(|p| {
                    p.blocks
                        .iter()
                        .any(|(b, _)| text_of(b).iter().any(|l| l.split(' ').any(|w| w == word)))
                })
                .expect("laid out")
        };
        assert!(holding("w1") < holding("w400"));
    }

    #[test]
    fn a_title_is_not_left_alone_at_the_foot_of_a_page() {
        let filler = Piece {
            paragraphs: vec![(para("filler"), BODY_PT); 9],
            space_above: 0.0,
            origin: (0, 1, "statement"),
        };
        let titled = Piece {
            paragraphs: vec![(para("Title"), TITLE_PT), (para("Its statement."), BODY_PT)],
            space_above: EXERCISE_GAP,
            origin: (1, 1, "statement"),
        };
        let sections = vec![Section {
            heading: "Sheet".into(),
            label: "Set 1".into(),
            pieces: vec![filler, titled],
        }];
        // Room for the filler and the title, not for the statement's first line too.
        let filler_h = 9.0 * BODY_PT * 1.25 + 8.0 * BODY_PT * 0.5;
        let height = filler_h + EXERCISE_GAP + TITLE_PT * 1.25 + 2.0;
        let (pages, _) = paginate(&sections, 300.0, height);
        assert_eq!(pages.len(), 2);
        let first = text_of(&pages[1].blocks[0].0);
        assert_eq!(first, ["Title"], "the title moved to the next page");
    }
}
