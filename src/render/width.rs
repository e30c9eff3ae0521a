//! A rough width, in em, of MathML that math-core wrote: enough to decide at build time which
//! layout of a verified chain fits a column (issue #12), with no JavaScript on the page.
//!
//! Glyphs count about 0.6 em, operators get their spacing, fractions and stacked scripts take
//! the widest part, a table its widest row. The estimate errs wide: a chain that might not fit
//! is broken at its `=` signs, which reads well at any width.

/// Estimated width of `mathml` in em of the math's own font size.
pub fn estimate(mathml: &str) -> f32 {
    // One frame per open element: its name and its children's widths. Iterative, so the
    // deepest formula the shape check allows costs no stack.
    let mut stack: Vec<(String, Vec<f32>)> = vec![(String::new(), Vec::new())];
    let mut rest = mathml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !text.trim().is_empty() {
            if let Some((_, children)) = stack.last_mut() {
                children.push(glyphs(text));
            }
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('/') {
            let Some((open, children)) = stack.pop() else {
                break;
            };
            let width = combine(&open, &children);
            match stack.last_mut() {
                Some((_, parent)) => parent.push(width),
                None => return width,
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or("").to_string();
            stack.push((name, Vec::new()));
        } else if tag.starts_with("mspace") {
            if let Some((_, children)) = stack.last_mut() {
                children.push(0.3);
            }
        }
    }
    stack
        .into_iter()
        .map(|(name, children)| combine(&name, &children))
        .sum()
}

/// Width of a run of text: entities count one glyph.
fn glyphs(text: &str) -> f32 {
    let entities = text.matches('&').count();
    let chars = text.chars().count() - text.matches(';').count().min(entities) * 3;
    chars.max(1) as f32 * 0.6
}

fn combine(name: &str, children: &[f32]) -> f32 {
    let sum: f32 = children.iter().sum();
    let max = children.iter().copied().fold(0.0, f32::max);
    let first = children.first().copied().unwrap_or(0.0);
    let scripts = children.iter().skip(1).copied().fold(0.0, f32::max);
    match name {
        // Room for the spacing around `=`, `+`, `·`.
        "mo" => sum + 0.45,
        "mfrac" | "munder" | "mover" | "munderover" | "mtable" => max,
        "msub" | "msup" | "msubsup" | "mmultiscripts" => first + 0.7 * scripts,
        "mtr" | "mlabeledtr" => sum + 0.8 * children.len().saturating_sub(1) as f32,
        "msqrt" => sum + 1.0,
        "mroot" => first + 0.6 * scripts + 1.0,
        _ => sum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::math::to_mathml;

    #[test]
    fn wider_formulas_measure_wider_and_tables_take_their_widest_row() {
        let w = |latex: &str| estimate(&to_mathml(latex, true).unwrap());
        assert!(w("x") < w("x + y") && w("x + y") < w("x + y + z"));
        let row = w(r"\begin{bmatrix}1 & 2 & 3\end{bmatrix}");
        let rows = w(r"\begin{bmatrix}1 & 2 & 3\\4 & 5 & 6\\7 & 8 & 9\end{bmatrix}");
        assert!((row - rows).abs() < 0.01, "{row} {rows}");
        assert!(w(r"\frac{a+b}{c}") < w("a+b+c"));
        let x = w("x");
        assert!((0.3..1.5).contains(&x), "{x}");
    }
}
