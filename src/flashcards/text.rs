//! Card text for print: the Markdown of a question or answer as paragraphs of styled runs
//! (regular, bold, italic, code), with inline math turned into Unicode text.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::model::{is_verify_info, Block};
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
    let (mut bold, mut italic, mut lists, mut in_code) = (0, 0, 0usize, false);
    let mut in_verify = false;
    let push = |current: &mut Paragraph, style: Style, text: &str| match current.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => current.push(Run {
            style,
            text: text.to_string(),
        }),
    };
    let flush = |current: &mut Paragraph, out: &mut Vec<Paragraph>| {
        if !current.is_empty() {
            out.push(std::mem::take(current));
        }
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
            Event::Start(Tag::List(_)) => {
                flush(&mut current, out);
                lists += 1;
            }
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Item) => {
                // Each item starts its own line, indented by its depth (no-break spaces, which
                // the line breaker keeps).
                flush(&mut current, out);
                push(
                    &mut current,
                    Style::Regular,
                    &format!("{}• ", "\u{a0}\u{a0}".repeat(lists.saturating_sub(1))),
                );
            }
            // A verify block in a list item is checked, not printed (as at the top level).
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                if is_verify_info(info) =>
            {
                in_verify = true
            }
            Event::End(TagEnd::CodeBlock) if in_verify => in_verify = false,
            _ if in_verify => {}
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut current, out);
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                flush(&mut current, out)
            }
            // Code keeps its lines and indentation, in the monospace face.
            Event::Text(t) if in_code => {
                for line in t.lines() {
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    let text = format!("{}{}", "\u{a0}".repeat(indent), &line[indent..]);
                    out.push(vec![Run {
                        style: Style::Mono,
                        text: if text.is_empty() {
                            "\u{a0}".into()
                        } else {
                            text
                        },
                    }]);
                }
            }
            Event::Text(t) => push(&mut current, style, &t),
            Event::Code(t) => push(&mut current, Style::Mono, &t),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                push(&mut current, style, &latex_to_unicode(&t))
            }
            Event::SoftBreak | Event::HardBreak => push(&mut current, style, " "),
            _ => {}
        }
    }
    flush(&mut current, out);
}

