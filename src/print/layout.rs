//! Wraps styled paragraphs into lines that fit a box, using the real fonts' advance widths
//! (and a formula's laid-out width), and shrinks the text until it fits: card text never
//! overflows its page. A line holding a tall formula gets the room it needs above and below; a
//! circuit figure stands on a line of its own and gives up height before the text does.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use printpdf::ParsedFont;

use super::figure::{self, FigureRun, MIN_FIGURE_PT};
use super::text::{MathRun, Paragraph, Style};
use crate::typeset::layout::Item;

/// One font face: its bytes and its parsed metrics.
pub struct Face {
    /// The TrueType file.
    pub bytes: &'static [u8],
    /// Glyph lookup and widths.
    pub font: ParsedFont,
    /// PostScript name, for the PDF.
    pub name: &'static str,
}

/// The four DejaVu faces, parsed once per process.
pub fn faces() -> &'static BTreeMap<Style, Face> {
    static FACES: OnceLock<BTreeMap<Style, Face>> = OnceLock::new();
    FACES.get_or_init(|| {
        [
            (Style::Regular, dejavu::sans::regular(), "DejaVuSans"),
            (Style::Bold, dejavu::sans::bold(), "DejaVuSans-Bold"),
            (Style::Italic, dejavu::sans::oblique(), "DejaVuSans-Oblique"),
            (Style::Mono, dejavu::sans_mono::regular(), "DejaVuSansMono"),
        ]
        .into_iter()
        .map(|(style, bytes, name)| {
            let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
                .expect("the bundled DejaVu fonts parse");
            (style, Face { bytes, font, name })
        })
        .collect()
    })
}

/// A stretch of one line in one face, or one formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The face (a character a face lacks is set in DejaVu Sans instead).
    pub style: Style,
    /// The text, including any leading space (for a formula, what its glyphs stand for).
    pub text: String,
    /// The formula, when the segment is one.
    pub math: Option<Arc<MathRun>>,
    /// The circuit figure, when the segment is one (alone on its line).
    pub figure: Option<FigureRun>,
}

/// Ascent of a line of text, in em: a formula reaching higher gets extra room above.
const TEXT_ASCENT: f32 = 0.95;
/// Depth of a line of text, in em (the rest of the leading).
const TEXT_DEPTH: f32 = 0.3;

/// Lines of text at one size.
#[derive(Debug, Clone)]
pub struct Block {
    /// Font size in points.
    pub size: f32,
    /// Distance between baselines in points.
    pub leading: f32,
    /// Each line's segments.
    pub lines: Vec<Vec<Segment>>,
    /// Space between paragraphs, in points.
    pub paragraph_gap: f32,
    /// Index of the first line of each paragraph.
    pub paragraph_starts: Vec<usize>,
    /// Per line: extra room above and below it for a formula taller than text, in points.
    pub extra: Vec<(f32, f32)>,
    /// Per line: its offset from the left edge (non-zero for a centred line), in points.
    pub indent: Vec<f32>,
    /// The widest line, in points (a formula cannot break, so it may exceed the box).
    pub widest: f32,
}

impl Block {
    /// Height the block takes, in points.
    pub fn height(&self) -> f32 {
        if self.lines.is_empty() {
            return 0.0;
        }
        let gaps = self.paragraph_starts.len().saturating_sub(1) as f32;
        let extra: f32 = self.extra.iter().map(|(a, b)| a + b).sum();
        self.lines.len() as f32 * self.leading + gaps * self.paragraph_gap + extra
    }

    /// Height of line `i` alone: the leading and its formula's extra room (a paragraph's gap
    /// above it not included).
    pub fn line_height(&self, i: usize) -> f32 {
        let (above, below) = self.extra.get(i).copied().unwrap_or_default();
        self.leading + above + below
    }

    /// Lines `range` of the block, as a block of their own (one paragraph: a page break
    /// inside a paragraph splits it).
    pub fn lines_of(&self, range: std::ops::Range<usize>) -> Block {
        Block {
            size: self.size,
            leading: self.leading,
            lines: self.lines[range.clone()].to_vec(),
            paragraph_gap: self.paragraph_gap,
            paragraph_starts: vec![0],
            extra: self.extra[range.clone()].to_vec(),
            indent: self.indent[range].to_vec(),
            widest: self.widest,
        }
    }
}

