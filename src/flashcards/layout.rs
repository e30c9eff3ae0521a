//! Wraps styled paragraphs into lines that fit a box, using the real fonts' advance widths,
//! and shrinks the text until it fits: card text never overflows its page.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use printpdf::ParsedFont;

use super::text::{Paragraph, Style};

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

/// A stretch of one line in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The face (a character a face lacks is set in DejaVu Sans instead).
    pub style: Style,
    /// The text, including any leading space.
    pub text: String,
}

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
}

impl Block {
    /// Height the block takes, in points.
    pub fn height(&self) -> f32 {
        if self.lines.is_empty() {
            return 0.0;
        }
        let gaps = self.paragraph_starts.len().saturating_sub(1) as f32;
        self.lines.len() as f32 * self.leading + gaps * self.paragraph_gap
    }
}

/// Characters below this have their face and advance in a table, filled once per process
/// (every character of a card is measured, and the font's own maps are B-trees).
const TABLE: usize = 0x2800;

/// Per style, per character: the face that sets it and its advance in em.
type MetricsTable = BTreeMap<Style, Vec<Option<(Style, f32)>>>;

/// For each style and character below [`TABLE`]: the face that sets it and its advance in
/// em (`None` when even Regular lacks it).
fn metrics_table() -> &'static MetricsTable {
    static TABLE_CELL: OnceLock<MetricsTable> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        faces()
            .keys()
            .map(|&style| {
                (
                    style,
                    (0..TABLE as u32)
                        .map(|cp| char::from_u32(cp).and_then(|c| lookup(style, c)))
                        .collect(),
                )
            })
            .collect()
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

fn metrics(style: Style, c: char) -> (Style, f32) {
    let found = if (c as usize) < TABLE {
        metrics_table()[&style][c as usize]
    } else {
        lookup(style, c)
    };
    found.unwrap_or_else(|| lookup(Style::Regular, REPLACEMENT).unwrap_or((Style::Regular, 0.0)))
}

/// Set in place of a character no DejaVu face has (CJK, emoji), so it shows as missing
/// instead of vanishing.
const REPLACEMENT: char = '\u{fffd}';

/// `c`, or [`REPLACEMENT`] when no face can set it.
fn printable(style: Style, c: char) -> char {
    let known = if (c as usize) < TABLE {
        metrics_table()[&style][c as usize].is_some()
    } else {
        lookup(style, c).is_some()
    };
    if known {
        c
    } else {
        REPLACEMENT
    }
}

/// The face that sets `c` in `style`: the style's own, or Regular when it lacks the glyph.
fn face_for(style: Style, c: char) -> Style {
    metrics(style, c).0
}

/// Advance width of `c` in points at `size`.
fn advance(style: Style, c: char, size: f32) -> f32 {
    metrics(style, c).1 * size
}

/// A word: pieces of text in different styles with no space between them.
type Word = Vec<(Style, String)>;

fn words(paragraph: &Paragraph) -> Vec<(bool, Word)> {
    let mut out: Vec<(bool, Word)> = Vec::new();
    let mut space_before = false;
    for run in paragraph {
        for (i, part) in run.text.split(' ').enumerate() {
            if i > 0 {
                space_before = true;
            }
            if part.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some((_, word)) if !space_before => word.push((run.style, part.to_string())),
                _ => out.push((
                    space_before && !out.is_empty(),
                    vec![(run.style, part.to_string())],
                )),
            }
            space_before = false;
        }
    }
    out
}

fn push_text(line: &mut Vec<Segment>, style: Style, text: &str) {
    for c in text.chars().map(|c| printable(style, c)) {
        let face = face_for(style, c);
        match line.last_mut() {
            Some(seg) if seg.style == face => seg.text.push(c),
            _ => line.push(Segment {
                style: face,
                text: c.to_string(),
            }),
        }
    }
}

/// Wraps paragraphs at `size` into lines no wider than `width` points.
pub fn wrap(paragraphs: &[Paragraph], width: f32, size: f32) -> Block {
    let mut block = Block {
        size,
        leading: size * 1.25,
        lines: Vec::new(),
        paragraph_gap: size * 0.5,
        paragraph_starts: Vec::new(),
    };
    for paragraph in paragraphs {
        block.paragraph_starts.push(block.lines.len());
        let mut line: Vec<Segment> = Vec::new();
        let mut line_width = 0.0;
        for (space, word) in words(paragraph) {
            let word_width: f32 = word
                .iter()
                .flat_map(|(s, t)| t.chars().map(move |c| advance(*s, c, size)))
                .sum();
            let space_width = if space && !line.is_empty() {
                advance(Style::Regular, ' ', size)
            } else {
                0.0
            };
            if !line.is_empty() && line_width + space_width + word_width > width {
                block.lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if !line.is_empty() && space {
                push_text(&mut line, Style::Regular, " ");
                line_width += space_width;
            }
            for (style, text) in word {
                for c in text.chars() {
                    let w = advance(style, c, size);
                    // A word wider than the box breaks between characters.
                    if line_width + w > width && !line.is_empty() {
                        block.lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    push_text(&mut line, style, &c.to_string());
                    line_width += w;
                }
            }
        }
        if !line.is_empty() {
            block.lines.push(line);
        }
    }
    block
}

/// The largest size from `start` down (in steps of about 8%) at which the paragraphs fit a
/// `width` × `height` box, and their lines at that size.
pub fn fit(paragraphs: &[Paragraph], width: f32, height: f32, start: f32) -> Block {
    let mut size = start;
    loop {
        let block = wrap(paragraphs, width, size);
        if block.height() <= height || size < 1.0 {
            return block;
        }
        size *= 0.92;
    }
}

/// Width of a line in points.
pub fn line_width(line: &[Segment], size: f32) -> f32 {
    line.iter()
        .flat_map(|s| s.text.chars().map(move |c| advance(s.style, c, size)))
        .sum()
}

/// Every character each face sets, for subsetting.
pub fn used_chars<'a>(blocks: impl Iterator<Item = &'a Block>) -> BTreeMap<Style, BTreeSet<char>> {
    let mut used: BTreeMap<Style, BTreeSet<char>> = BTreeMap::new();
    for block in blocks {
        for seg in block.lines.iter().flatten() {
            used.entry(seg.style).or_default().extend(seg.text.chars());
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flashcards::text::Run;

    fn para(text: &str) -> Paragraph {
        vec![Run {
            style: Style::Regular,
            text: text.into(),
        }]
    }

    #[test]
    fn wrapping_respects_the_width() {
        let p = para(&"backpropagation computes every gradient at once ".repeat(20));
        let block = wrap(&[p], 200.0, 10.0);
        assert!(block.lines.len() > 5);
        for line in &block.lines {
            assert!(line_width(line, 10.0) <= 200.0 + 0.01);
        }
    }

    #[test]
    fn long_text_shrinks_until_it_fits() {
        let p = para(&"word ".repeat(400));
        let block = fit(&[p], 300.0, 100.0, 12.0);
        assert!(block.height() <= 100.0, "{}", block.height());
        assert!(block.size < 12.0);
    }

    #[test]
    fn a_word_longer_than_the_line_breaks() {
        let block = wrap(&[para(&"x".repeat(500))], 100.0, 10.0);
        assert!(block.lines.len() > 1);
    }
}
