//! A ```` ```verify ```` fence wherever CommonMark puts a fenced block is run, or is a located
//! error: never published as visible, unchecked code.

use std::fs;

use super::{build_cli, course_with, stderr};

#[test]
fn a_wrong_number_in_a_nested_list_item_fails_the_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "1. Step one\n   - detail\n\n     ```verify\n     1 + 1 = 3\n     ```\n";
    let course = course_with(dir.path(), &[("index.md", body)]);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:9:14: check failed"),
        "{err}"
    );
    assert!(!site.exists(), "a failed build wrote a site");
}

#[test]
fn a_right_nested_block_runs_and_a_shown_one_is_typeset_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "- Work it out:\n\n  ```verify show\n  let a = 2\n  a · 3 = 6\n  ```\n- next item\n";
    let course = course_with(dir.path(), &[("index.md", body)]);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("1 check passed"), "{stdout}");
    let html = fs::read_to_string(site.join("intro/index.html")).expect("page");
    assert!(!html.contains("language-verify"), "verify code published");
    assert!(
        html.contains("class=\"verified\""),
        "shown block not typeset"
    );
}

#[test]
fn a_hidden_block_deep_in_a_list_is_checked_and_not_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut body = String::new();
    for depth in 0..6 {
        body.push_str(&format!("{}- level {depth}\n\n", "  ".repeat(depth)));
    }
    let pad = "  ".repeat(6);
    body.push_str(&format!("{pad}```verify\n{pad}2 · 2 = 4\n{pad}```\n"));
    let course = course_with(dir.path(), &[("index.md", &body)]);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("1 check passed"));
    let html = fs::read_to_string(site.join("intro/index.html")).expect("page");
    assert!(!html.contains("2 · 2 = 4"), "verify code published");
}

#[test]
fn a_block_in_a_blockquote_is_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "Intro.\n\n> Quote:\n>\n> ```verify\n> 1 + 1 = 2\n> ```\n";
    let course = course_with(dir.path(), &[("index.md", body)]);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "content/01-intro/index.md:9:3: a `verify` block inside a blockquote cannot be checked"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: move the block out of the blockquote"),
        "{err}"
    );
    assert!(!site.exists());
}

#[test]
fn nested_blocks_inside_containers_share_the_page_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "```verify\nlet x = 5\n```\n\n::: exercise A\n- use it:\n\n  ```verify\n  x + 1 = 7\n  ```\n:::\n";
    let course = course_with(dir.path(), &[("index.md", body)]);
    let run = super::check_cli(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("index.md:13:11: check failed: computed 6, but the page states 7"),
        "{err}"
    );
}
