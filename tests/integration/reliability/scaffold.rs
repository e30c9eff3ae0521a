//! Item 10: `coursegen new` refuses, before writing anything, what the build would refuse —
//! reserved lesson names and titles with control characters — and whatever it accepts builds.

use std::path::Path;
use std::process::{Command, Output};

use crate::binary;

fn new(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("new")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run coursegen")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn reserved_lesson_names_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(new(dir.path(), &["course", "c"]).status.success());
    let before = crate::hardening::snapshot(&dir.path().join("c"));
    for name in ["assets", "media"] {
        let out = new(dir.path(), &["lesson", name, "--course", "c"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "`{name}` cannot name a lesson: the site's {name}/ folder has that URL"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(crate::hardening::snapshot(&dir.path().join("c")), before);
}

#[test]
fn a_lesson_folder_named_media_is_refused_by_the_build_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = crate::hardening::course_with(dir.path(), &[("index.md", "Text.\n")]);
    let media = course.join("content/02-media");
    std::fs::create_dir_all(&media).expect("mkdir");
    std::fs::write(media.join("index.md"), "---\ntitle: M\n---\nText.\n").expect("write");
    let out = crate::hardening::check_cli(&course);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "content/02-media: lesson folder name would take the URL of the site's media/ folder"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn titles_with_control_characters_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    for title in [
        "a\u{7}b",
        "two\nlines",
        "tab\there",
        "esc\u{1b}[31m",
        "nel\u{85}",
        "ls\u{2028}",
    ] {
        let out = new(dir.path(), &["course", "c", "--title", title]);
        assert_eq!(out.status.code(), Some(2), "{title:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("holds the control character"),
            "{}",
            stderr(&out)
        );
        assert!(!stderr(&out).chars().any(|c| c.is_control() && c != '\n'));
        assert!(
            !dir.path().join("c").exists(),
            "{title:?} created the course"
        );
    }
    assert!(new(dir.path(), &["course", "c"]).status.success());
    let out = new(
        dir.path(),
        &["lesson", "x", "--course", "c", "--title", "a\rb"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("c/content/02-x").exists());
}

#[test]
fn every_title_new_accepts_builds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let titles = [
        "\"Quoted\" and \\ back\\",
        "{{lesson}} {{title}}",
        ": colon # hash - dash",
        "---",
        "'single' * & ! % @ ` |",
        "Ünïcödé ∂ 🦀",
        "<script>alert(1)</script>",
    ];
    let out = new(
        dir.path(),
        &["course", "c", &format!("--title={}", titles[0])],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for (i, title) in titles.iter().enumerate() {
        let name = format!("l{i}");
        // `--title=…`, so that a title starting with `-` is not read as an option.
        let title_arg = format!("--title={title}");
        let out = new(dir.path(), &["lesson", &name, "--course", "c", &title_arg]);
        assert!(out.status.success(), "{title:?}: {}", stderr(&out));
        let out = new(
            dir.path(),
            &["practice", &name, "p", "--course", "c", &title_arg],
        );
        assert!(out.status.success(), "{title:?}: {}", stderr(&out));
    }
    let site = dir.path().join("site");
    let out = crate::hardening::build_cli(&dir.path().join("c"), &site);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("l1/index.html")).expect("page");
    assert!(page.contains("<h1>{{lesson}} {{title}}</h1>"), "{page}");
}
