//! Splits a page body into Markdown, verification blocks and `:::` containers.
//!
//! Containers are block-level, like markdown-it-container and Pandoc's fenced divs: a line
//! `::: name [title]` at the start of a line opens one, a line `:::` closes the innermost open
//! one. Fenced code is skipped, so `:::` inside a code example means nothing. Verification
//! blocks are fenced code whose info string starts with `verify`; those CommonMark finds inside
//! list items and blockquotes of a Markdown run are found by [`nested`].

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::load::nested;
use crate::load::yaml::nearest;
use crate::model::{Block, Container, ContainerKind, VerifyBlock};
use crate::source::SourceFile;

/// Deepest nesting of containers a page may have. The author syntax needs three (flashcards,
/// card, answer); the limit keeps every later walk of the tree (checks, rendering, dropping
/// it) shallow, where 200,000 nested containers overflowed the stack (issue #14).
pub const MAX_CONTAINER_DEPTH: usize = 16;

/// A container still waiting for its closing `:::`.
struct Open {
    kind: ContainerKind,
    title: String,
    open: Range<usize>,
    children: Vec<Block>,
}

/// A fenced code block being skipped.
struct Fence {
    /// Byte offset of the opening fence line.
    start: usize,
    marker: char,
    len: usize,
    verify: Option<(Range<usize>, bool)>,
}

/// Parses the body at `body` (a byte range of `file`) into blocks, checking the structure.
pub fn parse_body(
    file: &Arc<SourceFile>,
    body: Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Block> {
    let text = &file.text;
    let mut stack: Vec<Open> = Vec::new();
    let mut top: Vec<Block> = Vec::new();
    let mut markdown_start = body.start;
    let mut fence: Option<Fence> = None;
    let mut pos = body.start;
    // Openings past the depth limit: counted so their closing lines match, never pushed.
    let mut too_deep = 0usize;
    let mut reported_depth = false;

    while pos < body.end {
        let line_end = text[pos..body.end]
            .find('\n')
            .map_or(body.end, |i| pos + i + 1);
        let line = text[pos..line_end].trim_end_matches(['\n', '\r']);
        let line_range = pos..pos + line.len();
        let next = line_end;

        if let Some(f) = &fence {
            if closes_fence(line, f) {
                if let Some((fence_line, show)) = f.verify.clone() {
                    let code = fence_line.end + 1..pos;
                    children(&mut stack, &mut top).push(Block::Verify(VerifyBlock {
                        code,
                        show,
                        fence: fence_line,
                        nested: false,
                    }));
                    markdown_start = next;
                }
                fence = None;
            }
            pos = next;
            continue;
        }

        if let Some(mut f) = opens_fence(line) {
            f.start = pos;
            let info = line.trim_start().trim_start_matches(f.marker).trim();
            let mut words = info.split_whitespace();
            if words.next() == Some("verify") {
                flush(
                    file,
                    &mut markdown_start,
                    pos,
                    children(&mut stack, &mut top),
                    errors,
                );
                let show = words.any(|w| w == "show");
                f.verify = Some((line_range.clone(), show));
            }
            fence = Some(f);
            pos = next;
            continue;
        }

        if let Some((name, title)) = container_line(line) {
            flush(
                file,
                &mut markdown_start,
                pos,
                children(&mut stack, &mut top),
                errors,
            );
            markdown_start = next;
            if name.is_empty() && too_deep > 0 {
                // Closes one of the containers past the depth limit, which were not opened.
                too_deep -= 1;
            } else if !name.is_empty() && stack.len() >= MAX_CONTAINER_DEPTH {
                if too_deep == 0 && !reported_depth {
                    reported_depth = true;
                    errors.push(
                        Diagnostic::at(
                            file,
                            line_range,
                            format!("containers nested more than {MAX_CONTAINER_DEPTH} deep"),
                        )
                        .with_hint("a card holds an answer inside flashcards: three levels are all a page needs; check for missing `:::` lines"),
                    );
                }
                too_deep += 1;
            } else if name.is_empty() {
                match stack.pop() {
                    Some(open) => {
                        let container = close(file, open, errors);
                        children(&mut stack, &mut top).push(Block::Container(container));
                    }
                    None => errors.push(
                        Diagnostic::at(
                            file,
                            line_range,
                            "`:::` closes nothing: no container is open",
                        )
                        .with_hint(
                            "remove this line, or open a container above it with `::: question`",
                        ),
                    ),
                }
            } else {
                match kind_named(name) {
                    Some(kind) => stack.push(Open {
                        kind,
                        title: title.to_string(),
                        open: line_range,
                        children: Vec::new(),
                    }),
                    None => {
                        let names: Vec<&str> = ContainerKind::ALL.iter().map(|(n, _)| *n).collect();
                        let hint = match nearest(name, &names) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("containers are: {}", names.join(", ")),
                        };
                        errors.push(
                            Diagnostic::at(file, line_range, format!("unknown container `{name}`"))
                                .with_hint(hint),
                        );
                        // Keep the structure balanced so one typo gives one error.
                        stack.push(Open {
                            kind: ContainerKind::Exercise,
                            title: String::new(),
                            open: pos..pos,
                            children: Vec::new(),
                        });
                    }
                }
            }
        }
        pos = next;
    }

    let mut unclosed_fence = None;
    if let Some(f) = fence {
        unclosed_fence = Some(file.line_col(f.start).0);
        if let Some((fence_line, _)) = f.verify {
            errors.push(
                Diagnostic::at(file, fence_line, "verification block is never closed").with_hint(
                    format!(
                        "close it with a line of {} {}",
                        f.len,
                        if f.marker == '`' {
                            "backticks"
                        } else {
                            "tildes"
                        }
                    ),
                ),
            );
        }
    }
    flush(
        file,
        &mut markdown_start,
        body.end,
        children(&mut stack, &mut top),
        errors,
    );
    while let Some(open) = stack.pop() {
        if !open.open.is_empty() {
            errors.push(
                Diagnostic::at(
                    file,
                    open.open.clone(),
                    format!("container `{}` is never closed", open.kind.name()),
                )
                .with_hint(match &unclosed_fence {
                    Some(line) => format!("a code fence opened at line {line} is never closed, so everything after it is code"),
                    None => "close it with a line `:::`".to_string(),
                }),
            );
        }
        let container = Container {
            kind: open.kind,
            title: open.title,
            open: open.open,
            children: open.children,
        };
        children(&mut stack, &mut top).push(Block::Container(container));
    }
    top.shrink_to_fit();
    top
}

