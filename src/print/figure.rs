//! Circuit figures on printed cards: the [`Figure`] that verify laid out for the page's SVG
//! (the same boxes, wires and labels; no second layout, no second evaluation), scaled to the
//! card and drawn with PDF paths and text.
//!
//! A figure is set on a line of its own, centred, with its wire labels a little smaller than the
//! card's text and never wider than the card. When the card is too short, the figure gives up
//! height before the text does ([`super::layout::fit`]): it shrinks into the height the text
//! leaves, as long as its labels stay at least [`MIN_FIGURE_PT`]. Values are green and upright,
//! gradients red and slanted, so the two stay apart in greyscale too, and a legend line under
//! the figure says which is which.

use std::collections::BTreeMap;
use std::sync::Arc;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon,
    PolygonRing, Pt, Rgb, TextItem, TextMatrix, WindingOrder,
};

use super::layout::{line_width, segments};
use super::text::Style;
use crate::verify::circuit::{Figure, LABEL_FONT, NODE_FONT};

/// A figure's wire labels are set at this share of the text size (the page sets 12 px labels
/// beside 16 px text).
const LABEL_RATIO: f32 = 0.8;

/// The smallest size a figure's wire labels may shrink to, to fit a card's height, before the
/// card's text shrinks instead; and below which the deck warns. Short numbers in a monospace
/// face stay legible smaller than running text (the deck's limit for text is 7 pt).
pub const MIN_FIGURE_PT: f32 = 5.0;

/// The legend under a figure: the value's words, a separator, the gradient's words.
pub const LEGEND: [&str; 3] = ["value above each wire", "  ·  ", "gradient below"];

/// The legend's size as a share of the text size.
const LEGEND_RATIO: f32 = 0.75;

/// Slant of a gradient label (a synthetic oblique: the glyphs' advances do not change, so the
/// layout's label boxes still hold).
const SLANT: f32 = 0.2;

/// A figure set on a line: its scale, and its legend's size and position.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRun {
    /// The figure, as verify laid it out.
    pub figure: Arc<Figure>,
    /// Points per px of the figure's drawing.
    pub scale: f32,
    /// Size of the legend line, in points.
    pub legend: f32,
    /// The legend's x offset from the figure's left edge (negative when it is the wider).
    pub legend_dx: f32,
}

impl FigureRun {
    /// Sets `figure` for text of `size` in a box `width` points wide, at `shrink` (≤ 1) of the
    /// largest scale that fits the width: its labels at [`LABEL_RATIO`] of the text size.
    pub fn new(figure: Arc<Figure>, size: f32, width: f32, shrink: f32) -> FigureRun {
        let scale = natural_scale(&figure, size, width) * shrink;
        let legend = (size * LEGEND_RATIO).min(width / legend_width(1.0).max(f32::EPSILON));
        let legend_dx = (figure.size.0 as f32 * scale - legend_width(legend)) / 2.0;
        FigureRun {
            figure,
            scale,
            legend,
            legend_dx,
        }
    }

    /// The drawing's width in points.
    pub fn width(&self) -> f32 {
        self.figure.size.0 as f32 * self.scale
    }

    /// The drawing's height in points.
    pub fn drawing_height(&self) -> f32 {
        self.figure.size.1 as f32 * self.scale
    }

    /// The widest of the drawing and the legend, in points.
    pub fn extent(&self) -> f32 {
        self.width().max(legend_width(self.legend))
    }

    /// Room above the drawing, in points.
    fn pad(&self) -> f32 {
        self.legend * 0.4
    }

    /// Everything but the drawing: the room above it, and the legend line and its gap below.
    pub fn fixed_height(&self) -> f32 {
        self.pad() + self.legend * 1.9
    }

    /// The line's whole height, in points.
    pub fn height(&self) -> f32 {
        self.drawing_height() + self.fixed_height()
    }

    /// The wire labels' size, in points.
    pub fn label_pt(&self) -> f32 {
        LABEL_FONT as f32 * self.scale
    }
}

/// The largest scale at which `figure` fits `width` with labels at [`LABEL_RATIO`] of `size`.
fn natural_scale(figure: &Figure, size: f32, width: f32) -> f32 {
    (LABEL_RATIO * size / LABEL_FONT as f32).min(width / figure.size.0.max(1.0) as f32)
}

