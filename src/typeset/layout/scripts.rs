//! Sub- and superscripts, shifted by the font's MATH constants.

use roxmltree::Node;

use super::*;
use crate::typeset::font::math_font;

/// Sub- and superscripts at the font's script size, shifted by its MATH constants.
/// `kind` is the element's name, or the script element a limit turns into outside display
/// style.
pub(super) fn scripts(node: Node, kind: &str, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let name = kind;
    let base = element(nth(node, 0)?, ctx, depth + 1)?;
    let small = ctx.script();
    let (sub, sup) = match name {
        "msub" => (Some(element(nth(node, 1)?, small, depth + 1)?), None),
        "msup" => (None, Some(element(nth(node, 1)?, small, depth + 1)?)),
        _ => (
            Some(element(nth(node, 1)?, small, depth + 1)?),
            Some(element(nth(node, 2)?, small, depth + 1)?),
        ),
    };
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let mut sup_up = sup.as_ref().map(|p| {
        k(|c| c.superscript_shift_up().value)
            .max(base.height - k(|c| c.superscript_baseline_drop_max().value))
            .max(p.depth + k(|c| c.superscript_bottom_min().value))
    });
    let mut sub_down = sub.as_ref().map(|b| {
        k(|c| c.subscript_shift_down().value)
            .max(base.depth + k(|c| c.subscript_baseline_drop_min().value))
            .max(b.height - k(|c| c.subscript_top_max().value))
    });
    if let (Some(up), Some(down), Some(p), Some(b)) = (&mut sup_up, &mut sub_down, &sup, &sub) {
        let gap = (*up - p.depth) - (b.height - *down);
        let min = k(|c| c.sub_superscript_gap_min().value);
        if gap < min {
            *down += min - gap;
        }
    }
    // A slanted letter leans past its advance by its italic correction: a superscript starts
    // after the lean, a subscript under it (the OpenType MATH rule).
    let lean = match base.items.as_slice() {
        [Item::Glyph { gid, scale, .. }] => font.italic_correction(*gid) * scale,
        _ => 0.0,
    };
    let mut out = MathBox::default();
    out.append(base);
    let x = out.width;
    let mut width = 0.0f32;
    if let (Some(p), Some(up)) = (sup, sup_up) {
        width = width.max(p.width + lean);
        out.place(p, x + lean, up);
    }
    if let (Some(b), Some(down)) = (sub, sub_down) {
        width = width.max(b.width);
        out.place(b, x, -down);
    }
    out.width = x + width + k(|c| c.space_after_script().value);
    Ok(out)
}
