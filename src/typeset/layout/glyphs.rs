//! Letters, numbers and operators: mathematical italic for variables, the operator
//! dictionary's spacing, large operators at their display size, and delimiters and marks grown
//! to what they enclose (the font's size variants).

use roxmltree::Node;

use super::*;
use crate::typeset::font::math_font;

/// Mathematical italic for a one-letter identifier, as TeX and MathML set variables.
pub(super) fn italic(c: char) -> char {
    let offset = match c {
        // Planck's constant stands where the italic h would be (Unicode's hole).
        'h' => return '\u{210e}',
        'a'..='z' => 0x1d44e - 'a' as u32 + c as u32,
        'A'..='Z' => 0x1d434 - 'A' as u32 + c as u32,
        'α'..='ω' => 0x1d6fc - 'α' as u32 + c as u32,
        _ => return c,
    };
    char::from_u32(offset).unwrap_or(c)
}

/// Text set glyph by glyph on the baseline. A character the math font lacks is set as the
/// replacement character, so it shows as missing.
pub(super) fn text(t: &str, ctx: Ctx, is_italic: bool) -> MathBox {
    let font = math_font();
    let mut out = MathBox::default();
    // Variation selectors and invisible operators (function application, separators) have no
    // ink and no glyph: they would print as a missing character.
    for c in t
        .chars()
        .filter(|c| !matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{2061}'..='\u{2064}' | '\u{200b}'))
    {
        let shown = if is_italic { italic(c) } else { c };
        let shown = match shown {
            '-' => '−',
            '\'' => '′',
            other => other,
        };
        let gid = font
            .glyph(shown)
            .or_else(|| font.glyph(c))
            .or_else(|| font.glyph('\u{fffd}'))
            .unwrap_or(0);
        let e = font.extents(gid);
        let s = ctx.scale;
        let glyph = MathBox {
            width: e.advance * s,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: c.to_string(),
            }],
        };
        out.append(glyph);
    }
    out
}

pub(super) const RELATIONS: &str = "=<>≤≥≈≠→←↦∈∉⊂⊆≡∼≔⇒⇔";
pub(super) const BINARY: &str = "+−-±×⋅·∗∘÷∪∩";
pub(super) const LARGE: &str = "∑∏∫∬∭∮⋃⋂";

/// An operator with its spacing: MathML's `lspace`/`rspace` when math-core gives them, else
/// the operator dictionary's thick space for relations and medium space for binary operators
/// (none inside scripts, as in TeX, nor around a sign). A large operator in display style takes its display size.
pub(super) fn operator(node: Node, ctx: Ctx, prefix: bool) -> MathBox {
    let t = text_of(node);
    let (l, r) = if ctx.level > 0 || prefix {
        (0.0, 0.0)
    } else if RELATIONS.contains(t.as_str()) && t.chars().count() == 1 {
        (0.2778, 0.2778)
    } else if BINARY.contains(t.as_str()) && t.chars().count() == 1 {
        (0.2222, 0.2222)
    } else if t == "," || t == ";" {
        (0.0, 0.1667)
    } else {
        (0.0, 0.0)
    };
    let l = length(node.attribute("lspace")).unwrap_or(l) * ctx.scale;
    let r = length(node.attribute("rspace")).unwrap_or(r) * ctx.scale;
    let mut body = match (t.chars().next(), t.chars().count()) {
        (Some(c), 1) if LARGE.contains(c) => large_operator(c, ctx),
        _ => text(&t, ctx, false),
    };
    let mut out = MathBox {
        width: l,
        ..MathBox::default()
    };
    body.width += r;
    out.append(body);
    out
}

