//! The backpropagation figure, drawn from the checked computation: `circuit f(-2, 5, -4)` in a
//! verify block records `f` at the point on the same tape backpropagation uses and draws it —
//! inputs on the left, one node per gate, each wire labelled with its forward value above and
//! its gradient below. The numbers on the figure are the tape's, so they cannot drift from the
//! worked answer.
//!
//! Layout is layered left to right (a gate's column is the longest path from the inputs), rows
//! ordered by the mean row of their inputs to keep crossings few. Every box is sized from the
//! monospace font's advance width (0.602 em for DejaVu Sans Mono), and a row is tall enough for
//! a node and the two labels of its output wire, so no two labels can overlap.

use super::autodiff::Trace;
use crate::linalg::Num;

/// Font size of gate labels, in px.
pub const NODE_FONT: f64 = 13.0;
/// Font size of values and gradients, in px.
pub const LABEL_FONT: f64 = 12.0;
/// Advance width of one character of DejaVu Sans Mono, in em.
const ADVANCE: f64 = 0.602;
/// Height of a node's box.
const NODE_HEIGHT: f64 = 26.0;
/// Height of a row: a node and the value and gradient labels above and below its wire.
const ROW: f64 = NODE_HEIGHT + 2.0 * (LABEL_FONT + 4.0) + 14.0;
/// Space between a column's labels and the next column.
const GAP: f64 = 28.0;
const MARGIN: f64 = 12.0;

/// Most nodes (inputs and gates) a drawn circuit may have. A figure of a few dozen gates is
/// what a page or a card can show; past this one it is a located error, found while the
/// function is recorded (the layout and the SVG are never made). A 16-level
/// `g_i(x) = g_{i-1}(g_{i-1}(x))` drew 65,536 gates in 46 s into a 49 MB page (issue #26).
pub const MAX_GATES: usize = 1000;

/// Most gates and inputs all the circuits of one page may draw: five figures at the limit. A
/// figure at the limit costs about 0.7 s to lay out and draw on a page and a card, and every
/// gate is in the page's HTML.
pub const MAX_PAGE_GATES: usize = 5 * MAX_GATES;

/// The error for a circuit of more than [`MAX_GATES`] nodes, at its `circuit` call `at`;
/// `merged` are the functions already drawn as one gate each.
pub fn too_large(at: &std::ops::Range<usize>, merged: &[String]) -> super::error::VerifyError {
    let hint = if merged.is_empty() {
        "draw the functions it calls as one gate each with `merge`, e.g. `circuit f(1, 2) merge g`, or draw a smaller function".to_string()
    } else {
        format!(
            "merge more of the functions it calls (now `merge {}`), or draw a smaller function",
            merged.join(", ")
        )
    };
    super::error::VerifyError::new(
        at.clone(),
        format!(
            "this circuit has more than {MAX_GATES} gates and inputs, more than a figure can show"
        ),
    )
    .hint(hint)
}

/// A rectangle: x, y, width, height.
pub type Rect = (f64, f64, f64, f64);

/// A laid-out circuit: node boxes, wires, and every text's box (for the overlap check).
pub struct Layout {
    /// Each drawn node: its index in the trace and its box.
    pub nodes: Vec<(usize, Rect)>,
    /// Each text drawn: its box.
    pub texts: Vec<Rect>,
    /// Width and height of the drawing.
    pub size: (f64, f64),
}

fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * ADVANCE * font
}

/// Width of a wire's labels (value above, gradient below).
fn label_width(labels: &(String, String)) -> f64 {
    text_width(&labels.0, LABEL_FONT).max(text_width(&labels.1, LABEL_FONT))
}

/// A number as the figure prints it: exact values exactly when short, else to `decimals`.
pub fn format_number(x: &Num, decimals: Option<u32>) -> String {
    let exact = x.to_string();
    let d = decimals.unwrap_or(if x.is_approx() { 2 } else { 4 });
    if !x.is_approx() && (exact.len() <= 8 || decimals.is_none() && exact.len() <= 12) {
        return exact;
    }
    let s = format!("{:.*}", d as usize, x.to_f64());
    let prefix = if x.is_approx() { "" } else { "≈" };
    format!(
        "{prefix}{}",
        if s.starts_with("-0") && s.trim_start_matches(['-', '0', '.']).is_empty() {
            &s[1..]
        } else {
            &s
        }
    )
}

