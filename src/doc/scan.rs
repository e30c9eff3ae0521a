//! The line scan that lets one pulldown-cmark pass see the `:::` containers.
//!
//! Containers are block-level, like markdown-it-container and Pandoc's fenced divs: a line
//! `::: name [title]` at the start of a line opens one, a line of colons closes the innermost
//! open one. CommonMark knows nothing of them, so before the page is parsed each such line is
//! masked with a construct of the same length that CommonMark ends every open paragraph, list
//! and blockquote at: an opening line becomes an ATX heading whose text is the title (so the
//! title is read as Markdown in the same pass, `{#id}` included), a closing line a thematic
//! break. Fenced code is skipped, so `:::` inside a code example means nothing. The parser then
//! recognises the masked lines by their spans.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// A container line found by the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerLine {
    /// The line, without its line break.
    pub span: Range<usize>,
    /// What it does.
    pub kind: LineKind,
}

/// What a container line does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Opens a container named `name` (possibly unknown), with the title after it.
    Open {
        /// The name after the colons.
        name: String,
        /// Where the title starts (the end of the line when there is none).
        title_start: usize,
    },
    /// Closes the innermost open container.
    Close,
}

/// The scan of one page body.
#[derive(Debug)]
pub struct Scan {
    /// The file's text with every container line masked; same length, same offsets.
    pub masked: String,
    /// The container lines, in order.
    pub lines: Vec<ContainerLine>,
    /// A verify fence never closed, as an error.
    pub errors: Vec<Diagnostic>,
    /// The line (1-based) of a code fence that is never closed, if one is not: everything
    /// after it is code, which explains a container that seems never closed.
    pub unclosed_fence: Option<usize>,
}

/// A fenced code block being skipped.
struct Fence {
    start: usize,
    marker: char,
    len: usize,
    /// The opening line, when the fence is a verify block's.
    verify: Option<Range<usize>>,
}

/// Scans the body at `body` (a byte range of `file`).
pub fn scan(file: &Arc<SourceFile>, body: Range<usize>) -> Scan {
    let text = &file.text;
    let mut masked = text.clone().into_bytes();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut fence: Option<Fence> = None;
    let mut pos = body.start;
    while pos < body.end {
        let line_end = memchr::memchr(b'\n', &text.as_bytes()[pos..body.end])
            .map_or(body.end, |i| pos + i + 1);
        let line = text[pos..line_end].trim_end_matches(['\n', '\r']);
        let span = pos..pos + line.len();
        if let Some(f) = &fence {
            if closes_fence(line, f) {
                fence = None;
            }
        } else if let Some(f) = opens_fence(line, span.clone()) {
            fence = Some(f);
        } else if let Some((name, title_start)) = container_line(line) {
            let kind = if name.is_empty() {
                // `:::` (any number of colons, trailing blanks) → `***`: a thematic break.
                for b in &mut masked[span.clone()] {
                    if *b == b':' {
                        *b = b'*';
                    }
                }
                LineKind::Close
            } else {
                // `::: name ` → `#        `: an ATX heading whose text is the title.
                masked[span.start] = b'#';
                for b in &mut masked[span.start + 1..span.start + title_start] {
                    *b = b' ';
                }
                LineKind::Open {
                    name: name.to_string(),
                    title_start: span.start + title_start,
                }
            };
            lines.push(ContainerLine { span, kind });
        }
        pos = line_end;
    }
    let unclosed_fence = fence.as_ref().map(|f| file.line_col(f.start).0);
    if let Some(Fence {
        verify: Some(line),
        marker,
        len,
        ..
    }) = fence
    {
        let what = if marker == '`' { "backticks" } else { "tildes" };
        errors.push(
            Diagnostic::at(file, line, "verification block is never closed")
                .with_hint(format!("close it with a line of {len} {what}")),
        );
    }
    let masked = String::from_utf8(masked).expect("only ASCII bytes of ASCII lines were replaced");
    Scan {
        masked,
        lines,
        errors,
        unclosed_fence,
    }
}