fn children<'a>(stack: &'a mut [Open], top: &'a mut Vec<Block>) -> &'a mut Vec<Block> {
    match stack.last_mut() {
        Some(open) => &mut open.children,
        None => top,
    }
}

/// Ends the current Markdown run at `end`, skipping runs that hold only blank lines. The
/// verify blocks CommonMark finds inside the run (in list items) follow it, so the verify stage
/// runs them in page order.
fn flush(
    file: &Arc<SourceFile>,
    start: &mut usize,
    end: usize,
    into: &mut Vec<Block>,
    errors: &mut Vec<Diagnostic>,
) {
    if *start < end && !file.text[*start..end].trim().is_empty() {
        into.push(Block::Markdown(*start..end));
        let nested = nested::verify_blocks(file, *start..end, errors);
        into.extend(nested.into_iter().map(Block::Verify));
    }
    *start = end;
}

fn kind_named(name: &str) -> Option<ContainerKind> {
    ContainerKind::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// `::: name title` → `(name, title)`; a bare `:::` → `("", "")`.
fn container_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(":::")?;
    let rest = rest.trim_start_matches(':').trim();
    let (name, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    Some((name, title.trim()))
}

fn opens_fence(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == marker).count();
    if len < 3 || (marker == '`' && trimmed[len..].contains('`')) {
        return None;
    }
    Some(Fence {
        start: 0,
        marker,
        len,
        verify: None,
    })
}

fn closes_fence(line: &str, fence: &Fence) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= fence.len && trimmed.chars().all(|c| c == fence.marker)
}

/// Checks that a closed container holds what its kind needs.
fn close(file: &Arc<SourceFile>, open: Open, errors: &mut Vec<Diagnostic>) -> Container {
    let mut children = open.children;
    // Pages stay in memory for the whole build: no spare capacity per container.
    children.shrink_to_fit();
    let container = Container {
        kind: open.kind,
        title: open.title,
        open: open.open,
        children,
    };
    let err = |message: String, hint: &str| {
        Diagnostic::at(file, container.open.clone(), message).with_hint(hint)
    };
    let answers = container
        .children
        .iter()
        .filter(|b| matches!(b, Block::Container(c) if c.kind == ContainerKind::Answer))
        .count();
    match container.kind {
        ContainerKind::Question | ContainerKind::Card if answers == 0 => {
            let what = if container.kind == ContainerKind::Card {
                "flashcard"
            } else {
                "question"
            };
            errors.push(err(
                format!("{what} has no answer"),
                "add `::: answer`, the answer, and `:::` before the closing `:::`",
            ));
        }
        ContainerKind::Question | ContainerKind::Card if answers > 1 => {
            errors.push(err(
                "more than one answer".into(),
                "keep one `::: answer` per question",
            ));
        }
        _ => {}
    }
    if container.kind == ContainerKind::Card && !has_markdown_before_answer(&container) {
        errors.push(err(
            "flashcard has no question".into(),
            "write the question before `::: answer`",
        ));
    }
    for child in &container.children {
        if let Block::Container(c) = child {
            // An empty `open` marks the stand-in for an unknown container, already reported.
            if let Some(message) = misplaced(container.kind, c.kind).filter(|_| !c.open.is_empty())
            {
                errors.push(Diagnostic::at(file, c.open.clone(), message));
            }
        }
    }
    if container.kind == ContainerKind::Flashcards {
        for child in &container.children {
            if let Block::Markdown(range) = child {
                errors.push(
                    Diagnostic::at(file, text_start(file, range)..text_start(file, range), "text inside `flashcards` outside any card")
                        .with_hint("wrap each card in `::: card` … `:::`, or move the text above `::: flashcards`"),
                );
            }
        }
    }
    container
}

