//! One card per page with printpdf: the question large and centred in the front half, a
//! dashed fold rule, the answer below it; or, for duplex printing, the question on one page
//! and the answer on the next. DejaVu Sans and DejaVu Math TeX Gyre are embedded as subsets
//! (allsorts), formulas drawn glyph by glyph where their layout put them, and nothing in the
//! file depends on the clock or on randomness, so two builds give the same bytes.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use flate2::{Compress, Compression, FlushCompress, Status};
use lopdf::{dictionary, Object, StringFormat};
use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LineDashPattern, LinePoint, Mm, Op, ParsedFont,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem, TextMatrix,
};

use super::content;
use super::figure::{self, FigureRun, MIN_FIGURE_PT};
use super::layout::{faces, figures, fit, line_width, used_chars, used_math_glyphs, wrap, Block};
use super::pdf_file;
use super::sheet::{sheets, Sheet};
use super::text::{Paragraph, Run, Style};
use super::DeckCard;
use crate::fingerprint::fnv1a;
use crate::typeset::font as math_font;
use crate::typeset::layout::Item;

/// How the cards are printed.
#[derive(Debug, Clone, Copy)]
pub struct PrintOptions {
    /// Page width and height in millimetres.
    pub page_mm: (f32, f32),
    /// Question and answer on separate pages, for double-sided printing.
    pub duplex: bool,
    /// Cut sheets: the cards several to a sheet with cut marks, instead of one per page.
    pub sheet: Option<Sheet>,
}

pub use crate::config::CARD_MARGIN as MARGIN;

/// The question's size: read at arm's length.
const QUESTION_PT: f32 = 18.0;
/// The answer's size.
const ANSWER_PT: f32 = 12.0;
const LABEL_PT: f32 = 7.0;

/// The smallest size card text may shrink to before the deck says so: below it, a printed
/// card is hard to read (issue #13).
pub const MIN_READABLE_PT: f32 = 7.0;

/// A card whose text had to shrink below [`MIN_READABLE_PT`] to fit, or whose circuit's labels
/// below [`MIN_FIGURE_PT`].
#[derive(Debug, Clone, PartialEq)]
pub struct Shrunk {
    /// Index of the card in the deck.
    pub card: usize,
    /// `"question"` or `"answer"`, or `"question's circuit"` or `"answer's circuit"`.
    pub side: &'static str,
    /// The size it was set at, in points.
    pub size: f32,
    /// The readable size it fell below, in points.
    pub readable: f32,
}

/// A deck's bytes and the cards that had to shrink below a readable size.
pub struct Deck {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Cards set smaller than [`MIN_READABLE_PT`].
    pub shrunk: Vec<Shrunk>,
}

/// A page's content before it becomes PDF operators: positioned blocks (each with its left
/// edge and top, in points) and lines.
pub(super) struct PageLayout {
    /// Small grey text: a card's label, a sheet's page number.
    pub(super) grey: Vec<(Block, f32, f32)>,
    /// The text, in black.
    pub(super) blocks: Vec<(Block, f32, f32)>,
    /// A card's dashed fold line, at this height.
    pub(super) fold: Option<f32>,
}

/// Millimetres in points.
pub(super) fn mm(x: f32) -> f32 {
    x * 72.0 / 25.4
}

/// The PDF of one deck.
pub fn deck_pdf(title: &str, cards: &[DeckCard], options: PrintOptions) -> Vec<u8> {
    deck(title, cards, options).bytes
}

/// The PDF of one deck, and the cards whose text shrank below a readable size.
pub fn deck(title: &str, cards: &[DeckCard], options: PrintOptions) -> Deck {
    let (document, shrunk) = deck_document(title, cards, options);
    Deck {
        bytes: document.save(),
        shrunk,
    }
}

/// A document made, not yet written: printpdf's document, its pages' labels and the hash its
/// /ID is made from.
pub(super) struct Unsaved {
    pub(super) doc: PdfDocument,
    pub(super) labels: Vec<String>,
    pub(super) fingerprint: u64,
}

impl Unsaved {
    /// The PDF's bytes.
    pub(super) fn save(self) -> Vec<u8> {
        save(self.doc, &self.labels, self.fingerprint, Streams::Own)
    }
}

