//! Verification coverage: every number a worked answer states is computed, checked, or reported.

use std::fs;
use std::process::Command;

use coursegen::build::{build, BuildOptions};

use super::{binary, check_strict, fixture, sample_copy};

/// The numbers the claims fixture states, one per line, in order: (line, text).
const CLAIMS: &[(usize, &str)] = &[
    (16, "2"),
    (17, "0.02"),
    (18, "1/3"),
    (19, "-6"),
    (20, "[10, -6]"),
    (21, "[[1, 0], [0, 2]]"),
    (22, "4"),
    (25, "\\begin{bmatrix} 1 & 0 \\\\ 0 & 2 \\end{bmatrix}"),
];

#[test]
fn each_kind_of_claim_is_found_at_its_line_and_labels_are_not() {
    let report = build(&BuildOptions {
        root: fixture("coverage", "claims"),
        out: None,
        pdf: false,
        strict: false,
        sheet: None,
        practice_sheets: None,
        cache: false,
    })
    .expect("warnings do not fail the build");
    let found: Vec<(usize, String)> = report
        .warnings
        .iter()
        .map(|w| {
            let file = w.file.as_ref().expect("located");
            let span = w.span.clone().expect("located");
            (w.line().expect("a line"), file.text[span].to_string())
        })
        .collect();
    let expected: Vec<(usize, String)> = CLAIMS.iter().map(|(l, t)| (*l, t.to_string())).collect();
    assert_eq!(found, expected);
    // Verified: the block's three stated literals... and the two inline values.
    assert_eq!(report.coverage.claims.len(), CLAIMS.len());
    assert!(
        report.coverage.verified >= 2 + 3,
        "{:?}",
        report.coverage.verified
    );
    assert!(report
        .warnings
        .iter()
        .all(|w| w.render().starts_with("warning: ")));
}

#[test]
fn strict_turns_unverified_numbers_into_errors_at_their_lines() {
    let errors = check_strict(&fixture("coverage", "claims")).expect_err("strict fails");
    let lines: Vec<usize> = errors.0.iter().filter_map(|d| d.line()).collect();
    assert_eq!(lines, CLAIMS.iter().map(|(l, _)| *l).collect::<Vec<_>>());
}

#[test]
fn the_sample_course_is_fully_covered_and_an_added_number_fails_only_when_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let out = Command::new(binary())
        .args(["check", "--strict"])
        .arg(&course)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let coverage = stdout.lines().last().expect("a coverage line");
    let (verified, total) = coverage
        .split_once(" of ")
        .map(|(v, rest)| {
            (
                v.to_string(),
                rest.split(' ').next().unwrap_or("").to_string(),
            )
        })
        .expect("`N of M numbers …`");
    assert_eq!(verified, total, "{coverage}");
    assert!(
        coverage.ends_with("numbers in worked answers verified"),
        "{coverage}"
    );

    // One unverified number added to a solution.
    let page = course.join("content/01-neural-networks/practice-backprop.md");
    let text = fs::read_to_string(&page).expect("read");
    let anchor = "Match. Without the non-linearity";
    let line = text[..text.find(anchor).expect("anchor")].lines().count() + 1;
    fs::write(
        &page,
        text.replacen(anchor, "The sum is 15. Match. Without the non-linearity", 1),
    )
    .expect("write");
    // The sample asks for full coverage in course.yaml: the build fails at that line.
    let out = Command::new(binary())
        .arg("check")
        .arg(&course)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "practice-backprop.md:{line}:12: unverified number in a worked answer: `15`"
        )),
        "{stderr}"
    );
    // Without the requirement it is a warning, and the build succeeds.
    let config = course.join("course.yaml");
    let yaml = fs::read_to_string(&config).expect("read");
    fs::write(&config, yaml.replace("require: all", "require: checks")).expect("write");
    let out = Command::new(binary())
        .arg("check")
        .arg(&course)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: content/01-neural-networks/practice-backprop.md:{line}:12"
        )),
        "{stderr}"
    );
    // The added number is counted, and is the one not verified.
    let total: usize = total.parse().expect("a count");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} of {} numbers", total, total + 1)),
        "{stdout}"
    );
}
