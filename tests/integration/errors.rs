//! One invalid fixture per kind of content error: the exact messages and their `file:line`.

use std::fs;

use super::{build_course, repo};

#[test]
fn every_error_fixture_reports_exactly_its_expected_errors() {
    let dir = repo().join("tests/fixtures/errors");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected the error fixtures, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let out = tempfile::tempdir().expect("temp dir");
        let site = out.path().join("site");
        let errors = match build_course(&case, Some(&site)) {
            Ok(_) => {
                failures.push(format!("{}: built without errors", case.display()));
                continue;
            }
            Err(e) => e,
        };
        assert!(
            !site.exists(),
            "{}: a failed build wrote a site",
            case.display()
        );
        let got: String = errors.0.iter().map(|d| format!("{d}\n")).collect();
        let expected_file = case.join("expected.txt");
        if std::env::var_os("UPDATE_EXPECTED").is_some() {
            fs::write(&expected_file, &got).expect("write expected");
            continue;
        }
        let expected = fs::read_to_string(&expected_file).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_full_report_shows_the_source_line_with_a_caret_and_the_hint() {
    let errors = build_course(&super::fixture("errors", "failing-check"), None)
        .expect_err("the check fails");
    let report = errors.render();
    assert!(report.contains("content/01-intro/practice.md:9:14: check failed: computed [3, 7], but the page states [3, 8]"), "{report}");
    assert!(report.contains("W · [1, 1] = [3, 8]"), "{report}");
    assert!(report.contains("^^^^^^"), "{report}");
    assert!(report.contains("help:"), "{report}");
    assert!(
        report.ends_with("error: build failed with 1 error"),
        "{report}"
    );
}
