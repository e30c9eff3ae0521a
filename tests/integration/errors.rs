//! One invalid fixture per kind of content error: the exact messages and their `file:line`.

use std::fs;

use super::{build_course, repo};

/// Every case folder under `tests/fixtures/errors`, sorted.
fn error_fixtures() -> Vec<std::path::PathBuf> {
    let dir = repo().join("tests/fixtures/errors");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_error_fixture_reports_exactly_its_expected_errors() {
    let cases = error_fixtures();
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

/// `file:line:col` of each headline of the human format (`error: path:line:col: message`).
fn human_places(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .filter(|l| !l.starts_with("build failed"))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let (file, line, col) = (parts.next(), parts.next(), parts.next());
            match (
                file,
                line.map(str::parse::<usize>),
                col.map(str::parse::<usize>),
            ) {
                (Some(f), Some(Ok(line)), Some(Ok(col))) => format!("{f}:{line}:{col}"),
                (Some(f), ..) => f.to_string(),
                _ => String::new(),
            }
        })
        .collect()
}

#[test]
fn json_and_github_formats_carry_the_places_of_the_human_format() {
    let cases = error_fixtures();
    let check = |case: &std::path::Path, format: &str| {
        std::process::Command::new(super::binary())
            .args(["check", "--format", format])
            .arg(case)
            .output()
            .expect("run")
    };
    for case in &cases {
        let human = check(case, "human");
        let expected = human_places(&String::from_utf8_lossy(&human.stderr));
        assert!(!expected.is_empty(), "{}: no errors", case.display());

        let json = check(case, "json");
        assert_eq!(
            json.status.code(),
            human.status.code(),
            "{}",
            case.display()
        );
        let places: Vec<String> = String::from_utf8_lossy(&json.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object a line");
                assert_eq!(v["severity"], "error");
                assert!(v["message"].is_string());
                let file = v["file"].as_str().unwrap_or("").to_string();
                match (v["line"].as_u64(), v["column"].as_u64()) {
                    (Some(line), Some(col)) => format!("{file}:{line}:{col}"),
                    _ => file,
                }
            })
            .collect();
        assert_eq!(places, expected, "{}: json", case.display());

        let github = check(case, "github");
        assert_eq!(github.status.code(), human.status.code());
        let places: Vec<String> = String::from_utf8_lossy(&github.stdout)
            .lines()
            .map(|l| {
                let rest = l.strip_prefix("::error ").expect("an error annotation");
                let (props, _message) = rest.split_once("::").expect("properties::message");
                let get = |key: &str| {
                    props
                        .split(',')
                        .find_map(|p| p.strip_prefix(&format!("{key}=")))
                        .map(|v| {
                            v.replace("%3A", ":")
                                .replace("%2C", ",")
                                .replace("%25", "%")
                        })
                };
                match (get("file"), get("line"), get("col")) {
                    (Some(f), Some(line), Some(col)) => format!("{f}:{line}:{col}"),
                    (Some(f), ..) => f,
                    _ => String::new(),
                }
            })
            .collect();
        assert_eq!(places, expected, "{}: github", case.display());
    }
}
