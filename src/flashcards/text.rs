//! Card text for print: the Markdown of a question or answer as paragraphs of styled runs
//! (regular, bold, italic, code), with inline math turned into Unicode text.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::model::Block;
use crate::source::SourceFile;

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Style {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Oblique.
    Italic,
    /// DejaVu Sans Mono, for code.
    Mono,
}

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The style.
    pub style: Style,
    /// The text.
    pub text: String,
}

/// A paragraph: runs set one after the other, wrapped as one block.
pub type Paragraph = Vec<Run>;

/// The paragraphs of some Markdown blocks of `file`.
pub fn paragraphs(file: &SourceFile, blocks: &[&Block]) -> Vec<Paragraph> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Markdown(range) => markdown(&file.text[range.clone()], &mut out),
            Block::Container(c) => {
                let inner: Vec<&Block> = c.children.iter().collect();
                out.extend(paragraphs(file, &inner));
            }
            Block::Verify(_) => {}
        }
    }
    out
}

fn markdown(text: &str, out: &mut Vec<Paragraph>) {
    let mut current: Paragraph = Vec::new();
    let (mut bold, mut italic) = (0, 0);
    let push = |current: &mut Paragraph, style: Style, text: &str| match current.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => current.push(Run {
            style,
            text: text.to_string(),
        }),
    };
    for event in Parser::new_ext(text, crate::render::markdown::options()) {
        let style = if bold > 0 {
            Style::Bold
        } else if italic > 0 {
            Style::Italic
        } else {
            Style::Regular
        };
        match event {
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Start(Tag::Item) => {
                push(&mut current, Style::Regular, "• ");
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock,
            ) if !current.is_empty() => out.push(std::mem::take(&mut current)),
            Event::Text(t) => push(&mut current, style, &t),
            Event::Code(t) => push(&mut current, Style::Mono, &t),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                push(&mut current, style, &latex_to_unicode(&t))
            }
            Event::SoftBreak | Event::HardBreak => push(&mut current, style, " "),
            _ => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
}

/// Inline LaTeX as plain Unicode, as well as a text layout can: `W_1` → `W₁`, `\cdot` → `·`,
/// `\nabla` → `∇`, `\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}` → `[[1, 2], [3, 4]]`.
pub fn latex_to_unicode(latex: &str) -> String {
    const SYMBOLS: &[(&str, &str)] = &[
        ("\\cdot", "·"),
        ("\\times", "×"),
        ("\\nabla", "∇"),
        ("\\partial", "∂"),
        ("\\alpha", "α"),
        ("\\beta", "β"),
        ("\\gamma", "γ"),
        ("\\delta", "δ"),
        ("\\eta", "η"),
        ("\\theta", "θ"),
        ("\\lambda", "λ"),
        ("\\mu", "μ"),
        ("\\sigma", "σ"),
        ("\\leftarrow", "←"),
        ("\\rightarrow", "→"),
        ("\\to", "→"),
        ("\\gets", "←"),
        ("\\approx", "≈"),
        ("\\le", "≤"),
        ("\\ge", "≥"),
        ("\\neq", "≠"),
        ("\\top", "ᵀ"),
        ("\\prime", "′"),
        ("\\ldots", "…"),
        ("\\dots", "…"),
        ("\\infty", "∞"),
        ("\\sum", "∑"),
        ("\\quad", " "),
        ("\\qquad", "  "),
        ("\\,", " "),
        ("\\max", "max"),
        ("\\min", "min"),
        ("\\exp", "exp"),
        ("\\log", "log"),
        ("\\left", ""),
        ("\\right", ""),
        ("\\{", "{"),
        ("\\}", "}"),
    ];
    let mut s = latex.to_string();
    s = s
        .replace("\\begin{bmatrix}", "[[")
        .replace("\\end{bmatrix}", "]]")
        .replace("\\\\", "], [")
        .replace('&', ",");
    for wrapper in [
        "\\mathrm",
        "\\operatorname",
        "\\text",
        "\\mathbf",
        "\\mathit",
    ] {
        while let Some(i) = s.find(&format!("{wrapper}{{")) {
            let start = i + wrapper.len() + 1;
            let end = s[start..].find('}').map_or(s.len(), |j| start + j);
            let inner = s[start..end].to_string();
            s.replace_range(i..(end + 1).min(s.len()), &inner);
        }
    }
    // Longest names first so `\leftarrow` is not read as `\left` + `arrow`.
    let mut symbols = SYMBOLS.to_vec();
    symbols.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    // A control word eats the space after it, as in TeX; operators get a space on each side.
    const OPERATORS: &[&str] = &["·", "×", "←", "→", "≈", "≤", "≥", "≠"];
    for (k, v) in symbols {
        if OPERATORS.contains(&v) {
            s = s.replace(k, &format!(" {v} "));
        } else {
            s = s.replace(&format!("{k} "), v).replace(k, v);
        }
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' | '^' => {
                let group: String = if chars.peek() == Some(&'{') {
                    chars.next();
                    chars.by_ref().take_while(|&c| c != '}').collect()
                } else {
                    chars.next().map(String::from).unwrap_or_default()
                };
                let mapped: Option<String> = group.chars().map(|g| script(g, c == '^')).collect();
                match mapped {
                    Some(m) => out.push_str(&m),
                    None => {
                        out.push(c);
                        out.push_str(&group);
                    }
                }
            }
            '{' | '}' => {}
            '-' => out.push('−'),
            '\'' => out.push('′'),
            other => out.push(other),
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

/// The sub- or superscript form of a character, where Unicode has one.
fn script(c: char, sup: bool) -> Option<char> {
    const DIGITS_SUB: &str = "₀₁₂₃₄₅₆₇₈₉";
    const DIGITS_SUP: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    if let Some(d) = c.to_digit(10) {
        return (if sup { DIGITS_SUP } else { DIGITS_SUB })
            .chars()
            .nth(d as usize);
    }
    match (c, sup) {
        ('+', false) => Some('₊'),
        ('-', false) => Some('₋'),
        ('+', true) => Some('⁺'),
        ('-', true) | ('−', true) => Some('⁻'),
        ('T', true) | ('ᵀ', true) => Some('ᵀ'),
        ('i', false) => Some('ᵢ'),
        ('j', false) => Some('ⱼ'),
        ('n', true) => Some('ⁿ'),
        ('′', true) => Some('′'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_becomes_unicode() {
        assert_eq!(
            latex_to_unicode(r"W \leftarrow W - \alpha \cdot \nabla L"),
            "W ← W − α · ∇L"
        );
        assert_eq!(
            latex_to_unicode(r"\mathrm{ReLU}(W_1 \cdot x + b_1)"),
            "ReLU(W₁ · x + b₁)"
        );
        assert_eq!(latex_to_unicode(r"W' x^2"), "W′ x²");
        assert_eq!(
            latex_to_unicode(r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}"),
            "[[1, 2], [3, 4]]"
        );
    }

    #[test]
    fn emphasis_and_code_become_styled_runs() {
        let mut out = Vec::new();
        markdown("Plain **bold** *it* `code`.\n\nSecond.", &mut out);
        assert_eq!(out.len(), 2);
        let styles: Vec<Style> = out[0].iter().map(|r| r.style).collect();
        assert_eq!(
            styles,
            [
                Style::Regular,
                Style::Bold,
                Style::Regular,
                Style::Italic,
                Style::Regular,
                Style::Mono,
                Style::Regular
            ]
        );
    }
}