/// The legend's width at `size` points.
fn legend_width(size: f32) -> f32 {
    LEGEND
        .iter()
        .map(|t| line_width(&segments(Style::Regular, t), size))
        .sum()
}

/// Every character a figure sets, by face (for subsetting): labels in the monospace face (or
/// the face that has the glyph), the legend in DejaVu Sans.
pub fn used_chars(run: &FigureRun, used: &mut BTreeMap<Style, std::collections::BTreeSet<char>>) {
    let labels = run
        .figure
        .nodes
        .iter()
        .flat_map(|n| [&n.gate, &n.value, &n.grad]);
    let texts = labels
        .map(|t| (Style::Mono, t.as_str()))
        .chain(LEGEND.iter().map(|t| (Style::Regular, *t)));
    for (style, text) in texts {
        for seg in segments(style, text) {
            used.entry(seg.style).or_default().extend(seg.text.chars());
        }
    }
}

/// A wire's value colour: a dark green that prints.
fn value_colour() -> Color {
    Color::Rgb(Rgb::new(0.05, 0.42, 0.16, None))
}

/// A wire's gradient colour: a dark red that prints.
fn grad_colour() -> Color {
    Color::Rgb(Rgb::new(0.70, 0.09, 0.07, None))
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

fn point(x: f32, y: f32, bezier: bool) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier,
    }
}

/// A rectangle with round corners of radius `r`, as a closed path (four Bézier quarter arcs).
fn rounded(x: f32, y: f32, w: f32, h: f32, r: f32) -> Vec<LinePoint> {
    let r = r.min(w / 2.0).min(h / 2.0);
    // The control points' distance for a quarter circle.
    let k = r * 0.552_284_8;
    let (x1, y1) = (x + w, y + h);
    vec![
        point(x + r, y, false),
        point(x1 - r, y, false),
        point(x1 - r + k, y, true),
        point(x1, y + r - k, true),
        point(x1, y + r, false),
        point(x1, y1 - r, false),
        point(x1, y1 - r + k, true),
        point(x1 - r + k, y1, true),
        point(x1 - r, y1, false),
        point(x + r, y1, false),
        point(x + r - k, y1, true),
        point(x, y1 - r + k, true),
        point(x, y1 - r, false),
        point(x, y + r, false),
        point(x, y + r - k, true),
        point(x + r - k, y, true),
        point(x + r, y, false),
    ]
}

/// Text at a baseline in the monospace face (another face where it lacks a glyph), slanted by
/// `slant`.
fn text(
    ops: &mut Vec<Op>,
    fonts: &BTreeMap<Style, FontId>,
    style: Style,
    s: &str,
    (mut x, y): (f32, f32),
    size: f32,
    slant: f32,
) {
    for seg in segments(style, s) {
        let Some(font) = fonts.get(&seg.style) else {
            continue;
        };
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw([1.0, 0.0, slant, 1.0, x, y]),
        });
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font.clone()),
            size: Pt(size),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(seg.text.clone())],
        });
        x += line_width(std::slice::from_ref(&seg), size);
    }
}

