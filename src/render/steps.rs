//! Formulas and verified steps on a page: LaTeX to MathML (errors located in the author's
//! LaTeX), a verify block's shown statements typeset line by line, and its circuit figures. A
//! chain too wide for a phone also gets a form broken at its relations; how wide it is comes
//! from the same typesetter that lays out the PDF's formulas.

use std::ops::Range;

use super::body::Ctx;
use super::circuit;
use crate::doc::{Block, BlockKind};
use crate::typeset::latex as typeset;
use crate::typeset::mathml::{to_mathml, to_mathml_by_shape, to_mathml_numbers};

/// What a LaTeX to MathML conversion gives: the MathML, or the error and where in the LaTeX it is.
type Converted = Result<String, (String, Range<usize>)>;

impl Ctx<'_> {
    pub(super) fn math(
        &mut self,
        latex: &str,
        display: bool,
        span: Range<usize>,
        html: &mut String,
    ) {
        self.math_by(to_mathml, latex, display, span, html)
    }
    /// [`Self::math`], converted by `convert`.
    fn math_by(
        &mut self,
        convert: impl FnOnce(&str, bool) -> Converted,
        latex: &str,
        display: bool,
        span: Range<usize>,
        html: &mut String,
    ) {
        match convert(latex, display) {
            Ok(m) => {
                self.search.math(latex, display, &m);
                if html.is_empty() {
                    // A chain's one-line form starts empty: its MathML is taken, not copied.
                    *html = m;
                } else {
                    html.push_str(&m);
                }
            }
            Err((message, _)) => {
                let d = self.error(span, message);
                self.errors.push(d);
            }
        }
    }
    /// Math written in the page at byte `start`: an error points into the LaTeX itself when
    /// the converter says where (falling back to the whole `span`).
    pub(super) fn math_at(
        &mut self,
        latex: &str,
        display: bool,
        start: usize,
        span: Range<usize>,
        html: &mut String,
    ) {
        match to_mathml(latex, display) {
            Ok(m) => {
                self.search.math(latex, display, &m);
                html.push_str(&m)
            }
            Err((message, at)) => {
                let located = start + at.start..(start + at.end).max(start + at.start + 1);
                let located = if located.end <= span.end {
                    located
                } else {
                    span
                };
                let d = self.error(located, message);
                self.errors.push(d);
            }
        }
    }
    /// A verify block's typeset steps (nothing for a hidden one), then its circuit figures.
    pub(super) fn verified(&mut self, block: &Block, html: &mut String) {
        let BlockKind::Verify(v) = &block.kind else {
            return;
        };
        let Some(checked) = self.verification.blocks.get(&block.id) else {
            return;
        };
        if !checked.shown.is_empty() {
            html.push_str("<div class=\"verified\" role=\"group\" aria-label=\"Worked steps, checked when the site was built\">\n");
            for stmt in &checked.shown {
                let (line, broken) = typeset::statement_forms(stmt);
                self.chain(&line, broken.as_deref(), v.fence.clone(), html);
            }
            html.push_str("</div>\n");
            self.search.end_block();
        }
        for drawn in &checked.figures {
            let id = format!("{}circuit-{}", self.id_prefix, drawn.at + self.shift);
            html.push_str(&circuit::html(&drawn.figure, &id));
            // What the figure says: its call and every wire's value and gradient.
            let figure = &drawn.figure;
            self.search.text(&format!("Circuit of {}", figure.call));
            for node in &figure.nodes {
                self.search
                    .text(&format!("{} {} {}", node.gate, node.value, node.grad));
            }
        }
    }
    /// One shown line. A chain wider than the narrowest column it may meet is written twice,
    /// on one line and broken at its relations; the stylesheet shows the one-line form only
    /// while its column is wide enough (a container query per width class), so nothing is
    /// clipped at any width and no script is needed. Each form scrolls if it still overflows.
    pub(super) fn chain(
        &mut self,
        line: &str,
        broken: Option<&str>,
        span: Range<usize>,
        html: &mut String,
    ) {
        // A chain's numbers change from one number set to the next: converted by its shape.
        let mut one = String::new();
        let mut key = None;
        let by_shape = |latex: &str, display: bool| {
            let (mathml, width_key) = to_mathml_by_shape(latex, display)?;
            key = width_key;
            Ok(mathml)
        };
        self.math_by(by_shape, line, true, span.clone(), &mut one);
        // How wide the one-line form is, laid out with the math font's own metrics (only
        // asked when there is a broken form to choose).
        let fit = broken.and_then(|_| fit_class(one_line_width(&one, key) * BROWSER_SPACING));
        match (broken, fit) {
            (Some(broken), Some(fit)) => {
                html.push_str("<div class=\"chain ");
                html.push_str(&fit);
                html.push_str("\"><div class=\"chain-line\">");
                html.push_str(&one);
                html.push_str("</div><div class=\"chain-aligned\">");
                // The broken form says the same again: the index has it once.
                let before = self.search.pause();
                self.math_by(to_mathml_numbers, broken, true, span, html);
                self.search.resume(before);
                html.push_str("</div></div>\n");
            }
            _ => html.push_str(&one),
        }
    }
}