/// Characters below this have their face and advance in a table, filled once per process
/// (every character of a card is measured, and the font's own maps are B-trees).
const TABLE: usize = 0x2800;

/// Per style (by [`Style`]'s order), per character: the face that sets it and its advance in
/// em. An array, not a map by style: every character of a card is looked up two or three
/// times.
type MetricsTable = [Vec<Option<(Style, f32)>>; 4];

/// For each style and character below [`TABLE`]: the face that sets it and its advance in
/// em (`None` when even Regular lacks it).
fn metrics_table() -> &'static MetricsTable {
    static TABLE_CELL: OnceLock<MetricsTable> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        [Style::Regular, Style::Bold, Style::Italic, Style::Mono].map(|style| {
            (0..TABLE as u32)
                .map(|cp| char::from_u32(cp).and_then(|c| lookup(style, c)))
                .collect()
        })
    })
}

/// The face that sets `c` in `style` (its own, or Regular when it lacks the glyph) and the
/// advance in em.
fn lookup(style: Style, c: char) -> Option<(Style, f32)> {
    [style, Style::Regular].into_iter().find_map(|s| {
        let font = &faces()[&s].font;
        let gid = font.lookup_glyph_index(c as u32)?;
        Some((
            s,
            font.get_glyph_width(gid).unwrap_or(0) as f32 / font.units_per_em as f32,
        ))
    })
}

/// [`lookup`], from the table when `c` is in it.
fn known(style: Style, c: char) -> Option<(Style, f32)> {
    match metrics_table()[style as usize].get(c as usize) {
        Some(found) => *found,
        None => lookup(style, c),
    }
}

/// The face that sets `c` in `style` and its advance in em; Regular's replacement
/// character's when no face has `c`.
fn metrics(style: Style, c: char) -> (Style, f32) {
    known(style, c)
        .unwrap_or_else(|| lookup(Style::Regular, REPLACEMENT).unwrap_or((Style::Regular, 0.0)))
}

/// Set in place of a character no DejaVu face has (CJK, emoji), so it shows as missing
/// instead of vanishing.
const REPLACEMENT: char = '\u{fffd}';

/// `c`, or [`REPLACEMENT`] when no face can set it, and the face that sets it.
fn printable(style: Style, c: char) -> (char, Style) {
    match known(style, c) {
        Some((face, _)) => (c, face),
        None => (REPLACEMENT, metrics(style, REPLACEMENT).0),
    }
}

/// What [`printable`] and [`metrics`] give for `c`: the character shown, its face, and the
/// advance of `c` in em, from one lookup when the table has `c`.
fn placed(style: Style, c: char) -> (char, Style, f32) {
    match known(style, c) {
        Some((face, em)) => (c, face, em),
        None => {
            let (shown, face) = printable(style, c);
            (shown, face, metrics(style, c).1)
        }
    }
}

/// Advance width of `c` in points at `size`.
fn advance(style: Style, c: char, size: f32) -> f32 {
    metrics(style, c).1 * size
}

/// A piece of a word: text in one style, or a formula.
enum Piece<'p> {
    Text(Style, &'p str),
    Math(Arc<MathRun>),
}

/// A word: pieces with no space between them.
type Word<'p> = Vec<Piece<'p>>;

fn words(paragraph: &Paragraph) -> Vec<(bool, Word<'_>)> {
    fn add<'p>(out: &mut Vec<(bool, Word<'p>)>, piece: Piece<'p>, space_before: bool) {
        match out.last_mut() {
            Some((_, word)) if !space_before => word.push(piece),
            _ => {
                let space = space_before && !out.is_empty();
                out.push((space, vec![piece]))
            }
        }
    }
    let mut out = Vec::new();
    let mut space_before = false;
    for run in paragraph {
        if let Some(math) = &run.math {
            add(&mut out, Piece::Math(Arc::clone(math)), space_before);
            space_before = false;
            continue;
        }
        for (i, part) in run.text.split(' ').enumerate() {
            if i > 0 {
                space_before = true;
            }
            if part.is_empty() {
                continue;
            }
            add(&mut out, Piece::Text(run.style, part), space_before);
            space_before = false;
        }
    }
    out
}

fn push_text(line: &mut Vec<Segment>, style: Style, text: &str) {
    for c in text.chars() {
        push_char(line, style, c);
    }
}