/// The nodes the output depends on, in tape order.
fn live(trace: &Trace) -> Vec<bool> {
    let mut live = vec![false; trace.nodes.len()];
    let mut stack = vec![trace.output];
    while let Some(i) = stack.pop() {
        if !live[i] {
            live[i] = true;
            stack.extend(&trace.nodes[i].inputs);
        }
    }
    live
}

/// Lays the circuit out; `labels[i]` is node i's (value, gradient) text.
pub fn layout(trace: &Trace, labels: &[(String, String)]) -> Layout {
    let live = live(trace);
    let n = trace.nodes.len();
    let mut layer = vec![0usize; n];
    for i in 0..n {
        if live[i] {
            layer[i] = trace.nodes[i]
                .inputs
                .iter()
                .map(|&j| layer[j] + 1)
                .max()
                .unwrap_or(0);
        }
    }
    // A constant stands in the column before the first gate that uses it, not at the far left.
    // One pass over the wires (a scan of every node per constant was quadratic).
    let mut first_use: Vec<Option<usize>> = vec![None; n];
    for k in (0..n).filter(|&k| live[k]) {
        for &i in &trace.nodes[k].inputs {
            first_use[i] = Some(first_use[i].map_or(layer[k], |c| c.min(layer[k])));
        }
    }
    for i in 0..n {
        if live[i] && trace.nodes[i].input && !trace.nodes[i].param {
            if let Some(c) = first_use[i] {
                layer[i] = c.saturating_sub(1);
            }
        }
    }
    let columns = (0..n)
        .filter(|&i| live[i])
        .map(|i| layer[i])
        .max()
        .unwrap_or(0)
        + 1;
    // Rows: inputs in tape order, then each column by the mean row of its inputs.
    let mut row = vec![0f64; n];
    let mut by_column: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for i in (0..n).filter(|&i| live[i]) {
        by_column[layer[i]].push(i);
    }
    for (c, column) in by_column.iter_mut().enumerate() {
        let mut members = std::mem::take(column);
        if c > 0 {
            let mean = |i: usize| {
                let ins = &trace.nodes[i].inputs;
                ins.iter().map(|&j| row[j]).sum::<f64>() / ins.len().max(1) as f64
            };
            members.sort_by(|&a, &b| mean(a).total_cmp(&mean(b)).then(a.cmp(&b)));
        }
        for (k, &i) in members.iter().enumerate() {
            row[i] = k as f64;
        }
        *column = members;
    }
    let rows = by_column.iter().map(Vec::len).max().unwrap_or(1);
    let box_width = |i: usize| (text_width(&trace.nodes[i].label, NODE_FONT) + 16.0).max(30.0);
    let label_width = |i: usize| label_width(&labels[i]);
    let mut x = MARGIN;
    let mut nodes = Vec::new();
    let mut texts = Vec::new();
    for members in &by_column {
        let width = members
            .iter()
            .map(|&i| box_width(i) + 6.0 + label_width(i))
            .fold(0.0, f64::max);
        // Centre short columns against the tallest.
        let offset = (rows - members.len()) as f64 * ROW / 2.0;
        for (k, &i) in members.iter().enumerate() {
            let y = MARGIN + offset + k as f64 * ROW + (ROW - NODE_HEIGHT) / 2.0;
            let node = (x, y, box_width(i), NODE_HEIGHT);
            nodes.push((i, node));
            texts.push((
                x + 8.0,
                y + 6.0,
                text_width(&trace.nodes[i].label, NODE_FONT),
                NODE_FONT,
            ));
            let lx = x + box_width(i) + 6.0;
            let mid = y + NODE_HEIGHT / 2.0;
            texts.push((
                lx,
                mid - 4.0 - LABEL_FONT,
                text_width(&labels[i].0, LABEL_FONT),
                LABEL_FONT,
            ));
            texts.push((
                lx,
                mid + 4.0,
                text_width(&labels[i].1, LABEL_FONT),
                LABEL_FONT,
            ));
        }
        x += width + GAP;
    }
    Layout {
        nodes,
        texts,
        size: (x - GAP + MARGIN, 2.0 * MARGIN + rows as f64 * ROW),
    }
}

