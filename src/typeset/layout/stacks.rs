//! Things stacked vertically: fractions, radicals, accents and limits.

use roxmltree::Node;

use super::*;
use crate::typeset::font::math_font;

/// Numerator over denominator with a bar on the math axis.
pub(super) fn fraction(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let inner = if ctx.display {
        Ctx {
            display: false,
            ..ctx
        }
    } else {
        ctx.script()
    };
    let num = element(nth(node, 0)?, inner, depth + 1)?;
    let den = element(nth(node, 1)?, inner, depth + 1)?;
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let axis = k(|c| c.axis_height().value);
    let rule = if node
        .attribute("linethickness")
        .and_then(|t| length(Some(t)))
        == Some(0.0)
    {
        0.0
    } else {
        k(|c| c.fraction_rule_thickness().value)
    };
    let (up, down, gap_num, gap_den) = if ctx.display {
        (
            k(|c| c.fraction_numerator_display_style_shift_up().value),
            k(|c| c.fraction_denominator_display_style_shift_down().value),
            k(|c| c.fraction_num_display_style_gap_min().value),
            k(|c| c.fraction_denom_display_style_gap_min().value),
        )
    } else {
        (
            k(|c| c.fraction_numerator_shift_up().value),
            k(|c| c.fraction_denominator_shift_down().value),
            k(|c| c.fraction_numerator_gap_min().value),
            k(|c| c.fraction_denominator_gap_min().value),
        )
    };
    let up = up.max(axis + rule / 2.0 + gap_num + num.depth);
    let down = down.max(den.height + gap_den + rule / 2.0 - axis);
    // A little room on each side, so a bar never touches its neighbours.
    let pad = 0.12 * s;
    let width = num.width.max(den.width) + 2.0 * pad;
    let mut out = MathBox {
        width,
        ..MathBox::default()
    };
    let (nw, dw) = (num.width, den.width);
    out.place(num, (width - nw) / 2.0, up);
    out.place(den, (width - dw) / 2.0, -down);
    if rule > 0.0 {
        out.rule(pad / 2.0, axis - rule / 2.0, width - pad, rule);
    }
    Ok(out)
}

/// A radical sign tall enough for its content, with the overline from its top.
pub(super) fn radical(body: MathBox, degree: Option<MathBox>, ctx: Ctx) -> Result<MathBox, String> {
    let font = math_font();
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let gap = if ctx.display {
        k(|c| c.radical_display_style_vertical_gap().value)
    } else {
        k(|c| c.radical_vertical_gap().value)
    };
    let rule = k(|c| c.radical_rule_thickness().value);
    let base = font.glyph('√').ok_or("the math font has no radical sign")?;
    let gid = font.variant(base, (body.height + body.depth + gap + rule) / s, true);
    let e = font.extents(gid);
    // The sign's top is where the overline starts; it hangs down from there.
    let top = body.height + gap + rule;
    let shift = top - e.height * s;
    let mut out = MathBox::default();
    if let Some(degree) = degree {
        let raise = font.radical_degree_raise();
        let dy = shift + (e.height * s + e.depth * s) * raise - e.depth * s;
        let before = k(|c| c.radical_kern_before_degree().value);
        let after = k(|c| c.radical_kern_after_degree().value);
        let dw = degree.width;
        out.place(degree, before, dy);
        out.width = (before + dw + after).max(0.0);
    }
    let x = out.width;
    out.place(
        MathBox {
            width: e.advance * s,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: "√".into(),
            }],
        },
        x,
        shift,
    );
    out.width = x + e.advance * s;
    let bx = out.width;
    let bw = body.width;
    out.place(body, bx, 0.0);
    out.rule(bx, top - rule, bw, rule);
    out.height += k(|c| c.radical_extra_ascender().value);
    out.width = bx + bw + 0.05 * s;
    Ok(out)
}

