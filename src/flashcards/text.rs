//! Card text for print: the Markdown of a question or answer as paragraphs of styled runs
//! (regular, bold, italic, code) and typeset formulas. Math goes through the same converter as
//! the HTML (math-core's MathML) and is laid out by [`super::math_layout`]; a shown `verify`
//! block is typeset from the same LaTeX lines the page shows, and a block's `circuit` lines
//! become the figures verify laid out (drawn by [`super::figure`]), shown or not, as on the page.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::math_layout::{layout_mathml, MathBox};
use crate::diagnostic::Diagnostic;
use crate::model::{is_verify_info, Block, Counts, VerifyBlock};
use crate::render::markdown::{capitalise, number_word, role_at_end};
use crate::render::math::to_mathml;
use crate::source::SourceFile;
use crate::verify::circuit::Figure;
use crate::verify::typeset;
use crate::verify::PageVerification;

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

/// A typeset formula in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct MathRun {
    /// The laid-out formula, in em.
    pub boxed: MathBox,
    /// A formula on its own line (`$$…$$`, a verified step), set centred.
    pub display: bool,
    /// The LaTeX it was made from (the Anki deck hands it to MathJax).
    pub latex: String,
}

/// A piece of text in one style, or one formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The style.
    pub style: Style,
    /// The text; for a formula, the text its glyphs stand for (what a PDF reader extracts).
    pub text: String,
    /// The formula, when the run is one.
    pub math: Option<Arc<MathRun>>,
    /// The circuit figure, when the run is one (a paragraph of its own).
    pub figure: Option<Arc<Figure>>,
}

impl Run {
    /// A run of plain text.
    pub fn text(style: Style, text: impl Into<String>) -> Run {
        Run {
            style,
            text: text.into(),
            math: None,
            figure: None,
        }
    }

    /// A circuit figure; its text (for bookmarks and the deck's /ID) names the call and every
    /// wire's labels.
    pub fn figure(figure: Arc<Figure>) -> Run {
        let wires: Vec<String> = figure
            .nodes
            .iter()
            .map(|n| format!("{} {} {}", n.gate, n.value, n.grad))
            .collect();
        Run {
            style: Style::Regular,
            text: format!("Circuit of {}: {}", figure.call, wires.join("; ")),
            math: None,
            figure: Some(figure),
        }
    }
}

/// A paragraph: runs set one after the other, wrapped as one block.
pub type Paragraph = Vec<Run>;

/// Where card text comes from: a page's file and what verifying it produced.
pub struct Source<'a> {
    /// The page's file.
    pub file: &'a Arc<SourceFile>,
    /// The page's verification (shown blocks' typeset lines).
    pub verification: &'a PageVerification,
    /// The page's body, to find the verify blocks nested in Markdown runs.
    pub body: &'a [Block],
    /// What `{count}` counts on the page.
    pub counts: Counts,
}

/// The paragraphs of some blocks of a page, or every formula the PDF cannot draw, located.
pub fn paragraphs(source: &Source, blocks: &[&Block]) -> Result<Vec<Paragraph>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    collect(source, blocks, &mut out, &mut errors);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn collect(
    source: &Source,
    blocks: &[&Block],
    out: &mut Vec<Paragraph>,
    errors: &mut Vec<Diagnostic>,
) {
    for block in blocks {
        match block {
            Block::Markdown(range) => markdown_at(source, range.clone(), out, errors),
            Block::Container(c) => {
                let inner: Vec<&Block> = c.children.iter().collect();
                collect(source, &inner, out, errors);
            }
            // A nested block is typeset where its fence stands, inside its Markdown run.
            Block::Verify(v) if v.nested => {}
            Block::Verify(v) => shown(source, v, out, errors),
        }
    }
}

