//! LaTeX to MathML at build time (math-core), so pages need no JavaScript to show math.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

fn converter() -> &'static LatexToMathML {
    static CONVERTER: OnceLock<LatexToMathML> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        LatexToMathML::new(MathCoreConfig::default()).expect("no custom macros to parse")
    })
}

/// Snippets converted on this thread: courses repeat their notation ($W_1$, $x$) page after
/// page, and converting is a fifth of rendering a page.
type MathCache = RefCell<HashMap<(Box<str>, bool), Rc<str>>>;

/// Most snippets one thread remembers before it starts afresh.
const CACHE_LIMIT: usize = 4096;

/// MathML for `latex`, or the error message and the byte range of the LaTeX it points at.
pub fn to_mathml(latex: &str, display: bool) -> Result<String, (String, std::ops::Range<usize>)> {
    thread_local! {
        static CACHE: MathCache = RefCell::new(HashMap::new());
    }
    let key = (Box::from(latex), display);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(hit.to_string());
    }
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    let mathml = converter()
        .convert_with_local_state(latex, mode)
        .map(|r| r.mathml)
        .map_err(|e| (format!("LaTeX error: {}", e.error_message()), e.0.clone()))?;
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, Rc::from(mathml.as_str()));
    });
    Ok(mathml)
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
