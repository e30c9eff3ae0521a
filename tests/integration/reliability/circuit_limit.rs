//! Item 4 (circuits): the page of issue #26 — sixteen functions that each call the one
//! before twice, and a circuit of the last — ends at once with a located error whose hint says
//! how to draw it smaller; merged, it builds.

use std::fs;

use crate::hardening::{check_cli, course_with, stderr};

fn page(circuit: &str) -> String {
    let mut lines = vec!["let g0(x) = x * 1".to_string()];
    for i in 1..=16 {
        lines.push(format!("let g{i}(x) = g{}(g{}(x))", i - 1, i - 1));
    }
    lines.push(circuit.to_string());
    format!("Text.\n\n```verify show\n{}\n```\n", lines.join("\n"))
}

#[test]
fn a_sixteen_level_doubling_circuit_is_a_located_error_with_a_merge_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", &page("circuit g16(1)"))]);
    let run = check_cli(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:25:9: this circuit has more than 1000 gates and inputs, more than a figure can show"),
        "{err}"
    );
    assert!(
        err.contains("help: draw the functions it calls as one gate each with `merge`"),
        "{err}"
    );
    fs::write(
        course.join("content/01-intro/index.md"),
        format!("---\ntitle: T\n---\n\n{}", page("circuit g16(1) merge g15")),
    )
    .expect("write");
    let run = check_cli(&course);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}
