//! `coursegen new` makes pages that build, and a new practice page is linked from its lesson.

use std::process::Command;

use super::binary;

fn run(args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run coursegen");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn new_course_lesson_and_practice_build_and_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let said = run(
        &["new", "course", "mycourse", "--title", "My course"],
        dir.path(),
    );
    assert!(said.contains("content/01-introduction/index.md"), "{said}");
    let course = dir.path().join("mycourse");
    let said = run(
        &["new", "lesson", "backprop", "--course", "mycourse"],
        dir.path(),
    );
    assert!(said.contains("content/02-backprop/index.md"), "{said}");
    let said = run(
        &[
            "new",
            "practice",
            "backprop",
            "practice-chain-rule",
            "--course",
            "mycourse",
        ],
        dir.path(),
    );
    assert!(
        said.contains("content/02-backprop/practice-chain-rule.md"),
        "{said}"
    );

    let said = run(&["build", "mycourse"], dir.path());
    assert!(said.starts_with("built 3 pages, 3 flashcards"), "{said}");
    let lesson =
        std::fs::read_to_string(course.join("site/backprop/index.html")).expect("lesson page");
    assert!(
        lesson.contains("href=\"../backprop/practice-chain-rule/\">Practice: Chain rule</a>"),
        "{lesson}"
    );
    assert!(course
        .join("site/backprop/practice-chain-rule/index.html")
        .is_file());
}

#[test]
fn new_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    run(&["new", "course", "c"], dir.path());
    let again = Command::new(binary())
        .args(["new", "course", "c"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a course"));
}
