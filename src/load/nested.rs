//! Verification blocks that CommonMark finds inside a Markdown run: a ```` ```verify ```` fence
//! in a list item (at any depth) or a blockquote.
//!
//! The line splitter in `blocks` sees fences that start a line; CommonMark also opens fenced
//! blocks inside list items and blockquotes, and the renderer would publish those as visible
//! code that nothing ran (issue #14). So every Markdown run is parsed here the way the renderer
//! parses it, and each verify fence pulldown-cmark reports becomes a [`VerifyBlock`] the verify
//! stage runs — or, when its lines cannot be handed to the checker as they stand in the file
//! (a blockquote's `>` markers), a located error. Nothing is ever published unchecked.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::model::{is_verify_info, VerifyBlock};
use crate::render::markdown::options;
use crate::source::SourceFile;

/// The verify blocks CommonMark finds inside the Markdown run `range` of `file`, in order.
pub fn verify_blocks(
    file: &Arc<SourceFile>,
    range: Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<VerifyBlock> {
    let text = &file.text[range.clone()];
    // Most runs hold no verify fence at all: skip the second parse for them.
    if !text.contains("verify") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut quotes = 0usize;
    // The open verify fence: its span and the text pulldown-cmark gives as its content.
    let mut open: Option<(Range<usize>, bool, String)> = None;
    for (event, span) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_)) => quotes += 1,
            Event::End(TagEnd::BlockQuote(_)) => quotes = quotes.saturating_sub(1),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_verify_info(&info) => {
                let show = info.split_whitespace().any(|w| w == "show");
                open = Some((span, show, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, _, content)) = open.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((span, show, content)) = open.take() {
                    let span = span.start + range.start..span.end + range.start;
                    match place(file, span.clone(), &content) {
                        Some(block) => found.push(VerifyBlock { show, ..block }),
                        None => errors.push(unplaceable(file, quotes > 0, span)),
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The block's fence line and code range in the file, when the code as written (less each
/// line's indentation, which the verify language ignores) is exactly the content CommonMark
/// gives it. A blockquote's `>` markers break that, and such a block is not placed.
fn place(file: &SourceFile, span: Range<usize>, content: &str) -> Option<VerifyBlock> {
    let block = file.text[span.clone()].trim_end_matches(['\n', '\r']);
    let first_end = block.find('\n').map_or(block.len(), |i| i + 1);
    let fence = span.start..span.start + block[..first_end].trim_end().len();
    let code_start = span.start + first_end;
    // The closing fence, if the block has one (a list item may end the block without it).
    let last_start = block.rfind('\n').map_or(0, |i| i + 1);
    let last = block[last_start..].trim();
    let closes = last_start > 0
        && last.len() >= 3
        && (last.chars().all(|c| c == '`') || last.chars().all(|c| c == '~'));
    let code_end = if closes {
        span.start + last_start
    } else {
        span.start + block.len()
    };
    let code = code_start..code_end.max(code_start);
    let written = &file.text[code.clone()];
    let same = written
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .eq(content.lines().map(str::trim).filter(|l| !l.is_empty()));
    same.then_some(VerifyBlock {
        code,
        show: false,
        fence,
        nested: true,
    })
}

/// The error for a verify block that cannot be checked where it stands, at its fence line.
fn unplaceable(file: &Arc<SourceFile>, in_quote: bool, span: Range<usize>) -> Diagnostic {
    let (_, line) = file.line_at(span.start);
    let (what, hint) = if in_quote {
        (
            "a `verify` block inside a blockquote cannot be checked",
            "move the block out of the blockquote; verify blocks may stand at the top level, in `:::` containers and in list items",
        )
    } else {
        (
            "this `verify` block cannot be checked where it stands",
            "verify blocks may stand at the top level, in `:::` containers and in list items; move it to one of those",
        )
    };
    Diagnostic::at(file, span.start..line.end.max(span.start), what).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> (Vec<VerifyBlock>, Vec<String>) {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        let mut errors = Vec::new();
        let blocks = verify_blocks(&file, 0..text.len(), &mut errors);
        (blocks, errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn finds_fences_in_nested_list_items() {
        let text = "- a\n  - b\n\n    ```verify show\n    1 + 1 = 2\n    ```\n";
        let (blocks, errors) = find(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].show && blocks[0].nested);
        assert_eq!(text[blocks[0].code.clone()].trim(), "1 + 1 = 2");
        assert_eq!(text[blocks[0].fence.clone()].trim(), "```verify show");
    }

    #[test]
    fn a_fence_in_a_blockquote_is_an_error() {
        let (blocks, errors) = find("> ```verify\n> 1 + 1 = 3\n> ```\n");
        assert!(blocks.is_empty());
        assert_eq!(
            errors,
            ["t.md:1:3: a `verify` block inside a blockquote cannot be checked (hint: move the block out of the blockquote; verify blocks may stand at the top level, in `:::` containers and in list items)"]
        );
    }

    #[test]
    fn other_code_and_indented_code_are_not_verify_blocks() {
        let (blocks, errors) = find("```python\nverify\n```\n\n    ```verify\n    x\n");
        assert!(blocks.is_empty() && errors.is_empty(), "{errors:?}");
    }
}