/// Accents over a letter (`\hat`, `\vec`, `\bar`, `\tilde`) and limits over and under an
/// operator (`\sum_{j=1}^{n}` in display style).
pub(super) fn under_over(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let name = node.tag_name().name();
    let accent = node.attribute("accent") == Some("true");
    let base_node = nth(node, 0)?;
    let base = element(base_node, ctx, depth + 1)?;
    let s = ctx.scale;
    if name != "munderover" {
        let mark = nth(node, 1)?;
        if mark.tag_name().name() == "mo" && mark.attribute("stretchy") != Some("false") {
            let t = text_of(mark);
            if let Some(c) = t.chars().next().filter(|c| STRETCH_H.contains(*c)) {
                return Ok(stretched_over(base, c, name == "mover", ctx));
            }
        }
    }
    if accent && name == "mover" {
        let mark = text_of(nth(node, 1)?);
        let c = mark.chars().next().unwrap_or('^');
        let base_gid = font
            .glyph(c)
            .ok_or_else(|| format!("the math font has no accent {c:?}"))?;
        // A wider variant for a wide base (`\hat{xy}`), as far as the font has them.
        let gid = font.variant(base_gid, base.width / s * 0.9, false);
        let e = font.extents(gid);
        let accent_base = font.constant(|c| c.accent_base_height().value) * s;
        let dy = (base.height - accent_base).max(0.0);
        // Over a single letter, the font says where its accents go; else the middle.
        let centre = match base.items.as_slice() {
            [Item::Glyph { gid, scale, x, .. }] => font
                .top_accent_attachment(*gid)
                .map_or(base.width / 2.0, |a| x + a * scale),
            _ => base.width / 2.0,
        };
        // The accent's own attachment point (or its ink's middle) goes over that.
        let own = font
            .top_accent_attachment(gid)
            .unwrap_or((e.ink_x.0 + e.ink_x.1) / 2.0);
        let x = centre - own * s;
        let mut out = MathBox::default();
        let w = base.width;
        out.append(base);
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
        out.width = w;
        return Ok(out);
    }
    // Outside display style, limits of ∑ and the like move to the side, as TeX sets them.
    let movable = node.attribute("movablelimits") != Some("false")
        && base_node.tag_name().name() == "mo"
        && matches!(text_of(base_node).chars().next(), Some(c) if LARGE.contains(c));
    if !ctx.display && movable {
        let kind = match name {
            "munder" => "msub",
            "mover" => "msup",
            _ => "msubsup",
        };
        return scripts(node, kind, ctx, depth);
    }
    let small = ctx.script();
    let (under, over) = match name {
        "munder" => (Some(element(nth(node, 1)?, small, depth + 1)?), None),
        "mover" => (None, Some(element(nth(node, 1)?, small, depth + 1)?)),
        _ => (
            Some(element(nth(node, 1)?, small, depth + 1)?),
            Some(element(nth(node, 2)?, small, depth + 1)?),
        ),
    };
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let width = [Some(&base), under.as_ref(), over.as_ref()]
        .into_iter()
        .flatten()
        .map(|b| b.width)
        .fold(0.0f32, f32::max);
    let mut out = MathBox {
        width,
        ..MathBox::default()
    };
    let (bh, bd, bw) = (base.height, base.depth, base.width);
    out.place(base, (width - bw) / 2.0, 0.0);
    if let Some(o) = over {
        let up = (bh + k(|c| c.upper_limit_gap_min().value) + o.depth)
            .max(k(|c| c.upper_limit_baseline_rise_min().value) + bh);
        let ow = o.width;
        out.place(o, (width - ow) / 2.0, up);
    }
    if let Some(u) = under {
        let down = (bd + k(|c| c.lower_limit_gap_min().value) + u.height)
            .max(k(|c| c.lower_limit_baseline_drop_min().value) + bd);
        let uw = u.width;
        out.place(u, (width - uw) / 2.0, -down);
    }
    Ok(out)
}
