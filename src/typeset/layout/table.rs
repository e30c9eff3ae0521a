//! Matrices: cells in rows and columns, centred on the math axis.

use roxmltree::Node;

use super::*;
use crate::typeset::font::math_font;

/// A matrix: cells centred in their columns, rows at least a strut apart, the whole centred
/// on the math axis (the brackets around it are the enclosing row's stretched fences).
pub(super) fn table(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let s = ctx.scale;
    let cell_ctx = Ctx {
        display: false,
        ..ctx
    };
    let mut rows: Vec<Vec<MathBox>> = Vec::new();
    for tr in children(node) {
        if tr.tag_name().name() != "mtr" {
            return Err(format!(
                "the PDF cannot typeset <{}> in a table",
                tr.tag_name().name()
            ));
        }
        let cells = children(tr)
            .map(|td| element(td, cell_ctx, depth + 2))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(cells);
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<f32> = (0..columns)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.width)
                .fold(0.0, f32::max)
        })
        .collect();
    // A strut: every row at least as tall and deep as a parenthesis, as TeX's arrays are.
    let (strut_h, strut_d) = (0.85 * s, 0.35 * s);
    let col_gap = 0.8 * s;
    let side = 0.2 * s;
    let mut out = MathBox::default();
    let mut y = 0.0f32;
    let mut placed = Vec::new();
    for row in rows {
        let h = row.iter().map(|c| c.height).fold(strut_h, f32::max);
        let d = row.iter().map(|c| c.depth).fold(strut_d, f32::max);
        y -= h;
        placed.push((row, y));
        y -= d;
    }
    let total = -y;
    let axis = font.constant(|c| c.axis_height().value) * s;
    // Baselines were counted down from the top; move the middle of the table to the axis.
    let lift = total / 2.0 + axis;
    for (row, baseline) in placed {
        let mut x = side;
        for (j, cell) in row.into_iter().enumerate() {
            let w = widths[j];
            let cw = cell.width;
            out.place(cell, x + (w - cw) / 2.0, baseline + lift);
            x += w + col_gap;
        }
    }
    out.width =
        widths.iter().sum::<f32>() + col_gap * columns.saturating_sub(1) as f32 + 2.0 * side;
    out.height = out.height.max(lift);
    out.depth = out.depth.max(total - lift);
    Ok(out)
}