/// A deck's document, and the cards whose text shrank below a readable size.
fn deck_document(title: &str, cards: &[DeckCard], options: PrintOptions) -> (Unsaved, Vec<Shrunk>) {
    let (w, h) = (mm(options.page_mm.0), mm(options.page_mm.1));
    let margin = w.min(h) * MARGIN;
    let inner_w = w - 2.0 * margin;
    let label_h = LABEL_PT * 2.0;
    let n = cards.len();
    let mut pages: Vec<(String, PageLayout)> = Vec::new();
    let mut shrunk = Vec::new();
    let mut note = |card: usize, side: &'static str, block: &Block| {
        if block.size < MIN_READABLE_PT {
            shrunk.push(Shrunk {
                card,
                side,
                size: block.size,
                readable: MIN_READABLE_PT,
            });
        }
        // One warning per side for its smallest circuit.
        let smallest = figures(block).map(FigureRun::label_pt).reduce(f32::min);
        if let Some(size) = smallest.filter(|pt| *pt < MIN_FIGURE_PT - 1e-3) {
            shrunk.push(Shrunk {
                card,
                side: if side == "question" {
                    "question's circuit"
                } else {
                    "answer's circuit"
                },
                size,
                readable: MIN_FIGURE_PT,
            });
        }
    };

    for (i, card) in cards.iter().enumerate() {
        let label_text =
            |side: &str| (title.to_string(), format!(" · card {} of {n}{side}", i + 1));
        let top = h - margin - label_h;
        if options.duplex {
            for (side, paragraphs, start, centre) in [
                ("question", &card.question, QUESTION_PT * 1.2, true),
                ("answer", &card.answer, ANSWER_PT * 1.3, false),
            ] {
                let avail = top - margin;
                let block = fit(paragraphs, inner_w, avail, start, centre, MIN_READABLE_PT);
                note(i, side, &block);
                let label = label_block(label_text(&format!(" · {side}")), inner_w);
                let label_name = format!(
                    "Card {}{}",
                    i + 1,
                    if side == "question" {
                        " front"
                    } else {
                        " back"
                    }
                );
                // A question stands in the middle of its page; an answer reads from the top.
                let y = if centre {
                    top - (avail - block.height()).max(0.0) / 2.0
                } else {
                    top
                };
                pages.push((
                    label_name,
                    PageLayout {
                        grey: vec![(label, margin, h - margin)],
                        blocks: vec![(block, margin, y)],
                        fold: None,
                    },
                ));
            }
        } else {
            let fold = h * 0.5;
            let gap = ANSWER_PT;
            let avail = top - fold - gap;
            let question = fit(
                &card.question,
                inner_w,
                avail,
                QUESTION_PT,
                true,
                MIN_READABLE_PT,
            );
            note(i, "question", &question);
            let answer = fit(
                &card.answer,
                inner_w,
                fold - gap - margin,
                ANSWER_PT,
                false,
                MIN_READABLE_PT,
            );
            note(i, "answer", &answer);
            let label = label_block(label_text(""), inner_w);
            // The question is centred in the front half, between the label and the fold.
            let q_top = top - (avail - question.height()).max(0.0) / 2.0;
            pages.push((
                format!("Card {}", i + 1),
                PageLayout {
                    grey: vec![(label, margin, h - margin)],
                    blocks: vec![(question, margin, q_top), (answer, margin, fold - gap)],
                    fold: Some(fold),
                },
            ));
        }
    }

    let mut doc = PdfDocument::new(title);
    let fonts = Fonts::embed(&mut doc, pages.iter().map(|(_, p)| p));
    let card_ops: Vec<Vec<Op>> = pages
        .iter()
        .map(|(_, page)| ops(page, &fonts, margin, w))
        .collect();
    // The PDF page each card page ends up on (0-based), and each PDF page's label.
    let (on_page, labels): (Vec<usize>, Vec<String>) = match options.sheet {
        None => {
            for ops in card_ops {
                doc.pages.push(PdfPage::new(
                    Mm(options.page_mm.0),
                    Mm(options.page_mm.1),
                    ops,
                ));
            }
            (
                (0..pages.len()).collect(),
                pages.iter().map(|(l, _)| l.clone()).collect(),
            )
        }
        Some(sheet) => {
            let (grid, sheet_pages, sheet_of) = sheets(card_ops, (w, h), sheet, options.duplex);
            let to_mm = |pt: f32| Mm(pt * 25.4 / 72.0);
            let mut labels = Vec::new();
            for page in sheet_pages {
                doc.pages.push(PdfPage::new(
                    to_mm(grid.sheet.0),
                    to_mm(grid.sheet.1),
                    page.ops,
                ));
                labels.push(page.label);
            }
            (sheet_of, labels)
        }
    };
    for (i, card) in cards.iter().enumerate() {
        let card_page = if options.duplex { 2 * i } else { i };
        doc.add_bookmark(&bookmark(&card.question, i), on_page[card_page] + 1);
    }
    let document = Unsaved {
        doc,
        labels,
        fingerprint: fingerprint(title, cards, options),
    };
    (document, shrunk)
}