/// The width of a formula's MathML laid out on one line, in em (0 when it cannot be laid
/// out), remembered per thread: variants and cards repeat a page's chains. It is measured with
/// every digit of the text as `0`: the math font's digits are all one width (tabular), so the
/// width holds for the same chain with any numbers of as many digits, and a variant's chain
/// is laid out once per shape instead of once per number set (each set missed the memory).
/// Only a delimiter stretched to its content can differ, by the few units digits differ in
/// height: far below the 5 em steps of [`fit_class`].
///
/// A chain whose MathML was made from its shape is remembered by `key`, its LaTeX with its
/// digits as zeros ([`to_mathml_by_shape`]): the same width, found without reading the MathML.
fn one_line_width(mathml: &str, key: Option<String>) -> f32 {
    thread_local! {
        static WIDTHS: crate::memo::Table<Box<str>, f32> = Default::default();
        static BY_LATEX: crate::memo::Table<Box<str>, f32> = Default::default();
    }
    let lay_out = |shape: &str| {
        Ok::<_, ()>(crate::typeset::layout::layout_mathml(shape).map_or(0.0, |b| b.width))
    };
    let width = match key {
        Some(key) => {
            let width = crate::memo::get_or_insert(&BY_LATEX, key.into_boxed_str(), || {
                lay_out(&digits_as_zeros(mathml))
            });
            // A debug build lays every chain out, and checks its key's width is its own.
            debug_assert_eq!(width, lay_out(&digits_as_zeros(mathml)), "{mathml}");
            width
        }
        None => {
            let shape = digits_as_zeros(mathml);
            WIDTHS.with(|table| {
                crate::memo::get_or_insert_by(table, shape.as_str(), || lay_out(&shape))
            })
        }
    };
    width.unwrap_or(0.0)
}

/// `mathml` with every digit of its text (not of its tags and attributes, whose numbers are
/// sizes and levels) as `0`.
fn digits_as_zeros(mathml: &str) -> String {
    let mut out = Vec::with_capacity(mathml.len());
    let (mut in_tag, mut quote) = (false, None);
    for &b in mathml.as_bytes() {
        match (in_tag, quote, b) {
            (true, Some(q), _) if b == q => quote = None,
            (true, Some(_), _) => {}
            (true, None, b'"' | b'\'') => quote = Some(b),
            (true, None, b'>') => in_tag = false,
            (false, _, b'<') => in_tag = true,
            (false, _, b'1'..=b'9') => {
                out.push(b'0');
                continue;
            }
            _ => {}
        }
        out.push(b);
    }
    // Only ASCII digits were replaced, by an ASCII digit: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| mathml.to_string())
}

/// How much wider a browser sets a formula than the typesetter lays it out: MathML Core
/// spaces operators by its dictionary (a relation gets 5/18 em on each side), the print
/// layout by TeX's rules. Measured in Chromium on the sample's chains: 1.06 to 1.11.
const BROWSER_SPACING: f32 = 1.12;

/// Narrowest chain width (in em of the page's root font) that gets a broken form: a column is
/// never narrower than about 20 em (a 375 px phone).
const CHAIN_MIN_EM: f32 = 20.0;

/// Widest class the stylesheet has; wider chains share it.
const CHAIN_MAX_EM: f32 = 120.0;

/// The `fit-N` class of a chain `width` em wide (in the math's font size): the one-line form
/// needs a column of at least N em. `None` when it fits any column. The stylesheet has one
/// container query per class, N = 20, 25, … 120.
pub(super) fn fit_class(width: f32) -> Option<String> {
    // The math is set at 1.05 × 1.0625 of the root font size; queries count in root em.
    let needed = width * 1.05 * 1.0625;
    if needed < CHAIN_MIN_EM {
        return None;
    }
    let n = ((needed / 5.0).ceil() * 5.0).min(CHAIN_MAX_EM);
    Some(format!("fit-{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_the_text_become_zeros_and_tags_keep_theirs() {
        let mathml = r#"<math display="block"><mspace width="1.5em"/><mn>0.73</mn><mo>−</mo><msub><mi>w</mi><mn>12</mn></msub><mstyle scriptlevel="2"><mn>9</mn></mstyle></math>"#;
        assert_eq!(
            digits_as_zeros(mathml),
            r#"<math display="block"><mspace width="1.5em"/><mn>0.00</mn><mo>−</mo><msub><mi>w</mi><mn>00</mn></msub><mstyle scriptlevel="2"><mn>0</mn></mstyle></math>"#
        );
    }

    #[test]
    fn a_chain_is_as_wide_with_any_digits_of_the_same_count() {
        // The font's digits are tabular: what the zeroed measure relies on.
        let width = |digits: &str| {
            let mathml = format!(
                "<math><mi>y</mi><mo>=</mo><mn>{digits}</mn><mo>×</mo><mrow><mo>(</mo><mn>{digits}</mn><mo>−</mo><mi>t</mi><mo>)</mo></mrow></math>"
            );
            crate::typeset::layout::layout_mathml(&mathml)
                .expect("laid out")
                .width
        };
        let zeros = width("0.000");
        assert!(zeros > 0.0);
        for digits in ["0.731", "9.416", "1.111", "8.888", "5.274"] {
            assert_eq!(width(digits), zeros, "{digits}");
        }
    }
}
