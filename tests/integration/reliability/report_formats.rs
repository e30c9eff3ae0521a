//! Item 11: every diagnostic format neutralises control characters in file names, as the
//! human format does.

use std::fs;

use crate::hardening::{course_with, run};

#[test]
fn file_names_with_escape_sequences_reach_no_format_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", "Text.\n")]);
    let name = "x\u{1b}[31mred\u{7}.md";
    fs::write(
        course.join("content/01-intro").join(name),
        "---\ntitle: X\n---\n\n```verify\n1 + = 2\n```\n",
    )
    .expect("write page");
    for format in ["human", "json", "github"] {
        let out = run(&[
            "check".as_ref(),
            course.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {text:?}"
        );
        assert!(text.contains("x␛[31mred␇.md"), "{format}: {text}");
    }
}