/// [`push_text`] of one character (wrapping places a word a character at a time).
fn push_char(line: &mut Vec<Segment>, style: Style, c: char) {
    let (c, face) = printable(style, c);
    push_shown(line, c, face);
}

/// `c`, as [`printable`] gave it, at the end of the line in `face`.
fn push_shown(line: &mut Vec<Segment>, c: char, face: Style) {
    match line.last_mut() {
        Some(seg) if seg.style == face && seg.math.is_none() && seg.figure.is_none() => {
            seg.text.push(c)
        }
        _ => line.push(Segment {
            style: face,
            text: c.to_string(),
            math: None,
            figure: None,
        }),
    }
}

/// `text` in `style` as segments of one face each (a character the face lacks is set in
/// DejaVu Sans, one no face has as U+FFFD), for text set outside a paragraph.
pub fn segments(style: Style, text: &str) -> Vec<Segment> {
    let mut line = Vec::new();
    push_text(&mut line, style, text);
    line
}

fn piece_width(piece: &Piece, size: f32) -> f32 {
    match piece {
        Piece::Text(style, text) => text.chars().map(|c| advance(*style, c, size)).sum(),
        Piece::Math(m) => m.boxed.width * size,
    }
}

/// Ends a line: its extra room for tall formulas and its indent when centred.
fn finish_line(block: &mut Block, line: Vec<Segment>, width: f32, line_width: f32, centre: bool) {
    let size = block.size;
    let (mut above, mut below) = (0.0f32, 0.0f32);
    for m in line.iter().filter_map(|s| s.math.as_ref()) {
        above = above.max((m.boxed.height - TEXT_ASCENT) * size);
        below = below.max((m.boxed.depth - TEXT_DEPTH) * size);
    }
    block.extra.push((above, below));
    block.indent.push(if centre {
        ((width - line_width) / 2.0).max(0.0)
    } else {
        0.0
    });
    block.widest = block.widest.max(line_width);
    block.lines.push(line);
}

/// Wraps paragraphs at `size` into lines no wider than `width` points (a formula wider than
/// the box stands alone on its line and sets [`Block::widest`]). With `centre`, every line is
/// centred; a display formula always is.
pub fn wrap(paragraphs: &[Paragraph], width: f32, size: f32, centre: bool) -> Block {
    wrap_figures(paragraphs, width, size, centre, 1.0)
}

/// [`wrap`], with every circuit figure at `shrink` (≤ 1) of the scale that fits the width.
fn wrap_figures(
    paragraphs: &[Paragraph],
    width: f32,
    size: f32,
    centre: bool,
    shrink: f32,
) -> Block {
    let mut block = Block {
        size,
        leading: size * 1.25,
        lines: Vec::new(),
        paragraph_gap: size * 0.5,
        paragraph_starts: Vec::new(),
        extra: Vec::new(),
        indent: Vec::new(),
        widest: 0.0,
    };
    for paragraph in paragraphs {
        let centred = centre
            || matches!(paragraph.as_slice(), [run] if run.math.as_ref().is_some_and(|m| m.display));
        block.paragraph_starts.push(block.lines.len());
        if let [run] = paragraph.as_slice() {
            if let Some(fig) = &run.figure {
                let run_ = FigureRun::new(Arc::clone(fig), size, width, shrink);
                // The line is as tall as the figure and its legend, and centred.
                block
                    .extra
                    .push((0.0, (run_.height() - block.leading).max(0.0)));
                block.indent.push(((width - run_.width()) / 2.0).max(0.0));
                block.widest = block.widest.max(run_.extent());
                block.lines.push(vec![Segment {
                    style: Style::Regular,
                    text: run.text.clone(),
                    math: None,
                    figure: Some(run_),
                }]);
                continue;
            }
        }
        let mut line: Vec<Segment> = Vec::new();
        let mut line_width = 0.0;
        for (space, word) in words(paragraph) {
            let word_width: f32 = word.iter().map(|p| piece_width(p, size)).sum();
            let space_width = if space && !line.is_empty() {
                advance(Style::Regular, ' ', size)
            } else {
                0.0
            };
            if !line.is_empty() && line_width + space_width + word_width > width {
                finish_line(
                    &mut block,
                    std::mem::take(&mut line),
                    width,
                    line_width,
                    centred,
                );
                line_width = 0.0;
            }
            if !line.is_empty() && space {
                push_text(&mut line, Style::Regular, " ");
                line_width += space_width;
            }
            for piece in word {
                match piece {
                    Piece::Math(math) => {
                        let w = math.boxed.width * size;
                        if line_width + w > width && !line.is_empty() {
                            finish_line(
                                &mut block,
                                std::mem::take(&mut line),
                                width,
                                line_width,
                                centred,
                            );
                            line_width = 0.0;
                        }
                        line.push(Segment {
                            style: Style::Regular,
                            text: math.boxed.text(),
                            math: Some(math),
                            figure: None,
                        });
                        line_width += w;
                    }
                    Piece::Text(style, text) => {
                        for c in text.chars() {
                            let (shown, face, em) = placed(style, c);
                            let w = em * size;
                            // A word wider than the box breaks between characters.
                            if line_width + w > width && !line.is_empty() {
                                finish_line(
                                    &mut block,
                                    std::mem::take(&mut line),
                                    width,
                                    line_width,
                                    centred,
                                );
                                line_width = 0.0;
                            }
                            push_shown(&mut line, shown, face);
                            line_width += w;
                        }
                    }
                }
            }
        }
        if !line.is_empty() {
            finish_line(&mut block, line, width, line_width, centred);
        }
    }
    block
}

