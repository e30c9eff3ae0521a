//! Real course material (issue #12): the `tests/fixtures/content/real-notes` course, written the
//! way notes ported from MathJax sites are, checked construct by construct and against golden
//! HTML; and every page of every fixture course has unique, non-empty ids.
//!
//! To accept a deliberate change of the golden files, run
//! `UPDATE_EXPECTED=1 cargo test --test integration content`, read the diff, and commit it.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

use super::{build_course, fixture, repo};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds a course into a fresh folder and returns the folder with the site in `site/`.
fn built(course: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    build_course(course, Some(&out.path().join("site"))).unwrap_or_else(|e| {
        panic!(
            "{} builds: {:?}",
            course.display(),
            e.0.iter().map(ToString::to_string).collect::<Vec<_>>()
        )
    });
    out
}

fn page(site: &Path, url: &str) -> Html {
    let html = fs::read_to_string(site.join(url).join("index.html")).expect("page");
    Html::parse_document(&html)
}

/// The `<main>` element of each built page, compared with `expected/<page>.html`.
#[test]
fn real_notes_pages_match_their_golden_html() {
    let course = fixture("content", "real-notes");
    let out = built(&course);
    let mut failures = Vec::new();
    for (url, name) in [
        ("linear-classifiers", "lesson"),
        ("linear-classifiers/practice-hinge", "practice"),
    ] {
        let html =
            fs::read_to_string(out.path().join("site").join(url).join("index.html")).expect("page");
        let start = html.find("<main").expect("a <main>");
        let end = html.find("</main>").expect("a </main>") + "</main>".len();
        let got = format!("{}\n", &html[start..end]);
        let file = course.join("expected").join(format!("{name}.html"));
        if std::env::var_os("UPDATE_EXPECTED").is_some() {
            fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
            fs::write(&file, &got).expect("write golden");
            continue;
        }
        let expected = fs::read_to_string(&file).unwrap_or_default();
        if got != expected {
            failures.push(format!("{} differs from the built page", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mathjax_delimiters_figures_footnotes_and_references_render() {
    let out = built(&fixture("content", "real-notes"));
    let site = out.path().join("site");
    let lesson = page(&site, "linear-classifiers");
    let main = lesson.select(&sel("main")).next().expect("main");
    let prose = text(main);
    // No author syntax is left on the page as literal text.
    for literal in ["\\(", "\\)", "\\[", "$$", "[^", "][", "\\{"] {
        assert!(
            !prose.contains(literal),
            "`{literal}` printed literally: {prose}"
        );
    }
    // `\\` in display math is a line break; `\{ \}` keep their braces.
    let rows = main.select(&sel("math[display=block] mtable mtr")).count();
    assert!(rows >= 2, "the broken display formula has {rows} rows");
    assert!(
        main.select(&sel("math mo")).any(|m| text(m) == "{"),
        "escaped braces are lost"
    );
    // A captioned image is a figure with the file's size; both images are copied.
    let figure = main.select(&sel("figure")).next().expect("a <figure>");
    let img = figure.select(&sel("img")).next().expect("an <img>");
    assert_eq!(img.value().attr("width"), Some("1400"));
    assert_eq!(img.value().attr("height"), Some("260"));
    assert!(text(figure).starts_with("Figure 1. Each row of W"));
    for src in main
        .select(&sel("img"))
        .filter_map(|i| i.value().attr("src"))
    {
        let file = site.join("linear-classifiers").join(src);
        assert!(file.is_file(), "{src} is not in the site");
    }
    // A `::: figure` captions what it holds with Markdown, math included.
    let table = main
        .select(&sel("figure"))
        .nth(1)
        .expect("the table figure");
    assert!(table.select(&sel("table")).next().is_some());
    let caption = table.select(&sel("figcaption")).next().expect("caption");
    assert!(text(caption).starts_with("Table 1. Scores"));
    assert!(caption.select(&sel("math")).next().is_some());
    // Footnotes and reference links defined after the containers resolve everywhere.
    let notes: Vec<String> = main
        .select(&sel("section.footnotes li"))
        .map(text)
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[2].contains("the car term"), "{notes:?}");
    let in_solution = main.select(&sel(".solution .footnote-ref a")).next();
    assert_eq!(
        in_solution.and_then(|a| a.value().attr("href")),
        Some("#fn-3")
    );
    let hrefs: Vec<&str> = main
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&"../linear-classifiers/practice-hinge/"),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"https://cs231n.github.io/linear-classify/"));
    // The legacy anchor is a link target, and the untitled exercise has a heading.
    assert!(main.select(&sel("a#intro")).next().is_some());
    let exercise = main
        .select(&sel(".exercise h3"))
        .next()
        .expect("exercise heading");
    assert_eq!(text(exercise), "Exercise 1");
    // The long verified chain has its broken form.
    assert!(main
        .select(&sel(".chain .chain-aligned math mtable"))
        .next()
        .is_some());

    let practice = page(&site, "linear-classifiers/practice-hinge");
    // The first question keeps its id; the heading named like it takes another.
    assert!(practice.select(&sel("li#question-1")).next().is_some());
    let heading = practice
        .select(&sel("h2#question-1-1"))
        .next()
        .expect("heading id");
    assert_eq!(text(heading), "Question 1");
    // One note referenced from two answers: one number, two back-referable places.
    let refs: Vec<&str> = practice
        .select(&sel(".footnote-ref a"))
        .filter_map(|a| a.value().attr("id"))
        .collect();
    assert_eq!(refs, ["fnref-1", "fnref-1-1"]);
    let lesson_link = practice
        .select(&sel(".answer-body a"))
        .find_map(|a| a.value().attr("href"));
    assert!(
        lesson_link.is_some_and(|l| l.ends_with("linear-classifiers/#from-pixels-to-scores")),
        "{lesson_link:?}"
    );
}

/// Every fixture course that builds: the sample, and each `tests/fixtures/<feature>/<case>`
/// except the invalid ones under `errors/`.
fn fixture_courses() -> Vec<PathBuf> {
    let mut courses = vec![repo()];
    let root = repo().join("tests/fixtures");
    for feature in fs::read_dir(&root)
        .expect("fixtures")
        .filter_map(Result::ok)
    {
        if feature.file_name() == "errors" || !feature.path().is_dir() {
            continue;
        }
        for case in fs::read_dir(feature.path())
            .expect("feature")
            .filter_map(Result::ok)
        {
            if case.path().join("course.yaml").is_file() {
                courses.push(case.path());
            }
        }
    }
    courses.sort();
    courses
}

#[test]
fn every_page_of_every_fixture_course_has_unique_non_empty_ids() {
    let courses = fixture_courses();
    assert!(courses.len() >= 2, "{courses:?}");
    let mut failures = Vec::new();
    for course in courses {
        let out = built(&course);
        let site = out.path().join("site");
        for entry in walkdir::WalkDir::new(&site)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.path().extension().is_none_or(|e| e != "html") {
                continue;
            }
            let html = Html::parse_document(&fs::read_to_string(entry.path()).expect("read"));
            let name = entry
                .path()
                .strip_prefix(&site)
                .expect("inside")
                .display()
                .to_string();
            let mut seen = HashSet::new();
            for e in html.select(&sel("[id]")) {
                let id = e.value().attr("id").unwrap_or("");
                if id.trim().is_empty() {
                    failures.push(format!("{}: {name}: an empty id", course.display()));
                } else if !seen.insert(id.to_string()) {
                    failures.push(format!("{}: {name}: id `{id}` twice", course.display()));
                }
            }
            for h in html.select(&sel("h1, h2, h3, h4, h5, h6")) {
                if text(h).is_empty() {
                    failures.push(format!("{}: {name}: an empty heading", course.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file of a built site, by path.
fn files(site: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(site)
                .expect("inside")
                .display()
                .to_string();
            (name, fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn real_notes_builds_byte_identically_with_its_images_copied() {
    let course = fixture("content", "real-notes");
    let (a, b) = (built(&course), built(&course));
    let (fa, fb) = (files(&a.path().join("site")), files(&b.path().join("site")));
    assert!(fa == fb, "two builds differ");
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "media/01-linear-classifiers/figures/scores.svg",
        "media/01-linear-classifiers/figures/toy.png",
        "assets/fonts/math.woff2",
    ] {
        assert!(names.contains(&needed), "{needed} missing: {names:?}");
    }
}