/// The fonts a deck's pages use: DejaVu faces by style, and the math font (when the deck has
/// formulas) with each full-font glyph id's id in the subset.
pub(super) struct Fonts {
    text: BTreeMap<Style, FontId>,
    math: Option<(FontId, Arc<HashMap<u16, u16>>)>,
}

impl Fonts {
    /// The faces `pages` set, each subset to what it sets and embedded in `doc`.
    pub(super) fn embed<'a>(
        doc: &mut PdfDocument,
        pages: impl Iterator<Item = &'a PageLayout> + Clone,
    ) -> Fonts {
        let blocks = pages.flat_map(|p| p.grey.iter().chain(&p.blocks).map(|(b, _, _)| b));
        Fonts {
            text: embed_fonts(doc, &used_chars(blocks.clone())),
            math: embed_math_font(doc, &used_math_glyphs(blocks)),
        }
    }
}

/// A hash of everything a deck is made from, for its /ID.
fn fingerprint(title: &str, cards: &[DeckCard], options: PrintOptions) -> u64 {
    let runs = cards
        .iter()
        .flat_map(|c| c.question.iter().chain(&c.answer))
        .flatten();
    runs_fingerprint(title, runs, &format!("{options:?}"), 0)
}

/// A hash of a document's title, its text runs and `settings`, for its /ID; `seed` tells
/// kinds of document apart.
pub(super) fn runs_fingerprint<'r>(
    title: &str,
    runs: impl Iterator<Item = &'r Run>,
    settings: &str,
    seed: u64,
) -> u64 {
    let bytes = title
        .bytes()
        .chain(runs.flat_map(|r| {
            std::iter::once(r.style as u8)
                .chain(r.text.bytes())
                .chain([0])
        }))
        .chain(settings.bytes());
    fnv1a(bytes, seed)
}

/// The small line at the top of a card: the deck's title, shortened with "…" when needed so
/// that the card number always shows.
fn label_block((title, suffix): (String, String), width: f32) -> Block {
    let line = |text: String| vec![vec![Run::text(Style::Regular, text)]];
    let mut kept: String = title.clone();
    loop {
        let shown = if kept.len() == title.len() {
            format!("{kept}{suffix}")
        } else {
            format!("{}…{suffix}", kept.trim_end())
        };
        let block = wrap(&line(shown), width, LABEL_PT, false);
        if block.lines.len() <= 1 || kept.is_empty() {
            return block;
        }
        kept.pop();
    }
}

fn bookmark(question: &[Paragraph], i: usize) -> String {
    let text: String = question
        .iter()
        .flatten()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    let short: String = text.chars().take(60).collect();
    format!(
        "{}. {}{}",
        i + 1,
        short,
        if text.chars().count() > 60 { "…" } else { "" }
    )
}

/// Subset fonts already made in this process, by face and character set: decks of one course
/// mostly use the same characters, and subsetting is the costly part of a small deck.
type SubsetCache = Mutex<HashMap<(Style, BTreeSet<char>), Arc<ParsedFont>>>;

fn subset_cache() -> &'static SubsetCache {
    static CACHE: OnceLock<SubsetCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The face subset to `chars`, named with its subset tag.
fn subset_face(style: Style, chars: &BTreeSet<char>) -> Arc<ParsedFont> {
    let key = (style, chars.clone());
    if let Some(font) = subset_cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
    {
        return Arc::clone(font);
    }
    let face = &faces()[&style];
    let bytes = subset_font(face.bytes, &face.font, chars).unwrap_or_else(|_| face.bytes.to_vec());
    let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
        .expect("a subset of a valid font parses");
    // The six-letter tag marks a subset (PDF 32000 §9.6.4); it is derived from the characters
    // so that the same deck always gets the same tag.
    font.font_name = Some(format!("{}+{}", subset_tag(chars), face.name));
    let font = Arc::new(font);
    let mut cache = subset_cache().lock().unwrap_or_else(|p| p.into_inner());
    // Bounded: a build with very many different character sets just stops caching.
    if cache.len() < 1024 {
        cache.insert(key, Arc::clone(&font));
    }
    font
}