/// The largest size from `start` down (in steps of about 8%) at which the paragraphs fit a
/// `width` × `height` box, and their lines at that size.
///
/// A circuit figure gives up height first: at each size, it may shrink into the height the
/// text leaves, down to labels of [`MIN_FIGURE_PT`] (or the size the width already forced);
/// only then does the text shrink too. When even text at `min_text` leaves a figure too little
/// room for that, the figure is squeezed below it at the last readable text size (the deck
/// warns of it); nothing ever overflows the box.
pub fn fit(
    paragraphs: &[Paragraph],
    width: f32,
    height: f32,
    start: f32,
    centre: bool,
    min_text: f32,
) -> Block {
    let fits = |b: &Block| b.height() <= height && b.widest <= width + 0.01;
    let mut size = start;
    let mut squeezed: Option<Block> = None;
    loop {
        if size < min_text {
            if let Some(block) = squeezed.take() {
                return block;
            }
        }
        let block = wrap(paragraphs, width, size, centre);
        if fits(&block) {
            return block;
        }
        if let Some(shrink) = figure_shrink(&block, height) {
            let shrunk = wrap_figures(paragraphs, width, size, centre, shrink);
            if fits(&shrunk) {
                let readable = figures(&block).zip(figures(&shrunk)).all(|(full, small)| {
                    small.label_pt() >= MIN_FIGURE_PT.min(full.label_pt()) - 1e-3
                });
                if readable {
                    return shrunk;
                }
                squeezed = Some(shrunk);
            }
        }
        if size < 1.0 {
            return squeezed.unwrap_or(block);
        }
        size *= 0.92;
    }
}

/// The circuit figures of a block, in order.
pub fn figures(block: &Block) -> impl Iterator<Item = &FigureRun> {
    block
        .lines
        .iter()
        .flatten()
        .filter_map(|s| s.figure.as_ref())
}

/// The factor (< 1) by which the block's figures must shrink for it to be `height` tall, if
/// it has figures and its text alone leaves them any room.
fn figure_shrink(block: &Block, height: f32) -> Option<f32> {
    let drawings: f32 = figures(block).map(FigureRun::drawing_height).sum();
    if drawings <= 0.0 {
        return None;
    }
    // A figure's line is exactly its height (figures are taller than a line of text).
    let lines: f32 = figures(block).map(|f| f.height().max(block.leading)).sum();
    let fixed: f32 = figures(block).map(FigureRun::fixed_height).sum();
    let text = block.height() - lines;
    let room = height - text - fixed;
    // A hair under the exact factor, so rounding cannot push the block past the box.
    (room > 0.0).then(|| (room / drawings * 0.999).min(1.0))
}

/// Width of a line in points.
pub fn line_width(line: &[Segment], size: f32) -> f32 {
    line.iter()
        .map(|s| match (&s.math, &s.figure) {
            (Some(m), _) => m.boxed.width * size,
            (None, Some(f)) => f.width(),
            (None, None) => s.text.chars().map(|c| advance(s.style, c, size)).sum(),
        })
        .sum()
}

