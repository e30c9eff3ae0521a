//! Every link of a built site leads to a file the build wrote: with PDFs, with `--no-pdf`, and
//! with a course deck over `course_deck_limit` (issue #13). Walks every `href` and `src` of
//! every page.

use std::path::{Path, PathBuf};

use coursegen::build::{build, BuildOptions};
use scraper::{Html, Selector};
use walkdir::WalkDir;

use super::repo;

/// Builds `course` into a temp dir, with or without PDFs.
fn built(course: &Path, pdf: bool) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build(&BuildOptions {
        root: course.to_path_buf(),
        out: Some(site.clone()),
        pdf,
        sheet: None,
        strict: false,
        practice_sheets: None,
        cache: false,
    })
    .unwrap_or_else(|e| panic!("{}", e.render()));
    (out, site)
}

/// Each link of each page that names a file that is not there, as "page: href".
fn dangling(site: &Path) -> Vec<String> {
    let selector = Selector::parse("[href], [src]").expect("a selector");
    let mut missing = Vec::new();
    let mut pages = 0;
    for entry in WalkDir::new(site).sort_by_file_name() {
        let entry = entry.expect("a readable site");
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = Html::parse_document(&std::fs::read_to_string(entry.path()).expect("html"));
        let dir = entry.path().parent().expect("a folder");
        for element in html.select(&selector) {
            let value = element.attr("href").or(element.attr("src")).unwrap_or("");
            let target = value.split(['#', '?']).next().unwrap_or("");
            if target.is_empty() || target.contains(':') {
                continue; // same page, or another scheme (https:, mailto:, data:)
            }
            let path = match target.strip_prefix('/') {
                Some(rooted) => site.join(rooted),
                None => dir.join(target),
            };
            let file = if target.ends_with('/') || path.is_dir() {
                path.join("index.html")
            } else {
                path
            };
            if !file.is_file() {
                missing.push(format!("{}: {value}", entry.path().display()));
            }
        }
    }
    assert!(pages > 2, "no pages walked in {}", site.display());
    missing
}

#[test]
fn a_no_pdf_site_links_to_no_missing_file() {
    let (_out, site) = built(&repo(), false);
    assert!(!site.join("flashcards.pdf").exists());
    let missing = dangling(&site);
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn a_site_with_decks_links_to_each_of_them() {
    let (_out, site) = built(&repo(), true);
    let missing = dangling(&site);
    assert!(missing.is_empty(), "{missing:#?}");
    let home = std::fs::read_to_string(site.join("index.html")).expect("home");
    assert!(home.contains("href=\"flashcards.pdf\""));
}

#[test]
fn a_course_deck_over_the_limit_is_neither_written_nor_linked() {
    let course = tempfile::tempdir().expect("temp dir");
    let options = copy_sample(&repo(), course.path());
    std::fs::write(
        course.path().join("course.yaml"),
        options.replace("duplex: false", "duplex: false\n  course_deck_limit: 1"),
    )
    .expect("course file");
    let (_out, site) = built(course.path(), true);
    assert!(!site.join("flashcards.pdf").exists());
    assert!(site
        .join("neural-networks/practice-backprop/flashcards.pdf")
        .is_file());
    let missing = dangling(&site);
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Copies the sample course (course file and content) into `to`; returns the course file.
fn copy_sample(from: &Path, to: &Path) -> String {
    for entry in WalkDir::new(from.join("content")) {
        let entry = entry.expect("readable");
        let rel = entry.path().strip_prefix(from).expect("inside");
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(to.join(rel)).expect("folder");
        } else {
            std::fs::copy(entry.path(), to.join(rel)).expect("copy");
        }
    }
    std::fs::read_to_string(from.join("course.yaml")).expect("course file")
}
