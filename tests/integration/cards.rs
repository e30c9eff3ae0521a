//! One card, four outputs (issue #23): a flashcard is one value of the page's document, and the
//! page, the `.tsv`, the PDF deck and the `.apkg` all say the same words of it — lists, an
//! image, inline and display math, code, a link. What a card cannot carry everywhere (a
//! footnote, text after its answer) is a located error, not a card that differs by output.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Node, Selector};

use super::{build_course, fixture, tool};

const CARD: &str = r#"---
title: Cards
---

Before the cards.

::: flashcards
::: card
What does **ReLU** compute for a `vector` input? See [the notes](https://example.org/relu).
::: answer
It keeps positive entries:

1. first compares each entry with zero,
2. then keeps the larger one.

- elementwise maximum
- without parameters

Inline math $\max(0, z)$ and display:

$$\mathrm{ReLU}(z) = \max(0, z)$$

```python
relu = lambda z: max(0, z)
```

![toy kink diagram](toy.png)
:::
:::
:::
"#;

/// A one-page course whose page is `page`, with the toy image beside it.
fn course(dir: &Path, page: &str) -> PathBuf {
    let course = dir.join("course");
    let lesson = course.join("content/01-cards");
    std::fs::create_dir_all(&lesson).expect("mkdir");
    std::fs::write(course.join("course.yaml"), "title: Cards\n").expect("course.yaml");
    std::fs::write(lesson.join("index.md"), page).expect("page");
    let toy =
        fixture("content", "real-notes").join("content/01-linear-classifiers/figures/toy.png");
    std::fs::copy(toy, lesson.join("toy.png")).expect("copy image");
    course
}

/// The words of a text: runs of three or more letters (math's one-letter names and numbers
/// are not compared: each output sets formulas its own way).
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// The text of HTML, without its MathML, with images' alt text.
fn html_text(element: ElementRef, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.name() == "math" => {}
            Node::Element(e) if e.name() == "img" => {
                out.push(' ');
                out.push_str(e.attr("alt").unwrap_or(""));
                out.push(' ');
            }
            Node::Element(_) => {
                out.push(' ');
                html_text(ElementRef::wrap(child).expect("an element"), out);
                out.push(' ');
            }
            _ => {}
        }
    }
}

/// The text of an Anki field (HTML with `\( \)` and `\[ \]` math), without its math.
fn field_text(field: &str) -> String {
    let mut prose = String::new();
    let mut rest = field;
    while let Some(open) = rest.find("\\(").into_iter().chain(rest.find("\\[")).min() {
        prose.push_str(&rest[..open]);
        let close = if rest[open..].starts_with("\\(") {
            "\\)"
        } else {
            "\\]"
        };
        rest = rest[open..]
            .find(close)
            .map_or("", |c| &rest[open + c + 2..]);
    }
    prose.push_str(rest);
    let html = Html::parse_fragment(&prose);
    let mut out = String::new();
    html_text(html.root_element(), &mut out);
    out
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn a_card_says_the_same_words_on_the_page_in_the_tsv_the_pdf_and_the_apkg() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course(dir.path(), CARD);
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("the course builds");
    let folder = site.join("cards");

    let page = std::fs::read_to_string(folder.join("index.html")).expect("page");
    let html = Html::parse_document(&page);
    let card = html
        .select(&Selector::parse("li.flashcard details.card").unwrap())
        .next()
        .expect("the card on the page");
    let mut page_text = String::new();
    html_text(card, &mut page_text);
    let on_page = words(&page_text);
    for word in [
        "relu",
        "vector",
        "notes",
        "compares",
        "elementwise",
        "lambda",
        "toy",
        "kink",
    ] {
        assert!(
            on_page.contains(word),
            "{word} not on the page card: {on_page:?}"
        );
    }

    let tsv = std::fs::read_to_string(folder.join("flashcards.tsv")).expect("tsv");
    // One card after the header's `#` lines; its GUID first, then its fields.
    let row = tsv
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("one card after the header");
    let in_tsv = words(
        &row.split('\t')
            .skip(1)
            .map(field_text)
            .collect::<Vec<_>>()
            .join(" "),
    );
    assert_eq!(in_tsv, on_page, "the TSV's words differ from the page's");

    let apkg = std::fs::File::open(folder.join("flashcards.apkg")).expect("apkg");
    let mut zip = zip::ZipArchive::new(apkg).expect("a zip");
    let mut collection = Vec::new();
    zip.by_name("collection.anki2")
        .expect("the collection")
        .read_to_end(&mut collection)
        .expect("read");
    let db_path = dir.path().join("collection.anki2");
    std::fs::write(&db_path, collection).expect("write collection");
    let db = rusqlite::Connection::open(&db_path).expect("open collection");
    let fields: String = db
        .query_row("select flds from notes", [], |r| r.get(0))
        .expect("one note");
    let in_apkg = words(
        &fields
            .split('\u{1f}')
            .map(field_text)
            .collect::<Vec<_>>()
            .join(" "),
    );
    assert_eq!(in_apkg, on_page, "the .apkg's words differ from the page's");

    let pdf = folder.join("flashcards.pdf");
    let pdf_text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let in_pdf = words(&pdf_text);
    let missing: Vec<&String> = on_page.difference(&in_pdf).collect();
    assert!(
        missing.is_empty(),
        "not in the PDF: {missing:?}\n{pdf_text}"
    );
    // The PDF adds only the card's label ("Cards · card 1"), the formulas' glyphs (`max`,
    // `ReLU`) and, since paper cannot follow a link, the link's address (issue #27).
    assert!(
        pdf_text.contains("(https://example.org/relu)"),
        "{pdf_text}"
    );
    let extra: Vec<&String> = in_pdf
        .difference(&on_page)
        .filter(|w| {
            !["cards", "card", "max", "relu", "https", "example", "org"].contains(&w.as_str())
        })
        .collect();
    assert!(extra.is_empty(), "only in the PDF: {extra:?}\n{pdf_text}");
}

#[test]
fn what_a_card_cannot_carry_everywhere_is_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = CARD
        .replace("See [the notes]", "See[^n] [the notes]")
        .replace(
            "![toy kink diagram](toy.png)\n:::\n",
            "![toy kink diagram](toy.png)\n:::\nText after the answer.\n",
        )
        + "\n[^n]: A note.\n";
    let course = course(dir.path(), &page);
    let errors = build_course(&course, None).expect_err("the card is refused");
    let found: Vec<String> = errors
        .0
        .iter()
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert_eq!(
        found,
        [
            "content/01-cards/index.md:9:53: a footnote in a flashcard",
            "content/01-cards/index.md:29:1: text after the answer of a flashcard",
        ]
    );
}
