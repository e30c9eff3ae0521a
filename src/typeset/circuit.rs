//! A circuit figure as SVG: the layout verification computed, drawn with its wires, gates and
//! each wire's value and gradient. The page wraps it in a figure with a table; an Anki card
//! carries it alone, with its own style rules.

use std::fmt::Write;

use crate::verify::circuit::Figure;

/// Text for SVG and HTML: the four characters markup gives a meaning.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The figure's rules for an SVG shown without the site's stylesheet (an Anki card): the
/// light theme's colours.
pub const STANDALONE_STYLE: &str = "<style>.wire{fill:none;stroke:#6b7280;stroke-width:1.5}.node{fill:#f6f8fa;stroke:#1f2328;stroke-width:1.2}.node.input{fill:#fff}text{font-family:'DejaVu Sans Mono',monospace}.gate{fill:#1f2328;font-size:13px;text-anchor:middle}.value{fill:#1a7f37;font-size:12px}.grad{fill:#b3261e;font-size:12px}</style>";

/// The SVG alone. `style` goes inside it (empty on the page, whose stylesheet has the
/// figure's rules; [`STANDALONE_STYLE`] where there is none, as in an Anki card).
pub fn svg(figure: &Figure, id: &str, style: &str) -> String {
    let (w, h) = figure.size;
    let out = &figure.nodes[figure.output];
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"circuit-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">{style}\
         <title id=\"{id}-title\">Circuit of {}</title>\
         <desc id=\"{id}-desc\">Each wire shows its forward value above (green) and its gradient below (red); the output is {} with gradient {}.</desc>",
        escape(&figure.call),
        escape(&out.value),
        escape(&out.grad),
    );
    // Wires first, under the nodes.
    for wire in &figure.wires {
        let ((x0, y1), x1, (x2, y2)) = (wire.from, wire.straight_to, wire.to);
        let ((c1, _), (c2, _)) = wire.controls();
        let _ = write!(
            svg,
            "<path class=\"wire\" d=\"M{x0:.1} {y1:.1} H{x1:.1} C{c1:.1} {y1:.1} {c2:.1} {y2:.1} {x2:.1} {y2:.1}\"/>",
        );
    }
    for node in &figure.nodes {
        let (x, y, bw, bh) = node.rect;
        let class = if node.input { "node input" } else { "node op" };
        let (gx, gy) = node.gate_at();
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" rx=\"{}\"/>\
             <text class=\"gate\" x=\"{gx:.1}\" y=\"{gy:.1}\">{}</text>",
            if node.input { 3 } else { 13 },
            escape(&node.gate)
        );
        let ((lx, vy), (_, gy)) = (node.value_at(), node.grad_at());
        let _ = write!(
            svg,
            "<text class=\"value\" x=\"{lx:.1}\" y=\"{vy:.1}\">{}</text><text class=\"grad\" x=\"{lx:.1}\" y=\"{gy:.1}\">{}</text>",
            escape(&node.value),
            escape(&node.grad)
        );
    }
    svg.push_str("</svg>");
    svg
}
