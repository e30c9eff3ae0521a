//! Cut sheets for home printers: the pages of a deck, each one card, placed 4 (2 × 2) or 8
//! (2 × 4) to an A4 or Letter sheet, scaled alike to fit, with cut marks in the sheet's margin
//! on every line between cards. With duplex, each back sheet holds the answers of the front
//! sheet before it, its columns mirrored, so that each answer lands behind its question when
//! the sheet is flipped on its long edge.

use printpdf::{Color, CurTransMat, Greyscale, Line, LinePoint, Op, Point, Pt};

/// Paper, and how many cards go on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    /// The paper's width and height in millimetres, portrait.
    pub paper_mm: (f32, f32),
    /// Cards per sheet: 4 or 8.
    pub per_sheet: usize,
}

/// Room left around the grid for the cut marks, in points (most printers cannot print the
/// outermost 4 mm anyway).
const EDGE: f32 = 8.0 * 72.0 / 25.4;

/// How the cards sit on a sheet: the sheet's size in points, the grid, the scale of a card,
/// and the grid's lower-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// The sheet's width and height in points, in the orientation that fits the cards best.
    pub sheet: (f32, f32),
    /// Columns and rows.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// The scale of each card (1 when it fits at full size).
    pub scale: f32,
    /// Lower-left corner of the grid.
    pub origin: (f32, f32),
    /// A scaled card's width and height.
    pub cell: (f32, f32),
}

fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

/// The grid that shows `card` (width and height in points) largest on `sheet`: portrait or
/// landscape paper, two columns or two rows.
pub fn grid(sheet: Sheet, card: (f32, f32)) -> Grid {
    let (pw, ph) = (pt(sheet.paper_mm.0), pt(sheet.paper_mm.1));
    let long = sheet.per_sheet / 2;
    let mut best: Option<Grid> = None;
    for paper in [(pw, ph), (ph, pw)] {
        for (cols, rows) in [(2, long), (long, 2)] {
            let scale = ((paper.0 - 2.0 * EDGE) / (cols as f32 * card.0))
                .min((paper.1 - 2.0 * EDGE) / (rows as f32 * card.1))
                .min(1.0);
            let cell = (card.0 * scale, card.1 * scale);
            let origin = (
                (paper.0 - cols as f32 * cell.0) / 2.0,
                (paper.1 - rows as f32 * cell.1) / 2.0,
            );
            let g = Grid {
                sheet: paper,
                cols,
                rows,
                scale,
                origin,
                cell,
            };
            // The first of equals wins, so the choice never depends on float noise order.
            if best.is_none_or(|b| g.scale > b.scale + 1e-4) {
                best = Some(g);
            }
        }
    }
    best.expect("four candidate grids")
}

/// One sheet of the deck: what goes on it and its label.
pub struct SheetPage {
    /// `Sheet 1`, or `Sheet 1 front` / `Sheet 1 back` with duplex.
    pub label: String,
    /// The page's operators.
    pub ops: Vec<Op>,
}

/// The sheets for a deck's card pages (`cards[i]` is one card page's operators, drawn on a
/// card of `card` points). With `duplex`, `cards` alternate question and answer pages; each
/// front sheet is followed by its mirrored back sheet. Also returns, for each card page, the
/// sheet it is on (for bookmarks).
pub fn sheets(
    cards: Vec<Vec<Op>>,
    card: (f32, f32),
    sheet: Sheet,
    duplex: bool,
) -> (Grid, Vec<SheetPage>, Vec<usize>) {
    let g = grid(sheet, card);
    let per = g.cols * g.rows;
    let mut pages = Vec::new();
    let mut sheet_of = vec![0; cards.len()];
    let step = if duplex { 2 } else { 1 };
    let mut chunks: Vec<Vec<(usize, Vec<Op>)>> = Vec::new();
    for (i, ops) in cards.into_iter().enumerate() {
        let card_index = i / step;
        let side = i % step;
        let chunk = card_index / per;
        if chunks.len() <= chunk * step + side {
            chunks.resize_with(chunk * step + side + 1, Vec::new);
        }
        sheet_of[i] = chunk * step + side;
        chunks[chunk * step + side].push((card_index % per, ops));
    }
    for (n, chunk) in chunks.into_iter().enumerate() {
        let back = duplex && n % 2 == 1;
        let mut ops = Vec::new();
        for (slot, card_ops) in chunk {
            let (row, mut col) = (slot / g.cols, slot % g.cols);
            if back {
                // Flipped on the long edge, the left column's back is the right column.
                col = g.cols - 1 - col;
            }
            let x = g.origin.0 + col as f32 * g.cell.0;
            // Row 0 is the top row.
            let y = g.origin.1 + (g.rows - 1 - row) as f32 * g.cell.1;
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetTransformationMatrix {
                matrix: CurTransMat::Raw([g.scale, 0.0, 0.0, g.scale, x, y]),
            });
            ops.extend(card_ops);
            ops.push(Op::RestoreGraphicsState);
        }
        cut_marks(&g, &mut ops);
        let label = if duplex {
            format!(
                "Sheet {} {}",
                n / 2 + 1,
                if back { "back" } else { "front" }
            )
        } else {
            format!("Sheet {}", n + 1)
        };
        pages.push(SheetPage { label, ops });
    }
    (g, pages, sheet_of)
}