/// One drawn node of a [`Figure`]: its box and gate label, and the labels of its output wire.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureNode {
    /// The node's box.
    pub rect: Rect,
    /// What is written in it: a parameter's name, a constant, or the gate (`+`, `exp`).
    pub gate: String,
    /// True for inputs (parameters and constants), drawn square; gates are drawn round.
    pub input: bool,
    /// The forward value, written above the output wire.
    pub value: String,
    /// The gradient, written below it.
    pub grad: String,
}

impl FigureNode {
    /// Where the gate label's baseline is, centred on x.
    pub fn gate_at(&self) -> (f64, f64) {
        let (x, y, w, h) = self.rect;
        (x + w / 2.0, y + h / 2.0 + NODE_FONT * 0.35)
    }

    /// Where the value label's baseline starts (above the wire).
    pub fn value_at(&self) -> (f64, f64) {
        let (x, y, w, h) = self.rect;
        (x + w + 6.0, y + h / 2.0 - 6.0)
    }

    /// Where the gradient label's baseline starts (below the wire).
    pub fn grad_at(&self) -> (f64, f64) {
        let (x, y, w, h) = self.rect;
        (x + w + 6.0, y + h / 2.0 + 4.0 + LABEL_FONT * 0.8)
    }
}

/// A wire: from the source's right edge straight on between its value and gradient labels,
/// then a cubic curve into the target's left edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wire {
    /// Where it leaves the source.
    pub from: (f64, f64),
    /// Where its straight part ends (past the source's labels), at `from`'s height.
    pub straight_to: f64,
    /// Where it enters the target.
    pub to: (f64, f64),
}

impl Wire {
    /// The curve's two control points.
    pub fn controls(&self) -> ((f64, f64), (f64, f64)) {
        let bend = (self.to.0 - self.straight_to) * 0.5;
        (
            (self.straight_to + bend, self.from.1),
            (self.to.0 - bend, self.to.1),
        )
    }
}

/// A circuit laid out with every label, in the SVG's units (px, y down): what the page's SVG
/// and the flashcard PDF both draw, so the two cannot disagree. Verify makes it; the render
/// and flashcards stages only draw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The call drawn, as the author wrote it (`neuron(2, -1, -3, -2, -3)`).
    pub call: String,
    /// Width and height of the drawing.
    pub size: (f64, f64),
    /// The drawn nodes, column by column.
    pub nodes: Vec<FigureNode>,
    /// Every wire.
    pub wires: Vec<Wire>,
    /// The index in `nodes` of the output.
    pub output: usize,
}