/// `::: name title` → the name and the byte offset of the title in the line (the line's end
/// when there is none); a line of colons → an empty name.
fn container_line(line: &str) -> Option<(&str, usize)> {
    let rest = line.strip_prefix(":::")?;
    let rest = rest.trim_start_matches(':');
    let name_start = line.len() - rest.trim_start().len();
    let rest = rest.trim_start();
    let name_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let name = &rest[..name_len];
    if name.is_empty() {
        return rest.trim().is_empty().then_some(("", line.len()));
    }
    let after = &rest[name_len..];
    let title_start = name_start + name_len + (after.len() - after.trim_start().len());
    Some((name, title_start))
}

fn opens_fence(line: &str, span: Range<usize>) -> Option<Fence> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == marker).count();
    if len < 3 || (marker == '`' && trimmed[len..].contains('`')) {
        return None;
    }
    let info = trimmed[len..].trim();
    Some(Fence {
        start: span.start,
        marker,
        len,
        verify: super::is_verify_info(info).then_some(span),
    })
}

fn closes_fence(line: &str, fence: &Fence) -> bool {
    let trimmed = line.trim();
    let indent = line.len() - line.trim_start_matches(' ').len();
    indent <= 3 && trimmed.len() >= fence.len && trimmed.chars().all(|c| c == fence.marker)
}

/// The explicit id a container's title ends with (`Part A {#part-a}`, `{#relu}`), if it has one:
/// the same rule the parser reads titles by.
pub fn explicit_id(title: &str) -> Option<&str> {
    let title = title.trim_end();
    let open = title.strip_suffix('}')?.rfind('{')?;
    let attributes = &title[open + 1..title.len() - 1];
    if attributes.contains('{') {
        return None;
    }
    attributes
        .split_whitespace()
        .find_map(|a| a.strip_prefix('#'))
        .filter(|a| !a.is_empty())
}

/// The ids the cards of a page's body give themselves, with their 1-based lines, read from its
/// container lines alone (no Markdown parse).
pub fn card_keys(file: &Arc<SourceFile>, body: Range<usize>) -> Vec<(String, usize)> {
    card_keys_of(file, &scan(file, body).lines)
}

/// [`card_keys`] from the container lines a scan of the body found.
pub fn card_keys_of(file: &SourceFile, lines: &[ContainerLine]) -> Vec<(String, usize)> {
    // The outline holds the list for the whole build: no spare room.
    let mut keys: Vec<(String, usize)> = lines
        .iter()
        .filter_map(|line| match &line.kind {
            LineKind::Open { name, title_start } if name == "card" => {
                let key = explicit_id(&file.text[*title_start..line.span.end])?;
                Some((key.to_string(), file.line_col(line.span.start).0))
            }
            _ => None,
        })
        .collect();
    keys.shrink_to_fit();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> (String, Vec<ContainerLine>) {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        let scan = scan(&file, 0..text.len());
        (scan.masked, scan.lines)
    }

    #[test]
    fn container_lines_become_headings_and_rules_of_the_same_length() {
        let (text, lines) = masked("::: exercise Part A: *x*\nText\n::::\n::: card\n");
        assert_eq!(text, "#            Part A: *x*\nText\n****\n#       \n");
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0].kind,
            LineKind::Open {
                name: "exercise".into(),
                title_start: 13
            }
        );
        assert_eq!(lines[1].kind, LineKind::Close);
    }

    #[test]
    fn fences_hide_container_lines() {
        let (text, lines) = masked("```\n:::\n```\n~~~~\n::: x\n~~~\n~~~~\n:::\n");
        assert_eq!(lines.len(), 1);
        assert!(text.ends_with("~~~~\n***\n"), "{text}");
    }

    #[test]
    fn indented_colons_and_words_after_colons_are_text() {
        let (_, lines) = masked(" ::: question\n:::x y\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0].kind,
            LineKind::Open {
                name: "x".into(),
                title_start: 19
            }
        );
    }
}
