//! A circuit figure on the page: the figure verification laid out, drawn as an inline SVG with
//! a title and description, in a frame that scrolls, with a table of every wire's value and
//! gradient under it.

use std::fmt::Write;

use crate::typeset::circuit::{escape, svg};
use crate::verify::circuit::Figure;

/// The figure for the page: an inline SVG with a title and description, in a scrolling
/// frame, and a table of every wire's value and gradient under it. `id` makes its ids
/// unique on the page.
pub fn html(figure: &Figure, id: &str) -> String {
    let out = &figure.nodes[figure.output];
    let svg = svg(figure, id, "");
    let mut table = String::from(
        "<table><thead><tr><th scope=\"col\">wire from</th><th scope=\"col\">value</th><th scope=\"col\">gradient</th></tr></thead><tbody>",
    );
    for node in &figure.nodes {
        let _ = write!(
            table,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&node.gate),
            escape(&node.value),
            escape(&node.grad)
        );
    }
    table.push_str("</tbody></table>");
    format!(
        "<figure class=\"circuit\" id=\"{id}\"><div class=\"circuit-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Circuit of {call_e}, scrolls sideways\">{svg}</div>\
         <figcaption>Circuit of <code>{call_e}</code>: forward values above the wires, gradients below (output {v}, gradient {g}). \
         Computed and checked when the site was built.</figcaption>\
         <details><summary>Every wire's value and gradient</summary>{table}</details></figure>\n",
        call_e = escape(&figure.call),
        v = escape(&out.value),
        g = escape(&out.grad),
    )
}