/// A shown verify block's steps, one display formula each, as the page typesets them; then
/// the block's circuit figures, each a paragraph of its own (drawn whether or not the block is
/// shown, as on the page).
fn shown(source: &Source, v: &VerifyBlock, out: &mut Vec<Paragraph>, errors: &mut Vec<Diagnostic>) {
    if let Some(lines) = source.verification.shown.get(&v.code.start) {
        for line in lines {
            match formula(line, true) {
                Ok(run) => out.push(vec![run]),
                Err(message) => errors.push(
                    Diagnostic::at(source.file, v.fence.clone(), message)
                        .with_hint("this verified step cannot be printed on a flashcard"),
                ),
            }
        }
    }
    if let Some(figures) = source.verification.figures.get(&v.code.start) {
        out.extend(figures.iter().map(|f| vec![Run::figure(Arc::clone(f))]));
    }
}

/// A formula laid out for print, or why it cannot be.
fn formula(latex: &str, display: bool) -> Result<Run, String> {
    let mathml = to_mathml(latex, display).map_err(|(message, _)| message)?;
    let boxed = layout_mathml(&mathml)?;
    Ok(Run {
        style: Style::Regular,
        text: boxed.text(),
        math: Some(Arc::new(MathRun {
            boxed,
            display,
            latex: latex.to_string(),
        })),
        figure: None,
    })
}

/// An inline role as print sets it, as the page does: `{eval}` and `{verify}` typeset from
/// the page's verification, `{label}` as written, `{count}` in words.
fn role_run(source: &Source, role: &str, arg: &str, span: Range<usize>) -> Result<Run, Diagnostic> {
    let math = |latex: String| {
        formula(&latex, false).map_err(|message| {
            Diagnostic::at(source.file, span.clone(), message)
                .with_hint("the PDF cannot print this value; the page can")
        })
    };
    let count = |what: &str| match what.trim() {
        "questions" => source.counts.questions,
        "exercises" => source.counts.exercises,
        _ => source.counts.cards,
    };
    match role {
        _ if role == "eval" || role.starts_with("eval:") => {
            let spec = role.trim_start_matches("eval").trim_start_matches(':');
            // The page reports an unknown format; print the automatic one.
            let format = typeset::Format::parse(spec).unwrap_or_default();
            let value = source
                .verification
                .eval_inline(source.file, arg, span.clone())?;
            math(typeset::formatted(&value, format))
        }
        "verify" => math(
            source
                .verification
                .check_inline(source.file, arg, span.clone())?,
        ),
        "count" => Ok(Run::text(Style::Regular, number_word(count(arg)))),
        "Count" => Ok(Run::text(
            Style::Regular,
            capitalise(&number_word(count(arg))),
        )),
        "number" => Ok(Run::text(Style::Regular, count(arg).to_string())),
        // `{label}`, and a role the page reports as unknown: the text as written.
        _ => Ok(Run::text(Style::Regular, arg)),
    }
}

fn nested_verify(blocks: &[Block], fence_start: usize) -> Option<&VerifyBlock> {
    blocks.iter().find_map(|b| match b {
        Block::Verify(v) if v.nested && v.fence.start == fence_start => Some(v),
        Block::Container(c) => nested_verify(&c.children, fence_start),
        _ => None,
    })
}