/// Every character each face sets, for subsetting (formulas are set in the math font).
pub fn used_chars<'a>(blocks: impl Iterator<Item = &'a Block>) -> BTreeMap<Style, BTreeSet<char>> {
    let mut used: BTreeMap<Style, BTreeSet<char>> = BTreeMap::new();
    // ASCII characters are marked in a bit set per face and put in the sets once at the end:
    // a set insertion for every character shown was 2 % of a full build.
    let mut ascii: BTreeMap<Style, u128> = BTreeMap::new();
    for block in blocks {
        for seg in block.lines.iter().flatten().filter(|s| s.math.is_none()) {
            match &seg.figure {
                Some(run) => figure::used_chars(run, &mut used),
                None => {
                    let bits = ascii.entry(seg.style).or_default();
                    for c in seg.text.chars() {
                        if c.is_ascii() {
                            *bits |= 1 << (c as u32);
                        } else {
                            used.entry(seg.style).or_default().insert(c);
                        }
                    }
                }
            }
        }
    }
    for (style, bits) in ascii {
        let chars = (0..128u8).filter(|b| bits & (1 << b) != 0).map(char::from);
        used.entry(style).or_default().extend(chars);
    }
    used
}

/// Every glyph of the math font the blocks' formulas use, for subsetting.
pub fn used_math_glyphs<'a>(blocks: impl Iterator<Item = &'a Block>) -> BTreeSet<u16> {
    blocks
        .flat_map(|b| b.lines.iter().flatten())
        .filter_map(|s| s.math.as_ref())
        .flat_map(|m| m.boxed.items.iter())
        .filter_map(|i| match i {
            Item::Glyph { gid, .. } => Some(*gid),
            Item::Rule { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::text::Run;

    fn para(text: &str) -> Paragraph {
        vec![Run::text(Style::Regular, text)]
    }

    #[test]
    fn wrapping_respects_the_width() {
        let p = para(&"backpropagation computes every gradient at once ".repeat(20));
        let block = wrap(&[p], 200.0, 10.0, false);
        assert!(block.lines.len() > 5);
        for line in &block.lines {
            assert!(line_width(line, 10.0) <= 200.0 + 0.01);
        }
    }

    #[test]
    fn long_text_shrinks_until_it_fits() {
        let p = para(&"word ".repeat(400));
        let block = fit(&[p], 300.0, 100.0, 12.0, false, 7.0);
        assert!(block.height() <= 100.0, "{}", block.height());
        assert!(block.size < 12.0);
    }

    #[test]
    fn a_word_longer_than_the_line_breaks() {
        let block = wrap(&[para(&"x".repeat(500))], 100.0, 10.0, false);
        assert!(block.lines.len() > 1);
    }

    #[test]
    fn the_table_says_what_the_fonts_say() {
        for style in [Style::Regular, Style::Bold, Style::Italic, Style::Mono] {
            for c in ['a', 'W', '→', '∇', 'é', '\u{2000}', '\u{1}'] {
                assert_eq!(known(style, c), lookup(style, c), "{style:?} {c:?}");
            }
        }
        // The bold face has its own `W`, wider than the regular one.
        assert_eq!(metrics(Style::Bold, 'W').0, Style::Bold);
        assert!(metrics(Style::Bold, 'W').1 > metrics(Style::Regular, 'W').1);
    }

    #[test]
    fn used_chars_are_every_character_each_face_sets() {
        let paragraphs = [
            vec![
                Run::text(Style::Regular, "Gradients ∇ flow back: ~ and \u{7f} too"),
                Run::text(Style::Bold, "Σ weights, ½ and é"),
            ],
            vec![Run::text(Style::Italic, "")],
            para("plain ASCII, then “quotes”"),
        ];
        let blocks = [wrap(&paragraphs, 120.0, 10.0, false)];
        // What each face sets, read a character at a time from the laid-out lines.
        let mut expected: BTreeMap<Style, BTreeSet<char>> = BTreeMap::new();
        for seg in blocks[0].lines.iter().flatten() {
            expected
                .entry(seg.style)
                .or_default()
                .extend(seg.text.chars());
        }
        assert_eq!(used_chars(blocks.iter()), expected);
        assert!(expected[&Style::Bold].contains(&'Σ'));
        assert!(expected[&Style::Regular].contains(&'∇'));
    }
}