impl Figure {
    /// Lays out `trace` with its values formatted at `decimals` (see [`format_number`]).
    pub fn new(trace: &Trace, call: &str, decimals: Option<u32>) -> Figure {
        let labels: Vec<(String, String)> = trace
            .nodes
            .iter()
            .map(|n| {
                (
                    format_number(&n.value, decimals),
                    format_number(&n.grad, decimals),
                )
            })
            .collect();
        let layout = layout(trace, &labels);
        let place: std::collections::HashMap<usize, Rect> = layout.nodes.iter().copied().collect();
        let mut wires = Vec::new();
        for &(i, (x, y, _, bh)) in &layout.nodes {
            for &j in &trace.nodes[i].inputs {
                let (sx, sy, sw, sh) = place[&j];
                let from = (sx + sw, sy + sh / 2.0);
                wires.push(Wire {
                    from,
                    straight_to: from.0 + 6.0 + label_width(&labels[j]),
                    to: (x, y + bh / 2.0),
                });
            }
        }
        Figure {
            call: call.to_string(),
            size: layout.size,
            output: layout
                .nodes
                .iter()
                .position(|&(i, _)| i == trace.output)
                .unwrap_or(0),
            nodes: layout
                .nodes
                .iter()
                .map(|&(i, rect)| FigureNode {
                    rect,
                    gate: trace.nodes[i].label.clone(),
                    input: trace.nodes[i].input,
                    value: labels[i].0.clone(),
                    grad: labels[i].1.clone(),
                })
                .collect(),
            wires,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::lexer::lex;
    use crate::lang::parser::parse;
    use crate::verify::eval::Env;

    /// Runs `src` and traces its last line (a `circuit` statement).
    fn traced(src: &str) -> Trace {
        let stmts = parse(&lex(src, 0).unwrap()).unwrap();
        let mut env = Env::default();
        let (last, defs) = stmts.split_last().unwrap();
        for s in defs {
            env.run(s).unwrap();
        }
        env.circuit(last).unwrap()
    }

    /// Runs `src` and traces its last line, expecting an error: its message, hint and span.
    fn refused(src: &str) -> (String, String, std::ops::Range<usize>) {
        let stmts = parse(&lex(src, 0).unwrap()).unwrap();
        let mut env = Env::default();
        let (last, defs) = stmts.split_last().unwrap();
        for s in defs {
            env.run(s).unwrap();
        }
        let err = env.circuit(last).err().expect("the circuit is refused");
        (err.message, err.hint.unwrap_or_default(), err.span)
    }

    /// Issue #26: `g_i(x) = g_{i-1}(g_{i-1}(x))` 16 levels deep drew 65,536 gates in 46 s.
    #[test]
    fn a_circuit_past_the_gate_limit_is_refused_at_its_call_with_a_merge_hint() {
        let mut src = String::from("let g0(x) = x * 1\n");
        for i in 1..=16 {
            src.push_str(&format!("let g{i}(x) = g{}(g{}(x))\n", i - 1, i - 1));
        }
        let call = src.len() + "circuit ".len();
        let (message, hint, span) = refused(&format!("{src}circuit g16(1)"));
        assert_eq!(
            message,
            "this circuit has more than 1000 gates and inputs, more than a figure can show"
        );
        assert!(hint.contains("`merge`"), "{hint}");
        assert_eq!(span, call..call + "g16(1)".len());
        let (_, hint, _) = refused(&format!("{src}circuit g16(1) merge g0"));
        assert!(hint.contains("now `merge g0`"), "{hint}");
        // Merged, the same function is three nodes.
        let trace = traced(&format!("{src}circuit g16(1) merge g15"));
        assert_eq!(trace.nodes.len(), 3);
    }

    #[test]
    fn a_circuit_at_the_gate_limit_is_drawn() {
        // A parameter, then per term a constant and a product, and a sum between terms.
        let sum = |terms: usize| {
            let body: Vec<String> = (0..terms).map(|i| format!("x * {}", i % 9 + 1)).collect();
            format!("let f(x) = {}\ncircuit f(1)", body.join(" + "))
        };
        let trace = traced(&sum(333));
        assert_eq!(trace.nodes.len(), 1 + 333 * 3 - 1);
        let (message, _, _) = refused(&sum(334));
        assert!(message.contains("more than 1000 gates"), "{message}");
    }

    /// (label, value, gradient) of every drawn node, read back from the SVG's texts.
    fn drawn(svg: &str) -> Vec<(String, String, String)> {
        let texts: Vec<String> = svg
            .split("<text class=\"")
            .skip(1)
            .map(|t| {
                t.split_once('>')
                    .unwrap()
                    .1
                    .split_once("</text>")
                    .unwrap()
                    .0
                    .to_string()
            })
            .collect();
        texts
            .chunks(3)
            .map(|c| (c[0].clone(), c[1].clone(), c[2].clone()))
            .collect()
    }

    #[test]
    fn the_labels_are_the_tapes_values() {
        let t = traced("let f(x, y, z) = (x + y) * z\ncircuit f(3, -1, 2)");
        let svg = crate::typeset::circuit::svg(&Figure::new(&t, "f(3, -1, 2)", None), "c", "");
        let mut got = drawn(&svg);
        got.sort();
        let mut want: Vec<(String, String, String)> = [
            ("x", "3", "2"),
            ("y", "-1", "2"),
            ("z", "2", "2"),
            ("+", "2", "2"),
            ("×", "4", "1"),
        ]
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn a_sigmoid_neuron_draws_the_notes_numbers() {
        // The neuron of the public notes: w = [2, -3, -3], x = [-1, -2].
        let t = traced(
            "let f(w0, x0, w1, x1, w2) = 1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))\n\
             circuit f(2, -1, -3, -2, -3) decimals 2",
        );
        let svg = crate::typeset::circuit::svg(
            &Figure::new(&t, "f(2, -1, -3, -2, -3)", Some(2)),
            "n",
            "",
        );
        let got = drawn(&svg);
        let find = |label: &str| got.iter().find(|(l, ..)| l == label).cloned().unwrap();
        // Inputs' gradients as the notes state them: w0 -0.20, x0 0.39, w1 -0.39, x1 -0.59, w2 0.20.
        assert_eq!(find("w0"), ("w0".into(), "2".into(), "-0.20".into()));
        assert_eq!(find("x0"), ("x0".into(), "-1".into(), "0.39".into()));
        assert_eq!(find("x1"), ("x1".into(), "-2".into(), "-0.59".into()));
        assert_eq!(find("÷"), ("÷".into(), "0.73".into(), "1".into()));
        assert!(svg.contains("<title id=\"n-title\">Circuit of f(2, -1, -3, -2, -3)</title>"));
        // Constants' wires carry their gradients too, as the notes draw them: the 1 added to
        // e⁻ˣ gets the add gate's -0.53, and the numerator 1 of 1/x gets 1/1.37 ≈ 0.73.
        let constants: Vec<String> = got
            .iter()
            .filter(|(l, ..)| l == "1")
            .map(|(.., g)| g.clone())
            .collect();
        assert_eq!(constants, ["-0.53", "0.73"]);
    }

    #[test]
    fn a_merged_function_is_one_gate_with_the_same_gradients() {
        let t = traced(
            "let σ(z) = 1 / (1 + exp(-z))\n\
             let neuron(w0, x0, w1, x1, w2) = σ(w0 * x0 + w1 * x1 + w2)\n\
             circuit neuron(2, -1, -3, -2, -3) decimals 2 merge σ",
        );
        let svg = crate::typeset::circuit::svg(
            &Figure::new(&t, "neuron(2, -1, -3, -2, -3)", Some(2)),
            "m",
            "",
        );
        let got = drawn(&svg);
        let find = |label: &str| got.iter().find(|(l, ..)| l == label).cloned().unwrap();
        // σ is one gate: no exp, no division drawn; the inputs' gradients are the notes'.
        assert_eq!(find("σ"), ("σ".into(), "0.73".into(), "1".into()));
        assert!(got.iter().all(|(l, ..)| l != "exp" && l != "÷"), "{got:?}");
        assert_eq!(find("w0"), ("w0".into(), "2".into(), "-0.20".into()));
        assert_eq!(find("x1"), ("x1".into(), "-2".into(), "-0.59".into()));
        assert_eq!(got.len(), 10, "5 inputs, 2 products, 2 sums and σ: {got:?}");
    }

    fn overlaps(a: Rect, b: Rect) -> bool {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Random circuits of 3 to 40 gates: no two texts and no two nodes overlap.
        #[test]
        fn nothing_overlaps(gates in proptest::collection::vec((0usize..1000, 0usize..1000, 0usize..4), 3..40)) {
            let mut src = String::from("let f(a, b, c) = ");
            let mut names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
            let mut body = Vec::new();
            for (i, j, op) in &gates {
                let (x, y) = (&names[i % names.len()], &names[j % names.len()]);
                let e = match op {
                    0 => format!("({x} + {y})"),
                    1 => format!("({x} * {y})"),
                    2 => format!("max({x}, {y})"),
                    _ => format!("exp({x} / 100)"),
                };
                body.push(e.clone());
                names.push(e);
            }
            // Sum every gate so all are live.
            src.push_str(&body.join(" + "));
            src.push_str("\ncircuit f(0.5, -1.25, 2)");
            let stmts = parse(&lex(&src, 0).unwrap()).unwrap();
            let mut env = Env::default();
            env.run(&stmts[0]).unwrap();
            // Every generated circuit must trace: a case that errored would check nothing. Only
            // one past the drawing's gate limit (a gate's text reused inside later ones can
            // repeat it thousands of times) is refused, and replaced by another case.
            let traced = env.circuit(&stmts[1]);
            proptest::prop_assume!(
                !matches!(&traced, Err(e) if e.message.contains("gates and inputs")),
                "past the gate limit"
            );
            let t = traced.expect("the circuit traces");
            let labels: Vec<(String, String)> = t.nodes.iter()
                .map(|n| (format_number(&n.value, Some(2)), format_number(&n.grad, Some(2))))
                .collect();
            let l = layout(&t, &labels);
            for (a, ra) in l.texts.iter().enumerate() {
                for rb in &l.texts[a + 1..] {
                    proptest::prop_assert!(!overlaps(*ra, *rb), "{:?} {:?}", ra, rb);
                }
            }
            for (a, (_, ra)) in l.nodes.iter().enumerate() {
                for (_, rb) in &l.nodes[a + 1..] {
                    proptest::prop_assert!(!overlaps(*ra, *rb));
                }
            }
        }
    }
}