fn markdown_at(
    source: &Source,
    range: Range<usize>,
    out: &mut Vec<Paragraph>,
    errors: &mut Vec<Diagnostic>,
) {
    let base = range.start;
    // `\(…\)` and `\[…\]` as the page reads them (the rewrite keeps every byte offset).
    let rewritten = crate::render::delimiters::rewrite(&source.file.text[range]).0;
    let text = rewritten.as_str();
    let mut current: Paragraph = Vec::new();
    let (mut bold, mut italic, mut lists, mut in_code) = (0, 0, 0usize, false);
    let mut in_verify = false;
    let push = |current: &mut Paragraph, style: Style, text: &str| match current.last_mut() {
        Some(last) if last.style == style && last.math.is_none() => last.text.push_str(text),
        _ => current.push(Run::text(style, text)),
    };
    let flush = |current: &mut Paragraph, out: &mut Vec<Paragraph>| {
        if !current.is_empty() {
            out.push(std::mem::take(current));
        }
    };
    for (event, span) in
        Parser::new_ext(text, crate::render::markdown::options()).into_offset_iter()
    {
        let span = span.start + base..span.end + base;
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
            // A verify block in a list item: its shown steps are typeset where it stands, as
            // on the page; its code is never printed.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                if is_verify_info(info) =>
            {
                in_verify = true;
                flush(&mut current, out);
                if let Some(v) = nested_verify(source.body, span.start) {
                    shown(source, v, out, errors);
                }
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
                    out.push(vec![Run::text(
                        Style::Mono,
                        if text.is_empty() {
                            "\u{a0}".into()
                        } else {
                            text
                        },
                    )]);
                }
            }
            Event::Text(t) => push(&mut current, style, &t),
            Event::Code(t) => {
                let role = current
                    .last()
                    .filter(|r| r.math.is_none())
                    .and_then(|r| role_at_end(&r.text))
                    .map(str::to_string);
                let Some(role) = role else {
                    push(&mut current, Style::Mono, &t);
                    continue;
                };
                if let Some(last) = current.last_mut() {
                    last.text.truncate(last.text.len() - role.len() - 2);
                    if last.text.is_empty() {
                        current.pop();
                    }
                }
                let ticks = text[span.start - base..]
                    .chars()
                    .take_while(|c| *c == '`')
                    .count();
                match role_run(source, &role, &t, span.start + ticks..span.end - ticks) {
                    Ok(run) if run.math.is_some() => current.push(run),
                    Ok(run) => push(&mut current, run.style, &run.text),
                    Err(e) => errors.push(e),
                }
            }
            Event::InlineMath(ref t) | Event::DisplayMath(ref t) => {
                let display = matches!(event, Event::DisplayMath(_));
                match formula(t, display) {
                    // A display formula is a paragraph of its own, centred.
                    Ok(run) if display => {
                        flush(&mut current, out);
                        out.push(vec![run]);
                    }
                    Ok(run) => current.push(run),
                    Err(message) => errors.push(
                        Diagnostic::at(source.file, span.clone(), message)
                            .with_hint("the flashcard PDF cannot print this formula; the page can"),
                    ),
                }
            }
            Event::SoftBreak | Event::HardBreak => push(&mut current, style, " "),
            _ => {}
        }
    }
    flush(&mut current, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markdown(text: &str, out: &mut Vec<Paragraph>) {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        let verification = PageVerification::default();
        let source = Source {
            file: &file,
            verification: &verification,
            body: &[],
            counts: Counts::default(),
        };
        let mut errors = Vec::new();
        markdown_at(&source, 0..text.len(), out, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn math_is_typeset_not_spelt_out() {
        let mut out = Vec::new();
        markdown(
            "Predict $\\hat{y} = \\frac{1}{2}$ now.\n\n$$\\vec{v} \\in \\mathbb{R}^n$$\n",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        let inline = out[0].iter().find(|r| r.math.is_some()).expect("a formula");
        assert!(!inline.math.as_ref().unwrap().display);
        assert!(!inline.text.contains("hat"), "{}", inline.text);
        let display = &out[1][0];
        assert!(display.math.as_ref().unwrap().display);
        assert!(display.text.contains('ℝ'), "{}", display.text);
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
    fn roles_print_their_value_not_their_markup() {
        let mut out = Vec::new();
        markdown(
            "Start with {label}`1`, {Count}`cards` cards and `code`.",
            &mut out,
        );
        let text: String = out[0].iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "Start with 1, Zero cards and code.");
        assert!(out[0]
            .iter()
            .any(|r| r.style == Style::Mono && r.text == "code"));
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
