//! Tests of the one-pass parse: structure, containers, verify blocks, roles, MathJax
//! delimiters, footnotes, ids and the located errors.

use super::*;
use crate::doc::{all_inlines, Block, BlockKind, InlineKind};

fn doc(text: &str) -> (Document, Vec<String>) {
    let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
    let (doc, errors) = parse(&file, 0..text.len());
    (doc, errors.iter().map(|e| e.to_string()).collect())
}

fn ok(text: &str) -> Document {
    let (doc, errors) = doc(text);
    assert!(errors.is_empty(), "{errors:?}");
    doc
}

fn inlines_of(doc: &Document) -> Vec<&InlineKind> {
    let blocks = doc.all_blocks();
    all_inlines(blocks.iter().flat_map(|b| b.inlines()))
        .map(|i| &i.kind)
        .collect()
}

#[test]
fn containers_are_typed_with_named_parts() {
    let d = ok("Intro\n::: question\nWhy?\n::: answer\nBecause.\n:::\n:::\n\n::: exercise Part A: *x*\nDo it.\n::: solution Show it\nDone.\n:::\n:::\n::: flashcards\n::: card {#relu}\nQ?\n::: answer\nA.\n:::\n:::\n:::\n");
    assert_eq!(d.counts.questions, 1);
    assert_eq!(d.counts.exercises, 1);
    assert_eq!(d.counts.cards, 1);
    let kinds: Vec<&str> = d
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Paragraph(_) => "p",
            BlockKind::Question(q) => {
                assert_eq!(q.prompt.len(), 1);
                assert_eq!(q.answer.blocks.len(), 1);
                "question"
            }
            BlockKind::Exercise(e) => {
                assert_eq!(e.title.raw, "Part A: *x*");
                assert!(e
                    .title
                    .inlines
                    .iter()
                    .any(|i| matches!(i.kind, InlineKind::Emphasis(_))));
                assert_eq!(e.anchor, "part-a-x");
                assert_eq!(e.solution.as_ref().unwrap().summary, "Show it");
                "exercise"
            }
            BlockKind::Flashcards(cards) => {
                assert_eq!(cards[0].key.as_deref(), Some("relu"));
                "flashcards"
            }
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["p", "question", "exercise", "flashcards"]);
    assert_eq!(d.anchors, ["question-1", "part-a-x", "card-1"]);
}

#[test]
fn a_container_line_ends_a_paragraph_a_list_and_a_quote() {
    let d = ok("::: question\n- a list\n::: answer\n> a quote\n:::\n:::\n");
    let BlockKind::Question(q) = &d.blocks[0].kind else {
        panic!("not a question")
    };
    assert!(matches!(q.prompt[0].kind, BlockKind::List(..)));
    assert!(matches!(q.answer.blocks[0].kind, BlockKind::BlockQuote(..)));
    let (_, errors) = doc("::: question\nQ\n::: answer\nA\n:::\ntext after\n:::\n");
    assert_eq!(errors, ["t.md:6:1: text after the answer of a question (hint: move it above `::: answer`, or into the answer)"]);
}

#[test]
fn fences_hide_container_lines_and_hold_verify_blocks() {
    let d = ok("```\n:::\n```\n\n```verify show\nx = 1\n```\n\n- item\n\n  ```verify\n  1 + 1 = 2\n  ```\n");
    let verify: Vec<&Block> = d
        .all_blocks()
        .into_iter()
        .filter(|b| matches!(b.kind, BlockKind::Verify(_)))
        .collect();
    assert_eq!(verify.len(), 2);
    let BlockKind::Verify(v) = &verify[1].kind else {
        unreachable!()
    };
    assert!(!v.show);
    assert_eq!(d.file.text[v.code.clone()].trim(), "1 + 1 = 2");
    assert_eq!(v.statements.as_ref().map(Vec::len), Ok(1));
    assert_eq!(d.file.text[v.fence.clone()].trim(), "```verify");
}

#[test]
fn structural_errors_are_located() {
    let (_, errors) = doc("::: question\nWhy?\n:::\n");
    assert_eq!(errors, ["t.md:1:1: question has no answer (hint: add `::: answer`, the answer, and `:::` before the closing `:::`)"]);
    let (_, errors) = doc("::: exercise A\ntext\n");
    assert_eq!(
        errors,
        ["t.md:1:1: container `exercise` is never closed (hint: close it with a line `:::`)"]
    );
    let (_, errors) = doc("::: questoin\nx\n:::\n");
    assert_eq!(
        errors,
        ["t.md:1:1: unknown container `questoin` (hint: did you mean `question`?)"]
    );
    let (_, errors) = doc("::: answer\nx\n:::\n");
    assert!(errors[0].contains("`answer` must be inside"), "{errors:?}");
    let (_, errors) = doc("> ```verify\n> 1 + 1 = 3\n> ```\n");
    assert_eq!(errors, ["t.md:1:3: a `verify` block inside a blockquote cannot be checked (hint: move the block out of the blockquote; verify blocks may stand at the top level, in `:::` containers and in list items)"]);
    let (_, errors) = doc("A[^nope] b.\n");
    assert_eq!(errors, ["t.md:1:2: footnote `[^nope]` is never defined (hint: define it anywhere on the page: a line `[^nope]: the note`)"]);
    let (_, errors) = doc("a {Count}`answers`\n");
    assert!(errors[0].contains("cannot count `answers`"), "{errors:?}");
}

