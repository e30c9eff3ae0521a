//! MathJax and kramdown delimiters: `\(…\)` and `\[…\]` become pulldown-cmark's `$…$` and
//! `$$…$$` before the Markdown is parsed.
//!
//! CommonMark reads `\(` as an escaped `(`, so without this pass inline math written the
//! MathJax way prints as literal LaTeX, and inside `\[…\]` the escapes eat `\\` line breaks and
//! the backslashes of `\{ \}` (issue #12). pulldown-cmark keeps the text between `$` signs raw,
//! so rewriting the delimiters is enough. The rewrite keeps every byte offset: `\(` becomes
//! `${` and `\)` becomes `}$` (a brace group renders like its content), `\[` and `\]` become
//! `$$`; so spans from the parser still point into the author's file.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markdown::options;

/// The text with its MathJax delimiters rewritten, and the byte ranges of every `\(` that is
/// never closed (an error: the math would print as literal LaTeX).
pub fn rewrite(text: &str) -> (String, Vec<Range<usize>>) {
    if !text.contains("\\(") && !text.contains("\\[") {
        return (text.to_string(), Vec::new());
    }
    let skip = literal_ranges(text);
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut unclosed = Vec::new();
    let mut i = 0;
    let mut skip_at = 0;
    while i + 1 < bytes.len() {
        while skip_at < skip.len() && skip[skip_at].end <= i {
            skip_at += 1;
        }
        if skip.get(skip_at).is_some_and(|r| r.contains(&i)) {
            i = skip[skip_at].end;
            continue;
        }
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let open = bytes[i + 1];
        if open != b'(' && open != b'[' {
            // `\\` is an escaped backslash: the character after it is not a delimiter.
            i += 2;
            continue;
        }
        let close: &[u8] = if open == b'(' { b"\\)" } else { b"\\]" };
        match find_close(bytes, i + 2, close, &skip) {
            Some(end) => {
                let (a, b): (&[u8], &[u8]) = if open == b'(' {
                    (b"${", b"}$")
                } else {
                    (b"$$", b"$$")
                };
                out[i..i + 2].copy_from_slice(a);
                out[end..end + 2].copy_from_slice(b);
                i = end + 2;
            }
            None => {
                // `\[` alone is an author's escaped bracket far more often than broken math.
                if open == b'(' {
                    unclosed.push(i..i + 2);
                }
                i += 2;
            }
        }
    }
    let rewritten = String::from_utf8(out).expect("only ASCII bytes were replaced by ASCII");
    (rewritten, unclosed)
}

/// Where `close` ends the math opened before `from`: in the same paragraph (no blank line
/// first), never inside code, and not after an escaping backslash.
fn find_close(bytes: &[u8], from: usize, close: &[u8], skip: &[Range<usize>]) -> Option<usize> {
    let mut j = from;
    while j + 1 < bytes.len() {
        if skip.iter().any(|r| r.contains(&j)) {
            return None;
        }
        if bytes[j] == b'\n' && blank_line_follows(&bytes[j + 1..]) {
            return None;
        }
        if bytes[j] == b'\\' {
            if bytes[j..].starts_with(close) {
                return Some(j);
            }
            // Inside math a backslash starts a command or a control symbol (`\\`, `\{`).
            j += 2;
            continue;
        }
        j += 1;
    }
    None
}

fn blank_line_follows(rest: &[u8]) -> bool {
    rest.iter()
        .take_while(|b| **b != b'\n')
        .all(|b| b.is_ascii_whitespace())
}

/// Byte ranges where a delimiter means nothing: code spans, code blocks, raw HTML, and math
/// already written with `$`.
fn literal_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut block_start = None;
    for (event, span) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => block_start = Some(span.start),
            Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                if let Some(start) = block_start.take() {
                    ranges.push(start..span.end);
                }
            }
            Event::Code(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => ranges.push(span),
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let (out, unclosed) = rewrite(input);
        assert_eq!(out, expected);
        assert!(unclosed.is_empty(), "{unclosed:?}");
        assert_eq!(out.len(), input.len());
    }

    #[test]
    fn delimiters_become_dollars_and_keep_offsets() {
        check(r"a \(x^2\) b", r"a ${x^2}$ b");
        check("\\[\n\\{a\\} \\\\ b\n\\]\n", "$$\n\\{a\\} \\\\ b\n$$\n");
        check(r"\( \frac{1}{2} \)", r"${ \frac{1}{2} }$");
    }

    #[test]
    fn code_escapes_and_lone_brackets_are_left_alone() {
        check(r"`\(x\)` and \\(y)", r"`\(x\)` and \\(y)");
        check("```\n\\(x\\)\n```\n", "```\n\\(x\\)\n```\n");
        check(r"an \[escaped bracket", r"an \[escaped bracket");
        check(r"$\(x\)$", r"$\(x\)$");
    }

    #[test]
    fn an_unclosed_inline_formula_is_reported() {
        let (_, unclosed) = rewrite("a \\(x\n\nb \\)");
        assert_eq!(unclosed, vec![Range { start: 2, end: 4 }]);
    }
}