/// Subsets each face to the characters it sets and registers it under a fixed name.
fn embed_fonts(
    doc: &mut PdfDocument,
    used: &BTreeMap<Style, BTreeSet<char>>,
) -> BTreeMap<Style, FontId> {
    let mut ids = BTreeMap::new();
    for (style, chars) in used {
        let font = subset_face(*style, chars);
        let id = FontId(format!("F{}", faces()[style].name.replace('-', "")));
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new((*font).clone()));
        ids.insert(*style, id);
    }
    ids
}

/// Math subsets already made in this process, by glyph set (as [`subset_cache`] for text).
type MathSubsetCache = Mutex<HashMap<BTreeSet<u16>, (Arc<ParsedFont>, Arc<HashMap<u16, u16>>)>>;

/// Subsets the math font to `glyphs` and registers it, when the deck has formulas. Formulas
/// name glyphs, not characters (a big parenthesis has no code point of its own), so the
/// subset is made by glyph id, and the map says where each glyph went.
fn embed_math_font(
    doc: &mut PdfDocument,
    glyphs: &BTreeSet<u16>,
) -> Option<(FontId, Arc<HashMap<u16, u16>>)> {
    if glyphs.is_empty() {
        return None;
    }
    static CACHE: OnceLock<MathSubsetCache> = OnceLock::new();
    let cache = || {
        CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    };
    let cached = cache().get(glyphs).cloned();
    let (font, remap) = match cached {
        Some(hit) => hit,
        None => {
            let ids: Vec<u16> = std::iter::once(0).chain(glyphs.iter().copied()).collect();
            let (bytes, remap): (Vec<u8>, HashMap<u16, u16>) =
                match subset_glyphs(math_font::BYTES, &ids) {
                    // allsorts numbers the subset's glyphs in the order they were asked for.
                    Ok(bytes) => (
                        bytes,
                        ids.iter()
                            .enumerate()
                            .map(|(new, old)| (*old, new as u16))
                            .collect(),
                    ),
                    Err(_) => (
                        math_font::BYTES.to_vec(),
                        ids.iter().map(|g| (*g, *g)).collect(),
                    ),
                };
            let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
                .expect("a subset of a valid font parses");
            let tag = tag_of(glyphs.iter().map(|g| u32::from(*g)));
            font.font_name = Some(format!("{tag}+{}", math_font::NAME));
            let entry = (Arc::new(font), Arc::new(remap));
            let mut cache = cache();
            if cache.len() < 1024 {
                cache.insert(glyphs.clone(), entry.clone());
            }
            entry
        }
    };
    let id = FontId("FDejaVuMath".into());
    doc.resources
        .fonts
        .map
        .insert(id.clone(), PdfFont::new((*font).clone()));
    Some((id, remap))
}

/// A subset of the font `full` holding the glyphs `ids` (glyph 0 first), in that order.
fn subset_glyphs(full: &[u8], ids: &[u16]) -> Result<Vec<u8>, String> {
    let data = ReadScope::new(full)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    let provider = data.table_provider(0).map_err(|e| e.to_string())?;
    subset(&provider, ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| e.to_string())
}

fn subset_font(full: &[u8], font: &ParsedFont, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let gids: BTreeSet<u16> = chars
        .iter()
        .filter_map(|c| font.lookup_glyph_index(*c as u32))
        .filter(|g| *g != 0)
        .collect();
    let ids: Vec<u16> = std::iter::once(0).chain(gids).collect();
    let data = ReadScope::new(full)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    let provider = data.table_provider(0).map_err(|e| e.to_string())?;
    subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| e.to_string())
}

/// A hash of a long byte string eight bytes at a time (FxHash's mixing): the font programs
/// are hashed once per deck, where a byte-wise hash showed in the profile. Weak (some pairs of
/// nearby bit flips cancel), so a hit is always confirmed by comparing the bytes.
fn word_hash(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    let h = chunks.by_ref().fold(0, |h, c| {
        mix(h, u64::from_le_bytes(c.try_into().unwrap_or_default()))
    });
    chunks
        .remainder()
        .iter()
        .fold(h, |h, b| mix(h, u64::from(*b)))
}