/// Symbols for TeX control words (the backslash left out).
const SYMBOLS: &[(&str, &str)] = &[
    ("cdot", "·"),
    ("times", "×"),
    ("nabla", "∇"),
    ("partial", "∂"),
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("eta", "η"),
    ("theta", "θ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("phi", "φ"),
    ("omega", "ω"),
    ("Delta", "Δ"),
    ("Sigma", "Σ"),
    ("leftarrow", "←"),
    ("rightarrow", "→"),
    ("to", "→"),
    ("gets", "←"),
    ("approx", "≈"),
    ("le", "≤"),
    ("leq", "≤"),
    ("ge", "≥"),
    ("geq", "≥"),
    ("neq", "≠"),
    ("ne", "≠"),
    ("in", "∈"),
    ("top", "ᵀ"),
    ("prime", "′"),
    ("ldots", "…"),
    ("dots", "…"),
    ("cdots", "⋯"),
    ("infty", "∞"),
    ("sum", "∑"),
    ("prod", "∏"),
    ("pm", "±"),
    ("quad", " "),
    ("qquad", "  "),
    ("max", "max"),
    ("min", "min"),
    ("exp", "exp"),
    ("log", "log"),
    ("left", ""),
    ("right", ""),
];

/// Symbols set with a space on each side.
const OPERATORS: &[&str] = &["·", "×", "←", "→", "≈", "≤", "≥", "≠", "∈", "±"];

/// Inline LaTeX as plain Unicode, as well as a text layout can: `W_1` → `W₁`, `\cdot` → `·`,
/// `\nabla` → `∇`, `\frac{a}{b}` → `a/b`, `\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}` →
/// `[[1, 2], [3, 4]]`.
pub fn latex_to_unicode(latex: &str) -> String {
    let s = latex
        .replace("\\begin{bmatrix}", "[[")
        .replace("\\end{bmatrix}", "]]")
        .replace("\\\\", "], [")
        .replace('&', ",");
    let chars: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let out = convert(&chars, &mut pos, false, 0);
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

/// Deepest group nesting converted; deeper groups keep their text as written. The HTML
/// renderer refuses formulas nested deeper than this, so a card never reaches the limit; it
/// keeps this walk bounded on its own (2,000 nested braces overflowed the stack, issue #14).
const MAX_DEPTH: usize = crate::render::math::MAX_MATH_DEPTH;

/// Reads a `{…}` group (or one character) at `pos` and converts it; `depth` groups enclose it.
fn group(chars: &[char], pos: &mut usize, depth: usize) -> String {
    while chars.get(*pos) == Some(&' ') {
        *pos += 1;
    }
    if chars.get(*pos) == Some(&'{') {
        *pos += 1;
        if depth >= MAX_DEPTH {
            return raw_group(chars, pos);
        }
        convert(chars, pos, true, depth + 1)
    } else {
        let c = chars.get(*pos).map(|c| c.to_string()).unwrap_or_default();
        *pos += 1;
        convert(&c.chars().collect::<Vec<_>>(), &mut 0, false, depth + 1)
    }
}

/// The text of a group up to its closing `}` (braces inside it kept), without converting it.
fn raw_group(chars: &[char], pos: &mut usize) -> String {
    let mut open = 1usize;
    let mut out = String::new();
    while let Some(&c) = chars.get(*pos) {
        *pos += 1;
        match c {
            '{' => open += 1,
            '}' => {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

fn wrap(text: String) -> String {
    if text.chars().count() > 1 {
        format!("({text})")
    } else {
        text
    }
}

/// Converts until the end, or until the `}` closing the group when `in_group`.
fn convert(chars: &[char], pos: &mut usize, in_group: bool, depth: usize) -> String {
    let mut out = String::new();
    while let Some(&c) = chars.get(*pos) {
        *pos += 1;
        match c {
            '}' if in_group => return out,
            '{' | '}' => {}
            '\\' => {
                let start = *pos;
                while chars.get(*pos).is_some_and(|c| c.is_ascii_alphabetic()) {
                    *pos += 1;
                }
                if *pos == start {
                    // A control symbol: `\{`, `\}`, `\,` and the like.
                    match chars.get(*pos) {
                        Some('{') => out.push('{'),
                        Some('}') => out.push('}'),
                        Some(_) => out.push(' '),
                        None => {}
                    }
                    *pos += 1;
                    continue;
                }
                let word: String = chars[start..*pos].iter().collect();
                // A control word eats the spaces after it, as in TeX.
                while chars.get(*pos) == Some(&' ') {
                    *pos += 1;
                }
                match word.as_str() {
                    "mathrm" | "operatorname" | "text" | "mathbf" | "mathit" | "textbf"
                    | "mathcal" => out.push_str(&group(chars, pos, depth)),
                    "frac" => {
                        let (a, b) = (group(chars, pos, depth), group(chars, pos, depth));
                        out.push_str(&format!("{}/{}", wrap(a), wrap(b)));
                    }
                    "sqrt" => out.push_str(&format!("√{}", wrap(group(chars, pos, depth)))),
                    _ => match SYMBOLS.iter().find(|(k, _)| *k == word) {
                        Some((_, v)) if OPERATORS.contains(v) => out.push_str(&format!(" {v} ")),
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&word),
                    },
                }
            }
            '_' | '^' => {
                let script_text = group(chars, pos, depth);
                let mapped: Option<String> =
                    script_text.chars().map(|g| script(g, c == '^')).collect();
                match mapped {
                    Some(m) => out.push_str(&m),
                    None => {
                        out.push(c);
                        out.push_str(&wrap(script_text));
                    }
                }
            }
            '-' => out.push('−'),
            '\'' => out.push('′'),
            other => out.push(other),
        }
    }
    out
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
            latex_to_unicode(r"\frac{a}{b} \leq c, x \in S, \sqrt{2}, \{1, 2\}"),
            "a/b ≤ c, x ∈ S, √2, {1, 2}"
        );
        assert_eq!(
            latex_to_unicode(r"\frac{\partial f}{\partial x} \geq 0"),
            "(∂f)/(∂x) ≥ 0"
        );
        assert_eq!(
            latex_to_unicode(r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}"),
            "[[1, 2], [3, 4]]"
        );
    }

    #[test]
    fn deep_groups_end_without_exhausting_the_stack() {
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        let text = std::thread::spawn(move || latex_to_unicode(&deep))
            .join()
            .expect("no overflow");
        assert!(text.contains('x'));
        let mut frac = "1".to_string();
        for _ in 0..2000 {
            frac = format!("\\frac{{1}}{{{frac}}}");
        }
        let text = std::thread::spawn(move || latex_to_unicode(&frac))
            .join()
            .expect("no overflow");
        assert!(text.starts_with("1/"), "{}", &text[..20]);
    }

    #[test]
    fn lists_and_code_blocks_keep_their_lines() {
        let mut out = Vec::new();
        markdown(
            "- one\n  - nested\n- two\n\n```python\ndef f(x):\n    return x\n```\n",
            &mut out,
        );
        let lines: Vec<String> = out
            .iter()
            .map(|p| p.iter().map(|r| r.text.as_str()).collect())
            .collect();
        let nbsp = '\u{a0}';
        assert_eq!(
            lines,
            [
                "• one".to_string(),
                format!("{nbsp}{nbsp}• nested"),
                "• two".into(),
                "def f(x):".into(),
                format!("{}return x", nbsp.to_string().repeat(4))
            ]
        );
        assert!(out[3].iter().all(|r| r.style == Style::Mono));
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
