//! How formulas look, shared by the page and print: statements and values as LaTeX
//! ([`latex`]), LaTeX as MathML ([`mathml`], what pages show), MathML laid out with the math
//! font's metrics ([`layout`], [`font`]: what the PDF draws, and how wide the page's chains
//! are), and circuit figures as SVG ([`circuit`]).

pub mod circuit;
pub mod font;
pub mod latex;
pub mod layout;
pub mod mathml;