#[test]
fn roles_hold_their_parsed_argument() {
    let d = ok("Seven is {Count}`questions`; {eval:.2}`1/3` and {verify}`1 + 1 = 2`.\n");
    let roles: Vec<&InlineKind> = inlines_of(&d)
        .into_iter()
        .filter(|k| matches!(k, InlineKind::Role(_)))
        .collect();
    assert_eq!(roles.len(), 3);
    let texts: Vec<&str> = inlines_of(&d)
        .into_iter()
        .filter_map(|k| match k {
            InlineKind::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["Seven is ", "; ", " and ", "."]);
}

#[test]
fn mathjax_delimiters_are_formulas_with_offsets_into_the_file() {
    let text = "a \\(x*b*\\) b and \\[\n\\{1\\} \\\\ 2\n\\]\n\n> q \\(a\n> b\\)\n\nkramdown \\\\(y_1\\\\) `\\(c\\)`\n";
    let d = ok(text);
    let math: Vec<(&str, bool)> = inlines_of(&d)
        .into_iter()
        .filter_map(|k| match k {
            InlineKind::Math(m) => Some((m.latex.as_str(), m.display)),
            _ => None,
        })
        .collect();
    assert_eq!(
        math,
        [
            ("{x*b*}", false),
            ("\n\\{1\\} \\\\ 2\n", true),
            ("{a\nb}", false),
            ("{y_1}", false)
        ]
    );
    let (_, errors) = doc("a \\(x\n\nb \\)\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("t.md:1:3: `\\(` is never closed"),
        "{errors:?}"
    );
}

#[test]
fn footnotes_and_reference_links_resolve_page_wide() {
    let d = ok("::: question\nSee [the ref][r] and[^n].\n::: answer\nA[^m].\n:::\n:::\n\n[r]: other.md#x\n[^m]: M.\n[^n]: N.\n");
    assert_eq!(
        d.footnotes
            .iter()
            .map(|f| (f.label.as_str(), f.number))
            .collect::<Vec<_>>(),
        [("n", 1), ("m", 2)]
    );
    assert_eq!(d.links.len(), 1);
    assert_eq!(d.links[0].target.as_deref(), Some("other.md"));
    assert!(d.anchors.contains(&"fnref-1".to_string()));
    assert!(d.anchors.contains(&"fn-2".to_string()));
}

#[test]
fn ids_are_unique_and_fixed_ones_win() {
    let d = ok("## Question 1\n\n## Intro\n\n## Intro {#x}\n\n<a name=\"old\"></a>\n\n::: question\nQ\n::: answer\nA\n:::\n:::\n");
    assert_eq!(
        d.anchors,
        ["question-1-1", "intro", "x", "old", "question-1"]
    );
    let (_, errors) = doc("## X\n\n<span id=\"x\"></span>\n");
    assert!(errors[0].contains("id `x` is already used"), "{errors:?}");
}

#[test]
fn deep_markdown_is_one_located_error() {
    let (_, errors) = doc(&"> ".repeat(200));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("nested more than 128 deep"),
        "{errors:?}"
    );
}

#[test]
fn the_same_structure_has_the_same_ids() {
    let a = ok("::: exercise A\n```verify\nlet x = 1\n```\n{verify}`x = 1`\n:::\n");
    let b = ok("::: exercise A\n```verify\nlet x = 20\n```\n{verify}`x = 20`\n:::\n");
    let ids = |d: &Document| -> Vec<u32> { d.all_blocks().iter().map(|b| b.id.0).collect() };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn a_container_line_swallowed_by_raw_html_is_an_error_unless_commented_out() {
    let (_, errors) = doc("<div>\n::: question\nQ\n::: answer\nA\n:::\n:::\n");
    assert!(
        errors[0].starts_with("t.md:2:1: this `:::` line is read as part of the raw HTML above it"),
        "{errors:?}"
    );
    let d = ok("<!--\n::: question\nQ\n:::\n-->\n\nText.\n");
    assert_eq!(d.counts.questions, 0);
}
