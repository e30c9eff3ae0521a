//! A build parses each page's Markdown once, and each exercise variant's changed text once
//! (issue #23). This is a test binary of its own: the count is the process's, and no other
//! test may build at the same time.

use std::path::PathBuf;

use coursegen::build::{build, BuildOptions};
use coursegen::doc::parse::parses;

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