/// Short lines in the sheet's margin, on the extension of every line between and around the
/// cards: cut along them and each card comes out at its own size.
fn cut_marks(g: &Grid, ops: &mut Vec<Op>) {
    let line = |a: (f32, f32), b: (f32, f32)| Op::DrawLine {
        line: Line {
            points: [a, b]
                .into_iter()
                .map(|(x, y)| LinePoint {
                    p: Point { x: Pt(x), y: Pt(y) },
                    bezier: false,
                })
                .collect(),
            is_closed: false,
        },
    };
    let gap = 2.0;
    let (x0, y0) = g.origin;
    let (x1, y1) = (x0 + g.cols as f32 * g.cell.0, y0 + g.rows as f32 * g.cell.1);
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetOutlineColor {
        col: Color::Greyscale(Greyscale::new(0.0, None)),
    });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.3) });
    for c in 0..=g.cols {
        let x = x0 + c as f32 * g.cell.0;
        ops.push(line((x, (y0 - EDGE).max(0.0)), (x, y0 - gap)));
        ops.push(line((x, y1 + gap), (x, (y1 + EDGE).min(g.sheet.1))));
    }
    for r in 0..=g.rows {
        let y = y0 + r as f32 * g.cell.1;
        ops.push(line(((x0 - EDGE).max(0.0), y), (x0 - gap, y)));
        ops.push(line((x1 + gap, y), ((x1 + EDGE).min(g.sheet.0), y)));
    }
    ops.push(Op::RestoreGraphicsState);
}

#[cfg(test)]
mod tests {
    use super::*;

    const A4: Sheet = Sheet {
        paper_mm: (210.0, 297.0),
        per_sheet: 4,
    };

    #[test]
    fn four_a6_cards_fill_a_landscape_a4_sheet() {
        let g = grid(A4, (pt(148.0), pt(105.0)));
        assert_eq!((g.cols, g.rows), (2, 2));
        assert!(g.sheet.0 > g.sheet.1, "landscape");
        assert!(g.scale > 0.9 && g.scale <= 1.0, "{}", g.scale);
        assert!(g.origin.0 >= EDGE - 0.01 && g.origin.1 >= EDGE - 0.01);
    }

    #[test]
    fn eight_cards_go_two_by_four() {
        let g = grid(Sheet { per_sheet: 8, ..A4 }, (pt(148.0), pt(105.0)));
        assert_eq!(g.cols * g.rows, 8);
        assert!(g.scale < 0.75);
    }

    #[test]
    fn a_back_sheet_follows_its_front_and_mirrors_it() {
        let cards: Vec<Vec<Op>> = (0..10).map(|_| vec![Op::SaveGraphicsState]).collect();
        let (_, pages, sheet_of) = sheets(cards, (pt(148.0), pt(105.0)), A4, true);
        // Five cards: sheet 1 front and back (four cards), sheet 2 front and back (one card).
        assert_eq!(pages.len(), 4);
        assert_eq!(pages[1].label, "Sheet 1 back");
        assert_eq!(sheet_of, [0, 1, 0, 1, 0, 1, 0, 1, 2, 3]);
    }
}
