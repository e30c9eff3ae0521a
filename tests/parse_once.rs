//! A build parses each page's Markdown once, and each exercise variant's changed text once
//! (issue #23). This is a test binary of its own: the count is the process's, and no other
//! test may build at the same time.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use coursegen::build::{build, BuildOptions};
use coursegen::doc::parse::parses;

/// Held by each test that builds: the count is the process's.
static BUILDING: Mutex<()> = Mutex::new(());

fn options(root: PathBuf, pdf: bool) -> BuildOptions {
    BuildOptions {
        root,
        out: None,
        pdf,
        strict: true,
        sheet: None,
        practice_sheets: None,
        cache: false,
    }
}

#[test]
fn every_page_is_parsed_once_per_build_and_each_variant_once() {
    let _alone = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for pdf in [false, true] {
        let before = parses();
        let report = build(&options(root.clone(), pdf)).expect("the sample builds");
        let parsed = parses() - before;
        assert!(report.pages >= 2 && report.variants >= 8, "{report:?}");
        assert_eq!(
            parsed,
            report.pages + report.variants,
            "{} pages and {} variants, parsed {parsed} times (pdf: {pdf})",
            report.pages,
            report.variants
        );
    }
}

/// The sample course (its course file, content, templates and assets) copied under `dir`.
fn sample_copy(dir: &Path) -> PathBuf {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let to = dir.join("course");
    for part in ["course.yaml", "content", "templates", "assets"] {
        for entry in walkdir::WalkDir::new(from.join(part)) {
            let entry = entry.expect("walk the sample");
            let target = to.join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    to
}

#[test]
fn a_rebuild_reads_a_cached_page_again_only_for_a_course_deck_it_has() {
    let _alone = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let root = sample_copy(dir.path());
    let lesson = root.join("content/01-neural-networks/index.md");
    let course_file = root.join("course.yaml");
    let sample_course = std::fs::read_to_string(&course_file).unwrap();
    let options = BuildOptions {
        out: Some(dir.path().join("site")),
        cache: true,
        ..options(root.clone(), true)
    };
    // Edits the lesson (no cards, no variants) and rebuilds: what was parsed.
    let rebuild = |text: &str| {
        let mut page = std::fs::read_to_string(&lesson).unwrap();
        page.push_str(text);
        std::fs::write(&lesson, page).unwrap();
        let before = parses();
        let report = build(&options).expect("the sample builds");
        (parses() - before, report)
    };
    build(&options).expect("the sample builds");
    // The course has a deck (9 cards, under course_deck_limit): the cached practice page's
    // cards come from reading and verifying it again, its variants included.
    let (parsed, report) = rebuild("\nOne more line.\n");
    assert_eq!(report.cached, 1, "{report:?}");
    assert_eq!(
        parsed,
        2 + report.variants,
        "the lesson, and the practice page for the deck"
    );

    // Past the limit the course has no deck: only the edited page is read.
    let limited = sample_course.replace("flashcards:\n", "flashcards:\n  course_deck_limit: 1\n");
    assert_ne!(limited, sample_course);
    std::fs::write(&course_file, limited).unwrap();
    build(&options).expect("the sample builds");
    let (parsed, report) = rebuild("\nAnd another.\n");
    assert_eq!(report.cached, 1, "{report:?}");
    assert_eq!(parsed, 1, "only the edited lesson");
}

#[test]
fn only_the_document_layer_runs_a_markdown_parser() {
    // Every other stage walks the document: no other source file may start pulldown-cmark.
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut parsers = Vec::new();
    for entry in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read source");
        if text.contains("pulldown_cmark") && text.contains("Parser::new") {
            parsers.push(path.strip_prefix(&src).unwrap().display().to_string());
        }
    }
    assert_eq!(parsers, ["doc/parse.rs"]);
}
