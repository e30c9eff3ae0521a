//! The search index (`search/`, issues #15 and #24): the same bytes from two builds, built from
//! the pages that exist — a removed page's text is gone from it. The browser side is in
//! `tests/browser/search.mjs` and `search_large.mjs` (see `browser.rs`).

use std::path::Path;

use coursegen::build::{build, BuildOptions};

use super::{repo, sample_copy};

fn build_index(course: &Path, out: &Path) -> String {
    build(&BuildOptions {
        root: course.to_path_buf(),
        out: Some(out.to_path_buf()),
        pdf: false,
        strict: false,
        sheet: None,
        practice_sheets: None,
        cache: false,
    })
    .expect("the course builds");
    index_text(out)
}

/// Every file of the site's index, the manifest first, then the shards in name order.
fn index_text(site: &Path) -> String {
    let dir = site.join("search");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("search/ is written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.js")
        .collect();
    names.sort();
    let mut text = std::fs::read_to_string(dir.join("index.js")).expect("search/index.js");
    for name in names {
        text.push_str(&std::fs::read_to_string(dir.join(name)).expect("a shard"));
    }
    text
}

#[test]
fn the_index_is_byte_identical_across_builds_and_holds_what_pages_show() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = build_index(&repo(), &dir.path().join("one"));
    let second = build_index(&repo(), &dir.path().join("two"));
    assert_eq!(first, second, "two builds wrote different indexes");
    assert!(first.starts_with("window.COURSEGEN_SEARCH = {") && first.contains("\"lang\":\"en\""));
    // Inside a collapsed worked answer, inside a flashcard's answer, and a section's anchor.
    for text in ["downstream", "mechanism", "\"self-check\""] {
        assert!(first.contains(text), "{text} is not in the index");
    }
    // Chrome is not content: the "#" beside headings and the "Show answer" labels.
    assert!(
        !first.contains("Show answer"),
        "summary labels were indexed"
    );
    assert!(
        !first.contains("Section titled"),
        "anchor links were indexed"
    );
}

#[test]
fn a_removed_page_leaves_no_text_in_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let extra = course.join("content/01-neural-networks/extra.md");
    std::fs::write(
        &extra,
        "---\ntitle: Extra\n---\n\n## Aside\n\nA quokkaword to search for.\n",
    )
    .expect("write a page");
    let with = build_index(&course, &dir.path().join("site"));
    assert!(with.contains("quokkaword"), "the added page is not indexed");
    std::fs::remove_file(&extra).expect("remove the page");
    let without = build_index(&course, &dir.path().join("site"));
    assert!(
        !without.contains("quokkaword"),
        "a removed page's text is in the index"
    );
    assert!(
        !without.contains("\"Extra\""),
        "a removed page's title is in the index"
    );
}

/// Smart punctuation makes every straight quote a multi-byte character; prose with `&` or `<`
/// before such text once panicked the search indexer in every build, check and serve.
#[test]
fn prose_with_smart_quotes_and_ampersands_builds_and_is_indexed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    std::fs::create_dir_all(course.join("content/01-a")).expect("create lesson");
    std::fs::write(course.join("course.yaml"), "title: Prose\n").expect("write course.yaml");
    std::fs::write(
        course.join("content/01-a/index.md"),
        "---\ntitle: A\n---\n\nx < y is \"true\", R&D — \"fast\", Q&A ÄÄÄ &ÄÄÄÄÄÄÄÄÄ; and ‘אב’ é\n",
    )
    .expect("write page");
    let index = build_index(&course, &dir.path().join("site"));
    for text in [
        "x < y is “true”",
        "R&D — “fast”",
        "Q&A ÄÄÄ &ÄÄÄÄÄÄÄÄÄ;",
        "‘אב’ é",
    ] {
        assert!(index.contains(text), "{text} is not in the index: {index}");
    }
}

/// The index holds what the pages' documents say, not what a template wraps them in: a course
/// whose own `base.html` has no `<main>` (the old scraper read only `<main>`, and indexed
/// nothing) has the same index as the sample.
#[test]
fn a_base_template_without_main_gives_the_same_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let base = std::fs::read_to_string(repo().join("templates/base.html")).expect("base.html");
    assert!(
        base.contains("<main"),
        "the built-in base.html has a <main>"
    );
    let own = base
        .replace(
            "<main id=\"main\" tabindex=\"-1\">",
            "<div id=\"main\" tabindex=\"-1\">",
        )
        .replace("</main>", "</div>");
    assert!(!own.contains("<main"));
    std::fs::write(course.join("templates/base.html"), own).expect("write base.html");
    let theirs = build_index(&course, &dir.path().join("theirs"));
    let sample = build_index(&repo(), &dir.path().join("sample"));
    assert_eq!(theirs, sample);
    assert!(
        sample.contains("downstream"),
        "the index has the pages' text"
    );
}