/// Where the first non-blank character of a range is (errors point at text, not blank lines).
fn text_start(file: &SourceFile, range: &Range<usize>) -> usize {
    let text = &file.text[range.clone()];
    range.start + (text.len() - text.trim_start().len())
}

fn has_markdown_before_answer(card: &Container) -> bool {
    card.children
        .iter()
        .take_while(|b| !matches!(b, Block::Container(c) if c.kind == ContainerKind::Answer))
        .any(|b| matches!(b, Block::Markdown(_)))
}

/// Why `child` may not stand inside `parent`, if it may not.
fn misplaced(parent: ContainerKind, child: ContainerKind) -> Option<String> {
    use ContainerKind::*;
    let allowed = match child {
        Answer => matches!(parent, Question | Card),
        Solution => parent == Exercise,
        Card => parent == Flashcards,
        Figure => parent != Flashcards,
        Question | Exercise | Flashcards => false,
    };
    (!allowed).then(|| {
        let belongs = match child {
            Answer => "a `question` or `card`",
            Solution => "an `exercise`",
            Card => "`flashcards`",
            Figure => "the page, a question, an answer, an exercise or a card, not directly in `flashcards`",
            _ => "the page itself, not inside another container",
        };
        format!(
            "`{}` cannot stand inside `{}`; it belongs in {belongs}",
            child.name(),
            parent.name()
        )
    })
}

/// Top-level containers that only make sense inside another.
pub fn check_top_level(file: &Arc<SourceFile>, blocks: &[Block], errors: &mut Vec<Diagnostic>) {
    for b in blocks {
        if let Block::Container(c) = b {
            if matches!(
                c.kind,
                ContainerKind::Answer | ContainerKind::Solution | ContainerKind::Card
            ) {
                let parent = match c.kind {
                    ContainerKind::Answer => "a `question` or `card`",
                    ContainerKind::Solution => "an `exercise`",
                    _ => "`flashcards`",
                };
                errors.push(
                    Diagnostic::at(
                        file,
                        c.open.clone(),
                        format!("`{}` must be inside {parent}", c.kind.name()),
                    )
                    .with_hint("check that the container above was not closed too early"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Block;

    fn parse(text: &str) -> (Vec<Block>, Vec<String>) {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        let mut errors = Vec::new();
        let blocks = parse_body(&file, 0..text.len(), &mut errors);
        check_top_level(&file, &blocks, &mut errors);
        (blocks, errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn nests_questions_and_answers() {
        let (blocks, errors) =
            parse("Intro\n\n::: question\nWhy?\n::: answer\nBecause.\n:::\n:::\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(blocks.len(), 2);
        let Block::Container(q) = &blocks[1] else {
            panic!("not a container")
        };
        assert_eq!(q.kind, ContainerKind::Question);
        assert!(q.child(ContainerKind::Answer).is_some());
    }

    #[test]
    fn fences_hide_container_lines_and_find_verify_blocks() {
        let (blocks, errors) = parse("```\n:::\n```\n\n```verify show\nx = 1\n```\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(&blocks[1], Block::Verify(v) if v.show));
    }

    #[test]
    fn structural_errors_are_located() {
        let (_, errors) = parse("::: question\nWhy?\n:::\n");
        assert_eq!(errors, ["t.md:1:1: question has no answer (hint: add `::: answer`, the answer, and `:::` before the closing `:::`)"]);
        let (_, errors) = parse("::: exercise A\ntext\n");
        assert_eq!(
            errors,
            ["t.md:1:1: container `exercise` is never closed (hint: close it with a line `:::`)"]
        );
        let (_, errors) = parse("::: questoin\nx\n:::\n");
        assert_eq!(
            errors,
            ["t.md:1:1: unknown container `questoin` (hint: did you mean `question`?)"]
        );
        let (_, errors) = parse("::: answer\nx\n:::\n");
        assert!(errors[0].contains("`answer` must be inside"), "{errors:?}");
    }
}
