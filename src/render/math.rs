//! LaTeX to MathML at build time (math-core), so pages need no JavaScript to show math.

use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

fn converter() -> &'static LatexToMathML {
    static CONVERTER: OnceLock<LatexToMathML> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        LatexToMathML::new(MathCoreConfig::default()).expect("no custom macros to parse")
    })
}

/// MathML for `latex`, or the error message and the byte range of the LaTeX it points at.
pub fn to_mathml(latex: &str, display: bool) -> Result<String, (String, std::ops::Range<usize>)> {
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    converter()
        .convert_with_local_state(latex, mode)
        .map(|r| r.mathml)
        .map_err(|e| (format!("LaTeX error: {}", e.error_message()), e.0.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_primes_and_greek_render() {
        let m = to_mathml(
            r"W' = \begin{bmatrix}2 & 3\\-1 & -2\end{bmatrix}, \nabla L, \alpha \cdot x_1^2",
            true,
        )
        .unwrap();
        assert!(m.starts_with("<math display=\"block\">"), "{m}");
        assert!(m.contains("<mtable"), "{m}");
        assert!(m.contains('∇') && m.contains('α') && m.contains('′'), "{m}");
    }

    #[test]
    fn errors_point_into_the_latex() {
        let (message, span) = to_mathml(r"x + \frobnicate", false).unwrap_err();
        assert!(message.contains("frobnicate"), "{message}");
        assert_eq!(span.start, 4);
    }
}
