//! The math font of the printed decks: DejaVu Math TeX Gyre, shipped in `assets/fonts/` (its
//! licence beside it), read with ttf-parser for glyph metrics and its OpenType MATH table
//! (constants, size variants). Math layout measures with this font and the PDF draws with it,
//! so what is measured is what is printed.

use std::sync::OnceLock;

use ttf_parser::math::Constants;
use ttf_parser::{Face, GlyphId};

/// The font file, embedded: a build never reads fonts from the system.
pub const BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuMathTeXGyre.ttf");

/// PostScript name, for the PDF.
pub const NAME: &str = "DejaVuMathTeXGyre-Regular";

/// The parsed math font.
pub struct MathFont {
    face: Face<'static>,
    upem: f32,
    /// Each glyph's extents, read from its outline on first use: a bounding box is computed by
    /// walking the outline, and every formula of a site asks for the same few glyphs.
    extents: Box<[OnceLock<Extents>]>,
}

/// The math font, parsed once per process.
pub fn math_font() -> &'static MathFont {
    static FONT: OnceLock<MathFont> = OnceLock::new();
    FONT.get_or_init(|| {
        let face = Face::parse(BYTES, 0).expect("the bundled math font parses");
        let upem = f32::from(face.units_per_em());
        let extents = (0..face.number_of_glyphs())
            .map(|_| OnceLock::new())
            .collect();
        MathFont {
            face,
            upem,
            extents,
        }
    })
}

/// A glyph's ink box in em: width, height above the baseline, depth below it, and the left
/// edge of the ink.
#[derive(Debug, Clone, Copy)]
pub struct Extents {
    /// Advance width.
    pub advance: f32,
    /// Ink above the baseline.
    pub height: f32,
    /// Ink below the baseline.
    pub depth: f32,
    /// Left and right edges of the ink.
    pub ink_x: (f32, f32),
}

impl MathFont {
    /// The glyph for `c`, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0).filter(|g| *g != 0)
    }

    /// Advance and ink of a glyph, in em.
    pub fn extents(&self, gid: u16) -> Extents {
        match self.extents.get(usize::from(gid)) {
            Some(cell) => *cell.get_or_init(|| self.read_extents(gid)),
            None => self.read_extents(gid),
        }
    }

    /// A glyph's extents, from its outline.
    fn read_extents(&self, gid: u16) -> Extents {
        let g = GlyphId(gid);
        let advance = f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) / self.upem;
        match self.face.glyph_bounding_box(g) {
            Some(r) => Extents {
                advance,
                height: f32::from(r.y_max) / self.upem,
                depth: -f32::from(r.y_min) / self.upem,
                ink_x: (
                    f32::from(r.x_min) / self.upem,
                    f32::from(r.x_max) / self.upem,
                ),
            },
            None => Extents {
                advance,
                height: 0.0,
                depth: 0.0,
                ink_x: (0.0, advance),
            },
        }
    }

    /// The MATH table's constants.
    fn constants(&self) -> Constants<'static> {
        self.face
            .tables()
            .math
            .and_then(|m| m.constants)
            .expect("the bundled math font has a MATH table")
    }

    /// A MATH constant (a design-unit value) in em.
    pub fn constant(&self, pick: impl Fn(&Constants<'static>) -> i16) -> f32 {
        f32::from(pick(&self.constants())) / self.upem
    }

    /// Scale of a first-level script (0.7 means 70%).
    pub fn script_scale(&self) -> f32 {
        f32::from(self.constants().script_percent_scale_down()) / 100.0
    }

    /// Scale of a second-level script.
    pub fn script_script_scale(&self) -> f32 {
        f32::from(self.constants().script_script_percent_scale_down()) / 100.0
    }

    /// A glyph's italic correction in em: how far a slanted letter leans past its advance (a
    /// superscript starts after it, a subscript does not).
    pub fn italic_correction(&self, gid: u16) -> f32 {
        self.face
            .tables()
            .math
            .and_then(|m| m.glyph_info)
            .and_then(|g| g.italic_corrections)
            .and_then(|c| c.get(GlyphId(gid)))
            .map_or(0.0, |v| f32::from(v.value) / self.upem)
    }

    /// Where an accent over the glyph is centred, in em from its left edge, when the font
    /// says (a slanted letter's is right of its middle).
    pub fn top_accent_attachment(&self, gid: u16) -> Option<f32> {
        self.face
            .tables()
            .math
            .and_then(|m| m.glyph_info)
            .and_then(|g| g.top_accent_attachments)
            .and_then(|a| a.get(GlyphId(gid)))
            .map(|v| f32::from(v.value) / self.upem)
    }

    /// How far up a root's degree sits, as a fraction of the radical sign's height.
    pub fn radical_degree_raise(&self) -> f32 {
        f32::from(self.constants().radical_degree_bottom_raise_percent()) / 100.0
    }

    /// The smallest height a display-style large operator (∑, ∫) is drawn at, in em.
    pub fn display_operator_min_height(&self) -> f32 {
        f32::from(self.constants().display_operator_min_height()) / self.upem
    }

    /// The first size variant of `gid` at least `size` em tall (vertical) or wide
    /// (horizontal), or the largest there is: the font's own bigger parentheses, radicals and
    /// accents.
    pub fn variant(&self, gid: u16, size: f32, vertical: bool) -> u16 {
        let Some(variants) = self.face.tables().math.and_then(|m| m.variants) else {
            return gid;
        };
        let constructions = if vertical {
            variants.vertical_constructions
        } else {
            variants.horizontal_constructions
        };
        let Some(construction) = constructions.get(GlyphId(gid)) else {
            return gid;
        };
        let mut best = gid;
        for v in construction.variants {
            best = v.variant_glyph.0;
            if f32::from(v.advance_measurement) / self.upem >= size {
                break;
            }
        }
        best
    }
}