fn subset_tag(chars: &BTreeSet<char>) -> String {
    tag_of(chars.iter().map(|c| *c as u32))
}

/// Six capital letters derived from a set of characters or glyph ids.
fn tag_of(items: impl Iterator<Item = u32>) -> String {
    let mut h = fnv1a(items.flat_map(|c| c.to_le_bytes()), 0);
    (0..6)
        .map(|_| {
            let c = (b'A' + (h % 26) as u8) as char;
            h /= 26;
            c
        })
        .collect()
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

/// A rule of a formula (fraction bar, radical overline): x, y, width, height in points.
type Rule = (f32, f32, f32, f32);

/// A circuit figure placed on a page: the figure, its left edge and its line's top in points.
type Placed<'a> = (&'a FigureRun, f32, f32);

/// Paths cannot be drawn inside a text object, so formulas' rules and circuit figures are
/// collected here and drawn after it.
#[derive(Default)]
struct Drawings<'a> {
    rules: Vec<Rule>,
    figures: Vec<Placed<'a>>,
}

fn text_ops<'a>(
    block: &'a Block,
    x: f32,
    top: f32,
    fonts: &Fonts,
    ops: &mut Vec<Op>,
    drawings: &mut Drawings<'a>,
) {
    let size = block.size;
    let mut y = top - size;
    // The font stays set across lines within a text object, so it is set only when it changes.
    let mut current: Option<(FontId, f32)> = None;
    let mut set_font = |ops: &mut Vec<Op>, id: &FontId, pt: f32| {
        if current.as_ref() != Some(&(id.clone(), pt)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: Pt(pt),
            });
            current = Some((id.clone(), pt));
        }
    };
    for (i, line) in block.lines.iter().enumerate() {
        if i > 0 && block.paragraph_starts.contains(&i) {
            y -= block.paragraph_gap;
        }
        let (above, below) = block.extra.get(i).copied().unwrap_or_default();
        y -= above;
        let mut lx = x + block.indent.get(i).copied().unwrap_or_default();
        // Text flows on from where the last text ended; after a formula it is placed anew.
        let mut placed = false;
        for seg in line {
            if let Some(run) = &seg.figure {
                // The line's top: its baseline is a text size below it.
                drawings.figures.push((run, lx, y + size));
                lx += run.width();
                placed = false;
                continue;
            }
            match &seg.math {
                Some(math) => {
                    for item in &math.boxed.items {
                        match item {
                            Item::Glyph {
                                x: gx,
                                y: gy,
                                scale,
                                gid,
                                text,
                            } => {
                                let Some((id, remap)) = &fonts.math else {
                                    continue;
                                };
                                ops.push(Op::SetTextMatrix {
                                    matrix: TextMatrix::Translate(
                                        Pt(lx + gx * size),
                                        Pt(y + gy * size),
                                    ),
                                });
                                set_font(ops, id, size * scale);
                                ops.push(Op::ShowText {
                                    items: vec![TextItem::GlyphIds(vec![Codepoint {
                                        gid: remap.get(gid).copied().unwrap_or(0),
                                        offset: 0.0,
                                        cid: Some(text.clone()),
                                    }])],
                                });
                            }
                            Item::Rule { x: rx, y: ry, w, h } => drawings.rules.push((
                                lx + rx * size,
                                y + ry * size,
                                w * size,
                                h * size,
                            )),
                        }
                    }
                    lx += math.boxed.width * size;
                    placed = false;
                }
                None => {
                    if !placed {
                        ops.push(Op::SetTextMatrix {
                            matrix: TextMatrix::Translate(Pt(lx), Pt(y)),
                        });
                        placed = true;
                    }
                    set_font(ops, &fonts.text[&seg.style], size);
                    ops.push(Op::ShowText {
                        items: vec![TextItem::Text(seg.text.clone())],
                    });
                    lx += line_width(std::slice::from_ref(seg), size);
                }
            }
        }
        y -= block.leading + below;
    }
}

