//! The search index (issue #15): one record per section of every page — page, nearest heading,
//! its anchor, and the plain text readers can see there, including collapsed answers, worked
//! answers, flashcards, code, the text of math and verified values as printed. It is read from
//! each page's rendered HTML, so it holds exactly what the page shows.
//!
//! It is written as `search-index.js`, a script that assigns `window.COURSEGEN_SEARCH`, not as
//! JSON to fetch: browsers refuse `fetch` over `file://`, and a course opened from disk must
//! still search. The inverted index and prefix matching are built by `assets/coursegen.js` when
//! the index loads, from the text it needs anyway for excerpts, so the file carries each word
//! once per section and no postings.

use ego_tree::iter::Edge;
use scraper::{CaseSensitivity, Html, Node, Selector};
use serde::Serialize;

use super::OutputFile;
use crate::model::Page;

/// The name of the index file, at the root of the site.
pub const INDEX_FILE: &str = "search-index.js";

/// One section of a page: from a heading with an id to the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The heading's text; empty for the part of the page before its first heading.
    pub heading: String,
    /// The heading's id; empty before the first heading.
    pub anchor: String,
    /// The section's text, whitespace collapsed.
    pub text: String,
}

/// Elements whose text is not part of what a search should find: navigation chrome, the page
/// title (each result names its page already) and the `#` links beside headings.
fn skipped(e: &scraper::node::Element) -> bool {
    let class = |c| e.has_class(c, CaseSensitivity::CaseSensitive);
    matches!(
        e.name(),
        "script" | "style" | "h1" | "nav" | "button" | "template"
    ) || class("anchor-link")
        || class("flashcard-controls")
        // A flashcard's question is its summary; "Show answer" is a label, not content.
        || (e.name() == "summary" && !class("card-question"))
}

/// Inline elements: their text runs on with their neighbours' (a word split by `<em>` stays one
/// word). Every other element separates words, so the tokens of math (`<mi>`, `<mn>`) and the
/// cells of tables do not run together.
fn inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "code"
            | "em"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "u"
            | "var"
    )
}

/// The sections of one rendered page (its whole HTML; only `<main>` is read).
pub fn page_records(html: &str) -> Vec<Record> {
    let document = Html::parse_document(html);
    let main = Selector::parse("main").expect("a valid selector");
    let Some(main) = document.select(&main).next() else {
        return Vec::new();
    };
    let mut records = Vec::new();
    let mut current = Record {
        heading: String::new(),
        anchor: String::new(),
        text: String::new(),
    };
    let mut skip = 0usize;
    let mut in_heading = false;
    for edge in main.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let name = e.name();
                    if skip > 0 || skipped(e) {
                        skip += 1;
                        continue;
                    }
                    let heading = matches!(name, "h2" | "h3" | "h4");
                    if let (true, Some(id)) = (heading, e.attr("id")) {
                        records.push(std::mem::replace(
                            &mut current,
                            Record {
                                heading: String::new(),
                                anchor: id.to_string(),
                                text: String::new(),
                            },
                        ));
                        in_heading = true;
                    } else if !inline(name) {
                        current.text.push(' ');
                    }
                }
                Node::Text(t) if skip == 0 => {
                    if in_heading {
                        current.heading.push_str(&t[..]);
                    } else {
                        current.text.push_str(&t[..]);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip > 0 {
                        skip -= 1;
                    } else if matches!(e.name(), "h2" | "h3" | "h4") && in_heading {
                        in_heading = false;
                    } else if !inline(e.name()) {
                        current.text.push(' ');
                    }
                }
            }
        }
    }
    records.push(current);
    records
        .into_iter()
        .map(|r| Record {
            heading: collapse(&r.heading),
            anchor: r.anchor,
            text: collapse(&r.text),
        })
        .filter(|r| !r.text.is_empty() || !r.heading.is_empty())
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct Index<'a> {
    /// The course's language (`course.yaml`); English gets stemming.
    lang: &'a str,
    /// Each page: title and URL from the site root.
    pages: Vec<[&'a str; 2]>,
    /// Each section: page number, heading, anchor, text.
    records: Vec<(usize, &'a str, &'a str, &'a str)>,
}

/// `search-index.js` for the course's pages (in reading order) and each page's sections. Only
/// the pages given are in it, so a removed page's text is gone with the page; the order is the
/// course's, so two builds of one course write the same bytes.
pub fn index_file(language: &str, pages: &[&Page], sections: &[Vec<Record>]) -> OutputFile {
    let index = Index {
        lang: language,
        pages: pages.iter().map(|p| [p.title(), p.url.as_str()]).collect(),
        records: sections
            .iter()
            .enumerate()
            .flat_map(|(i, records)| {
                records
                    .iter()
                    .map(move |r| (i, r.heading.as_str(), r.anchor.as_str(), r.text.as_str()))
            })
            .collect(),
    };
    let json = serde_json::to_string(&index).expect("the index serializes");
    // `</script>` or U+2028 inside a string cannot end or break the script: JSON escapes are
    // still valid JavaScript, and the file is loaded by `<script src>`, never inlined.
    OutputFile {
        path: INDEX_FILE.to_string(),
        bytes: format!("window.COURSEGEN_SEARCH = {json};\n").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_hold_collapsed_answers_math_and_cards() {
        let html = r##"<html><body><nav>Sidebar</nav><main><h1>Title</h1><p>Intro <em>te</em>xt</p>
<div class="heading-wrapper"><h2 id="step">The step</h2><a class="anchor-link" href="#step">#</a></div>
<details class="solution"><summary>Worked answer</summary><p>so <math><mi>p</mi><mo>−</mo><mi>y</mi></math> = <span>0.73</span></p></details>
<details class="card"><summary class="card-question">Why?</summary><div>Because.</div></details>
</main></body></html>"##;
        let records = page_records(html);
        assert_eq!(
            records,
            vec![
                Record {
                    heading: String::new(),
                    anchor: String::new(),
                    text: "Intro text".into()
                },
                Record {
                    heading: "The step".into(),
                    anchor: "step".into(),
                    text: "so p − y = 0.73 Why? Because.".into()
                },
            ]
        );
    }
}