/// ∑, ∫ and the like: the display size variant in display style, centred on the axis.
pub(super) fn large_operator(c: char, ctx: Ctx) -> MathBox {
    let font = math_font();
    let Some(base) = font.glyph(c) else {
        return text(&c.to_string(), ctx, false);
    };
    let gid = if ctx.display {
        font.variant(base, font.display_operator_min_height(), true)
    } else {
        base
    };
    let e = font.extents(gid);
    let axis = font.constant(|c| c.axis_height().value);
    let shift = axis - (e.height - e.depth) / 2.0;
    let s = ctx.scale;
    MathBox {
        width: e.advance * s,
        height: (e.height + shift) * s,
        depth: (e.depth - shift) * s,
        items: vec![Item::Glyph {
            x: 0.0,
            y: shift * s,
            scale: s,
            gid,
            text: c.to_string(),
        }],
    }
}

pub(super) const FENCES: &str = "()[]{}|‖⌊⌋⌈⌉⟨⟩";

/// An `<mo>` fence math-core wrote for `\left`/`\right` or a matrix (plain parentheses carry
/// `stretchy="false"`).
pub(super) fn is_stretchy_fence(node: Node) -> bool {
    node.tag_name().name() == "mo" && node.attribute("stretchy") != Some("false") && {
        let t = text_of(node);
        t.chars().count() == 1 && FENCES.contains(t.as_str())
    }
}

/// A delimiter tall enough for content reaching `h` above and `d` below the baseline, centred
/// on the math axis.
pub(super) fn stretched(text: &str, h: f32, d: f32, ctx: Ctx) -> MathBox {
    let font = math_font();
    let axis = font.constant(|c| c.axis_height().value);
    let half = (h - axis).max(d + axis);
    let c = text.chars().next().unwrap_or('(');
    let Some(base) = font.glyph(c) else {
        return MathBox::default();
    };
    // TeX's rule: cover at least 90% of the content, and no less than the plain glyph.
    let gid = font.variant(base, 2.0 * half * 0.9, true);
    let e = font.extents(gid);
    let shift = axis - (e.height - e.depth) / 2.0;
    let s = ctx.scale;
    MathBox {
        width: e.advance * s,
        height: (e.height + shift) * s,
        depth: (e.depth - shift) * s,
        items: vec![Item::Glyph {
            x: 0.0,
            y: shift * s,
            scale: s,
            gid,
            text: c.to_string(),
        }],
    }
}

/// Marks that stretch along what they cover: lines, braces, arrows.
pub(super) const STRETCH_H: &str = "‾¯_̲―−⏟⏞⏜⏝⎴⎵→←↔⟶⟵";
/// Of those, the ones drawn as a plain rule.
pub(super) const BARS: &str = "‾¯_̲―−";

/// A line, brace or arrow over (or under) `base`, as wide as it: a rule for a bar, else the
/// font's widest-enough horizontal variant.
pub(super) fn stretched_over(base: MathBox, c: char, over: bool, ctx: Ctx) -> MathBox {
    let font = math_font();
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let (bw, bh, bd) = (base.width, base.height, base.depth);
    let mut out = MathBox::default();
    out.append(base);
    if BARS.contains(c) {
        let t = k(|c| c.overbar_rule_thickness().value);
        let gap = k(|c| c.overbar_vertical_gap().value);
        let y = if over { bh + gap } else { -bd - gap - t };
        out.rule(0.0, y, bw, t);
        let extra = k(|c| c.overbar_extra_ascender().value);
        if over {
            out.height += extra;
        } else {
            out.depth += extra;
        }
        return out;
    }
    let Some(base_gid) = font.glyph(c) else {
        return out;
    };
    let gid = font.variant(base_gid, bw / s, false);
    let e = font.extents(gid);
    let gap = k(|c| c.stretch_stack_gap_above_min().value);
    let dy = if over {
        bh + gap + e.depth * s
    } else {
        -(bd + gap + e.height * s)
    };
    let x = (bw - (e.ink_x.0 + e.ink_x.1) * s) / 2.0;
    out.place(
        MathBox {
            width: 0.0,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: c.to_string(),
            }],
        },
        x,
        dy,
    );
    out
}