/// Fills the formulas' rules, as thick lines (a bar is a line as wide as the bar is thick).
fn rule_ops(rules: &[Rule], ops: &mut Vec<Op>) {
    if rules.is_empty() {
        return;
    }
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetOutlineColor { col: grey(0.0) });
    for &(x, y, w, h) in rules {
        ops.push(Op::SetOutlineThickness { pt: Pt(h) });
        ops.push(Op::DrawLine {
            line: Line {
                points: [x, x + w]
                    .into_iter()
                    .map(|px| LinePoint {
                        p: Point {
                            x: Pt(px),
                            y: Pt(y + h / 2.0),
                        },
                        bezier: false,
                    })
                    .collect(),
                is_closed: false,
            },
        });
    }
    ops.push(Op::RestoreGraphicsState);
}

/// The operators that draw `page`, `w` points wide (a fold line runs between the margins).
pub(super) fn ops(page: &PageLayout, fonts: &Fonts, margin: f32, w: f32) -> Vec<Op> {
    let mut ops = Vec::new();
    if let Some(fold) = page.fold {
        ops.extend([
            Op::SaveGraphicsState,
            Op::SetOutlineColor { col: grey(0.6) },
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::SetLineDashPattern {
                dash: LineDashPattern::new(0.0, &[3.0, 3.0]),
            },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Pt(margin),
                                y: Pt(fold),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(w - margin),
                                y: Pt(fold),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
            Op::RestoreGraphicsState,
        ]);
    }
    let mut drawings = Drawings::default();
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFillColor { col: grey(0.35) });
    for (block, x, top) in &page.grey {
        text_ops(block, *x, *top, fonts, &mut ops, &mut drawings);
    }
    ops.push(Op::SetFillColor { col: grey(0.0) });
    for (block, x, top) in &page.blocks {
        text_ops(block, *x, *top, fonts, &mut ops, &mut drawings);
    }
    ops.push(Op::EndTextSection);
    rule_ops(&drawings.rules, &mut ops);
    for (run, x, top) in drawings.figures {
        figure::draw(run, x, top, &fonts.text, &mut ops);
    }
    ops
}

/// The subset font programs and their ToUnicode maps repeat from deck to deck; their
/// compressed bytes are kept, found by length and hash and confirmed by comparing the bytes
/// (the hash alone could collide and put one deck's font into another).
type DeflateCache = Mutex<HashMap<(usize, u64), (Arc<Vec<u8>>, Arc<Vec<u8>>)>>;

/// `content` compressed, or `None` when compressing would not make it smaller. A font's
/// stream (`font` true) is looked up in, and added to, the cache of earlier decks' fonts.
fn deflate(content: &[u8], font: bool) -> Option<Arc<Vec<u8>>> {
    static CACHE: OnceLock<DeflateCache> = OnceLock::new();
    let cache = || {
        CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    };
    let key = (content.len(), if font { word_hash(content) } else { 0 });
    if font {
        if let Some((original, compressed)) = cache().get(&key) {
            if original.as_slice() == content {
                return Some(Arc::clone(compressed));
            }
        }
    }
    let compressed = Arc::new(zlib(content)?);
    if compressed.len() >= content.len() {
        return None;
    }
    if font {
        let mut cache = cache();
        // Bounded: a build with very many different fonts just stops caching.
        if cache.len() < 1024 {
            cache
                .entry(key)
                .or_insert_with(|| (Arc::new(content.to_vec()), Arc::clone(&compressed)));
        }
    }
    Some(compressed)
}

