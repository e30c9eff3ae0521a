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
/// title (each result names its page already), the `#` links beside headings and the labels of
/// collapsibles ("Show answer"), and an exercise's further number sets (its first set is
/// indexed; the others repeat its words); a flashcard's question is its summary, so that one
/// stays.
fn skipped(tag: &Tag) -> bool {
    matches!(
        tag.name,
        "script" | "style" | "h1" | "nav" | "button" | "template"
    ) || tag.has_class("anchor-link")
        || tag.has_class("flashcard-controls")
        || tag.has_class("variant-extra")
        || (tag.name == "summary" && !tag.has_class("card-question"))
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

/// Elements that have no end tag.
fn void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// One start or end tag.
struct Tag<'a> {
    name: &'a str,
    end: bool,
    /// `<x/>` or a void element: no end tag follows.
    empty: bool,
    id: Option<&'a str>,
    class: &'a str,
}

impl Tag<'_> {
    fn has_class(&self, class: &str) -> bool {
        self.class.split_ascii_whitespace().any(|c| c == class)
    }
}

/// Reads the tag at the start of `html` (which begins with `<`): the tag and its length, or
/// `None` for a comment, doctype or stray `<` (with the length to skip).
fn read_tag(html: &str) -> (Option<Tag<'_>>, usize) {
    if let Some(rest) = html.strip_prefix("<!--") {
        return (None, rest.find("-->").map_or(html.len(), |i| i + 7));
    }
    let bytes = html.as_bytes();
    let end = bytes.get(1) == Some(&b'/');
    let name_start = 1 + usize::from(end);
    let name_len = html[name_start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(html.len() - name_start);
    if name_len == 0 {
        // `<!doctype …>`, `<?…>` or a `<` that starts no tag.
        let len = if matches!(bytes.get(1), Some(b'!' | b'?')) {
            html.find('>').map_or(html.len(), |i| i + 1)
        } else {
            1
        };
        return (None, len);
    }
    let name = &html[name_start..name_start + name_len];
    let (mut id, mut class) = (None, "");
    let mut i = name_start + name_len;
    let mut self_closing = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => {
                self_closing = true;
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                self_closing = false;
                let attr_len = html[i..]
                    .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
                    .unwrap_or(html.len() - i);
                let attr = &html[i..i + attr_len];
                i += attr_len;
                if bytes.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                let value = match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let len = html[i + 1..].find(q as char).unwrap_or(html.len() - i - 1);
                        let value = &html[i + 1..i + 1 + len];
                        i += len + 2;
                        value
                    }
                    _ => {
                        let len = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .unwrap_or(html.len() - i);
                        let value = &html[i..i + len];
                        i += len;
                        value
                    }
                };
                match attr {
                    "id" => id = Some(value),
                    "class" => class = value,
                    _ => {}
                }
            }
        }
    }
    let empty = self_closing || void(name);
    let tag = Tag {
        name,
        end,
        empty,
        id,
        class,
    };
    (Some(tag), i.min(html.len()))
}

/// `text` with the character references HTML renderers write (`&amp;`, `&lt;`, `&#39;`, …)
/// decoded.
fn decode(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short and ASCII: look for its `;` among the next bytes, not in a slice
        // of the text, which could cut a multi-byte character (`&ÄÄÄ…`, `R&D — “fast”`).
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name.strip_prefix('#').and_then(|n| {
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The sections of one rendered page (its whole HTML; only `<main>` is read). A small scanner
/// over the HTML coursegen itself wrote, not a full HTML parser: a parser (html5ever) made the
/// render stage of a 1,000-page course several times slower.
pub fn page_records(html: &str) -> Vec<Record> {
    let Some(start) = html.find("<main") else {
        return Vec::new();
    };
    let end = html.rfind("</main>").unwrap_or(html.len()).max(start);
    let mut html = &html[start..end];
    let mut records = Vec::new();
    let mut current = Record {
        heading: String::new(),
        anchor: String::new(),
        text: String::new(),
    };
    // Inside a skipped element: its name and how many of that name are open.
    let mut skip: Option<(&str, usize)> = None;
    // Inside a section's heading: its name.
    let mut heading: Option<&str> = None;
    while !html.is_empty() {
        let text_len = html.find('<').unwrap_or(html.len());
        if text_len > 0 {
            if skip.is_none() {
                let target = if heading.is_some() {
                    &mut current.heading
                } else {
                    &mut current.text
                };
                decode(&html[..text_len], target);
            }
            html = &html[text_len..];
            continue;
        }
        let (tag, len) = read_tag(html);
        html = &html[len.max(1)..];
        let Some(tag) = tag else { continue };
        if let Some((name, depth)) = &mut skip {
            if tag.name == *name && !tag.empty {
                if tag.end {
                    *depth -= 1;
                } else {
                    *depth += 1;
                }
                if *depth == 0 {
                    skip = None;
                }
            }
            continue;
        }
        if tag.end {
            if heading == Some(tag.name) {
                heading = None;
            } else if !inline(tag.name) {
                current.text.push(' ');
            }
            continue;
        }
        if skipped(&tag) {
            if !tag.empty {
                skip = Some((tag.name, 1));
            }
            continue;
        }
        match (matches!(tag.name, "h2" | "h3" | "h4"), tag.id) {
            (true, Some(id)) if !tag.empty => {
                let next = Record {
                    heading: String::new(),
                    anchor: id.to_string(),
                    text: String::new(),
                };
                records.push(std::mem::replace(&mut current, next));
                heading = Some(tag.name);
            }
            _ if !inline(tag.name) => current.text.push(' '),
            _ => {}
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
        let html = r##"<!doctype html><html><body><nav>Sidebar</nav><main id="main"><h1>Title</h1><!-- a <b>comment</b> --><p>Intro <em>te</em>xt &amp; &lt;b&gt;&#39;</p>
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
                    text: "Intro text & <b>'".into()
                },
                Record {
                    heading: "The step".into(),
                    anchor: "step".into(),
                    text: "so p − y = 0.73 Why? Because.".into()
                },
            ]
        );
    }

    /// A `&` followed by multi-byte text within a reference's length once cut a character in
    /// two and panicked every build of a page with smart quotes.
    #[test]
    fn ampersands_before_multi_byte_text_are_text() {
        for prose in [
            "x &lt; y is “true”",
            "R&amp;D — “fast”",
            "Q&amp;A ÄÄÄ",
            "&ÄÄÄÄÄÄ;",
            "&#x41;&#xZZ;&€;",
            "& ",
            "&",
        ] {
            let html = format!("<main><p>{prose}</p></main>");
            let records = page_records(&html);
            let mut expected = String::new();
            decode(prose, &mut expected);
            assert_eq!(records[0].text, expected.trim(), "{prose}");
        }
        assert_eq!(
            page_records("<main>R&amp;D — “fast”</main>")[0].text,
            "R&D — “fast”"
        );
        assert_eq!(page_records("<main>&#x41;&#xZZ;</main>")[0].text, "A&#xZZ;");
    }
}
