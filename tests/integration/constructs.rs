//! One golden per Markdown construct of issue #12, as a spec table: each case of
//! `tests/fixtures/content/constructs.txt` is a page body, rendered by itself, and the HTML the
//! renderer must give for it (pulldown-cmark's spec tests work the same way).
//!
//! A case is a line `=== name`, the Markdown, a line `--- html`, then the expected HTML. To
//! accept a deliberate change, run `UPDATE_EXPECTED=1 cargo test --test integration constructs`
//! and read the diff of the file before committing it.

use std::fs;

use coursegen::load::load_course;
use coursegen::render::body::render_body;
use coursegen::render::{url_map, Targets};
use coursegen::verify::verify_page;

use super::{fixture, repo};

struct Case {
    name: String,
    markdown: String,
    expected: String,
}

fn cases(text: &str) -> Vec<Case> {
    text.split("\n=== ")
        .map(|c| c.strip_prefix("=== ").unwrap_or(c))
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            let (name, rest) = c.split_once('\n').expect("a name line");
            let (markdown, expected) = rest.split_once("--- html\n").unwrap_or((rest, ""));
            Case {
                name: name.trim().to_string(),
                markdown: markdown.to_string(),
                expected: expected.trim_end().to_string(),
            }
        })
        .collect()
}

/// The body HTML of a one-page course whose page is `markdown` (the real-notes figures are
/// beside it), or its errors.
fn render(markdown: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let lesson = dir.path().join("content/01-notes");
    fs::create_dir_all(lesson.join("figures")).expect("mkdir");
    fs::write(dir.path().join("course.yaml"), "title: Constructs\n").expect("course.yaml");
    fs::write(
        lesson.join("index.md"),
        format!("---\ntitle: Notes\n---\n\n{markdown}"),
    )
    .expect("page");
    let figures = fixture("content", "real-notes").join("content/01-linear-classifiers/figures");
    for name in ["scores.svg", "toy.png"] {
        fs::copy(figures.join(name), lesson.join("figures").join(name)).expect("copy figure");
    }
    let (course, errors) = load_course(dir.path());
    if !errors.0.is_empty() {
        return errors.0.iter().map(|d| format!("error: {d}\n")).collect();
    }
    let pages: Vec<_> = course.pages().collect();
    let verification = match verify_page(pages[0]) {
        Ok(v) => v,
        Err(e) => return e.iter().map(|d| format!("error: {d}\n")).collect(),
    };
    let urls = url_map(&pages);
    let targets = Targets {
        urls: &urls,
        media: &course.media,
    };
    match render_body(pages[0], &verification, &targets) {
        Ok(body) => body.html,
        Err(e) => e.iter().map(|d| format!("error: {d}\n")).collect(),
    }
}

#[test]
fn each_construct_renders_as_its_golden_html() {
    let file = repo().join("tests/fixtures/content/constructs.txt");
    let text = fs::read_to_string(&file).expect("constructs.txt");
    let cases = cases(&text);
    assert!(cases.len() >= 10, "{} cases", cases.len());
    let update = std::env::var_os("UPDATE_EXPECTED").is_some();
    let mut out = String::new();
    let mut failures = Vec::new();
    for case in &cases {
        let got = render(&case.markdown);
        let got = got.trim_end();
        if update {
            out.push_str(&format!(
                "=== {}\n{}--- html\n{got}\n\n",
                case.name, case.markdown
            ));
        } else if got != case.expected {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- got\n{got}",
                case.name, case.expected
            ));
        }
    }
    if update {
        fs::write(&file, out.trim_end().to_string() + "\n").expect("write");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