/// Draws `run` on the line whose top is `line_top`, its left edge at `x`, in page points (y up).
pub fn draw(
    run: &FigureRun,
    x: f32,
    line_top: f32,
    fonts: &BTreeMap<Style, FontId>,
    ops: &mut Vec<Op>,
) {
    let top = line_top - run.pad();
    let s = run.scale;
    let fig = &run.figure;
    // The figure's px (y down) to page points (y up).
    let at = |(px, py): (f64, f64)| (x + px as f32 * s, top - py as f32 * s);
    // Strokes no thinner than a printer draws cleanly.
    let stroke = |px: f32| Pt((px * s).max(0.35));
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetOutlineColor { col: grey(0.45) });
    ops.push(Op::SetOutlineThickness { pt: stroke(1.3) });
    for wire in &fig.wires {
        let ((x0, y0), (x1, _), (c1x, c1y), (c2x, c2y), (x2, y2)) = (
            at(wire.from),
            at((wire.straight_to, wire.from.1)),
            at(wire.controls().0),
            at(wire.controls().1),
            at(wire.to),
        );
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    point(x0, y0, false),
                    point(x1, y0, false),
                    point(c1x, c1y, true),
                    point(c2x, c2y, true),
                    point(x2, y2, false),
                ],
                is_closed: false,
            },
        });
    }
    // The layout keeps labels apart, but a long wire may pass behind another node's label:
    // paper white behind each label keeps it readable (the wire shows on either side).
    let label_pt = LABEL_FONT as f32 * s;
    ops.push(Op::SetFillColor { col: grey(1.0) });
    for node in &fig.nodes {
        for (label, at_px) in [(&node.value, node.value_at()), (&node.grad, node.grad_at())] {
            let (lx, base) = at(at_px);
            let w = line_width(&segments(Style::Mono, label), label_pt);
            let pad = 1.5 * s;
            ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing {
                        points: rounded(
                            lx - pad,
                            base - 0.24 * label_pt,
                            w + 2.0 * pad,
                            label_pt,
                            0.0,
                        ),
                    }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
        }
    }
    ops.push(Op::SetOutlineColor { col: grey(0.1) });
    ops.push(Op::SetOutlineThickness { pt: stroke(1.1) });
    for node in &fig.nodes {
        let (nx, ny, nw, nh) = node.rect;
        let (left, bottom) = at((nx, ny + nh));
        let (w, h) = (nw as f32 * s, nh as f32 * s);
        // Inputs square-cornered on white, gates round on light grey, as on the page.
        let (fill, radius) = if node.input {
            (grey(1.0), 3.0 * s)
        } else {
            (grey(0.92), h / 2.0)
        };
        ops.push(Op::SetFillColor { col: fill });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: rounded(left, bottom, w, h, radius),
                }],
                mode: PaintMode::FillStroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }
    ops.push(Op::StartTextSection);
    let gate_pt = NODE_FONT as f32 * s;
    ops.push(Op::SetFillColor { col: grey(0.0) });
    for node in &fig.nodes {
        let (gx, gy) = at(node.gate_at());
        let width = line_width(&segments(Style::Mono, &node.gate), gate_pt);
        text(
            ops,
            fonts,
            Style::Mono,
            &node.gate,
            (gx - width / 2.0, gy),
            gate_pt,
            0.0,
        );
    }
    ops.push(Op::SetFillColor {
        col: value_colour(),
    });
    for node in &fig.nodes {
        text(
            ops,
            fonts,
            Style::Mono,
            &node.value,
            at(node.value_at()),
            label_pt,
            0.0,
        );
    }
    ops.push(Op::SetFillColor { col: grad_colour() });
    for node in &fig.nodes {
        let at = at(node.grad_at());
        text(ops, fonts, Style::Mono, &node.grad, at, label_pt, SLANT);
    }
    // The legend, centred under the drawing, each part in the colour and slant it explains.
    let mut lx = x + run.legend_dx;
    let ly = top - run.drawing_height() - run.legend * 1.3;
    for (part, colour, slant) in [
        (LEGEND[0], value_colour(), 0.0),
        (LEGEND[1], grey(0.35), 0.0),
        (LEGEND[2], grad_colour(), SLANT),
    ] {
        ops.push(Op::SetFillColor { col: colour });
        text(
            ops,
            fonts,
            Style::Regular,
            part,
            (lx, ly),
            run.legend,
            slant,
        );
        lx += line_width(&segments(Style::Regular, part), run.legend);
    }
    ops.push(Op::EndTextSection);
    ops.push(Op::RestoreGraphicsState);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::lexer::lex;
    use crate::lang::parser::parse;
    use crate::print::layout::{figures, fit, wrap, Block};
    use crate::print::text::{Paragraph, Run};
    use crate::verify::eval::Env;

    /// The figure of the last line of `src` (a `circuit` statement).
    fn figure(src: &str) -> Arc<Figure> {
        let stmts = parse(&lex(src, 0).unwrap()).unwrap();
        let mut env = Env::default();
        let (last, defs) = stmts.split_last().unwrap();
        for s in defs {
            env.run(s).unwrap();
        }
        Arc::new(Figure::new(&env.circuit(last).unwrap(), "f(…)", Some(2)))
    }

    /// The sigmoid neuron of docs/verify.md: 15 nodes, about 780 × 384 px.
    fn neuron() -> Arc<Figure> {
        figure(
            "let f(w0, x0, w1, x1, w2) = 1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))\n\
             circuit f(2, -1, -3, -2, -3) decimals 2",
        )
    }

    fn paragraphs(fig: &Arc<Figure>) -> Vec<Paragraph> {
        vec![
            vec![Run::text(
                Style::Regular,
                "Backpropagate through the neuron.",
            )],
            vec![Run::figure(Arc::clone(fig))],
            vec![Run::text(
                Style::Regular,
                "Read each gradient below its wire.",
            )],
        ]
    }

    fn only_figure(block: &Block) -> &FigureRun {
        let all: Vec<&FigureRun> = figures(block).collect();
        assert_eq!(all.len(), 1);
        all[0]
    }

    #[test]
    fn a_small_figure_sets_its_labels_a_little_smaller_than_the_text() {
        let fig = figure("let f(x, y, z) = (x + y) * z\ncircuit f(3, -1, 2)");
        let block = wrap(&paragraphs(&fig), 1000.0, 12.0, false);
        let run = only_figure(&block);
        assert!((run.label_pt() - LABEL_RATIO * 12.0).abs() < 1e-4);
        // Centred on its line.
        let line = block.lines.iter().position(|l| l[0].figure.is_some());
        let indent = block.indent[line.unwrap()];
        assert!((indent - (1000.0 - run.width()) / 2.0).abs() < 1e-3);
    }

    #[test]
    fn a_wide_figure_is_scaled_down_to_the_width() {
        let fig = neuron();
        for width in [150.0, 378.0, 500.0] {
            let block = wrap(&paragraphs(&fig), width, 12.0, false);
            let run = only_figure(&block);
            assert!(
                (run.width() - width).abs() < 1e-3,
                "{} at {width}",
                run.width()
            );
            assert!(block.widest <= width + 0.01);
        }
    }

    #[test]
    fn a_short_card_shrinks_the_figure_before_the_text() {
        let fig = neuron();
        // 560 pt wide, the labels are 8.6 pt: 80% of that is still above the floor.
        let full = wrap(&paragraphs(&fig), 560.0, 12.0, false);
        // Room for the text and 80% of the figure's drawing.
        let height = full.height() - 0.2 * only_figure(&full).drawing_height();
        let block = fit(&paragraphs(&fig), 560.0, height, 12.0, false, 7.0);
        assert_eq!(block.size, 12.0, "the text keeps its size");
        assert!(block.height() <= height + 1e-3);
        let run = only_figure(&block);
        assert!(run.label_pt() >= MIN_FIGURE_PT);
        assert!((run.scale / only_figure(&full).scale - 0.8).abs() < 0.01);
    }

    #[test]
    fn the_text_shrinks_too_rather_than_the_labels_below_the_floor() {
        let fig = neuron();
        // The duplex A6 question of the fixture deck: about 242 pt tall, set from 21.6 pt.
        let block = fit(&paragraphs(&fig), 378.0, 242.0, 21.6, true, 7.0);
        assert!(block.size < 21.6 && block.size >= 7.0, "{}", block.size);
        assert!(only_figure(&block).label_pt() >= MIN_FIGURE_PT - 1e-3);
        assert!(block.height() <= 242.0 + 1e-3);
    }

    #[test]
    fn a_figure_that_cannot_be_readable_is_squeezed_with_readable_text() {
        // The answer half of a one-sided A6 card: about 116 pt for the 384 px neuron.
        let block = fit(&paragraphs(&neuron()), 378.0, 116.0, 12.0, false, 7.0);
        assert!(block.height() <= 116.0 + 1e-3);
        assert!(block.size >= 7.0, "text stays readable: {}", block.size);
        let run = only_figure(&block);
        assert!(run.label_pt() < MIN_FIGURE_PT && run.label_pt() > 0.0);
    }

    #[test]
    fn nothing_ever_overflows_the_box() {
        let fig = neuron();
        for width in [100.0f32, 250.0, 378.0, 560.0] {
            for height in (1..=30).map(|i| i as f32 * 20.0) {
                for start in [12.0, 21.6] {
                    let block = fit(&paragraphs(&fig), width, height, start, false, 7.0);
                    if block.size >= 1.0 {
                        assert!(
                            block.height() <= height + 1e-3 && block.widest <= width + 0.01,
                            "{width} × {height} from {start}: {} × {} at {}",
                            block.widest,
                            block.height(),
                            block.size
                        );
                    }
                }
            }
        }
    }
}