/// `content` in a zlib stream at the fast level. Each thread keeps one compressor: a new one
/// zeroes some 300 KB of tables, which cost more than compressing a card's page.
fn zlib(content: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), true));
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor.reset();
        let mut out = Vec::with_capacity(content.len() / 2 + 64);
        loop {
            let read = compressor.total_in() as usize;
            let status = compressor
                .compress_vec(&content[read..], &mut out, FlushCompress::Finish)
                .ok()?;
            if status == Status::StreamEnd {
                return Some(out);
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

/// Each page's content stream, its operators taken out of `doc` and replaced by one page
/// showing every glyph in use; or `None`, with `doc` untouched, when a page has something
/// [`content::encode`] does not write.
fn page_streams(doc: &mut PdfDocument) -> Option<Vec<Vec<u8>>> {
    let faces: content::Faces = doc
        .resources
        .fonts
        .map
        .iter()
        .map(|(id, font)| (id.clone(), content::Face::new(&font.parsed_font)))
        .collect();
    let used = content::used_glyphs(doc.pages.iter().map(|p| p.ops.as_slice()), &faces);
    // printpdf embeds only fonts with glyphs in use; text in any other would be its own
    // fallback encoding, which `encode` refuses.
    let embedded: content::Faces = faces
        .into_iter()
        .filter(|(id, _)| used.get(id).is_some_and(|g| !g.is_empty()))
        .collect();
    let streams = doc
        .pages
        .iter()
        .map(|page| content::encode(&page.ops, &embedded))
        .collect::<Option<Vec<_>>>()?;
    let mut first = Some(content::showing(&used));
    for page in &mut doc.pages {
        page.ops = first.take().unwrap_or_default();
    }
    Some(streams)
}

/// Who writes the pages' content streams.
#[derive(Clone, Copy)]
enum Streams {
    /// [`content::encode`], where it can, and the file by [`pdf_file::to_bytes`].
    Own,
    /// printpdf, and the file by lopdf (the tests hold the two to the same bytes).
    #[cfg_attr(not(test), allow(dead_code))]
    Printpdf,
}

/// Serialises with /PageLabels and a content-derived /ID (printpdf writes no labels and a
/// random ID), compressing streams at a fast level: most of a deck is its font program, and
/// the best level costs several times the time for a few percent of size.
///
/// The pages' content streams are written by [`content::encode`]; printpdf makes the rest of
/// the document from pages that only show the glyphs in use (so that it embeds the fonts as
/// it would for the full pages), each page's stream is put in its place, and
/// [`pdf_file::to_bytes`] writes the file as lopdf would. A page `encode` cannot write leaves
/// the whole document to printpdf, a document `to_bytes` cannot write to lopdf.
fn save(mut doc: PdfDocument, labels: &[String], fingerprint: u64, how: Streams) -> Vec<u8> {
    let options = PdfSaveOptions {
        subset_fonts: false,
        optimize: false,
        ..Default::default()
    };
    let streams = match how {
        Streams::Own => page_streams(&mut doc),
        Streams::Printpdf => None,
    };
    let mut lo = doc.to_lopdf_document(&options, &mut Vec::new());
    // Each page's content stream, in page order (printpdf writes one for every page).
    let contents: Vec<Option<lopdf::ObjectId>> = lo
        .get_pages()
        .values()
        .map(|page| {
            let page = lo.get_dictionary(*page).ok()?;
            page.get(b"Contents").and_then(Object::as_reference).ok()
        })
        .collect();
    if let Some(streams) = streams {
        for (content, stream) in contents.iter().zip(streams) {
            if let Some(Ok(Object::Stream(s))) = content.map(|id| lo.get_object_mut(id)) {
                s.set_content(stream);
            }
        }
    }
    let nums: Vec<Object> = labels
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            [
                Object::Integer(i as i64),
                dictionary! { "P" => Object::string_literal(l.as_str()) }.into(),
            ]
        })
        .collect();
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("PageLabels", dictionary! { "Nums" => nums });
    }
    // A page's content is its own; every other stream is a font's (its program, its
    // ToUnicode map), which repeat from deck to deck.
    let contents: BTreeSet<lopdf::ObjectId> = contents.into_iter().flatten().collect();
    for (id, object) in lo.objects.iter_mut() {
        if let Object::Stream(stream) = object {
            if stream.dict.get(b"Filter").is_err() {
                let shared = !contents.contains(id);
                if let Some(compressed) = deflate(&stream.content, shared) {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(compressed.to_vec());
                }
            }
        }
    }
    let id: Vec<u8> = [fingerprint, fnv1a(fingerprint.to_le_bytes(), 1)]
        .iter()
        .flat_map(|h| h.to_be_bytes())
        .collect();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    let written = match how {
        Streams::Own => pdf_file::to_bytes(&mut lo),
        Streams::Printpdf => None,
    };
    written.unwrap_or_else(|| {
        let mut out = Vec::new();
        lo.save_to(&mut out)
            .expect("writing a PDF to memory cannot fail");
        out
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::load_course;
    use crate::print::page_deck;
    use crate::print::practice::practice_sets;
    use crate::print::practice_pdf::practice_document;
    use crate::verify::verify_course;

    /// A6 cards one to a page and duplex, and on cut sheets of four (A4) and of eight
    /// (US Letter, duplex).
    fn layouts() -> [PrintOptions; 4] {
        [
            (false, None),
            (true, None),
            (false, Some((4, (210.0, 297.0)))),
            (true, Some((8, (215.9, 279.4)))),
        ]
        .map(|(duplex, sheet)| PrintOptions {
            page_mm: (148.0, 105.0),
            duplex,
            sheet: sheet.map(|(per_sheet, paper_mm)| Sheet {
                paper_mm,
                per_sheet,
            }),
        })
    }

    /// The bytes written both ways, which must be the same.
    fn same_both_ways(what: &str, document: Unsaved) {
        let Unsaved {
            doc,
            labels,
            fingerprint,
        } = document;
        let printpdf = save(doc.clone(), &labels, fingerprint, Streams::Printpdf);
        let own = save(doc, &labels, fingerprint, Streams::Own);
        assert!(
            own == printpdf,
            "{what}: the PDF written here differs from printpdf's and lopdf's"
        );
    }

    /// Every deck and practice sheet of the sample course and of the print fixtures (text,
    /// formulas, circuits, variants), one card per page and duplex, on cut sheets of four and
    /// of eight: written with the streams and the file made here, each is the PDF printpdf
    /// and lopdf write alone.
    #[test]
    fn content_streams_are_the_ones_printpdf_writes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = root.join("tests/fixtures/print");
        let mut decks = 0;
        let mut sheets = 0;
        for course_dir in [
            root.to_path_buf(),
            fixtures.join("circuit-deck"),
            fixtures.join("math-deck"),
        ] {
            let (course, errors) = load_course(&course_dir);
            assert!(errors.is_empty(), "{}", errors.render());
            let verifications = verify_course(&course).expect("the course verifies");
            for (page, verification) in course.pages().zip(&verifications) {
                let cards = page_deck(page, verification).expect("every card prints");
                for print in layouts() {
                    if cards.is_empty() {
                        continue;
                    }
                    let (document, _) = deck_document(page.title(), &cards, print);
                    assert!(page_streams(&mut document.doc.clone()).is_some());
                    same_both_ways(&format!("{} {print:?}", page.url), document);
                    decks += 1;
                }
                let sets = practice_sets(page, verification, 3).expect("the sets print");
                if sets.iter().any(|s| !s.exercises.is_empty()) {
                    let (document, _) = practice_document(page.title(), &sets, (210.0, 297.0));
                    assert!(page_streams(&mut document.doc.clone()).is_some());
                    same_both_ways(&format!("{} practice sheet", page.url), document);
                    sheets += 1;
                }
            }
        }
        assert!(decks >= 12, "{decks} decks compared");
        assert!(sheets >= 1, "{sheets} practice sheets compared");
    }

    /// Decks of text the sample does not have: every style, characters no bundled face has
    /// (set as U+FFFD), astral characters (a surrogate pair in a bookmark), empty sides, text
    /// long enough to shrink, and titles with unbalanced parentheses, backslashes and
    /// non-ASCII letters — the same bytes both ways, in every layout.
    #[test]
    fn unusual_text_is_written_as_printpdf_writes_it() {
        use crate::print::text::Run;
        let para = |style: Style, text: &str| vec![Run::text(style, text)];
        let long: String = (1..=400).map(|i| format!("word{i} ")).collect();
        let cards = vec![
            DeckCard {
                question: vec![
                    para(Style::Bold, "Bold (unbalanced"),
                    para(Style::Italic, "italic \\ back) slash"),
                ],
                answer: vec![para(Style::Mono, "mono {braces} [brackets] <angles> 100%")],
            },
            DeckCard {
                question: vec![para(Style::Regular, "Ünïcødé, 漢字, emoji 😀, ligature ﬁ")],
                answer: vec![para(Style::Regular, "")],
            },
            DeckCard {
                question: vec![],
                answer: vec![para(Style::Regular, &long)],
            },
        ];
        for title in [
            "Plain",
            "A (title) with ) unbalanced ( and \\ back",
            "Café 😀 ∂σ",
        ] {
            for print in layouts() {
                let (document, _) = deck_document(title, &cards, print);
                // Written here, not left to printpdf.
                assert!(page_streams(&mut document.doc.clone()).is_some());
                same_both_ways(&format!("{title} {print:?}"), document);
            }
        }
    }
}
